"""The geographic hierarchy: which codes are local authorities, and how they nest.

LSOA ⊂ LA (LAD23) ⊂ ITL3 ⊂ ITL2 ⊂ ITL1 region ⊂ UK. Local-authority districts are recognised
by their GSS code prefix, never by the free-text ``geography`` label, which ONS files use
inconsistently (a unitary authority appears both as "County or Unitary Authority" and as
"Local Authority District").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from localineq.data.atomic import atomic_output

if TYPE_CHECKING:  # only for annotations: geopandas is slow to import
    import geopandas as gpd

#: GSS prefixes of lower-tier local authorities: English unitary authorities (E06),
#: non-metropolitan districts (E07), metropolitan districts (E08), London boroughs (E09),
#: Welsh unitary authorities (W06), Scottish council areas (S12), NI districts (N09).
LA_CODE_PREFIXES = ("E06", "E07", "E08", "E09", "W06", "S12", "N09")


def is_la_code(codes: pd.Series) -> pd.Series:
    """True where a GSS code is a lower-tier local authority (see :data:`LA_CODE_PREFIXES`).

    >>> is_la_code(pd.Series(["E06000001", "E10000002", "S12000017", "E12000001"])).tolist()
    [True, False, True, False]
    """
    return codes.str[:3].isin(LA_CODE_PREFIXES)


def select_local_authorities(frame: pd.DataFrame, code_column: str = "area_code") -> pd.DataFrame:
    """Rows whose code is a lower-tier local authority, whatever their geography label."""
    return frame[is_la_code(frame[code_column])].copy()


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
        raise ValueError(
            f"ltla layer: LAD23 codes without a polygon {missing[:5]}, repeated {repeated[:5]}"
        )
    shapes = current[["areacd", "geometry"]].rename(columns={"areacd": "area_code"})
    return shapes.merge(hierarchy, on="area_code", validate="one_to_one").sort_values("area_code")


def dissolve_regions(lad, level: str = "itl1"):
    """Polygons of a coarser level (``itl1``, ``itl2``, ``itl3``) dissolved from LAD polygons."""
    columns = [f"{level}_code", f"{level}_name"]
    return lad[columns + ["geometry"]].dissolve(by=columns, as_index=False).sort_values(columns[0])


def unit_polygons(lad: gpd.GeoDataFrame, members: pd.DataFrame) -> gpd.GeoDataFrame:
    """Polygons of units of analysis dissolved from their member LAD23s.

    ``members`` maps ``area_code`` (LAD23) → ``unit_code``; LADs absent from it stay
    themselves. Used for indicators published for upper-tier areas (counties) or combined
    areas (e.g. Cornwall with the Isles of Scilly).
    """
    unit = lad["area_code"].map(members.set_index("area_code")["unit_code"])
    joined = lad.assign(area_code=unit.fillna(lad["area_code"]))
    keep = ["area_code", "itl1_code", "geometry"]
    return joined[keep].dissolve(by=["area_code", "itl1_code"], as_index=False)


#: ITL1 (2021) code → the matching GSS region/country code. The nine English ITL1 regions
#: are the former Government Office Regions (E12); Wales, Scotland and Northern Ireland are
#: whole countries. Names are checked against ONS files in the tests.
ITL1_TO_GSS = {
    "TLC": "E12000001",  # North East
    "TLD": "E12000002",  # North West
    "TLE": "E12000003",  # Yorkshire and The Humber
    "TLF": "E12000004",  # East Midlands
    "TLG": "E12000005",  # West Midlands
    "TLH": "E12000006",  # East of England
    "TLI": "E12000007",  # London
    "TLJ": "E12000008",  # South East
    "TLK": "E12000009",  # South West
    "TLL": "W92000004",  # Wales
    "TLM": "S92000003",  # Scotland
    "TLN": "N92000002",  # Northern Ireland
}

#: Unit of analysis labels written into outputs.
UNIT_LAD23 = "LAD23"
UNIT_UPPER_TIER = "UTLA23 (England) + LAD23 (Wales, Scotland, NI)"


def lad23_to_upper_tier(
    hierarchy: pd.DataFrame, ltla_lookup: pd.DataFrame, changes: pd.DataFrame
) -> pd.DataFrame:
    """The upper-tier area (UTLA, April 2023) of every LAD23.

    Rule ``county of a district``: an English non-metropolitan district (E07) belongs to its
    county (E10) as given by the LTLA lookup; a district created after the lookup's vintage
    (e.g. East Suffolk E07000244) takes the county shared by the districts it was formed
    from (``changes``, type ``merger``), which must be a single county. Every other LAD23
    (unitary, metropolitan, London borough, Welsh, Scottish, NI) is its own upper tier.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (LAD23), ``unit_code``, ``unit_name`` (county name or the LAD's name).

    Raises
    ------
    ValueError
        If a district's county cannot be found or is ambiguous.
    """
    county = ltla_lookup.set_index("ltla_code")["county_code"].dropna()
    county_name = (
        ltla_lookup.dropna(subset=["county_code"])
        .drop_duplicates("county_code")
        .set_index("county_code")["county_name"]
    )
    predecessors = changes.dropna(subset=["new_code"]).groupby("new_code")["old_code"].apply(list)
    units, names = [], []
    for code, name in zip(hierarchy["area_code"], hierarchy["area_name"], strict=True):
        if not code.startswith("E07"):
            units.append(code)
            names.append(name)
            continue
        if code in county.index:
            found = {county[code]}
        else:
            found = {county[old] for old in predecessors.get(code, []) if old in county.index}
        if len(found) != 1:
            raise ValueError(
                f"district {code} ({name}): county not found in the LTLA lookup or via its "
                f"predecessors in the code-change file (found {sorted(found)})"
            )
        (unit,) = found
        units.append(unit)
        names.append(county_name[unit])
    return pd.DataFrame(
        {"area_code": hierarchy["area_code"].to_numpy(), "unit_code": units, "unit_name": names}
    )


def unit_hierarchy(members: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """One row per unit of analysis with the ITL codes its member LAD23s share.

    ``members`` maps ``area_code`` (LAD23) → ``unit_code, unit_name``. A unit's ITL1 region
    is that of its member LADs, which must agree (a county never crosses a region); its ITL2
    and ITL3 are given only when all members agree, else left missing.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (= unit code), ``area_name``, ``itl3_code``, ``itl2_code``,
        ``itl1_code``, ``itl1_name``, ``n_lad23`` (member count).
    """
    joined = members.merge(
        hierarchy.drop(columns="area_name"), on="area_code", how="left", validate="one_to_one"
    )
    if joined["itl1_code"].isna().any():
        unknown = joined.loc[joined["itl1_code"].isna(), "area_code"].tolist()
        raise ValueError(f"unit members not in the LAD23 hierarchy: {unknown[:5]}")
    # observed=True: aggregates over the units present, as iterating over groups gives (pandas
    # 2 would add empty categories of a categorical key).
    grouped = joined.groupby(["unit_code", "unit_name"], sort=True, observed=True)
    if grouped.ngroups == 0:
        return pd.DataFrame([])
    distinct = grouped[["itl3_code", "itl2_code", "itl1_code"]].nunique()
    # Each unit's first member row as it stands (a missing code included), which first()
    # would skip over.
    first = (
        joined.drop_duplicates(["unit_code", "unit_name"])
        .set_index(["unit_code", "unit_name"])
        .reindex(distinct.index)
    )
    spanning = distinct["itl1_code"] != 1
    if spanning.any():
        unit, name = distinct.index[spanning.to_numpy().argmax()]
        regions = joined.loc[
            (joined["unit_code"] == unit) & (joined["unit_name"] == name), "itl1_code"
        ]
        raise ValueError(f"unit {unit} ({name}) spans ITL1 regions {sorted(regions.unique())}")
    # Lists of Python objects with pd.NA, so that pandas infers the columns' dtypes as it
    # would for the same values given row by row.
    single = {
        level: [
            code if agree else pd.NA
            for code, agree in zip(
                first[level].tolist(), (distinct[level] == 1).tolist(), strict=True
            )
        ]
        for level in ("itl3_code", "itl2_code")
    }
    return pd.DataFrame(
        {
            "area_code": distinct.index.get_level_values("unit_code").tolist(),
            "area_name": distinct.index.get_level_values("unit_name").tolist(),
            **single,
            "itl1_code": first["itl1_code"].tolist(),
            "itl1_name": first["itl1_name"].tolist(),
            "n_lad23": grouped.size().tolist(),
        }
    )


#: Written as the GeoPackage's ``gpkg_contents.last_change`` instead of the time of writing
#: (GDAL's ``OGR_CURRENT_DATE``), so that the same layers give a byte-identical file.
GPKG_FIXED_DATE = "2000-01-01T00:00:00.000Z"


def write_geopackage(layers: Mapping[str, object], path: str | os.PathLike) -> None:
    """Write GeoDataFrames as the layers of a new GeoPackage, byte-identical across runs.

    GDAL stamps each layer's ``last_change`` with the current time; here it is
    :data:`GPKG_FIXED_DATE`. An existing file at ``path`` is replaced, never appended to.
    """
    import pyogrio

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_FIXED_DATE})
    try:
        # All layers go into one temporary file, renamed onto ``path`` once complete.
        with atomic_output(path) as tmp:
            for name, frame in layers.items():
                frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
