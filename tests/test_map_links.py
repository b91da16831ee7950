"""Linked maps: every authority's shape in a map SVG links to its profile page and carries a
tooltip (``<title>``); plain SVG, no script; the PNG does not change. The browser test opens a
map in headless Chromium and follows a named authority's link to an existing page."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba

sys.path.insert(0, str(Path(__file__).parent))
from chromium import CHROMIUM, FLAGS, OFFLINE  # noqa: E402
from figure_fixtures import boundaries, la_table  # noqa: E402

from localineq.analysis import area_tables  # noqa: E402
from localineq.outputs import figures, map_links, maps  # noqa: E402
from localineq.outputs.target_figures import status_links, status_map  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_MAP = REPO_ROOT / "results" / "figures" / "map_gdhi_per_head.svg"
_ANCHOR = re.compile(r'<a xlink:href="([^"]*)"><title>([^<]*)</title>')


def _fixture_links():
    lad, regions = boundaries()
    values = la_table().query("indicator == 'income' and period == '2022-01-01/P1Y'")
    values = values[values["area_code"] != "E06000002"]  # one area without a value
    gaps = area_tables.regional_gaps(values)
    joined = lad[["area_code", "area_name", "itl1_name"]].merge(
        values[["area_code", "value", "period_label"]], on="area_code", how="left"
    )
    joined = joined.merge(
        gaps[["area_code", "region_reference", "reference", "gap"]], on="area_code", how="left"
    )
    links = map_links.area_links(joined, indicator="income", unit="£", decimals=0)
    return lad, regions, values, links


def _choropleth(links=None):
    lad, regions, values, _ = _fixture_links()
    return maps.choropleth(
        lad,
        regions,
        values,
        title="Income",
        unit="£",
        higher_is_better=True,
        period_label="2022",
        links=links,
    )


def test_every_area_links_to_its_profile_with_a_tooltip_and_the_png_is_unchanged(tmp_path):
    lad, _, _, links = _fixture_links()
    figures.save_figure(_choropleth(), tmp_path / "plain.png", tmp_path / "plain.svg")
    map_links.save_linked_map(
        _choropleth(links), tmp_path / "linked.png", tmp_path / "linked.svg", links
    )
    assert (tmp_path / "plain.png").read_bytes() == (tmp_path / "linked.png").read_bytes()
    svg = (tmp_path / "linked.svg").read_text(encoding="utf-8")
    assert map_links.LINK_TOKEN not in svg and "<script" not in svg and 'target="' not in svg
    anchors = _ANCHOR.findall(svg)
    hrefs = {href for href, _ in anchors}
    assert hrefs == {f"../profiles/{code}.html#income" for code in lad["area_code"]}
    london = lad.loc[lad["itl1_code"] == "TLI", "area_code"]
    # Every London area appears twice (main map and enlarged inset), every other area once.
    assert len(anchors) == len(lad) + len(london)
    titles = dict(anchors)
    assert titles["../profiles/E06000002.html#income"].split("\n")[1] == "No data"
    first = lad.iloc[0]
    assert titles[f"../profiles/{first.area_code}.html#income"].startswith(
        f"{first.area_name} ({first.area_code})\n"
    )
    # The linked SVG is the plain one, compacted, plus the links: same drawing otherwise.
    plain = map_links.compact_path_data((tmp_path / "plain.svg").read_text(encoding="utf-8"))
    stripped = re.sub(r"<a xlink:href=\"[^\"]*\"><title>[^<]*</title>\s*", "", svg)
    stripped = re.sub(r"\s*</a>", "", stripped)
    assert re.sub(r"\s+", "", stripped) == re.sub(r"\s+", "", plain)


def test_tooltip_names_value_region_reference_and_gap():
    _, _, values, links = _fixture_links()
    row = values.iloc[0]
    title = links[row["area_code"]][1].split("\n")
    assert title[0] == f"{row['area_name']} ({row['area_code']})"
    assert title[1] == f"{figures.format_number(row['value'], 0)} £"
    assert title[2].startswith(f"Region: {row['itl1_name']}, population-weighted mean ")
    assert title[3].startswith("Gap: ")


def test_an_unknown_link_key_is_an_error():
    with pytest.raises(KeyError, match="E09"):
        map_links.resolve_svg_links('<a xlink:href="localineq-link:E09" target="_blank">', {})


def test_county_units_link_to_the_profile_index():
    assert map_links.profile_href("E10000002", "hle_female") == "../profiles/index.html"
    assert (
        map_links.profile_href("S12000033", "hle_female") == "../profiles/S12000033.html#hle_female"
    )


def test_lisa_maps_outline_every_area_and_other_maps_keep_white_edges():
    lad, regions = boundaries()
    lisa = lad[["area_code"]].assign(lisa_class="not significant")
    fig = maps.lisa_map(
        lad,
        regions,
        lisa,
        title="x",
        period_label="p",
        higher_is_better=True,
        fdr_alpha=0.05,
        permutations=99,
    )
    edges = {
        tuple(c.get_edgecolor()[0])
        for ax in fig.axes[:2]
        for c in ax.collections
        if isinstance(c, PatchCollection)
    }
    assert edges == {to_rgba(maps.LISA_EDGE)}
    plt.close(fig)
    fig = _choropleth()
    edges = {
        tuple(c.get_edgecolor()[0])
        for c in fig.axes[0].collections
        if isinstance(c, PatchCollection)
    }
    assert edges == {to_rgba("white")}
    plt.close(fig)


def _segments(d: str) -> list[tuple[str, tuple[str, ...]]]:
    """Path data as (command, coordinates) per segment, implicit linetos made explicit."""
    arity = {"M": 2, "L": 2, "C": 6, "Q": 4, "z": 0}
    segments, command, tokens = [], None, d.split()
    while tokens:
        if tokens[0].isalpha():
            command = tokens.pop(0)
        elif command in ("M", "L"):
            command = "L" if segments and segments[-1][0] in ("M", "L") else command
        n = arity[command]
        segments.append((command, tuple(tokens[:n])))
        tokens = tokens[n:]
    return segments


def test_compact_path_data_keeps_every_segment(tmp_path):
    figures.save_figure(_choropleth(), tmp_path / "a.png", tmp_path / "a.svg", svg_decimals=1)
    plain = (tmp_path / "a.svg").read_text(encoding="utf-8")
    compact = map_links.compact_path_data(plain)
    before = re.findall(r'\sd="([^"]*)"', plain)
    after = re.findall(r'\sd="([^"]*)"', compact)
    assert len(before) == len(after) > 10
    assert [_segments(d) for d in before] == [_segments(d) for d in after]
    assert sum(map(len, after)) < 0.9 * sum(map(len, before))


def test_status_map_links_every_panel_with_its_own_status(tmp_path):
    lad, regions = boundaries()
    codes = lad["area_code"].tolist()
    targets = pd.DataFrame(
        {
            "indicator": ["income"] * len(codes) + ["unemployment"] * len(codes),
            "area_code": codes * 2,
            "area_name": lad["area_name"].tolist() * 2,
            "itl1_name": lad["itl1_name"].tolist() * 2,
            "status": ["met"] * len(codes) + ["levelling_down"] * len(codes),
            "latest": [1.0] * (2 * len(codes)),
            "latest_period": "2022-01-01/P1Y",
            "region_reference_latest": [1.0] * (2 * len(codes)),
            "target_2030": [2.0] * (2 * len(codes)),
        }
    )
    specs = {
        "income": {"title": "Income", "unit": "£"},
        "unemployment": {"title": "U", "unit": "%"},
    }
    links = status_links(targets, ["income", "unemployment"], specs)
    fig = status_map(lad, regions, targets, ["income", "unemployment"], specs, {}, links=links)
    map_links.save_linked_map(fig, tmp_path / "s.png", tmp_path / "s.svg", links)
    anchors = _ANCHOR.findall((tmp_path / "s.svg").read_text(encoding="utf-8"))
    assert len(anchors) == 2 * len(codes)
    code = codes[0]
    titles = {(h, t.split("\n")[1]) for h, t in anchors if f"/{code}.html" in h}
    assert titles == {
        (f"../profiles/{code}.html#income", "Target status: met"),
        (f"../profiles/{code}.html#unemployment", "Target status: levelling down"),
    }
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------------------------
PROBE = """<script>
window.addEventListener("load", () => {
  const links = Array.from(document.querySelectorAll("svg a")).map((a) => {
    const title = a.querySelector(":scope > title");
    return {
      title: title ? title.textContent : null,
      href: new URL(a.href.baseVal, document.baseURI).href,
      paths: a.querySelectorAll("path").length,
    };
  });
  document.body.setAttribute("data-links", JSON.stringify(links));
});
</script>"""


def _chromium(args: list[str], profile: Path) -> str:
    command = [CHROMIUM, *FLAGS, OFFLINE, f"--user-data-dir={profile}", *args]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def browser_links(svg: Path, workdir: Path) -> list[dict]:
    """The links Chromium sees in a map: each one's tooltip, resolved href and path count.

    The SVG is placed inline in a page whose base is the SVG's own folder, so hrefs resolve
    exactly as when the SVG file is opened itself.
    """
    page = (
        f'<!DOCTYPE html><html><head><base href="{svg.parent.resolve().as_uri()}/"></head>'
        f"<body>{svg.read_text(encoding='utf-8').split('?>', 1)[-1]}{PROBE}</body></html>"
    )
    probe = workdir / "probe.html"
    probe.write_text(page, encoding="utf-8")
    dom = _chromium(["--virtual-time-budget=20000", "--dump-dom", probe.as_uri()], workdir / "p1")
    body = re.search(r'<body data-links="([^"]*)"', dom)
    assert body, dom[:500]
    return json.loads(body.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def check_named_authority(svg: Path, workdir: Path, name: str) -> None:
    links = browser_links(svg, workdir)
    assert links and all(link["paths"] >= 1 and link["title"] for link in links)
    mine = [link for link in links if link["title"].startswith(f"{name} (")]
    assert mine, f"no shape of {name} with a tooltip in {svg.name}"
    target = urlparse(mine[0]["href"])
    assert target.scheme == "file"
    page = Path(unquote(target.path))
    assert page.is_file() and page.parent.name == "profiles"
    dom = _chromium(["--dump-dom", page.as_uri()], workdir / "p2")
    assert name in dom


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_browser_follows_a_named_authority_from_a_fixture_map(tmp_path):
    lad, _, _, links = _fixture_links()
    site = tmp_path / "results"
    (site / "figures").mkdir(parents=True)
    (site / "profiles").mkdir()
    for row in lad.itertuples():
        html = f"<!DOCTYPE html><html><body><h1>{row.area_name}</h1></body></html>"
        (site / "profiles" / f"{row.area_code}.html").write_text(html, encoding="utf-8")
    svg = site / "figures" / "map_income.svg"
    map_links.save_linked_map(_choropleth(links), site / "figures" / "map_income.png", svg, links)
    name = lad.iloc[0]["area_name"]
    check_named_authority(svg, tmp_path, name)
    # The check can fail: without the page, the link no longer resolves to a file.
    (site / "profiles" / f"{lad.iloc[0]['area_code']}.html").unlink()
    with pytest.raises(AssertionError):
        check_named_authority(svg, tmp_path, name)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.skipif(not REAL_MAP.exists(), reason="the pipeline has not drawn the maps yet")
@pytest.mark.parametrize(
    "figure",
    ["map_gdhi_per_head.svg", "gap_map_gdhi_per_head.svg", "lisa_map_gdhi_per_head.svg"],
)
def test_browser_follows_hartlepool_from_the_real_maps(tmp_path, figure):
    check_named_authority(REAL_MAP.parent / figure, tmp_path, "Hartlepool")


REAL_MAPS = sorted(REAL_MAP.parent.glob("*map*.svg")) + sorted(
    REAL_MAP.parent.glob("target_status.svg")
)


@pytest.mark.skipif(not REAL_MAP.exists(), reason="the pipeline has not drawn the maps yet")
@pytest.mark.parametrize("svg", REAL_MAPS, ids=lambda p: p.name)
def test_every_area_shape_of_the_real_maps_is_linked(svg):
    text = svg.read_text(encoding="utf-8")
    groups = re.findall(r'<g id="_GeoPandasPolyCollection_\d+">(.*?)</g>', text, re.S)
    shapes = sum(g.count("<path") for g in groups)
    linked = _ANCHOR.findall("".join(groups))
    assert shapes > 200 and len(linked) == shapes
    assert all(href.startswith("../profiles/") for href, _ in linked)
    assert "<script" not in text and map_links.LINK_TOKEN not in text
