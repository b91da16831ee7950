"""Panels of the mission indicators: each price basis, at both lenses, built once per job.

:func:`price_panels` gives an indicator's local panel in each price basis and
:func:`lens_panels` adds the regional lens. The scorecard, the ambition back-test and the
ambition table judge the same indicators: :func:`mission_panels` builds their panels once
(splitting each tier's frame by indicator in one pass rather than one mask per indicator
and table) and each of them reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from localineq.policy.compare import rows_decimals, se_from_interval
from localineq.policy.lenses import published_lens, regional_panel
from localineq.policy.panel_rows import PanelRows, panel_rows
from localineq.policy.scorecard_columns import NOMINAL, published_panel

__all__ = [
    "BasisPanels",
    "IndicatorPanels",
    "area_population",
    "indicator_panel",
    "lens_panels",
    "mission_panels",
    "indicator_rows",
    "price_panels",
    "price_panels_of",
    "tier_key",
    "tier_populations",
]


def area_population(frame: pd.DataFrame) -> pd.Series:
    """Total residents of each area: its latest population-basis weight in ``frame``.

    Rows whose ``weight_basis`` is ``population`` carry the area's total population in
    ``weight_year``; the latest year per area is taken.

    Examples
    --------
    >>> f = pd.DataFrame({"area_code": ["a", "a", "b"], "weight_basis": "population",
    ...                   "weight_year": [2020, 2023, 2023], "weight": [1.0, 2.0, 5.0]})
    >>> area_population(f).to_dict()
    {'a': 2.0, 'b': 5.0}
    """
    pop = frame[frame["weight_basis"].eq("population") & frame["weight"].notna()]
    pop = pop.sort_values(["area_code", "weight_year"], kind="stable")
    return pop.drop_duplicates("area_code", keep="last").set_index("area_code")["weight"]


def tier_populations(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """:func:`area_population` of the ``"lad"`` and ``"upper"`` frames, each computed once
    (a pass over the whole frame) for all the indicators read from it."""
    return {key: area_population(frames[key]) for key in ("lad", "upper") if key in frames}


def indicator_panel(
    frame: pd.DataFrame, indicator: str, population: pd.Series | None = None
) -> pd.DataFrame:
    """Long panel of one indicator at the local lens, with ``se`` and ``population``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of ``la_indicators`` or ``upper_tier_indicators``.
    indicator : str
    population : pandas.Series, optional
        Total population by area code (defaults to :func:`area_population` of ``frame``).

    Returns
    -------
    pandas.DataFrame
        Columns ``area_code, area_name, itl1_code, itl1_name, period, value, se, weight,
        population``; ``se`` from the published 95% bounds (NaN where none).
    """
    rows = frame[frame["indicator"] == indicator]
    if rows.empty:
        raise ValueError(f"indicator {indicator!r} has no rows")
    return _panel(rows, area_population(frame) if population is None else population)


def _panel(rows: pd.DataFrame, pop: pd.Series) -> pd.DataFrame:
    """:func:`indicator_panel` of one indicator's rows, given the population by area."""
    out = rows[["area_code", "area_name", "itl1_code", "itl1_name", "period", "value", "weight"]]
    out = out.copy()
    out["se"] = se_from_interval(rows["lci_95"], rows["uci_95"])
    out["population"] = out["area_code"].map(pop)
    return out.reset_index(drop=True)


def price_panels(
    frame: pd.DataFrame, indicator: str, population: pd.Series | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """The indicator's panel in each price basis, the default first.

    Money (rows with ``value_real``): ``[(real basis, real panel), ("nominal", nominal
    panel)]``; anything else: ``[("", panel)]``. The real panel is :func:`indicator_panel`
    of the frame with ``value``/``lci_95``/``uci_95`` replaced by their ``*_real`` columns.
    """
    rows = frame[frame["indicator"] == indicator]
    if rows.empty:
        raise ValueError(f"indicator {indicator!r} has no rows")
    # One population table for both bases: it is a pass over the whole frame.
    pop = area_population(frame) if population is None else population
    return price_panels_of(rows, pop)


def price_panels_of(rows: pd.DataFrame, pop: pd.Series) -> list[tuple[str, pd.DataFrame]]:
    """:func:`price_panels` of one indicator's rows (one value of :func:`indicator_rows`),
    given the population by area (:func:`tier_populations`)."""
    nominal = _panel(rows, pop)
    if "value_real" not in rows or not rows["value_real"].notna().any():
        return [("", nominal)]
    basis = str(rows.loc[rows["value_real"].notna(), "real_price_basis"].iloc[0])
    real_rows = rows.assign(
        value=rows["value_real"], lci_95=rows["lci_95_real"], uci_95=rows["uci_95_real"]
    )
    return [(basis, _panel(real_rows, pop)), (NOMINAL, nominal)]


def lens_panels(
    panel: pd.DataFrame, published: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The same indicator at both lenses.

    The regional lens is ONS's published ITL1 rows where they exist, the LA aggregate
    elsewhere (:func:`~localineq.policy.lenses.published_lens`).
    """
    return {"regional": published_lens(regional_panel(panel), published), "local": panel}


def indicator_rows(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each indicator's rows of ``frame``, split in one pass.

    Each value holds the rows (index and order included) that
    ``frame[frame["indicator"] == ind]`` selects; an indicator without rows has no key.
    """
    return dict(iter(frame.groupby("indicator", sort=False)))


def tier_key(spec: Mapping[str, Any]) -> str:
    """Key of the frame an indicator is read from: ``"upper"`` for ``tier: upper``, else
    ``"lad"``."""
    return "upper" if spec.get("tier", "lad") == "upper" else "lad"


@dataclass(frozen=True)
class BasisPanels:
    """One indicator in one price basis: its local panel, ONS's published regional rows,
    both lenses, and where each period's rows sit in each lens (:func:`panel_rows`)."""

    basis: str
    panel: pd.DataFrame
    published: pd.DataFrame | None
    lenses: dict[str, pd.DataFrame]
    rows: dict[str, PanelRows]


@dataclass(frozen=True)
class IndicatorPanels:
    """One indicator: the decimals its source publishes (:func:`rows_decimals`), its unit of
    analysis, and its :class:`BasisPanels`, the default price basis first."""

    decimals: int
    unit: str
    bases: list[BasisPanels]


def mission_panels(
    frames: Mapping[str, pd.DataFrame],
    missions_cfg: Mapping[str, Any],
    indicators_cfg: Mapping[str, Mapping[str, Any]],
) -> dict[str, IndicatorPanels]:
    """:class:`IndicatorPanels` of every indicator of a declared mission.

    Each is what :func:`price_panels`, :func:`~localineq.policy.scorecard_columns.published_panel`
    and :func:`lens_panels` give for it, with the population of :func:`tier_populations`.

    Parameters
    ----------
    frames : mapping
        ``"lad"``, ``"upper"`` and optionally ``"region"``, as for
        :func:`~localineq.policy.scorecard.scorecard`.
    """
    wanted = {ind for m in missions_cfg["declared"] for ind in m["indicators"]}
    pops = tier_populations(frames)
    split: dict[str, dict[str, pd.DataFrame]] = {}
    out: dict[str, IndicatorPanels] = {}
    for ind in sorted(wanted):
        key = tier_key(indicators_cfg[ind])
        if key not in split:
            split[key] = indicator_rows(frames[key])
        rows = split[key].get(ind)
        if rows is None or rows.empty:
            raise ValueError(f"indicator {ind!r} has no rows")
        bases = []
        for basis, panel in price_panels_of(rows, pops[key]):
            pub = published_panel(frames.get("region"), ind, basis)
            lenses = lens_panels(panel, pub)
            rows_of = {lens: panel_rows(lp) for lens, lp in lenses.items()}
            bases.append(BasisPanels(basis, panel, pub, lenses, rows_of))
        unit = str(rows["unit_of_analysis"].iloc[0])
        out[ind] = IndicatorPanels(rows_decimals(rows), unit, bases)
    return out
