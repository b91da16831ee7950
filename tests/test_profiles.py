"""Local-authority profile pages (issue 12): contents, links, sparklines, and a real browser.

Pages are rendered from the synthetic fixture tables (fast, independent of the pipeline); the
browser checks also run on ``results/profiles/`` when the pipeline has built it. Chromium runs
with no name resolution, and the probe lists every resource the page fetched: there must be
none (styles and sparklines are inline).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from chromium import CHROMIUM, OFFLINE  # noqa: E402
from chromium import FLAGS as BASE_FLAGS  # noqa: E402
from figure_fixtures import SPECS, la_table  # noqa: E402

from localineq.analysis.area_tables import masked_areas  # noqa: E402
from localineq.outputs.profiles import build_profiles, render_profiles, sparkline_svg  # noqa: E402
from localineq.policy.targets import targets_table  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_PROFILES = REPO_ROOT / "results" / "profiles"

SOURCES = {
    "src_a": SimpleNamespace(
        key="src_a",
        publisher="Office for National Statistics",
        description="test source",
        licence="OGL-UK-3.0",
    )
}


def _specs() -> dict:
    return {k: {**v, "source": "src_a", "mission": "Test"} for k, v in SPECS.items()}


def build_fixture_profiles(out: Path) -> tuple[list[dict], list[Path]]:
    frame = la_table().assign(unit_of_analysis="LAD23")
    specs = _specs()
    targets = targets_table(frame, specs, {"default": {"baseline": {"fallback": "earliest"}}})
    masked = masked_areas(frame, specs)
    upper = pd.DataFrame(columns=["area_code", "unit_code", "unit_name"])
    pages, index = build_profiles(frame, targets, masked, upper, specs, SOURCES, "test")
    return pages, render_profiles(pages, index, out)


def test_sparkline_scales_points_to_the_box():
    svg = sparkline_svg([2000.0, 2010.0], [5.0, 15.0], width=100, height=20, pad=0)
    assert 'points="0.0,20.0 100.0,0.0"' in svg  # low value at the bottom, newest on the right
    assert 'class="sparkline"' in svg and "<circle" in svg
    flat = sparkline_svg([2000.0, 2010.0], [3.0, 3.0], width=100, height=20, pad=0)
    assert 'points="0.0,10.0 100.0,10.0"' in flat  # a flat series sits in the middle


def test_every_authority_gets_a_page_with_every_indicator(tmp_path):
    pages, written = build_fixture_profiles(tmp_path)
    codes = sorted(la_table()["area_code"].unique())
    assert sorted(p.stem for p in written[:-1]) == codes
    assert written[-1].name == "index.html"
    for path in written[:-1]:
        html = path.read_text(encoding="utf-8")
        assert html.count('class="sparkline"') == len(SPECS)
        assert "How to cite" in html and "OGL-UK-3.0" in html
        assert 'href="index.html"' in html
    index = written[-1].read_text(encoding="utf-8")
    assert all(f'href="{c}.html"' in index for c in codes)


def test_pages_are_deterministic(tmp_path):
    _, first = build_fixture_profiles(tmp_path / "a")
    _, second = build_fixture_profiles(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def local_links(html: str) -> list[str]:
    return [
        h
        for h in re.findall(r'(?:href|src)="([^"]*)"', html)
        if not h.startswith(("http://", "https://", "#"))
    ]


def test_no_broken_relative_links_and_nothing_loaded_from_elsewhere(tmp_path):
    _, written = build_fixture_profiles(tmp_path)
    for path in written:
        html = path.read_text(encoding="utf-8")
        for link in local_links(html):
            assert (path.parent / link).is_file(), f"{path.name} links missing {link}"
        # outside hosts appear only as plain links (licence), never as a loaded resource
        assert not re.search(r'<(?:img|script|link|iframe)[^>]+(?:src|href)="https?:', html)


# ----------------------------------------------------------------------------------------------
# Chromium
# ----------------------------------------------------------------------------------------------


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

# no name resolves: a request for another host fails instead of leaving the machine
FLAGS = [*BASE_FLAGS, OFFLINE]

# After load: sparklines drawn (with a polyline or an empty frame), links, every fetched
# resource, and on the index how many names a filter leaves visible.
PROBE = """<script>
window.addEventListener("load", () => {
  const b = document.body;
  const sparks = Array.from(document.querySelectorAll("svg.sparkline"));
  b.setAttribute("data-sparks", String(sparks.length));
  b.setAttribute("data-drawn", String(sparks.filter((s) => s.getBoundingClientRect().width > 0).length));
  b.setAttribute("data-rows", String(document.querySelectorAll("table.profile tbody tr").length));
  b.setAttribute("data-links", JSON.stringify(Array.from(document.links).map((a) => a.getAttribute("href"))));
  b.setAttribute("data-requests", JSON.stringify(performance.getEntriesByType("resource").map((e) => e.name)));
  const filter = document.getElementById("filter");
  if (filter) {
    filter.value = FILTER_TEXT;
    filter.dispatchEvent(new Event("input"));
    const shown = Array.from(document.querySelectorAll("ul.areas li")).filter((li) => !li.hidden);
    b.setAttribute("data-shown", JSON.stringify(shown.map((li) => li.textContent.trim())));
  }
});
</script>"""


def browser_state(page: Path, workdir: Path, filter_text: str = "") -> dict:
    probe = page.parent / f"_probe_{page.name}"
    html = page.read_text(encoding="utf-8")
    script = PROBE.replace("FILTER_TEXT", json.dumps(filter_text))
    probe.write_text(html.replace("</body>", f"{script}\n</body>", 1), encoding="utf-8")
    try:
        run = subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={workdir / ('profile-' + page.stem)}",
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
    assert body, run.stdout[:500]
    attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', body.group(1)))
    assert "data-requests" in attrs, "probe did not run"

    def decode(name: str):
        return json.loads(attrs[name].replace("&quot;", '"').replace("&amp;", "&"))

    return {
        "sparks": int(attrs["data-sparks"]),
        "drawn": int(attrs["data-drawn"]),
        "rows": int(attrs["data-rows"]),
        "links": decode("data-links"),
        "requests": decode("data-requests"),
        "shown": decode("data-shown") if "data-shown" in attrs else None,
    }


def check_site(folder: Path, pages: list[str], workdir: Path, filter_text: str) -> None:
    index = browser_state(folder / "index.html", workdir, filter_text)
    assert index["requests"] == []
    assert index["shown"] and all(filter_text.lower() in s.lower() for s in index["shown"])
    for link in index["links"]:
        if not link.startswith(("http://", "https://", "#")):
            assert (folder / link).is_file(), f"index links missing {link}"
    for code in pages:
        state = browser_state(folder / f"{code}.html", workdir)
        assert state["requests"] == [], f"{code} fetched {state['requests']}"
        assert state["rows"] > 0
        assert state["sparks"] == state["rows"] == state["drawn"]  # a sparkline in every row
        for link in state["links"]:
            if not link.startswith(("http://", "https://", "#")):
                assert (folder / link).is_file(), f"{code} links missing {link}"


@needs_chromium
def test_chromium_opens_index_and_two_fixture_pages(tmp_path):
    _, written = build_fixture_profiles(tmp_path / "site")
    codes = [p.stem for p in written[:2]]
    names = la_table().drop_duplicates("area_code").set_index("area_code")["area_name"]
    check_site(tmp_path / "site", codes, tmp_path, str(names[codes[0]]))


@needs_chromium
@pytest.mark.skipif(not (REAL_PROFILES / "index.html").exists(), reason="profiles not built yet")
def test_chromium_opens_real_index_and_two_profile_pages(tmp_path):
    pages = sorted(p.stem for p in REAL_PROFILES.glob("[EWSN]*.html"))
    assert len(pages) == 361
    site = tmp_path / "profiles"  # a copy: the probe must not touch the pipeline's output
    shutil.copytree(REAL_PROFILES, site)
    # Watford (a district: healthy life expectancy from Hertfordshire) and Belfast (NI)
    check_site(site, ["E07000103", "N09000003"], tmp_path, "Watford")


def test_reporting_unit_names_the_area_a_value_belongs_to():
    from localineq.outputs.profiles import _reporting_unit

    unit_of = pd.DataFrame(
        {"unit_code": ["E10000001", "E06000099"], "unit_name": ["Shire", "Twin"]},
        index=pd.Index(["E07000001", "E06000010"], name="area_code"),
    )
    upper = {"tier": "utla", "combined_areas": {"E06000011": "E06000010", "E06000012": "X"}}
    # a district indicator is the authority's own, whatever the lookup holds
    assert _reporting_unit("E07000001", "Dale", {"tier": "lad"}, unit_of) == (
        "E07000001",
        "Dale",
        "",
    )
    code, name, note = _reporting_unit("E07000001", "Dale", upper, unit_of)
    assert (code, name) == ("E10000001", "Shire") and note.startswith("Published for Shire (")
    code, name, note = _reporting_unit("E06000011", "Isle", upper, unit_of)
    assert (code, name) == ("E06000099", "Twin") and "ONS combines Isle with it" in note
    # a combined area missing from the lookup still says the value is not the authority's
    code, name, note = _reporting_unit("E06000012", "Rock", upper, unit_of)
    assert (code, name) == ("E06000012", "Rock") and note.startswith("Published for Rock only")
    # a unitary that is its own upper tier needs no note
    assert _reporting_unit("E06000050", "Own", upper, unit_of) == ("E06000050", "Own", "")
