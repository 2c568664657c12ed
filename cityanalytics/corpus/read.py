"""Turn one input file (.txt, .md, .html/.htm, .docx, .pdf) into text.

Reading only decodes and extracts: the text is NFC-normalised with "\\n" line
endings but otherwise left as found, because boilerplate removal and repairs
belong to the cleaning step. Every failure is raised as ``InputFileError``
naming the file and the problem, never as a library's own exception.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import charset_normalizer
import docx
import numpy as np
import pypdf
from bs4 import BeautifulSoup, NavigableString
from docx.oxml.ns import nsmap, qn
from lxml import etree
from pypdf.errors import DependencyError

from cityanalytics.codepoints import code_points
from cityanalytics.corpus.docx_numbering import ListNumbers
from cityanalytics.errors import InputFileError, lone_surrogate


@dataclass(frozen=True)
class FileText:
    """The text of one input file and how it was obtained."""

    path: str  # as given
    text: str  # decoded, NFC-normalised, newlines normalised to "\n"; not otherwise cleaned
    encoding: str  # text encoding used, or "docx"/"pdf" for binary formats
    format: str  # "txt", "md", "html", "docx", "pdf"


_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMATS)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# C0/C1 control characters other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.05
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_MAX_PRIVATE_USE_SHARE = 0.01
_MAX_REPLACEMENT_SHARE = 0.001
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})
_HAN_BLOCKS = (0x3400, 0xA000)  # CJK Extension A and the Unified Ideographs
_MIN_HAN_TO_JUDGE = 20
_MIN_COMMON_HAN_SHARE = 0.5
"""A GB-family reading is gibberish when fewer than half of its Chinese characters (at least 20)
are in common use. Real Chinese text, Simplified or Traditional, has 96.6–100 % (each of the
2,014 real-data documents, also converted to Traditional); Shift-JIS read as GB18030, which it
always decodes as, 14–25 %."""
_BINARY = "not a text file (many control characters or NUL bytes; binary file renamed?)"


def read_file(path: str | os.PathLike[str]) -> FileText:
    """Read `path` and return its text; raise InputFileError if it cannot be used."""
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        kind = f"'{suffix}'" if suffix else "(no extension)"
        raise InputFileError(name, f"unsupported file type {kind} (supported: {supported})")
    data = _read_bytes(name)
    if not data:
        raise InputFileError(name, "empty file")

    if fmt == "docx":
        text, encoding = _docx_text(data, name), "docx"
    elif fmt == "pdf":
        text, encoding = _pdf_text(data, name), "pdf"
    else:
        declared = _declared_charset(data) if fmt == "html" else None
        text, encoding = _decode(data, name, declared)
        if not text.strip():
            raise InputFileError(name, "empty file")
        if fmt == "html":
            text = _html_text(text, name)

    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return FileText(path=name, text=text, encoding=encoding, format=fmt)


def _lone_surrogates_replaced(text: str) -> str:
    """``text`` with each lone surrogate (see :func:`~cityanalytics.errors.lone_surrogate`) replaced
    by U+FFFD, as undecodable bytes are: no text column could hold it. Only a PDF's text can have
    one (pypdf gives one for a glyph that the character map points at half of a pair); the other
    formats are decoded from bytes, which never yields one."""
    if lone_surrogate(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _read_bytes(name: str) -> bytes:
    """Read the whole file, turning OS errors into InputFileError."""
    try:
        return Path(name).read_bytes()
    except FileNotFoundError:
        raise InputFileError(name, "file not found") from None
    except IsADirectoryError:
        raise InputFileError(name, "is a directory, not a file") from None
    except OSError as exc:
        raise InputFileError(name, f"cannot read file ({exc.strerror or exc})") from None


def decode_bytes(data: bytes, path: str | os.PathLike[str]) -> tuple[str, str]:
    """Decode text bytes of unknown encoding; return (text, encoding name).

    Order: byte-order mark, strict UTF-8, strict GB18030, charset-normalizer's
    guess, then UTF-8 or GB18030 with at most a few replacement characters.
    Raises InputFileError if nothing fits or the bytes look binary.
    """
    return _decode(data, os.fspath(path), None)


def _decode(data: bytes, name: str, declared: str | None) -> tuple[str, str]:
    """Decode as in decode_bytes, trying a declared (HTML meta) charset right after UTF-8 (after a
    plainly Chinese GB18030 reading where it is a single-byte one).

    Valid non-ASCII UTF-8 is practically never another encoding, so it beats a
    declaration; GBK-family decodings full of private-use characters are
    usually Big5 read wrongly, and those of rare characters Shift-JIS: both are
    passed over.
    """
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError:
                problem = f"has a {label} byte-order mark but is not valid {label}"
                raise InputFileError(name, problem) from None
            if _looks_binary(text):
                raise InputFileError(name, _BINARY)
            return text, encoding

    saw_binary = b"\x00" in data
    misread = None  # the share of common characters of a GB18030 reading passed over as gibberish
    for encoding, text in _candidate_decodings(data, declared):
        if _looks_binary(text):
            saw_binary = True
        elif encoding not in _GB_FAMILY or not _mostly_private_use(text):
            share = _common_han_share(text) if encoding in _GB_FAMILY else None
            if share is None or share >= _MIN_COMMON_HAN_SHARE:
                return text, encoding
            misread = share
    if saw_binary:
        raise InputFileError(name, _BINARY)
    if misread is not None:
        raise InputFileError(name, f"reads as GB18030 (GBK) only as gibberish ({misread:.0%} of its Chinese characters are "
                                   f"in common use): another encoding, such as Shift-JIS? Save it as UTF-8")
    raise InputFileError(name, "cannot decode text as UTF-8 or GB18030")


def _candidate_decodings(data: bytes, declared: str | None) -> Iterator[tuple[str, str]]:
    """Yield (encoding, text) for each plausible decoding, most trusted first, lazily. A declared single-byte
    charset (ISO-8859-1, cp1252, …) decodes any bytes, so a GB18030 reading that is plainly Chinese (enough
    characters to judge, most in common use) goes before it: a Chinese page mislabelled so is common, and
    a Western page's accented letters read as GB18030 are rare characters."""
    for encoding in dict.fromkeys(e for e in ("utf-8", declared, "gb18030") if e):
        if encoding == declared and _single_byte(declared):
            chinese = _strict_decoding(data, "gb18030")
            if chinese is not None and (_common_han_share(chinese) or 0) >= _MIN_COMMON_HAN_SHARE:
                yield "gb18030", chinese
        text = _strict_decoding(data, encoding)
        if text is not None:
            yield encoding, text
    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None:
        yield from _lossy_decoding(data, codecs.lookup(guess.encoding).name)
    for encoding in ("utf-8", "gb18030"):
        yield from _lossy_decoding(data, encoding)


def _strict_decoding(data: bytes, encoding: str) -> str | None:
    """The bytes decoded, or None where they are not valid in ``encoding``."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _single_byte(encoding: str) -> bool:
    """Whether a codec reads (nearly) every byte above ASCII as a character of its own (Latin-1, cp1252,
    KOI8-R, …). Nearly any bytes decode in it, so a Chinese page mislabelled so would load as mojibake."""
    return len(bytes(range(0x80, 0x100)).decode(encoding, errors="replace").replace("\ufffd", "")) > 100


def _lossy_decoding(data: bytes, encoding: str) -> Iterator[tuple[str, str]]:
    """Yield the decoding if it needs few replacement characters (e.g. one truncated character)."""
    text = data.decode(encoding, errors="replace")
    if text.count("\ufffd") <= max(1, len(text) * _MAX_REPLACEMENT_SHARE):
        yield encoding, text


def _looks_binary(text: str) -> bool:
    """True if control characters make up more than a small share of the text."""
    return len(_CONTROL.findall(text)) > len(text) * _MAX_CONTROL_SHARE


def _mostly_private_use(text: str) -> bool:
    """True if private-use characters are common among the non-ASCII ones (a wrong guess)."""
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7F)
    return len(_PRIVATE_USE.findall(text)) > non_ascii * _MAX_PRIVATE_USE_SHARE


def _common_han_share(text: str) -> float | None:
    """The share of the text's Chinese characters that are in common use (GB2312 level 1 or Big5
    level 1), or None with fewer than ``_MIN_HAN_TO_JUDGE`` of them."""
    points = code_points(text)
    han = points[(points >= _HAN_BLOCKS[0]) & (points < _HAN_BLOCKS[1])]
    if han.size < _MIN_HAN_TO_JUDGE:
        return None
    return float(_common_han()[han - _HAN_BLOCKS[0]].mean())


@lru_cache(maxsize=1)
def _common_han() -> np.ndarray:
    """Over the code points of ``_HAN_BLOCKS``: whether the character is in common use, that is in
    the first level of GB2312 (3,755 Simplified characters; lead bytes B0–D7) or of Big5 (5,401
    Traditional ones; lead bytes A4–C6)."""
    pairs = [(bytes([lead, trail]), "gb2312") for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF)]
    pairs += [(bytes([lead, trail]), "big5") for lead in range(0xA4, 0xC7)
              for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF))]
    common = np.zeros(_HAN_BLOCKS[1] - _HAN_BLOCKS[0], dtype=bool)
    for pair, encoding in pairs:
        character = pair.decode(encoding, errors="ignore")
        if len(character) == 1 and _HAN_BLOCKS[0] <= ord(character) < _HAN_BLOCKS[1]:
            common[ord(character) - _HAN_BLOCKS[0]] = True
    return common


_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    """Python codec name of an HTML <meta charset>, if present and usable.

    GB2312/GBK labels map to GB18030, their superset, because pages labelled
    GB2312 often use GBK characters; UTF-16/32 labels on byte-oriented markup
    are ignored, as browsers do.
    """
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        encoding = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    if encoding in _GB_FAMILY:
        return "gb18030"
    if encoding.startswith(("utf-16", "utf-32")):
        return None
    return encoding


_HTML_DROP = ("script", "style", "noscript", "template", "textarea", "select")  # not text, or form controls
_HTML_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HTML_BLOCKS = (
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
)  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's collapsible whitespace; keeps nbsp and U+3000
_SEGMENT_BREAK = "\x00"  # marks collapsed source whitespace that held a line break, until its neighbours are known
_SEGMENT_BREAKS = re.compile(r"[ \x00]*\x00[ \x00]*")


def _collapsed(source: str) -> str:
    """HTML source whitespace collapsed to one space, or to a mark where it holds a line break."""
    return _HTML_SPACE.sub(lambda run: _SEGMENT_BREAK if "\n" in run[0] or "\r" in run[0] else " ", source)


_WIDE = {"W", "F", "H"}
"""East Asian Width values of wide characters."""


def _width(character: str) -> str:
    """"wide", "mark" for a punctuation mark of ambiguous width (“ ” … —, which a Chinese page sets
    wide), or "narrow" (letters of ambiguous width too: é, α, Ж are set in a Latin or Cyrillic font)."""
    width = unicodedata.east_asian_width(character)
    if width in _WIDE:
        return "wide"
    return "mark" if width == "A" and unicodedata.category(character).startswith("P") else "narrow"


def _segment_break(match: re.Match) -> str:
    """A line break of the source between two wide (Chinese, Japanese) characters is dropped, as CSS
    Text 3 has it: pages wrap their source mid-sentence, and a space there would cut a word in two.
    A punctuation mark of ambiguous width (“ ” … —) beside a wide character counts as wide, as a
    Chinese page sets it; between two of them, or beside a narrow character, the break stays a space."""
    text, start, end = match.string, match.start(), match.end()
    if start == 0 or end == len(text):
        return " "
    widths = {_width(text[start - 1]), _width(text[end])}
    return "" if "wide" in widths and "narrow" not in widths else " "


def _html_text(markup: str, name: str) -> str:
    """Visible text of the <body>: one line per block element and table row; what a browser does
    not show (scripts, styles, elements hidden by attribute or style) and form controls left out.

    Source whitespace is collapsed as a browser would (except inside <pre>), a line break between
    two Chinese characters (or a Chinese character and a punctuation mark set wide) to nothing,
    then each line is trimmed of spaces and empty lines are dropped. Rows are
    replaced innermost first, so a nested table ends up flattened in its cell.
    """
    try:
        soup = BeautifulSoup(markup, "lxml")
        root = soup.body or soup
        hidden = root.find_all(lambda tag: tag.has_attr("hidden") or _HTML_HIDDEN_STYLE.search(tag.get("style") or ""))
        for tag in [*root.find_all(_HTML_DROP), *hidden]:
            tag.decompose()
        for string in root.find_all(string=True):
            if type(string) is NavigableString and string.find_parent("pre") is None:
                string.replace_with(_collapsed(string.replace(_SEGMENT_BREAK, "")))
        for tag in root.find_all("br"):
            tag.replace_with("\n")
        for tag in root.find_all(_HTML_BLOCKS):
            tag.insert_before("\n")
            tag.insert_after("\n")
        for row in reversed(root.find_all("tr")):
            cells = row.find_all(("td", "th"), recursive=False)
            row.replace_with(_table_row(_SEGMENT_BREAKS.sub(_segment_break, cell.get_text()) for cell in cells))
        text = _SEGMENT_BREAKS.sub(_segment_break, root.get_text())
    except Exception as exc:  # bs4/lxml failures vary; report them as the file's problem
        raise InputFileError(name, f"cannot parse HTML ({_describe(exc)})") from None
    lines = (line.strip(" \t") for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    if not text.strip():
        raise InputFileError(name, "HTML page has no visible text")
    return text


def _table_row(cells: Iterable[str]) -> str:
    """One table row as one line, its cells joined by tabs.

    The cleaning step leaves a line holding a tab as it is, so cells are not
    glued together as broken prose; line breaks and tabs inside a cell become
    single spaces to keep the cell within its row and column.
    """
    return "\t".join(_HTML_SPACE.sub(" ", cell).strip(" ") for cell in cells)


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W_P, _W_TBL, _W_SDT, _W_SDT_CONTENT = (qn(tag) for tag in ("w:p", "w:tbl", "w:sdt", "w:sdtContent"))
_SHOWS_PLACEHOLDER = etree.XPath("boolean(w:sdtPr/w:showingPlcHdr)", namespaces=nsmap)
_ROWS = etree.XPath("w:tr | w:sdt/w:sdtContent/w:tr", namespaces=nsmap)
_CELLS = etree.XPath("w:tc | w:sdt/w:sdtContent/w:tc", namespaces=nsmap)
_PARAGRAPH_RUNS = etree.XPath(
    ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent or ancestor::w:rt"
    " or ancestor::mc:Fallback or ancestor::w:sdt[w:sdtPr/w:showingPlcHdr])]",
    namespaces={**nsmap, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"},
)
"""The runs of a paragraph, however deeply wrapped (smart tags, tracked insertions, fields, hyperlinks,
content controls), but not deleted or moved-away text, text boxes, ruby annotations, the fallback
copy of alternate content or a content control's placeholder prompt (单击或点击此处输入文字。): these are
not the paragraph's own text, or repeat it."""


def _docx_text(data: bytes, name: str) -> str:
    """Paragraphs and table rows of the main body, one per line, in document order.

    A paragraph that Word numbers automatically starts with its number as Word shows it (一、,
    （一）, 第一章): it is in no run of the paragraph, yet structure detection reads headings by it.
    """
    if data.startswith(_OLE_SIGNATURE):
        problem = "not a valid .docx file (this is a legacy Word .doc file; save it as .docx)"
        raise InputFileError(name, problem)
    try:
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(_docx_lines(document.element.body, ListNumbers(document)))
    except zipfile.BadZipFile:
        raise InputFileError(name, "not a valid .docx file (not a ZIP package)") from None
    except Exception as exc:  # python-docx raises many types for damaged packages
        raise InputFileError(name, f"not a valid .docx file ({_describe(exc)})") from None
    if not text.strip():
        raise InputFileError(name, "document contains no text")
    return text


def _docx_lines(container, numbers: ListNumbers) -> Iterator[str]:
    """Walk a body, table cell or content control: paragraphs as lines, each table row as one line.

    Iterating the XML children keeps tables where they stand in the text; a
    cell continuing a merge is left empty, so merged text appears once and the
    other cells keep their columns. A paragraph that Word numbers starts with
    its number, counted in this reading order.
    """
    for child in container.iterchildren():
        if child.tag == _W_P:
            yield numbers.label(child) + _paragraph_text(child)
        elif child.tag == _W_TBL:
            for row in _ROWS(child):
                cells = ("" if _continues_merge(cell) else "\n".join(_docx_lines(cell, numbers))
                         for cell in _CELLS(row))
                yield _table_row(cells)
        elif child.tag == _W_SDT and not _SHOWS_PLACEHOLDER(child):  # a prompt nobody filled in is no text
            for content in child.iterchildren(_W_SDT_CONTENT):
                yield from _docx_lines(content, numbers)


def _paragraph_text(paragraph) -> str:
    """Text of a <w:p>: its runs' text, tabs and line breaks, in document order.

    python-docx's ``Paragraph.text`` reads only runs directly under the paragraph or a hyperlink, so
    it drops text wrapped in smart tags (dates in documents converted from .doc), tracked insertions,
    simple fields and inline content controls.
    """
    return "".join(run.text for run in _PARAGRAPH_RUNS(paragraph))


def _continues_merge(cell) -> bool:
    """True for a <w:tc> that continues a vertical or legacy horizontal merge."""
    for merge in ("w:vMerge", "w:hMerge"):
        element = cell.find(f"{qn('w:tcPr')}/{qn(merge)}")
        if element is not None and element.get(qn("w:val"), "continue") == "continue":
            return True
    return False


@contextlib.contextmanager
def _pypdf_quiet() -> Iterator[None]:
    """pypdf's log warnings about a damaged file held back: they name no file, and what makes a file
    unreadable is in the load's report."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _pdf_text(data: bytes, name: str) -> str:
    """Text of each page joined with "\\n"; encrypted PDFs are opened only with an empty password."""
    try:
        with _pypdf_quiet():
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise InputFileError(name, "PDF is password-protected")
            if not reader.pages:
                raise InputFileError(name, "PDF has no pages")
            text = _lone_surrogates_replaced("\n".join(page.extract_text() for page in reader.pages))
    except InputFileError:
        raise
    except DependencyError:
        problem = "PDF is encrypted with AES; reading it needs the 'cryptography' package"
        raise InputFileError(name, problem) from None
    except Exception as exc:  # pypdf raises many types for damaged files
        raise InputFileError(name, f"not a valid PDF file ({_describe(exc)})") from None
    if not text.strip():
        raise InputFileError(name, "PDF has no extractable text (scanned image?)")
    return text


def _describe(exc: Exception) -> str:
    """Short one-line description of a library exception for an error message."""
    message = " ".join(str(exc).split())
    if len(message) > 120:
        message = message[:117] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
