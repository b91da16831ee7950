"""Nested localisation profiles: how inequality splits over ITL1 → ITL2 → ITL3 → local
authority (:func:`profile_table`) and, for England's neighbourhoods, over ITL1 → … → LA → LSOA
(:func:`lsoa_profile`). Both use :func:`localineq.stats.decomposition.profile`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from localineq.analysis.area_tables import Specs, analysis_weights, latest_period_rows, period_label
from localineq.analysis.decomposition_tables import weight_basis_of
from localineq.data.neighbourhoods import LSOA_INDICATORS, LSOA_LEVELS

#: Geographic levels of the localisation profile, coarsest first, as columns of the LA table.
PROFILE_LEVELS = ("itl1", "itl2", "itl3")
#: Display names of profile components.
PROFILE_COMPONENT_NAMES = {
    "itl1": "Between ITL1 regions",
    "itl2": "Between ITL2 areas within regions",
    "itl3": "Between ITL3 areas within ITL2",
    "within itl3": "Between local authorities within ITL3",
}


PROFILE_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "measure",
    "weighting",
    "weight_basis",
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

    Uses :func:`localineq.stats.decomposition.profile`: total inequality between local authorities splits
    exactly into a component between ITL1 regions, one between ITL2 areas inside regions, one
    between ITL3 areas inside ITL2, and the rest between LAs inside ITL3. Weighted by the
    indicator's own weight. Indicators analysed on units other than LAD23 (upper-tier
    counties, which can straddle ITL3 boundaries) are left out.

    Parameters
    ----------
    hierarchy
        ``area_code`` and ``<level>_code`` for each level (LAD23 → ITL3/2/1).
    """
    from localineq.stats.decomposition import profile

    codes = [f"{level}_code" for level in levels]
    lookup = hierarchy[["area_code", *codes]].drop_duplicates("area_code")
    rows = []
    for indicator, part in latest_period_rows(frame).groupby("indicator", sort=True):
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
                    "weighting": "weighted" if weighted else "unweighted",
                    "weight_basis": weight_basis_of(spec) if weighted else "equal",
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


#: Readable name of each profile component (``level`` → ``component``).
LSOA_COMPONENT_LABELS = {
    "itl1": "between ITL1 regions",
    "itl2": "between ITL2 areas within ITL1",
    "itl3": "between ITL3 areas within ITL2",
    "lad23": "between LAs within ITL3",
    "within lad23": "between LSOAs within LAs",
}

LSOA_PROFILE_COLUMNS = [
    "indicator",
    "measure",
    "weighting",
    "weight_basis",
    "order",
    "level",
    "component",
    "n_groups",
    "n_units",
    "value",
    "share",
    "total",
]


def lsoa_profile(
    table: pd.DataFrame,
    *,
    indicators: Sequence[str] = tuple(LSOA_INDICATORS),
    measures: Sequence[str] = ("theil_t", "theil_l", "variance"),
    levels: Sequence[str] = LSOA_LEVELS,
) -> pd.DataFrame:
    r"""Nested decomposition of inequality between LSOAs over ITL1 → ITL2 → ITL3 → LA.

    With LSOAs :math:`i` as units (value :math:`y_i`, weight :math:`w_i = p_i/\sum p` or
    :math:`1/n`), :func:`localineq.stats.decomposition.profile` splits each additive measure exactly,

    .. math:: I = B_{ITL1} + B_{ITL2} + B_{ITL3} + B_{LA} + W_{LA},

    where :math:`W_{LA}` (component ``within lad23``) is inequality between LSOAs inside the
    same local authority — the part no LA-level statistic can show. Each indicator is
    analysed population-weighted (File 6, mid-2015) and unweighted.

    **Rule for non-positive values.** Theil T and MLD need :math:`y_i > 0`. An indicator
    with any :math:`y_i \le 0` gets only the variance rows (the log measures are left out,
    never computed on shifted values); IoD2019 has no such LSOA for the IMD score or the
    income rate (minimum 0.003), so all measures are reported for both.

    Returns
    -------
    pandas.DataFrame
        :data:`LSOA_PROFILE_COLUMNS`; ``order`` 0 = ITL1 … 4 = LSOAs within LA, ``level`` its
        name (``itl1`` … ``within lad23``), ``component`` a readable label
        (:data:`LSOA_COMPONENT_LABELS`), ``value`` the level's part of the measure, ``share`` =
        value / total,
        ``n_groups`` the level's number of groups (LSOAs for the last row) and ``n_units``
        the number of LSOAs.
    """
    from localineq.stats.decomposition import profile

    codes = [f"{level}_code" for level in levels]
    table = table.sort_values("lsoa_code").reset_index(drop=True)
    rows = []
    for indicator in indicators:
        y = table[indicator].to_numpy(dtype="float64")
        positive = bool((y > 0).all())
        for measure in measures:
            if measure in ("theil_t", "theil_l") and not positive:
                continue
            for weighting in ("weighted", "unweighted"):
                weights = (
                    table["population"].to_numpy(dtype="float64")
                    if weighting == "weighted"
                    else None
                )
                result = profile(
                    y,
                    [table[c].to_numpy() for c in codes],
                    weights=weights,
                    measure=measure,
                    level_names=list(levels),
                )
                for comp in result.components.itertuples(index=False):
                    rows.append(
                        {
                            "indicator": indicator,
                            "measure": measure,
                            "weighting": weighting,
                            "weight_basis": "population" if weighting == "weighted" else "equal",
                            "order": int(comp.level),
                            "level": comp.name,
                            "component": LSOA_COMPONENT_LABELS.get(comp.name, comp.name),
                            "n_groups": int(comp.n_groups),
                            "n_units": int(result.n),
                            "value": float(comp.component),
                            "share": float(comp.share),
                            "total": float(result.total),
                        }
                    )
    out = pd.DataFrame(rows, columns=LSOA_PROFILE_COLUMNS)
    return out.sort_values(
        ["indicator", "measure", "weighting", "order"], kind="stable"
    ).reset_index(drop=True)
