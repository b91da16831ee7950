"""Periods and the baseline rule shared by the mission tests and the local targets.

ELS periods are ISO 8601 strings: a start date with an optional duration (``2021-04-01/P1Y``,
``2017-01-01/P3Y``) or a bare snapshot date (ASHE's April reference day, a coverage snapshot).
The mission baseline is the latest period *published* before the Levelling Up White Paper
(2 February 2022): :class:`BaselineRule` and :func:`baseline_period`. The latest period is
the newest with data (:func:`latest_period`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import pandas as pd

from localineq.data.readers import parse_period

__all__ = [
    "WHITE_PAPER_DATE",
    "BaselineRule",
    "baseline_period",
    "latest_period",
    "period_bounds",
    "period_midyear",
]

#: Publication date of the Levelling Up White Paper (HM Government, CP 604).
WHITE_PAPER_DATE = "2022-02-02"


def period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of an ISO 8601 period (``2021-04-01/P1Y``) or snapshot date.

    A period ``start/PnYmM`` covers ``start`` up to the day before ``start + n years + m
    months``; a bare date (an ASHE reference date, a coverage snapshot) is a single day.

    Parameters
    ----------
    period : str

    Returns
    -------
    tuple of pandas.Timestamp
        ``(first_day, last_day)``.

    Raises
    ------
    ValueError
        If the text is not such a period.

    Examples
    --------
    >>> [str(t.date()) for t in period_bounds("2021-04-01/P1Y")]
    ['2021-04-01', '2022-03-31']
    >>> [str(t.date()) for t in period_bounds("2017-01-01/P3Y")]
    ['2017-01-01', '2019-12-31']
    >>> [str(t.date()) for t in period_bounds("2021-04-21")]
    ['2021-04-21', '2021-04-21']
    """
    return _period_bounds(str(period))


# Cached: the scorecard and the back-test ask for the same few dozen periods hundreds of
# thousands of times (one call per row); parsing each once cut the mission job by about 20 s.
@lru_cache(maxsize=4096)
def _period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    parsed = parse_period(period)
    start, years, months = parsed.start, parsed.years, parsed.months
    if years == 0 and months == 0:
        return start, start
    end = start + pd.DateOffset(years=years, months=months) - pd.Timedelta(days=1)
    return start, end


def period_midyear(period: str) -> float:
    """Decimal year of a period's midpoint (for trends over periods of any length).

    Examples
    --------
    >>> round(period_midyear("2017-01-01/P3Y"), 2)
    2018.5
    >>> round(period_midyear("2021-04-21"), 2)
    2021.3
    """
    return _period_midyear(str(period))


@lru_cache(maxsize=4096)
def _period_midyear(period: str) -> float:
    first, last = _period_bounds(period)
    mid = first + (last + pd.Timedelta(days=1) - first) / 2 if last > first else first
    start_of_year = pd.Timestamp(year=mid.year, month=1, day=1)
    days = 366 if pd.Timestamp(year=mid.year, month=12, day=31).day_of_year == 366 else 365
    return mid.year + (mid - start_of_year).total_seconds() / (days * 86400)


@dataclass(frozen=True)
class BaselineRule:
    """How a mission's baseline period is chosen.

    The default is the latest period *published* before the White Paper (2 February 2022).
    The sources carry no publication dates, so publication is dated as the period's last day
    plus ``lag_months`` (the source's usual publication lag, stated per indicator in
    config). ``period`` fixes the baseline outright.

    Attributes
    ----------
    before : str
        ISO date; the baseline must have been published strictly before it.
    lag_months : int
        Months from the end of a period to its publication.
    period : str or None
        An explicit baseline period (overrides the date rule).
    fallback : {"none", "earliest"}
        When no period was published before ``before``: ``"none"`` gives no baseline
        (every test is ``no_data``); ``"earliest"`` uses the earliest period and says so.
    """

    before: str = WHITE_PAPER_DATE
    lag_months: int = 0
    period: str | None = None
    fallback: Literal["none", "earliest"] = "none"

    def __post_init__(self) -> None:
        pd.Timestamp(self.before)  # raises on a bad date
        if self.lag_months < 0:
            raise ValueError(f"lag_months must be >= 0, got {self.lag_months}")
        if self.fallback not in ("none", "earliest"):
            raise ValueError(f"fallback must be 'none' or 'earliest', got {self.fallback!r}")

    @classmethod
    def from_config(cls, spec: dict[str, Any] | None) -> BaselineRule:
        """Build a rule from a config mapping (keys as the attributes; all optional)."""
        spec = dict(spec or {})
        unknown = set(spec) - {"before", "lag_months", "period", "fallback"}
        if unknown:
            raise ValueError(f"unknown baseline rule keys: {sorted(unknown)}")
        if "before" in spec:
            spec["before"] = str(spec["before"])
        return cls(**spec)

    def describe(self) -> str:
        """One-line statement of the rule, for tables and captions."""
        if self.period is not None:
            return f"fixed: {self.period}"
        text = f"latest period published before {self.before}"
        if self.lag_months:
            text += f" (published {self.lag_months} months after the period ends)"
        if self.fallback == "earliest":
            text += "; else the earliest period"
        return text


def baseline_period(periods: Sequence[str], rule: BaselineRule | None = None) -> str | None:
    """The baseline period chosen from ``periods`` by ``rule``.

    A period counts as published at ``last_day + lag_months``; the baseline is the period
    with the latest last day among those published strictly before ``rule.before``.

    Parameters
    ----------
    periods : sequence of str
        Periods with data (duplicates allowed).
    rule : BaselineRule, optional
        Defaults to ``BaselineRule()`` (published before 2 February 2022, no lag).

    Returns
    -------
    str or None
        ``None`` when no period qualifies and ``rule.fallback == "none"``.

    Raises
    ------
    ValueError
        If ``rule.period`` is given but absent from ``periods``.

    Examples
    --------
    >>> p = ["2019-01-01/P1Y", "2020-01-01/P1Y", "2021-01-01/P1Y", "2022-01-01/P1Y"]
    >>> baseline_period(p)
    '2021-01-01/P1Y'
    >>> baseline_period(p, BaselineRule(lag_months=21))  # GDHI: 2020 published Oct 2022
    '2019-01-01/P1Y'
    >>> baseline_period(["2022-01-01/P1Y"]) is None
    True
    >>> baseline_period(["2022-01-01/P1Y"], BaselineRule(fallback="earliest"))
    '2022-01-01/P1Y'
    """
    rule = rule or BaselineRule()
    unique = sorted(set(map(str, periods)), key=lambda p: period_bounds(p))
    if rule.period is not None:
        if rule.period not in unique:
            raise ValueError(f"baseline period {rule.period!r} is not among {unique}")
        return rule.period
    cutoff = pd.Timestamp(rule.before)
    published = [
        p for p in unique if period_bounds(p)[1] + pd.DateOffset(months=rule.lag_months) < cutoff
    ]
    if published:
        return max(published, key=lambda p: period_bounds(p)[1])
    if rule.fallback == "earliest" and unique:
        return unique[0]
    return None


def latest_period(periods: Sequence[str]) -> str | None:
    """The newest period (latest last day), or ``None`` if there is none.

    Examples
    --------
    >>> latest_period(["2021-04-21", "2025-04-30", "2008-04-16"])
    '2025-04-30'
    """
    unique = set(map(str, periods))
    return max(unique, key=lambda p: period_bounds(p)[1]) if unique else None
