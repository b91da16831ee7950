"""The report's neighbourhood paragraph: per indicator, how much of the spread between
neighbourhoods lies inside local authorities, the authorities with the widest internal gaps
(:mod:`localineq.analysis.neighbourhood_tables` computes both), and how much of it is sampling
noise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from localineq.analysis.neighbourhood_tables import UNIT_NAMES

__all__ = ["DEPRIVATION_NAMES", "neighbourhood_rows", "noise_sentences"]

#: Names of the IoD2019 indicators in the neighbourhood profile (the others come from config).
DEPRIVATION_NAMES = {"imd_score": "IMD 2019 score", "income_rate": "Income-deprivation rate"}


def neighbourhood_rows(
    profile: pd.DataFrame | None,
    widest: pd.DataFrame | None,
    specs: Mapping[str, Mapping[str, Any]],
    *,
    n_widest: int = 3,
) -> list[dict[str, Any]]:
    """One row per indicator of the neighbourhood profile: its units and the share of the
    spread between neighbourhoods that lies inside local authorities (the ``within lad23``
    component), by measure and weighting, plus the authorities with the widest internal gaps."""
    if profile is None or profile.empty:
        return []
    within = profile[profile["level"] == "within lad23"]
    rows = []
    for indicator, part in within.groupby("indicator", sort=False):
        share = part.set_index(["measure", "weighting"])["share"]

        def pct(measure: str, weighting: str, share=share) -> str:
            key = (measure, weighting)
            return f"{100 * share[key]:.0f}%" if key in share.index else "–"

        names = []
        if widest is not None and not widest.empty:
            top = widest[widest["indicator"] == indicator].sort_values("rank").head(n_widest)
            names = [str(x) for x in top["lad23_name"]]
        spec = specs.get(indicator, {})
        rows.append(
            {
                "indicator": indicator,
                "name": spec.get("short", DEPRIVATION_NAMES.get(indicator, indicator)),
                "units": f"{int(part['n_units'].iloc[0]):,} {UNIT_NAMES.get(part['unit'].iloc[0], '')}",
                "weight": str(
                    part.loc[part["weighting"] == "weighted", "weight_basis"].iloc[0]
                    if (part["weighting"] == "weighted").any()
                    else ""
                ),
                "theil_t": pct("theil_t", "weighted"),
                "theil_t_unweighted": pct("theil_t", "unweighted"),
                "mld": pct("theil_l", "weighted"),
                "variance": pct("variance", "weighted"),
                "widest": names,
            }
        )
    return rows


def noise_sentences(
    noise: pd.DataFrame | None, specs: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """One report sentence per indicator of :func:`neighbourhood_noise` (Theil T, weighted):
    how much of its within-authority spread is sampling noise, and the share net of it.

    >>> noise = pd.DataFrame({"indicator": ["inc"], "measure": ["theil_t"],
    ...     "weighting": ["weighted"], "share_within_observed": [0.531],
    ...     "share_within_corrected": [0.486], "noise_share_of_within": [0.173]})
    >>> noise_sentences(noise, {"inc": {"short": "Income"}})[0]  # doctest: +ELLIPSIS
    'Income: 17% of the spread inside authorities is sampling noise; net of it, 49% ...'
    """
    if noise is None or noise.empty:
        return []
    main = noise[(noise["measure"] == "theil_t") & (noise["weighting"] == "weighted")]
    return [
        f"{specs.get(r.indicator, {}).get('short', r.indicator)}: "
        f"{100 * r.noise_share_of_within:.0f}% of the spread inside authorities is sampling "
        f"noise; net of it, {100 * r.share_within_corrected:.0f}% of the spread between "
        f"neighbourhoods lies inside authorities (observed {100 * r.share_within_observed:.0f}%)"
        for r in main.itertuples(index=False)
    ]
