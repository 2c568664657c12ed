"""Counting tokens into a sparse row × term matrix in one pass, compiled with numba.

scipy builds a CSR matrix from (row, column) pairs by sorting them; tokens arrive grouped by
row (a document's tokens are contiguous in the token table), so counting each row's terms in
a dense scratch vector and sorting only the row's distinct terms does the same in linear time.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit


@njit(cache=True, nogil=True)
def _count_rows(columns, row_start, n_columns):
    """Per row r (its tokens' columns are ``columns[row_start[r]:row_start[r + 1]]``): how many
    distinct columns it has, and those columns in ascending order with their counts."""
    n_rows = row_start.size - 1
    indices = np.empty(columns.size, np.int32)
    data = np.empty(columns.size, np.int64)
    per_row = np.zeros(n_rows, np.int64)
    scratch = np.zeros(n_columns, np.int64)
    k = 0
    for row in range(n_rows):
        first = k
        for t in range(row_start[row], row_start[row + 1]):
            column = columns[t]
            if scratch[column] == 0:
                indices[k] = column
                k += 1
            scratch[column] += 1
        indices[first:k].sort()
        for j in range(first, k):
            data[j] = scratch[indices[j]]
            scratch[indices[j]] = 0
        per_row[row] = k - first
    return per_row, indices[:k], data[:k]


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """The CSR matrix of how often each (row, column) pair occurs, with sorted column indices
    and no stored zeros: what ``csr_matrix((ones, (rows, columns))).sum_duplicates()`` gives."""
    rows = np.asarray(rows, dtype=np.int64)
    columns = np.asarray(columns, dtype=np.int64)
    if len(rows) > 1 and not (rows[1:] >= rows[:-1]).all():
        order = np.argsort(rows, kind="stable")
        rows, columns = rows[order], columns[order]
    row_start = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=row_start[1:])
    per_row, indices, data = _count_rows(columns, row_start, shape[1])
    indptr = np.zeros(shape[0] + 1, dtype=np.int32 if len(data) < 2**31 else np.int64)
    np.cumsum(per_row, out=indptr[1:])
    matrix = sp.csr_matrix((data, indices, indptr), shape=shape)
    matrix.has_sorted_indices = True
    return matrix
