# localineq: how much of the inequality between UK places is invisible in regional averages?
# Data flows one way: config/sources.yaml → data/raw → data/processed → results.
from snakemake.utils import min_version, validate

from localineq.data.configcheck import load_yaml

min_version("9.0")

# Snakemake reports a YAML syntax error without its place; parse first to name line/column.
load_yaml("config/config.yaml")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"


wildcard_constraints:
    source="|".join(SOURCES),
    indicator="|".join(INDICATORS),


include: "workflow/rules/fetch.smk"
include: "workflow/rules/prepare.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/missions.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/maps.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        final_outputs(),
    default_target: True
