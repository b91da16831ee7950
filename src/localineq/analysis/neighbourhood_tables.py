r"""Neighbourhoods inside local authorities: the nested profile down to MSOAs and LSOAs, each
authority's internal spread, and the authorities with the widest internal gaps.

Input is the long table of :func:`localineq.data.small_areas.neighbourhood_table` (MSOA income,
Census 2021 LSOA shares) stacked with :func:`localineq.data.small_areas.deprivation_long`
(IoD2019 LSOAs): one row per indicator and neighbourhood with ``value``, ``weight`` and its
``lad23_code``, ``itl3_code``, ``itl2_code``, ``itl1_code``.

The profile (:func:`neighbourhood_profile`) uses :func:`localineq.stats.decomposition.profile`
with neighbourhoods as units: for Theil T, MLD and the variance,

.. math:: I = B_{ITL1} + B_{ITL2} + B_{ITL3} + B_{LA} + W_{LA},

where :math:`W_{LA}` is the spread between neighbourhoods of the same authority. Income estimates
carry sampling error (published 95% limits): the profile shows the observed split, and
:func:`neighbourhood_noise` gives the within-authority share of the signal, net of that noise
(:mod:`localineq.stats.noise_correction`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from localineq.stats.noise_correction import corrected_variance, simex, standard_errors

#: Levels above neighbourhoods, coarsest first.
NEIGHBOURHOOD_LEVELS = ("itl1", "itl2", "itl3", "lad23")
#: Readable names of neighbourhood units.
UNIT_NAMES = {
    "lsoa11": "LSOAs (2011)",
    "lsoa21": "LSOAs (2021)",
    "msoa11": "MSOAs (2011)",
}
#: Labels of the components.
COMPONENT_LABELS = {
    "itl1": "between ITL1 regions",
    "itl2": "between ITL2 areas within ITL1",
    "itl3": "between ITL3 areas within ITL2",
    "lad23": "between LAs within ITL3",
    "within lad23": "between neighbourhoods within LAs",
}
NEIGHBOURHOOD_PROFILE_COLUMNS = [
    "indicator",
    "unit",
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
NOISE_COLUMNS = [
    "indicator",
    "unit",
    "measure",
    "weighting",
    "n_units",
    "n_with_se",
    "correction_method",
    "share_within_observed",
    "share_within_corrected",
    "noise_share_of_within",
]
SPREAD_COLUMNS = [
    "indicator",
    "unit",
    "lad23_code",
    "itl1_code",
    "n_units",
    "mean",
    "p10",
    "p90",
    "p90_p10",
    "theil_t",
    "theil_t_unweighted",
    "rank",
    "n_ranked",
]


def neighbourhood_profile(
    table: pd.DataFrame,
    weight_basis: Mapping[str, str],
    *,
    measures: Sequence[str] = ("theil_t", "theil_l", "variance"),
    levels: Sequence[str] = NEIGHBOURHOOD_LEVELS,
) -> pd.DataFrame:
    r"""Nested decomposition of each indicator over ITL1 → ITL2 → ITL3 → LA → neighbourhood.

    For each indicator, measure and weighting (``weighted``: :math:`w_i = p_i/\sum p` with the
    row's ``weight``; ``unweighted``: :math:`w_i = 1/n`), the components of
    :func:`localineq.stats.decomposition.profile` are listed coarsest first; they add up to
    ``total``, and ``share = value / total``. Units are sorted by ``area_code`` first, so the
    rows of an indicator do not depend on the input order. The log measures are left out for an
    indicator with any :math:`y_i \le 0` (never computed on shifted values).

    Parameters
    ----------
    table
        Long neighbourhood table (see the module docstring).
    weight_basis
        Indicator → words for its weight (e.g. ``"usual residents"``).

    Returns
    -------
    pandas.DataFrame
        :data:`NEIGHBOURHOOD_PROFILE_COLUMNS`, in the indicators' order of appearance.
    """
    from localineq.stats.decomposition import profile

    codes = [f"{level}_code" for level in levels]
    rows = []
    for indicator, part in table.groupby("indicator", sort=False):
        part = part.sort_values("area_code").reset_index(drop=True)
        y = part["value"].to_numpy(dtype="float64")
        positive = bool((y > 0).all())
        for measure in measures:
            if measure in ("theil_t", "theil_l") and not positive:
                continue
            for weighting in ("weighted", "unweighted"):
                result = profile(
                    y,
                    [part[c].to_numpy() for c in codes],
                    weights=part["weight"].to_numpy(dtype="float64")
                    if weighting == "weighted"
                    else None,
                    measure=measure,
                    level_names=list(levels),
                )
                for comp in result.components.itertuples(index=False):
                    rows.append(
                        {
                            "indicator": indicator,
                            "unit": part["unit"].iloc[0],
                            "measure": measure,
                            "weighting": weighting,
                            "weight_basis": weight_basis[indicator]
                            if weighting == "weighted"
                            else "equal",
                            "order": int(comp.level),
                            "level": comp.name,
                            "component": COMPONENT_LABELS.get(comp.name, comp.name),
                            "n_groups": int(comp.n_groups),
                            "n_units": int(result.n),
                            "value": float(comp.component),
                            "share": float(comp.share),
                            "total": float(result.total),
                        }
                    )
    return pd.DataFrame(rows, columns=NEIGHBOURHOOD_PROFILE_COLUMNS)


def internal_spread(table: pd.DataFrame, *, min_units: int = 5) -> pd.DataFrame:
    r"""Each authority's spread between its own neighbourhoods, per indicator, and its rank.

    For the neighbourhoods :math:`i` of authority :math:`a`:

    - ``mean``: :math:`\mu_a = \sum_i p_i y_i / \sum_i p_i` (weighted);
    - ``theil_t``: :math:`T_a = \sum_i w_i (y_i/\mu_a) \ln(y_i/\mu_a)`, :math:`w_i = p_i/\sum p`
      (the authority's own term in the within-LA component of the profile);
      ``theil_t_unweighted`` the same with equal weights;
    - ``p10``, ``p90``: unweighted quantiles (Hyndman–Fan type 1, the neighbourhood values
      themselves) and ``p90_p10`` their ratio.

    ``rank`` orders authorities with at least ``min_units`` neighbourhoods by ``theil_t``,
    1 = widest internal spread (ties share the lower rank); smaller authorities get no rank or
    ratio (NaN), since a handful of areas cannot show a spread. Theil T and the ratio need
    :math:`y > 0`; for other data they are NaN.

    Returns
    -------
    pandas.DataFrame
        :data:`SPREAD_COLUMNS`, sorted by indicator (order of appearance) and ``lad23_code``.
    """
    from localineq.stats.decomposition import decompose
    from localineq.stats.dispersion import weighted_quantile

    frames = []
    for indicator, part in table.groupby("indicator", sort=False):
        part = part.sort_values(["lad23_code", "area_code"]).reset_index(drop=True)
        y = part["value"].to_numpy(dtype="float64")
        positive = bool((y > 0).all())
        groups = part.groupby("lad23_code", sort=True)
        out = groups.agg(
            itl1_code=("itl1_code", "first"), n_units=("area_code", "size")
        ).reset_index()
        out["mean"] = groups.apply(
            lambda g: np.average(g["value"], weights=g["weight"]), include_groups=False
        ).to_numpy(dtype="float64")
        quantiles = np.array(
            [weighted_quantile(g["value"].to_numpy(), [0.1, 0.9]) for _, g in groups]
        )
        out["p10"], out["p90"] = quantiles[:, 0], quantiles[:, 1]
        big = out["n_units"].to_numpy() >= min_units
        if positive:
            weighted = decompose(y, part["lad23_code"], part["weight"], "theil_t").groups
            equal = decompose(y, part["lad23_code"], None, "theil_t").groups
            out["theil_t"] = (
                weighted.set_index("group")["within"].reindex(out["lad23_code"]).to_numpy()
            )
            out["theil_t_unweighted"] = (
                equal.set_index("group")["within"].reindex(out["lad23_code"]).to_numpy()
            )
            out["p90_p10"] = np.where(big, out["p90"] / out["p10"], np.nan)
        else:
            out["theil_t"] = out["theil_t_unweighted"] = out["p90_p10"] = np.nan
        ranked = out["theil_t"].where(big)
        out["rank"] = ranked.rank(ascending=False, method="min")
        out["n_ranked"] = int(ranked.notna().sum())
        frames.append(out.assign(indicator=indicator, unit=part["unit"].iloc[0]))
    return pd.concat(frames, ignore_index=True)[SPREAD_COLUMNS]


def widest_gaps(spread: pd.DataFrame, names: Mapping[str, str], *, n: int = 20) -> pd.DataFrame:
    """The ``n`` authorities with the widest internal spread (Theil T) for each indicator.

    ``names`` maps LAD23 codes to names; rows keep :data:`SPREAD_COLUMNS` with ``lad23_name``
    after the code, ranked 1 … n within each indicator (ranked authorities only).
    """
    ranked = spread[spread["rank"].notna() & (spread["rank"] <= n)]
    order = {k: i for i, k in enumerate(spread["indicator"].drop_duplicates())}
    out = ranked.sort_values(
        ["indicator", "rank", "lad23_code"],
        key=lambda s: s.map(order) if s.name == "indicator" else s,
        kind="stable",
    )
    out = out.copy()
    out.insert(3, "lad23_name", out["lad23_code"].map(dict(names)))
    out["rank"] = out["rank"].astype("int64")
    return out.reset_index(drop=True)


def neighbourhood_noise(
    table: pd.DataFrame,
    *,
    measures: Sequence[str] = ("theil_t", "theil_l", "variance"),
    seed: int = 0,
) -> pd.DataFrame:
    r"""Share of the spread between neighbourhoods that lies inside authorities, net of noise.

    For each indicator whose neighbourhood values carry published 95% limits (``lower_95``,
    ``upper_95``; MSOA income), the split between authorities (all levels above them together)
    and within them is corrected for the sampling error
    :math:`se_i = (u_i - l_i) / (2 \times 1.96)`: in closed form for the variance
    (:func:`~localineq.stats.noise_correction.corrected_variance`), by SIMEX for Theil T and MLD
    (:func:`~localineq.stats.noise_correction.simex`, seeded). The signal's within-authority share
    is :math:`1 - B^{signal}_{LA} / I^{signal}`. Indicators without limits (census counts, which
    are full counts, and IoD2019 scores) have no row. No interval is given: resampling
    neighbourhoods within authorities of about twenty shrinks their within-authority spread and
    biases a bootstrap interval of this share.

    Returns
    -------
    pandas.DataFrame
        :data:`NOISE_COLUMNS`, one row per indicator with limits, measure and weighting.
    """
    rows = []
    for key, part in table.groupby("indicator", sort=False):
        if "lower_95" not in part or part["lower_95"].isna().all():
            continue
        part = part.sort_values("area_code", kind="stable")
        y = part["value"].to_numpy(float)
        se = standard_errors(part["lower_95"], part["upper_95"])
        known = np.isfinite(se)
        se = np.where(known, se, 0.0)  # a value without limits counts as exact (a lower bound)
        groups = part["lad23_code"].to_numpy()
        for measure in measures:
            for weighting in ("weighted", "unweighted"):
                w = part["weight"].to_numpy(float) if weighting == "weighted" else None
                if measure == "variance":
                    split = corrected_variance(y, se, groups, w)
                else:
                    split = simex(y, se, groups, w, measure, seed=seed)
                rows.append(
                    {
                        "indicator": key,
                        "unit": part["unit"].iloc[0],
                        "measure": measure,
                        "weighting": weighting,
                        "n_units": len(part),
                        "n_with_se": int(known.sum()),
                        "correction_method": split.method,
                        "share_within_observed": 1.0 - split.observed_share,
                        "share_within_corrected": 1.0 - split.between_share,
                        "noise_share_of_within": split.noise_share_of_within,
                    }
                )
    return pd.DataFrame(rows, columns=NOISE_COLUMNS)
