"""One self-contained HTML profile page per local authority, and an index.

``results/profiles/<LAD23CD>.html`` shows, for every indicator, the authority's latest value,
its region's and the UK's reference (the statistic each row names: population-weighted mean or
median, as chosen in ``config.yaml: reference``), its rank, the change since the target
baseline with an inline SVG sparkline (drawn here as a polyline, no plotting library), its
target status (``results/tables/la_targets.csv``), whether regional averages mask it and
whether that is significant (``results/tables/masked_las.csv``), the sources with their
licences, and how to cite the page. In England and Wales a section "inequality inside this
authority" (:func:`inside_rows`) shows how far apart the authority's own neighbourhoods are (MSOA
income, Census 2021 LSOA shares), its rank among authorities and a dot strip of them. ``index.html`` lists the authorities by region with a
name filter (a few lines of inline script). Pages make no request to any other host: styles
and graphics are inline; the only links are to sibling pages and to licence texts.

Healthy life expectancy is published for upper-tier areas in England: a district's page shows
the value of its county, labelled as such, and never as a district value or rank.

Templates (Jinja2, autoescaped) live in ``localineq/outputs/templates/profiles/``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from localineq.data.atomic import atomic_output
from localineq.data.readers import parse_period
from localineq.policy.periods import period_midyear
from localineq.policy.targets import STATUS_MEANINGS, target_column, target_horizon

__all__ = [
    "STATUS_LABELS",
    "build_profiles",
    "dot_strip_svg",
    "inside_rows",
    "neighbourhood_scales",
    "fmt_value",
    "render_profiles",
    "sparkline_svg",
]

#: Status names from the one vocabulary (:data:`localineq.policy.targets.STATUS_MEANINGS`).
STATUS_LABELS = {k: label for k, (label, _) in STATUS_MEANINGS.items()}
MASKED_LABELS = {
    "hidden_low": "Masked: in the worst fifth, in a region at or above the UK reference",
    "hidden_high": "Masked: in the best fifth, in a region below the UK reference",
}
LICENCE_URLS = {
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


def fmt_value(value: Any, unit: str = "") -> str:
    """A value for display: thousands separated, fewer decimals for larger numbers.

    >>> fmt_value(24569.0, "£ per head"), fmt_value(7.123, "score"), fmt_value(float("nan"))
    ('£24,569', '7.12', '–')
    >>> fmt_value(61.04, "%"), fmt_value(-1.5, "years")
    ('61.0%', '-1.50')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    v = float(value)
    text = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.1f}" if abs(v) >= 100 else f"{v:.2f}"
    if unit == "%":
        text = f"{v:.1f}%"
    elif unit.startswith("£"):
        text = ("-£" if v < 0 else "£") + text.lstrip("-")
    return text


def sparkline_svg(
    times: Iterable[float],
    values: Iterable[float],
    *,
    width: int = 120,
    height: int = 28,
    pad: float = 3.0,
    label: str = "",
    baseline_time: float | None = None,
) -> Markup:
    """An inline SVG sparkline: a polyline over time, a dot at the latest value.

    x is proportional to time (period mid-points), y to value between the series' own
    minimum (bottom) and maximum (top); missing values break nothing (they are skipped). A
    faint vertical line marks the target baseline. The element carries
    ``class="sparkline"`` and an accessible label with the first and last values.

    Examples
    --------
    >>> svg = sparkline_svg([2020, 2021, 2022], [1.0, 3.0, 2.0], width=20, height=10, pad=0)
    >>> 'points="0.0,10.0 10.0,0.0 20.0,5.0"' in svg
    True
    >>> "<svg" in sparkline_svg([], [])  # no data: an empty, labelled frame
    True
    """
    t = np.asarray(list(times), dtype=float)
    y = np.asarray(list(values), dtype=float)
    ok = np.isfinite(t) & np.isfinite(y)
    t, y = t[ok], y[ok]
    head = (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{Markup.escape(label)}">'
    )
    if t.size == 0:
        return Markup(head + "<title>no data</title></svg>")
    t0, t1 = float(t.min()), float(t.max())
    lo, hi = float(y.min()), float(y.max())
    xs = pad + (t - t0) / (t1 - t0) * (width - 2 * pad) if t1 > t0 else np.full(t.size, width / 2)
    ys = pad + (hi - y) / (hi - lo) * (height - 2 * pad) if hi > lo else np.full(y.size, height / 2)
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))
    parts = [head, f"<title>{Markup.escape(label)}</title>"]
    if baseline_time is not None and t1 > t0 and t0 <= baseline_time <= t1:
        bx = pad + (baseline_time - t0) / (t1 - t0) * (width - 2 * pad)
        parts.append(f'<line x1="{bx:.1f}" x2="{bx:.1f}" y1="0" y2="{height}" class="spark-base"/>')
    parts.append(f'<polyline points="{points}" fill="none" class="spark-line"/>')
    parts.append(f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.2" class="spark-dot"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def dot_strip_svg(
    values: Iterable[float],
    lo: float,
    hi: float,
    *,
    width: int = 220,
    height: int = 22,
    pad: float = 4.0,
    label: str = "",
) -> Markup:
    """An inline SVG dot strip: one dot per neighbourhood on a fixed scale from ``lo`` to ``hi``.

    x is :math:`pad + (y - lo)/(hi - lo) \\cdot (width - 2 pad)`, clipped to the strip, so
    strips of different authorities share a scale and can be compared. Dots are translucent,
    so neighbourhoods with nearly equal values darken each other instead of hiding.

    >>> svg = dot_strip_svg([0.0, 5.0, 10.0], 0.0, 10.0, width=20, pad=0)
    >>> [svg.count(f'cx="{x}"') for x in ("0.0", "10.0", "20.0")]
    [1, 1, 1]
    """
    y = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    head = (
        f'<svg class="dotstrip" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{Markup.escape(label)}">'
    )
    parts = [head, f"<title>{Markup.escape(label)}</title>"]
    mid = height / 2
    # Styled inline: pages without neighbourhoods keep the shared stylesheet as it was.
    parts.append(
        f'<line x1="{pad}" x2="{width - pad}" y1="{mid}" y2="{mid}" stroke="#bbb" stroke-width="1"/>'
    )
    if hi > lo:
        xs = pad + (np.clip(y, lo, hi) - lo) / (hi - lo) * (width - 2 * pad)
    else:
        xs = np.full(y.size, width / 2)
    parts += [
        f'<circle cx="{x:.1f}" cy="{mid}" r="3" fill="#1b4f72" fill-opacity="0.45"/>' for x in xs
    ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _share_or_money(value: float, unit_label: str) -> str:
    """Census shares as percentages, income in pounds."""
    if unit_label.startswith("£"):
        return fmt_value(value, "£")
    return fmt_value(100 * value, "%")


def neighbourhood_scales(neighbourhoods: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Lowest and highest neighbourhood value of each indicator (the dot strips' scale).

    >>> neighbourhoods_ = pd.DataFrame({"indicator": ["a", "a", "b"], "value": [2.0, 5.0, 1.0]})
    >>> neighbourhood_scales(neighbourhoods_)
    {'a': (2.0, 5.0), 'b': (1.0, 1.0)}
    """
    values = neighbourhoods.groupby("indicator", sort=False)["value"]
    return {
        str(key): (float(lo), float(hi))
        for key, lo, hi in zip(values.min().index, values.min(), values.max(), strict=True)
    }


def inside_rows(
    code: str,
    neighbourhoods: pd.DataFrame,
    spread: pd.DataFrame,
    specs: Mapping[str, Mapping[str, Any]],
    scales: Mapping[str, tuple[float, float]] | None = None,
) -> list[dict[str, Any]]:
    """The "inequality inside this authority" rows of one LAD23's page, one per indicator.

    Each row shows the authority's neighbourhoods (count and unit), their weighted mean, 10th
    and 90th percentiles and ratio, Theil T between them and its rank among authorities
    (1 = widest spread; ``results/tables/neighbourhood_spread.csv``), and a dot strip of the
    neighbourhoods' values on the scale of all neighbourhoods in England and Wales.

    ``scales`` (indicator → lowest and highest value in England and Wales, from
    :func:`neighbourhood_scales`) lets a caller pass only this authority's rows in
    ``neighbourhoods``; without it the scale is taken from ``neighbourhoods`` itself.
    """
    rows = []
    units = {"msoa11": "MSOAs (2011)", "lsoa21": "LSOAs (2021)"}
    scales = neighbourhood_scales(neighbourhoods) if scales is None else scales
    # Rows picked on numpy copies of the key columns: masking the frames (pyarrow text) for
    # every indicator of every page cost most of the profiles job.
    here = neighbourhoods["lad23_code"].to_numpy() == code
    of_indicator = neighbourhoods["indicator"].to_numpy()
    spread_here = spread["lad23_code"].to_numpy() == code
    spread_indicator = spread["indicator"].to_numpy()
    for key, spec in specs.items():
        if key not in scales:
            continue
        own = neighbourhoods["value"][(of_indicator == key) & here]
        hit = np.flatnonzero((spread_indicator == key) & spread_here)
        if own.empty or hit.size == 0:
            continue
        r = spread.iloc[hit[0]]
        label = str(spec["unit_label"])
        lo, hi = scales[key]
        ranked = bool(np.isfinite(r["rank"]))
        rows.append(
            {
                "key": key,
                "title": spec["title"],
                "units": f"{int(r['n_units'])} {units.get(str(spec['unit']), '')}",
                "weight": spec["weight"],
                "mean": _share_or_money(float(r["mean"]), label),
                "p10": _share_or_money(float(r["p10"]), label),
                "p90": _share_or_money(float(r["p90"]), label),
                "ratio": f"{float(r['p90_p10']):.2f}" if ranked else "–",
                "theil": f"{float(r['theil_t']):.4f}" if np.isfinite(r["theil_t"]) else "–",
                "rank": f"{int(r['rank'])} of {int(r['n_ranked'])}"
                if ranked
                else "not ranked (fewer than 5)",
                "strip": dot_strip_svg(
                    own.to_numpy(dtype=float),
                    lo,
                    hi,
                    label=(
                        f"{spec['short']}: {len(own)} neighbourhoods between "
                        f"{_share_or_money(float(own.min()), label)} and "
                        f"{_share_or_money(float(own.max()), label)}; scale "
                        f"{_share_or_money(lo, label)} to {_share_or_money(hi, label)} "
                        "(all of England and Wales)"
                    ),
                ),
                "scale": f"{_share_or_money(lo, label)} – {_share_or_money(hi, label)}",
            }
        )
    return rows


@cache
def _midyear(period: str) -> float:
    return period_midyear(period)


def _series(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """(indicator, area) → (times, values) in time order, from long indicator rows.

    Money rows use ``value_real`` where present, the basis their targets are judged in.
    """
    if "value_real" in frame:
        frame = frame.assign(value=frame["value_real"].where(frame["value_real"].notna(),
                                                             frame["value"]))  # fmt: skip
    rows = frame[frame["value"].notna()][["indicator", "area_code", "period", "value"]]
    rows = rows.assign(t=rows["period"].map(_midyear)).sort_values(
        ["indicator", "area_code", "t"], kind="stable"
    )
    keys = list(zip(rows["indicator"].astype(str), rows["area_code"].astype(str), strict=True))
    t, y = rows["t"].to_numpy(), rows["value"].to_numpy(dtype=float)
    starts = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]] + [len(keys)]
    return {keys[a]: (t[a:b], y[a:b]) for a, b in itertools.pairwise(starts) if b > a}


@cache
def _period_label(period: str) -> str:
    return parse_period(period).label


def _label(period: Any) -> str:
    return _period_label(period) if isinstance(period, str) and period else "–"


def _change_text(row: Mapping[str, Any], unit: str) -> tuple[str, str]:
    """("+1.20 since 2021", "better"|"worse"|"unchanged"|"") from a targets row."""
    b, lt = row.get("baseline"), row.get("latest")
    if b is None or lt is None or not (np.isfinite(float(b)) and np.isfinite(float(lt))):
        return "–", ""
    diff = float(lt) - float(b)
    better = bool(row["higher_is_better"])
    direction = "unchanged" if diff == 0 else ("better" if (diff > 0) == better else "worse")
    sign = "+" if diff > 0 else ""
    amount = f"{diff:.1f} pp" if unit == "%" else fmt_value(diff, unit)
    text = f"{sign}{amount} since {_label(row['baseline_period'])}"
    return text, direction


def _sources(specs: Mapping[str, Mapping[str, Any]], catalogue: Mapping[str, Any]) -> list:
    seen: dict[str, dict[str, Any]] = {}
    for spec in specs.values():
        src = catalogue.get(spec["source"])
        if src is None:
            continue
        entry = seen.setdefault(
            src.key,
            {
                "publisher": src.publisher,
                "description": src.description,
                "licence": src.licence,
                "licence_url": LICENCE_URLS.get(src.licence),
                "indicators": [],
            },
        )
        entry["indicators"].append(spec["title"])
    return list(seen.values())


def build_profiles(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    masked: pd.DataFrame,
    upper_tier: pd.DataFrame,
    specs: Mapping[str, Mapping[str, Any]],
    catalogue: Mapping[str, Any],
    version: str = "",
    neighbourhoods: pd.DataFrame | None = None,
    spread: pd.DataFrame | None = None,
    neighbourhood_specs: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Template contexts: one per local authority (LAD23), and the index's.

    Parameters
    ----------
    indicators : pandas.DataFrame
        ``la_indicators`` and ``upper_tier_indicators`` stacked (long rows).
    targets : pandas.DataFrame
        ``la_targets`` (one row per area of each indicator's own tier).
    masked : pandas.DataFrame
        ``masked_las``.
    upper_tier : pandas.DataFrame
        ``area_code → unit_code, unit_name``: each LAD23's upper-tier unit.
    specs : mapping
        Indicator config entries (title, unit, mission, tier, source).
    catalogue : mapping
        Source records (publisher, licence, description) by source key.
    neighbourhoods, spread, neighbourhood_specs : optional
        ``data/processed/neighbourhoods.parquet``, ``results/tables/neighbourhood_spread.csv``
        and ``config.yaml: neighbourhoods.indicators``: with all three, each page gets an
        "inequality inside this authority" section (:func:`inside_rows`).
    """
    series = _series(indicators)
    horizon = target_horizon(targets.columns)
    # Each authority's neighbourhoods and spread rows, split once: filtering the whole
    # neighbourhood table for every page took most of this job's time.
    inside_by_code = None
    if neighbourhoods is not None and spread is not None and neighbourhood_specs:
        inside_by_code = (
            {str(c): part for c, part in neighbourhoods.groupby("lad23_code", sort=False)},
            {str(c): part for c, part in spread.groupby("lad23_code", sort=False)},
            neighbourhood_scales(neighbourhoods),
        )
        no_neighbourhoods, no_spread = neighbourhoods.iloc[:0], spread.iloc[:0]
    unit_of = upper_tier.set_index("area_code")
    by_area_ind = {
        (str(r["indicator"]), str(r["area_code"])): r for r in targets.to_dict("records")
    }
    masked_of = {(str(r["indicator"]), str(r["area_code"])): r for r in masked.to_dict("records")}
    sources = _sources(specs, catalogue)
    no_series = (np.array([]), np.array([]))
    pages = []
    for lad in _lads(indicators):
        code = lad["area_code"]
        rows = []
        for key, spec in specs.items():
            unit_code, unit_name, note = _reporting_unit(code, lad["area_name"], spec, unit_of)
            t = by_area_ind.get((key, unit_code))
            if t is None:
                continue
            m = masked_of.get((key, unit_code))
            times, values = series.get((key, unit_code), no_series)
            rows.append(_indicator_row(key, spec, t, m, times, values, horizon, note))
        if inside_by_code is not None:
            inside = inside_rows(
                code,
                inside_by_code[0].get(code, no_neighbourhoods),
                inside_by_code[1].get(code, no_spread),
                neighbourhood_specs,
                scales=inside_by_code[2],
            )
        else:
            inside = []
        pages.append(
            {
                "code": code,
                "name": lad["area_name"],
                "region": lad["itl1_name"],
                "rows": rows,
                "sources": sources,
                "version": version,
                "horizon": horizon,
                "n_alarms": sum(r["status"] == "levelling_down" for r in rows),
                "n_masked": sum(bool(r["masked"]) for r in rows),
                "inside": inside,
            }
        )
    return pages, _index(pages, version, horizon)


def _lads(indicators: pd.DataFrame) -> list[dict[str, Any]]:
    """One record per LAD23 with a row in ``indicators`` (code, name, region), by code."""
    lads = (
        indicators[indicators["area_code"].str.match(r"^[EWSN]\d{8}$")]
        .loc[lambda d: d["unit_of_analysis"].eq("LAD23")]
        .drop_duplicates("area_code")[["area_code", "area_name", "itl1_code", "itl1_name"]]
        .sort_values("area_code")
    )
    return lads.to_dict("records")


def _reporting_unit(
    code: str, name: str, spec: Mapping[str, Any], unit_of: pd.DataFrame
) -> tuple[str, str, str]:
    """The area an indicator is published for on authority ``code``'s page, and why.

    A district indicator is the authority's own. An upper-tier indicator is its county's or
    unitary's (``unit_of``: ``area_code → unit_code, unit_name``); where ONS combines the
    authority with another (``combined_areas`` in the indicator's config), the combined
    area's unit. Returns ``(unit_code, unit_name, note)``, the note telling the reader the
    value is not the authority's own (empty when it is).
    """
    if spec.get("tier", "lad") == "lad":
        return code, name, ""
    combined = (spec.get("combined_areas") or {}).get(code)
    unit_code, unit_name = code, name
    if (combined or code) in unit_of.index:
        unit_code = str(unit_of.at[combined or code, "unit_code"])
        unit_name = str(unit_of.at[combined or code, "unit_name"])
    if combined:
        note = (
            f"Published for {unit_name} only (ONS combines {name} with it): not a value of "
            "this authority"
        )
    elif unit_code != code:
        note = f"Published for {unit_name} (upper-tier area), not for districts"
    else:
        note = ""
    return unit_code, unit_name, note


def _indicator_row(
    key: str,
    spec: Mapping[str, Any],
    t: Mapping[str, Any],
    m: Mapping[str, Any] | None,
    times: np.ndarray,
    values: np.ndarray,
    horizon: int,
    note: str,
) -> dict[str, Any]:
    """One indicator's row of a profile page, formatted for the template.

    ``t`` is the area's ``la_targets`` row, ``m`` its ``masked_las`` row (``None`` when not
    masked), ``times``/``values`` its series for the sparkline and ``note`` the upper-tier
    note of :func:`_reporting_unit`.
    """
    unit = spec["unit"]
    change, direction = _change_text(t, unit)
    base_p = t["baseline_period"]
    base_t = _midyear(base_p) if isinstance(base_p, str) and base_p else None
    rank = t["rank_latest"]
    rank_text = (
        f"{int(rank)} of {int(t['n_ranked_latest'])}"
        if rank is not None and np.isfinite(rank)
        else "–"
    )
    return {
        "key": key,
        "title": spec["title"],
        "mission": spec.get("mission", ""),
        "unit": unit,
        "polarity": "higher is better" if spec["higher_is_better"] else "lower is better",
        "value": fmt_value(t["latest"], unit),
        "period": _label(t["latest_period"]),
        "region": fmt_value(t["region_reference_latest"], unit),
        "uk": fmt_value(t["uk_reference_latest"], unit),
        "reference": t["reference"],
        "rank": rank_text,
        "change": change,
        "direction": direction,
        "sparkline": sparkline_svg(
            times, values, label=f"{spec['title']}: {len(values)} periods", baseline_time=base_t
        ),
        "target": fmt_value(t[target_column(horizon)], unit),
        "price_basis": (
            t["price_basis"] if str(t.get("price_basis", "")).startswith("real") else ""
        ),
        "status": t["status"],
        "status_label": STATUS_LABELS[t["status"]],
        "status_significant": bool(t["significant"]),
        "evidence": t["evidence"],
        **_masked_fields(m),
        "upper_tier_note": note,
    }


def _masked_fields(m: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``masked*`` fields of a row: from its ``masked_las`` row, or blank when not masked."""
    if not m:
        return {
            "masked": "",
            "masked_significant": False,
            "masked_evidence": "",
            "masked_persistence": "",
        }
    return {
        "masked": MASKED_LABELS.get(m["kind"], ""),
        "masked_significant": bool(m["significant"]),
        "masked_evidence": m["evidence"],
        "masked_persistence": f"{int(m['persistence'])} of {int(m['periods_checked'])}",
    }


def _index(pages: list[dict[str, Any]], version: str, horizon: int) -> dict[str, Any]:
    """The index page's context: the pages grouped by region, both sorted by name."""
    regions: dict[str, list[dict[str, Any]]] = {}
    for page in sorted(pages, key=lambda p: (p["region"], p["name"])):
        regions.setdefault(page["region"], []).append(
            {
                "code": page["code"],
                "name": page["name"],
                "n_alarms": page["n_alarms"],
                "n_masked": page["n_masked"],
            }
        )
    return {"regions": regions, "n_pages": len(pages), "version": version, "horizon": horizon}


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("localineq.outputs", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_profiles(
    pages: list[dict[str, Any]], index: Mapping[str, Any], out_dir: str | Path
) -> list[Path]:
    """Write ``<code>.html`` for every page and ``index.html`` into ``out_dir``.

    Files are written only through the templates; the output is byte-identical for the same
    inputs (no timestamps). Returns the paths written, index last.
    """
    out = Path(out_dir)
    with atomic_output(out, directory=True) as tmp:
        written = _render_into(tmp, pages, index)
    return [out / p.name for p in written]


def _render_into(out: Path, pages: list[dict[str, Any]], index: Mapping[str, Any]) -> list[Path]:
    env = _environment()
    page_t = env.get_template("profiles/profile.html.j2")
    css = env.get_template("profiles/style.css.j2").render()
    written = []
    for page in pages:
        path = out / f"{page['code']}.html"
        path.write_text(page_t.render(css=css, **page), encoding="utf-8", newline="\n")
        written.append(path)
    path = out / "index.html"
    index_t = env.get_template("profiles/index.html.j2")
    path.write_text(index_t.render(css=css, **index), encoding="utf-8", newline="\n")
    written.append(path)
    return written
