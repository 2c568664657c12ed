"""Shared statistics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cityanalytics.stats import (
    bh_adjust,
    bootstrap_rate_interval,
    cluster_rate_interval,
    cluster_robust_wls,
    permutation_test_rates,
    two_by_two,
)


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


def test_g2_keeps_its_digits_on_a_corpus_of_a_hundred_million_tokens():
    """A term of 1,234 and 1,300 tokens in corpora of 56 and 61 million: each O/E is within 1e-4 of 1,
    where a difference of two logs of ~1e9 loses the digits; 50-digit decimals give the exact G²."""
    from decimal import Decimal, localcontext

    a, b, c, d = 1234, 56_000_000, 1300, 61_000_000
    with localcontext() as context:
        context.prec = 50
        n = Decimal(a + b + c + d)
        cells = [(a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)]
        exact = float(2 * sum(Decimal(o) * (Decimal(o) * n / (Decimal(r) * Decimal(k))).ln() for o, r, k in cells))
    assert two_by_two(a, b, c, d)[0] == pytest.approx(exact, rel=1e-12)  # positive: more in the first corpus than expected


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
    one_unit = bootstrap_rate_interval(counts[:1], totals[:1], np.array([0]), n_boot=50)
    assert np.isnan(one_unit[0]).all() and np.isnan(one_unit[1]).all()  # one unit: no interval
    zero = bootstrap_rate_interval(np.zeros((5, 1)), np.full(5, 10.0), np.zeros(5, dtype=int), n_boot=50)
    assert np.isnan(zero[0]).all()  # no hits: no interval
    with pytest.raises(ValueError, match="ci must be between 0 and 1 .0.95 for a 95 % interval., not 95"):
        bootstrap_rate_interval(counts, totals, groups, ci=95)
    assert np.isnan(bootstrap_rate_interval(counts, totals, groups, n_boot=0)[0]).all()  # no resampling: no interval


def test_bootstrap_leaves_out_units_without_a_total():
    """A unit of no term adds nothing to a rate: kept, it would make the one unit that holds every
    term a zero-width interval [r, r] (the draws that miss that unit have no rate)."""
    alone = bootstrap_rate_interval([[3.0], [0.0]], [100.0, 0.0], [0, 0], n_boot=200)
    assert np.isnan(alone[0]).all() and np.isnan(alone[1]).all()
    counts, totals = np.array([[3.0], [0.0], [1.0], [0.0]]), np.array([100.0, 0.0, 50.0, 0.0])
    with_empty = bootstrap_rate_interval(counts, totals, np.zeros(4, dtype=int), clusters=[0, 0, 1, 2], n_boot=300, seed=4)
    held = totals > 0
    without = bootstrap_rate_interval(counts[held], totals[held], np.zeros(2, dtype=int), clusters=[0, 1], n_boot=300,
                                      seed=4)
    np.testing.assert_array_equal(with_empty[0], without[0])
    np.testing.assert_array_equal(with_empty[1], without[1])


def test_two_stage_bootstrap_respects_clusters():
    # two documents of three paragraphs each; one document is all hits, the other none
    counts = np.array([[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]])
    totals = np.ones(6)
    groups = np.zeros(6, dtype=int)
    flat = bootstrap_rate_interval(counts, totals, groups, n_boot=2000, scale=1.0)
    clustered = bootstrap_rate_interval(counts, totals, groups, clusters=np.repeat([0, 1], 3), n_boot=2000, scale=1.0)
    assert clustered[0][0, 0] == 0.0 and clustered[1][0, 0] == 1.0  # draws of only one document happen
    assert clustered[1][0, 0] - clustered[0][0, 0] > flat[1][0, 0] - flat[0][0, 0]


def test_permutation_test_on_known_cases():
    counts = np.array([[10.0], [11.0], [9.0], [0.0], [1.0], [0.0], [10.0], [0.0]])
    totals = np.full(8, 100.0)
    first = np.array([True, True, True, False, False, False, True, False])
    diff, p = permutation_test_rates(counts, totals, first, n_perm=2000, seed=0)
    assert diff[0] == pytest.approx(10_000 * (40 / 400 - 1 / 400))
    # C(8, 4) = 70 arrangements, enumerated: only the observed split and its mirror are as extreme
    assert p[0] == pytest.approx(2 / 70)
    sampled = permutation_test_rates(counts, totals, first, n_perm=60, seed=0)[1][0]
    assert 1 / 61 <= sampled < 0.2  # sampled: (1 + exceed) / (1 + n_perm)
    same = np.tile([[5.0]], (8, 1))
    assert permutation_test_rates(same, totals, first, n_perm=200)[1][0] == pytest.approx(1.0)


def test_arrangements_without_tokens_are_left_out_of_the_p_value():
    counts = np.array([[1.0], [2.0], [0.0], [3.0]])
    totals = np.array([10.0, 10.0, 0.0, 10.0])
    first = np.array([True, False, False, False])
    # C(4, 1) = 4 arrangements; putting the empty unit alone in the first group gives no rate
    diff, p = permutation_test_rates(counts, totals, first)
    others = [10_000 * (c / 10 - (6 - c) / 20) for c in (1.0, 2.0, 3.0)]
    expected = sum(abs(o) >= abs(diff[0]) - 1e-9 for o in others) / 3
    assert p[0] == pytest.approx(expected)


def _cr2_by_the_formulas(design, outcomes, weights, clusters):
    """CR2 errors and Bell–McCaffrey df written out with full matrices: (I - H_gg)^(-1/2) by scipy's
    matrix square root, df = tr(M)² / ||M||² with M = Q'Q, Q's columns (I - H)_{·g} A_g X_g B e_j."""
    from scipy.linalg import sqrtm

    x = design * np.sqrt(weights)[:, None]
    y = outcomes * np.sqrt(weights)[:, None]
    bread = np.linalg.inv(x.T @ x)
    residual = y - x @ bread @ x.T @ y
    annihilator = np.eye(len(x)) - x @ bread @ x.T
    members = [np.flatnonzero(clusters == g) for g in np.unique(clusters)]
    adjusted = [np.real(np.linalg.inv(sqrtm(annihilator[np.ix_(m, m)]))) @ x[m] @ bread for m in members]
    variance = sum((a.T @ residual[m]) ** 2 for m, a in zip(members, adjusted))
    df = []
    for j in range(x.shape[1]):
        q = np.column_stack([annihilator[:, m] @ a[:, j] for m, a in zip(members, adjusted)])
        m_matrix = q.T @ q
        df.append(np.trace(m_matrix) ** 2 / (m_matrix**2).sum())
    return bread @ x.T @ y, np.sqrt(variance), np.array(df)


def test_cluster_robust_errors_follow_the_cr2_and_bell_mccaffrey_formulas():
    rng = np.random.default_rng(0)
    clusters = np.repeat(np.arange(9), [1, *rng.integers(2, 11, 8)])  # one cluster of a single unit
    design = np.column_stack([np.ones(len(clusters)), rng.normal(size=len(clusters)), clusters % 2])
    outcomes, weights = rng.normal(size=(len(clusters), 3)), rng.uniform(1, 10, len(clusters))
    for ours, theirs in zip(cluster_robust_wls(design, outcomes, weights, clusters),
                            _cr2_by_the_formulas(design, outcomes, weights, clusters)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("n0, n1", [(5, 5), (3, 8)])
def test_cluster_robust_errors_of_a_difference_in_means_are_welchs(n0, n1):
    """One unit per cluster and a binary regressor: CR2 (then HC2) is Welch's variance, and the
    Bell–McCaffrey df is N²(N0-1)(N1-1) / (N1²(N1-1) + N0²(N0-1)) (Imbens & Kolesár 2016)."""
    rng = np.random.default_rng(n1)
    group = np.r_[np.zeros(n0), np.ones(n1)]
    y = rng.normal(size=n0 + n1) + group
    _, std_error, df = cluster_robust_wls(np.column_stack([np.ones(n0 + n1), group]), y, np.ones(n0 + n1),
                                          np.arange(n0 + n1))
    welch = np.sqrt(y[group == 0].var(ddof=1) / n0 + y[group == 1].var(ddof=1) / n1)
    assert std_error[1, 0] == pytest.approx(welch, rel=1e-12)
    n = n0 + n1
    assert df[1] == pytest.approx(n**2 * (n0 - 1) * (n1 - 1) / (n1**2 * (n1 - 1) + n0**2 * (n0 - 1)), rel=1e-12)


def test_cluster_robust_errors_are_withheld_where_one_cluster_alone_sets_a_coefficient():
    """Cluster "c" alone has the third column's level: nothing estimates that coefficient's error,
    while the other coefficients keep theirs; labels may be strings, in any order."""
    rng = np.random.default_rng(3)
    clusters = np.array(list("aabbccab"))
    design = np.column_stack([np.ones(8), rng.normal(size=8), clusters == "c"])
    estimate, std_error, df = cluster_robust_wls(design, rng.normal(size=8), np.ones(8), clusters)
    assert np.isfinite(estimate).all()
    assert np.isnan(std_error[2, 0]) and np.isnan(df[2])
    assert np.isfinite(std_error[:2, 0]).all() and np.isfinite(df[:2]).all()
    shuffled = rng.permutation(8)
    again = cluster_robust_wls(design[shuffled], rng.normal(size=8), np.ones(8), list(clusters[shuffled]))
    assert np.isnan(again[1][2, 0]) and np.isfinite(again[1][:2, 0]).all()


def test_cluster_rate_intervals_are_the_intercepts_of_cluster_robust_fits():
    """Each group's rate is the weighted mean of its units' rates: its interval is the intercept-only
    fit's t interval on the log scale, with the group's documents as clusters, or its units where
    it has one."""
    from scipy import stats

    rng = np.random.default_rng(1)
    groups = np.r_[rng.integers(0, 3, 60), np.full(8, 3)]  # group 3: eight paragraphs of one document
    documents = np.r_[rng.integers(0, 12, 60), np.full(8, 99)]
    totals = rng.integers(0, 50, 68).astype(float)
    counts = rng.poisson(totals[:, None] * [0.05, 0.2]).astype(float)
    low, high = cluster_rate_interval(counts, totals, groups, clusters=documents, scale=1.0)
    for g in range(4):
        members = (groups == g) & (totals > 0)
        clusters = documents[members] if g < 3 else np.flatnonzero(members)
        estimate, std_error, df = cluster_robust_wls(np.ones((members.sum(), 1)), counts[members] / totals[members, None],
                                                     totals[members], clusters)
        factor = np.exp(stats.t.ppf(0.975, df[0]) * std_error[0] / estimate[0])
        np.testing.assert_allclose(low[g], np.clip(estimate[0] / factor, 0, 1), rtol=1e-10)
        np.testing.assert_allclose(high[g], np.clip(estimate[0] * factor, 0, 1), rtol=1e-10)
    # a document without any total does not count: the group's one document with some is shared by its units
    lone = cluster_rate_interval(np.array([[3.0, 1.0], [2.0, 2.0], [4.0, 0.0], [0.0, 0.0], [0.0, 0.0]]),
                                 np.array([4.0, 4.0, 4.0, 0.0, 0.0]), np.zeros(5, int), clusters=np.array([0, 0, 0, 1, 1]),
                                 scale=1.0)
    np.testing.assert_allclose(lone, cluster_rate_interval(np.array([[3.0, 1.0], [2.0, 2.0], [4.0, 0.0]]),
                                                           np.array([4.0, 4.0, 4.0]), np.zeros(3, int), scale=1.0))
    assert np.isfinite(lone[0]).all()
    # as the bootstrap: no interval for a column without a hit, or a group of one unit
    alone = cluster_rate_interval(np.array([[0.0, 3.0], [0.0, 4.0], [5.0, 1.0]]), np.array([10.0, 10.0, 10.0]),
                                  np.array([0, 0, 1]))
    assert np.isnan(alone[0][0, 0]) and np.isfinite(alone[0][0, 1]) and np.isnan(alone[0][1]).all()


def test_a_slope_resting_on_one_cluster_is_withheld_however_the_column_is_scaled():
    """Four documents of 2015 and one of 2018, the year as it is (not centred): the slope rests on
    that one document whatever the design's conditioning."""
    rng = np.random.default_rng(5)
    clusters = np.repeat(np.arange(5), 4)
    year = np.where(clusters == 4, 2018.0, 2015.0)
    for column in (year, year - year.mean(), year * 1e6):
        design = np.column_stack([np.ones(20), column])
        _, std_error, df = cluster_robust_wls(design, rng.normal(size=20), rng.uniform(1, 10, 20), clusters)
        assert np.isnan(std_error[1, 0]) and np.isnan(df[1])  # (and the intercept, which the slope moves)
