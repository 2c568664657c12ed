"""Resampling, cluster-robust and multiple-testing helpers shared by the analyses.

Rates are ratios of sums (term count / token count) over sampling units (paragraphs or
documents), so intervals come from resampling those units, not from treating tokens as
independent. Every resampling function takes a seed and gives the same answer for the same seed.
Regressions on units clustered in documents use cluster-robust errors with a small-sample
correction (:func:`cluster_robust_wls`).
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import scipy.sparse as sp
from scipy import stats
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


def resample_weights(rng: np.random.Generator, n_boot: int, members: np.ndarray, clusters: np.ndarray | None):
    """(n_boot × units) resampling counts: units with replacement, or clusters then units within them.

    Two stages (documents, then paragraphs within each drawn document) respect that terms cluster
    within documents. Drawing a document c times and its n paragraphs c·n times is one multinomial.
    """
    n = len(members)
    if clusters is None:
        return rng.multinomial(n, np.full(n, 1 / n), size=n_boot)
    labels, cluster_of = np.unique(clusters[members], return_inverse=True)
    drawn = rng.multinomial(len(labels), np.full(len(labels), 1 / len(labels)), size=n_boot)
    weights = np.zeros((n_boot, n), dtype=np.int64)
    for c in range(len(labels)):
        inside = np.flatnonzero(cluster_of == c)
        weights[:, inside] = rng.multinomial(drawn[:, c] * len(inside), np.full(len(inside), 1 / len(inside)))
    return weights


RATE_INTERVALS = ("bootstrap", "cluster")
"""How a group's rate gets its interval: :func:`bootstrap_rate_interval` or :func:`cluster_rate_interval`."""


def rate_interval(method: str, n_boot: int, seed: int):
    """The interval function of ``method`` (one of :data:`RATE_INTERVALS`), the bootstrap's
    ``n_boot`` and ``seed`` bound; both then take (counts, totals, groups, clusters=, ci=, scale=,
    n_groups=)."""
    if method not in RATE_INTERVALS:
        raise ValueError(f"interval must be one of {RATE_INTERVALS}, not {method!r}")
    if method == "bootstrap":
        return functools.partial(bootstrap_rate_interval, n_boot=n_boot, seed=seed)
    return cluster_rate_interval


def check_ci(ci: float) -> None:
    """Refuse an interval level outside (0, 1), naming the form it takes."""
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1 (0.95 for a 95 % interval), not {ci}")


def _rate_inputs(counts, totals, groups, ci: float, n_groups: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The arguments of a rate interval as arrays, ``ci`` checked, and the number of groups (by
    default one more than the largest code)."""
    check_ci(ci)
    groups = np.asarray(groups)
    if n_groups is None:
        n_groups = int(groups.max()) + 1 if len(groups) else 0
    return _dense(counts), np.asarray(totals, dtype=float), groups, n_groups


def bootstrap_rate_interval(
    counts,
    totals: np.ndarray,
    groups: np.ndarray,
    *,
    clusters: np.ndarray | None = None,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
    scale: float = 10_000.0,
    n_groups: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of ``scale * sum(counts) / sum(totals)`` within each group.

    ``counts`` is (units × k), ``totals`` (units,), ``groups`` integer codes 0..G-1 (units,);
    ``n_groups`` is G where the last groups may have no unit (by default one more than the
    largest code). Units are resampled with replacement within their group; with ``clusters``
    (e.g. the document of each paragraph) clusters are resampled first and units within the
    drawn clusters next. Units without any total (a paragraph or document of no term) are left
    out: they add nothing to a rate, and kept they would let one unit that holds every term make
    a zero-width interval. The result is two (G × k) arrays, NaN where no interval exists: a group
    with fewer than two units holding a total, or a column whose count in the group is zero
    (resampling zeros says nothing about the rate).
    Groups are processed in code order from one generator, so the same seed gives the same bounds.
    """
    counts, totals, groups, n_groups = _rate_inputs(counts, totals, groups, ci, n_groups)
    clusters = None if clusters is None else np.asarray(clusters)
    low = np.full((n_groups, counts.shape[1]), np.nan)
    high = np.full_like(low, np.nan)
    rng = np.random.default_rng(seed)
    alpha = (1 - ci) / 2
    holding = totals > 0  # a unit without any total adds nothing to a draw
    for g in range(n_groups):
        members = np.flatnonzero((groups == g) & holding)
        if len(members) < 2 or n_boot < 1:
            continue
        weights = resample_weights(rng, n_boot, members, clusters)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = scale * (weights @ counts[members]) / (weights @ totals[members])[:, None]
        observed = counts[members].sum(axis=0) > 0
        defined = observed & np.isfinite(rates).any(axis=0)
        if defined.any():
            low[g, defined], high[g, defined] = np.nanquantile(rates[:, defined], [alpha, 1 - alpha], axis=0)
    return low, high


def cluster_rate_interval(
    counts,
    totals: np.ndarray,
    groups: np.ndarray,
    *,
    clusters: np.ndarray | None = None,
    ci: float = 0.95,
    scale: float = 10_000.0,
    n_groups: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """t interval of ``scale * sum(counts) / sum(totals)`` within each group, from CR2 errors, on
    the log scale.

    The rate is the intercept of a least-squares fit of the units' rates weighted by their totals,
    so :func:`cluster_robust_wls` applies; with one coefficient it has a closed form, computed here
    for every group and column at once. The interval is ``r · exp(±t · se / r)``: rates that
    documents make skewed are near symmetric on the log scale, and in simulation it held its level
    where ``r ± t · se`` fell to 90 % (``benchmarks/rate_coverage.py``). Within a group the
    clusters are the ``clusters`` (e.g. the documents) where it has two or more of them, else its
    units (a group inside one document). Bounds are kept within [0, ``scale``]. NaN as in
    :func:`bootstrap_rate_interval`: a group with fewer than two clusters holding a total, or a
    column whose count in the group is zero.
    """
    counts, totals, groups, n_groups = _rate_inputs(counts, totals, groups, ci, n_groups)
    units = np.arange(len(groups))
    if clusters is None:
        key = units
    else:  # a group's documents where it has several, else its units
        clusters = np.unique(np.asarray(clusters), return_inverse=True)[1].ravel()
        holding = totals > 0  # a document without any total adds nothing to a group
        spread = np.bincount(np.unique(np.column_stack([groups, clusters])[holding], axis=0)[:, 0], minlength=n_groups)
        key = np.where(spread[groups] >= 2, clusters, len(groups) + units)
    pairs, cell = np.unique(np.column_stack([groups, key]), axis=0, return_inverse=True)
    cell, cell_group = cell.ravel(), pairs[:, 0]
    weight = np.bincount(cell, weights=totals, minlength=len(pairs))
    hits = group_sums(counts, cell, len(pairs))
    total = np.bincount(cell_group, weights=weight, minlength=n_groups)
    group_hits = group_sums(hits, cell_group, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = group_hits / total[:, None]
        leverage = weight / total[cell_group]
        inflation = 1 / (1 - leverage)  # CR2's (1 - h_g)^(-1) for a rank-one H_gg
        residual = hits - rate[cell_group] * weight[:, None]
        variance = group_sums(inflation[:, None] * residual**2, cell_group, n_groups) / total[:, None] ** 2
        a = inflation * weight / total[cell_group] ** 2  # p_g·p_g
        b = inflation * weight**2 / total[cell_group] ** 3  # (S'BS)_gg
        squared = (np.bincount(cell_group, a**2, n_groups) - 2 * np.bincount(cell_group, a * b, n_groups)
                   + np.bincount(cell_group, b, n_groups) ** 2)
        df = (1 / total) ** 2 / squared  # tr(M) = sum(a - b) = 1 / total
        # on the log scale (error of log r = error of r / r), where a rate skewed by its documents is symmetric
        factor = np.exp(stats.t.ppf(1 - (1 - ci) / 2, df)[:, None] * np.sqrt(variance) / rate)
    held = np.bincount(cell_group, weights=weight > 0, minlength=n_groups) >= 2
    defined = held[:, None] & (group_hits > 0)
    low = np.where(defined, np.clip(scale * rate / factor, 0, scale), np.nan)
    high = np.where(defined, np.clip(scale * rate * factor, 0, scale), np.nan)
    return low, high


def group_sums(values: np.ndarray, group: np.ndarray, n_groups: int, dtype: type = float) -> np.ndarray:
    """Column sums of ``values`` (rows × columns) within each of ``n_groups`` groups of rows, as ``dtype``."""
    sums = np.zeros((n_groups, values.shape[1]), dtype=dtype)
    np.add.at(sums, group, values)
    return sums


def permutation_test_rates(
    counts,
    totals: np.ndarray,
    in_first: np.ndarray,
    *,
    n_perm: int = 5000,
    seed: int = 0,
    scale: float = 10_000.0,
    batch: int = 500,
) -> tuple[np.ndarray, np.ndarray]:
    """Difference of rates (first group minus second) per column, with a two-sided permutation p value.

    ``in_first`` marks the units of the first group; the others form the second. Group labels are
    reassigned keeping the group sizes: all arrangements when there are at most ``n_perm`` of them
    (an exact p value, the observed one included), otherwise ``n_perm`` random ones with
    p = (1 + #|perm| ≥ |obs|) / (1 + #perm). Arrangements that leave a group without tokens give
    no rate and are left out of the count.
    """
    counts = _dense(counts)
    totals = np.asarray(totals, dtype=float)
    in_first = np.asarray(in_first, dtype=bool)
    n, k = len(in_first), int(in_first.sum())
    all_counts, all_tokens = counts.sum(axis=0), totals.sum()

    def differences(labels: np.ndarray) -> np.ndarray:
        first_counts, first_tokens = labels @ counts, labels @ totals
        with np.errstate(invalid="ignore", divide="ignore"):
            return scale * (first_counts / first_tokens[:, None]
                            - (all_counts - first_counts) / (all_tokens - first_tokens)[:, None])

    observed = differences(in_first[None, :].astype(float))[0]
    exceed = np.zeros(counts.shape[1])
    defined = np.zeros(counts.shape[1])
    exact = math.comb(n, k) <= n_perm
    if exact:
        arrangements = itertools.combinations(range(n), k)
        batches = iter(lambda: list(itertools.islice(arrangements, batch)), [])
    else:
        rng = np.random.default_rng(seed)
        batches = (np.stack([rng.permutation(n)[:k] for _ in range(min(batch, n_perm - start))])
                   for start in range(0, n_perm, batch))
    for chosen in batches:
        labels = np.zeros((len(chosen), n))
        np.put_along_axis(labels, np.asarray(chosen).reshape(len(chosen), k), 1.0, axis=1)
        permuted = differences(labels)
        ok = np.isfinite(permuted)
        exceed += (ok & (np.abs(permuted) >= np.abs(observed) - 1e-9)).sum(axis=0)
        defined += ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_values = exceed / defined if exact else (1 + exceed) / (1 + defined)
    p_values[~np.isfinite(observed)] = np.nan
    return observed, p_values

def two_by_two(a, b, c, d) -> tuple[np.ndarray, np.ndarray]:
    """Signed G² and Yates-corrected χ² of 2×2 tables [[a, b], [c, d]] (arrays); positive when a > E(a).

    G² = 2 Σ O ln(O/E) with 0 ln 0 = 0, each log taken as log1p(O/E − 1) from ad − bc, exact where
    O/E is near 1 (a difference of two large logs loses digits on corpora of millions of tokens).
    χ² = N (|ad − bc| − N/2)² / (row and column totals), the correction capped so that it never
    exceeds |ad − bc| (as scipy's ``chi2_contingency`` does).
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    total = a + b + c + d
    rows, cols = (a + b, c + d), (a + c, b + d)
    delta = a * d - b * c  # O/E − 1 = ±delta / (row total · column total) in every cell
    cells = ((a, 1, rows[0], cols[0]), (b, -1, rows[0], cols[1]), (c, -1, rows[1], cols[0]), (d, 1, rows[1], cols[1]))
    g2 = 2 * sum(o * np.log1p(np.divide(s * delta, r * k, out=np.zeros_like(o), where=o > 0)) for o, s, r, k in cells)
    sign = np.sign(delta)
    excess = np.maximum(np.abs(delta) - total / 2, 0)
    chi2 = total * excess**2 / (rows[0] * rows[1] * cols[0] * cols[1])
    return sign * np.maximum(g2, 0), sign * chi2


def cluster_robust_wls(design: np.ndarray, outcomes: np.ndarray, weights: np.ndarray,
                       clusters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least squares of each outcome column on ``design`` (full column rank), with CR2
    cluster-robust standard errors and Bell–McCaffrey degrees of freedom.

    CR2 (Bell & McCaffrey 2002) scales each cluster's residuals by ``(I - H_gg)^(-1/2)``, undoing
    the shrinkage that least squares puts on them; the degrees of freedom are Satterthwaite's for
    that variance under the working model of independent errors with variance ∝ 1/weight (Bell &
    McCaffrey; Imbens & Kolesár 2016): clubSandwich's CR2 with ``target = 1/w`` and
    ``inverse_var = TRUE``. A t interval then keeps near its nominal coverage with a handful of
    clusters, where the plain sandwich and a percentile bootstrap are too narrow. A cluster that
    alone determines a direction of the fit (``H_gg`` with an eigenvalue of 1) leaves no residual
    to estimate that direction's error, so every coefficient the direction moves gets NaN for its
    error and df. ``clusters`` are labels of any kind, one per row.

    Returns ``estimate`` and ``std_error`` (coefficients × outcomes) and ``df`` (one per
    coefficient: it depends on the design and weights only). Clusters × coefficients × the
    columns a cluster's rows use set the memory: 300 levels of a covariate over 3,000 documents
    of ten units took 1.3–2.8 s on two machines.
    """
    clusters = np.unique(np.asarray(clusters), return_inverse=True)[1].ravel()
    root = np.sqrt(np.asarray(weights, dtype=float))
    x = np.asarray(design, dtype=float) * root[:, None]
    y = np.asarray(outcomes, dtype=float).reshape(len(x), -1) * root[:, None]
    # x = Q R: the leverages H_gg = Q_g Q_g' do not depend on how the columns are scaled or centred
    q, r = np.linalg.qr(x)
    r_inverse = np.linalg.inv(r)
    bread = r_inverse @ r_inverse.T  # (X'X)^-1
    estimate = r_inverse @ (q.T @ y)
    residual = y - x @ estimate
    n_coefficients = x.shape[1]
    variance = np.zeros_like(estimate)
    undetermined = np.zeros(n_coefficients, dtype=bool)
    reach = np.linalg.norm(r_inverse, axis=1)  # ||X B e_j||: how far all rows together move coefficient j
    self_products, used_columns, moments = [], [], []  # per cluster: p_g·p_g, its columns, X_g'p_g on them
    order = np.argsort(clusters, kind="stable")
    for rows in np.split(order, np.flatnonzero(np.diff(clusters[order])) + 1):
        xg, qg = x[rows], q[rows]
        used = np.flatnonzero(np.any(xg != 0, axis=0))
        u, singular, _ = np.linalg.svd(qg, full_matrices=False)  # H_gg's eigenvectors and eigenvalues s²
        leverage = singular**2
        alone = leverage >= 1 - 1e-10
        scale = np.where(alone, 0.0, 1 / np.sqrt(np.where(alone, 1.0, 1 - leverage))) - 1
        influence = qg @ r_inverse.T  # X_g B: column j, how the cluster's rows move coefficient j
        if alone.any():  # a direction only this cluster's rows span: what it moves has no error estimate
            moved = np.abs(u[:, alone].T @ influence) > 1e-8 * reach
            undetermined |= moved.any(axis=0)
        p = influence + u @ (scale[:, None] * (u.T @ influence))  # (I - H_gg)^(-1/2) X_g B
        variance += (p.T @ residual[rows]) ** 2
        self_products.append(np.einsum("ij,ij->j", p, p))
        used_columns.append(used)
        moments.append(xg[:, used].T @ p)
    df = _bell_mccaffrey_df(bread, np.array(self_products), used_columns, moments)
    std_error = np.sqrt(variance)
    std_error[undetermined] = np.nan
    df[undetermined] = np.nan
    return estimate, std_error, df


def _bell_mccaffrey_df(bread: np.ndarray, self_products: np.ndarray, used_columns: list[np.ndarray],
                       moments: list[np.ndarray]) -> np.ndarray:
    """Each coefficient's df, tr(M)² / ||M||² with M = diag(p_g·p_g) - S' B S (clusters × clusters)
    and S's column g the cluster's X_g'p_g, which is zero outside the columns its rows use;
    computed from S S' (coefficients × coefficients) without forming M."""
    n_clusters, n_coefficients = self_products.shape
    width = max(len(used) for used in used_columns)
    padded = np.full((n_clusters, width), n_coefficients)  # an index past the last column where a cluster uses fewer
    values = np.zeros((n_clusters, width, n_coefficients))
    for g, (used, moment) in enumerate(zip(used_columns, moments)):
        padded[g, : len(used)] = used
        values[g, : len(used)] = moment
    bread_padded = np.zeros((n_coefficients + 1, n_coefficients + 1))
    bread_padded[:n_coefficients, :n_coefficients] = bread
    bread_blocks = bread_padded[padded[:, :, None], padded[:, None, :]]  # clusters × width × width
    cells = (padded[:, :, None] * (n_coefficients + 1) + padded[:, None, :]).ravel()
    df = np.empty(n_coefficients)
    for j in range(n_coefficients):
        s = values[:, :, j]  # clusters × width: S's nonzero entries for coefficient j
        pp = self_products[:, j]
        diagonal = np.einsum("gi,gij,gj->g", s, bread_blocks, s)  # (S' B S)_gg
        outer = np.bincount(cells, weights=(s[:, :, None] * s[:, None, :]).ravel(),
                            minlength=(n_coefficients + 1) ** 2).reshape(n_coefficients + 1, -1)
        product = bread @ outer[:n_coefficients, :n_coefficients]  # B S S'
        trace = pp.sum() - np.trace(product)
        squared = (pp**2).sum() - 2 * (pp * diagonal).sum() + np.sum(product * product.T)
        df[j] = trace**2 / squared if squared > 0 else np.nan
    return df
