"""Document-term matrices: sparse counts with their vocabulary and docvars; group, trim, weight.

A :class:`DTM` never re-tokenises: it is built from :class:`~cityanalytics.text.tokens.Tokens`
and counts only the tokens marked ``is_term``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numba import njit

from cityanalytics.cores import worker_count
from cityanalytics.counting import count_matrix
from cityanalytics.text.encoding import category_codes, word_array
from cityanalytics.text.tokens import Tokens

UNITS = {"document": ["doc_id"], "section": ["doc_id", "section"], "paragraph": ["doc_id", "para"]}


def blank_values(values: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Where a docvar says nothing: a missing value, or text that is empty or only whitespace. Every
    analysis takes the same values for "no city", so their groups and totals agree."""
    def blank(column: pd.Series) -> pd.Series:
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            return column.isna()
        texts = column.map(lambda value: isinstance(value, str) and value.strip() == "")
        return column.isna() | texts.astype(bool)

    return values.apply(blank) if isinstance(values, pd.DataFrame) else blank(values)


def group_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group codes for the rows of ``frame`` and the groups, sorted, missing values last.

    Missing and blank (empty or whitespace) values are one group of their own (None), so grouping never drops a
    document and never treats "no city" as a city called "". A column whose values cannot be
    sorted together (text and numbers mixed, lists) is refused by name.
    """
    for column in [c for c, dtype in frame.dtypes.items() if dtype == np.dtype(object)]:  # only Python objects mix kinds
        kinds = {type(value) for value in frame[column].dropna()}
        texts = {issubclass(kind, str) for kind in kinds}
        if len(texts) > 1 or any(kind.__hash__ is None for kind in kinds):
            raise ValueError(f"cannot group by {column!r}: its values mix {', '.join(sorted(k.__name__ for k in kinds))}; "
                             f"give it one kind (all text or all numbers)")
    dtypes = frame.dtypes
    frame = frame.astype(object).where(~blank_values(frame), None)
    groups = frame.drop_duplicates().sort_values(list(frame.columns), na_position="last").reset_index(drop=True)
    codes = pd.MultiIndex.from_frame(groups).get_indexer(pd.MultiIndex.from_frame(frame))
    for column, dtype in dtypes.items():
        if pd.api.types.is_extension_array_dtype(dtype):
            groups[column] = groups[column].astype(dtype)
    return codes, groups


@dataclass(frozen=True)
class DTM:
    """Rows are units (documents, sections, paragraphs or groups), columns are terms.

    ``counts`` is a ``scipy.sparse.csr_matrix``; ``vocabulary`` the terms in column order;
    ``rows`` a DataFrame of row keys and docvars (with ``n_docs`` after grouping);
    ``weighting`` says what the values are: ``count`` or ``tfidf``; ``totals`` the term tokens
    of each row when the matrix was built, which trimming leaves unchanged (rates stay per
    10,000 term tokens of the text, not of the terms that survived a trim).
    """

    counts: sp.csr_matrix
    vocabulary: np.ndarray
    rows: pd.DataFrame
    weighting: str = "count"
    keys: tuple[str, ...] = field(default=("doc_id",))
    totals: np.ndarray | None = None

    def __post_init__(self):
        if self.totals is None:
            object.__setattr__(self, "totals", np.asarray(self.counts.sum(axis=1)).ravel().astype(float))

    @property
    def shape(self) -> tuple[int, int]:
        return self.counts.shape

    @property
    def n_tokens(self) -> np.ndarray:
        """Term tokens of each row (the denominator of rates per 10,000 tokens), unchanged by trim."""
        return self.totals

    def __repr__(self) -> str:
        return f"DTM({self.shape[0]} {'×'.join(self.keys)} rows × {self.shape[1]} terms, {self.weighting})"

    def group(self, by: str | list[str]) -> DTM:
        """Sum rows within groups of one or more docvars (``group("city")``); adds ``n_docs``.

        Rows whose docvar is missing form a group of their own (shown as missing)."""
        if self.weighting != "count":
            raise ValueError("group counts before weighting them")
        by = [by] if isinstance(by, str) else list(by)
        missing = [b for b in by if b not in self.rows.columns]
        if missing:
            raise KeyError(f"cannot group by {missing}: not a docvar; docvars are {list(self.rows.columns)}")
        if "n_docs" in by:
            raise ValueError("cannot group by 'n_docs': it is the count of documents group() adds; rename that docvar")
        codes, rows = group_codes(self.rows[by])
        indicator = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(rows), len(codes)))
        grouped = (indicator @ self.counts).tocsr()
        if "doc_id" in self.rows:
            rows["n_docs"] = self.rows["doc_id"].groupby(codes).nunique().to_numpy()
        else:  # rows that are groups already: their documents add up
            rows["n_docs"] = np.bincount(codes, weights=self.rows["n_docs"], minlength=len(rows)).astype(np.int64)
        totals = np.bincount(codes, weights=self.totals, minlength=len(rows))
        return DTM(grouped, self.vocabulary, rows, "count", tuple(by), totals)

    def trim(self, min_count: int = 1, min_docs: int = 1, max_docs_share: float = 1.0) -> DTM:
        """Keep terms with at least ``min_count`` occurrences in at least ``min_docs`` rows and at most
        ``max_docs_share`` of the rows."""
        total = np.asarray(self.counts.sum(axis=0)).ravel()
        docs = np.diff(self.counts.tocsc().indptr)
        keep = (total >= min_count) & (docs >= min_docs) & (docs <= max_docs_share * self.shape[0])
        return DTM(self.counts[:, keep].tocsr(), self.vocabulary[keep], self.rows, self.weighting, self.keys, self.totals)

    def tfidf(self, smooth: bool = True, sublinear: bool = False, norm: str | None = "l2") -> DTM:
        """tf-idf weights with scikit-learn's definition (smooth idf = ln((1+n)/(1+df)) + 1)."""
        from sklearn.feature_extraction.text import TfidfTransformer

        if self.weighting != "count":
            raise ValueError("tf-idf is computed from counts")
        if self.counts.nnz == 0:
            return DTM(self.counts.astype(float), self.vocabulary, self.rows, "tfidf", self.keys, self.totals)
        weights = TfidfTransformer(norm=norm, smooth_idf=smooth, sublinear_tf=sublinear).fit_transform(self.counts)
        return DTM(weights.tocsr(), self.vocabulary, self.rows, "tfidf", self.keys, self.totals)

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table of the non-zero cells: the row keys, ``term`` and ``count`` (or ``weight``)."""
        coo = self.counts.tocoo()
        order = np.lexsort((coo.col, coo.row))
        table = self.rows[list(self.keys)].iloc[coo.row[order]].reset_index(drop=True)
        table["term"] = self.vocabulary[coo.col[order]]
        table["count" if self.weighting == "count" else "weight"] = coo.data[order]
        if self.weighting == "count":
            table["count"] = table["count"].astype("int64")
        return table


def _units_in_order(table: pd.DataFrame, keys: list[str], doc_ids: pd.Index) -> tuple[np.ndarray, pd.DataFrame]:
    """The unit (doc_id and section or paragraph) of every token, and the units' keys in order of first appearance
    (``doc_ids`` the table's doc_id categories as strings, so each document's is made once, not each unit's).

    Works on integer codes, so no string column of token length is built: tokens in document
    order (as ``tokenize`` and the cache give them) take one compiled pass; others are grouped
    by a key of the document's code and the section or paragraph number.
    """
    documents = category_codes(table["doc_id"])
    if len(documents) and documents.min() < 0:
        raise ValueError("every token needs a doc_id: some have none")
    numbers = table[keys[1]].to_numpy()
    inner = numbers if numbers.dtype.kind in "iu" else numbers.astype(np.int64)  # a table built or changed by hand
    unit = np.empty(len(table), dtype=np.int32 if len(table) < 2**31 else np.int64)
    first, ordered = _unit_runs(documents, inner, unit)
    if not ordered:
        shifted = inner.astype(np.int64) - inner.min()
        key = documents.astype(np.int64) * (int(shifted.max()) + 1) + shifted
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        first, unit = first[order], rank[inverse.ravel()]
    return unit, pd.DataFrame({"doc_id": doc_ids[documents[first]], keys[1]: numbers[first]})


@njit(cache=True, nogil=True)
def _unit_runs(documents, inner, unit):
    """For tokens in document order, each token's unit written into ``unit`` (a new unit wherever the
    document or the section or paragraph number changes) and the first token of each unit, with
    True; False as soon as a token's (document, number) comes before the one of the token before it."""
    first = np.empty(documents.size, np.int64)
    n_units = 0
    for t in range(documents.size):
        if t == 0 or documents[t] != documents[t - 1] or inner[t] != inner[t - 1]:
            if t > 0 and (documents[t] < documents[t - 1] or (documents[t] == documents[t - 1] and inner[t] < inner[t - 1])):
                return first[:0], False
            first[n_units] = t
            n_units += 1
        unit[t] = n_units - 1
    return first[:n_units].copy(), True


def with_docvars(rows: pd.DataFrame, docvars: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (one per unit, keyed by ``doc_id``) with their documents' docvars: a left merge on
    doc_id. Where the rows are the docvars' own documents in their order, as they are for a
    document-term matrix of a whole token table, the docvars are set beside them as they stand,
    which gives the same table without matching every doc_id as a string (0.03 s for 200,000
    short documents)."""
    if rows["doc_id"].equals(docvars["doc_id"]):
        return pd.concat([rows, docvars.drop(columns="doc_id")], axis=1)
    return rows.merge(docvars, on="doc_id", how="left")


def dtm(tokens: Tokens, unit: str = "document", *, n_jobs: int = 1) -> DTM:
    """Count the terms of each document (or section, or paragraph) into a sparse matrix.

    Rows carry the docvars; the vocabulary is sorted, so the same tokens give the same matrix.
    ``n_jobs`` threads count ranges of rows side by side (-1: every core).
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS)}, not {unit!r}")
    keys = UNITS[unit]
    table = tokens.table
    doc_ids = table["doc_id"].cat.categories.astype(str)
    if unit == "document":
        row_codes, rows = category_codes(table["doc_id"]), pd.DataFrame({"doc_id": doc_ids})
    else:
        row_codes, rows = _units_in_order(table, keys, doc_ids)
    words = table["token"].cat.categories
    counts, occurring = count_matrix(row_codes, category_codes(table["token"]), shape=(len(rows), len(words)),
                                     keep=table["is_term"].to_numpy(), threads=worker_count(n_jobs))
    return DTM(counts, word_array(words[occurring]), with_docvars(rows, tokens.docvars), "count", tuple(keys))  # only the terms that occur


def stack(parts: Iterable[DTM], keys: tuple[str, ...] | None = None) -> DTM:
    """One count matrix from count matrices of different rows (chunks of a corpus), over all their terms.

    ``parts`` is consumed one at a time and only the merged counts are kept, so chunks counted in
    a stream or on other machines need not be in memory together. Rows keep the order of the
    parts; terms come out sorted, as :func:`dtm` gives them. ``keys`` are the row keys every part
    must have (by default the first part's); with them, no parts give a matrix of no rows, as
    :func:`dtm` gives for a corpus of no documents.
    """
    columns: dict[str, int] = {}
    data, indices, indptr, rows, totals = [], [], [np.zeros(1, dtype=np.int64)], [], []
    n_stored = 0  # non-zero cells so far: where the next part's row pointers start
    for part in parts:
        if part.weighting != "count":
            raise ValueError("stack counts, not weights")
        if keys is not None and part.keys != keys:
            raise ValueError(f"cannot stack rows keyed by {part.keys} under rows keyed by {keys}")
        keys = part.keys
        counts = part.counts.tocsr()
        column = np.fromiter((columns.setdefault(term, len(columns)) for term in part.vocabulary.tolist()),
                             dtype=np.int64, count=len(part.vocabulary))
        data.append(counts.data)
        indices.append(column[counts.indices])
        indptr.append(counts.indptr[1:].astype(np.int64) + n_stored)
        n_stored += counts.nnz
        rows.append(part.rows)
        totals.append(part.totals)
    if keys is None:
        raise ValueError("no count matrices to stack")
    if not rows:
        return DTM(sp.csr_matrix((0, 0), dtype=np.int64), np.zeros(0, dtype=object), pd.DataFrame(columns=list(keys)),
                   "count", keys, np.zeros(0))
    vocabulary = word_array(columns)
    order = np.argsort(vocabulary, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    shape = (sum(len(r) for r in rows), len(vocabulary))
    counts = sp.csr_matrix((np.concatenate(data), position[np.concatenate(indices)], np.concatenate(indptr)), shape=shape)
    counts.sort_indices()
    return DTM(counts, vocabulary[order], _concat_rows(rows), "count", keys, np.concatenate(totals))


def _concat_rows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts' rows one under another, with each docvar's type inferred over all rows at once.

    A part where a docvar is missing throughout has it as an object column of None; stacked
    onto parts where it is text or a number, the column stays object. Inferring again from the
    values gives the type the whole corpus loaded at once would have had.
    """
    table = pd.concat(parts, ignore_index=True)
    for column in [c for c, dtype in table.dtypes.items() if dtype == np.dtype(object)]:
        table[column] = pd.Series(table[column].tolist(), index=table.index)
    return table
