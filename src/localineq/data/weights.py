"""Area weights for weighted inequality measures.

Rule ``nearest population year``: an indicator value for reference year *t* is weighted by
the area's population in year *t* when published, otherwise by its population in the
nearest year that is published for that area (the earlier year wins a tie). Table 6 of the
regional GDP workbook covers 1998–2023, so 1997 values use 1998 weights, and Northern
Ireland's 2023 values (population marked ``[u]``) use 2022 weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def nearest_year_weights(
    areas: pd.Series, year: int, population: pd.DataFrame, *, value_column: str = "population"
) -> pd.DataFrame:
    """Population weight of each area for one reference year, with the year actually used.

    Parameters
    ----------
    areas
        Area codes to weight.
    year
        Reference year of the indicator values.
    population
        Long table with ``area_code, year`` and ``value_column``; missing values allowed.

    Returns
    -------
    pandas.DataFrame
        ``area_code, weight, weight_year`` in the order of ``areas``.

    Raises
    ------
    ValueError
        If an area has no published population in any year.

    Examples
    --------
    >>> pop = pd.DataFrame({"area_code": ["A", "A", "B"], "year": [2020, 2021, 2020],
    ...                     "population": [10.0, np.nan, 5.0]})
    >>> nearest_year_weights(pd.Series(["A", "B"]), 2021, pop).to_dict("list")
    {'area_code': ['A', 'B'], 'weight': [10.0, 5.0], 'weight_year': [2020, 2020]}
    """
    published = _PublishedPopulation(population, value_column)
    weight, weight_year = published.nearest(published.locate(areas), year)
    return pd.DataFrame(
        {"area_code": areas.to_numpy(), "weight": weight, "weight_year": weight_year}
    )


class _PublishedPopulation:
    """The published (non-missing) rows of a population table, for repeated look-ups.

    Dropping missing values and numbering the area codes depend on the table alone, so
    :func:`attach_weights` does them once for all its periods.
    """

    def __init__(self, population: pd.DataFrame, value_column: str) -> None:
        known = population.dropna(subset=[value_column])
        # A missing code is numbered too, so that a missing area finds its rows like any code.
        self.area, self.codes = pd.factorize(known["area_code"], use_na_sentinel=False)
        self.years = known["year"].to_numpy()
        self.values = known[value_column].to_numpy(dtype="float64")

    def locate(self, areas: pd.Series) -> np.ndarray:
        """The number of each area's code.

        Raises
        ------
        ValueError
            If an area has no published population in any year.
        """
        wanted = self.codes.get_indexer(areas)
        if (wanted < 0).any():
            absent = sorted(set(areas[wanted < 0]))
            raise ValueError(f"no population published for area(s) {absent[:5]} in any year")
        return wanted

    def nearest(self, wanted: np.ndarray, year: int) -> tuple[np.ndarray, np.ndarray]:
        """Weight (float64) and weight year (int64) of the areas numbered ``wanted``."""
        # Distance, then year: the earlier year wins a tie. lexsort is stable, so of repeated
        # area × year rows the first in the table is kept.
        order = np.lexsort((self.years, np.abs(self.years - year), self.area))
        first = order[np.flatnonzero(np.diff(self.area[order], prepend=-1))]
        best = first[wanted]
        return self.values[best], self.years[best].astype("int64")


#: Weight bases: the population an indicator's values describe. ``ages`` is an inclusive band
#: of single years of age in MYE2 (90 = 90 and over); ``None`` means all residents. Config
#: (``weight_bases``) may restate these; these defaults document the rule in one place.
DEFAULT_WEIGHT_BASES: dict[str, tuple[int, int] | None] = {
    "population": None,
    "working_age": (16, 64),
    "children": (0, 15),
    "adults_16_plus": (16, 90),
    "adults_19_plus": (19, 90),
    "age_10": (10, 10),
    "age_15": (15, 15),
}


def age_band_share(
    mye2: pd.DataFrame, ages: tuple[int, int], areas: pd.Series | None = None
) -> pd.DataFrame:
    """Share of each area's mid-2022 residents in an age band (MYE2, persons).

    :math:`s_i = \\sum_{a \\in [a_0, a_1]} P_{i,a} / \\sum_a P_{i,a}`.

    Parameters
    ----------
    mye2
        Output of :func:`localineq.data.readers.read_mye2_persons` (``area_code, age, population``).
    ages
        Inclusive age band ``(a0, a1)``; 90 means "90 and over".
    areas
        If given, the areas required; each must be in MYE2.

    Returns
    -------
    pandas.DataFrame
        ``area_code, share``.

    Examples
    --------
    >>> m = pd.DataFrame({"area_code": ["A"] * 3, "age": [10, 40, 90], "population": [1.0, 2.0, 1.0]})
    >>> age_band_share(m, (16, 64)).to_dict("list")
    {'area_code': ['A'], 'share': [0.5]}
    """
    table = mye2.drop_duplicates(["area_code", "age"])
    if areas is not None:
        absent = sorted(set(areas) - set(table["area_code"]))
        if absent:
            raise ValueError(f"MYE2 has no age breakdown for area(s) {absent[:5]}")
        table = table[table["area_code"].isin(set(areas))]
    in_band = table["age"].between(*ages)
    band = table[in_band].groupby("area_code")["population"].sum()
    total = table.groupby("area_code")["population"].sum()
    share = (band / total).rename("share").reset_index()
    return share.sort_values("area_code").reset_index(drop=True)


def basis_population(
    population: pd.DataFrame, mye2: pd.DataFrame, ages: tuple[int, int] | None
) -> pd.DataFrame:
    """Weight-basis population of each LA and year.

    Rule ``2022 age share × own-year total``: for an age band, the count in year *t* is
    :math:`P_{i,t} \\cdot s_i`, with :math:`P_{i,t}` the LA's total population in *t* (Table 6,
    1998–2023) and :math:`s_i` its mid-2022 share in the band (MYE2). In 2022 this equals the
    MYE2 band count up to revisions between the two releases; in other years it assumes the
    LA's age structure of 2022 — an approximation, stated wherever the weights are used.
    ``ages=None`` returns the total population unchanged.

    Returns
    -------
    pandas.DataFrame
        ``area_code, year, population`` (the basis count; missing where Table 6 is missing).
    """
    table = population[["area_code", "year", "population"]].copy()
    if ages is None:
        return table.reset_index(drop=True)
    share = age_band_share(mye2, ages, table["area_code"].drop_duplicates())
    table = table.merge(share, on="area_code", how="left", validate="many_to_one")
    table["population"] = table["population"] * table["share"]
    return table.drop(columns="share").reset_index(drop=True)


def aggregate_to_units(basis: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Sum a LAD-level basis over units of analysis (e.g. districts → county).

    ``members`` maps ``area_code`` (LAD) → ``unit_code``. A unit's count for a year is missing
    when any member's count is missing (never a partial sum).

    Examples
    --------
    >>> b = pd.DataFrame({"area_code": ["A", "B", "A", "B"], "year": [1, 1, 2, 2],
    ...                   "population": [1.0, 2.0, 3.0, np.nan]})
    >>> m = pd.DataFrame({"area_code": ["A", "B"], "unit_code": ["U", "U"]})
    >>> aggregate_to_units(b, m).to_dict("list")
    {'area_code': ['U', 'U'], 'year': [1, 2], 'population': [3.0, nan]}
    """
    joined = basis.merge(
        members[["area_code", "unit_code"]], on="area_code", how="inner", validate="many_to_one"
    )
    grouped = joined.groupby(["unit_code", "year"])["population"]
    summed = grouped.sum(min_count=1).where(grouped.count() == grouped.size())
    out = summed.reset_index().rename(columns={"unit_code": "area_code"})
    return out.sort_values(["area_code", "year"]).reset_index(drop=True)


def attach_weights(rows: pd.DataFrame, basis: pd.DataFrame) -> pd.DataFrame:
    """Add ``weight`` and ``weight_year`` to indicator rows (nearest-year rule, per period).

    Each period's rows get the basis count of its ``reference_year``, or of the nearest
    published year (:func:`nearest_year_weights`).
    """
    published = _PublishedPopulation(basis, "population")
    parts, weights, weight_years = [], [], []
    for _period, frame in rows.groupby("period", sort=False):
        weight, weight_year = published.nearest(
            published.locate(frame["area_code"]), int(frame["reference_year"].iloc[0])
        )
        parts.append(frame)
        weights.append(weight)
        weight_years.append(weight_year)
    if not parts:
        return rows.assign(weight=pd.Series(dtype="float64"), weight_year=pd.Series(dtype="int64"))
    weighted = pd.concat(parts).assign(
        weight=np.concatenate(weights), weight_year=np.concatenate(weight_years)
    )
    return weighted.loc[rows.index]


def indicator_weight_table(bases: pd.DataFrame, basis: str, members: pd.DataFrame) -> pd.DataFrame:
    """The long weight table of one indicator: its basis, summed over its units of analysis.

    Parameters
    ----------
    bases
        ``basis, area_code, year, population`` for LAD23 areas (all bases).
    basis
        The indicator's weight basis, or ``"unweighted"`` (every unit weighs 1 in every year).
    members
        LAD23 ``area_code`` → ``unit_code`` (identity for LAD-level indicators).

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (unit), ``year``, ``population`` (the basis count), ``basis``.
    """
    if basis == "unweighted":
        years = sorted(bases["year"].unique())
        units = sorted(members["unit_code"].unique())
        index = pd.MultiIndex.from_product([units, years], names=["area_code", "year"])
        table = pd.DataFrame(index=index).reset_index().assign(population=1.0)
    else:
        chosen = bases[bases["basis"] == basis]
        if chosen.empty:
            raise ValueError(f"weight basis {basis!r} not among {sorted(bases['basis'].unique())}")
        table = aggregate_to_units(chosen[["area_code", "year", "population"]], members)
    return table.assign(basis=basis)
