"""Equality with PySAL ``inequality`` on its published example (Mexico, Rey & Sastré 2010).

The data ship inside the ``libpysal`` wheel (``libpysal/examples/mexico/mexico.csv``), so no
download is needed; the tests skip, saying why, only if that file is missing.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from localineq.stats.decomposition import decompose
from localineq.stats.dispersion import gini

theil = pytest.importorskip("inequality.theil", reason="PySAL 'inequality' is not installed")
pysal_gini = pytest.importorskip("inequality.gini", reason="PySAL 'inequality' is not installed")
examples = pytest.importorskip("libpysal.examples", reason="libpysal is not installed")

YEARS = list(range(1940, 2010, 10))


@pytest.fixture(scope="module")
def mexico() -> pd.DataFrame:
    try:
        path = examples.get_path("mexico.csv")
    except Exception as exc:  # pragma: no cover - only without the bundled example
        pytest.skip(f"libpysal example 'mexico' not available offline: {exc}")
    if not os.path.exists(path):  # pragma: no cover
        pytest.skip(f"libpysal example file missing: {path}")
    return pd.read_csv(path)


def test_mexico_example_is_bundled(mexico):
    assert len(mexico) == 32
    assert {f"pcgdp{y}" for y in YEARS} <= set(mexico.columns)


@pytest.mark.parametrize("year", YEARS)
def test_theil_decomposition_equals_pysal_theild(mexico, year):
    y = mexico[f"pcgdp{year}"].to_numpy()
    regimes = mexico["hanson98"].to_numpy()
    ref = theil.TheilD(y, regimes)
    d = decompose(y, regimes)  # unweighted = every state equal
    assert abs(d.total - float(np.ravel(ref.T)[0])) <= 1e-10
    assert abs(d.between - float(np.ravel(ref.bg)[0])) <= 1e-10
    assert abs(d.within - float(np.ravel(ref.wg)[0])) <= 1e-10


def test_all_years_at_once_match_published_docstring_values(mexico):
    """PySAL's docstring prints bg and wg for the seven decades (8 significant digits)."""
    bg = [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731, 0.03635872]
    wg = [0.17435454, 0.12405598, 0.0521202, 0.04263506, 0.06354856, 0.07547525, 0.0702496]
    y = mexico[[f"pcgdp{yr}" for yr in YEARS]].to_numpy()
    ref = theil.TheilD(y, mexico["hanson98"].to_numpy())
    ours = [decompose(y[:, j], mexico["hanson98"]) for j in range(len(YEARS))]
    np.testing.assert_allclose([d.between for d in ours], ref.bg, rtol=0, atol=1e-10)
    np.testing.assert_allclose([d.within for d in ours], ref.wg, rtol=0, atol=1e-10)
    np.testing.assert_allclose([d.total for d in ours], ref.T, rtol=0, atol=1e-10)
    np.testing.assert_allclose([d.between for d in ours], bg, atol=5e-9)
    np.testing.assert_allclose([d.within for d in ours], wg, atol=5e-9)


@pytest.mark.parametrize("year", YEARS)
def test_gini_equals_pysal_gini(mexico, year):
    y = mexico[f"pcgdp{year}"].to_numpy()
    assert abs(gini(y) - float(pysal_gini.Gini(y).g)) <= 1e-12


def test_theil_matches_pysal_on_random_partitions():
    rng = np.random.default_rng(2024)
    for _ in range(10):
        n = int(rng.integers(5, 400))
        y = rng.lognormal(3, 1, size=n)
        part = rng.integers(0, int(rng.integers(1, 15)), size=n)
        ref = theil.TheilD(y, part)
        d = decompose(y, part)
        assert abs(d.between - float(np.ravel(ref.bg)[0])) <= 1e-10
        assert abs(d.within - float(np.ravel(ref.wg)[0])) <= 1e-10
