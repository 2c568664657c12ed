"""Counting tokens into a sparse row × term matrix in compiled passes, with numba.

scipy builds a CSR matrix from (row, column) pairs by sorting them; tokens arrive grouped by
row (a document's tokens are contiguous in the token table), so counting each row's terms in
a dense scratch vector and sorting only the row's distinct terms does the same in linear time,
and ranges of rows can be counted side by side in threads. The terms that never occur (words
that are only ever punctuation, stopwords or numbers) get no column: each range's cells are
renumbered as they are written into the matrix, again side by side.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit

from cityanalytics.cores import even_ranges, in_threads

_DE_BRUIJN = 0x03F79D71B4CB0A89
_BIT_OF_PRODUCT = np.zeros(64, np.int64)
_BIT_OF_PRODUCT[[((1 << bit) * _DE_BRUIJN % 2**64) >> 58 for bit in range(64)]] = np.arange(64)
"""Which bit a 64-bit word with one bit set has, by the top six bits of its product with a de Bruijn
sequence (the product is unique for each of the 64 words)."""


FEW = 32
"""Up to this many distinct terms (a line's or a paragraph's: a line of the regulations has 25
tokens at the median) are sorted by insertion, which for so few beats finding their span and
sorting them otherwise (counting 207,464 lines: 0.07 s against 0.16 s)."""


@njit(cache=True, nogil=True)
def _sort_distinct(values, bits):
    """Sort distinct non-negative integers in place. A few (:data:`FEW`) by insertion; where they
    are dense (at least one per 16 words of 64 between the smallest and the largest), set them as
    bits of ``bits`` (all zero, and left so) and read them back in order, in time linear in their
    number and span; else sort them."""
    if values.size <= FEW:
        for i in range(1, values.size):
            value, j = values[i], i - 1
            while j >= 0 and values[j] > value:
                values[j + 1] = values[j]
                j -= 1
            values[j + 1] = value
        return
    low, high = values.min() >> 6, values.max() >> 6
    if values.size * 16 < high - low + 1:
        values.sort()
        return
    for value in values:
        bits[value >> 6] |= np.uint64(1) << np.uint64(value & 63)
    k = 0
    for word in range(low, high + 1):
        w = bits[word]
        bits[word] = np.uint64(0)
        while w != 0:
            lowest = w & (~w + np.uint64(1))
            values[k] = word * 64 + _BIT_OF_PRODUCT[np.intp((lowest * np.uint64(_DE_BRUIJN)) >> np.uint64(58))]
            k += 1
            w ^= lowest


@njit(cache=True, nogil=True)
def _count_rows(start, end, columns, keep, row_start, n_columns, indices, data):
    """For rows start..end-1 (row r's tokens are ``columns[row_start[r]:row_start[r + 1]]``, those
    with ``keep`` counted), written into ``indices`` and ``data`` (room for every token of the
    rows): each row's distinct columns in ascending order with their counts. Returns each row's
    number of distinct columns, which columns occur, and -1, or the position of a kept column
    outside 0..n_columns-1."""
    per_row = np.zeros(end - start, np.int64)
    scratch = np.zeros(n_columns, np.int64)
    occurs = np.zeros(n_columns, np.bool_)
    bits = np.zeros((n_columns + 63) // 64, np.uint64)
    k = 0
    for row in range(start, end):
        first = k
        for t in range(row_start[row], row_start[row + 1]):
            if not keep[t]:
                continue
            column = columns[t]
            if column < 0 or column >= n_columns:
                return per_row, occurs, t
            if scratch[column] == 0:
                indices[k] = column
                occurs[column] = True
                k += 1
            scratch[column] += 1
        _sort_distinct(indices[first:k], bits)
        for j in range(first, k):
            data[j] = scratch[indices[j]]
            scratch[indices[j]] = 0
        per_row[row - start] = k - first
    return per_row, occurs, -1


@njit(cache=True, nogil=True)
def _place(indices, data, n_cells, new_column, offset, out_indices, out_data):
    """One range's first ``n_cells`` cells written from ``offset`` on into the whole matrix's
    arrays (which may be the range's own), each column renumbered by ``new_column`` (which keeps
    their order)."""
    for j in range(n_cells):
        out_indices[offset + j] = new_column[indices[j]]
        out_data[offset + j] = data[j]


@njit(cache=True, nogil=True)
def _row_starts(rows, n_rows):
    """Where each row's tokens start once they are grouped by row in ascending order (and where
    the last ends), with 0 if they are grouped so already, 1 if not, or 2 if a row lies outside
    0..n_rows-1. Grouped rows, as a token table has them, are read as runs, compared token by
    token and written at each change of row; others are counted.

    ``np.bincount`` would first copy the small integer codes into a 64-bit array."""
    starts = np.zeros(n_rows + 1, np.int64)
    if rows.size and rows[0] == -1:  # the one row outside that the first comparison below would pass over
        return starts, 2
    current = -1  # the row of the tokens before: every row up to it has its start
    for t in range(rows.size):
        row = rows[t]
        if row != current:
            if row < 0 or row >= n_rows:
                return starts, 2
            if row < current:
                return _counted_row_starts(rows, n_rows)
            starts[current + 1 : row + 1] = t
            current = row
    starts[current + 1 :] = rows.size
    return starts, 0


@njit(cache=True, nogil=True)
def _counted_row_starts(rows, n_rows):
    """:func:`_row_starts` of rows in any order (1), counting each row's tokens; 2 if a row lies outside."""
    counts = np.zeros(n_rows + 1, np.int64)
    for t in range(rows.size):
        row = rows[t]
        if row < 0 or row >= n_rows:
            return counts, 2
        counts[row + 1] += 1
    return np.cumsum(counts), 1


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int], keep: np.ndarray | None = None,
                 threads: int = 1) -> tuple[sp.csr_matrix, np.ndarray]:
    """How often each (row, column) pair occurs among the tokens ``keep`` marks (all if None), as a
    CSR matrix over the columns that occur, with sorted column indices and no stored zeros, and
    those columns in ascending order: ``csr_matrix((ones, (rows, columns)), shape)`` with its
    duplicates summed and its empty columns dropped. ``threads`` count ranges of rows side by side
    and write their cells into the matrix side by side."""
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

    def count(start: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        size = row_start[end] - row_start[start]
        indices, data = np.empty(size, dtype=np.int32), np.empty(size, dtype=np.int64)
        return indices, data, *_count_rows(start, end, columns, keep, row_start, shape[1], indices, data)

    ranges = even_ranges(np.diff(row_start), threads)
    counted = dict(zip(ranges, in_threads(count, ranges)))
    indices, data, per_row, occurs, outside = zip(*counted.values())
    for bad in (position for position in outside if position >= 0):
        raise ValueError(f"column code {columns[bad]} of a counted token lies outside 0..{shape[1] - 1}")
    occurring = np.flatnonzero(np.logical_or.reduce(occurs))
    new_column = np.zeros(shape[1], dtype=np.int32)
    new_column[occurring] = np.arange(len(occurring), dtype=np.int32)
    n_cells = int(sum(part.sum() for part in per_row))
    indptr = np.zeros(shape[0] + 1, dtype=np.int32 if n_cells < 2**31 else np.int64)
    np.cumsum(np.concatenate(per_row), out=indptr[1:])
    one_range = len(ranges) == 1  # its arrays become the matrix's: renumbered in place, then cut to size
    out_indices = indices[0] if one_range else np.empty(n_cells, dtype=np.int32)
    out_data = data[0] if one_range else np.empty(n_cells, dtype=np.int64)

    def place(start: int, end: int) -> None:
        range_indices, range_data, *_ = counted[start, end]
        _place(range_indices, range_data, indptr[end] - indptr[start], new_column, indptr[start], out_indices,
               out_data)

    in_threads(place, ranges)
    if one_range:  # shrunk where they lie, so the matrix holds no room for every token; safe as no view of them exists
        out_indices.resize(n_cells, refcheck=False)
        out_data.resize(n_cells, refcheck=False)
    matrix = sp.csr_matrix((out_data, out_indices, indptr), shape=(shape[0], len(occurring)))
    matrix.has_sorted_indices = True
    return matrix, occurring
