"""Checks every tidy table must pass before it is written (pandera schemas).

Rules for an indicator table (one indicator, or the stacked export):

* ``area_code`` belongs to the table's code set — LAD23 codes only in LA tables; UTLA23 +
  LAD23 codes in upper-tier tables;
* one row per area × indicator × period;
* ``value`` is missing or inside the range of its unit, as declared once in ``config.yaml:
  units`` (:func:`unit_ranges`; e.g. % in [0, 100], healthy life expectancy in [40, 90]
  years, £ per head in (0, 1,000,000]);
  ``value``, ``lci_95`` and ``uci_95`` are finite where present;
* ``lci_95 <= value <= uci_95`` wherever all three are published;
* ``weight`` is present and positive.

A breach raises :class:`ValidationError` whose message names the source, the column, the
check and the offending rows (area, period, value) — pandera's ``SchemaErrors`` made
readable; the run stops rather than writing a table that breaks a rule.

:func:`check_raw_values` applies the same ranges to a reader's raw rows, before any
harmonisation, so that a breach names the file and line it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import pandas as pd

try:  # pandera >= 0.24 moved the pandas API to ``pandera.pandas``
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa


class UnitRange(NamedTuple):
    """Values allowed in one unit: ``low < v <= high`` (``low <= v`` if ``low_inclusive``)."""

    low: float
    high: float
    low_inclusive: bool


#: The units table as the validation functions take it: unit name → :class:`UnitRange`.
UnitRanges = Mapping[str, UnitRange]


def unit_ranges(units: Mapping[str, Mapping[str, object]]) -> dict[str, UnitRange]:
    """The ``units`` block of ``config.yaml`` as :class:`UnitRange` objects.

    Each unit declares ``min``, ``max`` and ``min_inclusive`` (false: values must exceed
    ``min``, e.g. money and ratios must be positive). The block is the only table of units:
    every check here takes its ranges from it.

    >>> unit_ranges({"%": {"min": 0, "max": 100, "min_inclusive": True}})
    {'%': UnitRange(low=0.0, high=100.0, low_inclusive=True)}
    """
    out = {}
    for unit, spec in units.items():
        low, high = float(spec["min"]), float(spec["max"])
        if not low < high:
            raise ValueError(f"unit {unit!r}: min {low:g} must be below max {high:g}")
        out[str(unit)] = UnitRange(low, high, bool(spec["min_inclusive"]))
    return out


def _range_of(unit: str, ranges: UnitRanges) -> UnitRange:
    if unit not in ranges:
        raise ValueError(
            f"unit {unit!r} has no validation range; declare it under `units:` in "
            f"config/config.yaml (known units: {sorted(ranges)})"
        )
    return ranges[unit]


class ValidationError(ValueError):
    """A table broke a validation rule; the message names source, column and rows."""


def value_check(unit: str, ranges: UnitRanges) -> pa.Check:
    """The pandera check for values in ``unit``: inside its range in ``ranges``.

    >>> value_check("%", {"%": UnitRange(0.0, 100.0, True)}).name
    'in_range'
    """
    low, high, inclusive = _range_of(unit, ranges)
    return pa.Check.in_range(low, high, include_min=inclusive, include_max=True)


def _finite() -> pa.Check:
    return pa.Check(lambda v: v.abs() < float("inf"), element_wise=False, name="finite")


def _range_text(unit_range: UnitRange) -> str:
    low, high, inclusive = unit_range
    return f"{'[' if inclusive else '('}{low:g}, {high:g}]"


def check_raw_values(
    rows: pd.DataFrame,
    unit: str | None,
    ranges: UnitRanges | None,
    *,
    source: str,
    path: str | None,
    label: str = "",
    limit: int = 5,
) -> None:
    """Refuse raw values that are not finite or outside their unit's range in ``ranges``.

    Without ``unit`` or ``ranges`` only finiteness is checked. ``rows`` are rows of a reader's tidy table whose index is the file position (line =
    index + 2, one header line), as :func:`localineq.data.readers.read_els_csv` returns them;
    ``value``, ``lci_95`` and ``uci_95`` must be finite where present, and ``value`` inside
    the unit's range. Missing values are allowed (suppressed cells).

    Raises
    ------
    ValidationError
        Naming source, file, and for each offending cell its line, area, period, column and
        value, with the allowed range.
    """
    problems = []
    for column in ("value", "lci_95", "uci_95"):
        if column not in rows.columns:
            continue
        values = rows[column].astype("float64")
        bad = values.notna() & ~values.abs().lt(float("inf"))
        why = pd.Series("not a finite number", index=rows.index)
        if column == "value" and unit is not None and ranges is not None:
            unit_range = _range_of(unit, ranges)
            low, high, inclusive = unit_range
            outside = values.lt(low) if inclusive else values.le(low)
            outside = (outside | values.gt(high)) & ~bad
            why = why.where(
                ~outside, f"outside the range {_range_text(unit_range)} of unit {unit!r}"
            )
            bad |= outside
        for index in rows.index[bad.to_numpy()]:
            row = rows.loc[index]
            line = f"line {int(index) + 2}" if path else f"row {index}"
            problems.append(
                f"{line}: area {row.get('area_code')}, period {row.get('period')}, "
                f"{column} = {float(row[column]):g}: {why[index]}"
            )
    if problems:
        more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
        where = f"file {path}" if path else "(no file)"
        raise ValidationError(
            f"source {source!r}, {where}{label}: {len(problems)} impossible value(s):\n  "
            + "\n  ".join(problems[:limit])
            + more
        )


def _ci_brackets_value(frame: pd.DataFrame) -> pd.Series:
    known = frame[["value", "lci_95", "uci_95"]].notna().all(axis=1)
    # Published values and limits are rounded separately; allow a rounding tolerance.
    tol = 1e-6 * frame["value"].abs().clip(lower=1)
    inside = (frame["lci_95"] <= frame["value"] + tol) & (frame["value"] <= frame["uci_95"] + tol)
    return ~known | inside


def indicator_schema(
    codes: Iterable[str], unit: str, ranges: UnitRanges, *, code_set_name: str = "LAD23"
) -> pa.DataFrameSchema:
    """Schema of one indicator's tidy rows (see the module docstring for the rules)."""
    allowed = sorted(set(codes))
    return pa.DataFrameSchema(
        {
            "area_code": pa.Column(
                str, pa.Check.isin(allowed, error=f"{code_set_name} code"), nullable=False
            ),
            "indicator": pa.Column(str, nullable=False),
            "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}"), nullable=False),
            "value": pa.Column(float, [value_check(unit, ranges), _finite()], nullable=True),
            "lci_95": pa.Column(float, _finite(), nullable=True),
            "uci_95": pa.Column(float, _finite(), nullable=True),
            "weight": pa.Column(float, pa.Check.gt(0), nullable=False),
        },
        checks=[
            pa.Check(_ci_brackets_value, element_wise=False, error="lci_95 <= value <= uci_95")
        ],
        unique=["area_code", "indicator", "period"],
        report_duplicates="all",
        strict=False,
        coerce=False,
    )


def weights_schema(codes: Iterable[str]) -> pa.DataFrameSchema:
    """Schema of a long weight table ``area_code, year, population`` (positive where given)."""
    return pa.DataFrameSchema(
        {
            "area_code": pa.Column(str, pa.Check.isin(sorted(set(codes))), nullable=False),
            "year": pa.Column(int, pa.Check.in_range(1990, 2030), nullable=False),
            "population": pa.Column(float, pa.Check.gt(0), nullable=True),
        },
        unique=["area_code", "year"],
        report_duplicates="all",
    )


def _show(value) -> str:
    if isinstance(value, float):
        return "nan" if value != value else f"{value:g}"
    return repr(value)


def _describe_failures(
    frame: pd.DataFrame, errors: pa.errors.SchemaErrors, limit: int = 5
) -> list[str]:
    cases = errors.failure_cases.copy()
    # pandera reports a failed multi-column uniqueness once per column; report it once.
    unique = cases["check"].astype(str).str.contains("uniqueness")
    cases.loc[unique, "column"] = "+".join(
        sorted(cases.loc[unique, "column"].dropna().astype(str).unique())
    )
    cases = cases.drop_duplicates(["column", "check", "index"])
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        column = "(table)" if pd.isna(column) else column
        index = [i for i in group["index"].tolist() if i is not None and not pd.isna(i)]
        shown = []
        for i in index[:limit]:
            if i in frame.index:
                row = frame.loc[i]
                if isinstance(row, pd.DataFrame):
                    row = row.iloc[0]
                parts = [
                    f"{c}={_show(row[c])}"
                    for c in ("area_code", "period", "value")
                    if c in frame.columns
                ]
                shown.append(f"row {i} ({', '.join(parts)})")
        if not shown:
            shown = [_show(v) for v in group["failure_case"].head(limit).tolist()]
        more = f" and {len(group) - limit} more" if len(group) > limit else ""
        lines.append(
            f"column {column!r}, check {check}: {len(group)} failure(s): {'; '.join(shown)}{more}"
        )
    return lines


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, *, source: str) -> pd.DataFrame:
    """Validate ``frame`` against ``schema`` (all checks, lazily) or raise a readable error.

    Raises
    ------
    ValidationError
        ``source <name>: table breaks N rule(s):`` then one line per column × check, naming
        up to five offending rows by index, area, period and value.
    """
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        lines = _describe_failures(frame, errors)
        raise ValidationError(
            f"source {source!r}: table breaks {len(lines)} rule(s):\n  " + "\n  ".join(lines)
        ) from None


def validate_indicator(
    frame: pd.DataFrame,
    codes: Iterable[str],
    unit: str,
    ranges: UnitRanges,
    *,
    source: str,
    code_set_name: str = "LAD23",
) -> pd.DataFrame:
    """Validate one indicator's rows (:func:`indicator_schema`)."""
    return validate(
        frame, indicator_schema(codes, unit, ranges, code_set_name=code_set_name), source=source
    )


def validate_export(
    frame: pd.DataFrame,
    codes: Iterable[str],
    units: dict[str, str],
    ranges: UnitRanges,
    *,
    source: str,
    code_set_name: str = "LAD23",
) -> pd.DataFrame:
    """Validate a stacked table of several indicators, each against its own unit's range.

    ``units`` maps indicator key → unit, ``ranges`` unit → range. Uniqueness of area × indicator × period is checked
    over the whole table.
    """
    codes = sorted(set(codes))
    unknown = sorted(set(frame["indicator"]) - set(units))
    if unknown:
        raise ValidationError(f"source {source!r}: indicator(s) {unknown} have no declared unit")
    for key, rows in frame.groupby("indicator", sort=True):
        validate_indicator(
            rows,
            codes,
            units[key],
            ranges,
            source=f"{source} [{key}]",
            code_set_name=code_set_name,
        )
    whole = pa.DataFrameSchema(unique=["area_code", "indicator", "period"], report_duplicates="all")
    validate(frame, whole, source=source)
    return frame
