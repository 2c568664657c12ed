"""Counting tokens into a sparse row × term matrix in one pass, compiled with numba.

scipy builds a CSR matrix from (row, column) pairs by sorting them; tokens arrive grouped by
row (a document's tokens are contiguous in the token table), so counting each row's terms in
a dense scratch vector and sorting only the row's distinct terms does the same in linear time,
and ranges of rows can be counted side by side in threads.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit

from cityanalytics.cores import even_ranges, in_threads


@njit(cache=True, nogil=True)
def _count_rows(start, end, columns, keep, row_start, n_columns):
    """For rows start..end-1 (row r's tokens are ``columns[row_start[r]:row_start[r + 1]]``, those
    with ``keep`` counted): each row's number of distinct columns, those columns in ascending
    order with their counts, and -1, or the position of a kept column outside 0..n_columns-1."""
    size = row_start[end] - row_start[start]
    indices = np.empty(size, np.int32)
    data = np.empty(size, np.int64)
    per_row = np.zeros(end - start, np.int64)
    scratch = np.zeros(n_columns, np.int64)
    k = 0
    for row in range(start, end):
        first = k
        for t in range(row_start[row], row_start[row + 1]):
            if not keep[t]:
                continue
            column = columns[t]
            if column < 0 or column >= n_columns:
                return per_row, indices[:0], data[:0], t
            if scratch[column] == 0:
                indices[k] = column
                k += 1
            scratch[column] += 1
        indices[first:k].sort()
        for j in range(first, k):
            data[j] = scratch[indices[j]]
            scratch[indices[j]] = 0
        per_row[row - start] = k - first
    return per_row, indices[:k], data[:k], -1


@njit(cache=True, nogil=True)
def _row_starts(rows, n_rows):
    """Where each row's tokens start once they are grouped by row in ascending order (and where
    the last ends), in one pass over ``rows``, with 0 if they are grouped so already, 1 if not,
    or 2 if a row lies outside 0..n_rows-1.

    ``np.bincount`` would first copy the small integer codes into a 64-bit array."""
    counts = np.zeros(n_rows + 1, np.int64)
    previous = 0
    grouped = 0
    for t in range(rows.size):
        row = rows[t]
        if row < 0 or row >= n_rows:
            return counts, 2
        if row < previous:
            grouped = 1
        previous = row
        counts[row + 1] += 1
    return np.cumsum(counts), grouped


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int], keep: np.ndarray | None = None,
                 threads: int = 1) -> sp.csr_matrix:
    """The CSR matrix of how often each (row, column) pair occurs among the tokens ``keep`` marks
    (all if None), with sorted column indices and no stored zeros: ``csr_matrix((ones, (rows,
    columns)))`` with its duplicates summed. ``threads`` count ranges of rows side by side."""
    rows, columns = np.asarray(rows), np.asarray(columns)
    for name, codes in (("row", rows), ("column", columns)):
        if not np.issubdtype(codes.dtype, np.integer):
            raise TypeError(f"{name} codes must be integers, not {codes.dtype}")
    row_start, problem = _row_starts(rows, shape[0])
    if problem == 2:
        raise ValueError(f"row codes must lie in 0..{shape[0] - 1}, not {rows.min()}..{rows.max()}")
    keep = np.ones(len(rows), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    if problem == 1:
        order = np.argsort(rows, kind="stable")
        columns, keep = columns[order], keep[order]

    def count(start: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        return _count_rows(start, end, columns, keep, row_start, shape[1])

    parts = in_threads(count, even_ranges(np.diff(row_start), threads))
    per_row, indices, data, outside = zip(*parts)
    for bad in (position for position in outside if position >= 0):
        raise ValueError(f"column code {columns[bad]} of a counted token lies outside 0..{shape[1] - 1}")
    per_row, indices, data = np.concatenate(per_row), np.concatenate(indices), np.concatenate(data)
    indptr = np.zeros(shape[0] + 1, dtype=np.int32 if len(data) < 2**31 else np.int64)
    np.cumsum(per_row, out=indptr[1:])
    matrix = sp.csr_matrix((data, indices, indptr), shape=shape)
    matrix.has_sorted_indices = True
    return matrix
