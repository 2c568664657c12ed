"""The markers that number the parts of a Chinese policy document, written once for every rule that reads them:
cleaning (what a broken line may not be joined to), metadata (what is no title) and structure."""

from __future__ import annotations

CN_NUMERAL = "一二三四五六七八九十百零〇○"
"""The Chinese numerals of heading numbers. Not 千: no heading counts that far, and ``三、千方百计…`` is a heading
whose marker is followed by a word, not by more of its number."""

ARTICLE_NUMERAL = CN_NUMERAL + "千"
"""The Chinese numerals of article numbers, which run past a thousand in a code (第一千二百六十条)."""

HEADING_MARKER = (
    rf"第[{CN_NUMERAL}]{{1,3}}[篇章节]|[{CN_NUMERAL}]{{1,3}}、(?![{CN_NUMERAL}])|（[{CN_NUMERAL}\d]{{1,3}}）"
    r"|\d{1,2}[.．、](?!\d)"
)
"""A numbered heading's marker (第一章, 一、, （一）, 1.); ``1.8`` is a number, not ``1.``."""

ARTICLE_MARKER = rf"第[{ARTICLE_NUMERAL}]{{1,7}}条"
"""An article's marker (第一条 … 第一百二十三条 … 第一千二百六十条, as in a code of more than a thousand articles;
seven numerals write any number below 10,000)."""
