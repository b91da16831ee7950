"""Boundaries for drawing: a polygon coverage simplified once, and the borders between groups.

Maps need far fewer vertices than the published boundaries hold, but simplifying each polygon
on its own opens gaps and overlaps between neighbours. Here the coverage is simplified as a
whole (shared edges once), invisible parts are dropped, and region borders are taken from the
simplified polygons so that they lie exactly on their edges. Areas, contiguity and anything
else measured must use the full geometry (``lad23_boundaries.gpkg``), never these.
"""

from __future__ import annotations

import math

import pandas as pd

#: Drawing CRS of every map: OSGB36 / British National Grid (metres).
BNG = "EPSG:27700"
#: Layer-name suffix in ``lad23_map_boundaries.gpkg`` of each drawing scale: the main UK map,
#: the enlarged London inset, and small multiples (several UK maps in one figure).
DRAWING_SCALES = {"main": "", "inset": "_inset", "small": "_small"}


def simplify_coverage(polygons, tolerance: float, *, min_part_area: float = 0.0):
    r"""Simplify a polygon coverage for drawing, keeping neighbours' shared edges shared.

    Each edge shared by two polygons is simplified once, by GEOS's coverage simplifier
    (:func:`shapely.coverage_simplify`: Visvalingam–Whyatt, removing vertices whose triangle
    with its neighbours has area below about :math:`\text{tolerance}^2`), so no gap or overlap
    opens between neighbours as it would if each polygon were simplified on its own. Then
    every polygon part with area below ``min_part_area`` is dropped, except each polygon's
    largest part: islands too small to see at the drawing's scale carry most of a detailed
    coastline's vertices.

    ``polygons`` must be in a projected CRS (metres). Attributes and order are kept. Area
    computations must use the original geometry, never this.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> grid = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
    ...                         crs="EPSG:27700")
    >>> simplify_coverage(grid, 0.1).geometry.area.tolist()
    [1.0, 1.0]
    """
    import shapely

    if polygons.crs is None or not polygons.crs.is_projected:
        raise ValueError(f"simplify_coverage needs a projected CRS (metres), got {polygons.crs}")
    if tolerance < 0 or min_part_area < 0:
        raise ValueError("tolerance and min_part_area must be >= 0")
    simplified = shapely.coverage_simplify(polygons.geometry.to_numpy(), tolerance)
    if min_part_area > 0:
        parts, owner = shapely.get_parts(simplified, return_index=True)
        area = pd.Series(shapely.area(parts))
        largest = area.index.isin(area.groupby(owner).idxmax())
        keep = (area.to_numpy() >= min_part_area) | largest
        kept = shapely.multipolygons(parts[keep], indices=owner[keep])
        single = shapely.get_num_geometries(kept) == 1
        kept[single] = shapely.get_geometry(kept[single], 0)
        simplified = kept
    return polygons.set_geometry(list(simplified), crs=polygons.crs)


def borders_between(polygons, by: str):
    """Lines where polygons of different ``by`` groups meet (e.g. ITL1 region borders).

    Groups are dissolved from the coverage and each pair's shared boundary is kept as a
    (multi)line; coastlines and other outer edges are not borders. Pairs meeting only at a
    point have no border. Returns a GeoDataFrame ``<by>_a, <by>_b, geometry``, one row per
    pair of neighbouring groups (``<by>_a < <by>_b``), in the input's CRS.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> grid = gpd.GeoDataFrame({"r": ["x", "y"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> borders_between(grid, "r").geometry.iloc[0].length
    1.0
    """
    import geopandas as gpd
    import shapely

    groups = polygons[[by, "geometry"]].dissolve(by=by).sort_index()
    outlines = groups.boundary
    rows = []
    codes = list(groups.index)
    for i, first in enumerate(codes):
        for second in codes[i + 1 :]:
            shared = shapely.intersection(outlines[first], outlines[second])
            lines = [
                part
                for part in shapely.get_parts(shared)
                if part.geom_type in ("LineString", "LinearRing") and not part.is_empty
            ]
            if lines:
                merged = shapely.line_merge(shapely.multilinestrings(lines))
                rows.append({f"{by}_a": first, f"{by}_b": second, "geometry": merged})
    return gpd.GeoDataFrame(
        rows, columns=[f"{by}_a", f"{by}_b", "geometry"], geometry="geometry", crs=polygons.crs
    )


def drawing_layers(lad, tolerance: float) -> dict[str, object]:
    r"""LAD polygons and ITL1 borders simplified once for maps drawn at ``tolerance`` per pixel.

    ``lad`` (projected, metres, with ``itl1_code``) is simplified by :func:`simplify_coverage`
    at ``tolerance``, dropping parts smaller than a disc one tolerance across,
    :math:`\pi t^2 / 4`, which would draw as at most one pixel; ITL1 borders are taken from
    the simplified polygons (:func:`borders_between`), so they lie exactly on LAD edges.

    Returns ``{"lad": polygons, "itl1_borders": lines}``.
    """
    simplified = simplify_coverage(lad, tolerance, min_part_area=math.pi * tolerance**2 / 4)
    return {"lad": simplified, "itl1_borders": borders_between(simplified, "itl1_code")}


def drawing_layer_set(lad, tolerances: dict[str, float]) -> dict[str, object]:
    """Every drawing scale's layers, named as in ``lad23_map_boundaries.gpkg``.

    ``lad`` (any CRS, with ``itl1_code``) is projected to :data:`BNG` once; ``tolerances``
    maps each scale of :data:`DRAWING_SCALES` to its tolerance in metres. Returns
    ``{"lad<suffix>": polygons, "itl1_borders<suffix>": lines}`` for every scale.
    """
    projected = lad.to_crs(BNG)
    layers = {}
    for scale, suffix in DRAWING_SCALES.items():
        for name, frame in drawing_layers(projected, float(tolerances[scale])).items():
            layers[f"{name}{suffix}"] = frame
    return layers
