# Helpers shared by all rule files (source catalogue, paths derived from config).
import atexit
import functools
import os
import re
import sys
import time
from pathlib import Path

from snakemake.exceptions import WorkflowError

import localineq.config.yamlfile
import localineq.data.catalogue
from localineq.config.startup_memo import DigestCache, content_key, identity_key, remembered
from localineq.data.fetch import (
    fetch_failure_summary,
    load_catalogue,
    raw_path,
    retire_superseded_raw_files,
    verify_raw_files,
)
from localineq.outputs.figure_catalogue import headline_indicators
from localineq.outputs.measure_labels import measure_label

RUN_STARTED = time.time()

# All rules run the same software - localineq and its pinned dependencies. Used with
# --use-conda; pip users have it already after `pip install -e .`. Relative to workflow/rules/.
CONDA_ENV = "../../environment.yml"

# The configuration's names were checked against this catalogue in the Snakefile. Parsed
# once per content of the catalogue and of its reader (localineq.config.startup_memo).
SOURCES = remembered(
    "catalogue",
    content_key(
        Path(p).read_bytes()
        for p in (config["sources"], localineq.data.catalogue.__file__, localineq.config.yamlfile.__file__)
    ),
    lambda: (load_catalogue(config["sources"]), []),
)
INDICATORS = list(config["indicators"])

# Shared by the output stages (tables, maps, figures, report): the headline indicators, figure
# settings, indicator specs and the analysis-ready exports (analyse.smk) they draw on.
HEADLINE = headline_indicators(config)
FIGURES = config["figures"]
# Analysis-ready exports: LAD23 indicators and upper-tier (county) indicators.
INDICATOR_TABLES = [
    path
    for path, present in (
        (
            "results/tables/la_indicators.csv",
            any(v["tier"] == "lad" for v in config["indicators"].values()),
        ),
        (
            "results/tables/upper_tier_indicators.csv",
            any(v["tier"] != "lad" for v in config["indicators"].values()),
        ),
    )
    if present
]
SPECS = {k: dict(v) for k, v in config["indicators"].items()}
# Scheduling hint: the chain lookups → weight bases → indicator → indicator_tables gates
# every table, figure and page after it, so its jobs start first when cores are short; the
# boundary, neighbourhood and regional jobs, which nothing else waits for as long, fill the
# gaps. Snakemake's greedy scheduler (profiles/default) honours it.
CRITICAL_PATH = 1
# What an indicator's config says only to readers (printed by tables, figures and pages,
# never read by a computation). Jobs that compute get specs without these keys, so that
# editing a title reruns only the jobs that print it.
LABEL_KEYS = ("title", "mission", "weight_note", "period_note")


def numeric_spec(key):
    """An indicator's config without its labels (LABEL_KEYS): what its numbers depend on."""
    return {k: v for k, v in config["indicators"][key].items() if k not in LABEL_KEYS}


NUMERIC_SPECS = {k: numeric_spec(k) for k in config["indicators"]}
# The title-free panels every computation reads (rule indicator_tables), by tier of export;
# rule indicator_exports publishes them with titles as results/tables/<tier>_indicators.*.
PANELS = {tier: f"data/processed/panels/{tier}_indicators" for tier in ("la", "upper_tier")}

# Every invocation, dry runs included, checks the raw files present against their pins before
# any job reads them; an edited raw file stops the run even if its modification time was kept.
# A file's sha256 is remembered with its inode, size and times (DigestCache: a write changes
# its ctime, which cannot be set back), so unchanged files are not read again.
# Missing raw files are fetched again (rule `fetch`). A re-pin (new url/sha256/bytes in
# sources.yaml) retires the raw file fetched under the old pin, with its sidecar, so that
# rule `fetch` gets the new file without manual deletion.
_RAW_DIGESTS = DigestCache()
for _line in retire_superseded_raw_files(SOURCES, digest=_RAW_DIGESTS.sha256):
    print(f"localineq: re-pinned, fetching again: {_line}", file=sys.stderr)
verify_raw_files(SOURCES, digest=_RAW_DIGESTS.sha256)
_RAW_DIGESTS.save()
MISSING_RAW = [str(raw_path(src)) for src in SOURCES.values() if not raw_path(src).is_file()]
# The sources that `fetch` may produce, those whose raw file or provenance sidecar is missing.
# A raw file present here has just been verified against its pin, and as a file without a
# producer it is an input like any other; a run with nothing to fetch then has no fetch jobs
# to build and check (70 of 125 jobs of a no-op run). A deleted file is fetched again, and
# everything that reads it reruns.
TO_FETCH = [
    key
    for key, src in SOURCES.items()
    if not (raw_path(src).is_file() and Path(f"{raw_path(src)}.provenance.json").is_file())
]
TO_FETCH_PATTERN = "|".join(map(re.escape, TO_FETCH)) or "(?!)"  # "(?!)" matches nothing
if MISSING_RAW and any(Path("data/processed").glob("*.*")):
    print(
        f"localineq: {len(MISSING_RAW)} raw file(s) missing: {', '.join(MISSING_RAW)}. "
        "`snakemake` (rule all) fetches them again and reruns every step that reads them.",
        file=sys.stderr,
    )


def raw(key):
    """Path of a source's raw file, e.g. raw("lad23_itl_lookup")."""
    return str(raw_path(SOURCES[key]))


IO_MODULES = ("config.joblog", "data.atomic", "data.intermediates")


def package(*modules):
    """Source files of the localineq modules a step runs and of every localineq module they
    import, directly or not, so that editing any of them reruns the step.

    Modules are named relative to the package, e.g. package("data.readers", "stats.decomposition").
    Imports are read from the source (anywhere in a file, function-level ones included), so a
    new import is declared without editing the rule.
    """
    # ("module" is a Snakemake keyword at the start of a line, hence "name".)
    # Every script runs its main through config.joblog.run_job, writes through data.atomic and
    # reads intermediates through data.intermediates, so every step depends on them.
    found, pending = set(), [*modules, *IO_MODULES]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(_direct_imports(name))
    return [_module_file(m) for m in sorted(found)]


def _module_file(dotted):
    return f"src/localineq/{dotted.replace('.', '/')}.py"


#: ``from localineq.x import a, b`` (names may be modules) and ``import localineq.x``, at any
#: indentation. A regular expression rather than the ast module: this runs on every
#: invocation, and parsing every module took a tenth of a no-op run;
#: tests/test_workflow_resources.py checks the result against an ast-based closure.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+localineq\.([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
    r"|import[ \t]+localineq\.([\w.]+))",
    re.M,
)


def _direct_imports(dotted):
    """The localineq modules that module ``dotted``'s source imports (read, not run)."""
    imports = _import_graph()
    if dotted not in imports:
        raise WorkflowError(f"package(): no module localineq.{dotted} ({_module_file(dotted)})")
    return imports[dotted]


@functools.cache
def _import_graph():
    """Every localineq module's direct localineq imports, by dotted name, read from the
    sources with _IMPORT. Remembered under the files' names and identities (inode, size,
    times; localineq.config.startup_memo), so that a no-op run reads no source file."""
    files = sorted(
        Path(folder, name)
        for folder, _, names in os.walk("src/localineq")
        for name in names
        if name.endswith(".py")
    )
    modules = {".".join(f.relative_to("src/localineq").with_suffix("").parts): f for f in files}

    def read_all():
        return {name: _read_imports(path, modules) for name, path in modules.items()}, []

    return remembered("imports", identity_key(files), read_all)


def _read_imports(path, modules):
    imported = set()
    for source, names, plain in _IMPORT.findall(path.read_text(encoding="utf-8")):
        candidates = [plain] if plain else [source]
        # "a as b  # why" names module a: drop comments, keep each name's first word.
        names = re.sub(r"#[^\n]*", "", names).strip("()")
        candidates += [
            f"{source}.{name.split()[0]}" for name in names.split(",") if source and name.split()
        ]
        imported |= {c for c in candidates if c in modules}
    return frozenset(imported)


def raw_columns(wildcards, input):
    """Columns each raw file among a job's named inputs must have (`columns:` in sources.yaml),
    by input name: the readers refuse a file lacking one. A params function, so that
    changing a declaration reruns the jobs reading that file."""
    declared = _declared_columns()
    return {
        name: declared[path]
        for name, path in input.items()
        if isinstance(path, str) and path in declared
    }


@functools.cache
def _declared_columns():
    """Raw file path → its declared columns (sources.yaml), built once per invocation."""
    return {raw(key): list(src.columns) for key, src in SOURCES.items()}


def indicator_source(wildcards):
    return raw(config["indicators"][wildcards.indicator]["source"])


def nation_inputs(key):
    """Raw files of an indicator's `nation_sources`, as named inputs nation_<letter>."""
    extra = config["indicators"][key].get("nation_sources") or {}
    return {f"nation_{n}": raw(v["source"]) for n, v in sorted(extra.items())}


def nation_sources(wildcards):
    """Named inputs of prepare_indicator's nation files (for `unpack`)."""
    return nation_inputs(wildcards.indicator)


def final_outputs():
    return [
        "results/tables/decomposition.csv",
        "results/tables/icc.csv",
        "results/tables/la_indicators.csv",
        "results/tables/upper_tier_indicators.csv",
        "results/tables/harmonisation.csv",
        "results/tables/indicator_catalogue.csv",
        "results/tables/lsoa_profile.csv",
        "results/figures/lsoa_profile.png",
        f"results/figures/dotplot_{config['figures']['headline_indicator']}.png",
        "results/notebooks/01_first_result.html",
        *MISSION_OUTPUTS,  # mission scorecard tables and figure (workflow/rules/missions.smk)
        *SPATIAL_TABLES,  # weights, Moran's I, LISA, cross-border clusters (analyse.smk)
        "results/tables/la_targets.csv",
        "results/tables/reference_check.csv",
        "results/profiles",
        *REPORT_OUTPUTS,  # figures, result tables, notebooks, report (workflow/rules/report.smk)
        *DATAPACKAGE.values(),  # datapackage.json and codebook (workflow/rules/datapackage.smk)
        # The raw files themselves: Snakemake does not look at a missing input of a job whose
        # outputs are up to date, so a deleted raw file would otherwise never be fetched again.
        # Requested here, it is fetched and everything that reads it reruns.
        *(raw(key) for key in SOURCES),
    ]


def result_tables(wildcards):
    """The tables of the data package (workflow/rules/datapackage.smk defines CODEBOOK_FILE):
    every table the codebook defines and every CSV written to results/tables by any step, so
    the package is built after all of them and a table without a definition always stops it
    (localineq.outputs.codebook.header_problems) instead of depending on the job order."""
    written = {
        str(path)
        for other in workflow.rules
        if "results/tables/datapackage.json" not in other.output
        for path in other.output
        if re.fullmatch(r"results/tables/[^/{}]+\.csv", str(path))
    }
    horizon = config["targets"]["default"]["horizon"]

    def defined_tables():
        from localineq.outputs.codebook import load_codebook, table_paths

        return table_paths(load_codebook(CODEBOOK_FILE, horizon=horizon)), []

    # The codebook's tables, remembered by the content of the codebook and its reader.
    reader = Path(CODEBOOK_FILE).with_name("codebook.py")
    key = content_key([Path(CODEBOOK_FILE).read_bytes(), reader.read_bytes(), str(horizon)])
    return sorted(written | set(remembered("codebook_tables", key, defined_tables)))
