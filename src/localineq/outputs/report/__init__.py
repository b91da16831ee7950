"""The HTML report: ``build`` renders ``results/report/index.html`` (and its standalone copy)
from the Jinja2 templates in ``outputs/templates/``; ``base`` holds what every section shares
(inputs, state, figure and table helpers); ``sections`` lists the sections in page order, and
one module per section builds the context of its partial (``sections`` for the general ones,
``missions``, ``targets``, ``spatial``, ``noise``, ``neighbourhoods``). Section modules import
``base`` and never each other, and ``build`` imports ``sections``, so the report's modules
form no import cycle. Nothing is imported here, so importing one section does not load the rest.
"""
