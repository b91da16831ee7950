"""Citable result tables: decomposition summary, localisation profile, "masked" local
authorities, and each indicator's best and worst local authorities.

All functions are pure: they take tidy pandas tables and return new ones. Inputs follow two
shapes used across the pipeline:

* an **LA table** (``results/tables/la_indicators.csv``): one row per local authority ×
  indicator × period with ``area_code, area_name, itl1_code, itl1_name, indicator, period,
  value`` and a ``weight`` column (the indicator's weight, e.g. resident population; missing
  everywhere for an indicator analysed unweighted);
* a **decomposition table** (``results/tables/decomposition.csv``): one row per indicator ×
  period × measure × weighting with ``between_share`` etc.

``specs`` maps an indicator key to its config entry (``title``, ``unit``,
``higher_is_better``, ``weight``). Polarity matters: for an indicator where lower is better
(e.g. unemployment), the "worst" quintile holds the *highest* values.

Writers :func:`to_markdown` and :func:`to_latex` are deterministic (no dates, fixed number
formats) so reruns give byte-identical files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from localineq.readers import parse_period

Specs = Mapping[str, Mapping[str, Any]]

#: Geographic levels of the localisation profile, coarsest first, as columns of the LA table.
PROFILE_LEVELS = ("itl1", "itl2", "itl3")
#: Display names of profile components.
PROFILE_COMPONENT_NAMES = {
    "itl1": "Between ITL1 regions",
    "itl2": "Between ITL2 areas within regions",
    "itl3": "Between ITL3 areas within ITL2",
    "within itl3": "Between local authorities within ITL3",
}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def period_label(period: str) -> str:
    """Human label of an ISO 8601 period string.

    >>> period_label("2022-04-01/P1Y"), period_label("2020-01-01/P3Y")
    ('2022/23', '2020-2022')
    """
    return parse_period(period).label


def _described(rows: pd.DataFrame, spec: dict, columns: list[str]) -> pd.DataFrame:
    """Rows of one indicator × period with its title, unit and period label, in ``columns``."""
    return rows.assign(
        title=spec["title"],
        unit=spec["unit"],
        period_label=period_label(str(rows["period"].iloc[0])),
    )[columns]


def latest_period(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of each indicator's latest period that has at least one value.

    >>> f = pd.DataFrame({"indicator": ["a", "a", "b"], "period": ["2020", "2021", "2020"],
    ...                   "value": [1.0, float("nan"), 2.0]})
    >>> latest_period(f)[["indicator", "period"]].to_dict("list")
    {'indicator': ['a', 'b'], 'period': ['2020', '2020']}
    """
    present = frame[frame["value"].notna()]
    last = present.groupby("indicator")["period"].max()
    keep = frame["period"].eq(frame["indicator"].map(last))
    return frame[keep & frame["value"].notna()].reset_index(drop=True)


def analysis_weights(frame: pd.DataFrame, weight: str = "weight") -> np.ndarray:
    """Weights of the rows of one indicator × period: the ``weight`` column, or all ones.

    An indicator analysed unweighted carries no weights (column absent or all missing); every
    area then counts equally. Some weights missing is an error, never silently filled.
    """
    if weight not in frame.columns or frame[weight].isna().all():
        return np.ones(len(frame))
    if frame[weight].isna().any():
        missing = frame.loc[frame[weight].isna(), "area_code"].head(5).tolist()
        raise ValueError(f"weights missing for some areas, e.g. {missing}")
    values = frame[weight].to_numpy(dtype="float64")
    if (values < 0).any():
        raise ValueError("negative weights")
    return values


def performance_quintile(values: pd.Series, *, higher_is_better: bool) -> pd.Series:
    """National quintile of each area, 1 = worst fifth … 5 = best fifth (polarity-aware).

    Areas are ranked from worst to best (ties share the lower rank), and quintile
    ``q = ceil(5 · rank / n)``. Missing values get a missing quintile.

    >>> performance_quintile(pd.Series([10, 20, 30, 40, 50]), higher_is_better=True).tolist()
    [1, 2, 3, 4, 5]
    >>> performance_quintile(pd.Series([10, 20, 30, 40, 50]), higher_is_better=False).tolist()
    [5, 4, 3, 2, 1]
    """
    oriented = values if higher_is_better else -values
    rank = oriented.rank(method="min")
    n = int(values.notna().sum())
    quintile = np.ceil(5 * rank / n)
    return quintile.astype("Int64")


def regional_gaps(frame: pd.DataFrame, *, weight: str = "weight") -> pd.DataFrame:
    """Each area's regional (ITL1) and national averages and its gap to its own region.

    Works per ``indicator`` × ``period``. Averages are weighted by :func:`analysis_weights`
    (population-weighted for population-weighted indicators). Areas without a value are
    dropped.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``region_mean``, ``national_mean``, ``gap`` (value −
        region_mean) and ``region_gap`` (region_mean − national_mean).

    Examples
    --------
    >>> f = pd.DataFrame({"indicator": "x", "period": "p", "area_code": list("abcd"),
    ...                   "itl1_code": ["R", "R", "S", "S"], "value": [1.0, 3.0, 5.0, 7.0],
    ...                   "weight": [1.0, 1.0, 1.0, 3.0]})
    >>> regional_gaps(f)[["region_mean", "gap"]].to_dict("list")
    {'region_mean': [2.0, 2.0, 6.5, 6.5], 'gap': [-1.0, 1.0, -1.5, 0.5]}
    """
    parts = []
    for _, part in frame[frame["value"].notna()].groupby(["indicator", "period"], sort=True):
        part = part.copy()
        w = analysis_weights(part, weight)
        part["_w"] = w
        part["_wy"] = w * part["value"].to_numpy(dtype="float64")
        sums = part.groupby("itl1_code")[["_w", "_wy"]].transform("sum")
        part["region_mean"] = sums["_wy"] / sums["_w"]
        part["national_mean"] = part["_wy"].sum() / part["_w"].sum()
        part["gap"] = part["value"] - part["region_mean"]
        part["region_gap"] = part["region_mean"] - part["national_mean"]
        parts.append(part.drop(columns=["_w", "_wy"]))
    if not parts:
        return frame.iloc[0:0].assign(region_mean=[], national_mean=[], gap=[], region_gap=[])
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Masked local authorities; best and worst
# ---------------------------------------------------------------------------------------------
MASKED_COLUMNS = [
    "indicator",
    "title",
    "period",
    "period_label",
    "kind",
    "area_code",
    "area_name",
    "itl1_name",
    "value",
    "quintile",
    "region_mean",
    "national_mean",
    "gap",
    "unit",
]

#: Kinds of masked areas, with a plain-language description.
MASKED_KINDS = {
    "hidden_low": "in the worst national fifth, in a region at or better than the UK average",
    "hidden_high": "in the best national fifth, in a region worse than the UK average",
}


def masked_areas(frame: pd.DataFrame, specs: Specs, *, weight: str = "weight") -> pd.DataFrame:
    """Local authorities whose regional average points the wrong way.

    * ``hidden_low``: in the *worst* national quintile of LAs (polarity-aware) while their
      ITL1 region's average is at or better than the national average;
    * ``hidden_high``: in the *best* national quintile while their region's average is worse
      than the national average.

    Uses each indicator's latest period. Averages are weighted as in :func:`regional_gaps`;
    quintiles count local authorities (each LA one unit).

    Returns
    -------
    pandas.DataFrame
        :data:`MASKED_COLUMNS`, sorted by indicator, kind, and from most to least extreme.
    """
    latest = regional_gaps(latest_period(frame), weight=weight)
    rows = []
    for indicator, part in latest.groupby("indicator", sort=True):
        spec = specs[indicator]
        better = bool(spec["higher_is_better"])
        part = part.assign(quintile=performance_quintile(part["value"], higher_is_better=better))
        sign = 1.0 if better else -1.0
        region_ok = sign * part["region_gap"] >= 0
        hidden_low = part[(part["quintile"] == 1) & region_ok].assign(kind="hidden_low")
        hidden_high = part[(part["quintile"] == 5) & ~region_ok].assign(kind="hidden_high")
        hidden_low = hidden_low.sort_values("value", ascending=better, kind="stable")
        hidden_high = hidden_high.sort_values("value", ascending=not better, kind="stable")
        rows += [
            _described(chosen, spec, MASKED_COLUMNS)
            for chosen in (hidden_low, hidden_high)
            if not chosen.empty
        ]
    if not rows:
        return pd.DataFrame(columns=MASKED_COLUMNS)
    return pd.concat(rows, ignore_index=True)


TOP_BOTTOM_COLUMNS = [
    "indicator",
    "title",
    "period",
    "period_label",
    "group",
    "rank",
    "area_code",
    "area_name",
    "itl1_name",
    "value",
    "unit",
]


def top_bottom(frame: pd.DataFrame, specs: Specs, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` best and ``n`` worst local authorities of each indicator's latest period.

    ``group`` is ``"best"`` or ``"worst"`` (polarity-aware); ``rank`` 1 is the most extreme.
    Ties are broken by area code so the table is stable.

    >>> f = pd.DataFrame({"indicator": "x", "period": "2020-01-01/P1Y", "area_code": list("abc"),
    ...                   "area_name": list("ABC"), "itl1_name": "R", "value": [3.0, 1.0, 2.0]})
    >>> t = top_bottom(f, {"x": {"title": "X", "unit": "u", "higher_is_better": False}}, n=1)
    >>> t[["group", "area_name", "value"]].to_dict("list")
    {'group': ['best', 'worst'], 'area_name': ['B', 'A'], 'value': [1.0, 3.0]}
    """
    latest = latest_period(frame)
    parts = []
    for indicator, part in latest.groupby("indicator", sort=True):
        spec = specs[indicator]
        better = bool(spec["higher_is_better"])
        ordered = part.sort_values(
            ["value", "area_code"], ascending=[not better, True], kind="stable"
        )
        best = ordered.head(n).assign(group="best", rank=np.arange(1, min(n, len(ordered)) + 1))
        worst = ordered.iloc[::-1].head(n)
        worst = worst.assign(group="worst", rank=np.arange(1, len(worst) + 1))
        parts += [_described(chosen, spec, TOP_BOTTOM_COLUMNS) for chosen in (best, worst)]
    if not parts:
        return pd.DataFrame(columns=TOP_BOTTOM_COLUMNS)
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Decomposition summary, uncertainty and profile
# ---------------------------------------------------------------------------------------------
def weighted_label(weightings: Sequence[str], spec: Mapping[str, Any]) -> str | None:
    """Which ``weighting`` value of a decomposition table is the indicator's weighted one.

    The indicator's own ``weight`` if present and not ``"unweighted"``, else ``"population"``,
    else the first non-``"unweighted"`` label (sorted), else ``None``.

    >>> weighted_label(["population", "unweighted"], {"weight": "working_age"})
    'population'
    >>> weighted_label(["unweighted"], {"weight": "unweighted"}) is None
    True
    """
    available = sorted({str(w) for w in weightings} - {"unweighted"})
    own = str(spec.get("weight", ""))
    if own in available:
        return own
    if "population" in available:
        return "population"
    return available[0] if available else None


SUMMARY_COLUMNS = [
    "indicator",
    "title",
    "unit",
    "higher_is_better",
    "period",
    "period_label",
    "measure",
    "n_areas",
    "n_groups",
    "weighting",
    "total",
    "between_share",
    "between_share_lower",
    "between_share_upper",
    "within_share",
    "total_unweighted",
    "between_share_unweighted",
    "between_share_unweighted_lower",
    "between_share_unweighted_upper",
]


def _weighting_class(weighting: str) -> str:
    """``"unweighted"`` or ``"weighted"``: tables label the weighted variant differently
    (``population`` in the decomposition, the weight basis in the uncertainty table)."""
    return "unweighted" if str(weighting) == "unweighted" else "weighted"


def decomposition_summary(
    decomposition: pd.DataFrame,
    specs: Specs,
    *,
    uncertainty: pd.DataFrame | None = None,
    measure: str = "theil_t",
) -> pd.DataFrame:
    """One row per indicator: latest period's between-region share, weighted and unweighted.

    Parameters
    ----------
    decomposition
        Rows of ``results/tables/decomposition.csv`` (ITL1 level).
    specs
        Indicator config entries; indicators absent from ``decomposition`` are skipped.
    uncertainty
        Optional bootstrap table from :func:`uncertainty_table`; its ``between_share`` rows
        supply ``*_lower``/``*_upper``. Missing intervals stay missing.
    measure
        Which measure to summarise.

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS`, in the order of ``specs``. ``total``, ``between_share`` and
        ``within_share = 1 − between_share`` are for the indicator's own weighting, named in
        ``weighting`` (see :func:`weighted_label`; ``"unweighted"`` for an indicator analysed
        unweighted); the ``*_unweighted`` columns treat every LA equally.
    """
    table = decomposition[decomposition["measure"] == measure]
    if "level" in table.columns:
        table = table[table["level"] == "itl1"]
    intervals: dict[tuple[str, str, str], tuple[float, float]] = {}
    if uncertainty is not None and not uncertainty.empty:
        shares = uncertainty[
            (uncertainty["statistic"] == "between_share")
            & (uncertainty["measure"] == measure)
            & (uncertainty["method"] == "bootstrap")
        ]
        for row in shares.itertuples(index=False):
            intervals[(row.indicator, row.period, _weighting_class(row.weighting))] = (
                row.lower,
                row.upper,
            )
    rows = []
    for indicator, spec in specs.items():
        rows_of = table[table["indicator"] == indicator]
        if rows_of.empty:
            continue
        present = rows_of[rows_of["n_areas"] > 0]
        period = str(present["period"].max())
        latest = rows_of[rows_of["period"] == period].set_index("weighting")
        own_unweighted = str(spec.get("weight", "")) == "unweighted"
        weighted = None if own_unweighted else weighted_label(latest.index, spec)
        row: dict[str, Any] = {
            "indicator": indicator,
            "title": spec["title"],
            "unit": spec["unit"],
            "higher_is_better": bool(spec["higher_is_better"]),
            "period": period,
            "period_label": str(latest["period_label"].iloc[0]),
            "measure": measure,
            "n_areas": int(latest["n_areas"].max()),
            "n_groups": int(latest["n_groups"].max()),
            "weighting": weighted if weighted is not None else "unweighted",
        }
        main = weighted if weighted is not None else "unweighted"
        row["total"] = float(latest.loc[main, "total"])
        row["between_share"] = float(latest.loc[main, "between_share"])
        row["between_share_lower"], row["between_share_upper"] = intervals.get(
            (indicator, period, _weighting_class(main)), (math.nan, math.nan)
        )
        row["within_share"] = 1.0 - row["between_share"]
        if "unweighted" in latest.index:
            row["total_unweighted"] = float(latest.loc["unweighted", "total"])
            row["between_share_unweighted"] = float(latest.loc["unweighted", "between_share"])
            lo, hi = intervals.get((indicator, period, "unweighted"), (math.nan, math.nan))
        else:
            row["total_unweighted"] = row["between_share_unweighted"] = math.nan
            lo = hi = math.nan
        row["between_share_unweighted_lower"], row["between_share_unweighted_upper"] = lo, hi
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


UNCERTAINTY_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "level",
    "measure",
    "weighting",
    "method",
    "statistic",
    "estimate",
    "lower",
    "upper",
    "se",
    "bias",
    "ci_level",
    "draws",
    "seed",
    "n_areas",
    "n_uncertain",
    "p_value",
]

#: Methods of :func:`uncertainty_table`: resampling areas within regions, and simulating each
#: area's value from its published 95% interval (sampling error of survey-based estimates).
UNCERTAINTY_METHODS = ("bootstrap", "measurement_error")


def _weighting_name(spec: Mapping[str, Any]) -> str:
    own = str(spec.get("weight", "population"))
    return "population" if own == "unweighted" else own


def _uncertainty_rows(
    part: pd.DataFrame,
    *,
    weights: np.ndarray | None,
    measure: str,
    draws: int,
    seed: int,
    level: float,
    permutations: int,
) -> list[dict[str, Any]]:
    from localineq import inference

    values = part["value"].to_numpy(dtype="float64")
    groups = part["itl1_code"].to_numpy()
    results: list[tuple[str, Any, int]] = [
        (
            "bootstrap",
            inference.bootstrap(
                values,
                groups,
                weights=weights,
                measure=measure,
                draws=draws,
                seed=seed,
                level=level,
            ),
            0,
        )
    ]
    if {"lci_95", "uci_95"} <= set(part.columns):
        lower = part["lci_95"].to_numpy(dtype="float64")
        upper = part["uci_95"].to_numpy(dtype="float64")
        both = np.isfinite(lower) & np.isfinite(upper)
        if both.any():
            # Half-published bounds carry no usable interval: treat the area as exact.
            lower = np.where(both, lower, np.nan)
            upper = np.where(both, upper, np.nan)
            error = inference.measurement_error(
                values,
                lower,
                upper,
                groups,
                weights=weights,
                measure=measure,
                draws=draws,
                seed=seed,
                level=level,
                truncate=True,
            )
            results.append(("measurement_error", error, int(error.n_uncertain)))
    p_value = math.nan
    if permutations > 0:
        test = inference.permutation_test(
            values, groups, weights=weights, measure=measure, permutations=permutations, seed=seed
        )
        p_value = float(test.pvalue)
    rows = []
    for method, result, n_uncertain in results:
        for statistic in ("total", "between", "within", "between_share"):
            ci = result.ci.loc[statistic]
            rows.append(
                {
                    "method": method,
                    "statistic": statistic,
                    "estimate": float(ci["estimate"]),
                    "lower": float(ci["lower"]),
                    "upper": float(ci["upper"]),
                    "se": float(ci["se"]),
                    "bias": float(ci["bias"]),
                    "n_uncertain": n_uncertain,
                    "p_value": p_value
                    if statistic == "between_share" and method == "bootstrap"
                    else math.nan,
                }
            )
    return rows


def uncertainty_table(
    frame: pd.DataFrame,
    specs: Specs,
    *,
    measures: Sequence[str] = ("theil_t",),
    draws: int = 999,
    seed: int = 20240601,
    level: float = 0.95,
    permutations: int = 0,
    weight: str = "weight",
) -> pd.DataFrame:
    """Uncertainty of each indicator's latest between/within decomposition.

    Two methods from :mod:`localineq.inference`, both with ``draws`` replicates and a fixed
    ``seed`` so reruns agree:

    * ``bootstrap`` — local authorities resampled within regions
      (:func:`~localineq.inference.bootstrap`): how much the split depends on which areas
      happen to make up each region;
    * ``measurement_error`` — each LA's value simulated from its published 95% interval
      (:func:`~localineq.inference.measurement_error`, truncated to positive values): the
      sampling error of survey-based estimates. Only when some areas publish intervals.

    Both the weighted variant (the indicator's own weight) and the unweighted one are
    reported. With ``permutations > 0`` the bootstrap's ``between_share`` rows also carry the
    permutation-test p-value of the between component (null: region labels exchangeable).

    Returns
    -------
    pandas.DataFrame
        :data:`UNCERTAINTY_COLUMNS`; one row per indicator × measure × weighting × method ×
        statistic (``total``, ``between``, ``within``, ``between_share``).
    """
    rows: list[dict[str, Any]] = []
    for indicator, part in latest_period(frame).groupby("indicator", sort=True):
        if indicator not in specs:
            continue
        part = part.sort_values("area_code").reset_index(drop=True)
        spec = specs[indicator]
        period = str(part["period"].iloc[0])
        variants: list[tuple[str, np.ndarray | None]] = []
        if str(spec.get("weight", "population")) != "unweighted":
            variants.append((_weighting_name(spec), analysis_weights(part, weight)))
        variants.append(("unweighted", None))
        for weighting, weights in variants:
            for measure in measures:
                common = {
                    "indicator": indicator,
                    "period": period,
                    "period_label": period_label(period),
                    "level": "itl1",
                    "measure": measure,
                    "weighting": weighting,
                    "ci_level": level,
                    "draws": draws,
                    "seed": seed,
                    "n_areas": len(part),
                }
                for row in _uncertainty_rows(
                    part,
                    weights=weights,
                    measure=measure,
                    draws=draws,
                    seed=seed,
                    level=level,
                    permutations=permutations,
                ):
                    rows.append({**common, **row})
    return pd.DataFrame(rows, columns=UNCERTAINTY_COLUMNS)


PROFILE_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "measure",
    "weighting",
    "n_areas",
    "order",
    "component",
    "label",
    "n_groups",
    "value",
    "share",
    "total",
]


def profile_table(
    frame: pd.DataFrame,
    hierarchy: pd.DataFrame,
    specs: Specs,
    *,
    measure: str = "theil_t",
    levels: Sequence[str] = PROFILE_LEVELS,
    weight: str = "weight",
) -> pd.DataFrame:
    """Localisation profile of each indicator's latest period over ITL1 → ITL2 → ITL3 → LA.

    Uses :func:`localineq.measures.profile`: total inequality between local authorities splits
    exactly into a component between ITL1 regions, one between ITL2 areas inside regions, one
    between ITL3 areas inside ITL2, and the rest between LAs inside ITL3. Weighted by the
    indicator's own weight. Indicators analysed on units other than LAD23 (upper-tier
    counties, which can straddle ITL3 boundaries) are left out.

    Parameters
    ----------
    hierarchy
        ``area_code`` and ``<level>_code`` for each level (LAD23 → ITL3/2/1).
    """
    from localineq.measures import profile

    codes = [f"{level}_code" for level in levels]
    lookup = hierarchy[["area_code", *codes]].drop_duplicates("area_code")
    rows = []
    for indicator, part in latest_period(frame).groupby("indicator", sort=True):
        if indicator not in specs:
            continue
        if not set(part["area_code"]) <= set(lookup["area_code"]):
            # Units that are not LAD23s (e.g. upper-tier counties) need not nest in ITL3.
            continue
        spec = specs[indicator]
        part = part.drop(columns=[c for c in codes if c in part.columns])
        part = part.merge(lookup, on="area_code", how="left", validate="one_to_one")
        if part[codes].isna().any().any():
            raise ValueError(f"indicator {indicator!r}: areas missing from the ITL hierarchy")
        part = part.sort_values("area_code").reset_index(drop=True)
        weighted = str(spec.get("weight", "population")) != "unweighted"
        result = profile(
            part["value"].to_numpy(dtype="float64"),
            [part[c].to_numpy() for c in codes],
            weights=analysis_weights(part, weight) if weighted else None,
            measure=measure,
            level_names=list(levels),
        )
        period = str(part["period"].iloc[0])
        for order, comp in enumerate(result.components.itertuples(index=False)):
            rows.append(
                {
                    "indicator": indicator,
                    "period": period,
                    "period_label": period_label(period),
                    "measure": measure,
                    "weighting": _weighting_name(spec) if weighted else "unweighted",
                    "n_areas": len(part),
                    "order": order,
                    "component": comp.name,
                    "label": PROFILE_COMPONENT_NAMES.get(comp.name, comp.name),
                    "n_groups": int(comp.n_groups),
                    "value": float(comp.component),
                    "share": float(comp.share),
                    "total": float(result.total),
                }
            )
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------
def _cell(value: Any, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if abs(int(value)) >= 10000 else str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):,.{decimals}f}"
    return str(value)


def to_markdown(
    frame: pd.DataFrame,
    *,
    decimals: int | Mapping[str, int] = 3,
    headers: Mapping[str, str] | None = None,
) -> str:
    """A GitHub-flavoured Markdown pipe table (numbers right-aligned, fixed decimals).

    >>> print(to_markdown(pd.DataFrame({"a": ["x"], "b": [0.12345]}), decimals=2), end="")
    | a | b |
    |:--|--:|
    | x | 0.12 |
    """
    headers = dict(headers or {})
    columns = list(frame.columns)

    def places(column: str) -> int:
        return decimals.get(column, 3) if isinstance(decimals, Mapping) else decimals

    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in columns
    ]
    head = "| " + " | ".join(headers.get(c, c).replace("|", "\\|") for c in columns) + " |"
    rule = "|" + "|".join("--:" if n else ":--" for n in numeric) + "|"
    lines = [head, rule]
    for row in frame.itertuples(index=False):
        cells = [_cell(v, places(c)).replace("|", "\\|") for c, v in zip(columns, row, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "£": r"\pounds{}",
    "–": "--",
    "−": "$-$",
}


def latex_escape(text: str) -> str:
    r"""Escape LaTeX special characters.

    >>> latex_escape("50% of £_x")
    '50\\% of \\pounds{}\\_x'
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(
    frame: pd.DataFrame,
    *,
    caption: str,
    label: str,
    decimals: int | Mapping[str, int] = 3,
    headers: Mapping[str, str] | None = None,
) -> str:
    """A ``booktabs`` LaTeX table (``table`` float with caption and label), deterministic."""
    headers = dict(headers or {})
    columns = list(frame.columns)

    def places(column: str) -> int:
        return decimals.get(column, 3) if isinstance(decimals, Mapping) else decimals

    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in columns
    ]
    align = "".join("r" if n else "l" for n in numeric)
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{latex_escape(caption)}}}",
        rf"\label{{{label}}}",
        rf"\begin{{tabular}}{{{align}}}",
        r"\toprule",
        " & ".join(latex_escape(headers.get(c, c)) for c in columns) + r" \\",
        r"\midrule",
    ]
    for row in frame.itertuples(index=False):
        cells = [latex_escape(_cell(v, places(c))) for c, v in zip(columns, row, strict=True)]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def format_interval(estimate: float, lower: float, upper: float, *, percent: bool = True) -> str:
    """``"34% (28–41%)"`` style text; the interval is omitted when missing.

    >>> format_interval(0.3412, 0.28, 0.41), format_interval(0.5, float("nan"), float("nan"))
    ('34% (28–41%)', '50%')
    """
    if estimate is None or (isinstance(estimate, float) and math.isnan(estimate)):
        return "–"
    if percent:
        text = f"{100 * estimate:.0f}%"
        if not (math.isnan(lower) or math.isnan(upper)):
            text += f" ({100 * lower:.0f}–{100 * upper:.0f}%)"
        return text
    text = f"{estimate:.3f}"
    if not (math.isnan(lower) or math.isnan(upper)):
        text += f" ({lower:.3f}–{upper:.3f})"
    return text


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """Human-readable version of :func:`decomposition_summary` for Markdown/LaTeX/HTML."""
    return pd.DataFrame(
        {
            "Indicator": summary["title"],
            "Period": summary["period_label"],
            "LAs": summary["n_areas"].astype(int),
            "Between regions (weighted)": [
                format_interval(r.between_share, r.between_share_lower, r.between_share_upper)
                for r in summary.itertuples()
            ],
            "Within regions (weighted)": [
                f"{100 * (1 - r.between_share):.0f}%" for r in summary.itertuples()
            ],
            "Between regions (unweighted)": [
                format_interval(
                    r.between_share_unweighted,
                    r.between_share_unweighted_lower,
                    r.between_share_unweighted_upper,
                )
                for r in summary.itertuples()
            ],
            "Theil T (weighted)": summary["total"].round(5),
        }
    )


# ---------------------------------------------------------------------------------------------
# Reading inputs, writing the citable tables
# ---------------------------------------------------------------------------------------------
def read_indicator_tables(paths: Sequence[str]) -> pd.DataFrame:
    """Stack the analysis-ready exports (``la_indicators.csv``, ``upper_tier_indicators.csv``).

    Codes and periods are read as strings; rows keep the exports' order.
    """
    dtypes = {"area_code": str, "period": str, "indicator": str, "itl1_code": str}
    frames = [pd.read_csv(path, dtype=dtypes) for path in paths]
    frames = [f for f in frames if not f.empty]
    if not frames:
        raise ValueError(f"no indicator rows in {list(paths)}")
    return pd.concat(frames, ignore_index=True)


SUMMARY_CAPTION = (
    "Share of the inequality between local authorities (Theil T, latest period) that lies between "
    "ITL1 regions, weighted by each indicator's own weight and unweighted, with 95% bootstrap "
    "intervals. Source: ONS; Open Government Licence v3.0."
)

MASKED_DISPLAY_HEADERS = {
    "title": "Indicator",
    "period_label": "Period",
    "kind": "Kind",
    "area_name": "Area",
    "itl1_name": "Region",
    "value": "Value",
    "region_mean": "Region average",
    "national_mean": "UK average",
    "unit": "Unit",
}
TOP_BOTTOM_DISPLAY_HEADERS = {
    "title": "Indicator",
    "period_label": "Period",
    "group": "Group",
    "rank": "Rank",
    "area_name": "Area",
    "itl1_name": "Region",
    "value": "Value",
    "unit": "Unit",
}


def write_result_tables(
    *,
    decomposition: pd.DataFrame,
    uncertainty: pd.DataFrame | None,
    indicator_tables: Sequence[str],
    specs: Specs,
    outputs: Mapping[str, str],
    measure: str = "theil_t",
    top_n: int = 5,
) -> dict[str, int]:
    """Write the summary (CSV, Markdown, LaTeX), masked LAs and best/worst LAs (CSV, Markdown).

    ``outputs`` maps ``summary_csv, summary_md, summary_tex, masked_csv, masked_md,
    top_bottom_csv, top_bottom_md`` to paths. Returns the number of rows of each table.
    """
    frame = read_indicator_tables(indicator_tables)
    summary = decomposition_summary(decomposition, specs, uncertainty=uncertainty, measure=measure)
    masked = masked_areas(frame, specs)
    best_worst = top_bottom(frame, specs, n=top_n)
    csv = {"index": False, "float_format": "%.10g", "lineterminator": "\n"}
    summary.to_csv(outputs["summary_csv"], **csv)
    display = summary_display(summary)
    _write_text(outputs["summary_md"], to_markdown(display, decimals={"Theil T (weighted)": 4}))
    _write_text(
        outputs["summary_tex"],
        to_latex(
            display,
            caption=SUMMARY_CAPTION,
            label="tab:decomposition-summary",
            decimals={"Theil T (weighted)": 4},
        ),
    )
    masked.to_csv(outputs["masked_csv"], **csv)
    masked_view = masked.assign(
        kind=masked["kind"].map(
            {"hidden_low": "worst fifth, region ≥ UK", "hidden_high": "best fifth, region < UK"}
        )
    )[list(MASKED_DISPLAY_HEADERS)]
    _write_text(
        outputs["masked_md"],
        to_markdown(masked_view, decimals=2, headers=MASKED_DISPLAY_HEADERS),
    )
    best_worst.to_csv(outputs["top_bottom_csv"], **csv)
    _write_text(
        outputs["top_bottom_md"],
        to_markdown(
            best_worst[list(TOP_BOTTOM_DISPLAY_HEADERS)],
            decimals=2,
            headers=TOP_BOTTOM_DISPLAY_HEADERS,
        ),
    )
    return {"summary": len(summary), "masked": len(masked), "top_bottom": len(best_worst)}


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
