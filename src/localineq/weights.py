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
    known = population.dropna(subset=[value_column])
    known = known[known["area_code"].isin(set(areas))]
    absent = sorted(set(areas) - set(known["area_code"]))
    if absent:
        raise ValueError(f"no population published for area(s) {absent[:5]} in any year")
    distance = (known["year"] - year).abs()
    # Sort by distance, then by year so the earlier year wins ties.
    ranked = known.assign(_distance=distance).sort_values(["area_code", "_distance", "year"])
    best = ranked.drop_duplicates("area_code").set_index("area_code")
    chosen = best.loc[areas.to_numpy()]
    return pd.DataFrame(
        {
            "area_code": areas.to_numpy(),
            "weight": chosen[value_column].to_numpy(dtype="float64"),
            "weight_year": chosen["year"].to_numpy(dtype="int64"),
        }
    )
