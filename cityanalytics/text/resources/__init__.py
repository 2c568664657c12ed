"""Shipped, versioned token resources: policy lexicon, place names, policy boilerplate, stopwords.

The general stopword list is the Chinese list of the ``stopwordsiso`` package (MIT), read at
run time; the other lists live in this folder. Every list has a content hash, so manifests
and caches can name exactly which resources produced a table.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from cityanalytics.errors import InputFileError
from cityanalytics.hashing import sha256_text

RESOURCE_DIR = Path(str(resources.files("cityanalytics.text.resources")))
POLICY_LEXICON = RESOURCE_DIR / "policy_lexicon.txt"
PLACES = RESOURCE_DIR / "places.txt"
BOILERPLATE = RESOURCE_DIR / "boilerplate.txt"


def version() -> str:
    """Version of the shipped resources, from the VERSION file."""
    return (RESOURCE_DIR / "VERSION").read_text("utf-8").strip()


def words_hash(words: frozenset[str]) -> str:
    """SHA-256 of a word set, independent of order."""
    return sha256_text("\n".join(sorted(words)))


def read_word_list(path: str | Path, data: bytes | None = None) -> frozenset[str]:
    """Words of a list file: one per line (first field), ``#`` comments and blank lines ignored.
    ``data`` is the file's content where it was read before. A file that is not UTF-8 is refused by name."""
    try:
        text = (Path(path).read_bytes() if data is None else data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(path, "a word list must be UTF-8 (save it as UTF-8, e.g. with iconv -f GBK -t UTF-8)") from None
    words = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.split()[0])
    return frozenset(words)


@lru_cache(maxsize=1)
def general_stopwords() -> frozenset[str]:
    """The maintained general Chinese stopword list (stopwords-iso, zh)."""
    import stopwordsiso

    return frozenset(stopwordsiso.stopwords("zh"))


@lru_cache(maxsize=1)
def boilerplate_words() -> frozenset[str]:
    """Policy boilerplate (加强, 推进, 进一步, …): switch on to drop it from the terms."""
    return read_word_list(BOILERPLATE)
