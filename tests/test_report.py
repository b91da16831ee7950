"""The HTML report: structure, captions, relative images, sources, no network resources."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from figure_fixtures import (  # noqa: E402
    build_fixture_report,
    build_fixture_standalone,
    fixture_inputs,
)

from localineq.outputs import figure_catalogue  # noqa: E402
from localineq.outputs.report import base as report_base  # noqa: E402
from localineq.outputs.report import build as report  # noqa: E402
from localineq.outputs.report import sections as report_sections  # noqa: E402
from localineq.outputs.report.targets import TARGET_FIGURE  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = REPO_ROOT / "src" / "localineq" / "outputs" / "templates"


class Structure(HTMLParser):
    """Figures with their images and captions, and every resource-loading tag."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict] = []
        self.resources: list[tuple[str, str]] = []
        self.ids: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "figure":
            self.figures.append({"img": [], "caption": ""})
        elif tag == "img":
            self.resources.append((tag, attrs.get("src", "")))
            if self.figures:
                self.figures[-1]["img"].append(attrs.get("src"))
        elif tag in ("script", "link", "iframe", "object", "embed", "source"):
            self.resources.append((tag, attrs.get("src") or attrs.get("href") or ""))
        elif tag == "figcaption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in_caption = False

    def handle_data(self, data):
        if self._in_caption and self.figures:
            self.figures[-1]["caption"] += data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    path = build_fixture_report(root)
    return path, path.read_text(encoding="utf-8")


def parse(page: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    return parser


def test_every_figure_has_one_image_and_a_caption(built):
    _, page = built
    structure = parse(page)
    assert len(structure.figures) >= 6
    for figure in structure.figures:
        assert len(figure["img"]) == 1
        assert len(figure["caption"].strip()) > 40


def test_images_are_relative_and_exist(built):
    path, page = built
    sources = report.referenced_images(page)
    assert sources and all(src.startswith("../figures/") for src in sources)
    assert report.missing_images(path) == []


def test_no_external_resources_and_no_scripts(built):
    _, page = built
    structure = parse(page)
    assert [r for r in structure.resources if r[0] != "img"] == []
    assert not re.search(r"(src|href)=\"//", page)
    assert all(not src.startswith(("http:", "https:")) for _, src in structure.resources)
    assert "<style>" in page  # inline CSS only


def test_sections_the_report_promises(built):
    _, page = built
    ids = set(parse(page).ids)
    assert {"question", "data", "method", "findings", "limitations", "cite"} <= ids
    for phrase in ("Theil T", "mean log deviation", "Variance", "bootstrap", "between share"):
        assert phrase.lower() in page.lower()
    for phrase in ("modifiable areal unit problem", "Sampling error", "Boundary changes"):
        assert phrase.lower() in page.lower()


def test_icc_gini_section_and_honest_interval_wording(built):
    _, page = built
    assert 'id="icc-gini"' in page
    section = page[page.index('id="icc-gini"') :]
    assert "ICC, ITL1" in section and "Gini overlap" in section
    assert "95% confidence interval" in page and "BCa" in page
    assert "percentile intervals" not in page.lower()
    assert "sensitivity" in page
    # Titles keep their case in running text.
    assert "“Household income per head”" in page


def test_sources_licences_and_attribution(built):
    _, page = built
    assert "Open Government Licence v3.0" in page
    assert "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in page
    assert "Contains OS data © Crown copyright and database right" in page
    assert "Office for National Statistics" in page


def test_how_to_cite_lists_every_figure_path(built):
    _, page = built
    cite = page[page.index('id="cite"') :]
    entries = figure_catalogue.figure_catalogue(
        {
            "income": {"title": "Household income per head", "unit": "£", "higher_is_better": True},
            "unemployment": {"title": "Unemployment rate", "unit": "%", "higher_is_better": False},
        },
        ["income", "unemployment"],
    )
    for entry in entries:
        assert entry.png in cite and entry.svg in cite


def test_report_is_deterministic(tmp_path):
    first = build_fixture_report(tmp_path / "a").read_bytes()
    second = build_fixture_report(tmp_path / "b", draw_figures=True).read_bytes()
    assert first == second
    assert not re.search(rb"20\d\d-\d\d-\d\dT\d\d:\d\d", first)  # no timestamps


def test_write_report_refuses_missing_images(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing images"):
        build_fixture_report(tmp_path, draw_figures=False)


def test_figure_html_escapes_and_links_svg():
    entry = figure_catalogue.FigureEntry(key="k", stem="s", title="A <b> & c", caption="x > y")
    html = report.figure_html(entry, report_dir="results/report", number=3)
    assert "A &lt;b&gt; &amp; c" in html and 'href="../figures/s.svg"' in html
    assert html.startswith('<figure id="fig-k">') and "<figcaption>" in html


def test_report_is_rendered_from_the_section_list():
    inputs = fixture_inputs()
    page = report.build_report(inputs)
    ids = parse(page).ids
    # the mission scorecard is left out without its table (tests/test_scorecard.py renders it)
    section_ids = [s.id for s in report_sections.SECTIONS if s.id != "missions"]
    assert [i for i in ids if i in section_ids] == section_ids  # page order = list order
    assert 'id="missions"' not in page
    nav = page[page.index("<nav>") : page.index("</nav>")]
    assert [f'href="#{i}"' in nav for i in section_ids] == [True] * len(section_ids)

    def skipped(state):
        return None

    def extra(state):
        return {"version": "X<1>"}

    sections = [
        report_base.Section("gone", "Left out", "sections/question.html.j2", skipped),
        report_base.Section("cite", "Cite me", "sections/cite.html.j2", extra),
    ]
    # a cite partial missing its fields fails loudly (StrictUndefined), not silently
    with pytest.raises(Exception, match="has no attribute 'authors'"):
        report.build_report(inputs, sections=sections)
    sections[1] = report_base.Section(
        "cite",
        "Cite me",
        "sections/cite.html.j2",
        lambda state: {**report_sections.cite_context(state), "version": "X<1>"},
    )
    page = report.build_report(inputs, sections=sections)
    assert 'id="gone"' not in page and "Left out" not in page
    assert '<section id="cite"><h2>Cite me</h2>' in page
    assert "Version X&lt;1&gt;," in page  # autoescaped


def test_values_are_escaped_in_every_partial():
    inputs = fixture_inputs()
    key = next(iter(inputs.sources))
    inputs.sources = {
        **inputs.sources,
        key: {**inputs.sources[key], "description": '<script>alert("x")</script>'},
    }
    page = report.build_report(inputs)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_templates_ship_as_package_data():
    import tomllib

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = config["package-data"]["localineq.outputs"]
    files = [p.relative_to(TEMPLATES.parent) for p in TEMPLATES.rglob("*") if p.is_file()]
    assert any(f.name == "base.html.j2" for f in files)
    unshipped = [f for f in files if not any(f.match(g) for g in globs)]
    assert unshipped == [], f"templates missing from package-data: {unshipped}"


def test_templates_hold_no_python_formatting():
    # numbers are formatted in the section modules, not in templates
    for path in TEMPLATES.rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert "|format" not in text.replace(" ", "") and "|round" not in text.replace(" ", "")
        assert "|safe" not in text.replace(" ", ""), path.name


def test_standalone_report_embeds_every_figure_and_links_no_files(tmp_path):
    import base64

    path = build_fixture_standalone(tmp_path)
    page = path.read_text(encoding="utf-8")
    sources = report.referenced_images(page)
    linked = build_fixture_report(tmp_path / "linked").read_text(encoding="utf-8")
    assert len(sources) == len(report.referenced_images(linked)) >= 6
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    entries = figure_catalogue.figure_catalogue(
        fixture_inputs().config["indicators"], ["income", "unemployment"]
    )
    entries.append(TARGET_FIGURE)  # the targets section's status map
    by_png = {(tmp_path / e.png).read_bytes(): e for e in entries}
    decoded = [base64.b64decode(s.split(",", 1)[1]) for s in sources]
    assert all(d in by_png for d in decoded)
    assert report.local_references(page) == []
    assert "../" not in page


def test_local_references_catches_files_and_hosts():
    page = (
        '<a href="#x">in page</a><a href="https://ons.gov.uk">source</a>'
        '<img src="data:image/png;base64,AAAA">'
        '<img src="../figures/a.png"><a href="../tables/t.csv">t</a>'
        '<img src="https://example.org/a.png"><link rel="stylesheet" href="//cdn/x.css">'
        '<script src="app.js"></script>'
    )
    assert report.local_references(page) == [
        "../figures/a.png",
        "../tables/t.csv",
        "https://example.org/a.png",
        "//cdn/x.css",
        "app.js",
    ]


def test_png_data_uri_refuses_non_png(tmp_path):
    bad = tmp_path / "x.png"
    bad.write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match="not a PNG"):
        report.png_data_uri(bad)


NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXECUTED = Path(__file__).resolve().parents[1] / "results" / "notebooks"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_source_notebooks_declare_their_language_and_are_unexecuted(path):
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["language_info"]["name"] == "python"
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(not c.get("outputs") for c in code)
    sources = "\n".join(c.source for c in code)
    assert "data/raw" not in sources  # notebooks read results/ and data/processed/ only


@pytest.mark.integration
@pytest.mark.skipif(not EXECUTED.exists(), reason="the pipeline has not executed the notebooks")
def test_executed_notebooks_have_no_error_outputs():
    from localineq.outputs.notebooks import error_outputs

    executed = sorted(EXECUTED.glob("*.ipynb"))
    assert len(executed) >= 3
    import nbformat

    for path in executed:
        assert error_outputs(nbformat.read(path, as_version=4)) == [], path.name
        html = path.with_suffix(".html").read_text(encoding="utf-8")
        assert "Traceback" not in html


# ---------------------------------------------------------------------------------------------
# Issue 24: codebook section, table numbers, shortened tables, period labels, citation
# ---------------------------------------------------------------------------------------------
def _captions(page: str) -> list[str]:
    return re.findall(r"<caption>(.*?)</caption>", page, flags=re.S)


def test_no_two_tables_share_a_number_and_numbers_run_in_page_order(built):
    _, page = built
    numbers = [int(n) for n in re.findall(r"<caption><strong>Table (\d+)\.</strong>", page)]
    assert len(numbers) >= 5
    assert len(set(numbers)) == len(numbers), numbers
    assert numbers == list(range(1, len(numbers) + 1))  # in page order, none skipped
    # every captioned table is numbered, and no caption carries a number of its own
    captions = _captions(page)
    assert len(captions) == len(numbers)
    assert not [c for c in captions if re.search(r"\bTable \d+\.", c.split("</strong>", 1)[1])]


def test_prose_cites_the_summary_table_by_its_number(built):
    _, page = built
    summary = next(
        int(m.group(1))
        for m in re.finditer(r"<caption><strong>Table (\d+)\.</strong> Between- and within", page)
    )
    assert f"as Figure 1 and Table {summary} mark" in page


def test_number_tables_numbers_captioned_tables_depth_first():
    frame = report_base.pd.DataFrame({"a": [1]})
    first = report_base.table_context(frame, caption="first", key="one")
    bare = report_base.table_context(frame)  # no caption: no number
    nested = report_base.table_context(frame, caption="nested")
    last = report_base.table_context(frame, caption="last", key="two")
    numbers = report_base.number_tables([{"t": first, "x": [bare, {"y": nested}]}, None, [last]])
    assert [first["number"], bare["number"], nested["number"], last["number"]] == [1, None, 2, 3]
    assert numbers == {"one": 1, "two": 3}


def test_long_tables_are_shortened_and_link_the_full_file(built):
    _, page = built
    # captioned tables are the report's own; the codebook's column lists fold into <details>
    for table in re.findall(r"<table><caption>.*?</table>", page, flags=re.S):
        assert table.count("<tr>") - 1 <= 30, table[:200]
    frame = report_base.pd.DataFrame({"a": range(25)})
    short, full = report_base.shortened(frame, 20, "results/tables/x.csv", lambda p: "../x.csv")
    assert len(short) == 20
    assert full == {"total": 25, "path": "results/tables/x.csv", "href": "../x.csv"}
    same, none = report_base.shortened(frame, 25, "results/tables/x.csv", lambda p: p)
    assert len(same) == 25 and none is None


def _masked_rows(n: int) -> report_base.pd.DataFrame:
    """``n`` masked-authority rows of the headline indicator, as masked_las.csv has them."""
    return report_base.pd.DataFrame(
        {
            "indicator": "income",
            "title": "Household income per head",
            "area_name": [f"Area {i}" for i in range(n)],
            "itl1_name": "North East (England)",
            "kind": "hidden_low",
            "value": 10.0,
            "region_reference": 12.0,
            "unit": "£",
            "reference": "population-weighted mean",
            "significant": [i % 2 == 0 for i in range(n)],
            "evidence": "interval",
            "persistence": 1,
            "periods_checked": 2,
        }
    )


def test_masked_table_is_cut_with_a_link_to_every_row():
    inputs = fixture_inputs()
    shown = report_sections.MASKED_SHOWN
    inputs.masked = _masked_rows(shown + 7)
    page = report.build_report(inputs)
    assert f"The first {shown} of {shown + 7} rows; the full table: " in page
    assert '<a href="../tables/masked_las.csv">results/tables/masked_las.csv</a>' in page
    assert "Area 0<" in page and f"Area {shown + 5}<" not in page  # significant ones first
    inputs.masked = _masked_rows(shown)
    assert "The first " not in report.build_report(inputs).split('id="tables"')[1]


def test_no_raw_period_codes_outside_the_codebook():
    inputs = fixture_inputs()
    targets = inputs.extra["la_targets"]
    rows = targets["baseline"].notna() & targets["latest"].notna()
    assert rows.any()
    targets.loc[rows, "status"] = "levelling_down"  # every row an alarm, so the list shows
    page = report.build_report(inputs)
    alarms = page[page.index('id="targets"') :]
    alarms = alarms[: alarms.index("</section>")]
    assert "levelling-down alarms" in alarms and "(2021)" in alarms
    without_codebook = re.sub(r'<section id="codebook">.*?</section>', "", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", without_codebook)
    assert not re.findall(r"\d{4}-\d\d-\d\d/P\d+[YMD]", text)


def test_codebook_section_lists_every_table_with_its_columns(built):
    from localineq.outputs.codebook import load_codebook

    _, page = built
    assert [s.id for s in report_sections.SECTIONS].index("codebook") == [
        s.id for s in report_sections.SECTIONS
    ].index("tables") + 1
    section = page[page.index('<section id="codebook">') :]
    section = section[: section.index("</section>")]
    codebook = load_codebook()
    for table in codebook.tables:
        assert f'<details id="codebook-{table.name}">' in section
        assert f'href="../tables/{table.path}"' in section
        for field in table.fields:
            assert f"<code>{field.name}</code>" in section
    assert 'href="../tables/datapackage.json"' in section
    assert 'href="#codebook"' in page[page.index("<nav>") : page.index("</nav>")]


def test_standalone_codebook_names_files_without_linking_them(tmp_path):
    page = build_fixture_standalone(tmp_path).read_text(encoding="utf-8")
    section = page[page.index('<section id="codebook">') :]
    assert "results/tables/datapackage.json" in section
    assert report.local_references(page) == []


def test_citation_names_version_commit_and_data_date():
    inputs = fixture_inputs()
    inputs.commit = "0123456789abcdef0123456789abcdef01234567"
    inputs.data_retrieved = "2026-12-05"
    page = report.build_report(inputs)
    cite = page[page.index('<section id="cite">') :]
    version = report.package_version()
    assert f"Version {version}, commit <code>{inputs.commit}</code>" in cite
    assert "Data retrieved 2026-12-05." in cite
    unknown = report.build_report(fixture_inputs())
    assert "commit unknown (built outside a git work tree)" in unknown
    assert "Data retrieved unknown." in unknown


def test_citation_cff_matches_the_report_and_the_package():
    import tomllib

    import yaml

    cff = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert cff["version"] == project["project"]["version"]
    assert cff["title"] == report_sections.CITATION_TITLE
    assert [a["name"] for a in cff["authors"]] == [report_sections.CITATION_AUTHORS]
    assert "commit" in cff["message"] and "retrieved" in cff["message"]
