r"""Consumer prices and real terms: the ONS CPI index (D7BT) and deflation of money values.

Source
    ONS series D7BT, *CPI INDEX 00: ALL ITEMS 2015=100* (dataset MM23), as the "full
    unfiltered time series" CSV ONS publishes: two quoted fields a row, a block of metadata
    rows (``Title``, ``CDID``, ``Release date`` ...), then annual rows (``"2025"``),
    quarterly rows (``"2025 Q4"``) and monthly rows (``"2026 FEB"``). The metadata block is
    located by the shape of the first field, not by a fixed row count.
Price level of a period (:func:`period_price_level`)
    The average index over the months an ISO 8601 period covers: a bare date (ASHE's April
    reference day) takes its month's index; a calendar year (``2023-01-01/P1Y``) the
    published annual average; a quarter the published quarterly average; any other span
    (a financial year ``2021-04-01/P1Y`` runs April to March) the mean of its monthly
    indices :math:`\bar P = \frac{1}{m} \sum_{k=1}^{m} P_{k}`.
Real terms (:func:`deflate`)
    :math:`y^{real} = y \cdot P_{base} / \bar P_{period}`, with :math:`P_{base}` the annual
    average of the base year (the latest complete calendar year by default), so real values
    read "in <base> prices". Published interval bounds are deflated by the same factor
    (the index is treated as known exactly).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from localineq.data.readers import require_columns

__all__ = [
    "MONTHS",
    "PRICE_FREQUENCIES",
    "cpi_base_year",
    "deflate",
    "period_price_level",
    "price_basis_label",
    "price_basis_words",
    "read_cpi",
]

MONTHS: tuple[str, ...] = (
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
)  # fmt: skip
#: Frequencies of the rows of an ONS time-series CSV.
PRICE_FREQUENCIES: tuple[str, ...] = ("annual", "quarterly", "monthly")

_ANNUAL = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4}) Q([1-4])$")
_MONTH = re.compile(r"^(\d{4}) (" + "|".join(MONTHS) + r")$")


def _classify(label: str) -> tuple[str, int, int] | None:
    """``(frequency, year, sub-period)`` of a data row's first field, or ``None``."""
    if m := _ANNUAL.match(label):
        return "annual", int(m[1]), 0
    if m := _QUARTER.match(label):
        return "quarterly", int(m[1]), int(m[2])
    if m := _MONTH.match(label):
        return "monthly", int(m[1]), MONTHS.index(m[2]) + 1
    return None


def read_cpi(
    path: str | os.PathLike, source: str = "ons_cpi_d7bt", columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Read an ONS time-series CSV (CPI D7BT) into tidy rows.

    Returns
    -------
    pandas.DataFrame
        ``frequency`` (annual | quarterly | monthly), ``year``, ``sub`` (quarter 1-4, month
        1-12, 0 for a year), ``label`` (as published) and ``index`` (float), in file order.

    Raises
    ------
    ValueError
        Naming the source, file and row: no data rows, a row after the metadata block
        whose label is not a year, quarter or month, a value that is not a positive
        number, or a period published twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = '"Title","CPI"\\n"CDID","D7BT"\\n"Important notes",\\n"2024","133.9"\\n'
    >>> text += '"2024 Q1","132.0"\\n"2024 JAN","131.5"\\n'
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cpi.csv"; _ = p.write_text(text)
    >>> read_cpi(p)[["frequency", "year", "sub", "index"]].values.tolist()
    [['annual', 2024, 0, 133.9], ['quarterly', 2024, 1, 132.0], ['monthly', 2024, 1, 131.5]]
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    rows = []
    metadata: list[str] = []
    in_data = False
    for lineno, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not fields or not any(f.strip() for f in fields):
            continue
        label = fields[0].strip()
        kind = _classify(label)
        if kind is None:
            if in_data:
                raise ValueError(
                    f"{source}: {path}: row {lineno}: {label!r} is neither a year, a quarter "
                    "(YYYY Qn) nor a month (YYYY MON) after the metadata rows"
                )
            metadata.append(label)
            continue  # metadata row (Title, CDID, Release date, ...)
        in_data = True
        raw = fields[1].strip() if len(fields) > 1 else ""
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value) or value <= 0:
            raise ValueError(
                f"{source}: {path}: row {lineno} ({label}): index {raw!r} is not a positive number"
            )
        rows.append({"frequency": kind[0], "year": kind[1], "sub": kind[2], "label": label,
                     "index": value})  # fmt: skip
    require_columns(metadata, columns, source=source, path=path, where="metadata rows")
    if not rows:
        raise ValueError(f"{source}: {path}: no annual, quarterly or monthly rows found")
    out = pd.DataFrame(rows)
    dup = out.duplicated(["frequency", "year", "sub"])
    if dup.any():
        raise ValueError(f"{source}: {path}: period {out.loc[dup, 'label'].iloc[0]!r} repeats")
    return out


def cpi_base_year(cpi: pd.DataFrame, base: int | str = "latest") -> int:
    """The base year: ``base`` itself, or the latest year with a published annual average.

    >>> cpi = pd.DataFrame({"frequency": ["annual", "annual", "monthly"], "year": [2024, 2025, 2026],
    ...                     "sub": [0, 0, 1], "index": [133.9, 138.4, 139.0]})
    >>> cpi_base_year(cpi), cpi_base_year(cpi, 2024)
    (2025, 2024)
    """
    years = cpi.loc[cpi["frequency"] == "annual", "year"]
    if base == "latest":
        if years.empty:
            raise ValueError("CPI has no annual rows to take a base year from")
        return int(years.max())
    if int(base) not in set(years):
        raise ValueError(f"CPI has no annual average for base year {base}")
    return int(base)


def _months(period: str) -> list[tuple[int, int]]:
    from localineq.data.readers import parse_period

    parsed = parse_period(str(period))
    start = parsed.start
    n = 12 * parsed.years + parsed.months  # 0 for a bare date: its own month
    first = start.year * 12 + start.month - 1
    return [((first + k) // 12, (first + k) % 12 + 1) for k in range(max(n, 1))]


def period_price_level(cpi: pd.DataFrame, period: str) -> float:
    """Average price level over the months an ISO 8601 period covers (module docstring).

    Published annual and quarterly averages are used where the period is exactly a
    calendar year or quarter; otherwise the mean of the monthly indices.

    Raises
    ------
    ValueError
        When a month the period covers has no published index.

    Examples
    --------
    >>> cpi = pd.DataFrame({"frequency": ["annual"] + ["monthly"] * 15,
    ...                     "year": [2021] + [2021] * 12 + [2022] * 3,
    ...                     "sub": [0] + list(range(1, 13)) + [1, 2, 3],
    ...                     "index": [100.5] + [100.0 + k for k in range(15)]})
    >>> period_price_level(cpi, "2021-04-22"), period_price_level(cpi, "2021-01-01/P1Y")
    (103.0, 100.5)
    >>> period_price_level(cpi, "2021-04-01/P1Y")  # April 2021 to March 2022
    108.5
    """
    months = _months(period)
    keyed = cpi.set_index(["frequency", "year", "sub"])["index"]
    (y0, m0), n = months[0], len(months)
    if n == 12 and m0 == 1 and ("annual", y0, 0) in keyed.index:
        return float(keyed[("annual", y0, 0)])
    if n == 3 and m0 in (1, 4, 7, 10) and ("quarterly", y0, (m0 + 2) // 3) in keyed.index:
        return float(keyed[("quarterly", y0, (m0 + 2) // 3)])
    missing = [f"{y} {MONTHS[m - 1]}" for y, m in months if ("monthly", y, m) not in keyed.index]
    if missing:
        raise ValueError(f"CPI has no index for {', '.join(missing)} (period {period})")
    return float(np.mean([keyed[("monthly", y, m)] for y, m in months]))


def price_basis_label(base_year: int) -> str:
    """The ``price_basis`` written beside real values, e.g. ``real (CPI, 2025 prices)``."""
    return f"real (CPI, {base_year} prices)"


def price_basis_words(basis: str) -> str:
    """A ``price_basis`` in a sentence: ``in real terms (CPI, 2025 prices)``, or as it is.

    >>> price_basis_words("real (CPI, 2025 prices)"), price_basis_words("nominal")
    ('in real terms (CPI, 2025 prices)', 'nominal')
    """
    if basis.startswith("real (") and basis.endswith(")"):
        return f"in real terms ({basis.removeprefix('real (').removesuffix(')')})"
    return basis


def deflate(
    values: pd.Series | np.ndarray,
    periods: Iterable[str],
    cpi: pd.DataFrame,
    base_year: int,
) -> np.ndarray:
    r"""Money values in ``base_year`` prices: :math:`y \cdot P_{base} / \bar P_{period}`.

    Examples
    --------
    >>> cpi = pd.DataFrame({"frequency": ["annual", "annual"], "year": [2020, 2025],
    ...                     "sub": [0, 0], "index": [100.0, 125.0]})
    >>> deflate(np.array([400.0, 500.0]), ["2020-01-01/P1Y", "2025-01-01/P1Y"], cpi, 2025)
    array([500., 500.])
    """
    base = period_price_level(cpi, f"{base_year}-01-01/P1Y")
    periods = list(periods)
    levels = {p: period_price_level(cpi, p) for p in dict.fromkeys(periods)}
    factor = np.array([base / levels[p] for p in periods], dtype=float)
    return np.asarray(values, dtype=float) * factor
