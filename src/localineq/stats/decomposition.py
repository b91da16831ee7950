r"""Inequality measures and their decomposition within and between groups of areas.

Notation (as in ``design.md``, section "Measures"): :math:`y_i` is the value of area
:math:`i` (e.g. a local authority), :math:`p_i \ge 0` its weight (population,
working-age population, ...), :math:`w_i = p_i / \sum_j p_j` its weight share,
:math:`\mu = \sum_i w_i y_i` the weighted mean. Areas are partitioned into groups
:math:`g` (regions) with weight share :math:`v_g = \sum_{i \in g} w_i`, group mean
:math:`\mu_g = \sum_{i \in g} w_i y_i / v_g` and value share
:math:`s_g = \sum_{i \in g} w_i y_i / \mu = v_g \mu_g / \mu`.
"Unweighted" means every :math:`p_i` is equal (``weights=None``).

Measures that take logarithms (Theil T, MLD) need :math:`y > 0`; they refuse other data with
a ``ValueError`` naming the offending positions. No epsilon is ever added and no row is ever
dropped silently. All functions are pure and vectorised.

Decomposable measures (``measure=``):

``"theil_t"``
    :math:`T = \sum_i w_i \frac{y_i}{\mu}\ln\frac{y_i}{\mu}
    = \underbrace{\sum_g s_g T_g}_{\text{within}} + \underbrace{\sum_g s_g \ln\frac{\mu_g}{\mu}}_{\text{between}}`
``"theil_l"`` (mean log deviation, MLD)
    :math:`L = \sum_i w_i \ln\frac{\mu}{y_i}
    = \sum_g v_g L_g + \sum_g v_g \ln\frac{\mu}{\mu_g}`
``"variance"``
    :math:`V = \sum_i w_i (y_i-\mu)^2 = \sum_g v_g V_g + \sum_g v_g (\mu_g - \mu)^2`;
    the between share is the weighted :math:`R^2` of a regression on group dummies.
``"gini"``
    :math:`G = \sum_i\sum_j w_i w_j |y_i - y_j| / (2\mu)
    = \sum_g v_g s_g G_g + G_B + R` where :math:`G_B` is the Gini of the group means
    (weighted by :math:`v_g`) and :math:`R \ge 0` is the overlap (residual) term.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from localineq.stats._core import (
    ADDITIVE_MEASURES,
    Measure,
    _check_measure,
    _factorize,
    _gini_rows,
    _prepare,
    _Prepared,
)

# ---------------------------------------------------------------------------------------------
# decomposition
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decomposition:
    """Result of :func:`decompose`.

    Attributes
    ----------
    measure : str
        One of ``"theil_t"``, ``"theil_l"``, ``"variance"``, ``"gini"``.
    total : float
        Inequality among all units.
    between : float
        Between-group component (inequality of group means, see module docstring).
    within : float
        Within-group component, the sum of ``groups["contribution"]``.
    overlap : float
        Gini's residual ``total - between - within`` (0.0 for the additive measures).
    between_share : float
        ``between / total`` (NaN when ``total`` is 0, i.e. all values equal).
    n : int
        Number of units (areas), including any with weight 0.
    groups : pandas.DataFrame
        One row per group (sorted by label when sortable) with columns ``group``, ``n``,
        ``weight_share`` (:math:`v_g`), ``value_share`` (:math:`s_g`), ``mean``
        (:math:`\\mu_g`), ``within`` (the group's own inequality) and ``contribution``
        (its weighted contribution to ``within``: :math:`s_g T_g`, :math:`v_g L_g`,
        :math:`v_g V_g` or :math:`v_g s_g G_g`).
    """

    measure: str
    total: float
    between: float
    within: float
    overlap: float
    between_share: float
    n: int
    groups: pd.DataFrame = field(repr=False, compare=False)

    @property
    def within_share(self) -> float:
        """``within / total``."""
        return self.within / self.total if self.total != 0 else math.nan

    def as_dict(self) -> dict[str, Any]:
        """Scalar attributes as a dict (for building tables)."""
        return {
            "measure": self.measure,
            "n": self.n,
            "n_groups": len(self.groups),
            "total": self.total,
            "between": self.between,
            "within": self.within,
            "overlap": self.overlap,
            "between_share": self.between_share,
        }


def _share(part: float, total: float) -> float:
    return part / total if total != 0 else math.nan


def _decompose_prepared(d: _Prepared, measure: str) -> Decomposition:
    y, w, codes, v, k = d.y, d.w, d.codes, d.v, d.k
    wy = w * y
    ysum = np.bincount(codes, weights=wy, minlength=k)
    mu = float(ysum.sum())
    mug = ysum / v
    wn = w / v[codes]  # weights normalised within each group
    yg = mug[codes]
    overlap = 0.0
    if measure == "theil_t":
        s = ysum / mu
        r = y / mu
        total = float(np.dot(w, r * np.log(r)))
        between = float(np.dot(s, np.log(mug / mu)))
        rg = y / yg
        own = np.bincount(codes, weights=wn * rg * np.log(rg), minlength=k)
        contrib = s * own
    elif measure == "theil_l":
        s = ysum / mu
        total = float(np.dot(w, np.log(mu / y)))
        between = float(np.dot(v, np.log(mu / mug)))
        own = np.bincount(codes, weights=wn * np.log(yg / y), minlength=k)
        contrib = v * own
    elif measure == "variance":
        s = ysum / mu if mu != 0 else np.full(k, math.nan)
        total = float(np.dot(w, (y - mu) ** 2))
        between = float(np.dot(v, (mug - mu) ** 2))
        own = np.bincount(codes, weights=wn * (y - yg) ** 2, minlength=k)
        contrib = v * own
    else:  # gini
        if not mu > 0:
            raise ValueError("gini needs a positive (weighted) mean; all values are 0")
        s = ysum / mu
        total = float(_gini_rows(y, w))
        between = float(_gini_rows(mug, v))
        # within-group Ginis for all groups at once: sort by (group, value)
        order = np.lexsort((y, codes))
        cs, ys, ws = codes[order], y[order], wn[order]
        cum = np.cumsum(ws)
        starts = np.searchsorted(cs, np.arange(k))
        base = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
        cum = cum - base[cs]
        with np.errstate(invalid="ignore", divide="ignore"):
            own = np.bincount(cs, weights=ws * ys * (2 * cum - ws - 1), minlength=k) / mug
        own = np.where(mug > 0, own, 0.0)  # a group of zeros has no inequality
        contrib = v * s * own
    within = float(contrib.sum())
    if measure == "gini":
        overlap = total - between - within
    table = pd.DataFrame(
        {
            "group": d.labels,
            "n": d.counts,
            "weight_share": v,
            "value_share": s,
            "mean": mug,
            "within": own,
            "contribution": contrib,
        }
    )
    return Decomposition(
        measure=measure,
        total=total,
        between=between,
        within=within,
        overlap=overlap,
        between_share=_share(between, total),
        n=d.n,
        groups=table,
    )


def decompose(
    values: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None = None,
    measure: Measure = "theil_t",
) -> Decomposition:
    r"""Split inequality among areas into a between-group and a within-group part.

    Parameters
    ----------
    values : array_like, shape (n,)
        Values :math:`y_i` (must be > 0 for ``theil_t``/``theil_l``, >= 0 for ``gini``).
    groups : array_like, shape (n,)
        Group label of each area (any hashable labels, e.g. ITL1 codes).
    weights : array_like, shape (n,), optional
        Non-negative weights :math:`p_i` (e.g. population); ``None`` weights areas equally.
        All arrays are aligned by position (pandas indexes are not used for alignment).
    measure : {"theil_t", "theil_l", "variance", "gini"}
        See the module docstring for the formulas:

        - ``theil_t``: :math:`T = \sum_g s_g T_g + \sum_g s_g \ln(\mu_g/\mu)`
        - ``theil_l``: :math:`L = \sum_g v_g L_g + \sum_g v_g \ln(\mu/\mu_g)`
        - ``variance``: :math:`V = \sum_g v_g V_g + \sum_g v_g (\mu_g-\mu)^2`
        - ``gini``: :math:`G = \sum_g v_g s_g G_g + G(\mu_g; v_g) + \text{overlap}`

    Returns
    -------
    Decomposition
        ``total``, ``between``, ``within``, ``overlap``, ``between_share``, ``n`` and the
        per-group table ``groups``.

    Raises
    ------
    ValueError
        On empty input, NaN/inf, values outside the measure's domain, mismatched lengths,
        missing group labels, negative or all-zero weights, or a group whose units all have
        weight 0.

    Notes
    -----
    For the additive measures ``total == between + within`` up to rounding; with equal weights
    ``theil_t`` equals PySAL's ``inequality.theil.TheilD`` (``T``, ``bg``, ``wg``). The Gini
    between term is the Gini of group means weighted by group weight shares (each unit
    replaced by its group mean), the within term is :math:`\sum_g v_g s_g G_g`, and the
    overlap is the non-negative residual that arises when group ranges overlap.

    Examples
    --------
    Two regions, each of two equal areas: all inequality is between regions.

    >>> d = decompose([1, 1, 3, 3], ["a", "a", "b", "b"])
    >>> round(d.between, 6), d.within, round(d.between_share, 6)
    (0.130812, 0.0, 1.0)
    >>> print(d.groups[["group", "n", "mean"]].to_string(index=False))
    group  n  mean
        a  2   1.0
        b  2   3.0
    >>> v = decompose([1, 2, 3, 4], [0, 0, 1, 1], measure="variance")
    >>> v.total, v.between, v.within
    (1.25, 1.0, 0.25)
    """
    d = _prepare(values, groups, weights, measure)
    return _decompose_prepared(d, measure)


# ---------------------------------------------------------------------------------------------
# nested profile
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Result of :func:`profile`.

    Attributes
    ----------
    measure : str
    total : float
        Inequality among all units.
    n : int
        Number of units.
    level_names : tuple of str
        Names of the levels, coarsest first.
    components : pandas.DataFrame
        Columns ``level`` (0 = coarsest; ``len(levels)`` for the final row), ``name``,
        ``n_groups`` (for the final row: the number of units), ``component`` and ``share``
        (``component / total``). Row ``j < len(levels)`` is inequality between the groups of
        level ``j`` within their level ``j-1`` parent (the whole population for ``j = 0``);
        the final row, named ``"within <finest>"``, is the units' inequality inside the
        finest groups. ``component`` sums to ``total``.
    """

    measure: str
    total: float
    n: int
    level_names: tuple[str, ...]
    components: pd.DataFrame = field(repr=False, compare=False)


def _level_component(
    measure: str, v: np.ndarray, ysum: np.ndarray, mug: np.ndarray, mu_parent: np.ndarray, mu: float
) -> float:
    if measure == "theil_t":
        return float(np.dot(ysum / mu, np.log(mug / mu_parent)))
    if measure == "theil_l":
        return float(np.dot(v, np.log(mu_parent / mug)))
    return float(np.dot(v, (mug - mu_parent) ** 2))


def profile(
    values: npt.ArrayLike,
    levels: Sequence[Any],
    weights: npt.ArrayLike | None = None,
    measure: Measure = "theil_t",
    level_names: Sequence[str] | None = None,
) -> Profile:
    r"""Nested decomposition of inequality over a geographic hierarchy.

    For nested partitions :math:`\mathcal{P}_0 \succ \mathcal{P}_1 \succ \dots \succ
    \mathcal{P}_{m-1}` (coarsest first, e.g. ITL1 ⊃ ITL2 ⊃ ITL3 with local authorities as
    units), the additive measures split exactly:

    .. math:: I = \sum_{j=0}^{m-1} B_j + W_{m-1}

    with, for a group :math:`c` of level :math:`j` and its parent :math:`p(c)` at level
    :math:`j-1` (the whole population for :math:`j=0`),

    - Theil T: :math:`B_j = \sum_c s_c \ln(\mu_c/\mu_{p(c)})`,
    - MLD: :math:`B_j = \sum_c v_c \ln(\mu_{p(c)}/\mu_c)`,
    - variance: :math:`B_j = \sum_c v_c (\mu_c-\mu_{p(c)})^2`,

    and :math:`W_{m-1}` the within-group component of the finest level. Each component is
    computed directly (not as a difference), so each is non-negative up to rounding (about
    1e-15). With one level the profile equals :func:`decompose` (``B_0`` = between,
    ``W_0`` = within).

    Parameters
    ----------
    values : array_like, shape (n,)
    levels : sequence of array_like, each shape (n,)
        Group labels of each unit at each level, coarsest first. Every group of a finer
        level must lie within exactly one group of the next coarser level.
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights units equally.
    measure : {"theil_t", "theil_l", "variance"}
        Gini is not additively decomposable across levels and is refused.
    level_names : sequence of str, optional
        Names for the levels; default: the ``name`` of each level if it is a pandas Series,
        else ``"level_0"``, ``"level_1"``, ...

    Returns
    -------
    Profile

    Raises
    ------
    ValueError
        For ``measure="gini"``, no levels, levels that are not nested (naming an offending
        group), wrong lengths, or any input error of :func:`decompose`.

    Examples
    --------
    >>> y = [1, 2, 3, 4, 10, 20, 30, 40]
    >>> itl1 = ["N", "N", "N", "N", "S", "S", "S", "S"]
    >>> itl2 = ["N1", "N1", "N2", "N2", "S1", "S1", "S2", "S2"]
    >>> p = profile(y, [itl1, itl2], level_names=["itl1", "itl2"])
    >>> print(p.components[["level", "name", "n_groups"]].to_string(index=False))
     level        name  n_groups
         0        itl1         2
         1        itl2         4
         2 within itl2         8
    >>> bool(abs(p.components["component"].sum() - p.total) < 1e-12)
    True
    """
    if measure == "gini":
        raise ValueError(
            "profile needs an additive measure (theil_t, theil_l or variance); the Gini does not "
            "split additively across levels"
        )
    _check_measure(measure, ADDITIVE_MEASURES)
    levels = list(levels)
    if not levels:
        raise ValueError("levels is empty; give at least one level of groups")
    if level_names is None:
        names = [
            str(lv.name) if isinstance(lv, pd.Series) and lv.name is not None else f"level_{j}"
            for j, lv in enumerate(levels)
        ]
    else:
        names = [str(x) for x in level_names]
        if len(names) != len(levels):
            raise ValueError(f"level_names has {len(names)} names for {len(levels)} levels")
    finest = _prepare(values, levels[-1], weights, measure, ADDITIVE_MEASURES)
    y, w, n = finest.y, finest.w, finest.n
    coded = []
    for j, lv in enumerate(levels):
        if j == len(levels) - 1:
            codes, labels = finest.codes, finest.labels
        else:
            try:
                codes, labels = _factorize(lv, n, name=f"level {names[j]!r}")
            except ValueError as exc:
                raise ValueError(str(exc)) from None
        coded.append((codes, labels))
    # nesting: each group of level j lies in exactly one group of level j-1
    parents: list[np.ndarray] = []
    for j in range(1, len(coded)):
        fine, fine_labels = coded[j]
        coarse, coarse_labels = coded[j - 1]
        kc = coarse_labels.size
        pairs = np.unique(fine * kc + coarse)
        child, parent = pairs // kc, pairs % kc
        nparents = np.bincount(child, minlength=fine_labels.size)
        bad = np.flatnonzero(nparents > 1)
        if bad.size:
            g = bad[0]
            inside = ", ".join(repr(x) for x in coarse_labels[parent[child == g]])
            raise ValueError(
                f"levels are not nested: group {fine_labels[g]!r} of level {names[j]!r} lies in "
                f"{int(nparents[g])} groups of level {names[j - 1]!r} ({inside}); "
                f"{bad.size} groups of {names[j]!r} are split like this"
            )
        parent_of = np.empty(fine_labels.size, dtype=np.intp)
        parent_of[child] = parent
        parents.append(parent_of)

    finest_decomposition = _decompose_prepared(finest, measure)
    total = finest_decomposition.total
    mu = float(np.dot(w, y))
    rows = []
    mu_prev = np.array([mu])
    for j, (codes, labels) in enumerate(coded):
        k = labels.size
        v = np.bincount(codes, weights=w, minlength=k)
        ysum = np.bincount(codes, weights=w * y, minlength=k)
        mug = ysum / v
        mu_parent = np.full(k, mu) if j == 0 else mu_prev[parents[j - 1]]
        comp = _level_component(measure, v, ysum, mug, mu_parent, mu)
        rows.append((j, names[j], k, comp))
        mu_prev = mug
    rows.append((len(coded), f"within {names[-1]}", n, finest_decomposition.within))
    comp = pd.DataFrame(rows, columns=["level", "name", "n_groups", "component"])
    comp["share"] = comp["component"] / total if total != 0 else math.nan
    return Profile(measure=measure, total=total, n=n, level_names=tuple(names), components=comp)
