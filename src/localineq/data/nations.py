"""A nation's rows from its own file, folded into a source that leaves them out.

Some ELS series are published in two files: one for Great Britain and one for Northern
Ireland (NISRA's own survey, e.g. ``employment-rate-ni``). An indicator declares the second
file under ``nation_sources`` in config (nation letter → ``source`` and its ``indicator``
label). :func:`fold_nation_rows` applies one named rule, **main file first, nation file for
its own districts, on the main file's periods**:

1. From the nation file, the rows with the declared label are taken; every one must carry a
   code of that nation (a row of another nation would be a second value for it).
2. Only the periods the main file publishes for the indicator are kept, so a series does not
   gain years measured in one nation only (the dropped periods are counted).
3. Where the main file publishes the same area and period (the GB employment file carries a
   Northern Ireland row, N92000002, from the APS like every other region), the main file's
   row is kept: the regional lens then compares regions measured alike. The nation file's
   value for those rows is reported beside it (``overlap``), as the two can differ: NISRA's
   level 3 share for 2022 is 57.2%, the APS row 60.8%.
4. The kept rows take the main file's label (and ``filter`` values), so the indicator's rows
   are selected as before.

The result keeps the main file's index (line − 2), so errors about its rows still name their
lines; the nation rows are numbered after it and are checked against the nation file first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from localineq.data.indicators import select_rows
from localineq.data.validation import check_raw_values

__all__ = ["NationFold", "fold_nation_rows"]


@dataclass(frozen=True)
class NationFold:
    """What :func:`fold_nation_rows` took from a nation file, for the job's log."""

    nation: str
    source: str
    added: int
    dropped_periods: tuple[str, ...]
    overlap: pd.DataFrame = field(repr=False)

    def describe(self) -> str:
        """One line for the log: rows added, periods dropped, overlapping rows."""
        text = f"nation {self.nation} from {self.source}: {self.added} rows added"
        if self.dropped_periods:
            text += f"; periods not in the main file dropped: {', '.join(self.dropped_periods)}"
        for r in self.overlap.itertuples(index=False):
            text += (
                f"; {r.area_code} {r.period}: main file {r.value_main:g} kept, "
                f"nation file {r.value_nation:g}"
            )
        return text


def fold_nation_rows(
    main: pd.DataFrame,
    extra: pd.DataFrame,
    key: str,
    spec: Mapping[str, object],
    nation: str,
    extra_spec: Mapping[str, object],
    *,
    extra_file: str | os.PathLike | None = None,
    ranges: Mapping[str, tuple[float, float, bool]] | None = None,
) -> tuple[pd.DataFrame, NationFold]:
    """The main file's tidy rows with one nation's districts from its own file (module rules).

    Parameters
    ----------
    main, extra : pandas.DataFrame
        :func:`localineq.data.readers.read_els_csv` of the indicator's source and of the
        nation's file.
    key : str
        Indicator name (for messages).
    spec : mapping
        The indicator's config (``source``, ``indicator``, optional ``filter``).
    nation : str
        Nation letter (``N``): the first letter of every code taken from ``extra``.
    extra_spec : mapping
        ``source`` and ``indicator`` label of the nation's file.
    extra_file : path, optional
        The nation file, named in errors.
    ranges : mapping, optional
        The units table: the nation's raw values are checked against the indicator's unit
        here, where their lines are still the nation file's
        (:func:`localineq.data.validation.check_raw_values`).

    Returns
    -------
    (pandas.DataFrame, NationFold)
        ``main`` plus the nation's rows (relabelled), and what was folded.

    Raises
    ------
    ValueError
        If the nation file has a row of another nation under the label, or repeats an
        area × period (naming the file and its lines).

    Examples
    --------
    >>> m = pd.DataFrame({"area_code": ["S12000001", "N92000002"], "indicator": "Rate",
    ...                   "period": "2023", "value": [70.0, 73.6]})
    >>> x = pd.DataFrame({"area_code": ["N09000001", "N92000002", "N09000001"],
    ...                   "indicator": "Rate (NI)", "period": ["2023", "2023", "2016"],
    ...                   "value": [78.5, 73.5, 60.0]})
    >>> out, fold = fold_nation_rows(m, x, "rate", {"source": "gb", "indicator": "Rate"},
    ...                              "N", {"source": "ni", "indicator": "Rate (NI)"})
    >>> out[["area_code", "value"]].values.tolist()
    [['S12000001', 70.0], ['N92000002', 73.6], ['N09000001', 78.5]]
    >>> fold.added, fold.dropped_periods
    (1, ('2016',))
    """
    source = str(extra_spec["source"])
    where = f"source {source!r}" + (f", file {os.fspath(extra_file)}" if extra_file else "")
    rows = select_rows(extra, key, {"source": source, "indicator": extra_spec["indicator"]})
    foreign = rows[~rows["area_code"].astype(str).str.startswith(nation)]
    if not foreign.empty:
        lines = ", ".join(str(int(i) + 2) for i in foreign.index[:6])
        raise ValueError(
            f"indicator {key!r}: {where} is declared for nation {nation} but has rows for "
            f"{sorted(foreign['area_code'].unique())[:5]} (lines {lines})"
        )
    check_raw_values(
        rows,
        spec.get("unit"),
        ranges,
        source=source,
        path=os.fspath(extra_file) if extra_file else None,
        label=f", indicator {key!r}",
    )
    repeated = rows[rows.duplicated(["area_code", "period"], keep=False)]
    if not repeated.empty:
        lines = ", ".join(str(int(i) + 2) for i in repeated.index[:6])
        raise ValueError(f"indicator {key!r}: {where} repeats an area × period (lines {lines})")
    own = select_rows(main, key, spec)
    periods = set(own["period"])
    dropped = tuple(sorted(set(rows["period"]) - periods))
    rows = rows[rows["period"].isin(periods)]
    keys = pd.MultiIndex.from_frame(rows[["area_code", "period"]])
    published = keys.isin(pd.MultiIndex.from_frame(own[["area_code", "period"]]))
    overlap = (
        rows.loc[published, ["area_code", "period", "value"]]
        .rename(columns={"value": "value_nation"})
        .merge(
            own[["area_code", "period", "value"]].rename(columns={"value": "value_main"}),
            on=["area_code", "period"],
        )
        .sort_values(["area_code", "period"])
        .reset_index(drop=True)
    )
    rows = rows[~published].copy()
    rows["indicator"] = spec["indicator"]
    for column, wanted in dict(spec.get("filter") or {}).items():
        rows[column] = wanted
    start = int(main.index.max()) + 1 if len(main) else 0
    rows.index = pd.RangeIndex(start, start + len(rows))
    out = pd.concat([main, rows[[c for c in main.columns if c in rows.columns]]])
    return out, NationFold(nation, source, len(rows), dropped, overlap)
