"""From a source's tidy table to one indicator's LA rows on LAD23 codes."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from localineq.geography import attach_hierarchy, select_local_authorities

INDICATOR_COLUMNS = [
    "area_code", "area_name", "indicator", "period", "period_label", "reference_year",
    "value", "lci_95", "uci_95", "itl3_code", "itl2_code", "itl1_code", "itl1_name",
]


def prepare_indicator(
    tidy: pd.DataFrame, key: str, spec: Mapping[str, object], hierarchy: pd.DataFrame
) -> pd.DataFrame:
    """Select one indicator's local-authority rows and attach the ITL hierarchy.

    Rows are chosen by the source's ``indicator`` label and by LA code prefix. Duplicate
    area × period rows are an error (they would double-count an area).
    """
    rows = tidy[tidy["indicator"] == spec["indicator"]]
    if rows.empty:
        labels = sorted(tidy["indicator"].unique())
        raise ValueError(
            f"indicator {key!r}: source {spec['source']!r} has no rows labelled "
            f"{spec['indicator']!r}; labels present: {labels}"
        )
    la = select_local_authorities(rows)
    duplicated = la.duplicated(["area_code", "period"], keep=False)
    if duplicated.any():
        examples = la.loc[duplicated, ["area_code", "period"]].head(3).to_dict("records")
        raise ValueError(f"indicator {key!r}: repeated area × period rows, e.g. {examples}")
    la = attach_hierarchy(la, hierarchy, source=str(spec["source"]))
    la["indicator"] = key
    return la[INDICATOR_COLUMNS].sort_values(["period", "area_code"]).reset_index(drop=True)
