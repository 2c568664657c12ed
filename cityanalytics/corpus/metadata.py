"""The docvar schema, and inference of city, year, date, doc_no and doc_type from what a text states.

Inference never guesses: a field is filled only when the title or the text states it in a
recognised form, and otherwise stays empty. Each inferred field is listed in the document's
``inferred`` docvar so users can tell given metadata from read-off metadata.
"""

from __future__ import annotations

import csv
import datetime
import re
from functools import lru_cache
from importlib import resources

from cityanalytics.corpus.markers import ARTICLE_MARKER, HEADING_MARKER

DOCVARS = ["city", "province", "year", "date", "title", "doc_type", "issuer", "doc_no", "source", "notes"]
"""Standard docvars, in display order; any extra metadata column becomes a docvar too."""

DOC_TYPES = [
    "政府工作报告", "工作要点", "实施方案", "实施意见", "行动纲要", "行动计划", "行动方案", "情况汇报",
    "工作报告", "发展规划", "决定", "意见", "通知", "规划", "纲要", "方案", "办法", "条例", "规定",
    "细则", "报告", "汇报", "计划", "举措", "公告", "通报", "决议",
]
"""Document types recognised at the end of a title, longest first where one contains another."""

_CN_DIGITS = {"○": 0, "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［【（(]((?:19|20)\d{2})[〕\]］】）)]\s*第?\d{1,4}号")
DOC_NO_LINE = re.compile(r"^[★☆\s]*(" + _DOC_NO.pattern + r")[★☆\s]*$")
"""A line that holds nothing but a document number (文号), possibly between letterhead stars."""
DATE_WORDS = "一二三四五六七八九十○〇零年月日"
"""The characters a written date holds besides digits and spaces."""
DATE_ONLY = re.compile(rf"[（(]?[\d{DATE_WORDS}\s]+[)）]?")
"""A line that holds nothing but a date, such as ``二○一一年五月九日`` or ``（2020年3月22日）``."""
_ARABIC_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CHINESE_DATE = re.compile(r"([一二三四五六七八九○〇零]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_TITLE_YEAR = re.compile(r"^(?:关于印发)?《?((?:19|20)\d{2})\s*年(?![前底末以之])")
"""A title that opens with its year (2019年工作要点), not with a deadline (2030年前碳达峰, 2025年底前)."""
_NOT_A_TITLE_END = tuple("：:！!？?；;,") + ("文件", "网站", "门户")
"""How a line ends that is no title: a salutation (各位代表：), a sentence, a letterhead (…文件), a site's name."""
_MAX_TITLE_CHARS = 100
"""Longer than the longest title (关于印发《…》的通知 of a long plan runs to some 60 characters): a paragraph."""
_NUMBERED_LINE = re.compile(f"{HEADING_MARKER}|{ARTICLE_MARKER}")
"""A numbered heading or article (一、 （二） 3. 第四条), which opens a part of a text, never its title."""


@lru_cache(maxsize=1)
def city_gazetteer() -> dict[str, str]:
    """City name (without 市) → province, from the shipped ``cities.csv``."""
    source = resources.files("cityanalytics.corpus").joinpath("resources/cities.csv").read_text("utf-8")
    return {row["name"]: row["province"] for row in csv.DictReader(source.splitlines())}


_SMALL_CHINESE_NUMBER = re.compile(r"([一二三四五六七八九]?)十([一二三四五六七八九]?)|([一二三四五六七八九])")


def _chinese_number(text: str) -> int | None:
    """Value of a small Chinese numeral such as 十二 or 二十一 (months and days); None for what is
    no numeral (a mistyped 十十)."""
    match = _SMALL_CHINESE_NUMBER.fullmatch(text)
    if match is None:
        return None
    if match.group(3):
        return _CN_DIGITS[match.group(3)]
    tens, ones = match.group(1), match.group(2)
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def parse_date(text: str) -> str | None:
    """The first date written as ``2016年5月16日`` or ``二○一一年五月九日``, as ISO ``YYYY-MM-DD``;
    one that is no date of the calendar (2019年2月30日, 十十日) is passed over."""
    arabic = _ARABIC_DATE.search(text)
    chinese = _CHINESE_DATE.search(text)
    candidates = []
    if arabic:
        candidates.append((arabic.start(), int(arabic.group(1)), int(arabic.group(2)), int(arabic.group(3))))
    if chinese:
        year = int("".join(str(_CN_DIGITS[c]) for c in chinese.group(1)))
        candidates.append((chinese.start(), year, _chinese_number(chinese.group(2)), _chinese_number(chinese.group(3))))
    for _, year, month, day in sorted(candidates):
        try:
            return datetime.date(year, month, day).isoformat()
        except (TypeError, ValueError):  # a part that is no numeral, or a day the month does not have
            continue
    return None


def infer_doc_no(text: str, max_lines: int = 10) -> str | None:
    """The document number (文号) such as ``嘉委办发〔2016〕27号``, when one of the opening lines is
    nothing but a document number; a number cited in the body (依据国发〔2014〕10号) is not taken."""
    for line in [line for line in text.split("\n") if line.strip()][:max_lines]:
        match = DOC_NO_LINE.match(line.strip())
        if match:
            return match.group(1)
    return None


def infer_doc_type(title: str) -> str | None:
    """The document type named at the end of the title, or of the title it forwards (关于印发《…》的通知)."""
    inner = re.search(r"《([^》]+)》", title)
    candidates = [inner.group(1)] if inner and title.startswith("关于印发") else []
    candidates.append(title)
    for candidate in candidates:
        candidate = candidate.rstrip("》）)")
        for doc_type in DOC_TYPES:
            if candidate.endswith(doc_type):
                return doc_type
    return None


def infer_cities(title: str) -> list[str]:
    """Cities named in the title as ``X市`` (or ``X县``), in order of first mention."""
    found: list[str] = []
    for name in city_gazetteer():
        position = min((p for p in (title.find(name + "市"), title.find(name + "县")) if p >= 0), default=-1)
        if position >= 0:
            found.append((position, name))
    return [name for _, name in sorted(found)]


def _title_line(lines: list[str]) -> str:
    """The first of the first six lines that can be a title: not a letterhead (…文件), a site's name,
    a document number, a date, a salutation, a sentence (or a line holding ， or 。) or a numbered
    heading; empty where none can
    (a speech opens with 各位代表：), as a text that states no title has none."""
    for line in lines[:6]:
        if not (line.endswith(_NOT_A_TITLE_END) or "，" in line or "。" in line or len(line) > _MAX_TITLE_CHARS
                or _NUMBERED_LINE.match(line)
                or DOC_NO_LINE.match(line) or DATE_ONLY.fullmatch(line)):
            return line
    return ""


def infer_metadata(text: str, title: str | None = None) -> dict[str, object]:
    """Docvars the text itself states: title, city, province, year, date, doc_no, doc_type.

    The title is the first line that can be one (see :func:`_title_line`); none where no line can.

    The date is read only from the title block or a line that holds nothing but a date, so a
    date mentioned in passing (a deadline, a past event) is never taken for the document's.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    title = title or _title_line(lines)
    found: dict[str, object] = {"title": title} if title else {}
    cities = infer_cities(title)
    if cities:
        found["city"] = "、".join(cities)
        provinces = {city_gazetteer()[c] for c in cities}
        if len(provinces) == 1:
            found["province"] = provinces.pop()
    doc_no = infer_doc_no(text)
    if doc_no:
        found["doc_no"] = doc_no
    date_lines = [line for line in lines[:5] + lines[-5:] if DATE_ONLY.fullmatch(line)]
    date = next((d for d in map(parse_date, date_lines) if d), None)
    if date:
        found["date"] = date
        found["year"] = int(date[:4])
    else:
        year = _TITLE_YEAR.search(title)
        if year:
            found["year"] = int(year.group(1))
        elif doc_no:
            found["year"] = int(_DOC_NO.search(doc_no).group(1))
    doc_type = infer_doc_type(title)
    if doc_type:
        found["doc_type"] = doc_type
    return found
