"""Choropleth maps of local-authority indicators, drawn on the British National Grid.

Two kinds of map, both with ITL1 regional boundaries overlaid and London enlarged in an inset:

* :func:`choropleth` — an indicator's value, classed with :mod:`mapclassify` (quantiles by
  default) on a colour-blind-safe sequential palette (cividis), oriented so that the *worse*
  end is always dark whatever the indicator's polarity;
* :func:`gap_map` — each LA's gap to its own region's (weighted) average on a
  diverging palette centred at zero, with "better/worse than own region" labels that follow
  the indicator's polarity.

Boundaries are projected to EPSG:27700 for drawing so that distances and shapes are not
distorted at UK latitudes. They are drawn as given: the pipeline passes boundaries simplified
once for drawing (:func:`localineq.data.map_geometry.drawing_layers`), with a finer set for the
London inset, and the lines between ITL1 regions rather than whole region outlines.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch, Rectangle
from shapely.geometry import box

from localineq.data.geography import unit_polygons
from localineq.data.intermediates import read_geopackage
from localineq.data.map_geometry import BNG, DRAWING_SCALES
from localineq.outputs.figures import OS_LINE, add_source_line, deferred_draws, format_number
from localineq.outputs.map_links import area_urls, link_shapes

#: ITL1 code of London.
LONDON = "TLI"
NO_DATA_COLOUR = "#e6e6e6"
REGION_EDGE = "0.15"
#: Decimals of SVG path coordinates (points): 0.1 pt is 0.04 mm on paper, far below a pixel.
MAP_SVG_DECIMALS = 1


def read_drawing_layers(
    path: str | os.PathLike, scale: str = "main"
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """LAD polygons and ITL1 border lines simplified for one drawing scale.

    Reads the GeoPackage written by rule ``prepare_map_boundaries`` (layers ``lad<suffix>``
    and ``itl1_borders<suffix>``, :data:`DRAWING_SCALES`; see
    :func:`localineq.data.map_geometry.drawing_layers`).
    """
    suffix = DRAWING_SCALES[scale]
    return (
        read_geopackage(path, f"lad{suffix}"),
        read_geopackage(path, f"itl1_borders{suffix}"),
    )


def to_bng(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project to the British National Grid (EPSG:27700); a frame without a CRS is an error."""
    if frame.crs is None:
        raise ValueError("boundaries have no CRS; set EPSG:4326 for lon/lat before projecting")
    return frame.to_crs(BNG)


def class_breaks(values: Sequence[float], *, scheme: str = "quantiles", k: int = 5) -> np.ndarray:
    """Upper bounds of ``k`` classes of ``values`` by a :mod:`mapclassify` scheme.

    ``scheme`` is ``"quantiles"``, ``"natural_breaks"`` (Jenks-Caspall via ``NaturalBreaks``
    with a fixed seed, so repeated calls agree), ``"fisher_jenks"`` or ``"equal_interval"``.
    Missing values are ignored. Fewer distinct values than ``k`` give fewer classes.

    >>> class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], k=2).tolist()
    [5.5, 10.0]
    """
    data = np.asarray(values, dtype="float64")
    data = data[np.isfinite(data)]
    if data.size == 0:
        raise ValueError("no finite values to classify")
    k = max(1, min(k, np.unique(data).size))
    if scheme == "quantiles":
        return _quantile_breaks(data, k)
    # Imported here: mapclassify compiles a numba kernel when imported (about 3.5 s), and the
    # default scheme, quantiles, does not need it.
    import mapclassify

    if scheme == "natural_breaks":
        np.random.seed(0)  # noqa: NPY002  (NaturalBreaks draws random initial centres globally)
        classifier = mapclassify.NaturalBreaks(data, k=k)
    elif scheme == "fisher_jenks":
        classifier = mapclassify.FisherJenks(data, k=k)
    elif scheme == "equal_interval":
        classifier = mapclassify.EqualInterval(data, k=k)
    else:
        raise ValueError(f"unknown classification scheme {scheme!r}")
    return np.unique(np.asarray(classifier.bins, dtype="float64"))


def _quantile_breaks(data: np.ndarray, k: int) -> np.ndarray:
    """``mapclassify.Quantiles(data, k).bins``, computed the same way without importing it.

    The upper bounds are the :math:`100 j / k` percentiles (:func:`_score_at_percentile`,
    linear interpolation), :math:`j = 1..k`, with repeated values collapsed; the tests check
    equality with mapclassify to the last bit.
    """
    step = 100.0 / k
    percents = np.arange(step, 100 + step, step)
    percents[-1] = min(percents[-1], 100.0)
    ordered = np.sort(np.asarray(data, dtype="float64"))
    return np.unique(np.array([_score_at_percentile(ordered, p) for p in percents]))


def _score_at_percentile(ordered: np.ndarray, percent: float) -> float:
    r""":func:`scipy.stats.scoreatpercentile` ("fraction") of sorted ``ordered``, operation for
    operation, without importing scipy.stats: at :math:`h = p/100\,(n-1)`, :math:`i = \lfloor
    h \rfloor`, :math:`(x_i (i+1-h) + x_{i+1} (h-i)) / ((i+1-h) + (h-i))`."""
    h = percent / 100.0 * (ordered.size - 1)
    i = int(h)
    if i == h:
        return float(ordered[i])
    weights = np.array([(i + 1 - h), (h - i)], float)
    return float(np.add.reduce(ordered[i : i + 2] * weights) / weights.sum())


def class_labels(lower: float, breaks: Sequence[float], *, decimals: int) -> list[str]:
    """Legend labels ``"a – b"`` for classes with upper bounds ``breaks`` starting at ``lower``.

    >>> class_labels(0, [1.5, 3], decimals=1)
    ['0.0 – 1.5', '1.5 – 3.0']
    """
    edges = [lower, *breaks]
    return [
        f"{format_number(a, decimals)} – {format_number(b, decimals)}"
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    ]


def suggested_decimals(values: Sequence[float]) -> int:
    """Decimals that keep about three significant figures for the typical magnitude.

    >>> suggested_decimals([18000, 25000]), suggested_decimals([61.2, 70.4]), suggested_decimals([0.5, 7.3])
    (0, 1, 2)
    """
    data = np.abs(np.asarray(values, dtype="float64"))
    data = data[np.isfinite(data) & (data > 0)]
    if data.size == 0:
        return 0
    magnitude = int(np.floor(np.log10(np.median(data))))
    return int(min(3, max(0, 2 - magnitude)))


#: Figure size (inches). The UK fills the left; the legend and London, enlarged, sit on the right.
MAP_FIGSIZE = (8.4, 9.0)
#: Axes rectangles (figure fractions) of the main map, the London inset and the legend area.
MAIN_AXES = (0.0, 0.0, 0.64, 0.945)
INSET_AXES = (0.57, 0.10, 0.42, 0.44)
LEGEND_ANCHOR = (0.62, 0.90)


def _inset_axes(fig: plt.Figure) -> tuple[plt.Axes, plt.Axes]:
    main = fig.add_axes(MAIN_AXES)
    main.set_anchor("W")
    inset = fig.add_axes(INSET_AXES)
    return main, inset


def region_lines(regions: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Region polygons as their outlines; region border lines as they are."""
    polygonal = regions.geom_type.isin(["Polygon", "MultiPolygon"])
    return regions.geometry.where(~polygonal, regions.boundary)


def _layer(
    ax: plt.Axes,
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    colours: pd.Series,
    *,
    lad_width: float,
    region_width: float,
    urls: pd.Series | None = None,
) -> None:
    missing = colours.isna().to_numpy()
    with deferred_draws(ax.figure):
        lad[~missing].plot(
            ax=ax, color=colours[~missing].tolist(), edgecolor="white", linewidth=lad_width
        )
        link_shapes(ax, lad, urls, ~missing)
        if missing.any():
            lad[missing].plot(
                ax=ax, color=NO_DATA_COLOUR, edgecolor="white", linewidth=lad_width, hatch="////"
            )
            link_shapes(ax, lad, urls, missing)
        region_lines(regions).plot(ax=ax, color=REGION_EDGE, linewidth=region_width)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")


def _draw(
    axes: Sequence[plt.Axes],
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    colours: pd.Series,
    *,
    london_bounds: np.ndarray,
    inset: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
    links: Mapping[str, tuple[str, str]] | None = None,
) -> None:
    main, inset_axes = axes
    urls = area_urls(lad["area_code"], links)  # SVG links: localineq.outputs.map_links
    _layer(main, lad, regions, colours, lad_width=0.12, region_width=0.7, urls=urls)
    x0, y0, x1, y1 = lad.total_bounds
    pad = 0.01 * (x1 - x0)
    main.set_xlim(x0 - pad, x1 + pad)
    main.set_ylim(y0 - pad, y1 + pad)
    # The inset draws only what it shows (clipped to a padded London box), in finer detail.
    inset_lad, inset_regions = inset if inset is not None else (lad, regions)
    inset_colours = pd.Series(colours.to_numpy(), index=lad["area_code"].to_numpy())
    inset_colours = inset_colours.reindex(inset_lad["area_code"].to_numpy())
    lx0, ly0, lx1, ly1 = london_bounds
    lpad = 0.04 * (lx1 - lx0)
    window = box(lx0 - 2 * lpad, ly0 - 2 * lpad, lx1 + 2 * lpad, ly1 + 2 * lpad)
    near = inset_lad.intersects(window).to_numpy()
    _layer(
        inset_axes,
        clipped := inset_lad[near].clip(window),
        inset_regions[inset_regions.intersects(window)].clip(window),
        pd.Series(inset_colours.to_numpy()[near], dtype="object"),
        lad_width=0.4,
        region_width=1.2,
        urls=area_urls(clipped["area_code"], links),
    )
    inset_axes.set_xlim(lx0 - lpad, lx1 + lpad)
    inset_axes.set_ylim(ly0 - lpad, ly1 + lpad)
    inset_axes.set_axis_on()
    inset_axes.set_xticks([])
    inset_axes.set_yticks([])
    for spine in inset_axes.spines.values():
        spine.set_edgecolor("0.4")
        spine.set_linewidth(0.8)
    inset_axes.set_title("London (enlarged)", fontsize=8, loc="left", pad=3)
    main.add_patch(
        Rectangle((lx0, ly0), lx1 - lx0, ly1 - ly0, fill=False, edgecolor="0.4", linewidth=0.8)
    )


def _titles(fig: plt.Figure, title: str, subtitle: str) -> None:
    fig.text(0.02, 0.995, title, fontsize=12, ha="left", va="top")
    fig.text(0.02, 0.968, subtitle, fontsize=9, color="0.3", ha="left", va="top")


def _london_bounds(lad: gpd.GeoDataFrame) -> np.ndarray:
    london = lad[lad["itl1_code"] == LONDON]
    if london.empty:
        raise ValueError("no London (TLI) local authorities in the boundaries")
    return london.total_bounds


def _join(
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    values: pd.DataFrame,
    column: str,
    members: pd.DataFrame | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    if members is not None and not set(values["area_code"]) <= set(lad["area_code"]):
        lad = unit_polygons(lad, members)
    unknown = sorted(set(values["area_code"]) - set(lad["area_code"]))
    if unknown:
        raise ValueError(f"{len(unknown)} area code(s) have no boundary, e.g. {unknown[:5]}")
    joined = lad.merge(
        values[["area_code", column]], on="area_code", how="left", validate="one_to_one"
    )
    return to_bng(joined).sort_values("area_code", ignore_index=True), to_bng(regions)


def _prepare(
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    values: pd.DataFrame,
    column: str,
    members: pd.DataFrame | None = None,
    inset_layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None]:
    """Values joined to the main layers and, if given, to the London inset's finer layers."""
    inset = None if inset_layers is None else _join(*inset_layers, values, column, members)
    return (*_join(lad, regions, values, column, members), inset)


def _map_figure(
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    colours: pd.Series,
    inset_layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None,
    links: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[plt.Figure, plt.Axes]:
    """A map figure with the UK drawn on the left and London enlarged; returns it and the UK axes."""
    fig = plt.figure(figsize=MAP_FIGSIZE)
    main, inset = _inset_axes(fig)
    _draw(
        (main, inset),
        lad,
        regions,
        colours,
        london_bounds=_london_bounds(lad),
        inset=inset_layers,
        links=links,
    )
    return fig, main


def choropleth(
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    title: str,
    unit: str,
    higher_is_better: bool,
    period_label: str,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "cividis",
    source: str | None = None,
    members: pd.DataFrame | None = None,
    area_label: str = "Local authorities (2023 boundaries)",
    inset_layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
    links: Mapping[str, tuple[str, str]] | None = None,
) -> plt.Figure:
    """Classed choropleth of one indicator by LA, ITL1 boundaries overlaid, London inset.

    Parameters
    ----------
    lad, regions
        LA polygons (``area_code``, ``itl1_code``) and ITL1 polygons or the border lines
        between them, any CRS (projected to EPSG:27700 here), drawn as given.
    values
        ``area_code, value``; LAs without a value are drawn hatched grey as "no data".
    higher_is_better
        Orients the palette so that dark always means *worse*.
    scheme, k
        Classification (see :func:`class_breaks`).
    members
        Optional LAD23 → ``unit_code`` table for indicators whose units are not LAD23s
        (see :func:`localineq.data.geography.unit_polygons`).
    inset_layers
        Optional ``(lad, regions)`` in finer detail for the London inset; by default the inset
        enlarges ``lad`` and ``regions``.
    """
    lad, regions, inset_layers = _prepare(lad, regions, values, "value", members, inset_layers)
    present = lad["value"].dropna()
    breaks = class_breaks(present, scheme=scheme, k=k)
    palette = plt.get_cmap(cmap)(np.linspace(0.0, 1.0, len(breaks)))
    if not higher_is_better:
        palette = palette[::-1]
    classes = np.searchsorted(breaks, lad["value"].to_numpy(), side="left")
    classes = np.minimum(classes, len(breaks) - 1)
    colours = pd.Series(
        [
            None if np.isnan(v) else matplotlib.colors.to_hex(palette[c])
            for v, c in zip(lad["value"], classes, strict=True)
        ],
        index=lad.index,
        dtype="object",
    )
    fig, main = _map_figure(lad, regions, colours, inset_layers, links)
    decimals = suggested_decimals(present)
    labels = class_labels(float(present.min()), breaks, decimals=decimals)
    handles = [
        Patch(facecolor=palette[i], edgecolor="none", label=label) for i, label in enumerate(labels)
    ]
    if colours.isna().any():
        handles.append(
            Patch(facecolor=NO_DATA_COLOUR, edgecolor="0.6", hatch="////", label="No data")
        )
    handles.append(plt.Line2D([], [], color=REGION_EDGE, lw=1, label="ITL1 region boundary"))
    polarity = "higher is better" if higher_is_better else "lower is better"
    scheme_name = scheme.replace("_", " ")
    main.legend(
        handles=handles,
        title=f"{unit}\n({scheme_name}; {polarity})",
        loc="upper left",
        bbox_to_anchor=LEGEND_ANCHOR,
        bbox_transform=fig.transFigure,
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        alignment="left",
    )
    _titles(fig, f"{title}, {period_label}", f"{area_label}; darker = worse")
    add_source_line(fig, source, extra=OS_LINE, y=-0.01)
    return fig


def symmetric_breaks(values: Sequence[float], *, k_side: int = 4) -> np.ndarray:
    """Class edges symmetric about zero for a diverging map: ``±`` quantiles of ``|values|``.

    Returns ``2 k_side + 1`` increasing edges from ``-max|x|`` to ``+max|x|`` with zero in the
    middle; inner edges are the ``1/k_side … (k_side-1)/k_side`` quantiles of ``|x|``.

    >>> symmetric_breaks([-4, -1, 1, 2, 4], k_side=2).tolist()
    [-4.0, -2.0, 0.0, 2.0, 4.0]
    """
    data = np.abs(np.asarray(values, dtype="float64"))
    data = data[np.isfinite(data)]
    if data.size == 0:
        raise ValueError("no finite values to classify")
    top = float(data.max()) or 1.0
    inner = np.quantile(data, np.arange(1, k_side) / k_side) if k_side > 1 else np.array([])
    positive = np.unique(np.concatenate([inner[inner > 0], [top]]))
    return np.concatenate([-positive[::-1], [0.0], positive])


def gap_map(
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    gaps: pd.DataFrame,
    *,
    title: str,
    unit: str,
    higher_is_better: bool,
    period_label: str,
    k_side: int = 4,
    cmap: str = "RdBu",
    source: str | None = None,
    members: pd.DataFrame | None = None,
    area_label: str = "Local authorities (2023 boundaries)",
    inset_layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
    reference: str = "average",
    links: Mapping[str, tuple[str, str]] | None = None,
) -> plt.Figure:
    """Each LA's gap to its own ITL1 region's reference, on a diverging palette centred at 0.

    ``gaps`` holds ``area_code, gap`` with ``gap = value − regional reference`` in the
    indicator's unit; ``reference`` names it in the legend and subtitle (e.g.
    ``"population-weighted median"``, see :mod:`localineq.policy.reference`). The palette is oriented by polarity: blue is always *better* than the
    region's average, red always *worse*; the colour bar says so in words.
    """
    lad, regions, inset_layers = _prepare(lad, regions, gaps, "gap", members, inset_layers)
    present = lad["gap"].dropna()
    edges = symmetric_breaks(present, k_side=k_side)
    n = len(edges) - 1
    palette = plt.get_cmap(cmap)(np.linspace(0.05, 0.95, n))
    if not higher_is_better:
        palette = palette[::-1]
    colormap = ListedColormap(palette)
    norm = BoundaryNorm(edges, n)
    colours = pd.Series(
        [None if np.isnan(v) else matplotlib.colors.to_hex(colormap(norm(v))) for v in lad["gap"]],
        index=lad.index,
        dtype="object",
    )
    fig, main = _map_figure(lad, regions, colours, inset_layers, links)
    colourbar_axes = fig.add_axes((LEGEND_ANCHOR[0] + 0.01, 0.58, 0.025, 0.27))
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=colormap)
    bar = fig.colorbar(mappable, cax=colourbar_axes, ticks=edges[1:-1], spacing="uniform")
    decimals = max(0, suggested_decimals(present) - 1)  # two significant figures suffice
    bar.ax.set_yticklabels([_signed(e, decimals) for e in edges[1:-1]], fontsize=7.5)
    bar.ax.tick_params(length=2, width=0.5)
    bar.outline.set_linewidth(0.5)
    top, bottom = ("better", "worse") if higher_is_better else ("worse", "better")
    bar.ax.set_title(
        f"Gap to own region ({unit})\n▲ {top} than region {reference}",
        fontsize=8,
        loc="left",
        pad=5,
        color="0.15",
    )
    bar.ax.text(
        0.0,
        -0.03,
        f"▼ {bottom} than region {reference}",
        transform=bar.ax.transAxes,
        fontsize=8,
        va="top",
        ha="left",
        color="0.15",
    )
    if colours.isna().any():
        main.legend(
            handles=[
                Patch(facecolor=NO_DATA_COLOUR, edgecolor="0.6", hatch="////", label="No data")
            ],
            loc="upper left",
            bbox_to_anchor=(LEGEND_ANCHOR[0] - 0.01, 0.555),
            bbox_transform=fig.transFigure,
            fontsize=8,
            frameon=False,
        )
    _titles(
        fig,
        f"{title}, {period_label}: gap to own region",
        f"{area_label}: value minus the ITL1 region's {reference}",
    )
    add_source_line(fig, source, extra=OS_LINE, y=-0.01)
    return fig


def _signed(value: float, decimals: int) -> str:
    text = format_number(abs(value), decimals)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return "0"


#: Source line of the LISA maps (no population weights are involved).
LISA_SOURCE = (
    "Source: ONS Explore Local Statistics; local Moran's I with PySAL esda. "
    "Open Government Licence v3.0."
)
#: LISA class → colour: red = lagging, blue = leading; dark = cluster, light = outlier.
LISA_COLOURS = {
    "lagging cluster": "#b2182b",
    "lagging outlier": "#f4a582",
    "leading cluster": "#2166ac",
    "leading outlier": "#92c5de",
    "not significant": "#f2f2f2",
}
LISA_EDGE = "0.62"


def lisa_map(
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    lisa: pd.DataFrame,
    *,
    title: str,
    period_label: str,
    higher_is_better: bool,
    fdr_alpha: float,
    permutations: int,
    source: str | None = None,
    members: pd.DataFrame | None = None,
    area_label: str = "Local authorities (2023 boundaries)",
    inset_layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
    links: Mapping[str, tuple[str, str]] | None = None,
) -> plt.Figure:
    """LISA cluster map: each area's polarity-aware local Moran class, ITL1 boundaries overlaid.

    ``lisa`` holds ``area_code, lisa_class`` (see :func:`localineq.stats.spatial.local_moran`):
    a *lagging cluster* is a significant low-low area when higher is better (high-high when
    lower is better), an *outlier* differs from its neighbours. Areas without a value are
    hatched grey.
    """
    lad, regions, inset_layers = _prepare(lad, regions, lisa, "lisa_class", members, inset_layers)
    unknown = set(lad["lisa_class"].dropna()) - set(LISA_COLOURS)
    if unknown:
        raise ValueError(f"unknown LISA classes {sorted(unknown)}")
    colours = lad["lisa_class"].map(LISA_COLOURS).astype("object")
    colours = colours.where(colours.notna(), None)
    fig, main = _map_figure(lad, regions, colours, inset_layers, links)
    # Near-white "not significant" areas on white paper: grey area edges outline coast and regions.
    for collection in (c for ax in fig.axes[:2] for c in ax.collections):
        if isinstance(collection, PatchCollection):  # the areas, not the region border lines
            collection.set_edgecolor(LISA_EDGE)
    counts = lad["lisa_class"].value_counts()
    handles = [
        Patch(
            facecolor=colour,
            edgecolor="0.6" if name == "not significant" else "none",
            linewidth=0.4,
            label=f"{name[0].upper()}{name[1:]} ({counts.get(name, 0)})",
        )
        for name, colour in LISA_COLOURS.items()
    ]
    if colours.isna().any():
        handles.append(
            Patch(facecolor=NO_DATA_COLOUR, edgecolor="0.6", hatch="////", label="No data")
        )
    handles.append(plt.Line2D([], [], color=REGION_EDGE, lw=1, label="ITL1 region boundary"))
    worse, better = ("low", "high") if higher_is_better else ("high", "low")
    main.legend(
        handles=handles,
        title=(
            f"Local Moran's I, FDR {fdr_alpha:g}\n"
            f"lagging = {worse} among {worse}\nleading = {better} among {better}"
        ),
        loc="upper left",
        bbox_to_anchor=LEGEND_ANCHOR,
        bbox_transform=fig.transFigure,
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        alignment="left",
    )
    _titles(
        fig,
        f"{title}, {period_label}: where lagging places cluster",
        f"{area_label}; queen contiguity, {permutations:,} conditional permutations",
    )
    add_source_line(fig, source or LISA_SOURCE, extra=OS_LINE, y=-0.01)
    return fig
