# localineq: how much of the inequality between UK places is invisible in regional averages?
# Data flows one way: config/sources.yaml → data/raw → data/processed → results.
from snakemake.utils import min_version

from localineq.config.check import load_workflow_config

min_version("9.0")

# The configuration, in place of a `configfile:` directive: config/config.yaml refused on
# syntax errors, duplicate keys, YTE templates, unknown keys and names that refer to nothing
# (each with its key and line); the command line's --configfile/--config values on top
# (which is all `config` holds so far); the result checked again, defaults filled in.
# Remembered by content in .snakemake/localineq/, so a no-op run does not redo it.
_CHECKED_CONFIG = load_workflow_config(
    "config/config.yaml",
    "workflow/schemas/config.schema.yaml",
    overrides=config,
    replace=getattr(workflow.config_settings, "replace_workflow_config", False),
)
config.clear()
config.update(_CHECKED_CONFIG)


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
