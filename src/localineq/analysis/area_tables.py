"""Area-level result tables: each indicator's latest period, regional gaps, local authorities
that regional averages misrepresent ("masked"), and the best and worst local authorities.

Inputs are **LA tables** (``results/tables/la_indicators.csv``): one row per local authority ×
indicator × period with ``area_code, area_name, itl1_code, itl1_name, indicator, period,
value`` and a ``weight`` column (the indicator's weight; missing everywhere for an indicator
analysed unweighted). ``specs`` maps an indicator key to its config entry (``title``,
``unit``, ``higher_is_better``, ``weight``). Polarity matters: for an indicator where lower is
better (e.g. unemployment), the "worst" quintile holds the *highest* values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from localineq.data.indicators import EXPORT_DTYPES
from localineq.data.intermediates import read_csv
from localineq.data.readers import parse_period
from localineq.policy.compare import (
    rows_decimals,
    se_from_interval,
    significant_difference,
)
from localineq.policy.periods import latest_period
from localineq.policy.reference import group_reference, reference_label

Specs = Mapping[str, Mapping[str, Any]]
#: A reference statistic for every indicator (``"mean"`` or ``"median"``), or one for all.
References = Mapping[str, str] | str


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


def latest_period_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of each indicator's latest period that has at least one value.

    The latest period is :func:`~localineq.policy.periods.latest_period` of the periods
    with a value: the one with the latest last day.

    >>> y20, y21 = "2020-01-01/P1Y", "2021-01-01/P1Y"
    >>> f = pd.DataFrame({"indicator": ["a", "a", "b"], "period": [y20, y21, y20],
    ...                   "value": [1.0, float("nan"), 2.0]})
    >>> latest_period_rows(f)[["indicator", "period"]].to_dict("list")
    {'indicator': ['a', 'b'], 'period': ['2020-01-01/P1Y', '2020-01-01/P1Y']}
    """
    present = frame[frame["value"].notna()]
    last = present.groupby("indicator")["period"].agg(latest_period)
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


def _reference_of(references: References, indicator: str) -> str:
    return references if isinstance(references, str) else references.get(indicator, "mean")


def regional_gaps(
    frame: pd.DataFrame, *, weight: str = "weight", reference: References = "mean"
) -> pd.DataFrame:
    """Each area's regional (ITL1) and national references and its gap to its own region.

    Works per ``indicator`` × ``period``. Means are weighted by :func:`analysis_weights`
    (population-weighted for population-weighted indicators). ``reference`` chooses, per
    indicator, the point gaps are measured from: the weighted mean or the weighted median
    (:func:`localineq.policy.reference.group_reference`), which a few extreme areas cannot
    pull. Areas without a value are dropped.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``region_mean``, ``national_mean`` (weighted means),
        ``region_reference``, ``national_reference`` (the chosen reference), ``reference``
        (its name), ``gap`` (value − region_reference) and ``region_gap``
        (region_reference − national_reference).

    Examples
    --------
    >>> f = pd.DataFrame({"indicator": "x", "period": "p", "area_code": list("abcd"),
    ...                   "itl1_code": ["R", "R", "S", "S"], "value": [1.0, 3.0, 5.0, 7.0],
    ...                   "weight": [1.0, 1.0, 1.0, 3.0]})
    >>> regional_gaps(f)[["region_mean", "gap"]].to_dict("list")
    {'region_mean': [2.0, 2.0, 6.5, 6.5], 'gap': [-1.0, 1.0, -1.5, 0.5]}
    >>> regional_gaps(f, reference="median")[["region_reference", "gap"]].to_dict("list")
    {'region_reference': [1.0, 1.0, 7.0, 7.0], 'gap': [0.0, 2.0, -2.0, 0.0]}
    """
    parts = []
    for (indicator, _), part in frame[frame["value"].notna()].groupby(
        ["indicator", "period"], sort=True
    ):
        part = part.copy()
        w = analysis_weights(part, weight)
        part["_w"] = w
        part["_wy"] = w * part["value"].to_numpy(dtype="float64")
        sums = part.groupby("itl1_code")[["_w", "_wy"]].transform("sum")
        part["region_mean"] = sums["_wy"] / sums["_w"]
        part["national_mean"] = part["_wy"].sum() / part["_w"].sum()
        method = _reference_of(reference, str(indicator))
        weights = pd.Series(w, index=part.index)
        part["region_reference"] = group_reference(
            part["value"], part["itl1_code"], weights, method
        )
        part["national_reference"] = group_reference(part["value"], None, weights, method)
        weighted = not (weight not in part.columns or part[weight].isna().all())
        part["reference"] = reference_label(method, weighted=weighted)
        part["gap"] = part["value"] - part["region_reference"]
        part["region_gap"] = part["region_reference"] - part["national_reference"]
        parts.append(part.drop(columns=["_w", "_wy"]))
    if not parts:
        empty = ["region_mean", "national_mean", "region_reference", "national_reference"]
        return frame.iloc[0:0].assign(**{c: [] for c in empty}, reference=[], gap=[], region_gap=[])
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
    "lower",
    "upper",
    "quintile",
    "region_mean",
    "national_mean",
    "reference",
    "region_reference",
    "national_reference",
    "gap",
    "significant",
    "evidence",
    "persistence",
    "periods_checked",
    "unit",
]

#: Kinds of masked areas, with a plain-language description.
MASKED_KINDS = {
    "hidden_low": "in the worst national fifth, in a region at or better than the UK reference",
    "hidden_high": "in the best national fifth, in a region worse than the UK reference",
}


def _masked_in_period(part: pd.DataFrame, better: bool) -> pd.DataFrame:
    """Masked rows of one indicator × period (output of :func:`regional_gaps`), with kind."""
    part = part.assign(quintile=performance_quintile(part["value"], higher_is_better=better))
    sign = 1.0 if better else -1.0
    region_ok = sign * part["region_gap"] >= 0
    hidden_low = part[(part["quintile"] == 1) & region_ok].assign(kind="hidden_low")
    hidden_high = part[(part["quintile"] == 5) & ~region_ok].assign(kind="hidden_high")
    return pd.concat([hidden_low, hidden_high])


def masked_areas(
    frame: pd.DataFrame,
    specs: Specs,
    *,
    weight: str = "weight",
    reference: References = "mean",
    persistence_periods: int = 5,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Local authorities whose regional average points the wrong way, with the evidence.

    * ``hidden_low``: in the *worst* national quintile of LAs (polarity-aware) while their
      ITL1 region's reference is at or better than the national reference;
    * ``hidden_high``: in the *best* national quintile while their region's reference is
      worse than the national reference.

    Uses each indicator's latest period; references as in :func:`regional_gaps` (the
    ``reference`` column names the one used); quintiles count local authorities.

    Evidence columns:

    * ``significant``: the authority's published 95% interval excludes its region's
      reference, i.e. :math:`|y - R_g| > z_{0.975}\,se` with :math:`se` from the interval
      (:func:`localineq.policy.compare.significant_difference`, the reference treated as
      fixed), decided at the published precision (an interval that touches the reference
      does not exclude it); ``False`` where no interval is published;
    * ``evidence``: ``interval`` or ``not published``;
    * ``persistence``: in how many of the indicator's last ``persistence_periods`` periods
      with values (``periods_checked``, fewer if the series is shorter) the authority was
      masked in the same way.

    Returns
    -------
    pandas.DataFrame
        :data:`MASKED_COLUMNS`, sorted by indicator and kind, then significant first, most
        persistent first, and from most to least extreme.
    """
    if persistence_periods < 1:
        raise ValueError("persistence_periods must be >= 1")
    present = frame[frame["value"].notna()]
    rows = []
    for indicator, ind in present.groupby("indicator", sort=True):
        spec = specs[indicator]
        better = bool(spec["higher_is_better"])
        periods = sorted(ind["period"].unique())[-persistence_periods:]
        gaps = regional_gaps(ind[ind["period"].isin(periods)], weight=weight, reference=reference)
        history = pd.concat(
            [_masked_in_period(p, better) for _, p in gaps.groupby("period", sort=True)]
        )
        counts = history.groupby(["area_code", "kind"]).size()
        latest = history[history["period"] == periods[-1]].copy()
        if latest.empty:
            continue
        lower = latest["lci_95"] if "lci_95" in latest else pd.Series(np.nan, latest.index)
        upper = latest["uci_95"] if "uci_95" in latest else pd.Series(np.nan, latest.index)
        se = se_from_interval(lower, upper, level)
        latest["lower"], latest["upper"] = lower, upper
        latest["significant"] = significant_difference(
            latest["value"],
            se,
            latest["region_reference"],
            0.0,
            level,
            decimals=rows_decimals(ind),
        )
        latest["evidence"] = np.where(np.isfinite(se), "interval", "not published")
        latest["persistence"] = [
            counts[(a, k)] for a, k in zip(latest["area_code"], latest["kind"], strict=True)
        ]
        latest["periods_checked"] = len(periods)
        latest["_o"] = latest["value"] * (1.0 if better else -1.0)
        for kind in MASKED_KINDS:
            chosen = latest[latest["kind"] == kind]
            ascending = kind == "hidden_low"
            chosen = chosen.sort_values(
                ["significant", "persistence", "_o"],
                ascending=[False, False, ascending],
                kind="stable",
            )
            if not chosen.empty:
                rows.append(_described(chosen, spec, MASKED_COLUMNS))
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
    latest = latest_period_rows(frame)
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


def read_indicator_tables(paths: Sequence[str]) -> pd.DataFrame:
    """Stack the analysis-ready exports (``la_indicators.csv``, ``upper_tier_indicators.csv``).

    Text columns are read as strings and measurements as floats, so one indicator's rows read
    alone (``data/processed/exports/<key>.csv``) parse exactly as they do within the whole
    table; rows keep the exports' order.
    """
    frames = [read_csv(path, dtype=EXPORT_DTYPES) for path in paths]
    frames = [f for f in frames if not f.empty]
    if not frames:
        raise ValueError(f"no indicator rows in {list(paths)}")
    return pd.concat(frames, ignore_index=True)


NATION_SETS = {"EWSN": "UK", "EWS": "GB", "EW": "England and Wales", "E": "England"}


def coverage_label(nations: str, n_regions: int | None = None) -> str:
    """Which nations an indicator covers, and how many ITL1 regions, for labels and captions.

    >>> coverage_label("EWSN", 12), coverage_label("E", 9), coverage_label("ES")
    ('UK, 12 regions', 'England, 9 regions', 'E+S')
    """
    name = NATION_SETS.get(str(nations), "+".join(str(nations)))
    return name if n_regions is None else f"{name}, {int(n_regions)} regions"
