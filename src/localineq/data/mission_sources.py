"""Mission metrics that ONS publishes on geographies other than local authorities (issue 19).

Three missions have no local-authority series in the mirror, and each has its own geography:

* **R&D (mission 2).** ELS publishes business and public-funded R&D expenditure (£ million)
  for the twelve ITL1 regions and nations only. :func:`region_money_panel` keeps those rows,
  in real terms beside nominal.
* **Homicide (mission 11).** ELS publishes homicide offences per million people for police
  force areas (GSS ``E23``/``W15``), a third geography that is neither a local authority nor
  an ITL1 region, beside English regions, Wales and Northern Ireland. Northern Ireland has
  one force, the PSNI, which covers the whole nation, so its nation row is also its police
  force area row. :func:`police_force_panel` splits the file into those lenses.
* **Devolution (mission 12).** The ELS app's area hierarchy (``geo-metadata.json``) lists
  each combined authority (``E47``) as a parent of its member local authorities.
  :func:`combined_authority_members` reads which LAD23 authority sits in which one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from localineq.data.geography import ITL1_TO_GSS
from localineq.data.indicators import add_real_terms
from localineq.data.prices import cpi_base_year

__all__ = [
    "MISSION_PANEL_COLUMNS",
    "POLICE_FORCE_TYPES",
    "combined_authority_members",
    "own_geography_inputs",
    "police_force_panel",
    "read_geo_metadata",
    "region_money_panel",
]

#: GSS entity types of police force areas; Northern Ireland's single force is ``N92``.
POLICE_FORCE_TYPES: tuple[str, ...] = ("E23", "W15")
#: Columns of a mission panel.
MISSION_PANEL_COLUMNS = ["area_code", "area_name", "period", "value", "lci_95", "uci_95"]


def _gss_to_itl1() -> dict[str, str]:
    return {gss: itl for itl, gss in ITL1_TO_GSS.items()}


def region_money_panel(
    tidy: pd.DataFrame,
    key: str,
    cpi: pd.DataFrame,
    base: int | str = "latest",
) -> pd.DataFrame:
    r"""The published ITL1 rows of a money series, with real terms (CPI) beside nominal.

    Parameters
    ----------
    tidy : pandas.DataFrame
        :func:`localineq.data.readers.read_els_csv` of the source.
    key : str
        Indicator name written to ``indicator``.
    cpi : pandas.DataFrame
        :func:`localineq.data.prices.read_cpi`; each value is deflated at its own period,
        :math:`y^{real} = y \cdot P_{base} / \bar P_{period}`.
    base : int or "latest"
        Price base year.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (ITL1 code), ``area_name``, ``period``, ``value``, ``lci_95``,
        ``uci_95``, ``indicator`` and the real-terms columns of
        :func:`localineq.data.indicators.add_real_terms`.

    Raises
    ------
    ValueError
        When a region is missing in a period or published twice.
    """
    to_itl1 = _gss_to_itl1()
    rows = tidy[tidy["area_code"].isin(to_itl1)].copy()
    rows["area_code"] = rows["area_code"].map(to_itl1)
    twice = rows.duplicated(["area_code", "period"], keep=False)
    if twice.any():
        first = rows[twice].iloc[0]
        raise ValueError(f"{key}: region {first['area_code']} published twice in {first['period']}")
    for period, part in rows.groupby("period"):
        missing = sorted(set(ITL1_TO_GSS) - set(part["area_code"]))
        if missing:
            raise ValueError(f"{key}: period {period} lacks regions {missing}")
    out = rows[MISSION_PANEL_COLUMNS].assign(indicator=key)
    out = add_real_terms(out, [key], cpi, cpi_base_year(cpi, base))
    return out.sort_values(["area_code", "period"], kind="stable").reset_index(drop=True)


def police_force_panel(tidy: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Homicide rows split by geography: ``police_force``, ``regional`` and ``overall``.

    * ``police_force``: every ``E23``/``W15`` police force area, plus Northern Ireland's
      nation row (the PSNI covers the whole of Northern Ireland);
    * ``regional``: ITL1 rows as published (English regions ``E12``, Wales ``W92``, Northern
      Ireland ``N92``), keyed by ITL1 code; Scotland is not published;
    * ``overall``: the England and Wales row (``K04``).

    Examples
    --------
    >>> t = pd.DataFrame({"area_code": ["E23000001", "N92000002", "E12000007", "K04000001"],
    ...     "area_name": ["Met", "NI", "London", "E&W"], "period": "p", "value": [1.0, 2, 3, 4],
    ...     "lci_95": float("nan"), "uci_95": float("nan")})
    >>> {k: v["area_code"].tolist() for k, v in police_force_panel(t).items()}
    {'police_force': ['E23000001', 'N92000002'], 'regional': ['TLI', 'TLN'], 'overall': ['K04000001']}
    """
    code = tidy["area_code"]
    force = code.str[:3].isin(POLICE_FORCE_TYPES) | code.eq(ITL1_TO_GSS["TLN"])
    to_itl1 = _gss_to_itl1()
    regional = tidy[code.isin(to_itl1)].assign(area_code=lambda f: f["area_code"].map(to_itl1))
    overall = tidy[code.str.startswith("K04")]
    out = {}
    for name, part in (("police_force", tidy[force]), ("regional", regional), ("overall", overall)):
        twice = part.duplicated(["area_code", "period"], keep=False)
        if twice.any():
            first = part[twice].iloc[0]
            raise ValueError(f"homicide: {first['area_code']} published twice in {first['period']}")
        out[name] = part[MISSION_PANEL_COLUMNS].sort_values(["area_code", "period"])
        out[name] = out[name].reset_index(drop=True)
    return out


def read_geo_metadata(path: str | os.PathLike, columns: Sequence[str] = ()) -> pd.DataFrame:
    """The ELS app's area hierarchy: one row per area, with its parents.

    ``columns`` are the declared top-level keys (area codes, sources.yaml); a missing one is
    an error naming the file. Returns ``area_code, area_name, levels, parents, start, end``
    (``levels``/``parents`` as tuples; ``start``/``end`` years, missing when not given).
    """
    with open(path, encoding="utf-8-sig") as handle:
        document = json.load(handle)
    if not isinstance(document, dict):
        raise ValueError(f"{os.fspath(path)}: expected an object keyed by area code")
    missing = [c for c in columns if c not in document]
    if missing:
        raise ValueError(
            f"{os.fspath(path)}: missing expected area(s) {missing} "
            "(declared under `columns:` in config/sources.yaml)"
        )
    rows = []
    for key, entry in document.items():
        if not isinstance(entry, dict) or entry.get("areacd") != key:
            raise ValueError(f"{os.fspath(path)}: entry {key!r} does not carry its own areacd")
        rows.append(
            {
                "area_code": key,
                "area_name": str(entry.get("areanm", "")),
                "levels": tuple(entry.get("level", ())),
                "parents": tuple(entry.get("parents", ())),
                "start": entry.get("start"),
                "end": entry.get("end"),
            }
        )
    return pd.DataFrame(rows)


def combined_authority_members(
    hierarchy: pd.DataFrame, la_codes: Iterable[str], prefix: str = "E47"
) -> pd.DataFrame:
    """Which combined authority (``E47``) each local authority belongs to, if any.

    Parameters
    ----------
    hierarchy : pandas.DataFrame
        :func:`read_geo_metadata`.
    la_codes : iterable of str
        The authorities to place (LAD23 codes of England).
    prefix : str
        GSS type of combined authorities.

    Returns
    -------
    pandas.DataFrame
        ``area_code, combined_authority_code, combined_authority_name`` (empty strings for
        an authority outside every combined authority), in the order given.

    Raises
    ------
    ValueError
        When an authority is not in the hierarchy (its membership would be unknown), or sits
        in two combined authorities.

    Examples
    --------
    >>> h = pd.DataFrame({"area_code": ["E47000001", "E08000001", "E06000001"],
    ...     "area_name": ["GM", "Bolton", "Hartlepool"],
    ...     "parents": [(), ("E47000001", "E12000002"), ("E12000001",)]})
    >>> combined_authority_members(h, ["E08000001", "E06000001"]).values.tolist()
    [['E08000001', 'E47000001', 'GM'], ['E06000001', '', '']]
    """
    names = dict(zip(hierarchy["area_code"], hierarchy["area_name"], strict=True))
    parents = dict(zip(hierarchy["area_code"], hierarchy["parents"], strict=True))
    rows = []
    for code in la_codes:
        if code not in parents:
            raise ValueError(f"geo-metadata has no entry for local authority {code}")
        cas = [p for p in parents[code] if str(p).startswith(prefix)]
        if len(cas) > 1:
            raise ValueError(f"local authority {code} sits in several combined authorities {cas}")
        ca = cas[0] if cas else ""
        rows.append({"area_code": code, "combined_authority_code": ca,
                     "combined_authority_name": names.get(ca, "") if ca else ""})  # fmt: skip
    return pd.DataFrame(rows, columns=["area_code", "combined_authority_code",
                                       "combined_authority_name"])  # fmt: skip


def own_geography_inputs(
    missions: Mapping[str, Any],
    paths: Mapping[str, str | os.PathLike],
    columns: Mapping[str, Sequence[str]],
    cpi: pd.DataFrame,
    base_year: int | str,
    las: pd.DataFrame,
    population: pd.Series,
) -> dict[str, Any]:
    """The prepared panel of every ``missions.own_geography`` source, by source key.

    Parameters
    ----------
    missions : mapping
        The ``missions:`` config block.
    paths, columns : mapping
        Raw file and declared columns of each source key.
    cpi : pandas.DataFrame
        :func:`localineq.data.prices.read_cpi`, for the real terms of money series.
    base_year : int or "latest"
    las : pandas.DataFrame
        ``area_code, itl1_name`` of every LAD23 authority (devolution).
    population : pandas.Series
        Residents by LAD23 code (devolution weights).

    Returns
    -------
    dict
        Source key → :func:`region_money_panel` (R&D), :func:`police_force_panel` (homicide)
        or the membership table with ``itl1_name`` and ``population`` (devolution); and
        ``"titles"``: source key → the published indicator label.
    """
    from localineq.data.readers import read_els_csv

    out: dict[str, Any] = {"titles": {}}
    for mission in missions.get("own_geography", []) or []:
        for ind, src in mission["sources"].items():
            if mission["test"] == "devolution_coverage":
                england = las[las["area_code"].str.startswith("E")].drop_duplicates("area_code")
                members = combined_authority_members(
                    read_geo_metadata(paths[src], columns[src]), england["area_code"]
                )
                members = members.merge(england[["area_code", "itl1_name"]], on="area_code")
                members["population"] = members["area_code"].map(population)
                out[src] = members
                continue
            tidy = read_els_csv(paths[src], source=src, columns=columns[src])
            out["titles"][src] = str(tidy["indicator"].iloc[0])
            if mission["test"] == "worst_fall_more":
                out[src] = police_force_panel(tidy)
            else:
                out[src] = region_money_panel(tidy, ind, cpi, base_year)
    return out
