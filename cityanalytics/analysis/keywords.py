"""Keywords: frequencies, tf-idf and TextRank keywords, keyness, log-odds and collocations.

Every function returns a tidy DataFrame whose columns are listed in its docstring. Ranks are
ordinal (1, 2, 3, …) and ties are broken by the term, so the same input gives the same table.

Sign convention shared by :func:`keyness`, :func:`log_odds` and :func:`collocations`: a
statistic is positive when the term (or word pair) is more frequent in the target group (or
more often together) than expected, negative when less.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import chi2 as chi2_distribution
from scipy.stats import norm as normal

from cityanalytics.dtm import DTM, blank_values
from cityanalytics.stats import bh_adjust, two_by_two
from cityanalytics.text.encoding import category_codes, word_array
from cityanalytics.text.tokens import Tokens, require_text_order

_CHINESE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


def _require_counts(dtm: DTM) -> None:
    if dtm.weighting != "count":
        raise ValueError(f"this statistic needs a DTM of counts, not {dtm.weighting!r} weights")


def _ranked(matrix: sp.spmatrix, vocabulary: np.ndarray, value: str, n: int | None) -> pd.DataFrame:
    """Non-zero cells as (_row, _col, term, value) ranked within each row: value descending, then term."""
    if n is not None and n < 1:
        raise ValueError(f"n must be at least 1 (the top n terms of each row), or None for every term; not {n}")
    coo = sp.coo_matrix(matrix)
    coo.sum_duplicates()
    coo.eliminate_zeros()
    frame = pd.DataFrame({"_row": coo.row, "_col": coo.col, "term": vocabulary[coo.col], value: coo.data})
    frame = frame.sort_values(["_row", value, "term"], ascending=[True, False, True], kind="mergesort")
    frame["rank"] = frame.groupby("_row").cumcount() + 1
    if n is not None:
        frame = frame[frame["rank"] <= n]
    return frame.reset_index(drop=True)


def _with_keys(frame: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Replace the ``_row`` and ``_col`` columns of ``frame`` by the row keys ``_row`` points to."""
    head = keys.iloc[frame["_row"].to_numpy()].reset_index(drop=True)
    return pd.concat([head, frame.drop(columns=["_row", "_col"]).reset_index(drop=True)], axis=1)


def frequency(dtm: DTM, by: str | list[str] | None = None, n: int | None = None) -> pd.DataFrame:
    """Term frequencies of the whole corpus, or of each group of one or more docvars.

    Columns: the ``by`` docvars (none when ``by`` is None), ``term``, ``count``,
    ``rate_per_10k`` (count per 10,000 term tokens of the group), ``doc_freq`` (documents of
    the group that contain the term) and ``rank`` (1 = most frequent; ties broken by term).
    ``n`` keeps the top ``n`` terms of each group. Groups follow :meth:`DTM.group` order.
    The DTM may have document, section or paragraph rows, but its rows must carry ``doc_id``.
    """
    _require_counts(dtm)
    if "doc_id" not in dtm.rows:
        raise ValueError("frequency counts documents and needs a DTM whose rows carry doc_id (not a grouped one)")
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    if len(set(by)) < len(by):
        raise ValueError(f"by names a docvar twice: {by}")
    if dtm.counts.nnz == 0:
        return pd.DataFrame(columns=[*by, "term", "count", "rate_per_10k", "doc_freq", "rank"])
    docs = dtm.group(list(dict.fromkeys([*by, "doc_id"])))  # by="doc_id" gives each document's frequencies
    present = DTM((docs.counts > 0).astype(np.int64), docs.vocabulary, docs.rows, "count", docs.keys)
    if by:
        grouped = docs.group(by)
        counts, doc_freq, keys = grouped.counts, present.group(by).counts, grouped.rows[by]
        n_tokens = grouped.totals
    else:
        counts, doc_freq, keys = sp.csr_matrix(docs.counts.sum(axis=0)), sp.csr_matrix(present.counts.sum(axis=0)), pd.DataFrame(index=[0])
        n_tokens = np.array([docs.totals.sum()])
    frame = _ranked(counts, dtm.vocabulary, "count", n)
    rows, cols = frame["_row"].to_numpy(), frame["_col"].to_numpy()
    frame["count"] = frame["count"].astype("int64")
    frame.insert(4, "rate_per_10k", frame["count"] / n_tokens[rows] * 10_000)
    frame.insert(5, "doc_freq", np.asarray(doc_freq[rows, cols]).ravel().astype("int64"))
    return _with_keys(frame, keys)


def tfidf_keywords(dtm: DTM, n: int = 10) -> pd.DataFrame:
    """The ``n`` terms of highest tf-idf weight in each row.

    Columns: the row keys (``doc_id``, or the grouping docvars), ``term``, ``weight`` and
    ``rank`` (1 = highest weight; ties broken by term). Counts are weighted with
    :meth:`DTM.tfidf` defaults (smooth idf, l2 norm); a DTM already weighted by tf-idf is used as is.
    """
    weights = dtm if dtm.weighting == "tfidf" else dtm.tfidf()
    frame = _ranked(weights.counts, weights.vocabulary, "weight", n)
    return _with_keys(frame, weights.rows[list(weights.keys)])


def _term_stream(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Arrays over the term tokens, in text order: document code, sentence number, position i, token code.

    Sentence numbers run over the whole corpus, so equal numbers mean the same sentence of the same document.
    """
    table = tokens.table
    require_text_order(table)
    doc = category_codes(table["doc_id"])
    place = table[["section", "para", "sent"]].to_numpy()
    starts = np.r_[True, (np.diff(doc) != 0) | (np.diff(place, axis=0) != 0).any(axis=1)]
    sentence = np.cumsum(starts)
    term = table["is_term"].to_numpy(dtype=bool)
    return doc[term], sentence[term], table["i"].to_numpy()[term], category_codes(table["token"])[term]


def textrank(tokens: Tokens, n: int = 10, window: int = 5, damping: float = 0.85,
             doc_ids: str | list[str] | None = None, *, tol: float = 1e-8, max_iter: int = 1000) -> pd.DataFrame:
    """TextRank keywords of each document (Mihalcea & Tarau 2004).

    Each document has its own graph: the nodes are its terms (``is_term`` tokens, so stopwords and
    any ``keep_pos`` filter of the tokenizer apply); two terms are linked when they occur fewer than
    ``window`` term positions apart in the same sentence (``window=2``: neighbours only), with the
    number of such co-occurrences as the edge weight (self-links are dropped). Scores are weighted
    PageRank, found by power iteration on one sparse block-diagonal matrix for all documents:
    ``s = (1 - damping) / N + damping * W D⁻¹ s``, with the score of terms without links spread
    evenly over the document, until the L1 change of every document is below ``tol``. The scores of
    a document sum to 1. Multi-word keywords are not merged.

    Columns: ``doc_id``, ``term``, ``score``, ``rank`` (1 = highest; ties broken by term), the top
    ``n`` per document, documents in corpus order. ``doc_ids`` (one or a list) limits the documents.
    """
    if not 0 < damping < 1:
        raise ValueError(f"damping must be between 0 and 1, not {damping}")
    if window < 2:
        raise ValueError(f"window must be at least 2 term positions, not {window}")
    doc, sentence, _, token = _term_stream(tokens)
    doc_names = np.asarray(tokens.table["doc_id"].cat.categories, dtype=str)
    if doc_ids is not None:
        doc_ids = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids)
        unknown = sorted(set(doc_ids) - set(doc_names))
        if unknown:
            raise KeyError(f"no documents {unknown} in the tokens")
        keep = np.isin(doc_names[doc], list(doc_ids))
        doc, sentence, token = doc[keep], sentence[keep], token[keep]
    node_keys, node = np.unique(np.c_[doc, token], axis=0, return_inverse=True)
    node = node.ravel()
    node_doc, node_token = node_keys[:, 0], node_keys[:, 1]
    sources, targets = [], []
    for k in range(1, window):
        near = (sentence[k:] == sentence[:-k]) & (node[k:] != node[:-k])
        sources.append(node[:-k][near])
        targets.append(node[k:][near])
    u, v = np.concatenate(sources), np.concatenate(targets)
    n_nodes = len(node_keys)
    weights = sp.coo_matrix((np.ones(2 * len(u)), (np.r_[u, v], np.r_[v, u])), shape=(n_nodes, n_nodes)).tocsr()
    strength = np.asarray(weights.sum(axis=0)).ravel()
    dangling = strength == 0
    transition = weights @ sp.diags(np.divide(1.0, strength, out=np.zeros(n_nodes), where=~dangling))
    _, doc_index = np.unique(node_doc, return_inverse=True)
    teleport = 1.0 / np.bincount(doc_index)[doc_index]
    scores = teleport.copy()
    for _ in range(max_iter):
        lost = np.bincount(doc_index, weights=scores * dangling)[doc_index]
        updated = damping * (transition @ scores + lost * teleport) + (1 - damping) * teleport
        change = np.bincount(doc_index, weights=np.abs(updated - scores)).max(initial=0.0)
        scores = updated
        if change < tol:
            break
    else:
        raise RuntimeError(f"TextRank did not converge to {tol} in {max_iter} iterations")
    matrix = sp.csr_matrix((scores, (node_doc, node_token)), shape=(len(doc_names), len(tokens.table["token"].cat.categories)))
    vocabulary = word_array(tokens.table["token"].cat.categories)
    frame = _ranked(matrix, vocabulary, "score", n)
    return _with_keys(frame, pd.DataFrame({"doc_id": doc_names}))


def keyness(dtm: DTM, target, by: str = "doc_id", measure: str = "g2") -> pd.DataFrame:
    """Keyness of the target rows against all other rows (like quanteda's ``textstat_keyness``).

    ``target`` is one value of docvar ``by`` or a list of values. For each term the 2×2 table is
    (term count, other terms' count) × (target, reference). Columns: ``term``, ``n_target``,
    ``n_reference``, ``g2`` (Dunning's log-likelihood G² = 2 Σ O ln(O/E), no Williams
    correction), ``chi2`` (Pearson χ² with Yates' correction), both signed: negative when the
    term is relatively more frequent in the reference; ``log_ratio`` (log2 of the ratio of
    relative frequencies, 0.5 put in zero counts); ``p`` (χ² with 1 df of the ``measure``
    statistic, ``"g2"`` or ``"chi2"``) and ``p_bh`` (Benjamini–Hochberg over all returned terms).
    Sorted by the ``measure`` statistic descending (ties by term); terms absent from both sides
    are left out. Rows whose ``by`` is missing or blank belong to no side: they are left out of
    the reference, with a warning, as :func:`log_odds` leaves them out.
    """
    _require_counts(dtm)
    if measure not in ("g2", "chi2"):
        raise ValueError(f"measure must be 'g2' or 'chi2', not {measure!r}")
    if by not in dtm.rows:
        raise KeyError(f"{by!r} is not a docvar; docvars are {list(dtm.rows.columns)}")
    targets = list(target) if pd.api.types.is_list_like(target) else [target]
    values = dtm.rows[by]
    named = ~blank_values(values).to_numpy()
    if not named.all():
        warnings.warn(f"keyness: {int((~named).sum())} row(s) with no {by!r} are left out of the reference",
                      UserWarning, stacklevel=2)
    in_target = values.isin(targets).to_numpy()
    in_reference = named & ~in_target
    if not in_target.any():
        raise ValueError(f"no rows with {by} in {targets}")
    if not in_reference.any():
        raise ValueError(f"every row with a {by} has it in {targets}: there is no reference to compare with")
    a = np.asarray(dtm.counts[in_target].sum(axis=0)).ravel()
    b = np.asarray(dtm.counts[in_reference].sum(axis=0)).ravel()
    n_a, n_b = dtm.totals[in_target].sum(), dtm.totals[in_reference].sum()
    if n_a == 0 or n_b == 0:
        side = "target" if n_a == 0 else "reference"
        raise ValueError(f"the {side} ({by} {'in' if side == 'target' else 'not in'} {targets}) has no term tokens")
    used = (a + b) > 0
    a, b, terms = a[used], b[used], dtm.vocabulary[used]
    g2, chi2 = two_by_two(a, b, n_a - a, n_b - b)
    share_target = np.where(a == 0, 0.5, a) / n_a
    share_reference = np.where(b == 0, 0.5, b) / n_b
    frame = pd.DataFrame({"term": terms, "n_target": a.astype("int64"), "n_reference": b.astype("int64"),
                          "g2": g2, "chi2": chi2, "log_ratio": np.log2(share_target / share_reference)})
    frame["p"] = chi2_distribution.sf(np.abs(frame[measure]), df=1)
    frame["p_bh"] = bh_adjust(frame["p"])
    frame = frame.sort_values([measure, "term"], ascending=[False, True], kind="mergesort")
    return frame.reset_index(drop=True)


def log_odds(dtm: DTM, by: str, prior: str = "corpus", alpha0: float | None = None,
             pairwise: bool = False) -> pd.DataFrame:
    """Log-odds ratios with an informative Dirichlet prior ("Fightin' Words", Monroe, Colaresi & Quinn 2008).

    Rows are summed into the groups of docvar ``by`` with :meth:`DTM.group`. The prior is
    α_w = alpha0 · (corpus count of w) / (corpus tokens) with ``prior="corpus"``, or
    alpha0 / (number of terms) with ``prior="uniform"``, so that Σα = alpha0.
    ``alpha0`` (positive) defaults to the mean token count of the groups: the prior then weighs as much as
    one typical group, enough to pull rare terms towards the corpus rate without swamping the
    smaller groups (tidylo's choice, the whole corpus, weighs as much as all groups together).

    Each group g is compared with the other groups pooled (``versus = "rest"``) or, with
    ``pairwise=True``, with each other group h in turn (both orders):
    δ = log((y_gw+α_w)/(n_g+α0−y_gw−α_w)) − log((y_hw+α_w)/(n_h+α0−y_hw−α_w)),
    se = √(1/(y_gw+α_w) + 1/(y_hw+α_w)), z = δ/se; positive z: w is more typical of g.

    Columns: ``group``, ``versus``, ``term``, ``count_group``, ``count_versus``, ``delta``, ``se``,
    ``z``, ``p`` (two-sided, normal approximation), ``p_bh`` (Benjamini–Hochberg over the terms of
    one comparison) and ``rank`` (1 = highest z within group and versus; ties by term). Terms
    absent from both compared sides are left out.
    """
    _require_counts(dtm)
    if prior not in ("corpus", "uniform"):
        raise ValueError(f"prior must be 'corpus' or 'uniform', not {prior!r}")
    if alpha0 is not None and not alpha0 > 0:  # a Dirichlet prior needs every α_w > 0; else zero counts give log(0)
        raise ValueError(f"alpha0 must be positive (the total weight of the prior), not {alpha0}")
    grouped = dtm.group(by)
    if grouped.rows[by].isna().any():
        warnings.warn(f"log_odds: rows with no {by!r} are left out of the comparison", UserWarning, stacklevel=2)
        grouped = DTM(grouped.counts[grouped.rows[by].notna().to_numpy()], grouped.vocabulary,
                      grouped.rows[grouped.rows[by].notna()].reset_index(drop=True), "count", grouped.keys,
                      grouped.totals[grouped.rows[by].notna().to_numpy()])
    if len(grouped.rows) < 2:
        raise ValueError(f"log-odds compares groups, but {by} has only one value")
    counts = grouped.counts.toarray().astype(float)
    used = counts.sum(axis=0) > 0
    counts, vocabulary = counts[:, used], dtm.vocabulary[used]
    sizes = grouped.totals
    alpha0 = float(sizes.mean()) if alpha0 is None else float(alpha0)
    total = counts.sum(axis=0)
    alpha = alpha0 * total / total.sum() if prior == "corpus" else np.full(len(total), alpha0 / len(total))
    labels = grouped.rows[by]

    def compare(g: int, h: int | None) -> pd.DataFrame:
        """Group g against group h, or against all the other groups pooled when h is None."""
        y_g, n_g = counts[g], sizes[g]
        y_h, n_h = (total - y_g, sizes.sum() - n_g) if h is None else (counts[h], sizes[h])
        delta = np.log((y_g + alpha) / (n_g + alpha0 - y_g - alpha)) - np.log((y_h + alpha) / (n_h + alpha0 - y_h - alpha))
        se = np.sqrt(1 / (y_g + alpha) + 1 / (y_h + alpha))
        keep = (y_g + y_h) > 0
        frame = pd.DataFrame({"term": vocabulary[keep], "count_group": y_g[keep].astype("int64"),
                              "count_versus": y_h[keep].astype("int64"), "delta": delta[keep], "se": se[keep],
                              "z": delta[keep] / se[keep]})
        frame["p"] = 2 * normal.sf(np.abs(frame["z"].to_numpy()))
        frame["p_bh"] = bh_adjust(frame["p"].to_numpy())
        frame = frame.sort_values(["z", "term"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
        frame["rank"] = np.arange(1, len(frame) + 1)
        frame.insert(0, "group", labels.iloc[g])
        frame.insert(1, "versus", "rest" if h is None else labels.iloc[h])
        return frame

    if pairwise:
        pairs = [(g, h) for g in range(len(labels)) for h in range(len(labels)) if g != h]
    else:
        pairs = [(g, None) for g in range(len(labels))]
    table = pd.concat([compare(g, h) for g, h in pairs], ignore_index=True)
    table["group"] = table["group"].astype(labels.dtype)
    if pairwise:
        table["versus"] = table["versus"].astype(labels.dtype)
    return table


def _ngram_counts(tokens: Tokens, size: int) -> pd.DataFrame:
    """Counts of runs of ``size`` term tokens that are adjacent in the text (consecutive ``i``) within a sentence.

    Columns: ``0`` … ``size-1`` (token codes), ``count`` and ``n_docs``.
    """
    doc, sentence, position, token = _term_stream(tokens)
    last = len(token) - size + 1
    start = np.arange(max(last, 0))
    ok = (sentence[start + size - 1] == sentence[start]) & (position[start + size - 1] - position[start] == size - 1)
    start = start[ok]
    runs = pd.DataFrame({j: token[start + j] for j in range(size)})
    runs["doc"] = doc[start]
    return runs.groupby(list(range(size)), sort=True).agg(count=("doc", "size"), n_docs=("doc", "nunique")).reset_index()


def collocations(tokens: Tokens, min_count: int = 3, size: int | tuple[int, ...] = 2) -> pd.DataFrame:
    """Sequences of ``size`` terms (2, 3 or both: ``size=(2, 3)``) adjacent in the same sentence.

    The terms must follow each other directly in the token stream: a stopword, number or
    punctuation mark between them breaks the sequence. Association uses the 2×2 table of
    Dunning (1993) with N = the corpus term tokens: for a bigram xy, a = c(xy), b = c(x) − a,
    c = c(y) − a. A trigram is split at each of its two joints (xy|z, x|yz) and keeps the weaker
    split, so it is only as strong as its loosest joint. Columns: ``collocation`` (terms joined by
    a space), ``joined`` (concatenated), ``size``, ``count`` (≥ ``min_count``), ``n_docs``,
    ``g2`` (signed G², negative when the terms occur together less than chance) and ``pmi``
    (log2 of c(xy)·N / (c(x)·c(y))); sorted by ``g2`` descending, then collocation.
    """
    sizes = (size,) if isinstance(size, int) else tuple(size)
    if not set(sizes) <= {2, 3}:
        raise ValueError(f"size must be 2, 3 or both, not {size!r}")
    vocabulary = word_array(tokens.table["token"].cat.categories)
    tables = {k: _ngram_counts(tokens, k) for k in range(1, max(sizes) + 1)}
    n_terms = tables[1]["count"].sum()
    lookup = {k: pd.Series(table["count"].to_numpy(), index=pd.MultiIndex.from_frame(table[list(range(k))]))
              for k, table in tables.items()}
    blocks = []
    for k in sizes:
        grams = tables[k][tables[k]["count"] >= min_count].reset_index(drop=True)
        g2, pmi = np.full(len(grams), np.inf), np.full(len(grams), np.inf)
        for joint in range(1, k):
            left = lookup[joint].reindex(pd.MultiIndex.from_frame(grams[list(range(joint))])).to_numpy(float)
            right = lookup[k - joint].reindex(pd.MultiIndex.from_frame(grams[list(range(joint, k))])).to_numpy(float)
            a = grams["count"].to_numpy(float)
            g2 = np.minimum(g2, two_by_two(a, left - a, right - a, n_terms - left - right + a)[0])
            pmi = np.minimum(pmi, np.log2(a * n_terms / (left * right)))
        words = [vocabulary[grams[j].to_numpy()] for j in range(k)]
        blocks.append(pd.DataFrame({"collocation": [" ".join(w) for w in zip(*words)],
                                    "joined": ["".join(w) for w in zip(*words)], "size": k,
                                    "count": grams["count"].astype("int64"), "n_docs": grams["n_docs"].astype("int64"),
                                    "g2": g2, "pmi": pmi}))
    frame = pd.concat(blocks, ignore_index=True).astype({"collocation": "str", "joined": "str"})
    return frame.sort_values(["g2", "collocation"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def new_terms(tokens: Tokens, min_count: int = 3, min_chars: int = 3) -> pd.DataFrame:
    """Candidate lexicon entries: collocations (2 or 3 terms) that look like one word the tokenizer split.

    A candidate is a collocation with ``count`` ≥ ``min_count`` and positive G², whose joined
    form is all Chinese characters, at least ``min_chars`` long, found in at least 2 documents
    (1 when the corpus has one document) and never a single token anywhere in the corpus.
    Columns: ``term`` (joined form), ``parts`` (the tokens, space-separated), ``count``,
    ``n_docs``, ``g2`` and ``suggested_entry`` (a jieba user-dictionary line ``term 20000 nz``,
    the frequency of the shipped policy lexicon); sorted by ``g2`` descending. Review before use.
    """
    found = collocations(tokens, min_count=min_count, size=(2, 3))
    single = set(tokens.table["token"].astype(str).unique())
    min_docs = min(2, tokens.table["doc_id"].nunique())
    keep = (
        (found["g2"] > 0)
        & (found["n_docs"] >= min_docs)
        & (found["joined"].str.len() >= min_chars)
        & found["joined"].str.match(_CHINESE)
        & ~found["joined"].isin(single)
    )
    frame = found[keep].rename(columns={"joined": "term", "collocation": "parts"})
    frame = frame[["term", "parts", "count", "n_docs", "g2"]].drop_duplicates("term").reset_index(drop=True)
    frame["suggested_entry"] = frame["term"] + " 20000 nz"
    return frame
