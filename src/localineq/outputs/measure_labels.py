"""Words for the inequality measures and the map classification schemes, in one table each.

Every label, caption and header that names the configured measure (``figures.measure``) or map
scheme (``figures.map_scheme``) reads it from here, so changing a setting changes every word
that describes it.
"""

from __future__ import annotations

from collections.abc import Iterable

#: How a decomposition measure is named in prose, labels and headers.
MEASURE_LABELS: dict[str, str] = {
    "theil_t": "Theil T",
    "theil_l": "MLD",
    "variance": "variance",
    "gini": "Gini",
}

#: How the sampling-noise correction of each measure is named (localineq.stats.noise_correction:
#: SIMEX for the log measures, the closed form for the variance).
CORRECTION_LABELS: dict[str, str] = {
    "theil_t": "SIMEX",
    "theil_l": "SIMEX",
    "variance": "closed form",
}

#: How a :mod:`mapclassify` scheme is named in a caption ("five quantile classes").
SCHEME_LABELS: dict[str, str] = {
    "quantiles": "quantile",
    "natural_breaks": "natural-breaks (Jenks)",
    "fisher_jenks": "Fisher-Jenks",
    "equal_interval": "equal-interval",
}

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def measure_label(measure: str, *, capital: bool = False) -> str:
    """The name of ``measure`` in words; ``capital`` starts it with a capital letter.

    >>> measure_label("theil_l"), measure_label("variance", capital=True)
    ('MLD', 'Variance')

    Raises
    ------
    ValueError
        If ``measure`` has no label.
    """
    try:
        label = MEASURE_LABELS[measure]
    except KeyError:
        raise ValueError(
            f"no label for measure {measure!r}; known: {sorted(MEASURE_LABELS)}"
        ) from None
    return label[0].upper() + label[1:] if capital else label


def correction_label(measure: str) -> str:
    """The name of the noise correction applied to ``measure``.

    >>> correction_label("theil_l"), correction_label("variance")
    ('SIMEX', 'closed form')

    Raises
    ------
    ValueError
        If ``measure`` is not corrected for sampling noise.
    """
    try:
        return CORRECTION_LABELS[measure]
    except KeyError:
        raise ValueError(f"{measure!r} is not corrected for sampling noise") from None


def table_measure(measures: Iterable[str], default: str = "theil_t") -> str:
    """The one measure of a result table's ``measure`` column (``default`` when it is empty).

    >>> table_measure(["theil_l", "theil_l"])
    'theil_l'

    Raises
    ------
    ValueError
        If the column holds more than one measure, so no single label describes the table.
    """
    found = sorted({str(m) for m in measures})
    if len(found) > 1:
        raise ValueError(f"the table mixes measures {found}; one label cannot name them")
    return found[0] if found else default


def classes_phrase(scheme: str, classes: int) -> str:
    """``"five quantile classes"``: the number of map classes in words and the scheme's name.

    >>> classes_phrase("natural_breaks", 7)
    'seven natural-breaks (Jenks) classes'
    >>> classes_phrase("quantiles", 12)
    '12 quantile classes'

    Raises
    ------
    ValueError
        If ``scheme`` has no label.
    """
    if scheme not in SCHEME_LABELS:
        raise ValueError(f"no label for map scheme {scheme!r}; known: {sorted(SCHEME_LABELS)}")
    number = _NUMBER_WORDS[classes] if 0 <= classes < len(_NUMBER_WORDS) else str(classes)
    return f"{number} {SCHEME_LABELS[scheme]} classes"
