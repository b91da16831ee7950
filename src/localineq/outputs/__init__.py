"""Stage 5, outputs: result files, figures, maps, notebooks, the report and profile pages.

Outputs render what :mod:`localineq.analysis` computes: ``tables`` writes the result tables as
CSV, Markdown and LaTeX, and ``codebook`` the data package. Pictures: ``figure_catalogue``
names every figure (captions in ``figure_captions.yaml``); ``figures``, ``maps``,
``map_links``, ``neighbourhood_figures``, ``noise_figures``, ``mission_figures`` (the
scorecard) and ``target_figures`` draw them. Pages: the ``report`` package renders the HTML
report from the Jinja2 templates in ``templates/``, with one module per section;
``profiles`` renders one page per authority; ``notebooks`` executes the narrative notebooks.
Outputs may import ``localineq.data``, ``localineq.stats``, ``localineq.policy`` and
``localineq.analysis``; nothing imports outputs.
"""
