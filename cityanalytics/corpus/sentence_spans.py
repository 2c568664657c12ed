"""Paragraphs into sentences as spans of code points, compiled.

:func:`~cityanalytics.corpus.split.sentences` splits a paragraph with a regular expression
and strips each piece; splitting a whole run of documents that way makes a Python string
per piece before most of them are segmented. The kernel here finds the same sentences as
(start, end) positions in one pass over the code points and releases the GIL, so threads
split side by side; the segmenter reads the sentences straight from the array.

The rules, as the expression ``[^END\\t]*(?:[END]+[CLOSING]*|(?=\\t)|$)`` applies them to one
paragraph: a piece runs up to a sentence end (。！？!?…), takes the run of sentence ends and then
of closing quotes and brackets after it, or stops before a tab or the paragraph's end; a piece
is stripped of what ``str.strip`` strips, and is a sentence if anything is left.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from cityanalytics.codepoints import gather
from cityanalytics.corpus.characters import CLOSING_MARK, END, SPACE, character_classes

_TAB = 9


@njit(cache=True, nogil=True)
def grown(values):
    """``values`` in an array twice as long."""
    out = np.empty(2 * values.size, values.dtype)
    out[: values.size] = values
    return out


@njit(cache=True, nogil=True)
def stripped(cps, a, b, classes):
    """The span ``cps[a:b]`` without the leading and trailing characters ``str.strip`` strips."""
    while a < b and classes[cps[a]] & SPACE:
        a += 1
    while b > a and classes[cps[b - 1]] & SPACE:
        b -= 1
    return a, b


@njit(cache=True, nogil=True)
def _sentence_spans(cps, para_starts, para_ends, classes):
    """Each sentence's start and end in ``cps`` and its paragraph (index into the spans)."""
    starts = np.empty(cps.size // 16 + 16, np.int64)
    ends = np.empty_like(starts)
    paragraph = np.empty_like(starts)
    k = 0
    for para in range(para_starts.size):
        p, n = para_starts[para], para_ends[para]
        while p < n:
            q = p
            while q < n and not classes[cps[q]] & END and cps[q] != _TAB:
                q += 1
            if q < n and classes[cps[q]] & END:
                while q < n and classes[cps[q]] & END:
                    q += 1
                while q < n and classes[cps[q]] & CLOSING_MARK:
                    q += 1
            if q == p:  # at a tab: nothing but an empty piece, which is no sentence
                p += 1
                continue
            a, b = stripped(cps, p, q, classes)
            if b > a:
                if k == starts.size:
                    starts, ends, paragraph = grown(starts), grown(ends), grown(paragraph)
                starts[k], ends[k], paragraph[k] = a, b, para
                k += 1
            p = q
    return starts[:k], ends[:k], paragraph[:k]


def sentence_code_points(cps: np.ndarray, para_starts: np.ndarray, para_ends: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sentences of the paragraphs ``cps[para_starts[j]:para_ends[j]]`` (none holding a line
    break) as one array of code points, their bounds in it (sentence k is ``[bounds[k],
    bounds[k + 1])``) and each one's paragraph."""
    starts, ends, paragraph = _sentence_spans(cps, para_starts, para_ends, character_classes())
    sentences, bounds = gather(cps, starts, ends)
    return sentences, bounds, paragraph
