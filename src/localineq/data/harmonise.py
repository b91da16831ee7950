"""Harmonise local-authority series onto one code vintage (LAD23, April 2023).

Older periods of many ONS series are published on the LA codes of their day; a few recent
ones already use codes introduced after 2023. The ONS code-change file (``changes.csv``:
``oldcd, oldnm, newcd, newnm, type, start``) says how codes relate. Rules, in the order
they are applied (:func:`harmonise_to_target`):

1. **Only LA-to-LA changes count.** A row whose old or new code is not a lower-tier LA code
   (combined authorities ``E47`` of type ``new_geo``, county ``termination`` rows) is not a
   change of LA geography and is ignored.
2. **Later renames are undone.** A 1:1 change dated after the target year whose old code is
   a target code (Barnsley ``E08000016 → E08000038`` and Sheffield ``E08000019 →
   E08000039``, 2025) is reversed: the later code is relabelled to the LAD23 code. Any other
   change after the target year that reaches the data is an error.
3. **Published target rows win.** When a LAD23 code is itself published for a period, rows
   of its predecessors for that period are *superseded* (dropped and counted), whatever
   their values — the publisher's own figure for the current area is never replaced by a
   reconstruction. This also covers a relabelled later code duplicating a published LAD23
   row (the LAD23 row is kept; value differences are counted in the report).
   **A county identical to a new unitary counts as published.** When every district of an
   abolished county (LTLA lookup) merged into one and the same new unitary authority, and
   that unitary has no other constituent (North Yorkshire ``E10000023 → E06000065``, Somerset
   ``E10000027 → E06000066``, 2023), the county's own published value *is* a value for the
   unitary's area: it is used (``same_area``) unless the unitary's code is itself published,
   and the districts' rows are superseded. (Cumbria split into two unitaries: no identity.)
4. **Renames map 1:1.** A chain of changes with one predecessor at every step (e.g. Fife
   ``S12000015 → S12000047``) passes the value and its confidence interval through.
5. **Mergers are population-weighted means.** For a LAD23 area formed from several old
   areas (e.g. Cumberland = Allerdale + Carlisle + Copeland), the value is
   :math:`y_T = \\sum_i p_i y_i / \\sum_i p_i` over the old areas *i* published for that period,
   with :math:`p_i` the old area's population (IoD2019 File 6, mid-2015, 2019 codes; an area
   built from older codes sums its parts). Never an unweighted mean: a constituent without a
   population is an error. Chains merge recursively (Taunton Deane + West Somerset →
   Somerset West and Taunton → Somerset).
6. **Incomplete or suppressed mergers are missing.** If any old area of a merger is absent
   for the period, or its value is missing, the merged value is missing (status says which)
   — never a mean over a subset.
7. **Splits are refused.** An old code with more than one successor has no rule here; data
   containing it is an error.

Confidence intervals of a merger assume independent, symmetric, normal errors:
:math:`se_i = (uci_i - lci_i) / (2 \\cdot 1.96)`, :math:`se_T = \\sqrt{\\sum_i w_i^2 se_i^2}` with
:math:`w_i = p_i / \\sum p`; they are missing if any constituent lacks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from localineq.data.geography import is_la_code

Z95 = 1.959963984540054


class HarmonisationError(ValueError):
    """Data that no harmonisation rule covers; the message names source, codes and periods."""


@dataclass(frozen=True)
class ChangeRules:
    """LA code changes relative to a target vintage.

    Attributes
    ----------
    predecessors
        New code → old codes it was formed from (changes up to the target year).
    successors
        Old code → new codes (more than one = a split).
    reverse
        Later code → target code for 1:1 renames after the target year (rule 2).
    later
        Codes created after the target year by any other change (no rule; error if used).
    ignored
        Rows of the change file that are not LA-to-LA changes (rule 1).
    identities
        Abolished county → the new unitary with exactly its area (rule 3, second part).
    """

    predecessors: dict[str, list[str]]
    successors: dict[str, list[str]]
    reverse: dict[str, str]
    later: frozenset[str]
    ignored: pd.DataFrame = field(repr=False)
    identities: dict[str, str] = field(default_factory=dict)

    def final_target(self, code: str, targets: set[str]) -> str | None:
        """The target code an old code ends up in by following successors (``None``: none)."""
        seen = set()
        while code not in targets:
            nxt = self.successors.get(code, [])
            if len(nxt) != 1 or code in seen:
                return None
            seen.add(code)
            code = nxt[0]
        return code


def _leaves(code: str, predecessors: Mapping[str, list[str]]) -> set[str]:
    """The oldest codes an area was built from (itself if it has no predecessors)."""
    parts = predecessors.get(code)
    if not parts:
        return {code}
    return set().union(*(_leaves(part, predecessors) for part in parts))


def county_identities(
    changes: pd.DataFrame,
    ltla_lookup: pd.DataFrame,
    predecessors: Mapping[str, list[str]],
    successors: Mapping[str, list[str]],
    target_year: int,
) -> dict[str, str]:
    """Abolished counties whose area is exactly one new unitary authority.

    A county ``C`` terminated by ``target_year`` maps to unitary ``U`` when all of its
    districts (``ltla_lookup``) lead to ``U`` and the oldest constituents of ``U`` are exactly
    the oldest constituents of those districts.
    """
    ended = changes[
        (changes["type"] == "termination")
        & changes["old_code"].str.startswith("E10")
        & (changes["start"] <= target_year)
    ]
    identities = {}
    for county in sorted(ended["old_code"]):
        districts = ltla_lookup.loc[ltla_lookup["county_code"] == county, "ltla_code"].tolist()
        finals = set()
        for district in districts:
            code, seen = district, set()
            while successors.get(code) and len(successors[code]) == 1 and code not in seen:
                seen.add(code)
                code = successors[code][0]
            finals.add(code)
        if len(finals) != 1 or not districts:
            continue
        (unitary,) = finals
        district_leaves = set().union(*(_leaves(d, predecessors) for d in districts))
        if unitary not in districts and _leaves(unitary, predecessors) == district_leaves:
            identities[county] = unitary
    return identities


def change_rules(
    changes: pd.DataFrame,
    target_codes: Iterable[str],
    target_year: int = 2023,
    ltla_lookup: pd.DataFrame | None = None,
    recodes: Mapping[str, str] | None = None,
) -> ChangeRules:
    """Classify the code-change file relative to the target vintage (rules 1, 2, 3, 7).

    With ``ltla_lookup`` (district → county), abolished counties identical to one new
    unitary are found too (:func:`county_identities`). ``recodes`` (old code → new code,
    ``config.yaml: harmonisation.recodes``) are GSS code changes older than the change file,
    taken from the ONS Code History Database; each is a change before the target year, so a
    1:1 rename (rule 4) unless it joins a merger.

    Parameters
    ----------
    changes
        Output of :func:`localineq.data.lookups.read_code_changes`.
    target_codes
        Codes of the target vintage (the LAD23 codes).
    target_year
        Changes with ``start <= target_year`` are part of the target vintage.

    Examples
    --------
    >>> ch = pd.DataFrame({"old_code": ["E07000001", "E07000002", "E08000016", "E06000057"],
    ...                    "new_code": ["E06000099", "E06000099", "E08000038", "E47000011"],
    ...                    "type": ["merger", "merger", "new_code", "new_geo"],
    ...                    "start": [2021, 2021, 2025, 2018]})
    >>> r = change_rules(ch, ["E06000099", "E08000016"])
    >>> r.predecessors, r.reverse, len(r.ignored)
    ({'E06000099': ['E07000001', 'E07000002']}, {'E08000038': 'E08000016'}, 1)
    """
    targets = set(target_codes)
    new = changes["new_code"].fillna("")
    la_edge = is_la_code(changes["old_code"]) & is_la_code(new)
    edges = changes[la_edge]
    current = edges[edges["start"] <= target_year]
    predecessors: dict[str, list[str]] = {}
    successors: dict[str, list[str]] = {}
    for old, new_code in zip(current["old_code"], current["new_code"], strict=True):
        predecessors.setdefault(new_code, []).append(old)
        successors.setdefault(old, []).append(new_code)
    for old, new_code in sorted((recodes or {}).items()):
        if old in successors or old in set(edges["old_code"]):
            raise ValueError(
                f"recode {old} -> {new_code} (harmonisation.recodes): the code-change file "
                f"already has a change of {old}; declare each change once"
            )
        predecessors.setdefault(new_code, []).append(old)
        successors.setdefault(old, []).append(new_code)
    reverse: dict[str, str] = {}
    later: set[str] = set()
    after = edges[edges["start"] > target_year]
    n_old = after.groupby("new_code")["old_code"].transform("nunique")
    n_new = after.groupby("old_code")["new_code"].transform("nunique")
    for old, new_code, one_old, one_new in zip(
        after["old_code"], after["new_code"], n_old, n_new, strict=True
    ):
        if old in targets and one_old == 1 and one_new == 1:
            reverse[new_code] = old
        else:
            later.add(new_code)
    predecessors = {k: sorted(v) for k, v in sorted(predecessors.items())}
    successors = {k: sorted(v) for k, v in sorted(successors.items())}
    identities = (
        {}
        if ltla_lookup is None
        else county_identities(changes, ltla_lookup, predecessors, successors, target_year)
    )
    return ChangeRules(
        predecessors=predecessors,
        successors=successors,
        reverse=dict(sorted(reverse.items())),
        later=frozenset(later),
        ignored=changes[~la_edge].reset_index(drop=True),
        identities=identities,
    )


@dataclass
class _Node:
    value: float
    lci: float
    uci: float
    population: float | None
    codes: list[str]
    missing: list[str]
    suppressed: list[str]


def _resolve(code, present, rules, population, consumed) -> _Node:
    """Value of ``code`` for one period: published, passed through a rename, or merged."""
    if code in present:
        consumed.add(code)
        row = present[code]
        value = row["value"]
        return _Node(
            value,
            row["lci_95"],
            row["uci_95"],
            population.get(code),
            [code],
            [],
            [code] if pd.isna(value) else [],
        )
    parts = rules.predecessors.get(code, [])
    if not parts:
        return _Node(np.nan, np.nan, np.nan, population.get(code), [], [code], [])
    children = [_resolve(part, present, rules, population, consumed) for part in parts]
    codes = [c for child in children for c in child.codes]
    missing = [c for child in children for c in child.missing]
    suppressed = [c for child in children for c in child.suppressed]
    if len(children) == 1:
        child = children[0]
        return _Node(
            child.value,
            child.lci,
            child.uci,
            population.get(code, child.population),
            codes,
            missing,
            suppressed,
        )
    pops = [child.population for child in children]
    total = population.get(code, None if any(p is None for p in pops) else float(sum(pops)))
    if missing or suppressed:
        return _Node(np.nan, np.nan, np.nan, total, codes, missing, suppressed)
    if any(p is None for p in pops):
        lacking = [c for child in children if child.population is None for c in child.codes]
        raise HarmonisationError(
            f"merger into {code}: no population for old area(s) {lacking}; refusing an "
            "unweighted mean (add them to the old-area population table)"
        )
    w = np.asarray(pops, dtype=float) / float(sum(pops))
    values = np.array([child.value for child in children], dtype=float)
    lci = np.array([child.lci for child in children], dtype=float)
    uci = np.array([child.uci for child in children], dtype=float)
    merged = float(w @ values)
    if np.isnan(lci).any() or np.isnan(uci).any():
        low = high = np.nan
    else:
        se = float(np.sqrt(np.sum((w * (uci - lci) / (2 * Z95)) ** 2)))
        low, high = merged - Z95 * se, merged + Z95 * se
    return _Node(merged, low, high, total, codes, [], [])


#: Columns of the harmonisation report, one row per rule applied.
REPORT_COLUMNS = ("period", "area_code", "rule", "constituents", "n_rows", "note")


def _report_row(
    period: str, area_code: str | None, rule: str, constituents: str, n_rows: int, note: str
) -> dict:
    """One report row, its keys in :data:`REPORT_COLUMNS` order."""
    return dict(
        zip(REPORT_COLUMNS, (period, area_code, rule, constituents, n_rows, note), strict=True)
    )


def harmonise_to_target(
    frame: pd.DataFrame,
    rules: ChangeRules,
    old_population: Mapping[str, float],
    target_codes: Iterable[str],
    *,
    source: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put one indicator's rows (all periods) onto target codes with the module's rules.

    Parameters
    ----------
    frame
        Rows of one indicator: ``area_code, period, value, lci_95, uci_95`` plus any
        period-level columns (carried over to merged rows from a constituent). Only codes
        that are target codes or covered by ``rules`` are allowed.
    rules
        From :func:`change_rules`.
    old_population
        Old area code → population, weighting mergers (rule 5).
    target_codes
        Codes the output may contain (LAD23; for upper-tier series also UTLA codes).
    source
        Named in error messages.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The harmonised rows (same columns, plus ``harmonisation``: ``published``,
        ``reverse_rename``, ``rename``, ``merger`` or ``merger_incomplete``), sorted by
        period and code; and a report with one row per rule applied:
        ``period, area_code, rule, constituents, n_rows, note``.

    Raises
    ------
    HarmonisationError
        For codes no rule covers, splits, later non-rename changes, or a merger constituent
        without population.
    """
    targets = set(target_codes)
    data = frame.copy()
    data["harmonisation"] = "published"
    _check_codes(data, rules, targets, source)
    data, renamed = _undo_later_renames(data, rules, targets)
    data, counties = _relabel_identical_counties(data, rules)
    merged, combined = _combine_old_codes(data, rules, old_population, targets)
    result = pd.concat(merged, ignore_index=True) if len(merged) > 1 else merged[0].copy()
    result = result.astype(
        {c: frame[c].dtype for c in frame.columns if c in ("value", "lci_95", "uci_95")}
    )
    report = pd.DataFrame(renamed + counties + combined, columns=list(REPORT_COLUMNS))
    return (
        result.sort_values(["period", "area_code"]).reset_index(drop=True),
        report.sort_values(["period", "area_code", "rule", "constituents"]).reset_index(drop=True),
    )


def _check_codes(data: pd.DataFrame, rules: ChangeRules, targets: set[str], source: str) -> None:
    """Refuse codes that no rule covers (rules 2 and 7), before anything is changed.

    Parameters
    ----------
    data : pandas.DataFrame
        The indicator's rows, with ``area_code`` and ``period``.
    rules : ChangeRules
    targets : set of str
        Target codes.
    source : str
        Named in the error message.

    Raises
    ------
    HarmonisationError
        For a code split into several successors, a code created after the target vintage
        other than by a 1:1 rename, a code neither a target nor covered by ``rules``, or an
        old code whose chain of changes reaches no target code. The message names the source,
        up to eight codes and up to four of their periods.
    """
    codes = pd.Series(data["area_code"].unique())
    split = sorted(c for c in codes if len(rules.successors.get(c, [])) > 1)
    later = sorted(c for c in codes if c in rules.later)
    covered = targets | rules.identities.keys() | rules.reverse.keys() | rules.successors.keys()
    unknown = sorted(c for c in codes if c not in covered and c not in rules.later)
    for problem, found in (
        ("split into several new areas; no rule divides a value", split),
        ("created after the target vintage by a change other than a 1:1 rename; no rule", later),
        (
            "neither a target code nor covered by the code-change file or by "
            "harmonisation.recodes in config/config.yaml (GSS code changes from the ONS Code "
            "History Database)",
            unknown,
        ),
    ):
        if found:
            periods = sorted(data.loc[data["area_code"].isin(found), "period"].unique())
            raise HarmonisationError(
                f"source {source!r}: code(s) {found[:8]} {problem} (periods {periods[:4]})"
            )
    dangling = sorted(
        c for c in codes if c in rules.successors and rules.final_target(c, targets) is None
    )
    if dangling:
        raise HarmonisationError(
            f"source {source!r}: old code(s) {dangling[:8]} lead to no target code"
        )


def _undo_later_renames(
    data: pd.DataFrame, rules: ChangeRules, targets: set[str]
) -> tuple[pd.DataFrame, list[dict]]:
    """Rule 2: relabel codes renamed after the target year back to their target code.

    A relabelled row duplicating a published target row for the same period is dropped (the
    published row wins, rule 3) and reported as ``superseded`` with the number of values
    that differ; every relabelled row kept is reported as ``reverse_rename``.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows with ``area_code``, ``period``, ``value`` and ``harmonisation``; not modified.
    rules : ChangeRules
        ``rules.reverse`` maps each later code to its target code.
    targets : set of str

    Returns
    -------
    (pandas.DataFrame, list of dict)
        The rows, relabelled (``harmonisation`` = ``reverse_rename``), and report rows.
    """
    later_rows = data["area_code"].isin(rules.reverse)
    if not later_rows.any():
        return data, []
    data = data.copy()
    report: list[dict] = []

    def constituents(code: str) -> str:
        return ",".join(k for k, v in rules.reverse.items() if v == code)

    original = data.loc[later_rows, "area_code"]
    data.loc[later_rows, "area_code"] = original.map(rules.reverse)
    data.loc[later_rows, "harmonisation"] = "reverse_rename"
    key = ["area_code", "period"]
    both = data.duplicated(key, keep=False) & data["area_code"].isin(targets)
    if both.any():
        dup = data[both]
        kept = dup[dup["harmonisation"] == "published"].set_index(key)["value"]
        dropped = dup[dup["harmonisation"] == "reverse_rename"].set_index(key)["value"]
        aligned = dropped.reindex(kept.index)
        differ = ~((aligned == kept) | (aligned.isna() & kept.isna()))
        for (code, period), n_diff in differ.groupby(level=[0, 1]).sum().items():
            note = f"later code duplicates published LAD23 row; {int(n_diff)} value(s) differ"
            report.append(_report_row(period, code, "superseded", constituents(code), 1, note))
        data = data[~(both & (data["harmonisation"] == "reverse_rename"))]
    for (code, period), _ in data[data["harmonisation"] == "reverse_rename"].groupby(key):
        report.append(_report_row(period, code, "reverse_rename", constituents(code), 1, ""))
    return data, report


def _relabel_identical_counties(
    data: pd.DataFrame, rules: ChangeRules
) -> tuple[pd.DataFrame, list[dict]]:
    """Rule 3, second part: an abolished county's row becomes its identical unitary's.

    The row is relabelled (``harmonisation`` = ``same_area``) unless the unitary's own code
    is published for that period, in which case the county's row is dropped.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows with ``area_code``, ``period`` and ``harmonisation``; not modified.
    rules : ChangeRules
        ``rules.identities`` maps a county code to its unitary's code.

    Returns
    -------
    (pandas.DataFrame, list of dict)
        The rows, and one report row per county row: ``same_area`` or ``superseded``.
    """
    county_rows = data["area_code"].isin(rules.identities)
    if not county_rows.any():
        return data, []
    data = data.copy()
    report: list[dict] = []
    key = ["area_code", "period"]
    relabelled = data.loc[county_rows, "area_code"].map(rules.identities)
    published = pd.MultiIndex.from_frame(data.loc[~county_rows, key])
    clash = pd.MultiIndex.from_arrays([relabelled, data.loc[county_rows, "period"]]).isin(published)
    for (county, period), won in zip(
        data.loc[county_rows, key].itertuples(index=False), clash, strict=True
    ):
        if won:
            rule, note = "superseded", "unitary's own code is published"
        else:
            rule, note = "same_area", "abolished county with exactly this area"
        report.append(_report_row(period, rules.identities[county], rule, county, 1, note))
    superseded_index = data.index[county_rows][clash]
    data.loc[county_rows, "area_code"] = relabelled
    data.loc[county_rows, "harmonisation"] = "same_area"
    return data.drop(index=superseded_index), report


def _combine_old_codes(
    data: pd.DataFrame,
    rules: ChangeRules,
    old_population: Mapping[str, float],
    targets: set[str],
) -> tuple[list[pd.DataFrame], list[dict]]:
    """Rules 3–6, period by period: old codes renamed or merged onto their target code.

    A target code published for the period stands and its predecessors are reported as
    ``superseded``; otherwise the target's row is built by :func:`_resolve` (a 1:1 rename, a
    population-weighted merger, or a missing ``merger_incomplete``) by :func:`_combined_row`.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows after rule 2 and the county identities.
    rules : ChangeRules
    old_population : Mapping
        Old area code → population (rule 5).
    targets : set of str

    Returns
    -------
    (list of pandas.DataFrame, list of dict)
        The rows already on target codes first, then one single-row frame per built target
        row; and the report rows.
    """
    out = [data[data["area_code"].isin(targets)]]
    report: list[dict] = []
    old = data[~data["area_code"].isin(targets)]
    for period, rows in old.groupby("period", sort=True):
        in_period = data[data["period"] == period]
        present = {
            code: row
            for code, row in zip(in_period["area_code"], in_period.to_dict("records"), strict=True)
        }
        finals = sorted({rules.final_target(code, targets) for code in rows["area_code"]})
        consumed: set[str] = set()
        for target in finals:
            if target in present:
                continue  # rule 3: the published target row stands; its predecessors are superseded
            node = _resolve(target, present, rules, old_population, consumed)
            template = present[node.codes[0]] if node.codes else rows.iloc[0].to_dict()
            row, entry = _combined_row(template, target, period, node)
            out.append(pd.DataFrame([row]))
            report.append(entry)
        for code in sorted(set(rows["area_code"]) - consumed):
            note = "a later code is published for this period"
            report.append(
                _report_row(period, rules.final_target(code, targets), "superseded", code, 1, note)
            )
    return out, report


def _combined_row(template: dict, target: str, period: str, node: _Node) -> tuple[dict, dict]:
    """The target's row built from a resolved chain of old codes, and its report row.

    Period-level columns come from ``template`` (a constituent's row); ``area_name`` and
    ``status`` are blanked, as they described the old area. The rule is ``rename`` for one
    constituent, ``merger`` for several, ``merger_incomplete`` when any is absent or
    suppressed (the note lists which).
    """
    merged = dict(template)
    merged.update(area_code=target, value=node.value, lci_95=node.lci, uci_95=node.uci)
    if "area_name" in merged:
        merged["area_name"] = pd.NA
    if "status" in merged:
        merged["status"] = pd.NA
    n_parts = len(node.codes) + len(node.missing)
    if node.missing or node.suppressed:
        rule = "merger_incomplete"
        note = (f"absent: {node.missing}; " if node.missing else "") + (
            f"value missing: {node.suppressed}" if node.suppressed else ""
        )
    else:
        rule = "rename" if n_parts == 1 else "merger"
        note = ""
    merged["harmonisation"] = rule
    constituents = ",".join(node.codes + node.missing)
    return merged, _report_row(
        period, target, rule, constituents, len(node.codes), note.strip("; ")
    )
