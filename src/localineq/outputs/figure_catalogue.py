"""The catalogue of citable figures: stable paths, titles, captions and alt text.

:func:`figure_catalogue` is the single list of the pipeline's figures, used by the report, the
notebooks and the workflow's rules (which draw exactly the files it names).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from localineq.outputs.measure_labels import classes_phrase, correction_label, measure_label

Specs = Mapping[str, Mapping[str, Any]]


#: Where figures live, relative to the repository root.
FIGURE_DIR = "results/figures"
#: The captions file (package data beside this module).
CAPTIONS_FILE = "figure_captions.yaml"


@dataclass(frozen=True)
class FigureEntry:
    """One citable figure: stable stem under ``results/figures/``, title and caption."""

    key: str
    stem: str
    title: str
    caption: str
    indicator: str | None = None
    kind: str = "overview"
    alt: str = ""

    @property
    def png(self) -> str:
        """Repository-relative path of the PNG."""
        return f"{FIGURE_DIR}/{self.stem}.png"

    @property
    def svg(self) -> str:
        """Repository-relative path of the SVG."""
        return f"{FIGURE_DIR}/{self.stem}.svg"


def headline_indicators(config: Mapping[str, Any]) -> list[str]:
    """The configured headline indicators, checked against ``config["indicators"]``.

    Raises
    ------
    ValueError
        If a headline key is not a configured indicator.
    """
    figures = config.get("figures", {})
    headline = list(figures.get("headline") or [figures.get("headline_indicator")])
    unknown = [k for k in headline if k not in config["indicators"]]
    if unknown:
        raise ValueError(
            f"figures.headline lists {unknown}, which are not indicators in config; "
            f"known: {sorted(config['indicators'])}"
        )
    return headline


def weight_phrase(spec: Mapping[str, Any], weight_bases: Mapping[str, Any] | None = None) -> str:
    """How an indicator's averages are weighted, in words.

    >>> weight_phrase({"weight": "working_age"}, {"working_age": {"description": "residents aged 16-64"}})
    'weighted by residents aged 16-64'
    >>> weight_phrase({"weight": "unweighted"})
    'unweighted'
    """
    basis = str(spec.get("weight", "population"))
    if basis == "unweighted":
        return "unweighted"
    description = dict((weight_bases or {}).get(basis) or {}).get("description")
    return f"weighted by {description or basis.replace('_', ' ')}"


def units_phrase(spec: Mapping[str, Any]) -> tuple[str, str]:
    """Singular and plural names of an indicator's units of analysis.

    >>> units_phrase({})
    ('local authority', 'local authorities')
    >>> units_phrase({"tier": "upper"})[1]
    'upper-tier authorities in England, local authorities elsewhere'
    """
    if spec.get("tier", "lad") == "upper":
        return (
            "upper-tier authority in England, local authority elsewhere",
            "upper-tier authorities in England, local authorities elsewhere",
        )
    return "local authority", "local authorities"


def _fill(entry: Mapping[str, Any], values: Mapping[str, str], **fixed: Any) -> FigureEntry:
    """A :class:`FigureEntry` from one entry of the captions file, placeholders filled."""
    text = {f: str(entry.get(f, "")).format_map(values) for f in ("title", "caption", "alt")}
    return FigureEntry(**fixed, **text)


def figure_catalogue(
    specs: Specs,
    headline: Sequence[str],
    weight_bases: Mapping[str, Any] | None = None,
    *,
    missions: bool = False,
    measure: str = "theil_t",
    map_scheme: str = "quantiles",
    map_classes: int = 5,
) -> list[FigureEntry]:
    """All figures the pipeline publishes, in report order, captioned from ``figure_captions.yaml``.

    The overview figures across every indicator, the mission scorecard (when ``missions``),
    then for each headline indicator a choropleth, a map of the gap to its region and a dot
    plot by region, and last a LISA cluster map per headline indicator (shown in the report's
    spatial section). ``weight_bases`` (config) words the weighting in captions; ``measure``
    (``figures.measure``) names the measure of the overview figures and ``map_scheme`` and
    ``map_classes`` the choropleths' classes.
    """
    captions = figure_captions()
    common = {
        "measure": measure_label(measure),
        "correction": correction_label(measure),
        "classes": classes_phrase(map_scheme, map_classes),
        "map_note": str(captions["map_note"]),
    }
    entries = [
        _fill(e, common, key=e["key"], stem=e["stem"])
        for e in captions["overview"]
        if e.get("report", True)
    ]
    if missions:
        mission = captions["mission"]
        entries.append(_fill(mission, common, key=mission["key"], stem=mission["stem"]))
    kinds = list(captions["per_indicator"])
    for block in (
        [k for k in kinds if not k.get("after_all")],
        [k for k in kinds if k.get("after_all")],
    ):
        for key in headline:
            values = {**common, **_indicator_words(specs[key], weight_bases)}
            entries += [
                _fill(kind, values, key=f"{kind['kind']}_{key}", stem=f"{kind['kind']}_{key}",
                      indicator=key, kind=kind["kind"])
                for kind in block
            ]  # fmt: skip
    return entries


def _indicator_words(
    spec: Mapping[str, Any], weight_bases: Mapping[str, Any] | None
) -> dict[str, str]:
    """The per-indicator placeholders of the captions file."""
    one, many = units_phrase(spec)
    return {
        "title": str(spec["title"]),
        "unit": str(spec["unit"]),
        "polarity": "higher is better" if spec["higher_is_better"] else "lower is better",
        "one": one,
        "many": many,
        "by_unit": f" by {one}" if one == "local authority" else "",
        "weighted": weight_phrase(spec, weight_bases),
    }


@functools.cache
def figure_captions() -> dict[str, Any]:
    """The captions file, ``localineq/outputs/figure_captions.yaml`` (package data)."""
    text = resources.files("localineq.outputs").joinpath(CAPTIONS_FILE).read_text("utf-8")
    # libyaml when present: every invocation's parse of the rule files reads this file.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def figure_stems(headline: Sequence[str]) -> list[str]:
    """Stems of every figure the figures and maps stages draw: the overview figures (also those
    the report does not show), then each headline indicator's figures, indicator by indicator.
    The mission scorecard is drawn by the missions stage and not listed here."""
    captions = figure_captions()
    kinds = [k["kind"] for k in captions["per_indicator"]]
    return [e["stem"] for e in captions["overview"]] + [
        f"{kind}_{key}" for key in headline for kind in kinds
    ]
