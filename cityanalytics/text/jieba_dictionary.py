"""jieba's dictionaries as jieba reads them: its main dictionary and user-dictionary files.

The fast backends rebuild jieba's prefix dictionary from these, so they must parse every line
exactly as ``jieba.Tokenizer.gen_pfdict`` and ``load_userdict`` do.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from cityanalytics.errors import InputFileError
from cityanalytics.hashing import sha256_bytes

DictionaryEntry = tuple[str, "int | None", "str | None"]
"""(word, frequency or None, tag or None) of one user-dictionary line."""

_USER_DICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
"""jieba's pattern for a user-dictionary line: word, optional frequency, optional tag."""


def read_user_dictionary(path: str | Path, data: bytes) -> list[DictionaryEntry]:
    """(word, freq or None, tag or None) per line of a jieba user dictionary, parsed as jieba does.

    ``data`` is the content of the file at ``path`` (which names it in errors), as its
    configuration read it; content this process has parsed before (under any path) is not parsed
    again: each new configuration reads its dictionaries, and most share the shipped ones."""
    digest = sha256_bytes(data)
    if digest not in _PARSED:
        try:
            _PARSED[digest] = _entries_of(data)
        except UnicodeDecodeError:
            raise InputFileError(path, "not a valid jieba user dictionary (it must be UTF-8)") from None
    return list(_PARSED[digest])


_PARSED: dict[str, tuple[DictionaryEntry, ...]] = {}
"""The entries of each dictionary content parsed in this process, by the content's SHA-256."""


def _entries_of(data: bytes) -> tuple[DictionaryEntry, ...]:
    """The entries of a user dictionary's bytes; raises UnicodeDecodeError if a line is not UTF-8."""
    entries = []
    for raw in data.split(b"\n"):
        line = raw.strip().decode("utf-8").lstrip("\ufeff")
        if line:
            word, freq, tag = _USER_DICT_LINE.match(line).groups()
            entries.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    return tuple(entries)


def main_dictionary_path() -> Path:
    import jieba

    return Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME


@lru_cache(maxsize=1)
def main_dictionary() -> tuple[list[str], list[int]]:
    """Word and frequency of every line of jieba's main dictionary (``word freq tag``), duplicates
    included: jieba keeps a word's last frequency but adds every line's to its total."""
    data = main_dictionary_path().read_bytes()
    text = data.decode("utf-8")
    fields = text.split()
    lines = text.count("\n")
    if len(fields) == 3 * lines and text.count(" ") == 2 * lines:  # "word freq tag" on every line: slice
        return fields[0::3], list(map(int, fields[1::3]))
    pairs = [raw.strip().decode("utf-8").split(" ")[:2] for raw in data.split(b"\n") if raw.strip()]  # as jieba reads
    return [word for word, _ in pairs], [int(freq) for _, freq in pairs]


def unreproduced(entries: list[DictionaryEntry], *, pos: bool) -> str:
    """What no fast backend reproduces of jieba for this configuration, empty if nothing: jieba's
    part-of-speech tagger segments with its own HMM, and for an entry without a positive frequency
    jieba derives one from its own state or forces the word apart."""
    if pos:
        return "part-of-speech tags come from jieba.posseg, which segments with its own HMM"
    unsized = [word for word, freq, _ in entries if not freq]
    if unsized:
        return f"{len(unsized)} dictionary entries without a positive frequency (e.g. {unsized[0]!r})"
    return ""
