"""Term trends over time: rates per 10,000 term tokens with bootstrap intervals, trend tests, first appearances.

The functions take :class:`~cityanalytics.text.tokens.Tokens` and a set of terms, and return
tidy tables:

- :func:`trends`: one row per (group,) period and series: count, denominator, rate per 10,000
  term tokens and an interval: by default a bootstrap of the period's documents and then their
  paragraphs.
- :func:`trend_test`: one row per (group and) series: Spearman ρ and Kendall τ between period
  and rate, a permutation p value and its Benjamini–Hochberg adjustment, and a direction.
- :func:`first_appearance`: one row per series: first and last period in which it occurs.
- :func:`term_coverage`: one row per term: how many of the term's occurrences in the running
  text the tokens actually match (the rest are split across tokens or sit inside longer tokens).

Matching is exact and by token: a term counts where a token *equals* it and the token is a term
(``is_term``), so counts agree with :func:`cityanalytics.dtm`. Segmentation decides what is a
token: 乡村振兴 is not counted inside the token 乡村振兴战略, and 改革开放 is not counted where jieba
cut 深化改革|开放. Use a term set ({"乡村振兴": ["乡村振兴", "乡村振兴战略"]}) or a user
dictionary for such cases, and :func:`term_coverage` to find them. A term that is not a token
anywhere raises a warning naming it, since it would otherwise silently count 0.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from itertools import permutations

import numpy as np
import pandas as pd
from scipy.stats import kendalltau, rankdata

from cityanalytics.analysis.matching import series_codes, token_arrays
from cityanalytics.dtm import blank_values, group_codes
from cityanalytics.stats import bh_adjust, group_sums, rate_interval
from cityanalytics.text.tokens import Tokens, require_text_order

SCALE = 10_000.0
TREND_COLUMNS = ["series", "count", "n_tokens", "n_docs", "rate_per_10k", "ci_low", "ci_high"]
TEST_COLUMNS = ["series", "n_periods", "first_period", "last_period", "rho", "tau", "p", "p_bh", "direction"]
FIRST_COLUMNS = ["series", "first_period", "last_period", "n_periods", "n_docs", "count"]
COVERAGE_COLUMNS = ["series", "term", "n_text", "n_matched", "share_matched", "n_inside_token", "n_split", "examples"]
UNITS = ("document", "paragraph")


# ----------------------------------------------------------------------------------------------
# shared helpers


def _as_series(terms) -> dict[str, tuple[str, ...]]:
    """Normalise ``terms`` to {series name: member terms}; a plain list gives one series per term."""
    if isinstance(terms, str):
        terms = [terms]
    if isinstance(terms, dict):
        series = {}
        for name, members in terms.items():
            members = [members] if isinstance(members, str) else list(members)
            if not members:
                raise ValueError(f"term set {name!r} has no members")
            series[str(name)] = tuple(dict.fromkeys(members))
    else:
        terms = list(terms)
        duplicated = sorted({t for t in terms if terms.count(t) > 1})
        if duplicated:
            raise ValueError(f"terms are repeated: {duplicated}")
        series = {t: (t,) for t in terms}
    if not series:
        raise ValueError("no terms given")
    for name, members in series.items():
        bad = [m for m in members if not isinstance(m, str) or not m.strip()]
        if bad:
            raise ValueError(f"series {name!r}: terms must be non-empty strings, got {bad}")
    return series


def _dated_documents(tokens: Tokens, time: str, by: list[str], caller: str) -> pd.DataFrame:
    """doc_id, time and group docvars of the documents that have them all; warns about the others."""
    docvars = tokens.docvars
    for name in [time, *by]:
        if name not in docvars.columns:
            raise KeyError(f"{caller}: {name!r} is not a docvar; docvars are {list(docvars.columns)}")
    if time in by:
        raise ValueError(f"{caller}: {time!r} is both the time docvar and a group docvar")
    docs = docvars[["doc_id", time, *by]].copy()
    docs["doc_id"] = docs["doc_id"].astype(str)
    values = docs[[time, *by]]
    missing = blank_values(values).any(axis=1)
    if missing.any():
        left_out = docs.loc[missing, "doc_id"].tolist()
        shown = ", ".join(left_out[:5]) + (f", … ({len(left_out)} in all)" if len(left_out) > 5 else "")
        what = " or ".join(repr(n) for n in [time, *by])
        warnings.warn(
            f"{caller}: {len(left_out)} document(s) with no {what} left out: {shown}",
            UserWarning,
            stacklevel=3,
        )
    return docs[~missing].reset_index(drop=True)


def _unit_counts(tokens: Tokens, series: dict[str, tuple[str, ...]], docs: pd.DataFrame, unit: str):
    """Per sampling unit: document row in ``docs``, series counts (units × series) and term totals.

    Every document of ``docs`` is at least one unit, even one without any token, so that it
    counts in ``n_docs`` and in the bootstrap.
    """
    doc_codes, token_codes, vocabulary, is_term, doc_names = token_arrays(tokens)
    member_codes = series_codes(series, vocabulary, token_codes, is_term)
    row_of_code = pd.Index(docs["doc_id"]).get_indexer(doc_names)  # table doc code -> row in docs (-1: left out)
    token_row = row_of_code[doc_codes] if len(doc_codes) else np.zeros(0, dtype=np.int64)
    keep = token_row >= 0
    if unit == "document":
        unit_key = token_row[keep]
        unit_doc = np.arange(len(docs))
        n_units = len(docs)
    else:
        para = tokens.table["para"].to_numpy(np.int64)[keep]
        pairs = pd.MultiIndex.from_arrays([token_row[keep], para])
        unit_key, uniques = pd.factorize(pairs, sort=True)
        present = uniques.get_level_values(0).to_numpy(np.int64) if len(uniques) else np.zeros(0, np.int64)
        empty_docs = np.setdiff1d(np.arange(len(docs)), present)  # documents without tokens: one empty unit each
        unit_doc = np.concatenate([present, empty_docs])
        n_units = len(unit_doc)
    kept_terms = is_term[keep]
    kept_tokens = token_codes[keep]
    totals = np.bincount(unit_key[kept_terms], minlength=n_units).astype(np.int64)
    counts = np.zeros((n_units, len(series)), dtype=np.int64)
    for j, codes in enumerate(member_codes.values()):
        hit = kept_terms & np.isin(kept_tokens, codes)
        counts[:, j] = np.bincount(unit_key[hit], minlength=n_units)
    return unit_doc, counts, totals


def _sorted_periods(values: pd.Series) -> pd.Series:
    return pd.Series(values.drop_duplicates().sort_values().to_numpy(), dtype=values.dtype)


def _set_period_dtype(result: pd.DataFrame, dtype) -> None:
    """Give first_period/last_period the time docvar's dtype (nullable Int64 for integers)."""
    if pd.api.types.is_integer_dtype(dtype):
        dtype = pd.Int64Dtype()
    for column in ("first_period", "last_period"):
        try:
            result[column] = result[column].astype(dtype)
        except (TypeError, ValueError):  # a dtype that cannot hold a missing value: keep object
            pass


# ----------------------------------------------------------------------------------------------
# trends


def trends(
    tokens: Tokens,
    terms,
    time: str = "year",
    by: str | list[str] | None = None,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
    *,
    unit: str = "paragraph",
    interval: str = "bootstrap",
) -> pd.DataFrame:
    """Rate per 10,000 term tokens of each term or term set in each period (and group), with intervals.

    ``terms`` is a list of terms (one series per term) or a dict {series name: [terms, …]}; a term
    set counts the tokens equal to any of its members. Tokens match a term exactly and only
    where they are terms (``is_term``), so counts agree with :func:`cityanalytics.dtm`; a member
    that is not a token anywhere (or never a term) raises a ``UserWarning`` naming it.

    Periods are the values of the ``time`` docvar; ``by`` names one or more group docvars (e.g.
    ``"city"``). Documents whose time (or group) docvar is missing are left out, with a
    ``UserWarning`` naming them. Every (group,) period with at least one document appears for
    every series, with ``count`` 0 when the series does not occur.

    Returns one row per [group,] period and series, ordered by group, series (in the order
    given) and period, with columns:

    - ``[by…]``: the group docvars, if ``by`` is given;
    - ``<time>``: the period (the time docvar's values and dtype);
    - ``series``: the term, or the name of the term set;
    - ``count``: occurrences of the series in the period's documents;
    - ``n_tokens``: all term tokens (``is_term``) of those documents, the denominator;
    - ``n_docs``: documents in the period (and group);
    - ``rate_per_10k``: ``10_000 * count / n_tokens`` (NaN when ``n_tokens`` is 0);
    - ``ci_low``, ``ci_high``: the interval at level ``ci`` (a percentile bootstrap by default).

    The interval comes from :func:`cityanalytics.stats.bootstrap_rate_interval`: the sampling
    units are resampled with replacement within each period (and group), ``n_boot`` times, and
    the ratio of summed counts to summed term tokens is recomputed. With ``unit="paragraph"``
    (the default) the bootstrap has two stages, as in :func:`emphasis`: documents are drawn
    first, then paragraphs within each drawn document. Single-document periods (e.g. one work
    report a year) then get an interval, but it reflects the variation between that document's
    paragraphs only, not between documents the period might have produced. With
    ``unit="document"`` whole documents are the units; a period with a single document has no
    within-period variation to resample, so its interval is NaN rather than a zero-width
    interval. That one-stage bootstrap is too narrow where periods hold few documents: in
    ``benchmarks/rate_coverage.py`` its 95 % interval held the true rate in 50–52 % of simulated
    periods of two documents, 71–72 % of three, 81–82 % of five and 91 % of twenty, where the
    two-stage one held 85–99 % and the cluster interval 94–97.5 %.
    ``interval="cluster"`` gives instead the t interval on the log scale of
    :func:`cityanalytics.stats.cluster_rate_interval`, the documents the clusters (a single
    document's paragraphs with ``unit="paragraph"``), as ``emphasis(interval="cluster")`` does.

    The same tokens, terms and seed give the same table; one generator serves the cells in
    cell order (group, then period), and each cell's draws do not depend on which series are asked for.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    interval_of = rate_interval(interval, n_boot, seed)
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    series = _as_series(terms)
    docs = _dated_documents(tokens, time, by, "trends")
    unit_doc, counts, totals = _unit_counts(tokens, series, docs, unit)

    keys = [*by, time]
    cell_of_doc, cells = group_codes(docs[keys])
    n_cells = len(cells)
    unit_cell = cell_of_doc[unit_doc]
    cell_counts = group_sums(counts, unit_cell, n_cells, dtype=np.int64)
    cell_tokens = np.bincount(unit_cell, weights=totals, minlength=n_cells).astype(np.int64)
    cell_docs = np.bincount(cell_of_doc, minlength=n_cells).astype(np.int64)

    clusters = unit_doc if unit == "paragraph" else None  # documents first, then their paragraphs
    low, high = interval_of(counts, totals, unit_cell, clusters=clusters, ci=ci, scale=SCALE, n_groups=n_cells)

    with np.errstate(invalid="ignore", divide="ignore"):
        rates = SCALE * cell_counts / cell_tokens[:, None]
    rates[cell_tokens == 0] = np.nan

    names = list(series)
    frames = []
    for j, name in enumerate(names):
        frame = cells.copy()
        frame["series"] = name
        frame["count"] = cell_counts[:, j]
        frame["n_tokens"] = cell_tokens
        frame["n_docs"] = cell_docs
        frame["rate_per_10k"] = rates[:, j]
        frame["ci_low"] = low[:, j]
        frame["ci_high"] = high[:, j]
        frame["_order"] = j
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*keys, *TREND_COLUMNS])
    table = table.sort_values([*by, "_order", time], kind="stable").drop(columns="_order").reset_index(drop=True)
    table = table[[*keys, *TREND_COLUMNS]]
    table.attrs = {"time": time, "by": by, "unit": unit, "interval": interval, "n_boot": n_boot, "ci": ci, "seed": seed}
    return table


# ----------------------------------------------------------------------------------------------
# trend tests


def _trend_keys(table: pd.DataFrame) -> tuple[str, list[str]]:
    """The time column and the group columns of a :func:`trends` table."""
    missing = [c for c in TREND_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"trend_test takes a table from trends(); it lacks the columns {missing}")
    time = table.attrs.get("time")
    by = list(table.attrs.get("by", []))
    if time in table.columns and all(b in table.columns for b in by):
        return time, by
    position = list(table.columns).index("series")
    if position == 0:
        raise ValueError("trend_test cannot tell the time column: it should come just before 'series'")
    leading = list(table.columns[:position])
    return leading[-1], leading[:-1]


def _spearman(x_rank: np.ndarray, y_ranks: np.ndarray) -> np.ndarray:
    """Pearson correlation of one rank vector with each row of ``y_ranks`` (Spearman's ρ with ties)."""
    x = x_rank - x_rank.mean()
    y = y_ranks - y_ranks.mean(axis=-1, keepdims=True)
    return (y @ x) / np.sqrt((x @ x) * (y * y).sum(axis=-1))


def _permutation_p(rate_ranks: np.ndarray, observed: float, n_perm: int, seed: int) -> float:
    """Two-sided p of ρ: exact over all orderings when there are at most ``n_perm`` of them."""
    n = len(rate_ranks)
    time_ranks = np.arange(1, n + 1, dtype=float)
    if math.factorial(n) <= n_perm:
        shuffled = rate_ranks[np.array(list(permutations(range(n))))]
        rho = _spearman(time_ranks, shuffled)
        return float(np.mean(np.abs(rho) >= abs(observed) - 1e-12))
    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.tile(rate_ranks, (n_perm, 1)), axis=1)
    rho = _spearman(time_ranks, shuffled)
    return float((1 + np.sum(np.abs(rho) >= abs(observed) - 1e-12)) / (1 + n_perm))


def trend_test(trend_table: pd.DataFrame, n_perm: int = 5000, seed: int = 0, *, alpha: float = 0.05) -> pd.DataFrame:
    """Monotone trend of each series (in each group) over the periods of a :func:`trends` table.

    One point per period (the period's ``rate_per_10k``; periods with NaN rate, i.e. no term
    tokens, are skipped). Spearman's ρ is the rank correlation of period order and rate (ties
    get average ranks, so non-numeric periods such as ``"2019-03"`` work too). Its two-sided p
    value comes from shuffling the rates across periods: exact, over all orderings, when there
    are at most ``n_perm`` of them (up to 6 periods), otherwise from ``n_perm`` random shuffles
    with p = (1 + #|ρ*| ≥ |ρ|) / (1 + n_perm). With n periods the smallest possible p is
    2/n!, so fewer than 5 periods can never reach 0.05. Kendall's τ-b is from
    :func:`scipy.stats.kendalltau`. ``p_bh`` adjusts p over all rows with Benjamini–Hochberg.

    Returns one row per [group and] series, in the order of the input, with columns
    ``[by…]``, ``series``, ``n_periods``, ``first_period``, ``last_period`` (of the periods
    used), ``rho``, ``tau``, ``p``, ``p_bh`` and ``direction``: ``"rising"`` or ``"falling"``
    (sign of ρ) when ``p_bh < alpha``, ``"flat"`` when ``p_bh ≥ alpha`` or the rate is the same
    in every period (then ρ, τ and p are NaN), and missing with NaN statistics when a
    series has fewer than 3 periods. Each series is shuffled with a generator seeded by
    ``seed``, so its p value does not depend on the other series in the table.
    """
    time, by = _trend_keys(trend_table)
    rows = []
    groups = trend_table.groupby([*by, "series"], sort=False, dropna=False)
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        part = part[np.isfinite(part["rate_per_10k"].to_numpy(float))].sort_values(time, kind="stable")
        n = len(part)
        row = dict(zip([*by, "series"], key))
        row.update(
            n_periods=n,
            first_period=part[time].iloc[0] if n else None,
            last_period=part[time].iloc[-1] if n else None,
            rho=np.nan, tau=np.nan, p=np.nan, direction=None,
        )
        rates = part["rate_per_10k"].to_numpy(float)
        if n >= 3 and np.ptp(rates) == 0:
            row["direction"] = "flat"
        elif n >= 3:
            rate_ranks = rankdata(rates)
            rho = float(_spearman(np.arange(1, n + 1, dtype=float), rate_ranks[None, :])[0])
            row.update(rho=rho, tau=float(kendalltau(np.arange(n), rates).statistic),
                       p=_permutation_p(rate_ranks, rho, n_perm, seed))
        rows.append(row)
    columns = [*by, *TEST_COLUMNS]
    result = pd.DataFrame(rows, columns=[c for c in columns if c != "p_bh"])
    result["n_periods"] = result["n_periods"].astype("int64")
    _set_period_dtype(result, trend_table[time].dtype)
    result["p_bh"] = bh_adjust(result["p"].to_numpy(float))
    tested = result["p_bh"].notna()
    significant = tested & (result["p_bh"] < alpha)
    result.loc[tested & ~significant, "direction"] = "flat"
    result.loc[significant, "direction"] = np.where(result.loc[significant, "rho"] > 0, "rising", "falling")
    result = result[columns]
    result.attrs = {"time": time, "by": by, "n_perm": n_perm, "seed": seed, "alpha": alpha}
    return result


# ----------------------------------------------------------------------------------------------
# first appearance


def first_appearance(tokens: Tokens, terms, time: str = "year") -> pd.DataFrame:
    """First and last period in which each term or term set occurs as a (term) token.

    ``terms`` is as in :func:`trends`, and matching is the same (exact, ``is_term`` tokens,
    with a warning for members that are never a token). Documents whose time docvar is missing
    are left out, with a warning, and count nowhere.

    Returns one row per series, in the order given, with columns ``series``, ``first_period``,
    ``last_period`` (the time docvar's dtype; missing when the series never occurs),
    ``n_periods`` and ``n_docs`` (periods and documents with at least one occurrence) and
    ``count`` (all occurrences; 0 when never seen).
    """
    series = _as_series(terms)
    docs = _dated_documents(tokens, time, [], "first_appearance")
    unit_doc, counts, _ = _unit_counts(tokens, series, docs, "document")
    periods = docs[time].iloc[unit_doc].reset_index(drop=True)
    rows = []
    for j, name in enumerate(series):
        seen = counts[:, j] > 0
        when = periods[seen]
        rows.append(
            {
                "series": name,
                "first_period": when.min() if seen.any() else pd.NA,
                "last_period": when.max() if seen.any() else pd.NA,
                "n_periods": int(when.nunique()),
                "n_docs": int(seen.sum()),
                "count": int(counts[:, j].sum()),
            }
        )
    result = pd.DataFrame(rows, columns=FIRST_COLUMNS)
    _set_period_dtype(result, docs[time].dtype)
    for column in ("n_periods", "n_docs", "count"):
        result[column] = result[column].astype("int64")
    result.attrs = {"time": time}
    return result


# ----------------------------------------------------------------------------------------------
# coverage: how much of a term's running-text occurrences the tokens match


def _running_text(tokens: Tokens) -> tuple[str, np.ndarray, np.ndarray, pd.Index]:
    """The tokens joined back into text, one sentence a line; each token's start and code; the vocabulary."""
    table = tokens.table
    require_text_order(table)
    doc_codes, token_codes, vocabulary, _, _ = token_arrays(tokens)
    sentence = pd.MultiIndex.from_arrays([doc_codes, table["para"].to_numpy(), table["sent"].to_numpy()])
    new_sentence = np.r_[False, (sentence[1:] != sentence[:-1])] if len(table) else np.zeros(0, bool)
    words = vocabulary.to_numpy(dtype=object)[token_codes]
    lengths = np.fromiter((len(w) for w in vocabulary), dtype=np.int64, count=len(vocabulary))[token_codes]
    starts = np.cumsum(np.r_[0, lengths[:-1] + new_sentence[1:]]) if len(table) else np.zeros(0, np.int64)
    pieces = np.where(new_sentence, "\n", "").astype(object) + words
    return "".join(pieces), starts, token_codes, vocabulary


def term_coverage(tokens: Tokens, terms, n_examples: int = 3) -> pd.DataFrame:
    """How many occurrences of each term in the running text the token matching counts.

    The tokens are joined back into text (sentence by sentence) and each occurrence of a term as
    a substring is classed as ``matched`` (a token equal to the term starts there), inside a
    longer token (乡村振兴 in 乡村振兴战略) or split across tokens (深化改革|开放). Use it to see
    which counts of :func:`trends` undercount a concept, and which variants to add to a term set.

    Returns one row per member term, in the order given, with columns ``series``, ``term``,
    ``n_text`` (substring occurrences), ``n_matched`` (occurrences counted as tokens, whether
    or not they are terms), ``share_matched`` (NaN when ``n_text`` is 0), ``n_inside_token``,
    ``n_split`` and ``examples`` (the most frequent token contexts of unmatched occurrences,
    tokens separated by ``|``). All documents count, with or without a time docvar.
    """
    series = _as_series(terms)
    text, starts, token_codes, vocabulary = _running_text(tokens)
    words = vocabulary.to_numpy(dtype=object)
    rows = []
    for name, members in series.items():
        for term in members:
            code = vocabulary.get_indexer([term])[0]
            positions = np.array([m.start() for m in re.finditer(re.escape(term), text)], dtype=np.int64)
            matched = inside = split = 0
            contexts: Counter[str] = Counter()
            for position in positions:
                k = int(np.searchsorted(starts, position, side="right")) - 1
                if starts[k] == position and token_codes[k] == code:
                    matched += 1
                    continue
                last = int(np.searchsorted(starts, position + len(term), side="left")) - 1
                if last == k:
                    inside += 1
                else:
                    split += 1
                contexts["|".join(words[token_codes[k:last + 1]])] += 1
            n_text = len(positions)
            rows.append(
                {
                    "series": name,
                    "term": term,
                    "n_text": n_text,
                    "n_matched": matched,
                    "share_matched": matched / n_text if n_text else np.nan,
                    "n_inside_token": inside,
                    "n_split": split,
                    "examples": "; ".join(c for c, _ in contexts.most_common(n_examples)),
                }
            )
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
