"""The geographic hierarchy: which codes are local authorities, and how they nest.

LSOA ⊂ LA (LAD23) ⊂ ITL3 ⊂ ITL2 ⊂ ITL1 region ⊂ UK. Local-authority districts are recognised
by their GSS code prefix, never by the free-text ``geography`` label, which ONS files use
inconsistently (a unitary authority appears both as "County or Unitary Authority" and as
"Local Authority District").
"""

from __future__ import annotations

import pandas as pd

#: GSS prefixes of lower-tier local authorities: English unitary authorities (E06),
#: non-metropolitan districts (E07), metropolitan districts (E08), London boroughs (E09),
#: Welsh unitary authorities (W06), Scottish council areas (S12), NI districts (N09).
LA_CODE_PREFIXES = ("E06", "E07", "E08", "E09", "W06", "S12", "N09")

#: Nation of a GSS code, from its first letter.
NATION_BY_LETTER = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


def is_la_code(codes: pd.Series) -> pd.Series:
    """True where a GSS code is a lower-tier local authority (see :data:`LA_CODE_PREFIXES`).

    >>> is_la_code(pd.Series(["E06000001", "E10000002", "S12000017", "E12000001"])).tolist()
    [True, False, True, False]
    """
    return codes.str[:3].isin(LA_CODE_PREFIXES)


def select_local_authorities(frame: pd.DataFrame, code_column: str = "area_code") -> pd.DataFrame:
    """Rows whose code is a lower-tier local authority, whatever their geography label."""
    return frame[is_la_code(frame[code_column])].copy()


def nation_of(codes: pd.Series) -> pd.Series:
    """Nation name from a GSS code's first letter.

    >>> nation_of(pd.Series(["W06000001", "N09000003"])).tolist()
    ['Wales', 'Northern Ireland']
    """
    return codes.str[0].map(NATION_BY_LETTER)


def attach_hierarchy(frame: pd.DataFrame, hierarchy: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Join ITL3/ITL2/ITL1 columns onto LA rows; every LA code must be in the hierarchy.

    Raises
    ------
    ValueError
        Naming the source and the codes absent from the LAD23 hierarchy (older LA codes must
        be harmonised first).
    """
    unknown = sorted(set(frame["area_code"]) - set(hierarchy["area_code"]))
    if unknown:
        raise ValueError(
            f"source {source!r}: {len(unknown)} LA code(s) are not LAD23 codes, e.g. {unknown[:5]}; "
            "harmonise them to 2023 codes first"
        )
    columns = [c for c in hierarchy.columns if c != "area_name"]
    return frame.merge(hierarchy[columns], on="area_code", how="left", validate="many_to_one")


def lad23_boundaries(ltla, hierarchy: pd.DataFrame):
    """LAD23 polygons with the ITL hierarchy, from a TopoJSON ``ltla`` layer of all vintages.

    The layer holds every LA since 2017 with ``start``/``end`` years; the LAD23 set is taken
    from the hierarchy (by code), and every LAD23 must have exactly one polygon.
    """
    current = ltla[ltla["areacd"].isin(set(hierarchy["area_code"]))]
    counts = current["areacd"].value_counts()
    missing = sorted(set(hierarchy["area_code"]) - set(counts.index))
    repeated = sorted(counts[counts > 1].index)
    if missing or repeated:
        raise ValueError(f"ltla layer: LAD23 codes without a polygon {missing[:5]}, repeated {repeated[:5]}")
    shapes = current[["areacd", "geometry"]].rename(columns={"areacd": "area_code"})
    return shapes.merge(hierarchy, on="area_code", validate="one_to_one").sort_values("area_code")


def dissolve_regions(lad, level: str = "itl1"):
    """Polygons of a coarser level (``itl1``, ``itl2``, ``itl3``) dissolved from LAD polygons."""
    columns = [f"{level}_code", f"{level}_name"]
    return lad[columns + ["geometry"]].dissolve(by=columns, as_index=False).sort_values(columns[0])
