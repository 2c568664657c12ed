"""Document structure: compilations into documents, lines into headed paragraphs, paragraphs into sentences.

A clean document holds one paragraph per line (table rows keep their cells apart with tabs).
:func:`paragraphs` gives every line its kind, heading level and heading path, so analyses
can work per document, section or paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cityanalytics.codepoints import joined_code_points
from cityanalytics.corpus.clean import CLOSING, SENTENCE_END
from cityanalytics.corpus.line_structure import KINDS, line_structure, marker_level
from cityanalytics.corpus.markers import CN_NUMERAL

_COMPILATION_PART = re.compile(rf"^第[{CN_NUMERAL}]{{1,3}}篇[：:]\s*(.*)$", re.M)
_SENTENCE = re.compile(rf"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{CLOSING}]*|$)")


@dataclass(frozen=True)
class Paragraph:
    """One line of a clean document with its place in the heading hierarchy."""

    para: int
    kind: str  # title | heading | paragraph | table_row
    level: int | None
    section: int
    heading_path: tuple[str, ...]
    text: str


def split_compilation(text: str) -> list[tuple[str, str]]:
    """Split a compilation at ``第一篇：…`` markers into (part title, part text) pairs."""
    marks = list(_COMPILATION_PART.finditer(text))
    if not marks:
        return [("", text)]
    parts = []
    for mark, following in zip(marks, marks[1:] + [None]):
        end = following.start() if following else len(text)
        parts.append((mark.group(1).strip(), text[mark.end() : end].strip("\n")))
    return parts


def heading_level(line: str) -> int | None:
    """The level of the heading marker a line starts with, or None (the markers are listed in
    :mod:`cityanalytics.corpus.line_structure`)."""
    return marker_level(line) or None


def paragraphs(text: str) -> list[Paragraph]:
    """Label each non-empty line: the first is the title, then headings, paragraphs and table rows
    (the rules are stated in :mod:`cityanalytics.corpus.line_structure`)."""
    return [Paragraph(*row) for row in paragraph_rows(text)]


def paragraph_rows(text: str) -> list[tuple[int, str, int | None, int, tuple[str, ...], str]]:
    """:func:`paragraphs` as plain tuples (para, kind, level, section, heading_path, text), for whole corpora."""
    lines = line_structure(*joined_code_points([text]))
    out: list[tuple[int, str, int | None, int, tuple[str, ...], str]] = []
    path: list[tuple[int, str]] = []
    heading_path: tuple[str, ...] = ()
    columns = (lines.para, lines.kind, lines.level, lines.section, lines.start, lines.end, lines.head_end)
    for para, kind, level, section, start, end, head_end in zip(*(column.tolist() for column in columns)):
        if level:
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, text[start:head_end]))
            heading_path = tuple(head for _, head in path)
        out.append((para, KINDS[kind], level or None, section, heading_path, text[start:end]))
    return out


def sentences(text: str) -> list[str]:
    """Split a paragraph after 。！？ (keeping closing quotes with their sentence); tabs end a cell."""
    out: list[str] = []
    for cell in text.split("\t"):
        out.extend(s.strip() for s in _SENTENCE.findall(cell) if s.strip())
    return out
