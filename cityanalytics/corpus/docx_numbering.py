"""The numbers Word shows before automatically numbered paragraphs of a .docx (一、, （一）, 第一章),
which are in none of the paragraph's runs: read from numbering.xml and the styles, counted in
reading order and formatted as Word formats them, so that structure detection sees the headings."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import nsmap, qn
from lxml import etree

from cityanalytics.corpus.markers import marker_gap

_W_VAL, _W_ILVL, _W_NUM_ID, _W_PSTYLE = (qn(tag) for tag in ("w:val", "w:ilvl", "w:numId", "w:pStyle"))
_NUMBERING_PROPERTIES = etree.XPath("w:pPr/w:numPr/w:numId | w:pPr/w:numPr/w:ilvl | w:pPr/w:pStyle", namespaces=nsmap)
_BASED_ON = etree.XPath("w:basedOn/@w:val", namespaces=nsmap)
_STYLES = etree.XPath("w:style[@w:type='paragraph' or @w:type='numbering']", namespaces=nsmap)
_DEFAULT_STYLE = etree.XPath(
    "w:style[@w:type='paragraph'][@w:default='1' or @w:default='true' or @w:default='on']/@w:styleId",
    namespaces=nsmap,
)
_ABSTRACT_ID = etree.XPath("w:abstractNumId/@w:val", namespaces=nsmap)
_STYLE_LINK = etree.XPath("w:numStyleLink/@w:val", namespaces=nsmap)
_PLACEHOLDER = re.compile(r"%([1-9])")  # %1 … %9 in w:lvlText: the number of that level (1-based)


@dataclass(frozen=True)
class _Level:
    """One level of a list (<w:lvl>): what its number looks like and when it restarts."""

    start: int  # w:start, the first number
    format: str  # w:numFmt: decimal, chineseCounting, bullet, …
    text: str  # w:lvlText, with %1 … %9 for the numbers of levels 1 … 9
    restart: int  # counts restart whenever a level with a smaller index is used; 0 for never (w:lvlRestart)
    legal: bool  # w:isLgl: every number in the text in decimal
    suffix: str  # w:suff: tab, space or nothing


@dataclass(frozen=True)
class _Instance:
    """A <w:num>: the list it counts in (an abstractNum's id), its levels with overrides, and the
    levels it restarts at its first paragraph (w:startOverride)."""

    list: str
    levels: dict[int, _Level]
    restarts: frozenset[int]


class ListNumbers:
    """The numbers Word shows before numbered paragraphs of one document, counted in reading order.

    numbering.xml and the styles are read once. As in Word, the <w:num> instances of one abstract
    definition continue one another's counts unless one restarts a level with w:startOverride;
    using a level restarts the deeper ones (w:lvlRestart can make them wait or never restart).
    """

    def __init__(self, document) -> None:
        styles = _related_xml(document, RT.STYLES)
        numbering = _related_xml(document, RT.NUMBERING)
        self._styles = {} if styles is None else {style.get(qn("w:styleId")): style for style in _STYLES(styles)}
        self._default_style = _first(_DEFAULT_STYLE(styles)) if styles is not None else None
        self._instances = {} if numbering is None else _instances(numbering, self._styles)
        self._style_numbering: dict[str | None, tuple[str | None, str | None]] = {}
        self._counts: dict[str, dict[int, int]] = {}  # per list: the last number of each level in use
        self._met: set[str] = set()  # the numIds of the paragraphs so far

    def label(self, paragraph) -> str:
        """The number Word shows before ``paragraph`` and what parts it from the text; "" for none."""
        if not self._instances:
            return ""
        num_id, level_index = self._numbering(paragraph)
        instance = self._instances.get(num_id)
        level = instance.levels.get(level_index) if instance else None
        if level is None:
            return ""
        counts = self._count(instance, num_id, level_index)
        if level.format == "bullet":  # a bullet character is no heading marker
            return ""
        number = _PLACEHOLDER.sub(lambda match: _level_number(instance.levels, counts, int(match[1]) - 1, level.legal),
                                  level.text)
        return number + _separator(number, level.suffix)

    def _numbering(self, paragraph) -> tuple[str | None, int]:
        """The numId and level of a paragraph: its own w:numPr's, else its style's (numId 0: none)."""
        own = _numbering_properties(paragraph)
        num_id, level_index = own.get(_W_NUM_ID), own.get(_W_ILVL)
        if num_id is None or level_index is None:
            style_id = own.get(_W_PSTYLE)
            style_num_id, style_level = self._style(style_id if style_id in self._styles else self._default_style)
            num_id = style_num_id if num_id is None else num_id
            level_index = style_level if level_index is None else level_index
        return num_id, _integer(level_index, 0)

    def _style(self, style_id: str | None) -> tuple[str | None, str | None]:
        """numId and level index that a paragraph style gives, from it or the styles it is based on."""
        if style_id not in self._style_numbering:
            num_id = level_index = None
            chain, seen = style_id, set()
            while chain in self._styles and chain not in seen and (num_id is None or level_index is None):
                seen.add(chain)
                style = self._styles[chain]
                given = _numbering_properties(style)
                num_id = given.get(_W_NUM_ID) if num_id is None else num_id
                level_index = given.get(_W_ILVL) if level_index is None else level_index
                chain = _first(_BASED_ON(style))
            self._style_numbering[style_id] = (num_id, level_index)
        return self._style_numbering[style_id]

    def _count(self, instance: _Instance, num_id: str, level_index: int) -> dict[int, int]:
        """Count a paragraph of ``level_index`` in its list; return the list's counts."""
        counts = self._counts.setdefault(instance.list, {})
        if num_id not in self._met:
            self._met.add(num_id)
            for restarted in instance.restarts:
                counts.pop(restarted, None)
        counts[level_index] = counts[level_index] + 1 if level_index in counts else instance.levels[level_index].start
        for deeper in [index for index in counts if index > level_index]:
            level = instance.levels.get(deeper)
            if level is None or level_index < level.restart:
                del counts[deeper]
        return counts


def _related_xml(document, relationship: str):
    """The root element of the document's part related by ``relationship`` (styles, numbering), or None."""
    try:
        part = document.part.part_related_by(relationship)
    except KeyError:
        return None
    return getattr(part, "element", None)  # a part of an unexpected content type is loaded as bytes only


def _instances(numbering, styles: dict) -> dict[str, _Instance]:
    """Each <w:num> of numbering.xml by numId, its abstract definition followed through a numbering
    style (w:numStyleLink → the style's w:num → the abstractNum holding the levels)."""
    abstracts = {each.get(qn("w:abstractNumId")): each for each in numbering.iterchildren(qn("w:abstractNum"))}
    nums = {num.get(qn("w:numId")): num for num in numbering.iterchildren(qn("w:num"))}

    def abstract_of(num) -> str | None:
        abstract_id = _first(_ABSTRACT_ID(num))
        link = _first(_STYLE_LINK(abstracts[abstract_id])) if abstract_id in abstracts else None
        if link in styles:
            linked = nums.get(_numbering_properties(styles[link]).get(_W_NUM_ID))
            abstract_id = _first(_ABSTRACT_ID(linked)) if linked is not None else None
        return abstract_id if abstract_id in abstracts else None

    instances = {}
    for num_id, num in nums.items():
        abstract_id = abstract_of(num)
        if abstract_id is None or num_id == "0":  # numId 0 means no numbering, whatever is defined for it
            continue
        levels = {_integer(lvl.get(_W_ILVL), 0): lvl for lvl in abstracts[abstract_id].iterchildren(qn("w:lvl"))}
        levels = {index: _level(lvl, index) for index, lvl in levels.items()}
        restarts = set()
        for override in num.iterchildren(qn("w:lvlOverride")):
            index = _integer(override.get(_W_ILVL), 0)
            lvl = override.find(qn("w:lvl"))
            if lvl is not None:  # Word ignores w:lvlRestart here
                levels[index] = replace(_level(lvl, index), restart=levels[index].restart if index in levels else index)
            start = override.find(qn("w:startOverride"))
            if start is not None and index in levels:
                levels[index] = replace(levels[index], start=_integer(start.get(_W_VAL), 0))
                restarts.add(index)
        instances[num_id] = _Instance(abstract_id, levels, frozenset(restarts))
    return instances


def _level(lvl, index: int) -> _Level:
    """A <w:lvl> of list level ``index``, with Word's defaults for what it leaves out."""

    def value(tag: str) -> str | None:
        child = lvl.find(qn(tag))
        return None if child is None else child.get(_W_VAL)

    restart = _integer(value("w:lvlRestart"), index)
    legal = lvl.find(qn("w:isLgl")) is not None and value("w:isLgl") not in ("0", "false", "off")  # on without a value
    return _Level(start=_integer(value("w:start"), 0), format=value("w:numFmt") or "decimal",
                  text=value("w:lvlText") or "", restart=min(restart, index), legal=legal,
                  suffix=value("w:suff") or "tab")


def _numbering_properties(element) -> dict[str, str | None]:
    """The values of w:numId, w:ilvl and w:pStyle in the w:pPr of a paragraph or style, by tag: one
    XPath query, as most paragraphs have none of them."""
    return {child.tag: child.get(_W_VAL) for child in _NUMBERING_PROPERTIES(element)}


def _first(values: list):
    """The first of an XPath's results, or None."""
    return values[0] if values else None


def _integer(text: str | None, default: int) -> int:
    """A whole-number attribute, or ``default`` where it is missing or malformed: a damaged list
    loses its numbers, not the document its text."""
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _level_number(levels: dict[int, _Level], counts: dict[int, int], index: int, legal: bool) -> str:
    """The number of level ``index`` as the text of a level shows it: the level's current count (its
    start where it has none yet) in its format, or in decimal where the showing level is legal."""
    level = levels.get(index)
    if level is None:
        return ""
    return _formatted(counts.get(index, level.start), "decimal" if legal else level.format)


_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_CHINESE_DIGITS = "〇一二三四五六七八九"
_COUNTING_DIGITS = "零一二三四五六七八九"  # with place units a gap is 零: 一百零一
_CHINESE_UNITS = "十百千"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LEGAL_UNITS = "拾佰仟"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


def _formatted(n: int, number_format: str) -> str:
    """``n`` in the w:numFmt ``number_format`` as Word writes it. Formats not listed here (ordinal,
    cardinalText, other scripts' numerals, …) and numbers out of a format's range are written in
    decimal: a number that shows is worth more to the structure than its exact form."""
    if number_format == "none":
        return ""
    if number_format == "decimalZero":
        return f"{n:02d}"
    if number_format in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(_FULL_WIDTH_DIGITS)
    if number_format in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)  # ① … ⑳
    if number_format == "chineseCounting" and 0 < n < 100:
        return _chinese(n, _COUNTING_DIGITS, _CHINESE_UNITS, ten_alone=True)
    if number_format == "chineseCounting" and n >= 100:  # digit by digit: 一〇一
        return "".join(_CHINESE_DIGITS[int(digit)] for digit in str(n))
    if number_format == "chineseCountingThousand" and 0 < n < 10000:
        return _chinese(n, _COUNTING_DIGITS, _CHINESE_UNITS, ten_alone=True)
    if number_format == "chineseLegalSimplified" and 0 < n < 10000:
        return _chinese(n, _LEGAL_DIGITS, _LEGAL_UNITS, ten_alone=False)
    if number_format == "ideographTraditional" and 1 <= n <= len(_STEMS):
        return _STEMS[n - 1]
    if number_format == "ideographZodiac" and 1 <= n <= len(_BRANCHES):
        return _BRANCHES[n - 1]
    if number_format in ("lowerLetter", "upperLetter") and n >= 1:  # … z, aa, bb …
        letters = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letters if number_format == "lowerLetter" else letters.upper()
    if number_format in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        numeral = _roman(n)
        return numeral if number_format == "lowerRoman" else numeral.upper()
    return str(n)


def _chinese(n: int, digits: str, units: str, *, ten_alone: bool) -> str:
    """``n`` (1 to 9,999) in Chinese numerals with place units (十百千): a run of zeros inside it is
    one zero digit and trailing zeros are left out (一百零一, 一千零一十); ten_alone writes 10–19 as
    十, 十一 … rather than 一十, 一十一 (壹拾 stays, as amounts in capitals are written)."""
    text, gap = "", False
    for place, unit in zip((1000, 100, 10, 1), (*reversed(units), "")):
        digit = n // place % 10
        if digit:
            text += (digits[0] if gap else "") + digits[digit] + unit
        gap = bool(text) and not digit
    return text[1:] if ten_alone and 10 <= n < 20 else text


def _roman(n: int) -> str:
    """``n`` (1 to 3,999) in lower-case Roman numerals."""
    numeral = ""
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        numeral += letters * count
    return numeral


def _separator(number: str, suffix: str) -> str:
    """What stands between a paragraph's number and its text in plain text, for w:suff ``suffix``: a space
    stays a space; a tab or nothing becomes the gap the documents write after such a marker
    (:func:`~cityanalytics.corpus.markers.marker_gap`: 一、总体要求, ①加强, 1. 坚持, 第一章 总则)."""
    return " " if number and suffix == "space" else marker_gap(number)
