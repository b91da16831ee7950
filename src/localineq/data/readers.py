"""Readers: raw official files → tidy pandas tables.

Each reader handles one raw format and applies named rules to its real-world quirks:

* ``read_els_csv`` — ONS Explore Local Statistics (ELS) tidy CSVs: UTF-8 byte-order mark,
  suppression markers in numeric columns, ISO 8601 period strings.
* ``read_population_table6`` — Table 6 of the ONS "Regional GDP: local authorities" workbook.
* ``read_mye2_persons`` — MYE2 (persons by single year of age) of the mid-year estimates.

Geography lookups, code changes, boundaries and the IoD2019 files are read by
:mod:`localineq.data.lookups`.

A value that is neither a number nor a known suppression marker is an error naming the
source, file, column and row; it is never coerced to missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from localineq.data.codes import describe_invalid, invalid_code_mask

#: Markers ONS uses for values that are not available: ``[x]`` not available, ``[c]``
#: confidential, ``[u]`` low reliability, ``[z]`` not applicable, ``:``/``..`` legacy forms.
#: They become missing, never zero.
SUPPRESSION_MARKERS = frozenset(
    {
        "",
        "[x]",
        "[c]",
        "[u]",
        "[z]",
        "[w]",
        "[low]",
        ":",
        "..",
        "x",
        "c",
        "u",
        "z",
        "-",
        "n/a",
        "NA",
    }
)

_PERIOD = re.compile(
    r"^(?P<start>\d{4}-\d{2}-\d{2})(?:/P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?)?$"
)


class DataError(ValueError):
    """Raw data that breaks a reader rule; the message names source, file, column and rows."""


def data_error(source: str, path: str | os.PathLike, column: str, rows, problem: str) -> DataError:
    """Build a :class:`DataError` naming where the problem is (file rows count from 1 = header)."""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
    return DataError(
        f"source {source!r}, file {os.fspath(path)}, column {column!r}, row(s) {shown}: {problem}"
    )


def require_columns(
    found: Iterable[str],
    expected: Sequence[str],
    *,
    source: str,
    path: str | os.PathLike,
    where: str = "header (line 1)",
) -> None:
    """Refuse a raw file lacking any column its source declares (``columns:`` in sources.yaml).

    >>> require_columns(["a", "b"], ["a", "lci_95"], source="s", path="f.csv")
    Traceback (most recent call last):
    ...
    localineq.data.readers.DataError: source 's', file f.csv, header (line 1): missing expected column(s) ['lci_95']; the file has ['a', 'b']. ...
    """
    found = list(found)
    missing = [c for c in expected if c not in set(found)]
    if missing:
        raise DataError(
            f"source {source!r}, file {os.fspath(path)}, {where}: missing expected column(s) "
            f"{missing}; the file has {found}. Expected columns are declared under `columns:` "
            "of the source in config/sources.yaml; if the publisher really dropped them, "
            "change the declaration deliberately (and the readers that use them)"
        )


def read_csv_text(
    path: str | os.PathLike,
    source: str,
    *,
    keep_default_na: bool = False,
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """A raw CSV as text (UTF-8, optional BOM); parser failures become a :class:`DataError`.

    An empty file, bytes that are not UTF-8, a malformed row or an unreadable compressed
    file name the source and file instead of surfacing as a bare pandas error. ``columns``
    (the source's declared columns) must all be present (:func:`require_columns`).
    """
    frame = _read_csv_text(path, source, keep_default_na=keep_default_na)
    require_columns(frame.columns, columns, source=source, path=path)
    return frame


def _read_csv_text(path: str | os.PathLike, source: str, *, keep_default_na: bool) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=keep_default_na)
    except pd.errors.EmptyDataError as err:
        raise DataError(f"source {source!r}, file {os.fspath(path)}: empty file ({err})") from err
    except UnicodeDecodeError as err:
        raise DataError(
            f"source {source!r}, file {os.fspath(path)}: not UTF-8 text (byte {err.start}: "
            f"{err.reason})"
        ) from err
    except (pd.errors.ParserError, OSError, EOFError, ValueError) as err:
        raise DataError(
            f"source {source!r}, file {os.fspath(path)}: cannot be parsed as CSV: {err}"
        ) from err


def read_sheet_raw(path: str | os.PathLike, sheet: str, source: str) -> pd.DataFrame:
    """One spreadsheet sheet as objects, no header; failures become a :class:`DataError`."""
    try:
        return pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    except Exception as err:  # empty/corrupt zip, missing sheet, openpyxl parse errors
        raise DataError(
            f"source {source!r}, file {os.fspath(path)}: cannot read sheet {sheet!r}: "
            f"{type(err).__name__}: {err}"
        ) from err


def check_codes(
    codes: pd.Series,
    *,
    source: str,
    path: str | os.PathLike,
    column: str,
    lines: pd.Series | np.ndarray | None = None,
    allow_itl: bool = False,
    allow_empty: bool = False,
) -> None:
    """Refuse any value of a code column that is not a well-formed code of a known type.

    ``codes`` are the stripped cell values; ``lines`` their line numbers in the file
    (default: position + 2, one header line). Nothing is normalised here: see
    :mod:`localineq.data.codes`.
    """
    bad = invalid_code_mask(codes, allow_itl=allow_itl, allow_empty=allow_empty).to_numpy()
    if not bad.any():
        return
    where = np.asarray(lines)[bad] if lines is not None else np.flatnonzero(bad) + 2
    values = codes.astype("string").fillna("").to_numpy()[bad]
    shown = "; ".join(
        f"line {line}: {describe_invalid(str(value))}"
        for line, value in list(zip(where, values, strict=True))[:5]
    )
    raise data_error(
        source,
        path,
        column,
        where,
        f"{int(bad.sum())} invalid area code(s): {shown}. Raw files are never edited; if the "
        "publisher's file really has these codes, the reader needs a deliberate, documented rule",
    )


def parse_numeric(
    values: pd.Series,
    *,
    source: str,
    path: str | os.PathLike,
    column: str,
    row_offset: int = 2,
    rows: pd.Series | None = None,
) -> pd.Series:
    """Parse published numbers: markers → NaN, quoted thousands separators removed.

    Errors name each bad value's place in the file: ``rows`` (one label per value) when
    given, else its position plus ``row_offset`` (2 for a CSV with one header line).

    >>> parse_numeric(pd.Series(["1,234", "[x]", " 5.5 ", None]), source="s", path="f",
    ...               column="c").tolist()
    [1234.0, nan, 5.5, nan]
    >>> float(parse_numeric(pd.Series(["60.099999999999994"]), source="s", path="f", column="c")[0])
    60.099999999999994
    """
    text = values.astype("string").str.strip()
    missing = text.isna() | text.isin(SUPPRESSION_MARKERS)
    cleaned = text.where(~missing).str.replace(",", "", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    bad = numbers.isna() & ~missing
    # Python's float() rounds correctly; pandas < 3 reads some 17-digit decimals one unit in the
    # last place off (published "60.099999999999994" became 60.1), so parse them here to get
    # the same numbers whatever the pandas version.
    ok = numbers.notna().to_numpy()
    numbers[ok] = [float(t) for t in cleaned[ok]]
    if bad.any():
        where = rows[bad].tolist() if rows is not None else np.flatnonzero(bad) + row_offset
        examples = text[bad].head(3).tolist()
        raise data_error(
            source, path, column, where, f"not a number or known suppression marker: {examples}"
        )
    # "inf" and "Infinity" parse as numbers, but no published statistic is infinite.
    infinite = np.isinf(numbers.to_numpy())
    if infinite.any():
        where = (
            rows[infinite].tolist() if rows is not None else np.flatnonzero(infinite) + row_offset
        )
        examples = text[infinite].head(3).tolist()
        raise data_error(source, path, column, where, f"not a finite number: {examples}")
    return numbers.astype("float64")


@dataclass(frozen=True)
class Period:
    """An ELS period string parsed: start date, length, and labels."""

    start: pd.Timestamp
    years: int
    months: int

    @property
    def label(self) -> str:
        """Human label: ``2022``, ``2022/23`` (April start), ``2020-2022`` (3-year),
        ``2024-04`` (a month), ``30 Apr 2025`` (a snapshot date, e.g. the ASHE reference day)."""
        y = self.start.year
        if self.years == 1 and self.months == 0:
            return str(y) if self.start.month == 1 else f"{y}/{(y + 1) % 100:02d}"
        if self.years > 1:
            return (
                f"{y}-{y + self.years - 1}"
                if self.start.month == 1
                else f"{y}/{(y + self.years) % 100:02d}"
            )
        if self.months:
            return self.start.strftime("%Y-%m")
        return f"{self.start.day} {self.start.strftime('%b %Y')}"

    @property
    def reference_year(self) -> int:
        """Calendar year used to pick weights: the middle year of a multi-year period,
        otherwise the start year (a snapshot date's own year)."""
        return self.start.year + (self.years - 1) // 2 if self.years > 1 else self.start.year


def parse_period(text: str) -> Period:
    """Parse an ISO 8601 start date with an optional duration (``2011-01-01/P3Y``).

    >>> p = parse_period("2020-01-01/P3Y"); (p.label, p.reference_year)
    ('2020-2022', 2021)
    >>> parse_period("2022-04-01/P1Y").label
    '2022/23'
    >>> parse_period("2025-04-30").label
    '30 Apr 2025'
    """
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValueError(f"unrecognised period {text!r}; expected e.g. '2011-01-01/P3Y'")
    return Period(
        start=pd.Timestamp(match["start"]),
        years=int(match["years"] or 0),
        months=int(match["months"] or 0),
    )


ELS_COLUMNS = ("areacd", "areanm", "geography", "indicator", "period", "observation", "unit")


def read_els_csv(path: str | os.PathLike, source: str, columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read one ELS indicator CSV into a tidy table.

    Columns out: ``area_code, area_name, geography, indicator, period, period_label,
    reference_year, value, lci_95, uci_95, unit, status``. Rows of every geography are kept;
    selecting local authorities is :func:`localineq.data.geography.select_local_authorities`.

    ``columns`` are the source's declared columns (sources.yaml): each must be present. The
    interval columns ``lci_95``/``uci_95`` are read as missing only for a source that does not
    declare them (a publisher without intervals); a declared one that is absent is an error,
    so a new release without its intervals cannot silently drop every interval.
    """
    # utf-8-sig strips the byte-order mark ELS files start with.
    raw = read_csv_text(path, source, columns=columns)
    if raw.empty:
        raise DataError(f"source {source!r}, file {os.fspath(path)}: header but no data rows")
    missing = [c for c in ELS_COLUMNS if c not in raw.columns]
    if missing:
        raise data_error(
            source, path, ",".join(missing), [1], f"missing columns; found {list(raw.columns)}"
        )
    area_codes = raw["areacd"].str.strip()
    check_codes(area_codes, source=source, path=path, column="areacd", allow_itl=True)
    periods = {}
    for text in raw["period"].unique():
        try:
            periods[text] = parse_period(text)
        except ValueError as err:
            rows = np.flatnonzero((raw["period"] == text).to_numpy()) + 2
            raise data_error(source, path, "period", rows, str(err)) from err
    tidy = pd.DataFrame(
        {
            "area_code": area_codes,
            "area_name": raw["areanm"].str.strip(),
            "geography": raw["geography"],
            "indicator": raw["indicator"],
            "period": raw["period"],
            "period_label": raw["period"].map(lambda t: periods[t].label),
            "reference_year": raw["period"]
            .map(lambda t: periods[t].reference_year)
            .astype("int64"),
            "value": parse_numeric(
                raw["observation"], source=source, path=path, column="observation"
            ),
            "lci_95": parse_numeric(
                raw.get("lci_95", pd.Series("", index=raw.index)),
                source=source,
                path=path,
                column="lci_95",
            ),
            "uci_95": parse_numeric(
                raw.get("uci_95", pd.Series("", index=raw.index)),
                source=source,
                path=path,
                column="uci_95",
            ),
            "unit": raw["unit"],
            "status": raw.get("status", pd.Series("", index=raw.index)).replace("", pd.NA),
        }
    )
    return tidy


def _find_header_row(frame: pd.DataFrame, first_cell: str, source: str, path, sheet: str) -> int:
    hits = np.flatnonzero(frame.iloc[:, 0].astype(str).str.strip().eq(first_cell).to_numpy())
    if hits.size == 0:
        raise data_error(source, path, sheet, [], f"no header row starting with {first_cell!r}")
    return int(hits[0])


def melt_sheet(
    path: str | os.PathLike,
    sheet: str,
    *,
    first_header_cell: str,
    id_columns: list[str],
    value_column_pattern: str,
    source: str,
    code_column: str | None = None,
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """A wide spreadsheet table (one column per year or age) in long form, values parsed.

    The header is the first row whose first cell is ``first_header_cell`` (ONS sheets put
    titles and notes above it). Rows without a value in ``id_columns[0]`` (blank or footnote
    rows) are not data. Returns ``id_columns`` plus ``column`` (the wide column's header) and
    ``value``; an unparseable cell is reported with its spreadsheet row and column header.
    ``code_column``, when given, must hold valid area codes (:func:`check_codes`);
    ``columns`` (the source's declared columns) must all be in the header row.
    """
    frame = read_sheet_raw(path, sheet, source)
    header = _find_header_row(frame, first_header_cell, source, path, sheet)
    table = frame.iloc[header + 1 :].copy()
    table.columns = [str(c).strip() for c in frame.iloc[header]]
    require_columns(
        table.columns,
        columns,
        source=source,
        path=path,
        where=f"sheet {sheet!r}, header (row {header + 1})",
    )
    missing = [c for c in id_columns if c not in table.columns]
    if missing:
        raise data_error(source, path, ",".join(missing), [header + 1], f"not in sheet {sheet!r}")
    # Spreadsheet row numbers count from 1; frame row k is spreadsheet row k + 1.
    table["_row"] = np.arange(header + 2, header + 2 + len(table))
    table = table[table[id_columns[0]].notna()]
    if code_column is not None:
        check_codes(
            table[code_column].astype(str).str.strip(),
            source=source,
            path=f"{os.fspath(path)} [{sheet}]",
            column=code_column,
            lines=table["_row"].to_numpy(),
        )
    value_columns = [c for c in table.columns if re.fullmatch(value_column_pattern, c)]
    long = table.melt(
        id_vars=[*id_columns, "_row"], value_vars=value_columns, var_name="column", value_name="raw"
    )
    long["value"] = parse_numeric(
        long["raw"],
        source=source,
        path=f"{os.fspath(path)} [{sheet}]",
        column="value columns",
        rows=long["_row"].astype(str) + " (" + long["column"] + ")",
    )
    return long.drop(columns=["_row", "raw"])


def read_population_table6(
    path: str | os.PathLike,
    source: str = "regional_gdp_la_workbook",
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Total resident population by LA and year from Table 6 of the regional GDP workbook.

    The sheet has a title line, then a header ``ITL1 Region | LA code | LA name | 1998 …``.
    Columns out: ``area_code, area_name, year, population`` (markers such as ``[u]`` → NaN).
    """
    long = melt_sheet(
        path,
        "Table 6",
        first_header_cell="ITL1 Region",
        id_columns=["LA code", "LA name"],
        value_column_pattern=r"\d{4}",
        source=source,
        code_column="LA code",
        columns=columns,
    )
    return pd.DataFrame(
        {
            "area_code": long["LA code"].astype(str).str.strip(),
            "area_name": long["LA name"].astype(str).str.strip(),
            "year": long["column"].astype("int64"),
            "population": long["value"],
        }
    ).reset_index(drop=True)


def read_mye2_persons(
    path: str | os.PathLike,
    source: str = "mid2022_population_by_age",
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Persons by single year of age for each area from sheet MYE2 - Persons.

    Columns out: ``area_code, area_name, geography, age, population`` (age 90 = 90 and over).
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception as err:  # empty or corrupt workbook
        raise DataError(
            f"source {source!r}, file {os.fspath(path)}: cannot open workbook: "
            f"{type(err).__name__}: {err}"
        ) from err
    sheet = next((s for s in book.sheetnames if s.replace(" ", "").lower() == "mye2-persons"), None)
    book.close()
    if sheet is None:
        raise data_error(source, path, "sheet", [], "no sheet 'MYE2 - Persons'")
    long = melt_sheet(
        path,
        sheet,
        first_header_cell="Code",
        id_columns=["Code", "Name", "Geography"],
        value_column_pattern=r"\d+\+?",
        source=source,
        code_column="Code",
        columns=columns,
    )
    return pd.DataFrame(
        {
            "area_code": long["Code"].astype(str).str.strip(),
            "area_name": long["Name"].astype(str).str.strip(),
            "geography": long["Geography"].astype(str).str.strip(),
            "age": long["column"].str.rstrip("+").astype("int64"),
            "population": long["value"],
        }
    )
