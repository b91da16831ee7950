r"""Spatial structure: do lagging places cluster, and do their clusters cross regional borders?

A between/within decomposition says how much inequality regional averages miss; it says
nothing about *where* the places left behind lie. This module measures that with PySAL's
:mod:`esda` and :mod:`libpysal` (the field's reference implementations), on spatial weights
built from local-authority polygons.

Spatial weights
---------------
Queen contiguity (:class:`libpysal.weights.Queen`): areas :math:`i \ne j` are neighbours
(:math:`c_{ij} = 1`) when their polygons share at least one boundary point. Areas with **no
land neighbour** (in the LAD23 boundaries: Isle of Wight, Isles of Scilly, Isle of Anglesey,
Na h-Eileanan Siar, Orkney, Shetland) are joined to their ``k_islands = 2`` nearest areas by
*boundary* distance on the British National Grid, and every such link is made mutual
(:math:`c_{ji} = c_{ij}`) so that the graph stays undirected. Why these choices:

* boundary distance, not centroid distance, because the large irregular mainland areas
  (Highland, Cornwall) have centroids far from the coast facing the island: by centroid
  Orkney's nearest area is Moray across the Moray Firth, by boundary it is Highland across
  the Pentland Firth, where the ferries go;
* ``k = 2``, not 1, because with one link Orkney and Shetland would pair with each other and
  form a component cut off from the mainland; two links tie every island to the mainland;
* **Northern Ireland is its own component**, not joined to Great Britain. Its eleven districts
  have land neighbours among themselves, so the island rule does not touch them; a synthetic
  link across the North Channel (about 20 km of sea, no fixed link) would let a "cluster"
  cross the Scotland–Northern Ireland border on the strength of the rule alone, which is
  the very thing the cross-border analysis must not invent. Every NI district's spatial lag
  is an average of NI districts; Moran's I is well defined on the two-component graph.

Weights are row-standardised for every statistic, :math:`w_{ij} = c_{ij} / \sum_k c_{ik}`.
The binary graph is exported as a GAL file (:func:`gal_text`); ``libpysal.io.open(path).read()``
reads it back. An indicator with missing areas uses the graph restricted to the areas with
values (:func:`subset_weights`, ``libpysal.weights.w_subset``), row-standardised again; an
area left with no neighbour there is an error, never silently dropped.

Statistics
----------
For values :math:`y_i`, :math:`z_i = y_i - \bar y`, row-standardised :math:`w_{ij}`,
:math:`n` areas and :math:`S_0 = \sum_{ij} w_{ij} = n`:

* Global Moran's I (:class:`esda.Moran`),
  :math:`I = \frac{n}{S_0} \frac{\sum_i\sum_j w_{ij} z_i z_j}{\sum_i z_i^2}`, expectation
  :math:`E[I] = -1/(n-1)` under no autocorrelation. Inference by random permutation of the
  values over the areas (``permutations`` draws, seeded): pseudo p-value
  :math:`(\min(G, P - G) + 1)/(P + 1)` with :math:`G` the number of permuted
  :math:`I \ge` the observed one (esda's folded two-sided convention), and
  :math:`z = (I - \overline{I_{perm}}) / \mathrm{sd}(I_{perm})`.
* **Within-region variant**: the same statistic on :math:`y_i - \bar y_{g(i)}`, the value
  minus the unweighted mean of its own region's areas. A pure regional effect
  (:math:`y_i = \alpha_{g(i)} + \varepsilon_i`) then leaves no clustering (:math:`I \approx
  E[I]`); what remains is clustering that regional averages cannot see.
* Local Moran (LISA, :class:`esda.Moran_Local`),
  :math:`I_i = \frac{z_i}{m_2} \sum_j w_{ij} z_j` with :math:`m_2 = \sum_i z_i^2 / n`, with
  conditional permutation pseudo p-values (seeded, one job so that draws are reproducible).
  Quadrants compare the value (:math:`z_i`) and its spatial lag (:math:`\sum_j w_{ij} z_j`)
  with the mean: high-high, low-low, high-low, low-high. Significance controls the false
  discovery rate over the :math:`n` local tests by Benjamini–Hochberg
  (:func:`benjamini_hochberg`).
* Polarity: a **lagging cluster** is a significant low-low area when higher is better and a
  significant high-high area when lower is better (e.g. claimant count); leading clusters
  and the two kinds of outlier follow the same rule.
* **Cross-border clusters**: connected components, in the weights graph, of significant
  lagging-cluster areas (:func:`lagging_clusters`); a component spanning two or more ITL1
  regions is a cluster that regional targets split.

Everything here is pure (no files read; random state saved and restored) and imports no other
``localineq`` subpackage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import libpysal
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from localineq.stats.moran import (
    cache_esda_kernels,
    global_permutations,
    local_permutations,
    permutation_indices,
)

__all__ = [
    "BNG",
    "CLASSES",
    "QUADRANTS",
    "MoranResult",
    "benjamini_hochberg",
    "cache_esda_kernels",
    "contiguity_weights",
    "gal_text",
    "global_moran",
    "island_links",
    "lagging_clusters",
    "local_moran",
    "moran_table",
    "periods_to_test",
    "subset_weights",
    "weights_edges",
    "within_region_deviations",
]

#: Projected CRS for distances between polygons: OSGB36 / British National Grid (metres).
BNG = "EPSG:27700"
#: esda's quadrant codes (``Moran_Local.q`` with ``geoda_quads=False``) → names (value-lag).
QUADRANTS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
#: Polarity-aware LISA classes, in legend order.
CLASSES = ("lagging cluster", "leading cluster", "lagging outlier", "leading outlier")
NOT_SIGNIFICANT = "not significant"
VARIANTS = ("raw", "within_region")


def _ids(frame: pd.DataFrame, id_column: str) -> list[str]:
    ids = frame[id_column].astype(str).tolist()
    if len(set(ids)) != len(ids):
        dup = frame[id_column][frame[id_column].duplicated()].astype(str).unique().tolist()
        raise ValueError(f"duplicate area ids: {dup[:5]}")
    return ids


def island_links(
    areas: gpd.GeoDataFrame,
    islands: Iterable[str],
    *,
    id_column: str = "area_code",
    k: int = 2,
    crs: str = BNG,
) -> pd.DataFrame:
    """Links that join each island to its ``k`` nearest areas by boundary distance.

    Distances are between polygon boundaries (``shapely`` ``distance``) after projecting to
    ``crs`` (metres); ties are broken by area id so that the result never depends on row
    order.

    Returns
    -------
    pandas.DataFrame
        ``island``, ``neighbour``, ``distance_m``; ``k`` rows per island, nearest first.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if areas.crs is None:
        raise ValueError("areas have no CRS; set EPSG:4326 for lon/lat before projecting")
    projected = areas.to_crs(crs)
    ids = np.asarray(_ids(projected, id_column))
    rows = []
    for island in islands:
        (position,) = np.flatnonzero(ids == island)
        distance = projected.geometry.distance(projected.geometry.iloc[position]).to_numpy()
        others = np.flatnonzero(ids != island)
        order = others[np.lexsort((ids[others], distance[others]))][:k]
        rows += [(island, ids[j], float(distance[j])) for j in order]
    return pd.DataFrame(rows, columns=["island", "neighbour", "distance_m"])


def contiguity_weights(
    areas: gpd.GeoDataFrame,
    *,
    id_column: str = "area_code",
    k_islands: int = 2,
    crs: str = BNG,
) -> libpysal.weights.W:
    r"""Queen contiguity weights, islands joined to their nearest areas, row-standardised.

    Parameters
    ----------
    areas
        Polygons with an id column (any CRS; projected to ``crs`` only to measure island
        distances). Queen contiguity is read from shared boundary points, so polygons must
        come from one topology (as the TopoJSON-derived LAD23 boundaries do).
    k_islands
        Links per area without a queen neighbour (see the module notes for why 2).

    Returns
    -------
    libpysal.weights.W
        Ids sorted; symmetric binary neighbours; ``transform`` set to ``"r"``
        (:math:`w_{ij} = c_{ij}/\sum_k c_{ik}`).
    """
    ordered = areas.assign(_id=_ids(areas, id_column)).sort_values("_id", ignore_index=True)
    ids = ordered["_id"].tolist()
    queen = libpysal.weights.Queen.from_dataframe(
        ordered, ids=ids, use_index=False, silence_warnings=True
    )
    neighbours = {i: set(queen.neighbors[i]) for i in ids}
    islands = [i for i in ids if not neighbours[i]]
    links = island_links(ordered, islands, id_column="_id", k=k_islands, crs=crs)
    for island, neighbour in zip(links["island"], links["neighbour"], strict=True):
        neighbours[island].add(neighbour)
        neighbours[neighbour].add(island)
    w = libpysal.weights.W(
        {i: sorted(neighbours[i]) for i in ids}, id_order=ids, silence_warnings=True
    )
    w.transform = "r"
    return w


def subset_weights(w: libpysal.weights.W, ids: Sequence[str]) -> libpysal.weights.W:
    """The weights restricted to ``ids`` (in that order), row-standardised again.

    Raises
    ------
    ValueError
        If an id is not in ``w`` or an area has no neighbour among ``ids``.
    """
    ids = [str(i) for i in ids]
    unknown = sorted(set(ids) - set(w.id_order))
    if unknown:
        raise ValueError(f"{len(unknown)} area(s) not in the weights, e.g. {unknown[:5]}")
    binary = libpysal.weights.W(
        {i: list(w.neighbors[i]) for i in w.id_order}, id_order=w.id_order, silence_warnings=True
    )
    if list(ids) == list(w.id_order):
        sub = binary
    else:
        sub = libpysal.weights.w_subset(binary, ids, silence_warnings=True)
    if sub.islands:
        raise ValueError(
            f"area(s) {sorted(sub.islands)} have no neighbour among the areas with values; "
            "Moran's I would treat them as unconnected"
        )
    sub.transform = "r"
    return sub


def weights_edges(w: libpysal.weights.W) -> pd.DataFrame:
    """The binary neighbour graph as an edge list ``area_code, neighbour`` (both directions)."""
    rows = [(i, j) for i in w.id_order for j in sorted(w.neighbors[i])]
    return pd.DataFrame(rows, columns=["area_code", "neighbour"])


def gal_text(w: libpysal.weights.W, *, id_variable: str = "area_code") -> str:
    """The binary neighbour graph in GAL format (readable by ``libpysal.io.open``).

    Header ``0 n unknown id_variable``, then per area a line ``id k`` and a line with its
    ``k`` neighbours, ids in ``w.id_order``, neighbours sorted: identical weights give an
    identical file.
    """
    lines = [f"0 {w.n} unknown {id_variable}"]
    for i in w.id_order:
        neighbours = sorted(w.neighbors[i])
        lines += [f"{i} {len(neighbours)}", " ".join(neighbours)]
    return "\n".join(lines) + "\n"


def within_region_deviations(
    values: npt.ArrayLike, regions: Sequence[object]
) -> npt.NDArray[np.float64]:
    r"""Each value minus the unweighted mean of its region's values, :math:`y_i - \bar y_{g(i)}`.

    >>> within_region_deviations([1.0, 3.0, 10.0, 14.0], ["a", "a", "b", "b"]).tolist()
    [-1.0, 1.0, -2.0, 2.0]
    """
    y = np.asarray(values, dtype="float64")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite (drop missing areas first)")
    groups = pd.Series(y).groupby(np.asarray(regions, dtype="object")).transform("mean")
    return y - groups.to_numpy()


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with its permutation inference (see :func:`global_moran`)."""

    I: float  # noqa: E741  (the statistic's name)
    expected_I: float
    z: float
    p_value: float
    permutations: int
    n: int
    seed: int


def global_moran(
    values: npt.ArrayLike, w: libpysal.weights.W, *, permutations: int = 999, seed: int = 0
) -> MoranResult:
    """Global Moran's I of ``values`` (in ``w.id_order``) with seeded permutation inference.

    Equal, bit for bit, to ``esda.Moran(values, w, transformation="r",
    permutations=permutations)`` with numpy's global generator seeded by ``seed``, so equal
    inputs give equal p-values; numpy's global state is left as it was. The permutations are
    esda's draws (:func:`localineq.stats.moran.permutation_indices`, cached), all lagged in one
    sparse product (:func:`localineq.stats.moran.global_permutations`). ``z`` is
    the permutation z-score ``esda.Moran.z_sim``; without permutations, esda's ``z_norm`` and
    ``p_norm``. Like esda, sets ``w.transform`` to ``"r"``.
    """
    y = np.asarray(values, dtype="float64")
    if y.shape != (w.n,):
        raise ValueError(f"{y.size} values for {w.n} areas")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite (subset the weights to areas with values)")
    if np.ptp(y) == 0:
        raise ValueError("values are constant: Moran's I is undefined")
    if permutations:
        if w.transform != "R":
            # esda sets it on every call; setting it again only rebuilds the same sparse matrix.
            w.transform = "r"
        indices = permutation_indices(w.n, permutations, seed)
        mi = global_permutations(y, w.sparse, w.s0, indices)
        statistic, expected, z, p = mi.I, mi.EI, mi.z_sim, mi.p_sim
    else:
        import esda

        m0 = esda.Moran(y, w, transformation="r", permutations=0)
        statistic, expected, z, p = m0.I, m0.EI, m0.z_norm, m0.p_norm
    return MoranResult(
        I=float(statistic),
        expected_I=float(expected),
        z=float(z),
        p_value=float(p),
        permutations=int(permutations),
        n=int(w.n),
        seed=int(seed),
    )


def benjamini_hochberg(p_values: npt.ArrayLike, alpha: float = 0.05) -> npt.NDArray[np.bool_]:
    r"""Which tests are significant with the false discovery rate controlled at ``alpha``.

    Benjamini–Hochberg step-up: with ordered p-values :math:`p_{(1)} \le \dots \le p_{(m)}`,
    :math:`k = \max\{i : p_{(i)} \le i\alpha/m\}`; reject the :math:`k` smallest.

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.005], alpha=0.05).tolist()
    [True, True, True, True]
    >>> benjamini_hochberg([0.03, 0.5], alpha=0.05).tolist()  # 0.03 > 1 * 0.05 / 2
    [False, False]
    """
    p = np.asarray(p_values, dtype="float64")
    if p.size == 0:
        return np.zeros(0, dtype=bool)
    if not ((p >= 0) & (p <= 1)).all():
        raise ValueError("p-values must lie in [0, 1]")
    order = np.argsort(p, kind="stable")
    m = p.size
    passed = p[order] <= alpha * np.arange(1, m + 1) / m
    significant = np.zeros(m, dtype=bool)
    if passed.any():
        k = int(np.flatnonzero(passed).max())
        significant[order[: k + 1]] = True
    return significant


def _classes(quadrant: Sequence[str], significant: Sequence[bool], higher_is_better: bool):
    worse, better = ("low", "high") if higher_is_better else ("high", "low")
    names = {
        f"{worse}-{worse}": "lagging cluster",
        f"{better}-{better}": "leading cluster",
        f"{worse}-{better}": "lagging outlier",
        f"{better}-{worse}": "leading outlier",
    }
    return [names[q] if s else NOT_SIGNIFICANT for q, s in zip(quadrant, significant, strict=True)]


def local_moran(
    values: npt.ArrayLike,
    w: libpysal.weights.W,
    *,
    higher_is_better: bool,
    permutations: int = 9999,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Local Moran (LISA) of every area, quadrant, FDR significance and polarity-aware class.

    Equal, bit for bit, to ``esda.Moran_Local(values, w, transformation="r",
    permutations=permutations, seed=seed, n_jobs=1)`` (one job, so that the seeded draws do not
    depend on the number of cores), computed with esda's numba kernels but without its
    uncacheable per-process compilation (:func:`localineq.stats.moran.local_permutations`). The pseudo p-value of area :math:`i` is :math:`(\min(G_i, P - G_i) + 1)/(P + 1)`
    with :math:`G_i` the number of its :math:`P` conditional permutations (its neighbours'
    values drawn from the other areas) with :math:`I_i` at least the observed. Significance: :func:`benjamini_hochberg` over all areas' pseudo
    p-values at ``alpha``. With ``P`` permutations no p-value is below ``1/(P+1)``, so ``P``
    must be large enough for FDR to reject anything (9999 for a few hundred areas).

    Returns
    -------
    pandas.DataFrame
        One row per area in ``w.id_order``: ``area_code``, ``value``, ``lag`` (row-standardised
        spatial lag of the value), ``local_I``, ``quadrant``, ``p_value``, ``significant``,
        ``lisa_class`` (one of :data:`CLASSES` or ``"not significant"``).
    """
    y = np.asarray(values, dtype="float64")
    if y.shape != (w.n,):
        raise ValueError(f"{y.size} values for {w.n} areas")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite (subset the weights to areas with values)")
    if w.transform != "R":
        w.transform = "r"
    lisa = local_permutations(y, w.sparse, permutations, seed)
    quadrant = [QUADRANTS[int(q)] for q in lisa.q]
    p_value = np.asarray(lisa.p_sim, dtype="float64")
    significant = benjamini_hochberg(p_value, alpha)
    return pd.DataFrame(
        {
            "area_code": list(w.id_order),
            "value": y,
            "lag": lisa.lag,
            "local_I": np.asarray(lisa.Is, dtype="float64"),
            "quadrant": quadrant,
            "p_value": p_value,
            "significant": significant,
            "lisa_class": _classes(quadrant, significant, higher_is_better),
        }
    )


def lagging_clusters(
    lisa: pd.DataFrame,
    w: libpysal.weights.W,
    *,
    regions: Mapping[str, str],
    names: Mapping[str, str] | None = None,
    population: Mapping[str, float] | None = None,
    region_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Connected groups of significant lagging-cluster areas and the regions they span.

    Two lagging areas belong to one cluster when a path of neighbouring (in ``w``) lagging
    areas joins them. Clusters are numbered 1, 2, ... by population (largest first; ties by
    number of areas, then first area id).

    Parameters
    ----------
    lisa
        Output of :func:`local_moran` (``area_code``, ``lisa_class``).
    regions
        area id → ITL1 code.
    names, population, region_names
        Optional area names, populations and ITL1 names for the listing.

    Returns
    -------
    pandas.DataFrame
        One row per cluster: ``cluster``, ``n_areas``, ``n_regions``, ``crosses_border``,
        ``region_codes``, ``regions``, ``area_codes``, ``area_names``, ``population``
        (lists joined with ``"; "``).
    """
    columns = [
        "cluster",
        "n_areas",
        "n_regions",
        "crosses_border",
        "region_codes",
        "regions",
        "area_codes",
        "area_names",
        "population",
    ]
    lagging = sorted(lisa.loc[lisa["lisa_class"] == "lagging cluster", "area_code"].astype(str))
    if not lagging:
        return pd.DataFrame(columns=columns)
    position = {a: k for k, a in enumerate(lagging)}
    rows, cols = [], []
    for a in lagging:
        for b in w.neighbors[a]:
            if b in position:
                rows.append(position[a])
                cols.append(position[b])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(lagging),) * 2)
    _, labels = connected_components(graph, directed=False)
    names = names or {}
    region_names = region_names or {}
    out = []
    for label in np.unique(labels):
        members = [a for a, lab in zip(lagging, labels, strict=True) if lab == label]
        codes = sorted({regions[a] for a in members})
        pop = float(sum(population[a] for a in members)) if population is not None else np.nan
        out.append(
            {
                "n_areas": len(members),
                "n_regions": len(codes),
                "crosses_border": len(codes) >= 2,
                "region_codes": "; ".join(codes),
                "regions": "; ".join(region_names.get(c, c) for c in codes),
                "area_codes": "; ".join(members),
                "area_names": "; ".join(names.get(a, a) for a in members),
                "population": pop,
                "_first": members[0],
            }
        )
    table = pd.DataFrame(out)
    key = table["population"].fillna(0)
    table = (
        table.assign(_pop=-key, _n=-table["n_areas"])
        .sort_values(["_pop", "_n", "_first"], ignore_index=True)
        .drop(columns=["_pop", "_n", "_first"])
    )
    table.insert(0, "cluster", np.arange(1, len(table) + 1))
    return table[columns]


def periods_to_test(frame: pd.DataFrame, *, min_areas: int = 300) -> list[str]:
    """Periods of one indicator to test: the latest with values and every one with ≥ ``min_areas``.

    ``frame`` has ``period`` (ISO 8601 strings, which sort in time order) and ``value``.

    >>> f = pd.DataFrame({"period": ["2020", "2020", "2021", "2022"],
    ...                   "value": [1.0, 2.0, 3.0, float("nan")]})
    >>> periods_to_test(f, min_areas=2)
    ['2020', '2021']
    """
    counts = frame[frame["value"].notna()].groupby("period").size()
    if counts.empty:
        return []
    keep = set(counts.index[counts >= min_areas]) | {counts.index.max()}
    return sorted(keep)


def moran_table(
    frame: pd.DataFrame,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    seed: int = 0,
    min_areas: int = 300,
) -> pd.DataFrame:
    """Global Moran's I, raw and within-region, of every indicator × period to test.

    ``frame`` is tidy: ``indicator``, ``period``, ``area_code``, ``itl1_code``, ``value``
    (rows with missing values are left out). Periods: :func:`periods_to_test`. Each statistic
    uses ``w`` restricted to the areas with values (:func:`subset_weights`) and the areas in
    sorted id order, so that ``esda.Moran`` on the exported weights reproduces it.

    Returns
    -------
    pandas.DataFrame
        ``indicator, period, variant, I, expected_I, z, p_value, permutations, n, seed``.
    """
    rows = []
    # Most periods of most indicators cover the same areas: their weights are built once.
    subsets: dict[tuple[str, ...], libpysal.weights.W] = {}
    for indicator, rows_of in frame.groupby("indicator", sort=True):
        present = rows_of[rows_of["value"].notna()]
        present = present.assign(area_code=present["area_code"].astype(str))
        by_period = {str(p): data for p, data in present.groupby("period", sort=False)}
        for period in periods_to_test(rows_of, min_areas=min_areas):
            data = by_period[str(period)].sort_values("area_code")
            ids = tuple(data["area_code"])
            if ids not in subsets:
                subsets[ids] = subset_weights(w, ids)
            sub = subsets[ids]
            y = data["value"].to_numpy(dtype="float64")
            for variant in VARIANTS:
                x = y if variant == "raw" else within_region_deviations(y, data["itl1_code"])
                result = global_moran(x, sub, permutations=permutations, seed=seed)
                rows.append(
                    {"indicator": indicator, "period": period, "variant": variant} | result.__dict__
                )
    return pd.DataFrame(rows)
