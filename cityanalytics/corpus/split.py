"""Document structure: compilations into documents, lines into headed paragraphs, paragraphs into sentences.

A clean document holds one paragraph per line (table rows keep their cells apart with tabs).
:func:`paragraphs` gives every line its kind, heading level and heading path, so analyses
can work per document, section or paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cityanalytics.corpus.clean import CLOSING, CN_NUMERAL, SENTENCE_END
from cityanalytics.corpus.metadata import DATE_ONLY

HEADING_PATTERNS: list[tuple[int, re.Pattern]] = [
    (1, re.compile(rf"^第[{CN_NUMERAL}]{{1,3}}章")),
    (2, re.compile(rf"^第[{CN_NUMERAL}]{{1,3}}节")),
    (3, re.compile(rf"^[{CN_NUMERAL}]{{1,3}}、(?![{CN_NUMERAL}])")),
    (4, re.compile(rf"^（[{CN_NUMERAL}]{{1,3}}）")),
    (5, re.compile(r"^(?:[\u4e00-\u9fff]{2,4})?\d{1,2}[.．、](?!\d)")),
    (6, re.compile(r"^（\d{1,2}）")),
]
"""Heading markers and their levels: 第一章 > 第一节 > 一、 > （一） > 1. / 1、 / 行动计划1. > （1）."""

UNMARKED_HEADING_LEVEL = 3
"""Level of a heading without a marker (a short line standing over a paragraph): that of 一、."""

_HEADING_MARKER = re.compile("^(?:" + "|".join(f"({pattern.pattern[1:]})" for _, pattern in HEADING_PATTERNS) + ")")
"""The patterns above as one alternation, tried in the same order: one match call per line instead of six."""
_MARKER_LEVELS = [None] + [level for level, _ in HEADING_PATTERNS]

_COMPILATION_PART = re.compile(rf"^第[{CN_NUMERAL}]{{1,3}}篇[：:]\s*(.*)$", re.M)
_SENTENCE = re.compile(rf"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{CLOSING}]*|$)")

MAX_UNMARKED_HEADING_CHARS = 30
"""A line without a heading marker can only be a heading up to this length."""

MAX_HEADING_CHARS = 40
"""A marked line longer than this, or one that goes on after its first sentence, is a paragraph."""


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
    """The level of the heading marker a line starts with, or None."""
    match = _HEADING_MARKER.match(line)
    return _MARKER_LEVELS[match.lastindex] if match else None


_HEADING_END = re.compile(rf"[{SENTENCE_END}：]")


def _heading_text(line: str) -> tuple[str, bool]:
    """The heading part of a marked line and whether the line goes on after it."""
    match = _HEADING_END.search(line)
    if match is None:
        return line, False
    head = line[: match.end()]
    rest = line[match.end() :].strip()
    return head, bool(rest)


def _stands_over_text(line: str, level: int, following: str | None, following_level: int | None) -> bool:
    """Whether a marked one-sentence line heads what follows rather than being an item of a list.

    ``（二）经市人民政府审核同意的。`` followed by ``（三）…`` is a list item; ``1、加强领导，完善机制。``
    followed by unmarked text is a heading. Lines ending in ``；`` are items.
    """
    if line[-1] in "；;":
        return False
    if line[-1] not in SENTENCE_END:
        return True
    return following is not None and following_level != level


def _is_unmarked_heading(line: str, following: str | None, following_level: int | None) -> bool:
    """Whether a short line (at most :data:`MAX_UNMARKED_HEADING_CHARS`, which the caller checks
    first) without closing punctuation stands over a longer paragraph."""
    return (
        following is not None
        and line[-1] not in SENTENCE_END + "：；:，"
        and not DATE_ONLY.fullmatch(line)
        and "\t" not in following
        and (following_level is not None or (len(following) > len(line) and following[-1] in SENTENCE_END + CLOSING))
    )


def paragraphs(text: str) -> list[Paragraph]:
    """Label each non-empty line: the first is the title, then headings, paragraphs and table rows."""
    return [Paragraph(*row) for row in paragraph_rows(text)]


def paragraph_rows(text: str) -> list[tuple[int, str, int | None, int, tuple[str, ...], str]]:
    """:func:`paragraphs` as plain tuples (para, kind, level, section, heading_path, text), for whole corpora."""
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    levels = [*map(heading_level, lines), None]  # each line's marker level, looked up once
    out: list[tuple[int, str, int | None, int, tuple[str, ...], str]] = []
    path: list[tuple[int, str]] = []
    heading_path: tuple[str, ...] = ()
    section = 0
    for i, (line, following) in enumerate(zip(lines, [*lines[1:], None])):
        kind, level = "paragraph", None
        if i == 0:
            kind = "title"
        elif "\t" in line:
            kind = "table_row"
        else:
            level = levels[i]
            if level is not None:
                head, goes_on = _heading_text(line)
                if len(head) > MAX_HEADING_CHARS and goes_on:
                    head = head[:MAX_HEADING_CHARS]
                kind = "paragraph" if goes_on else "heading"
                if not goes_on and not _stands_over_text(line, level, following, levels[i + 1]):
                    kind, level = "paragraph", None
            elif len(line) <= MAX_UNMARKED_HEADING_CHARS and _is_unmarked_heading(line, following, levels[i + 1]):
                level, head, kind = UNMARKED_HEADING_LEVEL, line, "heading"
            if level is not None:
                while path and path[-1][0] >= level:
                    path.pop()
                path.append((level, head))
                heading_path = tuple(h for _, h in path)
                section += 1
        out.append((i, kind, level, section, heading_path, line))
    return out


def sentences(text: str) -> list[str]:
    """Split a paragraph after 。！？ (keeping closing quotes with their sentence); tabs end a cell."""
    out: list[str] = []
    for cell in text.split("\t"):
        out.extend(s.strip() for s in _SENTENCE.findall(cell) if s.strip())
    return out
