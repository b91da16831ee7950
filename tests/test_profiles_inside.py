"""Profile pages' "inequality inside this authority" section (issue 26) in headless Chromium.

A fixture site (the synthetic LA tables plus hand-made neighbourhoods) is always checked; the
real ``results/profiles/`` pages are checked when the pipeline has built them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from chromium import CHROMIUM, OFFLINE  # noqa: E402
from chromium import FLAGS as BASE_FLAGS  # noqa: E402
from figure_fixtures import la_table  # noqa: E402
from test_profiles import SOURCES, _specs  # noqa: E402

from localineq.analysis.area_tables import masked_areas  # noqa: E402
from localineq.analysis.neighbourhood_tables import internal_spread  # noqa: E402
from localineq.outputs.profiles import build_profiles, render_profiles  # noqa: E402
from localineq.policy.targets import targets_table  # noqa: E402

REAL_PROFILES = Path(__file__).resolve().parents[1] / "results" / "profiles"
SPEC = {
    "income_net_ahc": {
        "title": "Income after housing costs",
        "short": "Income AHC",
        "unit": "msoa11",
        "unit_label": "£ per year",
        "weight": "residents",
    },
    "bad_health": {
        "title": "Bad or very bad health",
        "short": "Bad health",
        "unit": "lsoa21",
        "unit_label": "share of usual residents",
        "weight": "usual residents",
    },
}
PROBE = """<script>
window.addEventListener("load", () => {
  const b = document.body;
  const strips = Array.from(document.querySelectorAll("#inside-table svg.dotstrip"));
  b.setAttribute("data-heading", String(document.querySelectorAll("h2#inside").length));
  b.setAttribute("data-strips", String(strips.length));
  b.setAttribute("data-drawn", String(strips.filter((s) => s.getBoundingClientRect().width > 0).length));
  b.setAttribute("data-dots", JSON.stringify(strips.map((s) => s.querySelectorAll("circle").length)));
  b.setAttribute("data-rows", String(document.querySelectorAll("#inside-table tbody tr").length));
  b.setAttribute("data-requests", JSON.stringify(performance.getEntriesByType("resource").map((e) => e.name)));
});
</script>"""


def fixture_neighbourhoods(codes: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(26)
    rows = []
    for i, code in enumerate(codes):
        for key, n, scale in (("income_net_ahc", 6 + i % 3, 25000.0), ("bad_health", 8, 0.06)):
            for j in range(n):
                rows.append(
                    {
                        "indicator": key,
                        "unit": SPEC[key]["unit"],
                        "area_code": f"{key[:3]}{i:03d}{j:02d}",
                        "lad23_code": code,
                        "itl1_code": "TLC",
                        "value": scale * (1 + 0.3 * rng.random()),
                        "weight": 1000.0 + j,
                    }
                )
    return pd.DataFrame(rows)


def build_site(out: Path) -> tuple[pd.DataFrame, list[Path]]:
    frame = la_table().assign(unit_of_analysis="LAD23")
    specs = _specs()
    targets = targets_table(frame, specs, {"default": {"baseline": {"fallback": "earliest"}}})
    upper = pd.DataFrame(columns=["area_code", "unit_code", "unit_name"])
    codes = sorted(frame["area_code"].unique())
    neighbourhoods = fixture_neighbourhoods(codes[:-1])  # the last authority has none
    pages, index = build_profiles(
        frame,
        targets,
        masked_areas(frame, specs),
        upper,
        specs,
        SOURCES,
        "test",
        neighbourhoods=neighbourhoods,
        spread=internal_spread(neighbourhoods),
        neighbourhood_specs=SPEC,
    )
    return neighbourhoods, render_profiles(pages, index, out)


def page_state(page: Path, workdir: Path) -> dict:
    probe = page.parent / f"_probe_{page.name}"
    html = page.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", f"{PROBE}\n</body>", 1), encoding="utf-8")
    try:
        run = subprocess.run(
            [
                CHROMIUM,
                *BASE_FLAGS,
                OFFLINE,
                f"--user-data-dir={workdir / ('chromium-' + page.stem)}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                probe.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        probe.unlink()
    assert run.returncode == 0, run.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", run.stdout)
    attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', body.group(1)))
    assert "data-requests" in attrs, "probe did not run"

    def decode(name: str):
        return json.loads(attrs[name].replace("&quot;", '"'))

    return {
        "heading": int(attrs["data-heading"]),
        "strips": int(attrs["data-strips"]),
        "drawn": int(attrs["data-drawn"]),
        "rows": int(attrs["data-rows"]),
        "dots": decode("data-dots"),
        "requests": decode("data-requests"),
    }


def test_fixture_pages_have_the_section_only_where_there_are_neighbourhoods(tmp_path):
    neighbourhoods, written = build_site(tmp_path)
    with_data = set(neighbourhoods["lad23_code"])
    for path in written[:-1]:
        html = path.read_text(encoding="utf-8")
        assert ("Inequality inside this authority" in html) == (path.stem in with_data)


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


@needs_chromium
def test_chromium_draws_one_dot_per_neighbourhood_on_a_fixture_page(tmp_path):
    neighbourhoods, written = build_site(tmp_path / "site")
    path = written[0]
    state = page_state(path, tmp_path)
    assert state["requests"] == []
    assert state["heading"] == 1 and state["rows"] == 2
    assert state["strips"] == state["drawn"] == 2
    own = neighbourhoods[neighbourhoods["lad23_code"] == path.stem]
    expected = [int((own["indicator"] == key).sum()) for key in SPEC]
    assert state["dots"] == expected


@needs_chromium
@pytest.mark.skipif(not (REAL_PROFILES / "index.html").exists(), reason="profiles not built yet")
def test_chromium_real_pages_show_inequality_inside_the_authority(tmp_path, repo_root):
    site = tmp_path / "profiles"
    shutil.copytree(REAL_PROFILES, site)
    table = pd.read_parquet(repo_root / "data/processed/neighbourhoods.parquet")
    n_indicators = table["indicator"].nunique()
    # Birmingham (many LSOAs), Cardiff (Wales), City of London (too few to rank), Belfast (none)
    for code in ("E08000025", "W06000015", "E09000001"):
        state = page_state(site / f"{code}.html", tmp_path)
        assert state["requests"] == []
        assert state["heading"] == 1 and state["rows"] == n_indicators
        assert state["strips"] == state["drawn"] == n_indicators
        own = table[table["lad23_code"] == code]
        assert state["dots"] == own.groupby("indicator", sort=False).size().tolist()
    belfast = page_state(site / "N09000003.html", tmp_path)
    assert belfast["heading"] == 0 and belfast["strips"] == 0
