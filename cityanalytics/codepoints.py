"""Text as an array of Unicode code points, the form the compiled kernels read.

A Python string indexes by code point, so position i of the array is character i of the
string; lone surrogates survive the round trip.
"""

from __future__ import annotations

import numpy as np
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
