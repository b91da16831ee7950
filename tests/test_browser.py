"""The report in a real browser: headless Chromium renders it and loads every image.

Runs on a small report built from fixtures (fast, independent of the pipeline) and, when the
pipeline has produced it, on the real ``results/report/index.html``. Skipped only when no
Chromium is installed (CI installs Debian's ``chromium`` package).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from chromium import CHROMIUM, FLAGS, OFFLINE  # noqa: E402
from figure_fixtures import build_fixture_report, build_fixture_standalone  # noqa: E402

from localineq.outputs.report.build import (  # noqa: E402
    local_references,
    missing_images,
    referenced_images,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_REPORT = REPO_ROOT / "results" / "report" / "index.html"
REAL_STANDALONE = REPO_ROOT / "results" / "report" / "localineq-report.html"


pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

# Appended to a copy of the page: after load, record how many images there are and which did
# not decode, so that --dump-dom shows what the browser actually rendered.
PROBE = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute("src"));
  document.body.setAttribute("data-images", String(images.length));
  document.body.setAttribute("data-figures", String(document.querySelectorAll("figure figcaption").length));
  document.body.setAttribute("data-broken", JSON.stringify(broken));
  const widths = images.map((i) => i.naturalWidth);
  document.body.setAttribute("data-widths", JSON.stringify(widths));
  // every fetch the page made (data: URIs are not fetched and never listed)
  const fetched = performance.getEntriesByType("resource").map((e) => e.name);
  document.body.setAttribute("data-requests", JSON.stringify(fetched));
});
</script>"""


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def probe_page(report: Path, workdir: Path, *, base: bool = True) -> Path:
    """A copy of the report with the probe script (and a <base> pointing at its folder)."""
    page = report.read_text(encoding="utf-8")
    if base:
        tag = f'<base href="{report.parent.resolve().as_uri()}/">'
        page = page.replace("<head>", f"<head>\n{tag}", 1)
    page = page.replace("</body>", f"{PROBE}\n</body>", 1)
    probe = workdir / "probe.html"
    probe.write_text(page, encoding="utf-8")
    return probe


def _attr(attrs: dict, name: str):
    return json.loads(attrs[name].replace("&quot;", '"'))


def rendered_state(
    report: Path, workdir: Path, *, base: bool = True, offline: bool = False
) -> dict:
    probe = probe_page(report, workdir, base=base)
    network = [OFFLINE] if offline else []
    run = run_chromium(
        [*network, "--virtual-time-budget=20000", "--dump-dom", probe.as_uri()],
        workdir / "profile-dom",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", run.stdout)
    assert body, run.stdout[:500]
    attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', body.group(1)))
    assert attrs, f"probe did not run; body tag was {body.group(0)[:200]}"
    return {
        "dom": run.stdout,
        "images": int(attrs["data-images"]),
        "figures": int(attrs["data-figures"]),
        "broken": _attr(attrs, "data-broken"),
        "widths": _attr(attrs, "data-widths"),
        "requests": _attr(attrs, "data-requests"),
    }


def check_report(report: Path, workdir: Path, *, min_figures: int) -> None:
    page = report.read_text(encoding="utf-8")
    sources = referenced_images(page)
    assert len(sources) >= min_figures
    assert missing_images(report) == []  # every <img src> resolves to a file
    state = rendered_state(report, workdir)
    assert state["images"] == len(sources)
    assert state["figures"] >= min_figures
    assert state["broken"] == [], f"images the browser could not load: {state['broken']}"
    assert "How to cite" in state["dom"]
    shot = workdir / "report.png"
    run = run_chromium(
        [
            "--window-size=1280,2400",
            "--virtual-time-budget=20000",
            f"--screenshot={shot}",
            report.resolve().as_uri(),
        ],
        workdir / "profile-shot",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_fixture_report_renders_with_all_images(tmp_path):
    report = build_fixture_report(tmp_path / "site")
    check_report(report, tmp_path, min_figures=6)


def test_browser_notices_a_broken_image(tmp_path):
    report = build_fixture_report(tmp_path / "site")
    victim = referenced_images(report.read_text(encoding="utf-8"))[0]
    (report.parent / victim).write_bytes(b"not a png")
    state = rendered_state(report, tmp_path)
    assert state["broken"] == [victim]


@pytest.mark.skipif(not REAL_REPORT.exists(), reason="the pipeline has not built the report yet")
def test_real_report_renders_with_all_images(tmp_path):
    check_report(REAL_REPORT, tmp_path, min_figures=6)


def check_standalone(report: Path, workdir: Path, *, min_figures: int) -> None:
    """The page alone in an empty folder, offline: every image decodes, nothing is fetched."""
    page = report.read_text(encoding="utf-8")
    assert local_references(page) == []
    alone = workdir / "alone"
    alone.mkdir()
    copy = alone / report.name
    shutil.copyfile(report, copy)
    probe_dir = workdir / "probe"
    probe_dir.mkdir()
    state = rendered_state(copy, probe_dir, base=False, offline=True)
    assert state["images"] == len(referenced_images(page)) >= min_figures
    assert state["broken"] == []
    assert all(w > 0 for w in state["widths"]), state["widths"]
    # the probe page is the only document; it made no further request of any kind
    assert state["requests"] == []
    assert "How to cite" in state["dom"]


def test_fixture_standalone_renders_offline(tmp_path):
    report = build_fixture_standalone(tmp_path / "site")
    check_standalone(report, tmp_path, min_figures=6)


def test_offline_probe_notices_a_request(tmp_path):
    # the check can fail: an image that needs a host is reported as broken and as a request
    report = build_fixture_standalone(tmp_path / "site")
    page = report.read_text(encoding="utf-8")
    first = referenced_images(page)[0]
    report.write_text(page.replace(first, "https://example.org/x.png", 1), encoding="utf-8")
    state = rendered_state(report, tmp_path, base=False, offline=True)
    assert state["broken"] == ["https://example.org/x.png"]
    assert state["requests"] == ["https://example.org/x.png"]


@pytest.mark.skipif(
    not REAL_STANDALONE.exists(), reason="the pipeline has not built the report yet"
)
def test_real_standalone_renders_offline(tmp_path):
    check_standalone(REAL_STANDALONE, tmp_path, min_figures=6)
