"""Stage 4, outputs: result tables, figures, maps, notebooks and the report.

``area_tables``, ``decomposition_tables`` and ``profile_tables`` compute the citable tables;
``tables`` writes them as CSV, Markdown and LaTeX; ``figures`` and ``maps`` draw them;
``notebooks`` executes the narrative notebooks; ``report`` renders the HTML report. Outputs may
import ``localineq.data``, ``localineq.stats`` and ``localineq.policy``; nothing imports outputs.
"""
