"""The neighbourhood level: English LSOAs (2011) inside LAD23 → ITL3 → ITL2 → ITL1.

The English Indices of Deprivation 2019 (IoD2019, MHCLG) are published for the 32,844 Lower
layer Super Output Areas (LSOAs, 2011) of England, with their local authority on April 2019
codes (File 1) and mid-2015 population denominators (File 6). This module

1. maps LAD19 codes onto LAD23 codes (:func:`lad19_to_lad23`). Between April 2019 and April
   2023 every change to English district geography was a *whole-district merger*
   (Buckinghamshire 2020, the Northamptonshire unitaries 2021, Cumberland, Westmorland and
   Furness, North Yorkshire and Somerset 2023), so each LSOA lies wholly inside exactly one
   LAD23 and no apportioning is needed. Anything else (a split, a boundary change with a new
   code) is refused with an error;
2. builds one tidy table of LSOAs (:func:`lsoa_deprivation`) with their LAD23, ITL3, ITL2 and
   ITL1 (each LAD23's *primary* ITL3 from ``lad23_hierarchy.parquet``: Cumberland and
   Westmorland and Furness straddle two ITL3s and are placed in their primary one), population,
   IMD score and income-deprivation rate.

The split of inequality between LSOAs over ITL1 → … → LA → LSOA is
:func:`localineq.analysis.profile_tables.lsoa_profile`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from localineq.data.geography import is_la_code

#: English LSOAs (2011) in IoD2019.
N_ENGLISH_LSOAS = 32_844
#: Change types that keep a district whole: several districts form one (``merger``) or one
#: district takes a new code (``new_code``).
WHOLE_DISTRICT_CHANGES = frozenset({"merger", "new_code"})
#: Levels of the LSOA profile, coarsest first (LSOAs are the units).
LSOA_LEVELS = ("itl1", "itl2", "itl3", "lad23")
#: Indicators of the LSOA table analysed by :func:`lsoa_profile`.
LSOA_INDICATORS = {
    "imd_score": "IMD 2019 score (England)",
    "income_rate": "Income deprivation rate (proportion of residents)",
}
LSOA_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "lad19_code",
    "lad23_code",
    "itl3_code",
    "itl2_code",
    "itl1_code",
    "population",
    "imd_score",
    "income_rate",
]


class NeighbourhoodError(ValueError):
    """LSOA data that breaks a rule; the message names source, file, column and rows/codes."""


def _shown(items: Iterable, n: int = 5) -> str:
    items = list(items)
    return ", ".join(str(x) for x in items[:n]) + (" …" if len(items) > n else "")


def lad19_to_lad23(
    lad19_codes: Iterable[str],
    changes: pd.DataFrame,
    lad23_codes: Iterable[str],
    *,
    target_year: int = 2023,
    source: str = "la_code_changes",
) -> dict[str, str]:
    """Map LA codes of April 2019 onto the LAD23 codes whose area contains them.

    A code that is a LAD23 code maps to itself. Otherwise its successors in the code-change
    file (LA-to-LA rows with ``start <= target_year``) are followed until a LAD23 code is
    reached: :math:`c \\to s(c) \\to s(s(c)) \\to \\dots \\in \\mathrm{LAD23}`. Each step
    must be a whole-district change (:data:`WHOLE_DISTRICT_CHANGES`) with exactly one
    successor, so the old district lies wholly inside the LAD23 and anything nested in it
    (an LSOA) does too.

    Parameters
    ----------
    lad19_codes
        Codes to map (e.g. File 1's ``Local Authority District code (2019)``).
    changes
        :func:`localineq.data.lookups.read_code_changes` output.
    lad23_codes
        The target codes (``area_code`` of ``lad23_hierarchy.parquet``).

    Returns
    -------
    dict
        Old code → LAD23 code, sorted by old code.

    Raises
    ------
    NeighbourhoodError
        For a split (more than one successor), a change type that does not keep districts
        whole, or a code that reaches no LAD23 code; the message names the codes.

    Examples
    --------
    >>> ch = pd.DataFrame({"old_code": ["E07000004", "E07000005"],
    ...                    "new_code": ["E06000060", "E06000060"],
    ...                    "type": ["merger", "merger"], "start": [2020, 2020]})
    >>> lad19_to_lad23(["E07000004", "E07000005", "E09000001"], ch, ["E06000060", "E09000001"])
    {'E07000004': 'E06000060', 'E07000005': 'E06000060', 'E09000001': 'E09000001'}
    """
    targets = set(lad23_codes)
    new = changes["new_code"].fillna("").astype(str)
    edges = changes[
        is_la_code(changes["old_code"].astype(str))
        & is_la_code(new)
        & (changes["start"] <= target_year)
    ]
    successors: dict[str, list[tuple[str, str, int]]] = {}
    for old, new_code, kind, start in zip(
        edges["old_code"], edges["new_code"], edges["type"], edges["start"], strict=True
    ):
        successors.setdefault(old, []).append((new_code, kind, int(start)))
    mapping: dict[str, str] = {}
    splits, other, unmapped = [], [], []
    for code in sorted(set(lad19_codes)):
        current, seen = code, set()
        while current not in targets:
            steps = successors.get(current, [])
            if len(steps) > 1:
                splits.append(f"{current} → {sorted(s[0] for s in steps)}")
                break
            if not steps or current in seen:
                unmapped.append(code)
                break
            new_code, kind, start = steps[0]
            if kind not in WHOLE_DISTRICT_CHANGES:
                other.append(f"{current} → {new_code} ({kind}, {start})")
                break
            seen.add(current)
            current = new_code
        else:
            mapping[code] = current
    if splits:
        raise NeighbourhoodError(
            f"source {source!r}: LA split(s) {_shown(splits)}; an LSOA cannot be assigned to one "
            "LAD23 without a boundary lookup, so splits are refused"
        )
    if other:
        raise NeighbourhoodError(
            f"source {source!r}: change(s) {_shown(other)} are not whole-district changes "
            f"({sorted(WHOLE_DISTRICT_CHANGES)}); refusing to map LSOAs through them"
        )
    if unmapped:
        raise NeighbourhoodError(
            f"source {source!r}: LA code(s) {_shown(unmapped)} reach no LAD23 code "
            f"({len(unmapped)} codes)"
        )
    return mapping


def lsoa_deprivation(
    scores: pd.DataFrame,
    lookup: pd.DataFrame,
    population: pd.DataFrame,
    lad_map: Mapping[str, str],
    hierarchy: pd.DataFrame,
    *,
    expected_lsoas: int | None = N_ENGLISH_LSOAS,
    sources: Sequence[str] = ("imd2019_scores_mysociety", "imd2019_file1", "imd2019_file6"),
) -> pd.DataFrame:
    """One row per English LSOA with its geography, population and deprivation.

    Parameters
    ----------
    scores
        :func:`localineq.data.lookups.read_mysociety_imd` (``lsoa_code, imd_score, income_rate``).
    lookup
        :func:`localineq.data.lookups.read_iod_lsoa_lookup` (File 1: ``lsoa_code, lsoa_name,
        lad19_code``).
    population
        :func:`localineq.data.lookups.read_iod_lsoa_population` (File 6: ``lsoa_code, lad19_code,
        population``, mid-2015, excluding prisoners).
    lad_map
        LAD19 → LAD23 (:func:`lad19_to_lad23`).
    hierarchy
        ``area_code, itl3_code, itl2_code, itl1_code`` per LAD23.
    expected_lsoas
        Number of LSOAs every source must hold (32,844); ``None`` skips the count check.

    Returns
    -------
    pandas.DataFrame
        :data:`LSOA_COLUMNS`, sorted by ``lsoa_code``. ``imd_score`` is the official IMD 2019
        score; ``income_rate`` the Income Deprivation Domain rate as a *proportion* of
        residents (0–1).

    Raises
    ------
    NeighbourhoodError
        Naming the source and the LSOAs or codes concerned when: a source repeats an LSOA, the
        three sources do not hold the same LSOAs (or not ``expected_lsoas`` of them), File 1
        and File 6 disagree on an LSOA's LA, an LA code has no LAD23, or a LAD23 has no ITL
        hierarchy row.
    """
    s_scores, s_file1, s_file6 = sources
    frames = {s_scores: scores, s_file1: lookup, s_file6: population}
    for name, frame in frames.items():
        repeated = frame["lsoa_code"].duplicated(keep=False)
        if repeated.any():
            raise NeighbourhoodError(
                f"source {name!r}, column 'lsoa_code': repeated LSOA(s) "
                f"{_shown(sorted(set(frame.loc[repeated, 'lsoa_code'])))}"
            )
        if expected_lsoas is not None and len(frame) != expected_lsoas:
            raise NeighbourhoodError(
                f"source {name!r}: {len(frame)} LSOAs, expected {expected_lsoas} (England, 2011)"
            )
    reference = set(lookup["lsoa_code"])
    for name, frame in frames.items():
        codes = set(frame["lsoa_code"])
        if codes != reference:
            raise NeighbourhoodError(
                f"source {name!r}, column 'lsoa_code': LSOAs differ from {s_file1!r}: "
                f"missing {_shown(sorted(reference - codes))}; extra {_shown(sorted(codes - reference))}"
            )
    table = lookup[["lsoa_code", "lsoa_name", "lad19_code"]].merge(
        population[["lsoa_code", "lad19_code", "population"]].rename(
            columns={"lad19_code": "_lad19_file6"}
        ),
        on="lsoa_code",
        how="inner",
        validate="one_to_one",
    )
    disagree = table["lad19_code"] != table["_lad19_file6"]
    if disagree.any():
        raise NeighbourhoodError(
            f"sources {s_file1!r} and {s_file6!r}, column 'Local Authority District code (2019)':"
            f" LSOA(s) {_shown(table.loc[disagree, 'lsoa_code'])} have different LAs"
        )
    table = table.drop(columns="_lad19_file6").merge(
        scores[["lsoa_code", "imd_score", "income_rate"]],
        on="lsoa_code",
        how="inner",
        validate="one_to_one",
    )
    table["lad23_code"] = table["lad19_code"].map(dict(lad_map))
    unmapped = table["lad23_code"].isna()
    if unmapped.any():
        raise NeighbourhoodError(
            f"source {s_file1!r}, column 'Local Authority District code (2019)': LA code(s) "
            f"{_shown(sorted(set(table.loc[unmapped, 'lad19_code'])))} have no LAD23 code "
            f"({int(unmapped.sum())} LSOAs, e.g. {_shown(table.loc[unmapped, 'lsoa_code'], 3)})"
        )
    levels = hierarchy[["area_code", "itl3_code", "itl2_code", "itl1_code"]].rename(
        columns={"area_code": "lad23_code"}
    )
    table = table.merge(levels, on="lad23_code", how="left", validate="many_to_one")
    no_itl = table[["itl3_code", "itl2_code", "itl1_code"]].isna().any(axis=1)
    if no_itl.any():
        raise NeighbourhoodError(
            f"LAD23 code(s) {_shown(sorted(set(table.loc[no_itl, 'lad23_code'])))} are not in the "
            "LAD23 → ITL hierarchy (data/processed/lad23_hierarchy.parquet)"
        )
    for column in ("population", "imd_score", "income_rate"):
        bad = ~np.isfinite(table[column].to_numpy(dtype="float64"))
        if bad.any():
            raise NeighbourhoodError(
                f"column {column!r}: missing values for LSOA(s) {_shown(table.loc[bad, 'lsoa_code'])}"
            )
    return table[LSOA_COLUMNS].sort_values("lsoa_code").reset_index(drop=True)
