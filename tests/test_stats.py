"""Shared statistics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cityanalytics.stats import bh_adjust, bootstrap_rate_interval, permutation_test_rates, two_by_two


def test_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, 0.03, 0.20, np.nan]
    # sorted: 0.01 (×4/1=0.04), 0.03 (×4/2=0.06), 0.04 (×4/3=0.0533), 0.20 (×4/4=0.20); then monotone from the top
    expected = [0.04, 0.0533333, 0.0533333, 0.20, np.nan]
    np.testing.assert_allclose(bh_adjust(p), expected, rtol=1e-5)


def test_g2_of_a_2x2_table_by_hand():
    a, b, c, d = 10, 90, 20, 880
    n = a + b + c + d
    cells = [(a, (a + b) * (a + c) / n), (b, (a + b) * (b + d) / n), (c, (c + d) * (a + c) / n), (d, (c + d) * (b + d) / n)]
    expected = 2 * sum(o * math.log(o / e) for o, e in cells)
    assert two_by_two(a, b, c, d)[0] == pytest.approx(expected)
    assert two_by_two(c, d, a, b)[0] == pytest.approx(-expected)  # signed: negative when a < E(a)
    assert two_by_two([0], [5], [5], [0])[0][0] == pytest.approx(-2 * (5 * math.log(5 / 2.5) * 2))
    assert two_by_two(5, 5, 5, 5)[0] == pytest.approx(0.0)


def test_bootstrap_interval_is_seeded_and_brackets_the_rate():
    rng = np.random.default_rng(1)
    counts = rng.poisson(3, size=(40, 2)).astype(float)
    totals = counts.sum(axis=1) + rng.integers(20, 40, size=40)
    groups = np.repeat([0, 1], 20)
    low, high = bootstrap_rate_interval(counts, totals, groups, n_boot=500, seed=7)
    again = bootstrap_rate_interval(counts, totals, groups, n_boot=500, seed=7)
    np.testing.assert_array_equal(low, again[0])
    for g in (0, 1):
        rate = 10_000 * counts[groups == g].sum(axis=0) / totals[groups == g].sum()
        assert (low[g] < rate).all() and (rate < high[g]).all()
    one_unit_low, one_unit_high = bootstrap_rate_interval(counts[:1], totals[:1], np.array([0]), n_boot=50)
    np.testing.assert_allclose(one_unit_low, one_unit_high)  # one unit: nothing to resample


def test_permutation_test_on_known_cases():
    counts = np.array([[10.0], [11.0], [9.0], [0.0], [1.0], [0.0], [10.0], [0.0]])
    totals = np.full(8, 100.0)
    first = np.array([True, True, True, False, False, False, True, False])
    diff, p = permutation_test_rates(counts, totals, first, n_perm=2000, seed=0)
    assert diff[0] == pytest.approx(10_000 * (40 / 400 - 1 / 400))
    # only the observed split (and none more extreme) reaches this difference: p ≈ 1/70
    assert p[0] < 0.05
    same = np.tile([[5.0]], (8, 1))
    assert permutation_test_rates(same, totals, first, n_perm=200)[1][0] == pytest.approx(1.0)
