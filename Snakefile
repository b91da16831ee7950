# localineq: how much of the inequality between UK places is invisible in regional averages?
# Data flows one way: config/sources.yaml → data/raw → data/processed → results.
from snakemake.utils import min_version

from localineq.config.check import check_config_file, validate_merged_config

min_version("9.0")

# Before Snakemake reads the file: refuse syntax errors, duplicate keys, YTE templates, unknown
# keys at any depth and names that refer to nothing, each with its key and line.
check_config_file("config/config.yaml", "workflow/schemas/config.schema.yaml")


configfile: "config/config.yaml"


# The merged configuration (the file plus any --configfile and --config), defaults filled in:
# snakemake.utils.validate's work, with the schema read by libyaml's loader.
validate_merged_config(config, "workflow/schemas/config.schema.yaml")


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
include: "workflow/rules/datapackage.smk"


rule all:
    input:
        final_outputs(),
    default_target: True
