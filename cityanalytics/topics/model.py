"""TopicModel: scikit-learn-style topic models over paragraphs, sections or documents, with tidy outputs.

``TopicModel(n_topics, engine=..., random_state=...)`` stores its parameters; ``fit(tokens)``
returns the model with fitted attributes ending in ``_``. Engines and determinism:

- ``"gensim-lda"`` (default): gensim's ``LdaModel``, variational Bayes; the same
  ``random_state`` gives the same topics. (gensim's ``LdaMulticore`` does not, so it is not offered.)
- ``"sklearn-lda"``: scikit-learn's batch ``LatentDirichletAllocation``; deterministic per seed.
- ``"sklearn-nmf"``: scikit-learn's ``NMF`` on tf-idf with the seeded ``nndsvdar`` start;
  deterministic per seed (the unseeded default start would give the same topics for every seed,
  which would make any stability-across-seeds check meaningless).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import rankdata

from cityanalytics.dtm import DTM, dtm
from cityanalytics.text.tokens import Tokens

ENGINES = ("gensim-lda", "sklearn-lda", "sklearn-nmf")
UNITS = ("paragraph", "section", "document")
MODEL_COLUMNS = ("n_terms", "topic", "share")
"""Columns the model adds beside the units' docvars (``units_``, ``doc_topics_``): no docvar may take their names."""


def frex(components: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """FREX scores as stm's ``calcfrex`` computes them (Bischof & Airoldi 2012): the weighted
    harmonic mean of the within-topic ranks (over the number of terms) of a term's frequency
    (β_kw), weighted by ``weight``, and of its exclusivity (β_kw / Σ_j β_jw). Tied values share
    their average rank, as ``data.table::frank`` gives them to stm, so terms of equal weight
    (many near zero in an NMF topic) score alike instead of by their column. Unlike stm's
    ``labelTopics`` there is no James–Stein shrinkage of exclusivity by word counts, so very
    rare exclusive terms rank high."""
    totals = components.sum(axis=0, keepdims=True)
    exclusivity = np.divide(components, totals, out=np.zeros_like(components, dtype=float), where=totals > 0)

    def ranks(values: np.ndarray) -> np.ndarray:
        return rankdata(values, method="average", axis=1) / values.shape[1]

    return 1.0 / (weight / ranks(components) + (1 - weight) / ranks(exclusivity))


class TopicModel:
    """A topic model of a corpus's units with tidy fitted tables.

    Fitted attributes: ``vocabulary_`` (terms), ``components_`` (topics × terms, rows sum to 1),
    ``doc_topic_`` (units × topics, rows sum to 1; for NMF these are normalised loadings, not
    probabilities, and NaN for a unit the factorisation leaves unexplained), ``units_`` (unit keys,
    docvars and n_terms),
    ``texts_`` (each unit's terms, the reference corpus for coherence), and the tables
    ``topic_terms_`` (topic, term, weight, rank), ``doc_topics_`` (unit keys, docvars, topic,
    share) and ``labels_`` (topic, top_terms, frex_terms and, with a codebook, theme, theme_label,
    theme_weight). Terms in fewer than ``min_docs`` units or in more than ``max_docs_share`` of
    them are left out before fitting; units left without any term are left out with a warning.
    """

    def __init__(self, n_topics: int = 10, *, engine: str = "gensim-lda", unit: str = "paragraph",
                 random_state: int = 0, min_docs: int = 2, max_docs_share: float = 0.5, n_top: int = 10,
                 passes: int = 20, max_iter: int | None = None, codebook=None):
        """``passes`` is gensim's number of passes over the corpus (the scikit-learn engines ignore
        it); ``max_iter`` is gensim's inner iterations per document, scikit-learn LDA's passes, or
        NMF's iterations (None: each engine's default)."""
        self.n_topics = n_topics
        self.engine = engine
        self.unit = unit
        self.random_state = random_state
        self.min_docs = min_docs
        self.max_docs_share = max_docs_share
        self.n_top = n_top
        self.passes = passes
        self.max_iter = max_iter
        self.codebook = codebook

    def __repr__(self) -> str:
        return f"TopicModel(n_topics={self.n_topics}, engine={self.engine!r}, unit={self.unit!r}, random_state={self.random_state})"

    def fit(self, tokens: Tokens) -> TopicModel:
        """Fit the model to the units of ``tokens``; returns the model."""
        return self.fit_units(self.units(tokens))

    def units(self, tokens: Tokens) -> tuple[DTM, list[list[str]]]:
        """The model's input: unit counts trimmed by document frequency (without empty units) and each
        unit's terms in text order. It depends only on ``unit``, ``min_docs`` and ``max_docs_share``,
        so a sweep over K and seeds computes it once and passes it to :meth:`fit_units`."""
        if not isinstance(tokens, Tokens):
            raise TypeError(f"a topic model is fitted to tokens (ca.tokenize(corpus)), not to a {type(tokens).__name__}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, not {self.unit!r}")
        matrix = dtm(tokens, unit=self.unit).trim(min_docs=self.min_docs, max_docs_share=self.max_docs_share)
        keep = np.asarray(matrix.counts.sum(axis=1)).ravel() > 0
        if not keep.all():
            warnings.warn(f"{int((~keep).sum())} {self.unit}(s) have no term after trimming and are left out",
                          UserWarning, stacklevel=3)
        matrix = DTM(matrix.counts[keep], matrix.vocabulary, matrix.rows[keep].reset_index(drop=True), "count",
                     matrix.keys, matrix.totals[keep])
        return matrix, _unit_texts(tokens, matrix)

    def fit_units(self, units: tuple[DTM, list[list[str]]]) -> TopicModel:
        """Fit the model to the output of :meth:`units`; returns the model."""
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {self.engine!r}")
        if not isinstance(self.n_topics, (int, np.integer)) or self.n_topics < 1:
            raise ValueError(f"n_topics must be a positive whole number, not {self.n_topics!r}")
        matrix, texts = units
        taken = sorted(set(matrix.rows.columns) & set(MODEL_COLUMNS))
        if taken:
            raise ValueError(f"docvar(s) {taken} have the names of columns the model adds to its units "
                             f"({', '.join(MODEL_COLUMNS)}); rename them before fitting")
        if matrix.shape[0] < self.n_topics or matrix.shape[1] < self.n_topics:
            raise ValueError(f"{matrix.shape[0]} units and {matrix.shape[1]} terms are too few for {self.n_topics} topics "
                             f"(terms kept: in at least min_docs={self.min_docs} units and at most "
                             f"max_docs_share={self.max_docs_share} of them)")
        fit = {"gensim-lda": self._fit_gensim_lda, "sklearn-lda": self._fit_sklearn_lda, "sklearn-nmf": self._fit_nmf}
        components, doc_topic = fit[self.engine](matrix.counts)
        self.components_ = components / components.sum(axis=1, keepdims=True)
        totals = doc_topic.sum(axis=1, keepdims=True)
        unexplained = totals[:, 0] <= 1e-9 * max(float(totals.max()), 1e-300)
        if unexplained.any():
            warnings.warn(f"{int(unexplained.sum())} unit(s) have (almost) no weight on any topic; their shares are "
                          "NaN and prevalence and effects leave them out", UserWarning, stacklevel=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.doc_topic_ = np.where(unexplained[:, None], np.nan, doc_topic / totals)
        self.vocabulary_ = matrix.vocabulary
        self.units_ = matrix.rows.assign(n_terms=np.asarray(matrix.counts.sum(axis=1)).ravel().astype(int))
        self.texts_ = texts
        self.topic_terms_ = self._topic_terms()
        self.doc_topics_ = self._doc_topics()
        self.labels_ = self._labels()
        return self

    def check_fitted(self) -> None:
        """Raise scikit-learn's NotFittedError unless :meth:`fit` has run: the tables come from a fit."""
        if not hasattr(self, "units_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(f"this {self!r} is not fitted yet: call .fit(tokens) first")

    def _iterations(self) -> int:
        """``max_iter``, or the engine's default: gensim 200 inner iterations, sklearn LDA 50 passes, NMF 500."""
        return self.max_iter or {"gensim-lda": 200, "sklearn-lda": 50, "sklearn-nmf": 500}[self.engine]

    def _fit_gensim_lda(self, counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        from gensim.matutils import Sparse2Corpus
        from gensim.models import LdaModel

        corpus = list(Sparse2Corpus(counts, documents_columns=False))
        model = LdaModel(corpus, num_topics=self.n_topics, id2word={i: str(i) for i in range(counts.shape[1])},
                         random_state=self.random_state, passes=self.passes, iterations=self._iterations(),
                         eval_every=None, chunksize=max(len(corpus), 1))
        doc_topic = np.zeros((counts.shape[0], self.n_topics))
        for row, bow in enumerate(corpus):
            for topic, share in model.get_document_topics(bow, minimum_probability=0.0):
                doc_topic[row, topic] = share
        return model.get_topics(), doc_topic

    def _fit_sklearn_lda(self, counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.decomposition import LatentDirichletAllocation

        model = LatentDirichletAllocation(n_components=self.n_topics, learning_method="batch",
                                          max_iter=self._iterations(), random_state=self.random_state)
        doc_topic = model.fit_transform(counts)
        return model.components_, doc_topic

    def _fit_nmf(self, counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer

        weights = TfidfTransformer().fit_transform(counts)
        model = NMF(n_components=self.n_topics, init="nndsvdar", max_iter=self._iterations(), random_state=self.random_state)
        doc_topic = model.fit_transform(weights)
        return model.components_ + 1e-12, doc_topic

    def _topic_terms(self) -> pd.DataFrame:
        order = np.argsort(-self.components_, axis=1, kind="stable")[:, : self.n_top]
        rows = [(k, self.vocabulary_[j], self.components_[k, j], r + 1) for k in range(self.n_topics)
                for r, j in enumerate(order[k])]
        return pd.DataFrame(rows, columns=["topic", "term", "weight", "rank"])

    def _doc_topics(self) -> pd.DataFrame:
        long = pd.DataFrame(self.doc_topic_).stack().rename("share").reset_index()
        long.columns = ["_unit", "topic", "share"]
        units = self.units_.iloc[long["_unit"].to_numpy()].reset_index(drop=True)
        return pd.concat([units, long[["topic", "share"]]], axis=1)

    def _labels(self) -> pd.DataFrame:
        top = self.topic_terms_.groupby("topic")["term"].agg(" ".join)
        frex_order = np.argsort(-frex(self.components_), axis=1, kind="stable")[:, : self.n_top]
        labels = pd.DataFrame({"topic": range(self.n_topics), "top_terms": top.to_numpy(),
                               "frex_terms": [" ".join(self.vocabulary_[j]) for j in frex_order]})
        if self.codebook is not None:
            from cityanalytics.analysis.codebook import as_codebook

            book = as_codebook(self.codebook)
            weights = np.stack([self.components_[:, np.isin(self.vocabulary_, t.terms)].sum(axis=1) for t in book.themes],
                               axis=1)
            best = weights.argmax(axis=1)
            named = weights.max(axis=1) > 0  # a topic none of whose terms is a theme's has no theme
            labels["theme"] = [book.themes[b].key if ok else None for b, ok in zip(best, named)]
            labels["theme_label"] = [book.themes[b].label if ok else None for b, ok in zip(best, named)]
            labels["theme_weight"] = weights[np.arange(self.n_topics), best]
        return labels


def _unit_texts(tokens: Tokens, matrix: DTM) -> list[list[str]]:
    """Each unit's terms in text order, restricted to the model's vocabulary: the coherence reference
    corpus (sliding-window measures need the order)."""
    keys = list(matrix.keys)
    terms = tokens.to_frame(terms_only=True)
    terms = terms[terms["token"].isin(matrix.vocabulary)].astype({"doc_id": str, "token": str})
    texts = terms.sort_values([*keys, "i"]).groupby(keys, sort=False)["token"].agg(list)
    index = pd.MultiIndex.from_frame(matrix.rows[keys]) if len(keys) > 1 else pd.Index(matrix.rows[keys[0]])
    return [list(t) for t in texts.reindex(index)]
