r"""Neighbourhoods of England and Wales below local authorities: MSOA income, Census 2021 LSOAs.

Three kinds of raw file are read here, each without unpacking anything into the repository:

* ONS *income estimates for small areas*, financial year ending 2020
  (:func:`read_small_area_income`): one sheet per income measure, a title block above the
  header row (located by its content, the cell ``MSOA code``), mean household income with its
  upper and lower 95% limits for the 7,201 MSOAs (2011) of England and Wales, and the MSOA's
  local authority on pre-2019 codes;
* Census 2021 Nomis bulk zips (:func:`read_census_zip_member`): one CSV per geography inside the
  zip, read straight from the archive with :mod:`zipfile`;
* ONS best-fit lookups LSOA (2021) → ward → LAD (2023) (:func:`read_lsoa21_lookup`) and MSOA
  (2011) → MSOA (2021) → LAD (2022) (:func:`read_msoa_lookup`).

:func:`neighbourhood_table` turns them into one long table, one row per indicator and
neighbourhood with its LAD23 and that LAD23's primary ITL3/ITL2/ITL1, a value, a weight and (for
income) the published 95% limits. Placement in LAD23 is exact:

* an LSOA (2021) takes the LAD23 of the lookup (every LSOA21 lies in one LAD23);
* an income MSOA takes its own LA code, first through the pre-2018 GSS recodes of
  ``config.yaml: harmonisation.recodes`` (shared with the LA harmonisation) and then through the whole-district mergers
  of ``changes.csv`` up to the target year (:func:`msoa_lad23`); recodes dated after it (e.g.
  Barnsley and Sheffield) never apply.

Weights. A census share :math:`y_i = \sum_{c \in C} n_{ic} / N_i` is weighted by the table's own
total :math:`N_i` (usual residents, or residents aged 16+). Income has no household count: an
MSOA (2011) :math:`m` is weighted by Census 2021 usual residents,
:math:`p_m = \sum_{r \in L(m)} R_r / |L^{-1}(r)|`, where :math:`L(m)` are the MSOAs (2021) the
best-fit lookup links to :math:`m` and :math:`|L^{-1}(r)|` the number of MSOAs (2011) linked to
:math:`r` (:func:`msoa11_residents`): an unchanged or split MSOA gets its 2021 residents, merged
ones share theirs equally, and the weights add up to the residents of England and Wales.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from localineq.data.neighbourhoods import NeighbourhoodError, lad19_to_lad23
from localineq.data.readers import (
    DataError,
    check_codes,
    data_error,
    parse_numeric,
    read_csv_text,
    read_sheet_raw,
    require_columns,
)

#: MSOAs (2011) of England and Wales in the income estimates.
N_MSOA11 = 7_201
#: LSOAs (2021) of England and Wales.
N_LSOA21 = 35_672
#: Columns of :func:`neighbourhood_table` (and ``data/processed/neighbourhoods.parquet``).
NEIGHBOURHOOD_COLUMNS = [
    "indicator",
    "unit",
    "area_code",
    "area_name",
    "la_code_published",
    "lad23_code",
    "itl3_code",
    "itl2_code",
    "itl1_code",
    "value",
    "weight",
    "lower_95",
    "upper_95",
]
#: Header cells of an income sheet that every sheet must have.
INCOME_ID_COLUMNS = {"MSOA code": "msoa11_code", "MSOA name": "msoa11_name"}
INCOME_LA_COLUMN = "Local authority code"


def _shown(items: Iterable, n: int = 5) -> str:
    items = list(items)
    return ", ".join(str(x) for x in items[:n]) + (" …" if len(items) > n else "")


# ---------------------------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------------------------
def find_header_row(
    raw: pd.DataFrame, first_cell: str, *, source: str, path: Any, sheet: str
) -> int:
    """Position of the (only) row whose first non-empty cell is ``first_cell``.

    ONS workbooks put a title block of varying height above the table; the header is found by
    its content, never by a fixed offset.

    >>> raw = pd.DataFrame([["Title", None], [None, None], ["MSOA code", "x"], ["E02000001", 1]])
    >>> find_header_row(raw, "MSOA code", source="s", path="f.xlsx", sheet="Sheet")
    2
    """
    first = raw.apply(
        lambda row: next((str(v).strip() for v in row if pd.notna(v) and str(v).strip()), ""),
        axis=1,
    )
    hits = np.flatnonzero(first.to_numpy() == first_cell)
    if len(hits) != 1:
        raise DataError(
            f"source {source!r}, file {os.fspath(path)}, sheet {sheet!r}: expected one header row "
            f"starting with {first_cell!r}, found {len(hits)} (rows {_shown(hits + 1)})"
        )
    return int(hits[0])


def read_small_area_income(
    path: str | os.PathLike,
    sheet: str,
    source: str = "small_area_income_fye2020",
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """One sheet of the ONS small-area income estimates as a tidy table.

    The header row is located by content (:func:`find_header_row`); columns are found by their
    header text: ``MSOA code``, ``MSOA name``, ``Local authority code``, the estimate (the one
    header ending in ``(£)`` that is not a limit or the interval width), ``Upper confidence
    limit (£)`` and ``Lower confidence limit (£)``. Rows below the header that are entirely
    empty are skipped; any other row must carry a well-formed MSOA code.

    Returns
    -------
    pandas.DataFrame
        ``msoa11_code, msoa11_name, la_code, value, lower_95, upper_95`` (£ per year, as
        published: rounded to £100), in file order.

    Raises
    ------
    DataError
        Naming the source, file, sheet/column and rows when a column is missing, a code is
        malformed or repeated, a number is not a number, or a limit does not bracket the
        estimate (``lower_95 <= value <= upper_95``).
    """
    where = f"{os.fspath(path)} [{sheet}]"
    raw = read_sheet_raw(path, sheet, source)
    head = find_header_row(raw, "MSOA code", source=source, path=path, sheet=sheet)
    header = [str(v).strip() if pd.notna(v) else "" for v in raw.iloc[head]]
    require_columns(header, columns, source=source, path=where, where=f"header (row {head + 1})")
    body = raw.iloc[head + 1 :].reset_index(drop=True)
    body.columns = range(body.shape[1])
    excel_rows = pd.Series(np.arange(len(body)) + head + 2)
    empty = body.isna().all(axis=1).to_numpy()
    body, excel_rows = (
        body[~empty].reset_index(drop=True),
        excel_rows[~empty].reset_index(drop=True),
    )

    def column(test, what: str) -> int:
        found = [i for i, h in enumerate(header) if test(h)]
        if len(found) != 1:
            raise data_error(
                source,
                where,
                what,
                [head + 1],
                f"expected one such column, found {len(found)} in header {header}",
            )
        return found[0]

    limit_words = ("upper confidence limit", "lower confidence limit", "confidence interval")
    cols = {
        "msoa11_code": column(lambda h: h == "MSOA code", "MSOA code"),
        "msoa11_name": column(lambda h: h == "MSOA name", "MSOA name"),
        "la_code": column(lambda h: h == INCOME_LA_COLUMN, INCOME_LA_COLUMN),
        "value": column(
            lambda h: h.endswith("(£)") and not h.lower().startswith(limit_words), "estimate (£)"
        ),
        "upper_95": column(
            lambda h: h.lower().startswith("upper confidence limit"), "Upper confidence limit"
        ),
        "lower_95": column(
            lambda h: h.lower().startswith("lower confidence limit"), "Lower confidence limit"
        ),
    }
    out = pd.DataFrame(
        {
            k: body[cols[k]].astype("string").str.strip()
            for k in ("msoa11_code", "msoa11_name", "la_code")
        }
    )
    for name in ("msoa11_code", "la_code"):
        check_codes(
            out[name], source=source, path=where, column=header[cols[name]], lines=excel_rows
        )
    repeated = out["msoa11_code"].duplicated(keep=False).to_numpy()
    if repeated.any():
        raise data_error(source, where, "MSOA code", excel_rows[repeated], "repeated MSOA code(s)")
    for name in ("value", "lower_95", "upper_95"):
        out[name] = parse_numeric(
            body[cols[name]], source=source, path=where, column=header[cols[name]], rows=excel_rows
        )
        missing = out[name].isna().to_numpy()
        if missing.any():
            raise data_error(
                source, where, header[cols[name]], excel_rows[missing], "missing estimate or limit"
            )
    outside = ~((out["lower_95"] <= out["value"]) & (out["value"] <= out["upper_95"])).to_numpy()
    if outside.any():
        raise data_error(
            source,
            where,
            header[cols["value"]],
            excel_rows[outside],
            "the 95% limits do not bracket the estimate",
        )
    return out[["msoa11_code", "msoa11_name", "la_code", "value", "lower_95", "upper_95"]]


def read_census_zip_member(
    path: str | os.PathLike, geography: str, source: str, columns: Sequence[str] = ()
) -> pd.DataFrame:
    """One geography's CSV from a Census 2021 Nomis bulk zip, read inside the archive.

    The member is the one whose name ends in ``-<geography>.csv`` (e.g. ``lsoa``, ``msoa``).
    Columns ``date, geography, geography code`` are followed by counts named
    ``<table title>: <category>``; the title prefix is cut off so that categories keep their
    own label (``Bad health``, ``L13 Routine occupations``).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name`` and one float column per category, in file order; the
        table's total is the category whose label starts with ``Total``.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.endswith(f"-{geography}.csv")]
            if len(members) != 1:
                raise DataError(
                    f"source {source!r}, file {os.fspath(path)}: expected one member ending in "
                    f"'-{geography}.csv', found {members}"
                )
            text = archive.read(members[0]).decode("utf-8-sig")
    except zipfile.BadZipFile as err:
        raise DataError(f"source {source!r}, file {os.fspath(path)}: not a zip ({err})") from err
    where = f"{os.fspath(path)} [{members[0]}]"
    raw = read_csv_text(io.StringIO(text), source)
    require_columns(raw.columns, columns, source=source, path=where)
    needed = ["geography", "geography code"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise data_error(
            source, where, ",".join(missing), [1], f"missing; found {list(raw.columns)}"
        )
    out = pd.DataFrame(
        {"area_code": raw["geography code"].str.strip(), "area_name": raw["geography"].str.strip()}
    )
    check_codes(out["area_code"], source=source, path=where, column="geography code")
    repeated = out["area_code"].duplicated(keep=False).to_numpy()
    if repeated.any():
        raise data_error(
            source, where, "geography code", np.flatnonzero(repeated) + 2, "repeated area code(s)"
        )
    for column in raw.columns:
        if column in ("date", *needed):
            continue
        label = column.split(": ", 1)[1] if ": " in column else column
        out[label] = parse_numeric(raw[column], source=source, path=where, column=column)
        if out[label].isna().any():
            raise data_error(
                source,
                where,
                column,
                np.flatnonzero(out[label].isna().to_numpy()) + 2,
                "missing count",
            )
    return out


def read_lsoa21_lookup(
    path: str | os.PathLike, source: str = "lsoa21_lad23_lookup", columns: Sequence[str] = ()
) -> pd.DataFrame:
    """LSOA (2021) → LAD (2023) from ONS's best-fit ward lookup: ``lsoa21_code, lsoa21_name,
    lad23_code, lad23_name``; a repeated LSOA or malformed code is an error naming the lines."""
    raw = read_csv_text(path, source)
    require_columns(raw.columns, columns, source=source, path=path)
    needed = ["LSOA21CD", "LSOA21NM", "LAD23CD", "LAD23NM"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing; found {list(raw.columns)}"
        )
    out = pd.DataFrame(
        {
            "lsoa21_code": raw["LSOA21CD"].str.strip(),
            "lsoa21_name": raw["LSOA21NM"].str.strip(),
            "lad23_code": raw["LAD23CD"].str.strip(),
            "lad23_name": raw["LAD23NM"].str.strip(),
        }
    )
    for column, name in (("lsoa21_code", "LSOA21CD"), ("lad23_code", "LAD23CD")):
        check_codes(out[column], source=source, path=path, column=name)
    repeated = out["lsoa21_code"].duplicated(keep=False).to_numpy()
    if repeated.any():
        raise data_error(source, path, "LSOA21CD", np.flatnonzero(repeated) + 2, "repeated LSOA")
    return out


def read_msoa_lookup(
    path: str | os.PathLike,
    source: str = "msoa11_msoa21_lad22_lookup",
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """MSOA (2011) → MSOA (2021) → LAD (2022), best fit: ``msoa11_code, msoa21_code,
    lad22_code, change`` (``CHNGIND``: U unchanged, S split, M merged, X complex); one row per
    link, a repeated link is an error."""
    raw = read_csv_text(path, source)
    require_columns(raw.columns, columns, source=source, path=path)
    needed = ["MSOA11CD", "MSOA21CD", "LAD22CD", "CHNGIND"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing; found {list(raw.columns)}"
        )
    out = pd.DataFrame(
        {
            "msoa11_code": raw["MSOA11CD"].str.strip(),
            "msoa21_code": raw["MSOA21CD"].str.strip(),
            "lad22_code": raw["LAD22CD"].str.strip(),
            "change": raw["CHNGIND"].str.strip(),
        }
    )
    for column, name in (
        ("msoa11_code", "MSOA11CD"),
        ("msoa21_code", "MSOA21CD"),
        ("lad22_code", "LAD22CD"),
    ):
        check_codes(out[column], source=source, path=path, column=name)
    repeated = out.duplicated(["msoa11_code", "msoa21_code"], keep=False).to_numpy()
    if repeated.any():
        raise data_error(
            source, path, "MSOA11CD,MSOA21CD", np.flatnonzero(repeated) + 2, "repeated link"
        )
    return out


# ---------------------------------------------------------------------------------------------
# placement and weights
# ---------------------------------------------------------------------------------------------
def msoa_lad23(
    la_codes: Iterable[str],
    recodes: Mapping[str, str],
    changes: pd.DataFrame,
    lad23_codes: Iterable[str],
    *,
    target_year: int = 2023,
    source: str = "small_area_income_fye2020",
) -> dict[str, str]:
    """Map the income file's LA codes onto LAD23: pre-2018 recodes, then whole-district mergers.

    :math:`c \\mapsto M(R(c))` where :math:`R` replaces the pre-2018 codes
    (``recodes``, ``config.yaml: harmonisation.recodes``; identity otherwise) and :math:`M` is :func:`lad19_to_lad23` over the rows of
    ``changes`` with ``start <= target_year``. Later changes (new codes for Barnsley and
    Sheffield) are therefore ignored, and the targets are the LAD23 codes themselves.

    Examples
    --------
    >>> ch = pd.DataFrame({"old_code": ["E07000004", "E08000016"],
    ...                    "new_code": ["E06000060", "E08000038"],
    ...                    "type": ["merger", "new_code"], "start": [2020, 2025]})
    >>> msoa_lad23(["E06000048", "E07000004", "E08000016"], {"E06000048": "E06000057"}, ch,
    ...            ["E06000057", "E06000060", "E08000016"])
    {'E06000048': 'E06000057', 'E07000004': 'E06000060', 'E08000016': 'E08000016'}
    """
    codes = sorted(set(la_codes))
    recoded = {c: recodes.get(c, c) for c in codes}
    onward = lad19_to_lad23(
        recoded.values(), changes, lad23_codes, target_year=target_year, source=source
    )
    return {c: onward[recoded[c]] for c in codes}


def msoa11_residents(lookup: pd.DataFrame, msoa21_residents: pd.Series) -> pd.Series:
    r"""Census 2021 usual residents of each MSOA (2011) through the best-fit lookup.

    :math:`p_m = \sum_{r \in L(m)} R_r / |L^{-1}(r)|`: each MSOA21's residents :math:`R_r` are
    shared equally among the MSOA11s linked to it. The weights add up to :math:`\sum_r R_r`
    when every MSOA21 is linked.

    >>> lk = pd.DataFrame({"msoa11_code": ["a", "b", "c", "c"], "msoa21_code": ["x", "x", "y", "z"]})
    >>> msoa11_residents(lk, pd.Series({"x": 10.0, "y": 3.0, "z": 4.0})).to_dict()
    {'a': 5.0, 'b': 5.0, 'c': 7.0}
    """
    missing = sorted(set(lookup["msoa21_code"]) - set(msoa21_residents.index))
    if missing:
        raise NeighbourhoodError(
            f"MSOA (2021) code(s) {_shown(missing)} of the MSOA lookup have no residents in the "
            "census table"
        )
    links = lookup["msoa21_code"].map(lookup["msoa21_code"].value_counts())
    share = lookup["msoa21_code"].map(msoa21_residents) / links
    return share.groupby(lookup["msoa11_code"]).sum().astype("float64")


def census_share(table: pd.DataFrame, categories: Sequence[str], *, source: str) -> pd.DataFrame:
    r"""Share of a census table's total in some categories: :math:`y = \sum_{c} n_c / N`.

    Each entry of ``categories`` must match the start of exactly one category label; the total
    is the one label starting with ``Total``. Returns ``area_code, area_name, value, weight``
    (weight :math:`N`); an area with :math:`N = 0` is an error.
    """
    labels = [c for c in table.columns if c not in ("area_code", "area_name")]
    totals = [c for c in labels if c.startswith("Total")]
    if len(totals) != 1:
        raise NeighbourhoodError(f"source {source!r}: expected one 'Total' column, found {totals}")
    chosen = []
    for prefix in categories:
        found = [c for c in labels if c.startswith(prefix) and c not in totals]
        if len(found) != 1:
            raise NeighbourhoodError(
                f"source {source!r}: category {prefix!r} matches {len(found)} columns "
                f"({found}); columns: {labels}"
            )
        chosen.append(found[0])
    total = table[totals[0]].to_numpy(dtype="float64")
    if (total <= 0).any():
        raise NeighbourhoodError(
            f"source {source!r}, column {totals[0]!r}: zero total for "
            f"{_shown(table.loc[total <= 0, 'area_code'])}"
        )
    return pd.DataFrame(
        {
            "area_code": table["area_code"],
            "area_name": table["area_name"],
            "value": table[chosen].sum(axis=1).to_numpy(dtype="float64") / total,
            "weight": total,
        }
    )


def _attach_itl(frame: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    levels = hierarchy[["area_code", "itl3_code", "itl2_code", "itl1_code"]].rename(
        columns={"area_code": "lad23_code"}
    )
    out = frame.merge(levels, on="lad23_code", how="left", validate="many_to_one")
    no_itl = out["itl3_code"].isna()
    if no_itl.any():
        raise NeighbourhoodError(
            f"LAD23 code(s) {_shown(sorted(set(out.loc[no_itl, 'lad23_code'])))} are not in the "
            "LAD23 → ITL hierarchy (data/processed/lad23_hierarchy.parquet)"
        )
    return out


def neighbourhood_table(
    specs: Mapping[str, Mapping[str, Any]],
    *,
    income: Mapping[str, pd.DataFrame],
    census: Mapping[str, pd.DataFrame],
    lsoa_lookup: pd.DataFrame,
    msoa_weights: pd.Series,
    msoa_map: Mapping[str, str],
    hierarchy: pd.DataFrame,
    expected: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """One row per indicator and neighbourhood, placed in LAD23 and its ITL3/ITL2/ITL1.

    Parameters
    ----------
    specs
        ``config.yaml: neighbourhoods.indicators``: each has ``source``, ``unit`` (``msoa11`` or
        ``lsoa21``) and ``sheet`` (income) or ``categories`` (census).
    income
        :func:`read_small_area_income` output by sheet name.
    census
        :func:`read_census_zip_member` LSOA output by source key.
    lsoa_lookup
        :func:`read_lsoa21_lookup` output.
    msoa_weights
        :func:`msoa11_residents` output (by MSOA11 code).
    msoa_map
        The income file's LA codes → LAD23 (:func:`msoa_lad23`).
    hierarchy
        ``area_code, itl3_code, itl2_code, itl1_code`` per LAD23 (primary ITL3).
    expected
        Units each indicator must cover (default 7,201 MSOAs and 35,672 LSOAs).

    Returns
    -------
    pandas.DataFrame
        :data:`NEIGHBOURHOOD_COLUMNS`, sorted by indicator (config order) and ``area_code``;
        ``la_code_published`` is the LA code the placement started from (the income file's own
        code, or the lookup's LAD23 for an LSOA);
        ``lower_95``/``upper_95`` are NaN for census shares (a census count has no sampling
        error; ONS perturbs cells instead).

    Raises
    ------
    NeighbourhoodError
        When an indicator does not cover the expected units exactly once, an LSOA is not in the
        lookup (or the lookup has LSOAs the table lacks), an MSOA has no weight, or an LA code
        has no LAD23.
    """
    expected = dict(expected or {"msoa11": N_MSOA11, "lsoa21": N_LSOA21})
    lsoa_lad = lsoa_lookup.set_index("lsoa21_code")["lad23_code"]
    frames = []
    for key, spec in specs.items():
        unit = str(spec["unit"])
        if unit == "msoa11":
            data = income[str(spec["sheet"])]
            part = pd.DataFrame(
                {
                    "area_code": data["msoa11_code"],
                    "area_name": data["msoa11_name"],
                    "la_code_published": data["la_code"],
                    "lad23_code": data["la_code"].map(dict(msoa_map)),
                    "value": data["value"],
                    "weight": data["msoa11_code"].map(msoa_weights),
                    "lower_95": data["lower_95"],
                    "upper_95": data["upper_95"],
                }
            )
            for column, what in (("lad23_code", "LAD23 code"), ("weight", "residents weight")):
                lost = part[column].isna()
                if lost.any():
                    raise NeighbourhoodError(
                        f"indicator {key!r} (source {spec['source']!r}): MSOA(s) "
                        f"{_shown(part.loc[lost, 'area_code'])} have no {what}"
                    )
        else:
            share = census_share(
                census[str(spec["source"])], spec["categories"], source=spec["source"]
            )
            codes = set(share["area_code"])
            if codes != set(lsoa_lad.index):
                raise NeighbourhoodError(
                    f"indicator {key!r} (source {spec['source']!r}): LSOAs differ from the LSOA21 "
                    f"lookup: missing {_shown(sorted(set(lsoa_lad.index) - codes))}; extra "
                    f"{_shown(sorted(codes - set(lsoa_lad.index)))}"
                )
            part = share.assign(
                la_code_published=share["area_code"].map(lsoa_lad),
                lad23_code=share["area_code"].map(lsoa_lad),
                lower_95=np.nan,
                upper_95=np.nan,
            )
        if part["area_code"].duplicated().any() or len(part) != expected.get(unit, len(part)):
            raise NeighbourhoodError(
                f"indicator {key!r}: {part['area_code'].nunique()} distinct of {len(part)} rows, "
                f"expected {expected.get(unit)} {unit} neighbourhoods each once"
            )
        frames.append(part.assign(indicator=key, unit=unit).sort_values("area_code"))
    table = _attach_itl(pd.concat(frames, ignore_index=True), hierarchy)
    return table[NEIGHBOURHOOD_COLUMNS].reset_index(drop=True)


def deprivation_long(lsoa: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """The IoD2019 LSOA table (:func:`localineq.data.neighbourhoods.lsoa_deprivation`) in the
    long form of :func:`neighbourhood_table` (unit ``lsoa11``, weight = mid-2015 population)."""
    frames = [
        pd.DataFrame(
            {
                "indicator": key,
                "unit": "lsoa11",
                "area_code": lsoa["lsoa_code"],
                "area_name": lsoa["lsoa_name"],
                "la_code_published": lsoa["lad19_code"],
                "lad23_code": lsoa["lad23_code"],
                "itl3_code": lsoa["itl3_code"],
                "itl2_code": lsoa["itl2_code"],
                "itl1_code": lsoa["itl1_code"],
                "value": lsoa[key].astype("float64"),
                "weight": lsoa["population"].astype("float64"),
                "lower_95": np.nan,
                "upper_95": np.nan,
            }
        ).sort_values("area_code")
        for key in indicators
    ]
    return pd.concat(frames, ignore_index=True)[NEIGHBOURHOOD_COLUMNS]
