# Executed notebooks and the HTML report. Notebooks read only results/ and data/processed/.
from pathlib import Path

from localineq.data.provenance import code_commit

NOTEBOOKS = list(config["report"]["notebooks"])

# The report's Jinja2 templates (package data), so that editing one re-renders the pages.
REPORT_TEMPLATES = sorted(
    str(p) for p in Path("src/localineq/outputs/templates").rglob("*") if p.is_file()
)

# nbconvert template of the notebooks' HTML (lab + figure alt text), package data.
NOTEBOOK_TEMPLATE = [t for t in REPORT_TEMPLATES if "/localineq_lab/" in t]

# Settings a notebook takes in its cell tagged `parameters` (outputs.notebooks.inject_parameters).
NOTEBOOK_PARAMETERS = {
    "03_geography": {"headline_indicator": config["figures"]["headline_indicator"]},
}

# What each notebook reads (so that it reruns when its inputs change).
NOTEBOOK_INPUTS = {
    "01_first_result": [
        "results/tables/decomposition.csv",
        f"results/figures/dotplot_{config['figures']['headline_indicator']}.png",
    ],
    "02_indicators": [
        "results/tables/decomposition.csv",
        "results/tables/decomposition_uncertainty.csv",
        RESULT_TABLES["summary_csv"],
        RESULT_TABLES["masked_csv"],
        RESULT_TABLES["top_bottom_csv"],
        "results/figures/within_share_trend.png",
        *INDICATOR_TABLES,
    ],
    "03_geography": [
        "results/tables/profile.csv",
        "results/figures/localisation_profile.png",
        f"results/figures/gap_map_{config['figures']['headline_indicator']}.png",
        *INDICATOR_TABLES,
    ],
    "04_mission_scorecard": [
        "results/tables/mission_scorecard.csv",
        "results/tables/ambition_backtest.csv",
        "results/tables/mission_ambition.csv",
        "results/tables/la_indicators.csv",
    ],
}


rule notebooks:
    """Execute the narrative notebooks into results/notebooks (ipynb + HTML), no error outputs.
    One job and one kernel (each notebook after a fresh start:
    outputs.notebooks.execute_notebooks): they only read results, all of which change
    together when an indicator does."""
    input:
        notebooks=expand("notebooks/{notebook}.ipynb", notebook=NOTEBOOKS),
        data=sorted({path for name in NOTEBOOKS for path in NOTEBOOK_INPUTS.get(name, [])}),
        code=package("outputs.notebooks", "outputs.figures", "outputs.maps", "outputs.tables", "analysis.area_tables", "analysis.decomposition_tables", "analysis.profile_tables"),
        template=NOTEBOOK_TEMPLATE,
    output:
        **{f"{name}_ipynb": f"results/notebooks/{name}.ipynb" for name in NOTEBOOKS},
        **{
            f"{name}_html": report(
                f"results/notebooks/{name}.html",
                caption="../report/notebook.rst",
                category="Notebooks",
            )
            for name in NOTEBOOKS
        },
    params:
        names=NOTEBOOKS,
        parameters={name: NOTEBOOK_PARAMETERS.get(name, {}) for name in NOTEBOOKS},
    benchmark:
        "benchmarks/results/notebooks.tsv"
    log:
        "logs/report/notebooks.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/execute_notebooks.py"


# What the citation names besides the version: the commit the results are built from ("unknown"
# outside a git work tree; a new commit reruns the two report pages) and the latest date a raw
# file was fetched, from the provenance sidecars (inputs below).
BUILD_COMMIT = code_commit(workflow.basedir)

# Inputs of both report pages (the linked index.html and the self-contained one).
REPORT_INPUTS = dict(
    sources=config["sources"],
    summary=RESULT_TABLES["summary_csv"],
    masked=RESULT_TABLES["masked_csv"],
    top_bottom=RESULT_TABLES["top_bottom_csv"],
    profile="results/tables/profile.csv",
    uncertainty="results/tables/decomposition_uncertainty.csv",
    lsoa_profile="results/tables/lsoa_profile.csv",
    neighbourhood_profile="results/tables/neighbourhood_profile.csv",
    widest_gaps="results/tables/widest_internal_gaps.csv",
    neighbourhood_noise="results/tables/neighbourhood_noise.csv",
    la_targets="results/tables/la_targets.csv",
    target_figure=TARGET_FIGURE["png"],
    scorecard=MISSION_TABLES["scorecard"],
    backtest=MISSION_TABLES["backtest"],
    ambition=MISSION_TABLES["ambition"],
    mission_figures=MISSION_FIGURES,
    spatial_autocorrelation="results/tables/spatial_autocorrelation.csv",
    lisa_clusters="results/tables/lisa_clusters.csv",
    cross_border_clusters="results/tables/cross_border_clusters.csv",
    icc="results/tables/icc.csv",
    decomposition="results/tables/decomposition.csv",
    figures=FIGURE_OUTPUTS,
    notebooks=expand("results/notebooks/{notebook}.html", notebook=NOTEBOOKS),
    code=package("outputs.report.build", "outputs.report.sections", "outputs.codebook", "data.provenance", "outputs.report.spatial", "outputs.report.targets", "outputs.target_figures", "outputs.report.missions", "outputs.mission_figures", "policy.scorecard", "outputs.tables", "analysis.area_tables", "analysis.decomposition_tables", "analysis.profile_tables", "outputs.figure_catalogue", "analysis.uncertainty_tables"),
    templates=REPORT_TEMPLATES,
    # The codebook section renders the table definitions (package data, not a module).
    codebook="src/localineq/outputs/codebook.yaml",
    provenance=[f"{raw_path(source)}.provenance.json" for source in SOURCES.values()],
    # Titles and captions of the figures (package data).
    captions="src/localineq/outputs/figure_captions.yaml",
)

# Table files the report lists (and links, in index.html).
REPORT_TABLE_FILES = [
    "results/tables/summary.csv",
    "results/tables/summary.md",
    "results/tables/summary.tex",
    "results/tables/decomposition.csv",
    "results/tables/decomposition_uncertainty.csv",
    "results/tables/icc.csv",
    "results/tables/profile.csv",
    "results/tables/lsoa_profile.csv",
    "results/tables/neighbourhood_profile.csv",
    "results/tables/neighbourhood_spread.csv",
    "results/tables/widest_internal_gaps.csv",
    "results/tables/neighbourhood_noise.csv",
    "results/tables/masked_las.csv",
    "results/tables/top_bottom_las.csv",
    "results/tables/la_targets.csv",
    "results/tables/reference_check.csv",
    *MISSION_TABLES.values(),
    *INDICATOR_TABLES,
    *SPATIAL_TABLES,
]


# The settings the report reads, as params, so editing any of them (e.g. report.title) reruns
# the report; `mirror` (where raw files come from) and `sources` (an input file) are not
# settings of the analysis.
REPORT_SETTINGS = {key: value for key, value in config.items() if key not in ("mirror", "sources")}


rule report:
    """The citable HTML report (question, sources, method, findings with figures, limitations)
    and the same report as one file to email or archive (figures embedded, no local links).
    One job: both pages read the same inputs and settings."""
    input:
        **REPORT_INPUTS,
    output:
        html="results/report/index.html",
        standalone="results/report/localineq-report.html",
    params:
        tables=REPORT_TABLE_FILES,
        settings=REPORT_SETTINGS,
        commit=BUILD_COMMIT,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/report.tsv"
    log:
        "logs/report/report.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/report_html.py"


# Final outputs of the figures and report stages, for rule all (common.smk: final_outputs).
REPORT_OUTPUTS = [
    "results/report/index.html",
    "results/report/localineq-report.html",
    *expand("results/notebooks/{notebook}.html", notebook=NOTEBOOKS),
    *FIGURE_OUTPUTS,
    *TARGET_FIGURE.values(),
    *RESULT_TABLES.values(),
    "results/tables/decomposition_uncertainty.csv",
    "results/tables/profile.csv",
]


rule profiles:
    """One self-contained HTML page per local authority (LAD23) plus an index grouped by region."""
    input:
        indicators=INDICATOR_TABLES,
        targets="results/tables/la_targets.csv",
        masked=RESULT_TABLES["masked_csv"],
        upper_tier="data/processed/lad23_upper_tier.parquet",
        neighbourhoods="data/processed/neighbourhoods.parquet",
        spread="results/tables/neighbourhood_spread.csv",
        sources=config["sources"],
        code=package("outputs.profiles", "analysis.area_tables", "policy.periods", "data.fetch"),
        templates=[
            "src/localineq/outputs/templates/profiles/base.html.j2",
            "src/localineq/outputs/templates/profiles/profile.html.j2",
            "src/localineq/outputs/templates/profiles/index.html.j2",
            "src/localineq/outputs/templates/profiles/style.css.j2",
        ],
    output:
        profiles=directory("results/profiles"),
    params:
        specs=SPECS,
        neighbourhood_specs={k: dict(v) for k, v in config["neighbourhoods"]["indicators"].items()},
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    benchmark:
        "benchmarks/results/profiles.tsv"
    log:
        "logs/report/profiles.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/render_profiles.py"
