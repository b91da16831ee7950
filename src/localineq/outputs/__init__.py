"""Stage 4, outputs: result tables, figures, maps, notebooks, the report and profile pages.

Tables: ``area_tables``, ``decomposition_tables``, ``uncertainty_tables``,
``multilevel_tables``, ``profile_tables`` and ``spatial_tables`` compute the citable tables;
``tables`` writes them as CSV, Markdown and LaTeX. Pictures: ``figure_catalogue`` names every
figure; ``figures``, ``maps``, ``missions`` (the scorecard figure) and ``target_figures`` draw
them. Pages: ``report`` renders the HTML report from the Jinja2 templates in ``templates/``,
with one context function per section (``report_sections``, ``target_sections``,
``spatial_report``); ``profiles`` renders one page per authority; ``notebooks`` executes the
narrative notebooks. Outputs may import ``localineq.data``, ``localineq.stats`` and
``localineq.policy``; nothing imports outputs.
"""
