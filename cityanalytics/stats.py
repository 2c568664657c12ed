"""Resampling and multiple-testing helpers shared by the analyses.

Rates are ratios of sums (term count / token count) over sampling units (paragraphs or
documents), so intervals come from resampling those units, not from treating tokens as
independent. Every function takes a seed and gives the same answer for the same seed.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import xlogy
from scipy.stats import false_discovery_control


def bh_adjust(p_values) -> np.ndarray:
    """Benjamini–Hochberg adjusted p values (NaN stays NaN)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        adjusted[ok] = false_discovery_control(p[ok], method="bh")
    return adjusted


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix, dtype=float)


def bootstrap_rate_interval(
    counts,
    totals: np.ndarray,
    groups: np.ndarray,
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
    scale: float = 10_000.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of ``scale * sum(counts) / sum(totals)`` within each group.

    ``counts`` is (units × k), ``totals`` (units,), ``groups`` integer codes 0..G-1 (units,).
    Units are resampled with replacement within their group; the result is two (G × k) arrays.
    Groups are processed in code order from one generator, so the same seed gives the same bounds.
    """
    counts = _dense(counts)
    totals = np.asarray(totals, dtype=float)
    groups = np.asarray(groups)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    low = np.full((n_groups, counts.shape[1]), np.nan)
    high = np.full_like(low, np.nan)
    rng = np.random.default_rng(seed)
    alpha = (1 - ci) / 2
    for g in range(n_groups):
        members = np.flatnonzero(groups == g)
        if len(members) == 0:
            continue
        weights = rng.multinomial(len(members), np.full(len(members), 1 / len(members)), size=n_boot)
        numerators = weights @ counts[members]
        denominators = weights @ totals[members]
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = scale * numerators / denominators[:, None]
        low[g], high[g] = np.nanquantile(rates, [alpha, 1 - alpha], axis=0) if np.isfinite(rates).any() else (np.nan, np.nan)
    return low, high


def permutation_test_rates(
    counts,
    totals: np.ndarray,
    in_first: np.ndarray,
    *,
    n_perm: int = 5000,
    seed: int = 0,
    scale: float = 10_000.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Difference of rates (first group minus second) per column, with a two-sided permutation p value.

    ``in_first`` marks the units of the first group; the others form the second. Labels are
    shuffled across units, keeping group sizes. p = (1 + #|perm| ≥ |obs|) / (1 + n_perm).
    """
    counts = _dense(counts)
    totals = np.asarray(totals, dtype=float)
    in_first = np.asarray(in_first, dtype=bool)

    def difference(mask: np.ndarray) -> np.ndarray:
        a = mask.astype(float)
        b = 1.0 - a
        with np.errstate(invalid="ignore", divide="ignore"):
            return scale * (a @ counts / (a @ totals) - b @ counts / (b @ totals))

    observed = difference(in_first)
    rng = np.random.default_rng(seed)
    labels = np.stack([rng.permutation(in_first) for _ in range(n_perm)]).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = (labels @ counts) / (labels @ totals)[:, None]
        second = ((1 - labels) @ counts) / ((1 - labels) @ totals)[:, None]
    permuted = scale * (first - second)
    exceed = (np.abs(permuted) >= np.abs(observed) - 1e-12).sum(axis=0)
    p_values = (1 + exceed) / (1 + n_perm)
    p_values[np.isnan(observed)] = np.nan
    return observed, p_values



def two_by_two(a, b, c, d) -> tuple[np.ndarray, np.ndarray]:
    """Signed G² and Yates-corrected χ² of 2×2 tables [[a, b], [c, d]] (arrays); positive when a > E(a).

    G² = 2 Σ O ln(O/E) with 0 ln 0 = 0. χ² = N (|ad − bc| − N/2)² / (row and column totals), the
    correction capped so that it never exceeds |ad − bc| (as scipy's ``chi2_contingency`` does).
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    total = a + b + c + d
    rows, cols = (a + b, c + d), (a + c, b + d)
    observed = ((a, rows[0], cols[0]), (b, rows[0], cols[1]), (c, rows[1], cols[0]), (d, rows[1], cols[1]))
    g2 = 2 * sum(xlogy(o, o) - xlogy(o, r * k / total) for o, r, k in observed)
    sign = np.sign(a * d - b * c)
    excess = np.maximum(np.abs(a * d - b * c) - total / 2, 0)
    chi2 = total * excess**2 / (rows[0] * rows[1] * cols[0] * cols[1])
    return sign * np.maximum(g2, 0), sign * chi2
