"""Document similarity: how alike the vocabularies of documents are, as a tidy table of pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics.pairwise import cosine_similarity

from cityanalytics.dtm import DTM

WEIGHTINGS = ("tfidf", "count")
NOT_STATED = "(not stated)"
"""The label of a group whose docvar is missing (after :meth:`DTM.group`), as figures in English say it."""


def document_similarity(dtm: DTM, weighting: str = "tfidf") -> pd.DataFrame:
    """Cosine similarity of every pair of rows of ``dtm`` (both orders and the diagonal), in row order.

    ``weighting="tfidf"`` compares tf-idf weights (smooth idf, scikit-learn's definition), so
    words every document uses count for little; ``"count"`` compares raw counts. A row without
    any term has no direction: its similarities are NaN, not 0. Columns: ``doc_a``, ``doc_b``
    (the row keys, joined with "/" when there are several; a missing one reads "(not stated)"),
    ``similarity``.
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, not {weighting!r}")
    if dtm.weighting != "count":
        raise ValueError("document_similarity weights the counts itself; pass a count matrix")
    matrix = dtm.tfidf() if weighting == "tfidf" else dtm
    n_rows = matrix.shape[0]
    similarity = cosine_similarity(matrix.counts) if matrix.shape[1] else np.full((n_rows, n_rows), np.nan)
    empty = np.asarray(matrix.counts.sum(axis=1)).ravel() == 0
    similarity[empty, :] = np.nan
    similarity[:, empty] = np.nan
    keys = dtm.rows[list(dtm.keys)].astype(object)
    labels = keys.where(keys.notna(), NOT_STATED).astype(str).agg("/".join, axis=1).to_numpy()
    n = len(labels)
    return pd.DataFrame({
        "doc_a": np.repeat(labels, n),
        "doc_b": np.tile(labels, n),
        "similarity": np.round(similarity.ravel(), 12),
    })
