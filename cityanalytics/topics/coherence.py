"""Topic coherence (u_mass, c_npmi, c_v) from one count of a reference corpus, shared by every model.

The values are gensim's ``CoherenceModel`` values (Röder et al. 2015 pipelines, gensim's
conventions), but the reference corpus is counted once into a binary window×term matrix per
window size, for the whole vocabulary; scoring a set of topics then multiplies the few columns of
its terms. A sweep over K and seeds thus scores every model without recounting the corpus, and
every engine's topics are scored the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sps

#: gensim's default sliding-window size per measure; None: whole texts (boolean document).
WINDOWS: dict[str, int | None] = {"c_v": 110, "c_npmi": 10, "u_mass": None}
#: gensim's smoothing constant of the confirmation measures.
EPSILON = 1e-12


def _incidence(codes: np.ndarray, lengths: np.ndarray, window: int, n_terms: int) -> sps.csc_matrix:
    """Binary window×term matrix of gensim's boolean sliding windows over each text.

    A text of n tokens gives max(1, n - window + 1) windows (a short or empty text is one window).
    Presence follows gensim's ``WordOccurrenceAccumulator`` exactly: when the window slides, the
    token leaving it is marked absent even if it occurs again inside the window, until it next
    enters at the window's end. Token at position p enters at step max(0, p - window + 1); it is
    then present until the step after the first occurrence of the same term at or after that step.
    """
    n_windows = np.maximum(lengths - window + 1, 1)
    first_row = np.cumsum(n_windows) - n_windows
    text = np.repeat(np.arange(len(lengths)), lengths)
    pos = np.arange(len(codes)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    # occurrences grouped by (term, text), in text order within a group: column-major rows below
    order = np.argsort(codes.astype(np.int64) * len(lengths) + text, kind="stable")
    term, text, pos = codes[order], text[order], pos[order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (term[1:] != term[:-1]) | (text[1:] != text[:-1])
    group = np.cumsum(new_group)
    enter = np.maximum(pos - window + 1, 0)
    stride = int(lengths.max(initial=0)) + 1
    key = group * stride + pos
    leave = np.minimum(pos[np.searchsorted(key, group * stride + enter)] + 1, n_windows[text])
    start = enter.copy()
    later = ~new_group
    start[later] = np.maximum(enter[later], leave[:-1][later[1:]])
    span = np.maximum(leave - start, 0)
    total, n_rows = int(span.sum()), int(n_windows.sum())
    index = np.int32 if n_rows < np.iinfo(np.int32).max else np.int64  # halves the largest arrays
    rows = np.repeat((first_row[text] + start - (np.cumsum(span) - span)).astype(index), span)
    rows += np.arange(total, dtype=index)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(term, weights=span, minlength=n_terms))]).astype(np.int64)
    return sps.csc_matrix((np.ones(total, dtype=np.int8), rows, indptr), shape=(n_rows, n_terms))


def _mean(values: np.ndarray) -> float:
    """Arithmetic mean (gensim's aggregation); NaN without a warning when there is nothing to average."""
    return float(values.mean()) if values.size else np.nan


def _npmi(joint: np.ndarray, p: np.ndarray) -> np.ndarray:
    """gensim's normalised PMI, log((P(a,b) + ε) / (P(a)P(b))) / -log(P(a,b) + ε), for all pairs."""
    return np.log((joint + EPSILON) / np.outer(p, p)) / -np.log(joint + EPSILON)


def _u_mass(joint: np.ndarray, p: np.ndarray) -> float:
    """Mean of log((P(wi,wj) + ε) / P(wj)) over pairs i > j ('one_pre' segmentation)."""
    i, j = np.tril_indices(len(p), -1)
    return _mean(np.log((joint[i, j] + EPSILON) / p[j]))


def _c_npmi(joint: np.ndarray, p: np.ndarray) -> float:
    """Mean NPMI over ordered pairs i != j ('one_one' segmentation)."""
    return _mean(_npmi(joint, p)[~np.eye(len(p), dtype=bool)])


def _c_v(joint: np.ndarray, p: np.ndarray, ids: np.ndarray) -> float:
    """Mean cosine between each term's NPMI context vector and the whole topic's ('one_set').

    As in gensim, a context vector has one entry per distinct topic term (repeated terms add up).
    """
    _, slot = np.unique(ids, return_inverse=True)
    vectors = _npmi(joint, p) @ np.eye(slot.max() + 1)[slot]
    topic = vectors.sum(axis=0)
    return _mean(vectors @ topic / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(topic)))


class CoherenceIndex:
    """Document and sliding-window co-occurrence counts of a reference corpus, built once.

    ``texts`` are the reference corpus as token lists (e.g. the terms of each paragraph). Counts
    per window size are made on first use and kept; ``window`` fixes the sliding window of c_v and
    c_npmi, None uses gensim's defaults (110 for c_v, 10 for c_npmi). u_mass counts whole texts.
    """

    def __init__(self, texts: Sequence[Sequence[str]], window: int | None = None):
        if window is not None and window < 1:
            raise ValueError(f"window must be a positive number of tokens, not {window}")
        if not len(texts):
            raise ValueError("the reference corpus has no texts")
        self.window = window
        self._lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        codes, terms = pd.factorize(pd.Series([w for t in texts for w in t], dtype=object), sort=False)
        self._codes = codes.astype(np.int32)
        self.vocabulary = pd.Index(terms)
        self._counts: dict[int, sps.csc_matrix] = {}

    def _matrix(self, measure: str) -> sps.csc_matrix:
        """The window×term matrix the measure needs, counted on first use."""
        window = WINDOWS[measure] if self.window is None or measure == "u_mass" else self.window
        # a window as long as the longest text is every text whole: the boolean document model
        size = int(self._lengths.max(initial=1)) if window is None else window
        if size not in self._counts:
            self._counts[size] = _incidence(self._codes, self._lengths, size, len(self.vocabulary))
        return self._counts[size]

    def score(self, topics: Sequence[Sequence[str]], measure: str) -> np.ndarray:
        """Coherence of each topic (its top terms, in order) under ``measure``: c_v, c_npmi or u_mass.

        A topic with a term absent from the reference corpus scores NaN (gensim silently drops
        such terms, and raises when none is known); so does a topic of fewer than two terms for
        u_mass and c_npmi, which have no pairs to average.
        """
        if measure not in WINDOWS:
            raise ValueError(f"unknown coherence measure {measure!r}; choose from {sorted(WINDOWS)}")
        matrix = self._matrix(measure)
        ids = [self.vocabulary.get_indexer(list(topic)) for topic in topics]
        known = np.unique(np.concatenate([t[t >= 0] for t in ids] + [np.empty(0, dtype=np.intp)]))
        columns = matrix[:, known].astype(np.int64)
        joint = (columns.T @ columns).toarray() / matrix.shape[0]
        scores = np.full(len(ids), np.nan)
        for k, topic in enumerate(ids):
            if topic.size == 0 or (topic < 0).any():
                continue
            at = np.searchsorted(known, topic)
            sub = joint[np.ix_(at, at)]
            p = np.diag(sub).copy()
            if measure == "u_mass":
                scores[k] = _u_mass(sub, p)
            elif measure == "c_npmi":
                scores[k] = _c_npmi(sub, p)
            else:
                scores[k] = _c_v(sub, p, topic)
        return scores


def coherence(
    topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], measure: str = "c_v", window: int | None = None
) -> np.ndarray:
    """Coherence of each topic against ``texts`` in one call; build a :class:`CoherenceIndex` to reuse counts."""
    return CoherenceIndex(texts, window).score(topics, measure)
