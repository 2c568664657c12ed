"""Text as an array of Unicode code points, the form the compiled kernels read.

A Python string indexes by code point, so position i of the array is character i of the
string; lone surrogates survive the round trip (Arrow's UTF-8 strings cannot hold them).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
from numba import njit

LONGEST_NUMPY_STRING = (2**31 - 1) // 4
"""The most characters numpy holds in one string item (it keeps the item size, 4 bytes per
character, in a C int)."""


def code_points(text: str) -> np.ndarray:
    """The int32 code points of ``text``, in a writable array (as every kernel receives them, so
    each is compiled for one kind of array).

    numpy stores a string item as one 32-bit code point per character, so viewing a one-item
    array is one conversion, ten times faster than encoding to UTF-32 and copying the bytes;
    only longer strings than numpy holds take that way."""
    if not text:
        return np.zeros(0, dtype=np.int32)
    if len(text) <= LONGEST_NUMPY_STRING:
        return np.array([text]).view(np.int32)
    return np.frombuffer(bytearray(text.encode("utf-32-le", "surrogatepass")), dtype=np.int32)


def joined_code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of the texts one after another, and where each text starts among them
    (and where the last ends)."""
    starts = np.zeros(len(texts) + 1, np.int64)
    starts[1:] = np.cumsum([len(text) for text in texts])
    return code_points("".join(texts)), starts


def rows_as_code_points(column: pd.Series) -> Callable[[int, int], tuple[np.ndarray, np.ndarray]]:
    """For a column of texts, a function that gives :func:`joined_code_points` of its rows
    ``[start, end)``. Where Arrow holds the column (pandas' ``str`` columns), they are decoded from
    its UTF-8 (:func:`utf8_code_points`), with no Python string made and without the GIL, so
    threads decode side by side. Any other column gives its Python strings, which, unlike UTF-8,
    can hold lone surrogates."""
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        strings = pa.array(column.array, type=pa.large_string())  # no copy of the column's strings

        def decoded(start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
            return utf8_code_points(strings[start:end])

        return decoded
    texts = column.to_numpy(dtype=object)

    def joined(start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        return joined_code_points(texts[start:end].tolist())

    return joined


def utf8_code_points(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """:func:`joined_code_points` of an Arrow array of strings (as a pandas ``str`` column holds
    them), decoded from the array's UTF-8 by a compiled kernel that releases the GIL: no Python
    string is made, so threads decode side by side. A chunked array (a column put together with
    ``pd.concat``) has the pieces that hold these strings joined first."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    if not (pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type)):
        raise TypeError(f"strings must be an Arrow array of strings, not of {strings.type}")
    if strings.null_count:
        raise ValueError("the strings hold missing values, which have no code points")
    if not len(strings):  # its offsets may be an empty buffer
        return np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.int64)
    _, offsets, data = strings.buffers()
    offset_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    byte_offsets = np.frombuffer(offsets, offset_type)[strings.offset : strings.offset + len(strings) + 1]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    byte_offsets = byte_offsets.astype(np.int64, copy=False)
    points = np.empty(byte_offsets[-1] - byte_offsets[0], np.int32)  # a character takes at least one byte
    starts = _decode_utf8(data, byte_offsets, points)
    return points[: starts[-1]], starts


@njit(cache=True, nogil=True)
def _decode_utf8(data, byte_offsets, out):
    """Write the code points of the well-formed UTF-8 strings ``data[byte_offsets[k]:byte_offsets[k + 1]]``
    one after another into ``out``; returns where each string starts among them (and where the
    last ends). Each width is decoded in one expression, three bytes (Han) tested first: a loop
    over the continuation bytes takes twice as long."""
    n_strings = byte_offsets.size - 1
    starts = np.empty(n_strings + 1, np.int64)
    n = 0
    for k in range(n_strings):
        starts[k] = n
        i, stop = byte_offsets[k], byte_offsets[k + 1]
        while i < stop:
            lead = np.int32(data[i])
            if 0xE0 <= lead < 0xF0:
                out[n] = (lead & 0x0F) << 12 | (np.int32(data[i + 1]) & 0x3F) << 6 | (np.int32(data[i + 2]) & 0x3F)
                i += 3
            elif lead < 0x80:
                out[n] = lead
                i += 1
            elif lead < 0xE0:
                out[n] = (lead & 0x1F) << 6 | (np.int32(data[i + 1]) & 0x3F)
                i += 2
            else:
                out[n] = ((lead & 0x07) << 18 | (np.int32(data[i + 1]) & 0x3F) << 12
                          | (np.int32(data[i + 2]) & 0x3F) << 6 | (np.int32(data[i + 3]) & 0x3F))
                i += 4
            n += 1
    starts[n_strings] = n
    return starts


def from_code_points(points: np.ndarray) -> str:
    """The string of an array of code points."""
    return np.ascontiguousarray(points, dtype=np.int32).tobytes().decode("utf-32-le", "surrogatepass")


def strings_between(points: np.ndarray, bounds: np.ndarray) -> list[str]:
    """The strings ``points[bounds[k]:bounds[k + 1]]``, decoded at once and then sliced."""
    text = from_code_points(points)
    cuts = bounds.tolist()
    return [text[start:end] for start, end in zip(cuts[:-1], cuts[1:])]


@njit(cache=True, nogil=True)
def _gather(points, starts, ends):
    """The spans ``points[starts[k]:ends[k]]`` one after another, and where each begins and ends among them."""
    lengths = ends - starts
    bounds = np.zeros(starts.size + 1, np.int64)
    bounds[1:] = np.cumsum(lengths)
    out = np.empty(bounds[-1], points.dtype)
    for k in range(starts.size):
        out[bounds[k] : bounds[k + 1]] = points[starts[k] : ends[k]]
    return out, bounds


def gather(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The spans ``points[starts[k]:ends[k]]`` as one array of code points, and their bounds in it."""
    return _gather(points, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))


def span_strings(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """The strings of the spans ``points[starts[k]:ends[k]]``, decoded at once."""
    return strings_between(*gather(points, starts, ends))
