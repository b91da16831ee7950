"""Harmonisation onto LAD23 codes, on small self-made change files and series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localineq.data.harmonise import HarmonisationError, change_rules, harmonise_to_target

# A miniature of the real change file: a 2019 merger feeding a 2023 merger (Somerset), a
# 2023 merger (Cumberland), a code-only rename (Fife), a later rename (Barnsley, 2025),
# combined-authority rows and a county termination that are not LA changes.
CHANGES = pd.DataFrame(
    [
        ("E07000190", "E07000246", "merger", 2019),  # Taunton Deane → Somerset West and Taunton
        ("E07000191", "E07000246", "merger", 2019),  # West Somerset → SWT
        ("E07000187", "E06000066", "merger", 2023),  # Mendip → Somerset
        ("E07000246", "E06000066", "merger", 2023),  # SWT → Somerset
        ("E07000026", "E06000063", "merger", 2023),  # Allerdale → Cumberland
        ("E07000028", "E06000063", "merger", 2023),  # Carlisle → Cumberland
        ("S12000015", "S12000047", "new_code", 2018),  # Fife
        ("E08000016", "E08000038", "new_code", 2025),  # Barnsley
        ("E06000057", "E47000011", "new_geo", 2018),  # a combined authority: ignored
        ("E10000027", None, "termination", 2023),  # Somerset county ends: ignored
    ],
    columns=["old_code", "new_code", "type", "start"],
)
TARGETS = ["E06000066", "E06000063", "S12000047", "E08000016", "E06000001"]
POPULATION = {"E07000190": 100.0, "E07000191": 50.0, "E07000187": 150.0, "E07000246": 150.0,
              "E07000026": 100.0, "E07000028": 300.0}  # fmt: skip
LOOKUP = pd.DataFrame(
    {
        "ltla_code": ["E07000187", "E07000190", "E07000191", "E07000026", "E07000028"],
        "county_code": ["E10000027", "E10000027", "E10000027", "E10000006", "E10000006"],
    }
)


def series(rows):
    """Rows (code, period, value[, lci, uci]) as a tidy indicator frame."""
    frame = pd.DataFrame(
        [r + (np.nan,) * (5 - len(r)) for r in rows],
        columns=["area_code", "period", "value", "lci_95", "uci_95"],
    )
    frame["period_label"] = frame["period"].str[:4]
    frame["status"] = pd.NA
    return frame.astype({"value": float, "lci_95": float, "uci_95": float})


@pytest.fixture
def rules():
    return change_rules(CHANGES, TARGETS, 2023, ltla_lookup=LOOKUP)


def run(rows, rules, population=POPULATION):
    return harmonise_to_target(series(rows), rules, population, TARGETS, source="test")


def test_rules_classify_the_change_file(rules):
    assert rules.predecessors["E06000066"] == ["E07000187", "E07000246"]
    assert rules.predecessors["E07000246"] == ["E07000190", "E07000191"]
    assert rules.reverse == {"E08000038": "E08000016"}  # later rename undone
    assert set(rules.ignored["type"]) == {"new_geo", "termination"}  # not LA changes
    assert rules.identities == {"E10000027": "E06000066"}  # Cumbria is not in one unitary


def test_rename_passes_value_and_interval_through(rules):
    out, report = run([("S12000015", "2020-01-01/P1Y", 7.0, 6.0, 8.0)], rules)
    assert out[["area_code", "value", "lci_95", "uci_95"]].values.tolist() == [
        ["S12000047", 7.0, 6.0, 8.0]
    ]
    assert out["harmonisation"].tolist() == ["rename"] and report["rule"].tolist() == ["rename"]


def test_merger_is_population_weighted_with_combined_interval(rules):
    p = "2020-01-01/P1Y"
    out, report = run(
        [("E07000026", p, 10.0, 8.0, 12.0), ("E07000028", p, 20.0, 19.0, 21.0)], rules
    )
    (row,) = out.to_dict("records")
    assert row["area_code"] == "E06000063" and row["harmonisation"] == "merger"
    assert row["value"] == pytest.approx((100 * 10 + 300 * 20) / 400)  # not (10 + 20) / 2
    se = np.sqrt((0.25 * 4 / (2 * 1.959964)) ** 2 + (0.75 * 2 / (2 * 1.959964)) ** 2)
    assert row["uci_95"] - row["value"] == pytest.approx(1.959964 * se, rel=1e-5)
    assert report.loc[0, "constituents"] == "E07000026,E07000028"


def test_chained_merger_uses_the_codes_present_in_each_period(rules):
    early, late = "2018-01-01/P1Y", "2021-01-01/P1Y"
    out, _ = run(
        [
            ("E07000187", early, 1.0), ("E07000190", early, 2.0), ("E07000191", early, 4.0),
            ("E07000187", late, 1.0), ("E07000246", late, 3.0),
        ],
        rules,
    )  # fmt: skip
    values = out.set_index("period")["value"]
    # 2018: Mendip 150, Taunton Deane 100, West Somerset 50.
    assert values[early] == pytest.approx((150 * 1 + 100 * 2 + 50 * 4) / 300)
    assert values[late] == pytest.approx((150 * 1 + 150 * 3) / 300)


@pytest.mark.parametrize(
    ("rows", "note"),
    [
        ([("E07000026", "P", 10.0), ("E07000028", "P", np.nan)], "value missing"),
        ([("E07000026", "P", 10.0)], "absent"),
    ],
)
def test_merger_with_a_missing_constituent_is_missing(rules, rows, note):
    rows = [(c, "2020-01-01/P1Y", v) for c, _, v in rows]
    out, report = run(rows, rules)
    assert np.isnan(out.loc[0, "value"])
    assert out.loc[0, "harmonisation"] == "merger_incomplete"
    assert note in report.loc[0, "note"]


def test_published_target_row_supersedes_its_predecessors(rules):
    p = "2020-01-01/P1Y"
    out, report = run(
        [("E06000063", p, np.nan), ("E07000026", p, 1.0), ("E07000028", p, 2.0)], rules
    )
    assert out["area_code"].tolist() == ["E06000063"] and np.isnan(out.loc[0, "value"])
    assert (report["rule"] == "superseded").sum() == 2


def test_later_code_is_renamed_back_and_duplicates_are_dropped(rules):
    out, report = run(
        [("E08000038", "2020-01-01/P1Y", 5.0), ("E08000038", "2021-01-01/P1Y", 6.0),
         ("E08000016", "2021-01-01/P1Y", 6.5)],
        rules,
    )  # fmt: skip
    assert out["area_code"].tolist() == ["E08000016", "E08000016"]
    assert out["value"].tolist() == [5.0, 6.5]  # the published LAD23 row wins
    assert "1 value(s) differ" in report.loc[report["rule"] == "superseded", "note"].iloc[0]


def test_county_identical_to_a_unitary_counts_as_published(rules):
    p = "2020-01-01/P1Y"
    out, report = run([("E10000027", p, 7.5), ("E07000187", p, 1.0), ("E07000246", p, 3.0)], rules)
    assert out[["area_code", "value", "harmonisation"]].values.tolist() == [
        ["E06000066", 7.5, "same_area"]
    ]
    assert sorted(report["rule"]) == ["same_area", "superseded", "superseded"]


def test_split_is_refused():
    changes = pd.DataFrame(
        [("E07000001", "E06000098", "merger", 2021), ("E07000001", "E06000099", "merger", 2021)],
        columns=["old_code", "new_code", "type", "start"],
    )
    rules = change_rules(changes, ["E06000098", "E06000099"])
    with pytest.raises(HarmonisationError, match=r"E07000001.*split"):
        harmonise_to_target(
            series([("E07000001", "2020-01-01/P1Y", 1.0)]),
            rules,
            {},
            ["E06000098", "E06000099"],
            source="demo",
        )


def test_unknown_code_and_missing_population_are_errors(rules):
    with pytest.raises(HarmonisationError, match=r"source 'test'.*E07000999"):
        run([("E07000999", "2020-01-01/P1Y", 1.0)], rules)
    rows = [("E07000026", "2020-01-01/P1Y", 1.0), ("E07000028", "2020-01-01/P1Y", 2.0)]
    with pytest.raises(HarmonisationError, match="no population.*E07000028.*unweighted"):
        run(rows, rules, population={"E07000026": 1.0})


def test_a_configured_recode_renames_an_old_code_the_change_file_lacks():
    """Northumberland's pre-2018 code (E06000048) is unknown to the change file: refused
    without a recode, passed through 1:1 with it (harmonisation.recodes), and a published
    row of the new code for the same period still wins."""
    targets = [*TARGETS, "E06000057"]
    rows = [("E06000048", "2014-01-01/P1Y", 10.2, 9.0, 11.0), ("E06000048", "2015", 10.5)]
    rows.append(("E06000057", "2015", 10.4))
    plain = change_rules(CHANGES, targets, 2023)
    with pytest.raises(HarmonisationError, match=r"E06000048.*harmonisation\.recodes"):
        harmonise_to_target(series(rows), plain, POPULATION, targets, source="t")
    recoded = change_rules(CHANGES, targets, 2023, recodes={"E06000048": "E06000057"})
    out, report = harmonise_to_target(series(rows), recoded, POPULATION, targets, source="t")
    assert out["area_code"].tolist() == ["E06000057", "E06000057"]
    first = out[out["period"] == "2014-01-01/P1Y"].iloc[0]
    assert (first["value"], first["lci_95"], first["uci_95"]) == (10.2, 9.0, 11.0)
    assert out.loc[out["period"] == "2015", "value"].tolist() == [10.4]  # published wins
    assert set(report["rule"]) >= {"rename", "superseded"}


def test_a_recode_repeating_a_change_of_the_file_is_refused():
    with pytest.raises(ValueError, match="E07000190 -> E06000066.*declare each change once"):
        change_rules(CHANGES, TARGETS, 2023, recodes={"E07000190": "E06000066"})
