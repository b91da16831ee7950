"""Missions on their own geography (issue 19) on hand-built data: R&D outside the Greater
South East, homicide in the worst-affected areas, devolution coverage, and their readers."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from localineq.data.codes import is_gss_code
from localineq.data.geography import ITL1_TO_GSS
from localineq.data.mission_sources import (
    combined_authority_members,
    police_force_panel,
    read_geo_metadata,
    region_money_panel,
)
from localineq.policy.geo_missions import (
    devolution_rows,
    homicide_rows,
    own_geography_rows,
    rd_ambition,
    rd_rows,
)

GSE = ["TLI", "TLJ", "TLH"]
CPI = pd.DataFrame(
    {
        "frequency": "annual",
        "year": list(range(2015, 2026)),
        "sub": 0,
        "index": [100.0 + 5 * k for k in range(11)],
    }  # fmt: skip
)
MISSIONS = {"horizon": 2030, "trend_min_periods": 3, "baseline": {"before": "2022-02-02"}}
RD = {
    "number": 2,
    "short": "R&D",
    "greater_south_east": GSE,
    "target_change": 0.4,
    "baseline": {"fallback": "earliest"},
    "publication_lag_months": 24,
    "local": "not published below region",
}


def els_rows(values: dict[int, dict[str, float]]) -> pd.DataFrame:
    """ELS-shaped tidy rows: every ITL1 region (GSS codes) per year, plus the UK row."""
    rows = []
    for year, by_region in values.items():
        for itl, gss in ITL1_TO_GSS.items():
            rows.append({"area_code": gss, "area_name": itl, "period": f"{year}-01-01/P1Y",
                         "value": by_region.get(itl, 10.0), "lci_95": np.nan,
                         "uci_95": np.nan})  # fmt: skip
        rows.append({"area_code": "K02000001", "area_name": "UK", "period": f"{year}-01-01/P1Y",
                     "value": 1e6, "lci_95": np.nan, "uci_95": np.nan})  # fmt: skip
    return pd.DataFrame(rows)


def outside(growth: float, years=(2020, 2021, 2022)) -> pd.DataFrame:
    """9 regions outside the GSE at 100 growing by ``growth`` a year in real terms."""
    vals = {}
    for k, y in enumerate(years):
        level = 100.0 * (1 + growth) ** k * (100 + 5 * (y - 2015)) / 150.0  # nominal of real
        vals[y] = {itl: (level if itl not in GSE else 500.0) for itl in ITL1_TO_GSS}
    return region_money_panel(els_rows(vals), "rd", CPI, 2025)


def test_region_money_panel_keeps_itl1_rows_in_real_terms():
    p = outside(0.0)
    assert sorted(p["area_code"].unique()) == sorted(ITL1_TO_GSS)
    # CPI 125 in 2020, 150 in 2025: a 2020 nominal of 100 * 125/150 is 100 in 2025 prices
    row = p[(p["area_code"] == "TLC") & (p["period"] == "2020-01-01/P1Y")].iloc[0]
    assert row["value_real"] == pytest.approx(100.0)
    assert row["value"] == pytest.approx(100.0 * 125 / 150)


def test_region_money_panel_refuses_a_missing_region():
    t = els_rows({2020: {}})
    with pytest.raises(ValueError, match="lacks regions \\['TLN'\\]"):
        region_money_panel(t[t["area_code"] != "N92000002"], "rd", CPI, 2025)


def by_lens(rows, basis_prefix="real"):
    return {r["lens"]: r for r in rows if str(r["price_basis"]).startswith(basis_prefix)}


def test_rd_sum_growing_fast_enough_is_on_course_and_slow_is_off_course():
    # +40% over 2020 -> 2030.5 needs about 3.3% a year; 10% a year reaches it, 0.5% cannot
    fast = by_lens(rd_rows(RD, MISSIONS, outside(0.10), "rd", "R&D"))["regional"]
    slow = by_lens(rd_rows(RD, MISSIONS, outside(0.005), "rd", "R&D"))["regional"]
    assert fast["verdict"] == "on_course" and slow["verdict"] == "off_course"
    assert fast["quantity_baseline"] == pytest.approx(900.0)  # 9 regions at 100
    assert fast["quantity_latest"] == pytest.approx(900.0 * 1.1**2)
    assert fast["met_so_far"] == "not_met" and fast["n_areas"] == 9
    assert slow["interval_vs_target"] in {"falls_short", "straddles"}
    # the three points of "slow" lie almost on a line: the interval is narrow and short of 1,260
    assert slow["projection_upper_95"] < 900.0 * 1.4


def test_rd_already_up_by_forty_percent_is_met_and_two_periods_is_no_data():
    met = by_lens(rd_rows(RD, MISSIONS, outside(0.25), "rd", "R&D"))["regional"]
    assert met["verdict"] == "met"  # 1.25^2 = 1.5625 >= 1.4
    two = by_lens(rd_rows(RD, MISSIONS, outside(0.05, years=(2020, 2021)), "rd", "R&D"))
    assert two["regional"]["verdict"] == "no_data"
    assert (
        "2 period(s) from baseline to latest, a trend needs 3" in two["regional"]["verdict_reason"]
    )


def test_rd_local_lens_says_not_published_below_region():
    rows = rd_rows(RD, MISSIONS, outside(0.1), "rd", "R&D")
    local = [r for r in rows if r["lens"] == "local"]
    assert len(local) == 2  # real and nominal
    assert all(r["verdict"] == "no_data" for r in local)
    assert all(r["verdict_reason"] == "not published below region" for r in local)


def test_rd_nominal_rows_sum_the_published_values():
    nominal = by_lens(rd_rows(RD, MISSIONS, outside(0.0), "rd", "R&D"), "nominal")["regional"]
    assert nominal["quantity_baseline"] == pytest.approx(9 * 100.0 * 125 / 150)


def test_rd_ambition_is_unprecedented_when_the_needed_growth_beats_every_region():
    panel = outside(0.01)
    row = by_lens(rd_rows(RD, MISSIONS, panel, "rd", "R&D"))["regional"]
    amb = rd_ambition(row, panel, set(GSE))
    # every region grew 1% a year; reaching 1.4 x 900 from 900 x 1.01^2 by mid-2030 needs more
    need = (1.4 / 1.01**2) ** (1 / (2030.5 - 2022.5)) - 1
    assert amb["needed_rate"] == pytest.approx(need)
    assert amb["best_rate"] == pytest.approx(0.01)
    assert amb["ambition"] == "unprecedented"
    fast = outside(0.30)
    row = by_lens(rd_rows(RD, MISSIONS, fast, "rd", "R&D"))["regional"]
    assert rd_ambition(row, fast, set(GSE))["ambition"] == "calibrated"
    assert rd_ambition(row, fast, set(GSE), context=True)["ambition"] == "no_data"


HOMICIDE = {
    "number": 11,
    "short": "Crime",
    "share": 0.1,
    "publication_lag_months": 0,
    "regional": "ITL1 region",
    "local": "police force area",
}


def homicide_panel(worst_path, rest_path, n=10):
    """n areas: area 0 worst-affected; each path gives its rate per period."""
    rows = []
    for k, year in enumerate(range(2015, 2021)):
        for i in range(n):
            rate = worst_path[k] if i == 0 else rest_path[k] + i * 0.01
            rows.append({"area_code": f"E23{i:06d}", "area_name": f"force {i}",
                         "period": f"{year}-01-01/P1Y", "value": rate})  # fmt: skip
    p = pd.DataFrame(rows).assign(lci_95=np.nan, uci_95=np.nan)
    overall = p.groupby("period", as_index=False)["value"].mean().assign(area_code="K04000001")
    return {"police_force": p, "regional": p, "overall": overall}


def test_homicide_falling_most_in_the_worst_area_is_met_and_on_course():
    panels = homicide_panel([30, 28, 26, 24, 22, 20], [10, 10, 9.8, 9.8, 9.6, 9.6])
    cfg = {**MISSIONS, "baseline": {"before": "2030-01-01", "period": "2015-01-01/P1Y"}}
    rows = {r["lens"]: r for r in homicide_rows(HOMICIDE, cfg, panels, "hom", "Homicide")}
    local = rows["local"]
    assert local["met_so_far"] == "met" and local["verdict"] == "on_course"
    assert local["n_met"] == 1 and local["quantity_baseline"] == 30.0
    assert local["quantity_latest"] == 20.0
    assert local["projected_at_deadline"] == pytest.approx(30 - 2 * (2030.5 - 2015.5))


def test_homicide_falling_less_in_the_worst_area_is_off_course():
    # the worst area falls by 1, the rest by 3: fallen, but not focused on the worst
    panels = homicide_panel([30, 29.8, 29.6, 29.4, 29.2, 29.0], [10, 9.4, 8.8, 8.2, 7.6, 7.0])
    cfg = {**MISSIONS, "baseline": {"before": "2030-01-01", "period": "2015-01-01/P1Y"}}
    local = {r["lens"]: r for r in homicide_rows(HOMICIDE, cfg, panels, "hom", "H")}["local"]
    assert local["met_so_far"] == "not_met" and local["verdict"] == "off_course"
    assert local["gap_latest"] > local["gap_baseline"]  # the worst pulled away from the rest


def geo_metadata(tmp_path, entries):
    doc = {e["areacd"]: e for e in entries}
    path = tmp_path / "geo-metadata.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_geo_metadata_members_and_refusals(tmp_path):
    path = geo_metadata(
        tmp_path,
        [
            {"areacd": "E92000001", "areanm": "England", "parents": []},
            {"areacd": "E47000001", "areanm": "GM", "parents": ["E92000001"]},
            {"areacd": "E47000002", "areanm": "SY", "parents": ["E92000001"]},
            {"areacd": "E08000001", "areanm": "Bolton", "parents": ["E47000001", "E12000002"]},
            {"areacd": "E06000001", "areanm": "Hartlepool", "parents": ["E12000001"]},
            {"areacd": "E08000099", "areanm": "Twice", "parents": ["E47000001", "E47000002"]},
        ],
    )
    h = read_geo_metadata(path, ["E92000001"])
    got = combined_authority_members(h, ["E08000001", "E06000001"])
    assert got["combined_authority_code"].tolist() == ["E47000001", ""]
    with pytest.raises(ValueError, match="no entry for local authority E09000001"):
        combined_authority_members(h, ["E09000001"])
    with pytest.raises(ValueError, match="several combined authorities"):
        combined_authority_members(h, ["E08000099"])
    with pytest.raises(ValueError, match=r"missing expected area\(s\) \['K02000001'\]"):
        read_geo_metadata(path, ["K02000001"])


def test_devolution_share_is_the_population_share_in_combined_authorities():
    members = pd.DataFrame(
        {
            "area_code": ["E08000001", "E06000001", "E09000001", "E07000001"],
            "itl1_name": ["NW", "NE", "London", "NW"],
            "combined_authority_code": ["E47000001", "", "", "E47000001"],
            "population": [300.0, 100.0, 500.0, 100.0],
        }
    )
    mission = {"number": 12, "short": "Devolution", "metric": "share",
               "snapshot": "2025-01-01/P1Y", "verdict_reason": "no target"}  # fmt: skip
    rows = {r["lens"]: r for r in devolution_rows(mission, MISSIONS, members, "dev")}
    assert rows["local"]["quantity_latest"] == pytest.approx(100 * 400 / 1000)
    assert rows["local"]["verdict"] == "no_data" and rows["local"]["n_met"] == 2
    assert "90.0% counting Greater London" in rows["local"]["verdict_reason"]
    assert rows["regional"]["n_met"] == 1  # NW wholly covered
    assert rows["regional"]["verdict_reason"].startswith("no target")
    with pytest.raises(ValueError, match="no population"):
        devolution_rows(mission, MISSIONS, members.assign(population=np.nan), "dev")


def test_police_force_panel_refuses_a_repeated_force():
    t = pd.DataFrame({"area_code": ["E23000001", "E23000001"], "area_name": "Met",
                      "period": "p", "value": [1.0, 2.0], "lci_95": math.nan,
                      "uci_95": math.nan})  # fmt: skip
    with pytest.raises(ValueError, match="E23000001 published twice"):
        police_force_panel(t)


def test_police_force_codes_are_known_gss_types():
    assert is_gss_code("E23000001") and is_gss_code("W15000001")


def test_unknown_own_geography_test_is_refused():
    with pytest.raises(ValueError, match="unknown test"):
        own_geography_rows({"own_geography": [{"number": 2, "test": "x", "sources": {}}]}, {})
