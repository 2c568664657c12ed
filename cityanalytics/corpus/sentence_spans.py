"""Paragraphs into sentences as spans of code points, compiled.

:func:`~cityanalytics.corpus.split.sentences` splits a paragraph with a regular expression
and strips each piece; splitting a whole run of documents that way makes a Python string
per piece before most of them are segmented. The kernel here finds the same sentences as
(start, end) positions in one pass over the code points and releases the GIL, so threads
split side by side; the segmenter reads the sentences straight from the array.

The rules, as the expression ``[^END\\t\\n]*(?:[END]+[CLOSING]*|(?=[\\t\\n])|$)`` applies them
to the paragraphs joined by line breaks: a piece runs up to a sentence end (。！？!?…), takes
the run of sentence ends and then of closing quotes and brackets after it, or stops before a
tab, a line break or the end; a line break starts the next paragraph; a piece is stripped of
what ``str.strip`` strips, and is a sentence if anything is left.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

from cityanalytics.codepoints import code_points
from cityanalytics.corpus.clean import CLOSING, SENTENCE_END

_END, _CLOSING, _SPACE = 1, 2, 4
_TAB, _NEWLINE = 9, 10
_LAST_SPACE = 0x3000
"""The highest code point ``str.isspace`` accepts (U+3000 IDEOGRAPHIC SPACE)."""


@lru_cache(maxsize=1)
def character_classes() -> np.ndarray:
    """Per code point: sentence end, closing mark, white space (as ``str.strip`` sees it), as bits."""
    classes = np.zeros(0x110000, dtype=np.uint8)
    classes[[ord(c) for c in SENTENCE_END]] |= _END
    classes[[ord(c) for c in CLOSING]] |= _CLOSING
    classes[[c for c in range(_LAST_SPACE + 1) if chr(c).isspace()]] |= _SPACE
    return classes


@njit(cache=True, nogil=True)
def _grown(values):
    """``values`` in an array twice as long."""
    out = np.empty(2 * values.size, values.dtype)
    out[: values.size] = values
    return out


@njit(cache=True, nogil=True)
def _sentence_spans(cps, classes):
    """Each sentence's start and end in ``cps`` (paragraphs joined by line breaks) and its paragraph."""
    n = cps.size
    starts = np.empty(n // 16 + 16, np.int64)
    ends = np.empty_like(starts)
    paragraph = np.empty_like(starts)
    k, para, p = 0, 0, 0
    while p < n:
        if cps[p] == _NEWLINE:
            para += 1
            p += 1
            continue
        q = p
        while q < n and not classes[cps[q]] & _END and cps[q] != _TAB and cps[q] != _NEWLINE:
            q += 1
        if q < n and classes[cps[q]] & _END:
            while q < n and classes[cps[q]] & _END:
                q += 1
            while q < n and classes[cps[q]] & _CLOSING:
                q += 1
        if q == p:  # at a tab: nothing but an empty piece, which is no sentence
            p += 1
            continue
        a, b = p, q
        while a < b and classes[cps[a]] & _SPACE:
            a += 1
        while b > a and classes[cps[b - 1]] & _SPACE:
            b -= 1
        if b > a:
            if k == starts.size:
                starts, ends, paragraph = _grown(starts), _grown(ends), _grown(paragraph)
            starts[k], ends[k], paragraph[k] = a, b, para
            k += 1
        p = q
    return starts[:k], ends[:k], paragraph[:k]


@njit(cache=True, nogil=True)
def _gather(cps, starts, ends):
    """The spans' code points one after another, and where each span begins and ends among them."""
    lengths = ends - starts
    bounds = np.zeros(starts.size + 1, np.int64)
    bounds[1:] = np.cumsum(lengths)
    out = np.empty(bounds[-1], cps.dtype)
    for k in range(starts.size):
        out[bounds[k] : bounds[k + 1]] = cps[starts[k] : ends[k]]
    return out, bounds


def sentence_spans(joined: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The code points of paragraphs joined by line breaks (none inside a paragraph), and each
    sentence's start, end and paragraph (the number of line breaks before it)."""
    cps = code_points(joined)
    return (cps, *_sentence_spans(cps, character_classes()))


def sentence_code_points(joined: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sentences of paragraphs joined by line breaks as one array of code points, their
    bounds in it (sentence k is ``[bounds[k], bounds[k + 1])``) and each one's paragraph."""
    cps, starts, ends, paragraph = sentence_spans(joined)
    sentences, bounds = _gather(cps, starts, ends)
    return sentences, bounds, paragraph
