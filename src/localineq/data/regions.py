"""ONS's own regional rows: the published ITL1 values an ELS file carries beside its LAs.

ELS files publish each English region (E12), Wales (W92), Scotland (S92) and Northern
Ireland (N92) as rows of their own. These are the values the government tracks its missions
by, so the regional lens of the mission scorecard uses them (issue 19). The ITL1 regions of
2021 are exactly these twelve areas (:data:`localineq.data.geography.ITL1_TO_GSS`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from localineq.data.geography import ITL1_TO_GSS
from localineq.data.indicators import select_rows

__all__ = ["REGION_COLUMNS", "published_region_rows"]

#: Columns of the published-regions table (before real terms are added).
REGION_COLUMNS = [
    "itl1_code",
    "itl1_name",
    "region_gss_code",
    "indicator",
    "period",
    "period_label",
    "value",
    "lci_95",
    "uci_95",
]


def published_region_rows(
    tidy: pd.DataFrame,
    key: str,
    spec: Mapping[str, object],
    itl1_names: Mapping[str, str],
) -> pd.DataFrame:
    """The rows of one indicator that ONS publishes for ITL1 regions, keyed by ITL1 code.

    Parameters
    ----------
    tidy : pandas.DataFrame
        :func:`localineq.data.readers.read_els_csv` of the indicator's source (every
        geography).
    key : str
        Indicator name (written to ``indicator``).
    spec : mapping
        The indicator's config (``indicator`` label and ``filter``, as for its LA rows).
    itl1_names : mapping
        ITL1 code → name (the hierarchy's names, so both lenses name a region alike).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REGION_COLUMNS`, sorted by ITL1 code and period; empty (with those
        columns) when the source publishes no regional row.

    Raises
    ------
    ValueError
        If a region is published twice for one period.

    Examples
    --------
    >>> t = pd.DataFrame({"area_code": ["E12000007", "E09000001"], "indicator": "x",
    ...                   "period": "2020", "period_label": "2020", "value": [2.0, 9.0],
    ...                   "lci_95": float("nan"), "uci_95": float("nan")})
    >>> published_region_rows(t, "x", {"indicator": "x", "source": "s"},
    ...                       {"TLI": "London"})[["itl1_code", "value"]].values.tolist()
    [['TLI', 2.0]]
    """
    # Most ELS files key a region by its GSS code, some (GVA) by its ITL1 code.
    to_itl1 = {gss: itl for itl, gss in ITL1_TO_GSS.items()} | {itl: itl for itl in ITL1_TO_GSS}
    rows = select_rows(tidy, key, spec)
    rows = rows[rows["area_code"].isin(to_itl1)]
    out = pd.DataFrame(
        {
            "itl1_code": rows["area_code"].map(to_itl1),
            "region_gss_code": rows["area_code"].map(to_itl1).map(ITL1_TO_GSS),
            "indicator": key,
            "period": rows["period"],
            "period_label": rows["period_label"],
            "value": rows["value"].astype(float),
            "lci_95": rows["lci_95"].astype(float),
            "uci_95": rows["uci_95"].astype(float),
        }
    )
    out["itl1_name"] = out["itl1_code"].map(lambda c: itl1_names.get(c, c))
    # A region published under both codes with one value is one row.
    out = out.drop_duplicates(["itl1_code", "period", "value", "lci_95", "uci_95"])
    twice = out.duplicated(["itl1_code", "period"], keep=False)
    if twice.any():
        first = out[twice].iloc[0]
        raise ValueError(
            f"indicator {key!r}: region {first['region_gss_code']} is published more than once "
            f"for period {first['period']}"
        )
    out = out.sort_values(["itl1_code", "period"], kind="stable").reset_index(drop=True)
    return out[REGION_COLUMNS]
