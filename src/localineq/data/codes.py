"""Area codes in raw files: strict checks of GSS and ITL codes.

A GSS code is one letter for the nation (E, W, S, N, or K for UK-wide groupings), two digits
for the entity type and six digits for the instance: ``E06000001`` is Hartlepool, a unitary
authority (entity ``E06``). Readers check every code column with :func:`invalid_code_mask`
and stop with an error naming the source, file, line and value when a code is malformed or of
an unknown entity type. Nothing is coerced: a lower-cased ``e06000001`` is an error, never a
silently unmatched area.

The only normalisation anywhere is removing surrounding whitespace (readers strip cells);
case, leading zeros and inner characters are never changed.
"""

from __future__ import annotations

import re

import pandas as pd

#: GSS entity types that appear in the pinned raw files (ONS Register of Geographic Codes).
#: A new type in a re-pinned file stops the run until it is added here deliberately.
GSS_ENTITY_TYPES: dict[str, str] = {
    "E01": "lower layer super output area (England)",
    "E02": "middle layer super output area (England)",
    "E06": "unitary authority (England)",
    "E07": "non-metropolitan district (England)",
    "E08": "metropolitan district (England)",
    "E09": "London borough",
    "E10": "county (England)",
    "E11": "metropolitan county (England)",
    "E12": "region (England)",
    "E13": "Inner / Outer London",
    "E23": "police force area (England)",
    "E47": "combined authority (England)",
    "E61": "Greater London Authority",
    "E92": "country: England",
    "K02": "United Kingdom",
    "K03": "Great Britain",
    "K04": "England and Wales",
    "K99": "UK less extra-regio (ITL1 grouping)",
    "N09": "local government district (Northern Ireland)",
    "N34": "city region (Northern Ireland)",
    "N92": "country: Northern Ireland",
    "S01": "data zone (Scotland)",
    "S12": "council area (Scotland)",
    "S30": "local administrative unit 1 (Scotland)",
    "S92": "country: Scotland",
    "W01": "lower layer super output area (Wales)",
    "W02": "middle layer super output area (Wales)",
    "W06": "unitary authority (Wales)",
    "W15": "police force area (Wales)",
    "W42": "city region / corporate joint committee (Wales)",
    "W92": "country: Wales",
}

GSS_PATTERN = re.compile(r"^[EKNSW][0-9]{8}$")
#: International Territorial Levels: ``TLC`` (ITL1), ``TLC3`` (ITL2), ``TLC31``/``TLN0A`` (ITL3).
ITL_PATTERN = re.compile(r"^TL[A-N](?:[0-9](?:[0-9A-Z])?)?$")


def is_gss_code(code: str) -> bool:
    """True for a well-formed GSS code of a known entity type.

    >>> is_gss_code("E06000001"), is_gss_code("e06000001"), is_gss_code("E0600001")
    (True, False, False)
    >>> is_gss_code("E99000001")  # well-formed, but no such entity type in the raw files
    False
    """
    return bool(GSS_PATTERN.match(code)) and code[:3] in GSS_ENTITY_TYPES


def invalid_code_mask(
    codes: pd.Series, *, allow_itl: bool = False, allow_empty: bool = False
) -> pd.Series:
    """Boolean mask of values that are not acceptable area codes.

    Parameters
    ----------
    codes : Series of str
        Codes as read (already stripped of surrounding whitespace).
    allow_itl : bool
        Also accept ITL codes (``TLC``, ``TLC3``, ``TLC31``, ``TLN0A``); ELS files carry them.
    allow_empty : bool
        Accept empty cells (optional columns such as a county code for a unitary authority).

    >>> invalid_code_mask(pd.Series(["E06000001", "e06000001", "TLC", ""]), allow_itl=True).tolist()
    [False, True, False, True]
    """
    text = codes.astype("string").fillna("")
    gss = text.str.match(GSS_PATTERN.pattern) & text.str[:3].isin(list(GSS_ENTITY_TYPES))
    ok = gss
    if allow_itl:
        ok |= text.str.match(ITL_PATTERN.pattern)
    if allow_empty:
        ok |= text == ""
    return ~ok.astype(bool)


def describe_invalid(code: str) -> str:
    """Why a code is refused, for error messages.

    >>> describe_invalid("e06000001")
    "'e06000001' is not a well-formed GSS code (letter E/W/S/N/K, then 8 digits; case matters)"
    >>> describe_invalid("E99000001")
    "'E99000001' has GSS entity type E99, which is not a known type (localineq.data.codes.GSS_ENTITY_TYPES)"
    """
    if GSS_PATTERN.match(code):
        return (
            f"{code!r} has GSS entity type {code[:3]}, which is not a known type "
            "(localineq.data.codes.GSS_ENTITY_TYPES)"
        )
    return f"{code!r} is not a well-formed GSS code (letter E/W/S/N/K, then 8 digits; case matters)"
