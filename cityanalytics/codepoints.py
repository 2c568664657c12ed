"""Text as an array of Unicode code points, the form the compiled kernels read.

A Python string indexes by code point, so position i of the array is character i of the
string; lone surrogates survive the round trip.
"""

from __future__ import annotations

import numpy as np


def code_points(text: str) -> np.ndarray:
    """The int32 code points of ``text``, in a writable array (as every kernel receives them, so
    each is compiled for one kind of array)."""
    return np.frombuffer(bytearray(text.encode("utf-32-le", "surrogatepass")), dtype=np.int32)


def from_code_points(points: np.ndarray) -> str:
    """The string of an array of code points."""
    return np.ascontiguousarray(points, dtype=np.int32).tobytes().decode("utf-32-le", "surrogatepass")
