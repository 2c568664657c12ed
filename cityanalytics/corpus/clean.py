"""Small ``str -> str`` cleaning steps for scraped policy documents.

Each step does one thing and can be tested on its own; :func:`clean_text` chains the steps
that are safe for any corpus. Source-specific repairs (which lines to join, where a run-on
chunk needs a paragraph break) are data in a recipe, applied with :func:`apply_line_joins`
and :func:`insert_paragraph_breaks`, so they stay visible and checked.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import numpy as np
from numba import njit

from cityanalytics.codepoints import code_points, from_code_points
from cityanalytics.corpus.markers import ARTICLE_MARKER, HEADING_MARKER, INLINE_HEADING_MARKER, marker_gap
from cityanalytics.corpus.metadata import DOC_NO_LINE

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SENTENCE_END = "。！？!?…"
CLOSING = "”’」』》）)】"

_ASCII_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_ASCII_NEXT_TO_CJK = tuple(
    (re.compile(rf"{re.escape(mark)}(?:(?<=[{CJK}”’》）]{re.escape(mark)})|(?=[{CJK}“‘《（]))"), full)
    for mark, full in _ASCII_TO_FULL.items()
)
"""Per ASCII mark, the mark after a Chinese character or closing quote or bracket, or before one or an opening one,
with its full-width form. Each pattern starts with its literal mark, which the regex engine finds with a fast scan;
the full-width forms are in neither class, so replacing one mark cannot change what another's neighbours are."""
_PAREN_PAIR = re.compile(r"\(([^()\n]{0,120})\)")
_HAS_CJK = re.compile(f"[{CJK}]")
_HEADING_START = re.compile(f"^(?:{HEADING_MARKER})")
"""A heading marker at a line's start (:data:`~cityanalytics.corpus.markers.HEADING_MARKER`): a number such as
``1.8`` (a wrap can put one first on a line) is no ``1.`` marker."""
_SPACES_AFTER_PUNCT = re.compile(r" (?<=[，。：；！？、] ) *")
"""A run of spaces after Chinese punctuation. The match starts at the first space, which the regex engine finds
with a fast scan, and looks back at the mark, instead of starting at every punctuation mark."""
_INLINE_FURNITURE_TAIL = r"(?:本站编辑|责任编辑|编辑|来源)[：:\s][^）)\n]{0,30}[）)]"
_INLINE_FURNITURE = re.compile(rf"[（(]{_INLINE_FURNITURE_TAIL}")
_TITLE_WORDS = tuple("通知 意见 方案 决定 办法 规定 条例 纲要 规划 报告 要点 计划 细则 通报 公告 决议 汇报".split())
"""Words that end a title, which is not a paragraph however long it is."""
_QUOTE_OR_COMMA = re.compile("[“”，]")
_ARTICLE_START = re.compile(f"^{ARTICLE_MARKER}")
_DATED_RECORD_START = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日[ \u3000]")
"""A line opening with a date and a space: a record of its own, as the adoption and amendment records at the head of
a regulation are (``2015年7月24日 浙江省…第二十一次会议修正``); prose runs on without a space after a date."""
_DASHES = "—－─-"
_PAGE_NUMBER_TAIL = rf"(?<![0-9A-Za-z][{_DASHES}])[{_DASHES}]?\s*\d{{1,3}}\s*[{_DASHES}]{{1,2}}"
_PAGE_NUMBER = re.compile(rf"[{_DASHES}]{_PAGE_NUMBER_TAIL}")
"""A page number such as ``—15—`` not glued to a word; the first dash is matched before the look
back at what precedes it, so the search skips ahead to dashes instead of testing every position."""
_PAGE_LINE = re.compile(r"\s*第\d{1,3}页\s*")
_STOPS = "。！？；"
_INLINE_HEADING_TAIL = rf"[ \t]*(?=(?:{INLINE_HEADING_MARKER}))"
_INLINE_HEADING = re.compile(rf"([{_STOPS}]){_INLINE_HEADING_TAIL}")
_CHUNK = re.compile(r"^(\d{1,3})、(.*)$")
_CLOSED_END = SENTENCE_END + CLOSING + "：；:"
"""Characters that end a line without leaving its clause open."""
_OPEN_LINE_END = re.compile(rf"\n(?<=[^{re.escape(_CLOSED_END)}\n]\n)")
"""The line break after a line that ends without closing punctuation."""
_CLOSING_LINE_END = re.compile(rf"\n(?<=[{re.escape(CLOSING)}]\n)")
"""The line break after a line that ends with a closing quote or bracket."""
_NO_LINE_START = "，、。；：！？" + CLOSING
"""Punctuation that starts no line: a line that starts with it was cut off the line before."""
_CUT_LINE_START = re.compile(f"\n(?:[^\\S\n]*\n)*[{re.escape(_NO_LINE_START)}]")
"""The line break (with any blank lines after it) before a line that starts with :data:`_NO_LINE_START`."""
_BREAK_TO_NORMALIZE = re.compile(r"\n(?:(?<=[^\S\n]\n)|[^\S\n]|\n\n)")
"""A line break with whitespace other than a line break just before or after it, or the first of three in a row.
Starting at the break, which the regex engine finds with a fast scan, this is searched about ten times faster
than ``(?m)^\\s|\\s$``."""


def _by_first_char(chars: str, tail: str) -> tuple[re.Pattern, ...]:
    """``[chars]tail`` as one pattern per character of ``chars``, each matching where ``[chars]tail`` matches with
    that character first.

    The regex engine tests a leading character class at every position of a text but finds a leading literal with
    a fast scan, so searching these few patterns tells whether ``[chars]tail`` matches several times faster.
    """
    return tuple(re.compile(re.escape(char) + tail) for char in chars)


def _matches_any(patterns: tuple[re.Pattern, ...], text: str) -> bool:
    """Whether one of ``patterns`` matches somewhere in ``text``."""
    return any(pattern.search(text) for pattern in patterns)


def _is_whitespace_normal(text: str) -> bool:
    """Whether :func:`normalize_whitespace` would only apply NFC to ``text`` (given it has no ``\\r``).

    That is so when every line equals its ``str.strip()``, the text neither starts nor ends with whitespace (a line
    break included), and no two blank lines follow each other. ``\\s`` in a str pattern matches exactly what
    ``str.isspace`` accepts, and so what ``str.strip`` removes.
    """
    return not (text[:1].isspace() or text[-1:].isspace() or _BREAK_TO_NORMALIZE.search(text))


_INLINE_FURNITURE_BY_BRACKET = _by_first_char("（(", _INLINE_FURNITURE_TAIL)
_PAGE_NUMBER_BY_DASH = _by_first_char(_DASHES, _PAGE_NUMBER_TAIL)
_INLINE_HEADING_BY_STOP = _by_first_char(_STOPS, _INLINE_HEADING_TAIL)
_SINGLE_CJK_LINE = re.compile(rf"\n[^\S\n]*[{CJK}][^\S\n]*$", re.M)
"""A line after the first that is one Chinese character once stripped. Starting at the line break, which the regex
engine finds with a fast scan, this is searched several times faster than ``(?m)^…``."""


_WIDTH_TABLE = {
    **{code: code - 0xFEE0 for low, high in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
       for code in range(low, high + 1)},
    **dict.fromkeys(map(ord, "\u3000\u00a0\u2002\u2003\u2009"), " "),
    **dict.fromkeys(map(ord, "\u200b\ufeff")),
}
"""Full-width digits and letters to ASCII, wide and non-breaking spaces to a space, zero-width ones removed."""


def _width_array(table: dict[int, int | str | None]) -> np.ndarray:
    """:data:`_WIDTH_TABLE` as an array indexed by code point, for the compiled pass: each code point's
    replacement, itself where the table leaves it, -1 where the table removes it."""
    array = np.arange(max(table) + 1, dtype=np.int32)
    for code, replacement in table.items():
        array[code] = -1 if replacement is None else ord(replacement) if isinstance(replacement, str) else replacement
    return array


_WIDTH_ARRAY = _width_array(_WIDTH_TABLE)


@njit(cache=True, nogil=True)
def _narrowed(points, width_array):
    """``points`` with each code point replaced as ``width_array`` says, and whether any changed (if none,
    the array is not copied)."""
    first = -1
    for k in range(points.size):
        code = points[k]
        if code < width_array.size and width_array[code] != code:
            first = k
            break
    if first < 0:
        return points, False
    out = np.empty_like(points)
    out[:first] = points[:first]
    n = first
    for k in range(first, points.size):
        code = points[k]
        if code < width_array.size:
            code = width_array[code]
        if code >= 0:
            out[n] = code
            n += 1
    return out[:n], True


def normalize_width(text: str) -> str:
    """Full-width digits and Latin letters to ASCII; ASCII punctuation next to Chinese to full-width.

    Scrapes mix ``,`` and ``，`` and ``(一)`` and ``（一）``; one form makes headings and
    sentences detectable with one rule and keeps tokens identical across sources.
    """
    narrow, changed = _narrowed(code_points(text), _WIDTH_ARRAY)
    if changed:
        text = from_code_points(narrow)

    for ascii_next_to_cjk, full in _ASCII_NEXT_TO_CJK:
        text = ascii_next_to_cjk.sub(full, text)

    def _paren(match: re.Match) -> str:
        inner = match.group(1)
        start = match.start()
        at_line_start = start == 0 or text[start - 1] == "\n"
        if _HAS_CJK.search(inner) or (at_line_start and re.fullmatch(r"\d{1,2}", inner)):
            return f"（{inner}）"
        return match.group(0)

    return _SPACES_AFTER_PUNCT.sub("", _PAREN_PAIR.sub(_paren, text))


def normalize_whitespace(text: str) -> str:
    """Unify line endings, strip each line, and collapse runs of blank lines to one."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if _is_whitespace_normal(text):
        return text
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


_CJK_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF))
"""The Chinese characters :func:`traditional_share` counts."""
_OTHER, _CHINESE, _TRADITIONAL_ONLY = 0, 1, 2
"""The classes of :func:`_character_classes`."""


@lru_cache(maxsize=1)
def _character_classes() -> np.ndarray:
    """For each code point below U+FB00: a Chinese character of :data:`_CJK_RANGES` that only Traditional
    writing uses (OpenCC simplifies it, and its Simplified form converts back to it), another Chinese
    character, or neither.

    坏 (→ 坯 → 坯) and 乾 (→ 干 → 幹) are valid Simplified characters that OpenCC would still
    rewrite, so they do not count as evidence of Traditional text. Every character is converted
    on its own line, so no phrase of the dictionary spans two of them.
    """
    chars = [chr(code) for low, high in _CJK_RANGES for code in range(low, high + 1)]
    simplified = _t2s().convert("\n".join(chars)).split("\n")
    back = _s2t().convert("\n".join(simplified)).split("\n")
    classes = np.full(_CJK_RANGES[-1][1] + 1, _OTHER, dtype=np.uint8)
    classes[[ord(ch) for ch in chars]] = _CHINESE
    classes[[ord(ch) for ch, simple, again in zip(chars, simplified, back) if simple != ch and ch in again]] = (
        _TRADITIONAL_ONLY
    )
    return classes


@njit(cache=True, nogil=True)
def _count_chinese(points, classes):
    """How many of ``points`` are Chinese characters by ``classes``, and how many of those only Traditional
    writing uses."""
    chinese = traditional = 0
    for code in points:
        if code < classes.size and classes[code] != _OTHER:
            chinese += 1
            if classes[code] == _TRADITIONAL_ONLY:
                traditional += 1
    return chinese, traditional


def traditional_share(text: str) -> tuple[int, float]:
    """Number and share of the Chinese characters of a text that only Traditional writing uses."""
    chinese, count = _count_chinese(code_points(text), _character_classes())
    return count, count / chinese if chinese else 0.0


def to_simplified(text: str, min_share: float = 0.05, min_count: int = 2) -> tuple[str, bool]:
    """Convert a Traditional-character text to Simplified with OpenCC; say whether it was converted.

    Only a text with at least ``min_count`` Traditional-only characters making up ``min_share``
    of its Chinese characters is converted, because OpenCC also rewrites a few characters of
    Simplified text (坏 → 坯, 乾 → 干): a Simplified document is left exactly as it is.
    """
    count, share = traditional_share(text)
    if count < min_count or share < min_share:
        return text, False
    return _t2s().convert(text), True


@lru_cache(maxsize=1)
def furniture_patterns() -> tuple[re.Pattern, ...]:
    """The shipped regular expressions that recognise one line of site furniture."""
    source = resources.files("cityanalytics.corpus").joinpath("resources/furniture.txt").read_text("utf-8")
    return tuple(
        re.compile(line) for line in source.splitlines() if line.strip() and not line.startswith("#")
    )


_GLOBAL_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


_NOT_LINE_LOCAL = re.compile(r"\(\?<?[=!>]|\\[AZz]|[*+?}]\+")
"""Lookarounds, atomic groups, ``\\A``, ``\\Z`` and possessive quantifiers in a pattern's source: what they match in
a line can differ from what they match at the same place in the whole text. An escaped look-alike also counts,
which only costs speed."""


@lru_cache(maxsize=1)
def _furniture_alternations() -> tuple[str, str]:
    """The furniture patterns as two alternations: those anchored at the line start (tried once,
    at the start, with ``match``) and the others (searched), instead of one search per pattern.

    A pattern's leading global flags, such as ``(?i)``, become flags of its own branch. Lines
    are single lines, so ``^`` can only match at their start."""
    anchored, floating = [], []
    for pattern in (p.pattern for p in furniture_patterns()):
        flags = _GLOBAL_FLAGS.match(pattern)
        prefix, body = (f"?{flags.group(1)}:", pattern[flags.end():]) if flags else ("?:", pattern)
        if body.startswith("^"):
            anchored.append(f"({prefix}{body[1:]})")
        else:
            floating.append(f"({prefix}{body})")
    return "|".join(anchored) or "(?!)", "|".join(floating) or "(?!)"


@lru_cache(maxsize=1)
def _any_furniture() -> tuple[re.Pattern, re.Pattern]:
    """The two alternations of :func:`_furniture_alternations`, compiled for single lines."""
    anchored, floating = _furniture_alternations()
    return re.compile(anchored), re.compile(floating)


@lru_cache(maxsize=1)
def _furniture_in_text() -> tuple[re.Pattern, re.Pattern, re.Pattern] | None:
    """The two alternations compiled with ``re.M`` to search a whole text at once: the anchored one to match at the
    text's start and, after a line break, anywhere (faster than ``(?m)^``, which the regex engine tries at every
    position), and the floating one. None when a shipped pattern has a construct of :data:`_NOT_LINE_LOCAL`.

    In a text whose lines are stripped, the characters of a line that a pattern matches are matched by the same
    pattern at the same place in the text: ``^`` and ``$`` match at the line's ends, ``\\b`` sees the same word
    characters (a line break is not one), and what lies beyond the line can only add matches (``\\s`` and
    ``[^…]`` also match a line break). No match in the text thus means no furniture line.
    """
    if any(_NOT_LINE_LOCAL.search(pattern.pattern) for pattern in furniture_patterns()):
        return None
    anchored, floating = _furniture_alternations()
    return re.compile(anchored, re.M), re.compile(f"\n(?:{anchored})", re.M), re.compile(floating, re.M)


def _may_hold_furniture(text: str) -> bool:
    """False only when no line of ``text`` is furniture; found with a few searches of the whole text when its
    whitespace is normal, so that its lines are stripped (as :func:`clean_text` passes them), otherwise True."""
    patterns = _furniture_in_text()
    if patterns is None or not _is_whitespace_normal(text):
        return True
    at_start, after_break, floating = patterns
    return bool(at_start.match(text) or after_break.search(text) or floating.search(text))


def is_furniture(line: str) -> bool:
    """True when a line is download-site, magazine-site or news-site furniture, not document text."""
    stripped = line.strip()
    anchored, floating = _any_furniture()
    return anchored.match(stripped) is not None or floating.search(stripped) is not None


_MARKDOWN_HEADING = re.compile(r"#(?:(?<=^#)|(?<=\n#))#{0,5}[ \t\u3000]+")
"""The ``#`` to ``######`` and spaces opening a Markdown heading line; the pattern starts with its
literal ``#``, which the regex engine finds with a fast scan, and looks back for the line start."""
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_COMMENT_PARAGRAPH = re.compile(r"\n\n<!--(?:[^-\n]|-(?!->))*-->(?=\n\n)")
"""A comment that is a paragraph of its own, with the blank line before it: removed, it leaves the
text's whitespace as :func:`normalize_whitespace` leaves it, which no other comment is sure to."""


def strip_markup(text: str) -> str:
    """Remove Markdown heading marks (``## 第一章 总则`` becomes ``第一章 总则``, so its marker is read)
    and HTML comments (``<!-- INFO END -->``), which are markup of a source, not text of the document.
    Given a text as :func:`normalize_whitespace` leaves it, it leaves one so (lines stripped, so an
    indented mark is at its line's start; the blank lines a comment leaves collapsed)."""
    if "<!--" in text:
        text = _HTML_COMMENT_PARAGRAPH.sub("", text)
        if "<!--" in text:
            text = normalize_whitespace(_HTML_COMMENT.sub("", text))
    if "#" in text:
        text = _MARKDOWN_HEADING.sub("", text)
    return text


def drop_furniture_lines(text: str) -> str:
    """Remove lines that :func:`is_furniture` recognises, and editor credits such as ``（本站编辑 …摘编）``."""
    if _matches_any(_INLINE_FURNITURE_BY_BRACKET, text):
        text = _INLINE_FURNITURE.sub("", text)
    if not _may_hold_furniture(text):
        return text
    return "\n".join(line for line in text.split("\n") if not is_furniture(line))


def remove_page_numbers(text: str) -> str:
    """Remove printed page numbers such as ``—15—`` wherever the scrape left them."""
    if _matches_any(_PAGE_NUMBER_BY_DASH, text):
        text = _PAGE_NUMBER.sub("", text)
    if "页" not in text:
        return text
    return "\n".join(line for line in text.split("\n") if not _PAGE_LINE.fullmatch(line))


def join_numbered_chunks(text: str, min_chunk_chars: int = 150) -> str:
    """Rejoin a preview that was cut into numbered chunks (``1、…`` ``2、…``) mid-word.

    Preview sites print a document as fixed-size chunks, each prefixed with its number, and
    cut words in half at the chunk edges (``国民经济和社`` / ``2、会发展``). Only a run of
    lines numbered 1, 2, 3, … that are long (the last may be short) and nearly all stop
    mid-sentence qualifies, so ordinary numbered points (``1、加强领导。``) are never touched.
    """
    if not (text.startswith("1、") or "\n1、" in text):
        return text  # a run starts only at a line that starts with 1、
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if (m := _CHUNK.match(line)) and m.group(1) == "1"]
    for first in reversed(starts):
        run: list[int] = []
        i = first
        while i < len(lines):
            match = _CHUNK.match(lines[i])
            body = match.group(2) if match else ""  # a numbered line with no text is no chunk
            long_enough = bool(body) and (len(body) >= min_chunk_chars or len(run) >= 2)
            if match and int(match.group(1)) == len(run) + 1 and long_enough:
                run.append(i)
            elif lines[i].strip():
                break
            i += 1
        bodies = [_CHUNK.match(lines[j]).group(2) for j in run]
        cut = sum(body[-1] not in SENTENCE_END + CLOSING + "；：" for body in bodies)
        if len(run) >= 2 and cut >= len(run) - 1:
            lines[first : run[-1] + 1] = ["".join(bodies)]
    return "\n".join(lines)


def join_vertical_text(text: str) -> str:
    """Join a title typeset one character per line (``实`` / ``施`` / ``方`` / ``案``) onto its line."""
    if not _SINGLE_CJK_LINE.search(text):
        return text  # only a line after the first can be joined onto the line before it
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        single = len(line.strip()) == 1 and _HAS_CJK.match(line.strip())
        if single and out and out[-1] and out[-1][-1] not in SENTENCE_END:
            out[-1] += line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def _starts_unit(line: str) -> bool:
    """Whether a line starts a unit of its own: a numbered heading, an article, a document number, a dated record."""
    return bool(_HEADING_START.match(line) or _ARTICLE_START.match(line) or DOC_NO_LINE.match(line.strip())
                or _DATED_RECORD_START.match(line))


_HEAD = 8
"""More characters than :data:`_HEADING_START` reads at a line's start (at most five), so that matching it on a
line's first ``_HEAD`` characters is matching it on the line."""
_TAIL = max(map(len, _TITLE_WORDS))
_MARKS = (("《", "》"), ("“", "”"))
"""The marks that open and close a title and a quotation."""
_MARK_SPAN = 100
"""The most characters a title or a quotation cut by a break spans, from its opening mark to its closing one (in the
real corpora 99.9 % of titles span at most 56 and of quotations 87); a mark left open longer is a typo."""
_MIN_WRAP = 16
"""The narrowest wrap width looked for: shorter lines of one length are a list, not a wrapped text."""
_WRAP_SLACK = 2
"""How many characters a wrapped line may fall short of the width (its paragraph's indent stripped, an ASCII word
that did not fit), and how many full-width cells it may reach past it (a closing mark kept at its end)."""
_MIN_WRAPPED = 3
"""The fewest lines of the wrap width that make a text wrapped."""
_SENTENCE_END_LINE = re.compile(rf"[{re.escape(SENTENCE_END)}](?:\n|$)")
"""A line that ends a sentence."""
_CLAUSE_MARK_POINTS = np.array([ord(mark) for mark in "，、。；：！？"])
"""Marks that a line of wrapped prose holds (a clause runs some 10–20 characters) and a list of names or titles
does not."""
_CLOSED_END_POINTS = np.array([ord(mark) for mark in _CLOSED_END])
"""The code points of :data:`_CLOSED_END`, for the compiled test of how lines end."""


def _count_in_lines(positions: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many of the sorted ``positions`` each line ``[start, end)`` holds."""
    return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)


def _wrap_width(text: str) -> int:
    """The width in characters that a text was hard-wrapped at, or 0 when it was not.

    A PDF text layer or a print-width text keeps the layout's line breaks (official documents run 28 characters a
    line, GB/T 9704). The width is the greatest line length that at least half as many lines have as the commonest
    one (in a text of short paragraphs, first lines, indented, outnumber the full ones), and the text is wrapped
    when lines about that long are one in eight of its lines or more, hardly any line (one in ten of those) is
    wider, most of them end mid-clause and most hold a clause mark (a list of names or headings, however alike
    their lengths, holds none), and some line ends a sentence. Lines are measured in characters; only whether a line
    is wider than the width is judged in full-width cells, an ASCII character being half of one, so that a line
    holding digits, which a layout fills with more characters, is not taken for wider. Lines shorter than :data:`_MIN_WRAP`
    less the slack, and table rows (lines holding a tab), are left out.
    """
    points = code_points(text)
    breaks = np.flatnonzero(points == 10)
    starts, ends = np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [points.size]))
    lines = ends - starts >= _MIN_WRAP - _WRAP_SLACK
    if "\t" in text:
        lines &= _count_in_lines(np.flatnonzero(points == 9), starts, ends) == 0
    starts, ends = starts[lines], ends[lines]
    lengths = ends - starts
    counts = np.bincount(lengths, minlength=_MIN_WRAP)
    counts[:_MIN_WRAP] = 0
    width = int(np.flatnonzero(counts * 2 >= counts.max())[-1])
    full = np.flatnonzero(lengths >= width - _WRAP_SLACK)
    if counts[width] < _MIN_WRAPPED or full.size * 8 < lengths.size:
        return 0
    longer = np.flatnonzero(lengths > width + _WRAP_SLACK)  # only these can be wider
    ascii_chars = np.flatnonzero((points < 128) & (points != 10))
    cells = lengths[longer] - _count_in_lines(ascii_chars, starts[longer], ends[longer]) / 2
    if np.count_nonzero(cells > width + _WRAP_SLACK) * 10 > full.size:
        return 0
    open_full = np.count_nonzero(~np.isin(points[ends[full] - 1], _CLOSED_END_POINTS))
    clause_marks = np.flatnonzero(np.isin(points, _CLAUSE_MARK_POINTS))
    with_marks = np.count_nonzero(_count_in_lines(clause_marks, starts[full], ends[full]))
    wrapped = open_full * 2 >= full.size and with_marks * 2 >= full.size and _SENTENCE_END_LINE.search(text)
    return width if wrapped else 0


class _JoinedLine:
    """A line being rebuilt from the pieces a break cut it into, with what decides whether it goes on kept up to
    date piece by piece: its length and its last piece's, its first and last characters, the balance of ``《》`` and
    ``“”`` and where the last ``《`` and ``“`` stand, and whether it holds a ``，`` outside ``“…”``. Adding a piece
    thus costs time in the piece's length only; searching the whole line again for each piece made a long run of
    broken lines take time quadratic in its length."""

    __slots__ = ("pieces", "length", "last", "open_titles", "open_quotes", "title_at", "quote_at", "head", "tail",
                 "in_quote", "comma", "comma_in_quote")

    def __init__(self, line: str) -> None:
        self.pieces: list[str] = []
        self.length = self.last = 0  # characters; those of the last piece
        self.open_titles = self.open_quotes = 0  # 《 less 》; “ less ”
        self.title_at = self.quote_at = -1  # where the last 《 and the last “ stand in the line, -1 for none
        self.head = self.tail = ""  # the first _HEAD and the last _TAIL characters
        self.in_quote = False  # after a “ that no ” has closed yet
        self.comma = self.comma_in_quote = False  # a ， outside “…”; one after the “ not yet closed
        self.add(line)

    def add(self, piece: str) -> None:
        """Append ``piece`` to the line."""
        self.pieces.append(piece)
        if (at := piece.rfind("《")) >= 0:
            self.title_at = self.length + at
        if (at := piece.rfind("“")) >= 0:
            self.quote_at = self.length + at
        self.length += len(piece)
        self.last = len(piece)
        self.head = (self.head + piece[:_HEAD])[:_HEAD]
        self.tail = (self.tail + piece[-_TAIL:])[-_TAIL:]
        self.open_titles += piece.count("《") - piece.count("》")
        self.open_quotes += piece.count("“") - piece.count("”")
        if not (self.in_quote or "“" in piece):
            self.comma = self.comma or "，" in piece
            return
        for mark in _QUOTE_OR_COMMA.findall(piece):
            if mark == "，":
                self.comma_in_quote |= self.in_quote
                self.comma |= not self.in_quote
            elif mark == "“" and not self.in_quote:
                self.in_quote, self.comma_in_quote = True, False
            elif mark == "”":
                self.in_quote = False

    def text(self) -> str:
        """The line."""
        return "".join(self.pieces)

    def takes(self, line: str) -> bool:
        """Whether a non-blank ``line`` joins this line, which goes on: not a table row, nor a line that starts a unit
        of its own."""
        return "\t" not in line and not _starts_unit(line)

    def held_open(self, ahead: str) -> bool:
        """Whether a title or quotation this line leaves open goes on in ``ahead`` (the next non-blank line and the
        text after it): the line ends with its ``《`` or ``“``, or ``ahead`` closes its last opening mark, past any
        marks it opens and closes on the way (a title cut over three lines, one quoted inside it), within
        :data:`_MARK_SPAN` characters of that mark. A stray mark (a typo) thus joins no line."""
        if self.tail[-1:] in ("《", "“"):
            return True
        for (opening, closing), still_open, at in zip(_MARKS, (self.open_titles, self.open_quotes),
                                                      (self.title_at, self.quote_at)):
            if still_open > 0 and _closes(ahead[: max(0, _MARK_SPAN - (self.length - at))], opening):
                return True
        return False

    def continues(self, ahead: str, after_blank: bool, min_long: int, wrap_width: int) -> bool:
        """Whether the line goes on on the next non-blank line, with which ``ahead`` starts (after a blank line when
        ``after_blank``; ``ahead`` runs on past it, :data:`_MARK_SPAN` characters where the text does), by
        the rules of :func:`join_broken_lines`, ``wrap_width`` being the text's (:func:`_wrap_width`). A ``“`` that
        no ``”`` closes quotes nothing, so a ``，`` after it counts only while it stays open."""
        if not self.tail:
            return False
        if ahead[0] in _NO_LINE_START or self.held_open(ahead):
            return True
        last, no_title = self.tail[-1], not self.tail.endswith(_TITLE_WORDS)
        wrapped = 0 < wrap_width - _WRAP_SLACK <= self.last and no_title
        if last in _CLOSED_END:  # a wrap after a closing mark that follows no stop cuts a clause
            return wrapped and last in CLOSING and self.tail[-2:-1] not in _CLOSED_END
        return (
            last in "，、"
            or wrapped
            or ((self.comma or (self.in_quote and self.comma_in_quote)) and not _HEADING_START.match(self.head))
            or (self.length >= min_long and no_title and not after_blank)
        )


_MARK_OR_ITS_CLOSE = {opening: re.compile(f"[{opening}{closing}]") for opening, closing in _MARKS}


def _closes(reach: str, opening: str) -> bool:
    """Whether ``reach`` closes an ``opening`` mark left open before it: a closing mark that no opening one in
    ``reach`` waits for."""
    depth = 1
    for mark in _MARK_OR_ITS_CLOSE[opening].findall(reach):
        depth += 1 if mark == opening else -1
        if depth == 0:
            return True
    return False


def _lines_that_may_continue(text: str, wrapped: bool) -> list[int]:
    """Where the lines start that :meth:`_JoinedLine.continues` may hold for, in order: those that end without
    closing punctuation, those that open more ``《`` or ``“`` than they close (a line ending with a closing mark is
    held open only by these), those before a line that starts with punctuation, and in a ``wrapped`` text those that
    end with a closing mark. The last line may be left out, as nothing follows it. Searching the whole text for them
    spares testing every line; a law's title quoted whole, ``《…》``, leaves its line out."""
    breaks = [_OPEN_LINE_END, _CUT_LINE_START, *([_CLOSING_LINE_END] if wrapped else [])]
    starts = {text.rfind("\n", 0, match.start()) + 1 for pattern in breaks for match in pattern.finditer(text)}
    for opening, closing in _MARKS:
        at = text.find(opening)
        while at >= 0:
            line_start, line_end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
            line_end = len(text) if line_end < 0 else line_end
            if text.count(opening, line_start, line_end) > text.count(closing, line_start, line_end):
                starts.add(line_start)
            at = text.find(opening, line_end)
    return sorted(starts)


def _next_line(text: str, start: int) -> tuple[str, int, bool]:
    """The first non-blank line from offset ``start`` on ("" when none is left), where the line after it starts, and
    whether blank lines came before it."""
    blank = False
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line, start = text[start:end], end + 1
        if line.strip():
            return line, start, blank
        blank = True
    return "", start, blank


def _join_run(text: str, start: int, out: list[str], min_long: int, wrap_width: int) -> int:
    """Append the line at offset ``start`` to ``out``, with the lines that join it; return where the next line
    starts (past the end of the text when no line is left)."""
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line, start = text[start:end], end + 1
    joined: _JoinedLine | None = None  # the line that goes on on the next non-blank line
    while True:
        if joined is not None and joined.takes(line):
            joined.add(line)
        else:
            if joined is not None:
                out.append(joined.text())
            if "\t" in line:  # a table row keeps its own line
                out.append(line)
                return start
            joined = _JoinedLine(line)
        following, after, after_blank = _next_line(text, start)
        following_start = after - 1 - len(following)
        if not (following and joined.continues(text[following_start : following_start + _MARK_SPAN], after_blank,
                                               min_long, wrap_width)):
            break
        line, start = following, after
    out.append(joined.text())
    return start


def join_broken_lines(text: str, min_long: int = 60) -> str:
    """Rejoin lines that a page or column break, or a hard wrap, cut mid-sentence.

    A line continues on the next non-blank line when that line starts with punctuation (no line does), when a ``《``
    or ``“`` it leaves open is closed there soon (a stray one, a typo, closed nowhere near, glues nothing), when it
    ends with a comma or enumeration comma, or when it stops without closing punctuation and is a paragraph rather
    than a heading or title: one holding a comma without a heading marker, or a long one not across a blank line (a
    complete line that lacks a full stop, such as a record of an amendment, does not swallow the next paragraph). In a
    hard-wrapped text, a line about as long as the wrap width also continues unless it ends a clause (a closing mark
    after no stop does not). A line that starts a unit of its own — a numbered heading, an article (第一条), a
    document number, a dated record (``2018年11月30日 …修正``) — is never joined to the line before it; where a
    scrape did cut before such a marker (``…经济中心之`` / ``一、跨国公司…``) the seed recipe joins it.
    """
    wrap_width = _wrap_width(text) if _OPEN_LINE_END.search(text) else 0  # a wrapped text cuts lines mid-word
    starts = _lines_that_may_continue(text, wrap_width > 0)
    out: list[str] = []
    done = 0  # where the first line not yet in ``out`` starts
    for start in starts:
        if start < done:
            continue
        if start > done:
            out.append(text[done : start - 1])  # lines that do not continue, unchanged
        done = _join_run(text, start, out, min_long, wrap_width)
    if done <= len(text):
        out.append(text[done:])
    return "\n".join(out)


_TAB_AFTER_MARKER = re.compile(f"^({HEADING_MARKER}|{ARTICLE_MARKER})" r"[ \t]*\t[ \t]*(?=[^\t\n]*$)", re.M)
"""A heading or article marker followed by the line's only tab (``第一章\t总则``): a typed gap, not a table's cells."""


def untab_markers(text: str) -> str:
    """Turn a tab (with the spaces about it) right after a line's heading or article marker into the gap the
    documents write there (:func:`marker_gap`). Only on a line without any other tab: a table row keeps its cells
    apart."""
    if "\t" not in text:
        return text
    return _TAB_AFTER_MARKER.sub(lambda match: match[1] + marker_gap(match[1]), text)


def break_before_inline_headings(text: str) -> str:
    """Start a new line where a numbered heading was glued to the end of the previous paragraph."""
    if not _matches_any(_INLINE_HEADING_BY_STOP, text):
        return text
    return _INLINE_HEADING.sub("\\1\n", text)


def apply_line_joins(text: str, joins: list[str], source: str = "") -> str:
    """Join each line that starts with one of ``joins`` to the next non-blank line.

    Used for recipe-listed repairs (a title split over two lines). Each prefix must match
    exactly one line, so a recipe that no longer fits its source fails loudly.
    """
    lines = text.split("\n")
    for prefix in joins:
        hits = [i for i, line in enumerate(lines) if line.startswith(prefix)]
        if len(hits) != 1:
            raise ValueError(f"{source}: join prefix {prefix!r} matches {len(hits)} lines, expected 1")
        i = hits[0]
        if lines[i].rstrip()[-1] in SENTENCE_END:
            raise ValueError(f"{source}: join prefix {prefix!r} names a line that already ends a sentence")
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j == len(lines):
            raise ValueError(f"{source}: join prefix {prefix!r} has no following line")
        lines[i] = lines[i] + lines[j]
        del lines[i + 1 : j + 1]
    return "\n".join(lines)


def insert_paragraph_breaks(text: str, before: list[str], source: str = "") -> str:
    """Insert a line break before each listed string, which must occur exactly once."""
    for marker in before:
        count = text.count(marker)
        if count != 1:
            raise ValueError(f"{source}: paragraph break marker {marker!r} occurs {count} times, expected 1")
        text = text.replace(marker, "\n" + marker)
    return text


def clean_text(text: str) -> str:
    """The cleaning every document gets: markup, tabs after heading markers, furniture, page numbers, width, broken
    lines, headings."""
    text = untab_markers(strip_markup(normalize_whitespace(text)))
    text = drop_furniture_lines(text)
    text = remove_page_numbers(text)
    text = normalize_width(text)
    text = join_numbered_chunks(text)
    text = join_vertical_text(text)
    text = break_before_inline_headings(text)
    text = join_broken_lines(text)
    return normalize_whitespace(text)
