# Levelling-Up mission scorecard: every declared mission test by region and by local authority,
# convergence at both lenses, the ambition back-test, and the figure that sets the lenses side
# by side (issue 11). Tables are read from the analysis-ready exports only.

MISSIONS = config["missions"]
# Indicators the declared missions test: their published ITL1 rows form the regional lens.
MISSION_INDICATORS = sorted({i for m in MISSIONS["declared"] for i in m.get("indicators", [])})
# Sources of the missions tested on their own geography (R&D, homicide, devolution).
OWN_GEOGRAPHY_SOURCES = sorted(
    {k for m in MISSIONS.get("own_geography", []) or [] for k in m["sources"].values()}
)
# The scorecard as the mission tests write it (no indicator titles); rule mission_scorecard
# publishes it with titles as MISSION_TABLES["scorecard"].
SCORECARD_UNLABELLED = "data/processed/missions/scorecard.csv"
MISSION_TABLES = {
    "scorecard": "results/tables/mission_scorecard.csv",
    "convergence": "results/tables/convergence.csv",
    "backtest": "results/tables/ambition_backtest.csv",
    "ambition": "results/tables/mission_ambition.csv",
}
MISSION_FIGURES = ["results/figures/mission_scorecard.png", "results/figures/mission_scorecard.svg"]
MISSION_OUTPUTS = [
    *MISSION_TABLES.values(),
    "results/tables/region_indicators.csv",
    *MISSION_FIGURES,
]


rule export_region_indicators:
    """ONS's published ITL1 rows (E12/W92/S92/N92) of every mission indicator, real terms beside."""
    input:
        **{f"raw_{k}": raw(config["indicators"][k]["source"]) for k in MISSION_INDICATORS},
        **{f"{k}_{n}": p for k in MISSION_INDICATORS for n, p in nation_inputs(k).items()},
        hierarchy="data/processed/lad23_hierarchy.parquet",
        cpi=raw(config["prices"]["source"]),
        code=package("data.readers", "data.regions", "data.indicators", "data.prices", "data.nations"),
    output:
        csv="results/tables/region_indicators.csv",
    params:
        columns=raw_columns,
        indicators=MISSION_INDICATORS,
        specs={k: NUMERIC_SPECS[k] for k in MISSION_INDICATORS},
        money=list(config["prices"]["money"]),
        base_year=config["prices"]["base_year"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/export_region_indicators.tsv"
    log:
        "logs/missions/export_region_indicators.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/export_region_indicators.py"


rule mission_tables:
    """Mission scorecard (mission x indicator x test x lens), convergence and ambition back-test."""
    input:
        lad=f"{PANELS['la']}.csv",
        upper=f"{PANELS['upper_tier']}.csv",
        regions="results/tables/region_indicators.csv",
        **{f"raw_{k}": raw(k) for k in OWN_GEOGRAPHY_SOURCES},
        cpi=raw(config["prices"]["source"]),
        code=package(
            "data.mission_sources",
            "data.prices",
            "policy.geo_missions",
            "policy.periods",
            "policy.compare",
            "policy.results",
            "policy.missions",
            "policy.lenses",
            "policy.scorecard",
            "policy.scorecard_columns",
            "policy.deadlines",
            "policy.ambition",
            "policy.history",
            "stats.convergence",
            "stats.dispersion",
        ),
    output:
        scorecard=SCORECARD_UNLABELLED,
        convergence=report(
            MISSION_TABLES["convergence"],
            caption="../report/convergence.rst",
            category="Missions",
        ),
        backtest=report(
            MISSION_TABLES["backtest"],
            caption="../report/ambition_backtest.rst",
            category="Missions",
        ),
        ambition=MISSION_TABLES["ambition"],
    params:
        missions=MISSIONS,
        specs=NUMERIC_SPECS,
        min_periods=MISSIONS["convergence_min_periods"],
        columns=raw_columns,
        base_year=config["prices"]["base_year"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/mission_tables.tsv"
    log:
        "logs/missions/mission_tables.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/mission_tables.py"


rule mission_scorecard:
    """The published scorecard (the tests' table with indicator titles) and its figure:
    regional and local verdicts side by side for every mission test."""
    input:
        scorecard=SCORECARD_UNLABELLED,
        code=package("outputs.mission_figures", "outputs.figures", "policy.scorecard_columns"),
    output:
        scorecard=report(
            MISSION_TABLES["scorecard"],
            caption="../report/mission_scorecard_table.rst",
            category="Missions",
        ),
        png=report(
            MISSION_FIGURES[0],
            caption="../report/mission_scorecard.rst",
            category="Missions",
        ),
        svg=MISSION_FIGURES[1],
    params:
        labels=dict(MISSIONS.get("labels", {})),
        titles={k: v["title"] for k, v in config["indicators"].items()},
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/mission_scorecard.tsv"
    log:
        "logs/missions/mission_scorecard.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/mission_scorecard.py"
