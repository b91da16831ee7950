"""Figures and maps: they draw, carry source and licence lines, and save PNG ≥ 200 dpi + SVG."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

sys.path.insert(0, str(Path(__file__).parent))
from figure_fixtures import SPECS, boundaries, decomposition, hierarchy, la_table  # noqa: E402

from localineq.analysis import area_tables, decomposition_tables, profile_tables  # noqa: E402
from localineq.analysis.uncertainty_tables import uncertainty_table  # noqa: E402
from localineq.data import geography  # noqa: E402
from localineq.outputs import figures, maps  # noqa: E402
from localineq.outputs.figure_catalogue import figure_catalogue, headline_indicators  # noqa: E402


def all_text(fig: plt.Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def png_dpi(path: Path) -> float:
    """Horizontal resolution from the PNG's pHYs chunk (pixels per metre → dpi)."""
    data = path.read_bytes()
    at = data.index(b"pHYs")
    per_metre = struct.unpack(">I", data[at + 4 : at + 8])[0]
    return per_metre * 0.0254


@pytest.fixture(scope="module")
def summary():
    frame = la_table()
    uncertainty = uncertainty_table(frame, SPECS, draws=49, seed=1)
    return decomposition_tables.decomposition_summary(
        decomposition(frame), SPECS, uncertainty=uncertainty
    )


def test_save_figure_writes_high_resolution_png_and_svg_without_dates(tmp_path):
    fig = figures.dotplot_by_region(
        la_table().query("indicator == 'income'"), title="T", unit="£", period_label="2022"
    )
    figures.save_figure(fig, tmp_path / "a.png", tmp_path / "a.svg")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_dpi(tmp_path / "a.png") >= 199.9
    svg = (tmp_path / "a.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_dotplot_has_polarity_and_source_line():
    data = la_table().query("indicator == 'unemployment' and period == '2022-01-01/P1Y'")
    fig = figures.dotplot_by_region(
        data, title="Unemployment", unit="%", period_label="2022", higher_is_better=False
    )
    text = all_text(fig)
    assert "lower is better" in text and "Open Government Licence v3.0" in text
    assert len(fig.axes[0].get_yticklabels()) == 3
    plt.close(fig)


def test_between_within_shares_draws_every_indicator_with_intervals(summary):
    fig = figures.between_within_shares(summary)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(summary)
    assert any("Household income" in label for label in labels)
    # Coverage is marked on every label.
    assert all("[England, 3 regions]" in label for label in labels)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "95% confidence interval (BCa bootstrap)" in legend
    assert "Open Government Licence" in all_text(fig)
    plt.close(fig)


def test_between_within_shares_without_intervals(summary):
    fig = figures.between_within_shares(summary.assign(between_share_ci_lower=np.nan))
    assert "confidence interval" not in all_text(fig)
    plt.close(fig)


def test_within_share_trend_one_panel_per_indicator():
    dec = decomposition(la_table(periods=("2020-01-01/P1Y", "2021-01-01/P1Y", "2022-01-01/P1Y")))
    fig = figures.within_share_trend(dec, SPECS, ncols=4)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(SPECS)
    for ax in visible:
        assert ax.get_ylim() == (0.0, 100.0)
        assert len(ax.get_lines()) == 2  # weighted and unweighted
        assert "no trend" not in all_text(fig)


def test_within_share_trend_draws_short_series_as_points_with_a_note():
    dec = decomposition(la_table(periods=("2021-01-01/P1Y", "2022-01-01/P1Y")))
    fig = figures.within_share_trend(dec, SPECS, ncols=4)
    for ax in [a for a in fig.axes if a.get_visible()]:
        assert all(line.get_linestyle() == "None" for line in ax.get_lines())
    assert "2 periods: no trend" in all_text(fig)
    plt.close(fig)


def test_dotplot_axis_has_thousands_separators():
    data = la_table().query("indicator == 'income' and period == '2022-01-01/P1Y'")
    data = data.assign(value=data["value"] * 1000)
    fig = figures.dotplot_by_region(data, title="Income", unit="£ per head", period_label="2022")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert any("," in t for t in ticks), ticks
    plt.close(fig)
    plt.close(fig)


def test_within_share_trend_single_period_gets_a_sensible_window():
    dec = decomposition(la_table(periods=("2022-01-01/P1Y",)))
    fig = figures.within_share_trend(dec, SPECS)
    low, high = fig.axes[0].get_xlim()
    assert high - low < 5
    plt.close(fig)


def test_localisation_profile_stacks_to_100():
    profile = profile_tables.profile_table(la_table(), hierarchy(), SPECS)
    fig = figures.localisation_profile(profile, SPECS)
    ax = fig.axes[0]
    widths = {}
    for patch in ax.patches:
        y = round(patch.get_y(), 3)
        widths[y] = widths.get(y, 0) + patch.get_width()
    assert np.allclose(list(widths.values()), 100)
    plt.close(fig)


def test_class_breaks_and_labels():
    values = np.arange(1, 101, dtype=float)
    breaks = maps.class_breaks(values, scheme="quantiles", k=5)
    assert len(breaks) == 5 and breaks[-1] == 100
    assert maps.class_breaks([1, 1, 1, 2], k=5).tolist() == [1.0, 2.0]
    assert len(maps.class_breaks(values, scheme="natural_breaks", k=4)) == 4
    np.testing.assert_array_equal(
        maps.class_breaks(values, scheme="natural_breaks", k=4),
        maps.class_breaks(values, scheme="natural_breaks", k=4),
    )
    with pytest.raises(ValueError, match="unknown classification"):
        maps.class_breaks(values, scheme="nope")
    assert maps.class_labels(0, [1.5, 3.0], decimals=1) == ["0.0 – 1.5", "1.5 – 3.0"]


def test_symmetric_breaks_are_centred_on_zero():
    edges = maps.symmetric_breaks(np.linspace(-3, 5, 50), k_side=4)
    assert edges[len(edges) // 2] == 0
    np.testing.assert_allclose(edges, -edges[::-1])


def test_choropleth_projects_to_bng_and_has_inset_legend_and_attribution():
    lad, regions = boundaries()
    values = la_table().query("indicator == 'income' and period == '2022-01-01/P1Y'")
    values = values[values["area_code"] != "E06000002"]  # one LA without a value
    fig = maps.choropleth(
        lad, regions, values, title="Income", unit="£", higher_is_better=True, period_label="2022"
    )
    main, inset = fig.axes[:2]
    assert main.get_xlim()[1] > 1000  # metres on the British National Grid, not degrees
    assert inset.get_title(loc="left") == "London (enlarged)"
    text = all_text(fig)
    assert "No data" in text and "higher is better" in text
    assert "Open Government Licence v3.0" in text and "Crown copyright" in text
    plt.close(fig)


def test_choropleth_palette_follows_polarity():
    lad, regions = boundaries()
    values = la_table().query("indicator == 'income' and period == '2022-01-01/P1Y'")
    colours = {}
    for better in (True, False):
        fig = maps.choropleth(
            lad, regions, values, title="x", unit="u", higher_is_better=better, period_label="p"
        )
        handles = fig.axes[0].get_legend().legend_handles
        colours[better] = [tuple(np.round(h.get_facecolor(), 3)) for h in handles[:5]]
        plt.close(fig)
    assert colours[True] == colours[False][::-1]


def test_gap_map_labels_better_and_worse_by_polarity():
    lad, regions = boundaries()
    data = la_table().query("indicator == 'unemployment' and period == '2022-01-01/P1Y'")
    gaps = area_tables.regional_gaps(data)
    fig = maps.gap_map(
        lad,
        regions,
        gaps,
        title="Unemployment",
        unit="%",
        higher_is_better=False,
        period_label="2022",
    )
    text = all_text(fig)
    assert "▲ worse than region average" in text and "▼ better than region average" in text
    assert "Crown copyright" in text
    plt.close(fig)


def test_maps_refuse_codes_without_boundaries():
    lad, regions = boundaries()
    values = pd.DataFrame({"area_code": ["E06999999"], "value": [1.0]})
    with pytest.raises(ValueError, match="no boundary"):
        maps.choropleth(
            lad, regions, values, title="x", unit="u", higher_is_better=True, period_label="p"
        )


def test_unit_polygons_dissolve_members():
    lad, _ = boundaries()
    members = pd.DataFrame(
        {"area_code": ["E06000001", "E06000002"], "unit_code": ["E10000001"] * 2}
    )
    units = geography.unit_polygons(lad, members)
    assert len(units) == len(lad) - 1 and "E10000001" in set(units["area_code"])


def test_figure_catalogue_has_stable_unique_paths():
    entries = figure_catalogue(SPECS, ["income"])
    stems = [e.stem for e in entries]
    assert len(stems) == len(set(stems)) == 8  # 4 overview figures + 4 per headline indicator
    assert entries[0].png == "results/figures/between_within_shares.png"
    assert all(e.caption and e.title for e in entries)


def test_headline_indicators_must_exist():
    config = {"indicators": SPECS, "figures": {"headline": ["income", "nope"]}}
    with pytest.raises(ValueError, match="nope"):
        headline_indicators(config)


def test_between_within_shares_marks_the_signal_share(summary):
    first = summary.index[0]
    marked = summary.assign(
        se_source="not published",
        between_share_corrected=np.nan,
        between_share_corrected_lower=np.nan,
        between_share_corrected_upper=np.nan,
    )
    marked.loc[first, ["se_source", "between_share_corrected"]] = ["published 95% interval", 0.4]
    marked.loc[first, ["between_share_corrected_lower", "between_share_corrected_upper"]] = [
        0.3,
        0.55,
    ]
    fig = figures.between_within_shares(marked)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("net of sampling noise" in label for label in legend)
    green = [c for c in ax.collections if "net of sampling noise" in str(c.get_label())]
    assert len(green) == 1 and green[0].get_offsets().shape == (1, 2)
    assert green[0].get_offsets()[0, 0] == pytest.approx(40.0)
    plt.close(fig)
    plain = figures.between_within_shares(summary)
    assert "net of sampling noise" not in all_text(plain)
    plt.close(plain)
