"""Documents into lines with their kind, heading level and section, compiled.

A clean document holds one paragraph per line. Each non-empty line (stripped as ``str.strip``
strips) is the title (the first line), a table row (tabs keep its cells apart), a heading or a
paragraph.
:func:`~cityanalytics.corpus.split.paragraphs` and :meth:`Corpus.sentences
<cityanalytics.corpus.corpus.Corpus.sentences>` apply these rules:

- Heading markers and their levels, tried in this order at the start of a line:
  ``第[一…]{1,3}章`` 1 > ``第[一…]{1,3}节`` 2 > ``[一…]{1,3}、`` (not followed by another
  numeral) 3 > ``（[一…]{1,3}）`` 4 > ``1.`` / ``1．`` / ``1、`` (one or two ``\\d`` digits, not
  followed by a digit; optionally after two to four characters of U+4E00–U+9FFF, as in
  ``行动计划1.``) 5 > ``（\\d{1,2}）`` 6, where ``一…`` are the Chinese numerals 一…十百零〇○.
  An article starts with ``第[一…]{1,7}条``, whose numerals also take 千 (第一千二百六十条); it is
  never a heading and has no level.
- A line is a table row when it holds a tab other than in the white space right after its
  heading or article marker: ``第一章\\t总则`` is a heading and ``第三条\\t…`` an article, as if
  a space stood for the tab.
- A marked line is a heading when nothing follows its first sentence end (。！？!?… or ：), and
  it stands over what follows: it ends in neither ``；`` nor ``;``, and either ends without a
  sentence end or is followed by a line with another marker level and does not follow an item
  of its own list (a paragraph with the same marker level that heads nothing, as
  ``（二）…；`` before the last item ``（三）…。``, with only lines of deeper marker levels, a
  list inside the item, between them). A marked line that goes on
  after its first sentence is a paragraph that still opens a section, headed by its first
  sentence (at most :data:`MAX_HEADING_CHARS` characters).
- The lines after an article are its own up to the next article or line with a level: a marked
  line among them of a level deeper than :data:`LEVELS_OVER_ARTICLES` is one of its items, a
  paragraph without a level, so that the next article is not filed under its last item; but a
  ``一、`` line without a sentence end that an article follows heads the articles (:data:`PART_LEVEL`).
- An unmarked line that is no article, of at most :data:`MAX_UNMARKED_HEADING_CHARS` characters,
  is a heading of level :data:`UNMARKED_HEADING_LEVEL` when a line follows that is no table row,
  it ends in none of 。！？!?…：；:，, it is not only a date (``metadata.DATE_ONLY``), and the
  next line is marked, or longer and ending in a sentence end or closing mark.
- Every heading opens a new section: sections are numbered 1, 2, … in each document, 0 before
  the first heading.

The kernels read every document of a chunk in one pass over its code points and release the
GIL, so threads split documents side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from cityanalytics.codepoints import code_points
from cityanalytics.corpus.characters import (
    ARTICLE_ONLY_NUMERAL,
    CLOSING_MARK,
    DATE_WORD,
    DIGIT,
    END,
    HAN,
    NUMERAL,
    SPACE,
    character_classes,
)
from cityanalytics.corpus.sentence_spans import grown, stripped

KINDS = ("title", "heading", "paragraph", "table_row")
"""The kinds of line, in the order of the codes in :attr:`Lines.kind`."""
_TITLE, _HEADING, _PARAGRAPH, _TABLE_ROW = range(4)

MARKER_LEVELS = 6
"""Heading markers have levels 1 (``第一章``) to 6 (``（1）``), as the module docstring lists them."""
UNMARKED_HEADING_LEVEL = 3
"""Level of a heading without a marker (a short line standing over a paragraph): that of 一、."""
MAX_UNMARKED_HEADING_CHARS = 30
"""A line without a heading marker can only be a heading up to this length."""
MAX_HEADING_CHARS = 40
"""A marked line that goes on after its first sentence is headed by at most this many characters."""
LEVELS_OVER_ARTICLES = 2
"""Marker levels up to this one (``第一章``, ``第一节``) stand over articles; deeper ones within an
article mark its items."""
PART_LEVEL = 3
"""The level of ``一、``, which some documents put over articles as parts (``二、管理职责`` / ``第三条 …``): such a
line without a sentence end, followed by an article, heads the articles after it instead of being an item."""

_NEWLINE, _TAB = ord("\n"), ord("\t")
_DI, _ZHANG, _JIE, _TIAO, _DUN = ord("第"), ord("章"), ord("节"), ord("条"), ord("、")
_FULL_OPEN, _FULL_CLOSE, _OPEN, _CLOSE = ord("（"), ord("）"), ord("("), ord(")")
_DOT, _FULL_DOT, _FULL_COLON, _COLON = ord("."), ord("．"), ord("："), ord(":")
_FULL_SEMICOLON, _SEMICOLON, _FULL_COMMA = ord("；"), ord(";"), ord("，")


@njit(cache=True, nogil=True)
def _run(cps, p, end, classes, bit, cap):
    """How many characters of class ``bit`` follow from ``p`` (counting at most ``cap``)."""
    q = p
    while q < end and q - p < cap and classes[cps[q]] & bit:
        q += 1
    return q - p


@njit(cache=True, nogil=True)
def _marker(cps, a, b, classes):
    """The level of the heading marker that the line ``cps[a:b]`` starts with and where the marker
    ends; 0 and ``a`` for none."""
    if cps[a] == _DI:
        run = _run(cps, a + 1, b, classes, NUMERAL, 4)
        if 1 <= run <= 3 and a + 1 + run < b:
            if cps[a + 1 + run] == _ZHANG:
                return 1, a + run + 2
            if cps[a + 1 + run] == _JIE:
                return 2, a + run + 2
    run = _run(cps, a, b, classes, NUMERAL, 4)
    if 1 <= run <= 3 and a + run < b and cps[a + run] == _DUN:
        if a + run + 1 == b or not classes[cps[a + run + 1]] & NUMERAL:
            return 3, a + run + 1
    if cps[a] == _FULL_OPEN:
        run = _run(cps, a + 1, b, classes, NUMERAL, 4)
        if 1 <= run <= 3 and a + 1 + run < b and cps[a + 1 + run] == _FULL_CLOSE:
            return 4, a + run + 2
    prefix = _run(cps, a, b, classes, HAN, 5)
    p = a + prefix if 2 <= prefix <= 4 else a
    run = _run(cps, p, b, classes, DIGIT, 3)
    if 1 <= run <= 2 and p + run < b:
        mark = cps[p + run]
        if (mark == _DOT or mark == _FULL_DOT or mark == _DUN) and (
                p + run + 1 == b or not classes[cps[p + run + 1]] & DIGIT):
            return 5, p + run + 1
    if cps[a] == _FULL_OPEN:
        run = _run(cps, a + 1, b, classes, DIGIT, 3)
        if 1 <= run <= 2 and a + 1 + run < b and cps[a + 1 + run] == _FULL_CLOSE:
            return 6, a + run + 2
    return 0, a


@njit(cache=True, nogil=True)
def _article_end(cps, a, b, classes):
    """Where the article marker (``第三条``) that the line ``cps[a:b]`` starts with ends; ``a`` for none."""
    if cps[a] == _DI:
        run = _run(cps, a + 1, b, classes, NUMERAL | ARTICLE_ONLY_NUMERAL, 8)
        if 1 <= run <= 7 and a + 1 + run < b and cps[a + 1 + run] == _TIAO:
            return a + run + 2
    return a


@njit(cache=True, nogil=True)
def _is_date_only(cps, a, b, classes):
    """Whether the line ``cps[a:b]`` holds nothing but a date, such as ``（2020年3月22日）``."""
    p = a + 1 if cps[a] == _FULL_OPEN or cps[a] == _OPEN else a
    q = p
    while q < b and classes[cps[q]] & (DIGIT | DATE_WORD | SPACE):
        q += 1
    if q == p:
        return False
    if q < b and (cps[q] == _CLOSE or cps[q] == _FULL_CLOSE):
        q += 1
    return q == b


@njit(cache=True, nogil=True)
def _lines(cps, doc_starts, classes):
    """Each non-empty stripped line of the documents ``cps[doc_starts[d]:doc_starts[d + 1]]``:
    its document, start and end."""
    doc = np.empty(cps.size // 32 + 16, np.int64)
    starts, ends = np.empty_like(doc), np.empty_like(doc)
    k = 0
    for d in range(doc_starts.size - 1):
        p, end = doc_starts[d], doc_starts[d + 1]
        while p < end:
            q = p
            while q < end and cps[q] != _NEWLINE:
                q += 1
            a, b = stripped(cps, p, q, classes)
            if b > a:
                if k == doc.size:
                    doc, starts, ends = grown(doc), grown(starts), grown(ends)
                doc[k], starts[k], ends[k] = d, a, b
                k += 1
            p = q + 1
    return doc[:k], starts[:k], ends[:k]


@njit(cache=True, nogil=True)
def _holds(cps, a, b, code):
    for p in range(a, b):
        if cps[p] == code:
            return True
    return False


@njit(cache=True, nogil=True)
def _is_table_row(cps, a, b, lead, classes):
    """Whether the line ``cps[a:b]``, whose heading or article marker ends at ``lead``, holds a tab
    past the white space right after the marker (a tab there stands for a space, as in ``第一章\\t总则``)."""
    p = lead
    if p > a:
        while p < b and classes[cps[p]] & SPACE:
            p += 1
    return _holds(cps, p, b, _TAB)


@njit(cache=True, nogil=True)
def _heading_end(cps, a, b, classes):
    """Where the first sentence of a marked line ends (after 。！？!?… or ：), -1 if it has none."""
    for p in range(a, b):
        if classes[cps[p]] & END or cps[p] == _FULL_COLON:
            return p + 1
    return -1


@njit(cache=True, nogil=True)
def _stands_over(last, level, has_following, following_level, follows_item, classes):
    """Whether a marked one-sentence line ending in ``last`` heads what follows rather than
    being an item of a list (``（二）经市人民政府审核同意的。`` before ``（三）…``, or the last
    item ``（三）…。`` after ``（二）…；``, which ``follows_item`` tells)."""
    if last == _FULL_SEMICOLON or last == _SEMICOLON:
        return False
    if not classes[last] & END:
        return True
    return has_following and following_level != level and not follows_item


@njit(cache=True, nogil=True)
def _is_unmarked_heading(cps, a, b, following_start, following_end, following_level, following_row, classes):
    """Whether a short unmarked line stands over the next one as its heading (the caller checks
    the length and that a line follows)."""
    last = cps[b - 1]
    if classes[last] & END or last == _FULL_COLON or last == _FULL_SEMICOLON or last == _COLON or last == _FULL_COMMA:
        return False
    if following_row or _is_date_only(cps, a, b, classes):
        return False
    return following_level != 0 or (
        following_end - following_start > b - a and classes[cps[following_end - 1]] & (END | CLOSING_MARK) != 0)


@njit(cache=True, nogil=True)
def _structure(cps, doc, starts, ends, classes):
    """Each line's paragraph index in its document, kind, level (0 for none), section and the
    end of its heading text (set for every line with a heading marker and for unmarked headings;
    used where the level is not 0)."""
    n = starts.size
    markers = np.zeros(n, np.int64)
    articles = np.zeros(n, np.bool_)
    rows = np.zeros(n, np.bool_)
    for i in range(n):
        a, b = starts[i], ends[i]
        markers[i], lead = _marker(cps, a, b, classes)
        if not markers[i]:
            lead = _article_end(cps, a, b, classes)
            articles[i] = lead > a
        rows[i] = _is_table_row(cps, a, b, lead, classes)
    para = np.zeros(n, np.int64)
    kind = np.full(n, _PARAGRAPH, np.int64)
    level = np.zeros(n, np.int64)
    section = np.zeros(n, np.int64)
    head_end = np.zeros(n, np.int64)
    open_item = np.zeros(MARKER_LEVELS + 1, np.bool_)  # whether a list at each marker level has an item open
    in_article = False  # whether the lines since the last article are its own
    current = 0
    for i in range(n):
        a, b = starts[i], ends[i]
        first = i == 0 or doc[i] != doc[i - 1]
        has_following = i + 1 < n and doc[i + 1] == doc[i]
        following_level = markers[i + 1] if has_following else 0
        if first:
            current = 0
            open_item[:] = False
            in_article = False
            kind[i] = _TITLE
        else:
            para[i] = para[i - 1] + 1
            if rows[i]:
                kind[i] = _TABLE_ROW
            elif markers[i]:
                end = _heading_end(cps, a, b, classes)
                goes_on = end != -1 and end < b
                head_end[i] = b if end == -1 else (min(end, a + MAX_HEADING_CHARS) if goes_on else end)
                follows_item = open_item[markers[i]]
                heads_articles = markers[i] == PART_LEVEL and end == -1 and has_following and articles[i + 1]
                article_item = in_article and markers[i] > LEVELS_OVER_ARTICLES and not heads_articles
                if not article_item and (goes_on or _stands_over(
                        cps[b - 1], markers[i], has_following, following_level, follows_item, classes)):
                    level[i] = markers[i]
                    kind[i] = _PARAGRAPH if goes_on else _HEADING
            elif not articles[i] and b - a <= MAX_UNMARKED_HEADING_CHARS and has_following and _is_unmarked_heading(
                    cps, a, b, starts[i + 1], ends[i + 1], following_level, rows[i + 1], classes):
                level[i], kind[i], head_end[i] = UNMARKED_HEADING_LEVEL, _HEADING, b
        if level[i]:
            current += 1
        section[i] = current
        in_article = articles[i] or in_article and not level[i]
        # a list's items stay open across the deeper lists inside them; any other line closes them
        open_item[markers[i]:] = False
        if markers[i] and kind[i] == _PARAGRAPH and level[i] == 0:
            open_item[markers[i]] = True
    return para, kind, level, section, head_end


@dataclass(frozen=True)
class Lines:
    """The non-empty lines of a run of documents, as arrays with one entry per line.

    ``points`` are the documents' code points one after another; line k is
    ``points[start[k]:end[k]]`` of document ``doc[k]`` (its number in the run), its
    ``para``-th line. ``kind`` indexes :data:`KINDS`; ``level`` is its heading level (0 for
    none); ``section`` the number of headings up to and including it; a line with a level is
    headed by ``points[start[k]:head_end[k]]``.
    """

    points: np.ndarray
    doc: np.ndarray
    para: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    level: np.ndarray
    section: np.ndarray
    head_end: np.ndarray


def line_structure(points: np.ndarray, doc_starts: np.ndarray) -> Lines:
    """Split documents into lines and give each its kind, level and section (see the module):
    document k is ``points[doc_starts[k]:doc_starts[k + 1]]`` (see
    :func:`~cityanalytics.codepoints.joined_code_points`)."""
    classes = character_classes()
    doc, start, end = _lines(points, doc_starts, classes)
    para, kind, level, section, head_end = _structure(points, doc, start, end, classes)
    return Lines(points, doc, para, start, end, kind, level, section, head_end)


def marker_level(line: str) -> int:
    """The level of the heading marker a line starts with; 0 for none."""
    return int(_marker(code_points(line), 0, len(line), character_classes())[0]) if line else 0
