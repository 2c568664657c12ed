"""The markers that number the parts of a Chinese policy document, written once for the rules that read them as
patterns: cleaning (what a broken line may not be joined to, a tab after a marker, a heading glued after a full
stop), metadata (what is no title) and splitting compilations; and what the documents write between a marker and its text. The compiled structure kernel
(:mod:`~cityanalytics.corpus.line_structure`) reads the same characters through
:mod:`~cityanalytics.corpus.characters` by rules of its own (its heading levels)."""

from __future__ import annotations

import unicodedata

CN_NUMERAL = "一二三四五六七八九十百零〇○"
"""The Chinese numerals of heading numbers. Not 千: no heading counts that far, and ``三、千方百计…`` is a heading
whose marker is followed by a word, not by more of its number."""

ARTICLE_ONLY_NUMERALS = "千"
"""The numerals of article numbers only: they run past a thousand in a code (第一千二百六十条)."""

ARTICLE_NUMERAL = CN_NUMERAL + ARTICLE_ONLY_NUMERALS
"""The Chinese numerals of article numbers."""

HEADING_MARKER = (
    rf"第[{CN_NUMERAL}]{{1,3}}[篇章节]|[{CN_NUMERAL}]{{1,3}}、(?![{CN_NUMERAL}])|（[{CN_NUMERAL}\d]{{1,3}}）"
    r"|\d{1,2}[.．、](?!\d)"
)
"""A numbered heading's marker (第一章, 一、, （一）, 1.); ``1.8`` is a number, not ``1.``."""

INLINE_HEADING_MARKER = (
    rf"（[{CN_NUMERAL}]{{1,3}}）|[{CN_NUMERAL}]{{1,3}}、(?![{CN_NUMERAL}])|\d{{1,2}}[.．](?!\d)|第[{CN_NUMERAL}]{{1,3}}[篇章节]"
)
"""The markers of :data:`HEADING_MARKER` that start a heading even after a full stop within a line, where a scrape
glued it to the paragraph before: not ``（1）`` nor ``1、``, with which a paragraph counts its own points."""

ARTICLE_MARKER = rf"第[{ARTICLE_NUMERAL}]{{1,7}}条"
"""An article's marker (第一条 … 第一百二十三条 … 第一千二百六十条, as in a code of more than a thousand articles;
seven numerals write any number below 10,000)."""


def marker_gap(marker: str) -> str:
    """What the documents write between a heading or article marker and its text: nothing after a full-width mark
    or a circled number (一、总体要求, （一）, ①加强), a space after anything else: 第…章/节/条 (第一章 总则), an
    ASCII mark (1. 坚持) or a bare number."""
    if not marker:
        return ""
    last = marker[-1]
    category = unicodedata.category(last)
    full_width_mark = unicodedata.east_asian_width(last) in "WF" and category[0] in "PS"
    return "" if full_width_mark or category == "No" else " "
