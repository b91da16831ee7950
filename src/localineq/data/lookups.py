"""Readers for geography and neighbourhood files: raw lookups → tidy pandas tables.

* ``read_itl_lookup`` — the LAD23 → LAU1 → ITL3 → ITL2 → ITL1 lookup.
* ``read_topojson_layer`` — one layer of the ELS app's TopoJSON boundaries.
* ``read_code_changes`` and ``read_ltla_lookup`` — LA code changes and the 2014 LTLA lookup.
* ``read_iod_*`` and ``read_mysociety_imd`` — the IoD2019 LSOA files.

The quirk rules and error conventions are those of :mod:`localineq.data.readers`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from localineq.data.readers import (
    DataError,
    check_codes,
    data_error,
    parse_numeric,
    read_csv_text,
    require_columns,
)


def read_itl_lookup(
    path: str | os.PathLike,
    primary_itl3: dict[str, str] | None = None,
    source: str = "lad23_itl_lookup",
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per LAD23 with its ITL3, ITL2 and ITL1 codes and names.

    The lookup is at LAU1 level, and five LADs have LAU1 units in more than one ITL3. Rule
    ``primary ITL3``: such a LAD belongs to the ITL3 holding most of its LAU1 units; a tie
    must be settled by ``primary_itl3`` (LAD code → ITL3 code, from config), else it is an
    error. ``itl3_split`` marks these LADs so results can say so.
    """
    primary_itl3 = primary_itl3 or {}
    raw = read_csv_text(path, source, keep_default_na=True, columns=columns)
    needed = [
        "LAD23CD",
        "LAD23NM",
        "ITL321CD",
        "ITL321NM",
        "ITL221CD",
        "ITL221NM",
        "ITL121CD",
        "ITL121NM",
    ]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise data_error(source, path, ",".join(missing), [1], "missing columns")
    check_codes(raw["LAD23CD"].fillna("").str.strip(), source=source, path=path, column="LAD23CD")
    raw["LAD23CD"] = raw["LAD23CD"].str.strip()
    counts = raw.groupby(["LAD23CD", "ITL321CD"]).size().rename("lau1_units").reset_index()
    counts["top"] = counts.groupby("LAD23CD")["lau1_units"].transform("max")
    best = counts[counts["lau1_units"] == counts["top"]]
    chosen = {}
    for lad, options in best.groupby("LAD23CD")["ITL321CD"]:
        options = sorted(options)
        if len(options) == 1:
            chosen[lad] = options[0]
        elif primary_itl3.get(lad) in options:
            chosen[lad] = primary_itl3[lad]
        else:
            rows = np.flatnonzero((raw["LAD23CD"] == lad).to_numpy()) + 2
            raise data_error(
                source,
                path,
                "ITL321CD",
                rows,
                f"LAD {lad} is split equally between ITL3 {options}; name one in config "
                "geography.primary_itl3",
            )
    n_itl3 = raw.groupby("LAD23CD")["ITL321CD"].nunique()
    rows = raw.drop_duplicates(["LAD23CD", "ITL321CD"]).set_index(["LAD23CD", "ITL321CD"])
    picked = rows.loc[list(chosen.items())].reset_index()
    out = pd.DataFrame(
        {
            "area_code": picked["LAD23CD"],
            "area_name": picked["LAD23NM"],
            "itl3_code": picked["ITL321CD"],
            "itl3_name": picked["ITL321NM"],
            "itl2_code": picked["ITL221CD"],
            "itl2_name": picked["ITL221NM"],
            "itl1_code": picked["ITL121CD"],
            "itl1_name": picked["ITL121NM"],
            "itl3_split": picked["LAD23CD"].map(n_itl3).gt(1).to_numpy(),
        }
    )
    return out.sort_values("area_code").reset_index(drop=True)


def read_topojson_layer(
    path: str | os.PathLike,
    layer: str,
    source: str = "els_boundaries_topojson",
    columns: Sequence[str] = (),
):
    """One layer of a TopoJSON file as a GeoDataFrame in EPSG:4326, with valid geometries.

    The ELS app's ``topo.json`` holds lon/lat coordinates but declares no CRS, so WGS 84
    (EPSG:4326) is set explicitly. A few of its rings self-intersect after TopoJSON
    quantisation; they are repaired with ``shapely.make_valid`` (keeping only the polygonal
    parts) rather than dropped. ``columns`` (the source's declared feature properties) must
    all be present in the layer.
    """
    import geopandas as gpd
    import shapely

    try:
        frame = gpd.read_file(Path(path), layer=layer)
    except Exception as err:  # empty or malformed JSON, missing layer (pyogrio errors)
        raise DataError(
            f"source {source!r}, file {os.fspath(path)}: cannot read TopoJSON layer {layer!r}: "
            f"{type(err).__name__}: {err}"
        ) from err
    require_columns(
        [c for c in frame.columns if c != "geometry"],
        columns,
        source=source,
        path=path,
        where=f"layer {layer!r} feature properties",
    )
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        repaired = shapely.make_valid(frame.geometry[invalid].to_numpy())
        polygonal = [
            shapely.union_all(
                [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            )
            if g.geom_type == "GeometryCollection"
            else g
            for g in repaired
        ]
        frame.loc[invalid, "geometry"] = polygonal
    return frame.drop(columns=[c for c in ("id",) if c in frame.columns])


#: ``type`` values of the ONSvisual code-change file (``input/changes.csv``):
#: ``merger`` (several old areas form one new area), ``new_code`` (same area, new code),
#: ``new_geo`` (a new area: a combined authority, or an LA boundary change with a new code),
#: ``termination`` (the old area ends; no successor, e.g. an abolished county).
CODE_CHANGE_TYPES = frozenset({"merger", "new_code", "new_geo", "termination"})


def read_code_changes(
    path: str | os.PathLike, source: str = "la_code_changes", columns: Sequence[str] = ()
) -> pd.DataFrame:
    """GSS code changes from the ONSvisual ``changes.csv`` (``oldcd,oldnm,newcd,newnm,type,start``).

    Columns out: ``old_code, old_name, new_code, new_name, type, start`` (``new_code`` is
    missing for a ``termination``; ``start`` is the year the change took effect). A ``type``
    outside :data:`CODE_CHANGE_TYPES` or a non-integer ``start`` is an error naming the rows:
    a new vintage of the file must be read by a person before it changes results.
    """
    raw = read_csv_text(path, source, columns=columns)
    needed = ["oldcd", "oldnm", "newcd", "newnm", "type", "start"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing columns; found {list(raw.columns)}"
        )
    check_codes(raw["oldcd"].str.strip(), source=source, path=path, column="oldcd")
    check_codes(
        raw["newcd"].str.strip(), source=source, path=path, column="newcd", allow_empty=True
    )
    unknown = ~raw["type"].str.strip().isin(CODE_CHANGE_TYPES)
    if unknown.any():
        raise data_error(
            source,
            path,
            "type",
            np.flatnonzero(unknown.to_numpy()) + 2,
            f"unknown change type(s) {sorted(set(raw.loc[unknown, 'type']))}; known: "
            f"{sorted(CODE_CHANGE_TYPES)}",
        )
    start = pd.to_numeric(raw["start"].str.strip(), errors="coerce")
    if start.isna().any():
        raise data_error(
            source, path, "start", np.flatnonzero(start.isna().to_numpy()) + 2, "not a year"
        )
    blank_new = raw["newcd"].str.strip().eq("") & raw["type"].ne("termination")
    if blank_new.any():
        raise data_error(
            source,
            path,
            "newcd",
            np.flatnonzero(blank_new.to_numpy()) + 2,
            "only a 'termination' may lack a new code",
        )
    return pd.DataFrame(
        {
            "old_code": raw["oldcd"].str.strip(),
            "old_name": raw["oldnm"].str.strip(),
            "new_code": raw["newcd"].str.strip().replace("", pd.NA),
            "new_name": raw["newnm"].str.strip().replace("", pd.NA),
            "type": raw["type"].str.strip(),
            "start": start.astype("int64"),
        }
    )


def read_ltla_lookup(
    path: str | os.PathLike, source: str = "ltla_lookup_2014", columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Lower-tier LA → county → region → country, from the ONSvisual ``ltla14-lookup.csv``.

    The file lists every lower-tier LA code in use since 2014 (not those created from 2019
    on); ``ctycd`` is blank where the LA is not a district of a two-tier county. Columns out:
    ``ltla_code, ltla_name, county_code, county_name, region_code, region_name, country_code``.
    A repeated LA code is an error.
    """
    raw = read_csv_text(path, source, columns=columns)
    needed = ["ltlacd", "ltlanm", "ctycd", "ctynm", "rgncd", "rgnnm", "ctrycd"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing columns; found {list(raw.columns)}"
        )
    for column in ("ltlacd", "ctycd", "rgncd", "ctrycd"):
        check_codes(
            raw[column].str.strip(),
            source=source,
            path=path,
            column=column,
            allow_empty=column != "ltlacd",
        )
    repeated = raw["ltlacd"].duplicated(keep=False)
    if repeated.any():
        raise data_error(
            source, path, "ltlacd", np.flatnonzero(repeated.to_numpy()) + 2, "repeated LA code"
        )
    blank = {"": pd.NA}
    return pd.DataFrame(
        {
            "ltla_code": raw["ltlacd"].str.strip(),
            "ltla_name": raw["ltlanm"].str.strip(),
            "county_code": raw["ctycd"].str.strip().replace(blank),
            "county_name": raw["ctynm"].str.strip().replace(blank),
            "region_code": raw["rgncd"].str.strip().replace(blank),
            "region_name": raw["rgnnm"].str.strip().replace(blank),
            "country_code": raw["ctrycd"].str.strip().replace(blank),
        }
    )


def read_iod_population(
    path: str | os.PathLike,
    source: str = "imd2019_file6",
    columns: Sequence[str] = (),
    changes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mid-2015 population of each local authority (2019 codes) from IoD2019 File 6.

    File 6 gives population denominators for every LSOA (2011) with its LA (2019 code);
    the LA's population is the sum over its LSOAs (totals exclude prisoners, as published).
    This is the only pinned source of population for LA codes that no longer exist (e.g. the
    Cumbrian, North Yorkshire and Somerset districts merged in 2023), and so weights the old
    areas when a series is merged onto 2023 codes (:mod:`localineq.data.harmonise`).

    With ``changes`` (:func:`read_code_changes`), the districts merged into a 2019 code are
    added too (:func:`_merged_districts`), so that series still published on them can be
    merged.

    Columns out: ``area_code, area_name, year`` (2015), ``population, population_0_15``.
    """
    raw = read_csv_text(path, source, columns=columns)
    code, name = "Local Authority District code (2019)", "Local Authority District name (2019)"
    total = "Total population: mid 2015 (excluding prisoners)"
    children = "Dependent Children aged 0-15: mid 2015 (excluding prisoners)"
    missing = [c for c in (code, name, total, children) if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing columns; found {list(raw.columns)}"
        )
    check_codes(raw[code].str.strip(), source=source, path=path, column=code)
    numbers = pd.DataFrame(
        {
            "area_code": raw[code].str.strip(),
            "area_name": raw[name].str.strip(),
            "population": parse_numeric(raw[total], source=source, path=path, column=total),
            "population_0_15": parse_numeric(
                raw[children], source=source, path=path, column=children
            ),
        }
    )
    absent = numbers[["population", "population_0_15"]].isna().any(axis=1)
    if absent.any():
        raise data_error(
            source,
            path,
            total,
            np.flatnonzero(absent.to_numpy()) + 2,
            "LSOA population missing; an LA total would be a partial sum",
        )
    summed = numbers.groupby(["area_code", "area_name"], as_index=False)[
        ["population", "population_0_15"]
    ].sum()
    if changes is not None:
        require_columns(raw.columns, ["LSOA name (2011)"], source=source, path=path)
        lsoa_names = raw["LSOA name (2011)"].str.strip()
        merged = _merged_districts(numbers, lsoa_names, changes, source=source, path=path)
        summed = pd.concat([summed, merged], ignore_index=True)
    summed.insert(2, "year", 2015)
    return summed.sort_values("area_code").reset_index(drop=True)


def _merged_districts(
    numbers: pd.DataFrame,
    lsoa_names: pd.Series,
    changes: pd.DataFrame,
    *,
    source: str,
    path: str | os.PathLike,
) -> pd.DataFrame:
    """Population of districts merged into a 2019 code, from the LSOAs (2011) they named.

    An LSOA (2011) is named after the district it lay in in 2011 plus a number and letter
    (``Christchurch 002A``), and districts merged whole, so the population of an old
    district *d* merged into the 2019 code *c* is the sum over the LSOAs of *c* whose name,
    without its last word, is *d*'s name in the change file. Every LSOA of *c* must belong to
    exactly one of its old districts, or the names disagree and this is an error.
    """
    present = set(numbers["area_code"])
    rows = changes[
        changes["type"].isin(["merger", "new_code"])
        & changes["new_code"].isin(present)
        & ~changes["old_code"].isin(present)
    ]
    district = lsoa_names.str.rsplit(" ", n=1).str[0]
    parts = []
    for new_code, group in rows.groupby("new_code", sort=True):
        inside = numbers["area_code"].eq(new_code).to_numpy()
        names = district[inside]
        unmatched = sorted(set(names) - set(group["old_name"]))
        if unmatched or names.isin(group["old_name"]).sum() != inside.sum():
            raise data_error(
                source,
                path,
                "LSOA name (2011)",
                np.flatnonzero(inside)[:5] + 2,
                f"LSOAs of {new_code} named after {unmatched}, not one of its old districts "
                f"{sorted(group['old_name'])} in the code-change file",
            )
        for old_code, old_name in zip(group["old_code"], group["old_name"], strict=True):
            mine = numbers[inside][(names == old_name).to_numpy()]
            parts.append(
                {
                    "area_code": old_code,
                    "area_name": old_name,
                    "population": mine["population"].sum(),
                    "population_0_15": mine["population_0_15"].sum(),
                }
            )
    columns = ["area_code", "area_name", "population", "population_0_15"]
    return pd.DataFrame(parts, columns=columns)


def _iod_lsoa_columns(
    path: str | os.PathLike,
    source: str,
    columns: dict[str, str],
    declared: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an IoD2019 LSOA export; return the raw text and the renamed ``columns``.

    A missing column, a blank or repeated LSOA code is an error naming the file rows.
    """
    raw = read_csv_text(path, source, columns=declared)
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing columns; found {list(raw.columns)}"
        )
    out = pd.DataFrame({new: raw[old].str.strip() for old, new in columns.items()})
    lsoa_column = next(iter(columns))
    blank = out["lsoa_code"].eq("")
    if blank.any():
        raise data_error(
            source, path, lsoa_column, np.flatnonzero(blank.to_numpy()) + 2, "blank LSOA code"
        )
    for old, new in columns.items():
        if new in ("lsoa_code", "lad19_code"):
            check_codes(out[new], source=source, path=path, column=old)
    repeated = out["lsoa_code"].duplicated(keep=False)
    if repeated.any():
        raise data_error(
            source,
            path,
            lsoa_column,
            np.flatnonzero(repeated.to_numpy()) + 2,
            f"repeated LSOA code(s) {sorted(set(out.loc[repeated, 'lsoa_code']))[:3]}",
        )
    return raw, out


def read_iod_lsoa_lookup(
    path: str | os.PathLike, source: str = "imd2019_file1", columns: Sequence[str] = ()
) -> pd.DataFrame:
    """LSOA (2011) → local authority (2019 code) from IoD2019 File 1.

    Columns out: ``lsoa_code, lsoa_name, lad19_code, lad19_name``, one row per LSOA (a
    repeated LSOA code is an error naming the rows).
    """
    _, out = _iod_lsoa_columns(
        path,
        source,
        {
            "LSOA code (2011)": "lsoa_code",
            "LSOA name (2011)": "lsoa_name",
            "Local Authority District code (2019)": "lad19_code",
            "Local Authority District name (2019)": "lad19_name",
        },
        columns,
    )
    return out.sort_values("lsoa_code").reset_index(drop=True)


def read_iod_lsoa_population(
    path: str | os.PathLike, source: str = "imd2019_file6", columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Mid-2015 population of each LSOA (2011) from IoD2019 File 6 (excluding prisoners).

    Columns out: ``lsoa_code, lad19_code, population``, one row per LSOA. A population that
    is missing, not a number or not positive is an error naming the rows.
    """
    total = "Total population: mid 2015 (excluding prisoners)"
    raw, out = _iod_lsoa_columns(
        path,
        source,
        {
            "LSOA code (2011)": "lsoa_code",
            "Local Authority District code (2019)": "lad19_code",
            total: "population",
        },
        columns,
    )
    population = parse_numeric(raw[total], source=source, path=path, column=total)
    bad = population.isna() | ~(population > 0)
    if bad.any():
        raise data_error(
            source, path, total, np.flatnonzero(bad.to_numpy()) + 2, "missing or non-positive"
        )
    out["population"] = population
    return out.sort_values("lsoa_code").reset_index(drop=True)


def read_mysociety_imd(
    path: str | os.PathLike, source: str = "imd2019_scores_mysociety", columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Official England IoD2019 LSOA scores from mySociety's ``UK_IMD_E.csv``.

    The file (``composite_uk_imd``) has one row per small area of all four nations; only rows
    with ``nation == "E"`` carry the official English Index of Multiple Deprivation score
    (``overall_local_score``) and the income and employment domain *rates* multiplied by 100
    (``income_score``, ``employment_score``: % of residents income- or employment-deprived).
    Columns out (England only, one row per LSOA 2011): ``lsoa_code, imd_score, income_rate,
    employment_rate``, the rates as proportions: ``rate = score / 100`` rounded to 6 decimals
    (removing the float noise of the ×100 copy, e.g. ``56.89999999999999`` → ``0.569``).
    A missing or non-numeric value is an error naming the rows.
    """
    columns = {
        "lsoa": "lsoa_code",
        "nation": "nation",
        "overall_local_score": "imd_score",
        "income_score": "income_rate",
        "employment_score": "employment_rate",
    }
    raw = read_csv_text(path, source, columns=columns)
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing columns; found {list(raw.columns)}"
        )
    england = raw["nation"].str.strip().eq("E").to_numpy()
    rows = pd.Series(np.flatnonzero(england) + 2)
    part = raw[england].reset_index(drop=True)
    out = pd.DataFrame({"lsoa_code": part["lsoa"].str.strip()})
    # Only England's rows are used; the other nations' small-area codes are not GSS codes.
    check_codes(out["lsoa_code"], source=source, path=path, column="lsoa", lines=rows)
    for old in ("overall_local_score", "income_score", "employment_score"):
        numbers = parse_numeric(part[old], source=source, path=path, column=old, rows=rows)
        if numbers.isna().any():
            raise data_error(
                source, path, old, rows[numbers.isna()].tolist(), "missing value for an LSOA"
            )
        out[columns[old]] = numbers if old == "overall_local_score" else (numbers / 100).round(6)
    repeated = out["lsoa_code"].duplicated(keep=False)
    if repeated.any():
        raise data_error(
            source, path, "lsoa", rows[repeated].tolist(), "repeated LSOA code among nation E"
        )
    return out.sort_values("lsoa_code").reset_index(drop=True)
