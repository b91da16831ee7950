"""Linked maps: each area's shape in a map SVG links to its profile page, with a tooltip.

Matplotlib writes a shape whose URL is set (``Collection.set_urls``) as
``<a xlink:href=URL><path .../></a>``. A map gives each area's shape a placeholder URL,
``LINK_TOKEN + key`` (:func:`area_urls`, :func:`link_shapes`), and :func:`save_linked_map`
replaces it in the SVG by the real ``href`` and a ``<title>`` (:func:`resolve_svg_links`):
plain SVG, no script; a browser shows the title on hover and follows the link on click. The
PNG is drawn from the same figure and does not change. Links are relative to where the SVG
lives (``results/figures/``), so ``results/`` can move as a whole.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping, Sequence

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from localineq.outputs.figures import format_number, save_figure

#: Prefix of the placeholder URL a figure gives a linked shape (``set_urls``); the SVG writer
#: replaces ``<LINK_TOKEN><key>`` by the real link and tooltip (:func:`resolve_svg_links`).
LINK_TOKEN = "localineq-link:"
_LINK = re.compile(
    r'<a xlink:href="' + re.escape(LINK_TOKEN) + r'([^"]*)"(?: target="_blank")?>\s*'
)
_LINK_END = re.compile(r"\s*</a>")


def resolve_svg_links(svg: str, links: Mapping[str, tuple[str, str]]) -> str:
    """Replace the placeholder links of an SVG by real ones, each with a ``<title>`` (tooltip).

    Matplotlib writes a shape whose URL is set as ``<a xlink:href=URL><path .../></a>``. A
    figure sets ``LINK_TOKEN + key`` there; ``links[key]`` is ``(href, title)``. Keys, not
    hrefs, identify shapes, so one page may be linked from several shapes with different
    tooltips (one per panel). Plain SVG: no script; a browser shows the title on hover and
    follows the link on click. An unknown key is an error (a shape would lose its link).

    >>> svg = '<a xlink:href="localineq-link:E1" target="_blank"><path d=""/></a>'
    >>> resolve_svg_links(svg, {"E1": ("../profiles/E1.html", "Hartlepool & Co: 3 < 4")})
    '<a xlink:href="../profiles/E1.html"><title>Hartlepool &amp; Co: 3 &lt; 4</title><path d=""/></a>'
    """

    def _link(match: re.Match[str]) -> str:
        key = html.unescape(match.group(1))
        if key not in links:
            raise KeyError(f"SVG shape linked to {key!r}, which has no link and title")
        href, title = links[key]
        return (
            f'<a xlink:href="{html.escape(href, quote=True)}">'
            f"<title>{html.escape(title, quote=False)}</title>"
        )

    return _LINK_END.sub("</a>", _LINK.sub(_link, svg))


def link_shapes(
    ax: plt.Axes,
    frame: gpd.GeoDataFrame,
    urls: pd.Series | Sequence[str | None] | None,
    rows: np.ndarray | None = None,
) -> None:
    """Give the shapes geopandas just drew on ``ax`` (its last collection) one URL per row.

    ``rows`` (a boolean mask) selects the rows of ``frame`` and ``urls`` that were drawn;
    nothing happens without ``urls`` or without a selected row. geopandas draws one patch per
    non-empty geometry (one per member of a geometry collection), in row order; the URLs
    follow that. A count that disagrees is an error.
    """
    if urls is None:
        return
    urls = list(urls)
    if rows is not None:
        if not rows.any():
            return
        frame = frame[rows]
        urls = [u for u, keep in zip(urls, rows, strict=True) if keep]
    per_shape = []
    for geom, url in zip(frame.geometry, urls, strict=True):
        if geom is None or geom.is_empty:
            continue
        parts = len(geom.geoms) if geom.geom_type == "GeometryCollection" else 1
        per_shape += [url] * parts
    collection = ax.collections[-1]
    if len(collection.get_paths()) != len(per_shape):
        raise RuntimeError(
            f"{len(collection.get_paths())} shapes drawn for {len(per_shape)} linked geometries"
        )
    collection.set_urls(per_shape)


#: Where the SVG maps (results/figures/) find the profile pages (results/profiles/).
PROFILES_HREF = "../profiles"
#: GSS prefixes of LAD23 codes; profile pages exist for these areas only.
LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06", "S12", "N09")


def profile_href(code: str, section: str | None = None, base: str = PROFILES_HREF) -> str:
    """Link from a map to an area's profile page (at ``section``, an indicator's id there).

    Profiles are written for local authority districts. An upper-tier area (a county, for
    indicators published for counties) has none; it links to the index of profiles, which
    lists its districts by region.

    >>> profile_href("E06000001", "gdhi_per_head")
    '../profiles/E06000001.html#gdhi_per_head'
    >>> profile_href("E10000002")
    '../profiles/index.html'
    """
    if not code.startswith(LAD_PREFIXES):
        return f"{base}/index.html"
    return f"{base}/{code}.html" + (f"#{section}" if section else "")


def area_urls(codes: pd.Series, links: Mapping[str, tuple[str, str]] | None) -> pd.Series | None:
    """Placeholder URL of each area with a link (``None`` for the others), aligned to ``codes``;
    ``None`` without ``links`` (an unlinked map)."""
    if links is None:
        return None
    return pd.Series(
        [LINK_TOKEN + c if c in links else None for c in codes], index=codes.index, dtype="object"
    )


def with_every_area(frame: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus a row (code, name, region; no value) for every area of ``areas`` that it
    lacks, so that a map links every shape it draws, those without data included.

    >>> f = pd.DataFrame({"area_code": ["a"], "area_name": ["A"], "value": [1.0]})
    >>> areas = pd.DataFrame({"area_code": ["a", "b"], "area_name": ["A", "B"],
    ...                       "itl1_name": ["R", "R"]})
    >>> with_every_area(f, areas)[["area_code", "area_name"]].to_dict("list")
    {'area_code': ['a', 'b'], 'area_name': ['A', 'B']}
    """
    columns = [c for c in ("area_code", "area_name", "itl1_name") if c in areas.columns]
    absent = areas.loc[~areas["area_code"].isin(frame["area_code"]), columns]
    return pd.concat([frame, absent], ignore_index=True) if len(absent) else frame


def _number(value: object, decimals: int) -> str | None:
    if value is None or pd.isna(value):
        return None
    return format_number(float(value), decimals)


def area_links(
    frame: pd.DataFrame,
    *,
    indicator: str,
    unit: str,
    decimals: int,
    lines: Sequence[str] = ("value", "region", "gap"),
    base: str = PROFILES_HREF,
) -> dict[str, tuple[str, str]]:
    """Link and tooltip of every area of a map: area code → ``(href, title)``.

    The title names the area (and its code), then one line per entry of ``lines`` that its
    row supports: ``value`` (in ``unit``; the map's title gives the period), ``region`` (ITL1 region and
    its reference value), ``gap`` (value minus the region's reference), ``status`` (target
    status), ``lisa`` (LISA class and p-value). ``frame`` holds ``area_code``, ``area_name``
    and the columns those lines read (as in the result tables). The href is the area's
    profile page at the indicator's section (:func:`profile_href`).

    >>> f = pd.DataFrame({"area_code": ["E06000001"], "area_name": ["Hartlepool"],
    ...                   "value": [19530.0], "period_label": ["2023"],
    ...                   "itl1_name": ["North East (England)"], "region_reference": [19530.0],
    ...                   "reference": ["population-weighted median"], "gap": [0.0]})
    >>> href, title = area_links(f, indicator="gdhi_per_head", unit="£ per head", decimals=0)["E06000001"]
    >>> href
    '../profiles/E06000001.html#gdhi_per_head'
    >>> print(title)
    Hartlepool (E06000001)
    19,530 £ per head
    Region: North East (England), population-weighted median 19,530
    Gap: 0 £ per head
    """
    links = {}
    for row in frame.to_dict("records"):
        code = str(row["area_code"])
        text = [f"{row.get('area_name', code)} ({code})"]
        value = _number(row.get("value"), decimals)
        for line in lines:
            if line == "value":
                text.append(f"{value} {unit}" if value is not None else "No data")
            elif line == "region" and isinstance(row.get("itl1_name"), str):
                reference = _number(row.get("region_reference"), decimals)
                label = row.get("reference") or "reference"
                tail = f", {label} {reference}" if reference is not None else ""
                text.append(f"Region: {row['itl1_name']}{tail}")
            elif line == "gap" and _number(row.get("gap"), decimals) is not None:
                gap = float(row["gap"])
                sign = "+" if gap > 0 else ("−" if gap < 0 else "")
                text.append(f"Gap: {sign}{_number(abs(gap), decimals)} {unit}")
            elif line == "status" and isinstance(row.get("status"), str):
                text.append(f"Target status: {row['status'].replace('_', ' ')}")
            elif line == "lisa" and isinstance(row.get("lisa_class"), str):
                p = row.get("p_value")
                p_text = f" (p = {float(p):.4f})" if p is not None and not pd.isna(p) else ""
                text.append(f"LISA: {row['lisa_class']}{p_text}")
        links[code] = (profile_href(code, indicator, base), "\n".join(text))
    return links


_PATH_DATA = re.compile(r'(\sd=")([^"]*)(")')


def compact_path_data(svg: str) -> str:
    r"""Write SVG path data compactly: one space between tokens and no repeated ``L``.

    After a moveto or a lineto, further coordinate pairs are linetos without the letter (SVG
    path grammar), so the drawing is the same. Links and tooltips add about a fifth to a map;
    this takes as much off, keeping maps within their size budget.

    >>> compact_path_data('<path d="M 1 2 \nL 3 4 \nL 5 6 \nz\nM 7 8 \nL 9 9 \nz"/>')
    '<path d="M 1 2 3 4 5 6 z M 7 8 9 9 z"/>'
    >>> compact_path_data('<path d="M 0 0 C 1 1 2 2 3 3 L 4 4"/>')
    '<path d="M 0 0 C 1 1 2 2 3 3 L 4 4"/>'
    """

    def _compact(match: re.Match[str]) -> str:
        out, last = [], None
        for token in match.group(2).split():
            if token.isalpha():
                if token == "L" and last in ("M", "L"):
                    continue
                last = token
            out.append(token)
        return match.group(1) + " ".join(out) + match.group(3)

    return _PATH_DATA.sub(_compact, svg)


def save_linked_map(
    fig: plt.Figure,
    png: str | os.PathLike,
    svg: str | os.PathLike,
    links: Mapping[str, tuple[str, str]],
    *,
    svg_decimals: int | None = None,
) -> None:
    """:func:`~localineq.outputs.figures.save_figure` with the SVG's links resolved and its
    path data compacted (:func:`compact_path_data`); the PNG is the same."""
    save_figure(
        fig,
        png,
        svg,
        svg_decimals=svg_decimals,
        svg_filter=lambda text: resolve_svg_links(compact_path_data(text), links),
    )
