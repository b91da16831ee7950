# Helpers shared by all rule files (source catalogue, paths derived from config).
from localineq.data.fetch import load_catalogue, raw_path

# All rules run the same software - localineq and its pinned dependencies. Used with
# --use-conda; pip users have it already after `pip install -e .`. Relative to workflow/rules/.
CONDA_ENV = "../../environment.yml"

SOURCES = load_catalogue(config["sources"])
INDICATORS = list(config["indicators"])


def raw(key):
    """Path of a source's raw file, e.g. raw("lad23_itl_lookup")."""
    return str(raw_path(SOURCES[key]))


def package(*modules):
    """Source files of the localineq modules a step runs, so that editing them reruns it.

    Modules are named relative to the package, e.g. package("data.readers", "stats.decomposition").
    """
    return [f"src/localineq/{m.replace('.', '/')}.py" for m in modules]


def indicator_source(wildcards):
    return raw(config["indicators"][wildcards.indicator]["source"])


def final_outputs():
    return [
        "results/tables/decomposition.csv",
        "results/tables/la_indicators.csv",
        "results/tables/upper_tier_indicators.csv",
        "results/tables/harmonisation.csv",
        "results/tables/indicator_catalogue.csv",
        "results/tables/lsoa_profile.csv",
        "results/figures/lsoa_profile.png",
        "results/figures/dotplot_regions.png",
        "results/notebooks/01_first_result.html",
        *REPORT_OUTPUTS,  # figures, result tables, notebooks, report (workflow/rules/report.smk)
    ]
