"""From a source's tidy table to one indicator's rows on its units of analysis, and the export.

An indicator is declared once in config (``indicators:``): its source, the rows it takes
(``indicator`` label, optional ``filter`` on other columns), unit, polarity, weight basis,
title, the nations it covers and its tier. :func:`prepare_indicator` applies, in order:

1. **Row selection** by label (and filter) and by code prefix — lower-tier LA codes, plus
   county codes (E10) for upper-tier series and abolished counties identical to a new
   unitary (:mod:`localineq.data.harmonise`, rule 3).
2. **Harmonisation** onto LAD23 codes (:mod:`localineq.data.harmonise`).
3. **Units of analysis**: ``tier: lad`` → LAD23; ``tier: upper`` → UTLA23 in England
   (counties and unitary tiers), LAD23 in Wales, Scotland and Northern Ireland. A series
   published for combined areas (``combined_areas``: e.g. healthy life expectancy publishes
   Cornwall with the Isles of Scilly, Hackney with the City of London) is analysed on the
   combined unit; the absorbed area's own code must not appear.
4. **Explicit coverage** (when ``nations`` is declared, as config always does): every unit
   of the declared nations gets a row in every period;
   units the source does not publish get a missing value with ``harmonisation =
   "not_published"`` — nothing is dropped silently and missing values are counted
   downstream. A row from a nation the config does not declare is an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from localineq.data.atomic import to_csv, to_parquet
from localineq.data.geography import (
    UNIT_LAD23,
    UNIT_UPPER_TIER,
    attach_hierarchy,
    is_la_code,
    select_local_authorities,
    unit_hierarchy,
)
from localineq.data.harmonise import ChangeRules, harmonise_to_target
from localineq.data.prices import deflate, price_basis_label

INDICATOR_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "period",
    "period_label",
    "reference_year",
    "value",
    "lci_95",
    "uci_95",
    "itl3_code",
    "itl2_code",
    "itl1_code",
    "itl1_name",
]

#: Columns of a prepared indicator table (before weights are attached).
PREPARED_COLUMNS = [*INDICATOR_COLUMNS, "status", "harmonisation", "unit_of_analysis"]

#: Columns of the analysis-ready export (``results/tables/la_indicators.*``), each with the type
#: it is read back with (:data:`EXPORT_DTYPES`). ``status`` is the
#: publisher's marker (ELS: ``x`` not available, ``u`` low reliability — the value is kept);
#: ``harmonisation`` says how the row reached its code (:mod:`localineq.data.harmonise`, or
#: ``not_published`` for an area the source omits).
EXPORT_TYPES: dict[str, type | str | None] = {
    **dict.fromkeys(
        ["area_code", "area_name", "itl1_code", "itl1_name", "indicator", "title", "unit"], str
    ),
    **dict.fromkeys(["period", "period_label"], str),
    **dict.fromkeys(["value", "lci_95", "uci_95", "weight"], "float64"),
    "weight_basis": str,
    "weight_year": None,  # read as parsed: whole years, empty for an unweighted indicator
    **dict.fromkeys(["status", "harmonisation", "unit_of_analysis"], str),
}
EXPORT_COLUMNS = list(EXPORT_TYPES)
#: Columns of the export that only label it (from config, never read by a computation). The
#: computations read the panel without them (``data/processed/panels/``, rule
#: ``indicator_tables``), so that editing a title reruns only the jobs that print it.
LABEL_COLUMNS = ["title"]
#: Columns of the title-free panel: the export without :data:`LABEL_COLUMNS`.
PANEL_COLUMNS = [c for c in EXPORT_COLUMNS if c not in LABEL_COLUMNS]

#: Columns added to the export when money indicators are deflated (:func:`add_real_terms`):
#: ``price_basis`` says what ``value`` is (``nominal`` for money, ``not money`` otherwise) and
#: the ``*_real`` columns hold the same row in constant prices, named by ``real_price_basis``.
REAL_TYPES: dict[str, type | str] = {
    "price_basis": str,
    **dict.fromkeys(["value_real", "lci_95_real", "uci_95_real"], "float64"),
    "real_price_basis": str,
}
REAL_COLUMNS = list(REAL_TYPES)
#: Column types the exports are read back with; without them a column of whole numbers (GDHI)
#: or of years (period labels) would parse as integers when read without other indicators' rows.
EXPORT_DTYPES = {k: v for k, v in {**EXPORT_TYPES, **REAL_TYPES}.items() if v is not None}
#: ``price_basis`` of rows that are not money (rates, scores, years).
NOT_MONEY = "not money"

COUNTY_PREFIX = "E10"


def select_rows(tidy: pd.DataFrame, key: str, spec: Mapping[str, object]) -> pd.DataFrame:
    """Rows of one indicator: its ``indicator`` label and any ``filter`` (column → value).

    Raises
    ------
    ValueError
        If the label selects nothing (listing the labels present) or a filter names an
        absent column.
    """
    rows = tidy[tidy["indicator"] == spec["indicator"]]
    if rows.empty:
        labels = sorted(tidy["indicator"].unique())
        raise ValueError(
            f"indicator {key!r}: source {spec['source']!r} has no rows labelled "
            f"{spec['indicator']!r}; labels present: {labels}"
        )
    for column, wanted in dict(spec.get("filter") or {}).items():
        if column not in rows.columns:
            raise ValueError(f"indicator {key!r}: filter column {column!r} not in the source table")
        rows = rows[rows[column].astype(str) == str(wanted)]
        if rows.empty:
            raise ValueError(f"indicator {key!r}: filter {column} = {wanted!r} selects no rows")
    return rows


def analysis_units(
    spec: Mapping[str, object], hierarchy: pd.DataFrame, upper_tier: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members (LAD23 → unit) and the unit table of an indicator.

    Parameters
    ----------
    spec
        The indicator's config; uses ``tier`` (``lad`` default, or ``upper``) and
        ``combined_areas`` (absorbed LAD23 → LAD23 whose unit absorbs it).
    hierarchy
        The LAD23 → ITL hierarchy.
    upper_tier
        LAD23 → UTLA23 members (:func:`localineq.data.geography.lad23_to_upper_tier`); needed for
        ``tier: upper``.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``members``: ``area_code, unit_code, unit_name``; ``units``: one row per unit with
        ``area_code, area_name, itl3_code, itl2_code, itl1_code, itl1_name, n_lad23``.
    """
    tier = spec.get("tier", "lad")
    if tier == "upper":
        if upper_tier is None:
            raise ValueError("an upper-tier indicator needs the LAD23 → UTLA23 table")
        members = upper_tier[["area_code", "unit_code", "unit_name"]].copy()
    elif tier == "lad":
        members = pd.DataFrame(
            {
                "area_code": hierarchy["area_code"],
                "unit_code": hierarchy["area_code"],
                "unit_name": hierarchy["area_name"],
            }
        )
    else:
        raise ValueError(f"unknown tier {tier!r}; expected 'lad' or 'upper'")
    combined = dict(spec.get("combined_areas") or {})
    for absorbed, host in sorted(combined.items()):
        for code in (absorbed, host):
            if code not in set(members["area_code"]):
                raise ValueError(f"combined_areas: {code} is not a LAD23 code")
        host_unit = members.loc[members["area_code"] == host, ["unit_code", "unit_name"]].iloc[0]
        absorbed_name = hierarchy.loc[hierarchy["area_code"] == absorbed, "area_name"].iloc[0]
        members.loc[members["area_code"] == absorbed, ["unit_code", "unit_name"]] = (
            host_unit.to_list()
        )
        host_rows = members["unit_code"] == host_unit["unit_code"]
        members.loc[host_rows, "unit_name"] = f"{host_unit['unit_name']} (incl. {absorbed_name})"
    return members.reset_index(drop=True), unit_hierarchy(members, hierarchy)


def _complete_coverage(rows: pd.DataFrame, expected: Sequence[str]) -> pd.DataFrame:
    """Add a missing-value row for every expected unit a period lacks."""
    added = []
    for _period, frame in rows.groupby("period", sort=True):
        absent = sorted(set(expected) - set(frame["area_code"]))
        if absent:
            template = frame.iloc[0]
            filler = pd.DataFrame([template.to_dict()] * len(absent))
            filler["area_code"] = absent
            for column in ("value", "lci_95", "uci_95"):
                filler[column] = float("nan")
            filler["status"] = pd.NA
            filler["harmonisation"] = "not_published"
            added.append(filler)
    if not added:
        return rows
    return pd.concat([rows, *added], ignore_index=True)


def prepare_indicator(
    tidy: pd.DataFrame,
    key: str,
    spec: Mapping[str, object],
    hierarchy: pd.DataFrame,
    **kwargs,
) -> pd.DataFrame:
    """One indicator's prepared rows; :func:`prepare_indicator_and_report` without the report."""
    return prepare_indicator_and_report(tidy, key, spec, hierarchy, **kwargs)[0]


def prepare_indicator_and_report(
    tidy: pd.DataFrame,
    key: str,
    spec: Mapping[str, object],
    hierarchy: pd.DataFrame,
    *,
    rules: ChangeRules | None = None,
    old_population: Mapping[str, float] | None = None,
    upper_tier: pd.DataFrame | None = None,
    raw_file: str | os.PathLike | None = None,
    ranges: Mapping[str, tuple[float, float, bool]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One indicator's rows on its units of analysis, harmonised and with explicit coverage.

    See the module docstring for the rules. Without ``rules`` no harmonisation is done and
    any non-LAD23 code is an error (:func:`localineq.data.geography.attach_hierarchy`).
    ``raw_file`` is the file ``tidy`` was read from (its index = line − 2, as
    :func:`localineq.data.readers.read_els_csv` returns it): errors about raw rows, such as
    impossible values (:func:`localineq.data.validation.check_raw_values`) or a repeated
    area × period, then name it and their lines. ``ranges`` is the units table
    (:func:`localineq.data.validation.unit_ranges`); without it raw values are only checked to
    be finite (:func:`build_indicator` always checks the range).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Rows with :data:`PREPARED_COLUMNS`, sorted by period and code; and the
        harmonisation report (:func:`localineq.data.harmonise.harmonise_to_target`; empty
        without ``rules``).

    Raises
    ------
    ValueError
        Unknown labels, repeated area × period rows, codes of undeclared nations, codes no
        rule covers, absorbed areas published on their own.
    """
    from localineq.data.validation import check_raw_values

    source = str(spec["source"])
    rows = select_rows(tidy, key, spec)
    file = os.fspath(raw_file) if raw_file is not None else None
    check_raw_values(
        rows, spec.get("unit"), ranges, source=source, path=file, label=f", indicator {key!r}"
    )
    members, units = analysis_units(spec, hierarchy, upper_tier)
    tier = spec.get("tier", "lad")
    keep = is_la_code(rows["area_code"])
    if tier == "upper":
        keep |= rows["area_code"].str.startswith(COUNTY_PREFIX)
    if rules is not None:
        keep |= rows["area_code"].isin(rules.identities)  # counties identical to a unitary
    rows = rows[keep].copy()
    duplicated = rows.duplicated(["area_code", "period"], keep=False)
    if duplicated.any():
        repeated = rows[duplicated].sort_values(["area_code", "period"])
        shown = "; ".join(
            f"{'line ' + str(int(i) + 2) if file else 'row ' + str(i)}: area {r.area_code}, "
            f"period {r.period}"
            for i, r in repeated.head(6).iterrows()
        )
        where = f"file {file}" if file else "(no file)"
        raise ValueError(
            f"source {source!r}, {where}, indicator {key!r}: {len(repeated)} rows repeat an "
            f"area × period (each must appear once): {shown}"
        )
    targets = set(units["area_code"])
    report = pd.DataFrame(columns=["period", "area_code", "rule", "constituents", "n_rows", "note"])
    if rules is not None:
        # Harmonise LA codes to LAD23; for an upper tier, county codes are targets too.
        lad_targets = set(hierarchy["area_code"]) | (targets if tier == "upper" else set())
        rows, report = harmonise_to_target(
            rows, rules, old_population or {}, lad_targets, source=source
        )
        stray = sorted(set(rows["area_code"]) - targets)
        if stray:
            values = rows[rows["area_code"].isin(stray)]
            published = sorted(set(values.loc[values["value"].notna(), "area_code"]))
            if published:
                raise ValueError(
                    f"indicator {key!r}: source {source!r} publishes {published[:6]} which are "
                    f"not units of its tier ({tier}); declare a rule (tier / combined_areas)"
                )
            # Only missing values remain here (e.g. an absorbed area marked [x]): record them.
            dropped = rows.loc[rows["area_code"].isin(stray), ["period", "area_code"]].assign(
                rule="dropped_missing",
                constituents=lambda f: f["area_code"],
                n_rows=1,
                note="missing value for a code that is not a unit of analysis",
            )
            report = pd.concat([report, dropped], ignore_index=True)
            rows = rows[~rows["area_code"].isin(stray)]
    else:
        rows = select_local_authorities(rows)
        attach_hierarchy(rows, hierarchy, source=source)  # raises on non-LAD23 codes
        rows["harmonisation"] = "published"
    nations = [str(n) for n in spec.get("nations", ["E", "W", "S", "N"])]
    foreign = sorted({c for c in rows["area_code"] if c[0] not in nations})
    if foreign:
        raise ValueError(
            f"indicator {key!r}: source {source!r} has rows for {foreign[:5]} outside the "
            f"declared nations {nations}; extend `nations` in config"
        )
    if "nations" in spec:
        rows = _complete_coverage(rows, sorted(c for c in targets if c[0] in nations))
    rows = rows.drop(columns=[c for c in ("area_name",) if c in rows.columns]).merge(
        units.drop(columns="n_lad23"), on="area_code", how="left", validate="many_to_one"
    )
    rows["indicator"] = key
    rows["unit_of_analysis"] = UNIT_UPPER_TIER if tier == "upper" else UNIT_LAD23
    if "status" not in rows.columns:
        rows["status"] = pd.NA
    out = rows[PREPARED_COLUMNS].sort_values(["period", "area_code"]).reset_index(drop=True)
    return out.astype({"value": "float64", "lci_95": "float64", "uci_95": "float64"}), report


def panel_table(
    frames: Sequence[pd.DataFrame], specs: Mapping[str, Mapping[str, object]]
) -> pd.DataFrame:
    """Stack prepared, weighted indicator tables into the title-free panel.

    Each frame needs :data:`PREPARED_COLUMNS` plus ``weight, weight_year``; ``unit`` and
    ``weight_basis`` come from ``specs`` (indicator key → config; no label is read). Rows are
    sorted by indicator, period and area code so the file's bytes are deterministic; columns
    are :data:`PANEL_COLUMNS`.
    """
    parts = []
    for frame in frames:
        if frame.empty:
            continue
        spec = specs[frame["indicator"].iloc[0]]
        parts.append(frame.assign(unit=spec["unit"], weight_basis=spec["weight"]))
    table = pd.concat(parts, ignore_index=True)[PANEL_COLUMNS]
    return table.sort_values(["indicator", "period", "area_code"]).reset_index(drop=True)


def with_labels(panel: pd.DataFrame, titles: Mapping[str, str]) -> pd.DataFrame:
    """The published export: the panel with each indicator's ``title`` (``titles``: key →
    title) in its place among :data:`EXPORT_COLUMNS`; rows and other columns untouched.

    >>> p = pd.DataFrame({c: ["x"] for c in PANEL_COLUMNS})
    >>> list(with_labels(p, {"x": "X"}).columns) == EXPORT_COLUMNS, with_labels(p, {"x": "X"})["title"][0]
    (True, 'X')
    """
    missing = sorted(set(panel["indicator"]) - set(titles))
    if missing:
        raise ValueError(f"no title for indicator(s) {missing}")
    out = panel.copy()
    out.insert(EXPORT_COLUMNS.index("title"), "title", panel["indicator"].map(dict(titles)))
    return out


def export_table(
    frames: Sequence[pd.DataFrame], specs: Mapping[str, Mapping[str, object]]
) -> pd.DataFrame:
    """Stack prepared, weighted indicator tables into the analysis-ready export.

    :func:`panel_table` with each indicator's ``title`` from ``specs`` (:func:`with_labels`).
    """
    panel = panel_table(frames, specs)
    return with_labels(panel, {k: str(specs[k]["title"]) for k in panel["indicator"].unique()})


def add_real_terms(
    table: pd.DataFrame, money: Sequence[str], cpi: pd.DataFrame, base_year: int
) -> pd.DataFrame:
    r"""The export with real terms beside nominal: :data:`REAL_COLUMNS` appended.

    Rows of the ``money`` indicators get ``price_basis = "nominal"`` and
    :math:`y^{real} = y \cdot P_{base} / \bar P_{period}` in ``value_real`` (bounds alike),
    at the CPI level of each row's own reference period
    (:func:`localineq.data.prices.deflate`); other rows get :data:`NOT_MONEY` in both basis
    columns (never empty, so that a CSV reader infers one type) and empty values. Rows and
    the existing columns are untouched, so every reader of ``value`` sees what it saw.
    """
    out = table.copy()
    is_money = out["indicator"].isin(list(money))
    out["price_basis"] = np.where(is_money, "nominal", NOT_MONEY)
    for col in ("value", "lci_95", "uci_95"):
        out[f"{col}_real"] = np.nan
        if is_money.any():
            out.loc[is_money, f"{col}_real"] = deflate(
                out.loc[is_money, col].to_numpy(float),
                out.loc[is_money, "period"].astype(str),
                cpi,
                base_year,
            )
    out["real_price_basis"] = np.where(is_money, price_basis_label(base_year), NOT_MONEY)
    return out


def in_real_terms(panel: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The panel with real values in ``value``/``lci_95``/``uci_95``, and their price basis.

    Reads the columns :func:`add_real_terms` writes. Rows without real columns (not money)
    come back unchanged with basis ``""``.

    >>> p = pd.DataFrame({"value": [1.0], "lci_95": [None], "uci_95": [None],
    ...                   "value_real": [2.0], "lci_95_real": [None], "uci_95_real": [None],
    ...                   "real_price_basis": ["real (CPI, 2025 prices)"]})
    >>> q, basis = in_real_terms(p); q["value"].tolist(), basis
    ([2.0], 'real (CPI, 2025 prices)')
    """
    if "value_real" not in panel or not panel["value_real"].notna().any():
        return panel, ""
    basis = panel.loc[panel["value_real"].notna(), "real_price_basis"].astype(str).iloc[0]
    real = panel.assign(
        value=panel["value_real"], lci_95=panel["lci_95_real"], uci_95=panel["uci_95_real"]
    )
    return real, basis


def write_export(table: pd.DataFrame, csv: str | os.PathLike, parquet: str | os.PathLike) -> None:
    """Write the export as CSV (``%.10g`` floats, ``\\n`` line ends, UTF-8) and Parquet."""
    to_csv(table, csv, index=False, float_format="%.10g", lineterminator="\n", encoding="utf-8")
    to_parquet(table, parquet, index=False)


def build_indicator(
    tidy: pd.DataFrame,
    key: str,
    spec: Mapping[str, object],
    hierarchy: pd.DataFrame,
    *,
    rules: ChangeRules,
    old_population: Mapping[str, float],
    upper_tier: pd.DataFrame,
    bases: pd.DataFrame,
    ranges: Mapping[str, tuple[float, float, bool]],
    raw_file: str | os.PathLike | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Prepare, weight and validate one indicator (the first step of the ``indicator`` rule).

    ``ranges`` is the units table (:func:`localineq.data.validation.unit_ranges`), at least
    the indicator's own unit: raw and tidy values must lie in its range.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame, pandas.DataFrame)
        The rows with ``weight, weight_year`` (:func:`localineq.data.weights.attach_weights`), the
        indicator's long weight table on its units, and the harmonisation report.

    Raises
    ------
    localineq.data.validation.ValidationError
        If the rows break a rule of :func:`localineq.data.validation.indicator_schema`.
    """
    from localineq.data.validation import validate_indicator
    from localineq.data.weights import attach_weights, indicator_weight_table

    rows, report = prepare_indicator_and_report(
        tidy,
        key,
        spec,
        hierarchy,
        rules=rules,
        old_population=old_population,
        upper_tier=upper_tier,
        raw_file=raw_file,
        ranges=ranges,
    )
    members, units = analysis_units(spec, hierarchy, upper_tier)
    weights = indicator_weight_table(bases, str(spec["weight"]), members)
    rows = attach_weights(rows, weights)
    code_set = "LAD23" if spec.get("tier", "lad") == "lad" else "UTLA23/LAD23 unit"
    validate_indicator(
        rows,
        units["area_code"],
        str(spec["unit"]),
        ranges,
        source=f"{spec['source']} ({key})",
        code_set_name=code_set,
    )
    return rows, weights, report


def indicator_catalogue(
    frames: Sequence[pd.DataFrame], specs: Mapping[str, Mapping[str, object]]
) -> pd.DataFrame:
    """One row per indicator: what it is, how it is weighted, and its coverage.

    Coverage counts units with a published value in the first and latest periods, and
    the harmonisation rules applied (rows by rule) over all periods.
    """
    rows = []
    for frame in frames:
        key = frame["indicator"].iloc[0]
        spec = specs[key]
        periods = sorted(frame["period"].unique())
        first = frame[frame["period"] == periods[0]]
        latest = frame[frame["period"] == periods[-1]]
        rules = frame["harmonisation"].value_counts().sort_index()
        rows.append(
            {
                "indicator": key,
                "title": spec["title"],
                "mission": spec.get("mission", ""),
                "source": spec["source"],
                "unit": spec["unit"],
                "higher_is_better": spec["higher_is_better"],
                # "equal" for an indicator analysed unweighted, as in every results table.
                "weight_basis": "equal" if spec["weight"] == "unweighted" else spec["weight"],
                "weight_note": spec.get("weight_note", ""),
                "period_note": spec.get("period_note", ""),
                "unit_of_analysis": frame["unit_of_analysis"].iloc[0],
                "nations": "".join(spec.get("nations", [])),
                "n_periods": len(periods),
                "first_period": first["period_label"].iloc[0],
                "latest_period": latest["period_label"].iloc[0],
                "units_expected": len(latest),
                "units_with_value_first": int(first["value"].notna().sum()),
                "units_with_value_latest": int(latest["value"].notna().sum()),
                "rows_by_rule": "; ".join(f"{rule}={n}" for rule, n in rules.items()),
            }
        )
    return pd.DataFrame(rows).sort_values("indicator").reset_index(drop=True)
