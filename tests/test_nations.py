"""A nation's districts folded in from its own file (localineq.data.nations), on hand-built files."""

from __future__ import annotations

import pandas as pd
import pytest

from localineq.data.nations import fold_nation_rows
from localineq.data.validation import ValidationError, unit_ranges

SPEC = {"source": "gb", "indicator": "Rate", "unit": "%"}
NI = {"source": "ni", "indicator": "Rate (NI)"}


def tidy(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """A reader's tidy table: index = line - 2."""
    return pd.DataFrame(rows, columns=["area_code", "indicator", "period", "value"])


def gb() -> pd.DataFrame:
    return tidy(
        [
            ("S12000001", "Rate", "2022", 70.0),
            ("S12000001", "Rate", "2023", 71.0),
            ("N92000002", "Rate", "2022", 60.8),
            ("N92000002", "Rate", "2023", 62.7),
            ("S12000001", "Other", "2023", 5.0),
        ]
    )


def ni() -> pd.DataFrame:
    return tidy(
        [
            ("N92000002", "Rate (NI)", "2016", 49.8),
            ("N92000002", "Rate (NI)", "2022", 57.2),
            ("N09000001", "Rate (NI)", "2016", 45.0),
            ("N09000001", "Rate (NI)", "2022", 58.0),
            ("N09000001", "Rate (NI)", "2023", 59.0),
            ("N09000001", "Inactive (NI)", "2023", 20.0),
        ]
    )


def test_districts_join_on_the_main_files_periods_and_its_own_region_row_wins():
    out, fold = fold_nation_rows(gb(), ni(), "rate", SPEC, "N", NI)
    rate = out[out["indicator"] == "Rate"].set_index(["area_code", "period"])["value"]
    # the districts come in for 2022 and 2023 only: 2016 is not a period of the main file
    assert rate.loc["N09000001"].to_dict() == {"2022": 58.0, "2023": 59.0}
    assert fold.added == 2 and fold.dropped_periods == ("2016",)
    # the main file's N92 row is kept, the nation file's value for it reported beside it
    assert rate.loc[("N92000002", "2022")] == 60.8
    assert fold.overlap.to_dict("records") == [
        {"area_code": "N92000002", "period": "2022", "value_nation": 57.2, "value_main": 60.8}
    ]
    assert "main file 60.8 kept, nation file 57.2" in fold.describe()
    # other labels of either file are untouched, and nothing else is added
    assert len(out) == len(gb()) + 2
    assert not (out["indicator"] == "Inactive (NI)").any()


def test_the_main_files_lines_keep_their_numbers():
    main = gb()
    out, _ = fold_nation_rows(main, ni(), "rate", SPEC, "N", NI)
    pd.testing.assert_frame_equal(out.loc[main.index], main)
    assert out.index.is_unique and out.index.min() == 0


def test_filter_values_of_the_main_file_are_given_to_the_nation_rows():
    main = gb().assign(measure="Percentage")
    out, _ = fold_nation_rows(main, ni(), "rate", {**SPEC, "filter": {"measure": "Percentage"}},
                              "N", NI)  # fmt: skip
    added = out[out["area_code"] == "N09000001"]
    assert len(added) == 2 and (added["measure"] == "Percentage").all()


def test_a_row_of_another_nation_in_the_nation_file_is_refused_naming_its_line():
    bad = pd.concat([ni(), tidy([("S12000001", "Rate (NI)", "2023", 1.0)])], ignore_index=True)
    with pytest.raises(ValueError, match=r"nation N .*S12000001.*lines 8\)"):
        fold_nation_rows(gb(), bad, "rate", SPEC, "N", NI, extra_file="ni.csv")


def test_a_repeated_district_is_refused_naming_the_file_and_lines():
    bad = pd.concat([ni(), tidy([("N09000001", "Rate (NI)", "2023", 1.0)])], ignore_index=True)
    with pytest.raises(ValueError, match=r"file ni\.csv repeats an area × period \(lines 6, 8\)"):
        fold_nation_rows(gb(), bad, "rate", SPEC, "N", NI, extra_file="ni.csv")


def test_an_impossible_nation_value_names_the_nation_file_and_its_line():
    bad = ni()
    bad.loc[3, "value"] = 180.0
    ranges = unit_ranges({"%": {"min": 0, "max": 100, "min_inclusive": True}})
    with pytest.raises(ValidationError, match=r"ni\.csv.*\n  line 5: area N09000001, period 2022"):
        fold_nation_rows(gb(), bad, "rate", SPEC, "N", NI, extra_file="ni.csv", ranges=ranges)


def test_an_unknown_label_in_the_nation_file_lists_the_labels_present():
    with pytest.raises(ValueError, match=r"Inactive \(NI\)"):
        fold_nation_rows(gb(), ni(), "rate", SPEC, "N", {"source": "ni", "indicator": "Nope"})
