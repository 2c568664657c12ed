"""Word segmentation: the configuration, one initialised tokenizer per process, and batch segmentation.

jieba is the reference. Two backends give its tokens, token for token, much faster:

- ``numba``: jieba's algorithm compiled by numba over the code points of a whole batch, which
  hands back integer codes instead of a Python string per token
  (:mod:`cityanalytics.text.compiled_jieba`);
- ``rjieba``: jieba's algorithm in Rust, set up with jieba's dictionary total and jieba's own HMM
  for runs of unknown characters (:mod:`cityanalytics.text.fast_jieba`; the ``rjieba`` extra).

``backend="auto"``, the default, takes numba wherever it reproduces jieba and jieba otherwise
(part-of-speech tags, user-dictionary entries without a positive frequency);
``TokenizerConfig.resolved_backend`` says which and ``describe()`` records it.

Each process builds its tokenizer for a configuration once and reuses it for every batch.
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from cityanalytics.errors import InputFileError
from cityanalytics.hashing import sha256_bytes, sha256_file, sha256_text
from cityanalytics.provenance import installed_version
from cityanalytics.text import resources
from cityanalytics.text.compiled_jieba import CompiledTokenizer, compiled_limitation
from cityanalytics.text.encoding import StringTokenizer, Vocabulary
from cityanalytics.text.fast_jieba import RjiebaTokenizer, rjieba_limitation
from cityanalytics.text.jieba_dictionary import read_user_dictionary, unreproduced

BACKENDS = ("jieba", "numba", "rjieba")
"""Concrete backends; ``backend="auto"`` picks the fastest one that gives jieba's tokens."""

_PUNCT = re.compile(r"^[\W_]+$")
_CHINESE_NUMERALS = "一二三四五六七八九十百千万亿零〇○两"
_NUMBER = re.compile(rf"^(?=.*\d)(?:[\d.,%％．·]+|[\d.]+[万亿千百])$|^[{_CHINESE_NUMERALS}]+$")
"""A number: digits with their separators and signs (at least one digit: "," alone is punctuation),
or Chinese numerals."""
_NUMERAL_LETTERS = frozenset(_CHINESE_NUMERALS)
_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9.\-]*$")


def backend_installed(name: str) -> bool:
    """Whether the package behind a backend can be imported."""
    return importlib.util.find_spec(name) is not None


@dataclass(frozen=True)
class TokenizerConfig:
    """Everything that decides which tokens come out, so results and caches can name it.

    ``backend`` is ``"auto"`` (numba where it reproduces jieba exactly, else jieba),
    ``"jieba"`` (the reference), ``"numba"`` or ``"rjieba"``. ``user_dicts`` are jieba
    user-dictionary files (``word [freq] [tag]`` per line); ``user_stopwords`` are word-list
    files. ``boilerplate`` drops policy boilerplate (加强, 推进, …) from the terms; ``stopwords``
    drops the general stopword list; ``pos`` asks jieba for part-of-speech tags (slower) so that
    ``keep_pos`` can filter.

    The files are read once, when the configuration is made, and everything it describes and
    builds comes from that reading: its key, its hashes, its tokenizer and its stopwords. After
    editing a dictionary or stopword file, make a new ``TokenizerConfig`` (a new key, a new
    tokenizer); the old one goes on with what it read, so that a cache entry or a manifest never
    pairs one file's tokens with another's hash. A single file may be given as a string.
    """

    backend: str = "auto"
    hmm: bool = True
    lexicon: bool = True
    user_dicts: tuple[str, ...] = ()
    stopwords: bool = True
    user_stopwords: tuple[str, ...] = ()
    boilerplate: bool = False
    pos: bool = False
    keep_pos: tuple[str, ...] | None = None
    files_sha256: str = field(init=False, repr=False, default="")
    """A hash of every dictionary and stopword file as read when the configuration was made: two
    configurations that read different contents are not equal, whatever their file names."""

    def __post_init__(self):
        for name in ("user_dicts", "user_stopwords", "keep_pos"):  # one file as a string; lists (from YAML) as tuples
            value = getattr(self, name)
            if value is not None:
                values = (value,) if isinstance(value, (str, Path)) else tuple(value)
                spelled = str if name == "keep_pos" else lambda path: str(Path(path))  # ./my.dict is my.dict
                object.__setattr__(self, name, tuple(map(spelled, values)))
        if self.backend not in ("auto", *BACKENDS):
            raise ValueError(f"unknown backend {self.backend!r}; choose 'auto' or one of {BACKENDS}")
        if self.keep_pos is not None and not self.pos:
            raise ValueError("keep_pos filters by part of speech and needs pos=True")
        for path in (*self.user_dicts, *self.user_stopwords):
            if not Path(path).is_file():
                raise InputFileError(path, "dictionary or stopword file not found")
        contents = {str(path): Path(path).read_bytes() for path in (*self.dictionary_files(), *self.user_stopwords)}
        digests = {path: sha256_bytes(data) for path, data in contents.items()}
        object.__setattr__(self, "_contents", contents)
        object.__setattr__(self, "_digests", digests)
        object.__setattr__(self, "files_sha256", sha256_text("\n".join(f"{p}\0{d}" for p, d in digests.items())))
        if self.backend in ("numba", "rjieba"):
            if not backend_installed(self.backend):
                raise ImportError(f"backend {self.backend!r} needs the {self.backend} package: pip install {self.backend}")
            if problem := self.limitation(self.backend):
                raise ValueError(f"backend {self.backend!r} cannot reproduce jieba here: {problem}; "
                                 f"use backend='jieba' or 'auto'")

    @cached_property
    def stopword_set(self) -> frozenset[str]:
        """Words never counted as terms under this configuration."""
        words: set[str] = set()
        if self.stopwords:
            words |= resources.general_stopwords()
        if self.boilerplate:
            words |= resources.boilerplate_words()
        for path in self.user_stopwords:
            words |= resources.read_word_list(path, self.contents(path))
        return frozenset(words)

    def contents(self, path: str | Path) -> bytes:
        """The bytes of one of the configuration's dictionary or stopword files, as read when it was made."""
        return self._contents[str(Path(path))]

    def shipped_dictionaries(self) -> list[Path]:
        """The policy lexicon and place names, when ``lexicon`` is on."""
        return [resources.POLICY_LEXICON, resources.PLACES] if self.lexicon else []

    def dictionary_files(self) -> list[Path]:
        """Dictionary files loaded into the tokenizer, in load order."""
        return self.shipped_dictionaries() + [Path(p) for p in self.user_dicts]

    def dictionary_hashes(self) -> dict[str, str]:
        """SHA-256 of each dictionary file: the shipped ones by name, user dictionaries by position
        and name (``user_dicts[0]:my.dict``), so that two user files of the same name never share
        an entry and a user file cannot stand in for a shipped one."""
        hashes = {path.name: self._digests[str(path)] for path in self.shipped_dictionaries()}
        hashes.update({f"user_dicts[{i}]:{Path(p).name}": self._digests[p] for i, p in enumerate(self.user_dicts)})
        return hashes

    @cached_property
    def dictionary_entries(self) -> list[tuple[str, int | None, str | None]]:
        """(word, freq or None, tag or None) of every dictionary line, parsed as jieba parses them."""
        return [entry for path in self.dictionary_files() for entry in read_user_dictionary(path, self.contents(path))]

    def limitation(self, backend: str) -> str:
        """Why a fast backend would not give jieba's tokens for this configuration; empty if it would."""
        if backend == "numba":
            return unreproduced(self.dictionary_entries, pos=self.pos) or compiled_limitation(self.dictionary_entries)
        return rjieba_limitation(self.dictionary_entries, hmm=self.hmm, pos=self.pos)

    @cached_property
    def resolved_backend(self) -> str:
        """The backend that segments: the one asked for, or for ``"auto"`` numba where it is
        installed and reproduces jieba exactly, else jieba."""
        if self.backend != "auto":
            return self.backend
        return "numba" if backend_installed("numba") and not self.limitation("numba") else "jieba"

    def describe(self) -> dict:
        """The configuration with the backend that segments, its version and the reference
        jieba's, and content hashes of every resource it uses."""
        described = asdict(self)
        del described["files_sha256"]  # the files are described by content below, path by path
        described.update(
            backend=self.resolved_backend,
            backend_version=installed_version(self.resolved_backend),
            jieba_version=installed_version("jieba"),
            resources_version=resources.version(),
            dictionary_hashes=self.dictionary_hashes(),
            boilerplate_hash=sha256_file(resources.BOILERPLATE),
            stopwords_hash=resources.words_hash(self.stopword_set),
        )
        return described

    @cached_property
    def key(self) -> str:
        """A short hash of :meth:`describe`: equal keys mean identical tokens for identical text."""
        return sha256_text(json.dumps(self.describe(), sort_keys=True, ensure_ascii=False))[:16]

    @cached_property
    def segmenter_key(self) -> str:
        """What decides the segmentation alone (backend, HMM, tags, dictionaries), not which tokens
        count as terms: configurations that differ only in stopwords share one tokenizer."""
        described = self.describe()
        fields = ("backend", "backend_version", "jieba_version", "hmm", "pos", "dictionary_hashes")
        return sha256_text(json.dumps({name: described[name] for name in fields}, sort_keys=True))[:16]


class JiebaTokenizer(StringTokenizer):
    """The reference: a private ``jieba.Tokenizer`` with this configuration's dictionaries.

    With ``pos`` it segments through ``jieba.posseg``, whose segmentation differs from plain
    jieba's (its HMM guesses words and tags together).
    """

    def __init__(self, config: TokenizerConfig):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for path in config.dictionary_files():  # read by jieba itself, as the reference must be, from the bytes read once
            contents = io.BytesIO(config.contents(path))
            contents.name = str(path)  # what jieba names in its own errors
            try:
                tokenizer.load_userdict(contents)
            except Exception as error:  # jieba raises bare ValueError on malformed lines
                raise InputFileError(path, f"not a valid jieba user dictionary ({error})") from None
        self.hmm = config.hmm
        self.words = tokenizer
        if config.pos:
            import jieba.posseg

            self.tagger = jieba.posseg.POSTokenizer(tokenizer)
        else:
            self.tagger = None

    def lcut(self, text: str) -> list[str]:
        """The tokens of one text."""
        if self.tagger is not None:
            return [word for word, _ in self.tagger.lcut(text, HMM=self.hmm)]
        return self.words.lcut(text, HMM=self.hmm)

    def cut_sentences(self, sentences: list[str]) -> tuple[list[str], list[str] | None, np.ndarray]:
        """All tokens of the sentences, their jieba POS tags (None without ``pos``) and tokens per sentence."""
        lengths = np.zeros(len(sentences), dtype=np.int64)
        tokens: list[str] = []
        if self.tagger is None:
            for n, sentence in enumerate(sentences):
                words = self.words.lcut(sentence, HMM=self.hmm)
                tokens.extend(words)
                lengths[n] = len(words)
            return tokens, None, lengths
        tags: list[str] = []
        for n, sentence in enumerate(sentences):
            pairs = self.tagger.lcut(sentence, HMM=self.hmm)
            tokens.extend(word for word, _ in pairs)
            tags.extend(flag for _, flag in pairs)
            lengths[n] = len(pairs)
        return tokens, tags, lengths


_TOKENIZERS: dict[str, JiebaTokenizer | RjiebaTokenizer | CompiledTokenizer] = {}


def tokenizer_for(config: TokenizerConfig) -> JiebaTokenizer | RjiebaTokenizer | CompiledTokenizer:
    """This process's tokenizer for ``config``: built and loaded on first use, then reused.

    Every kind has ``lcut(text)``, ``encode_sentences(sentences)`` and ``encode_code_points(points,
    bounds)`` (a batch's vocabulary and codes), ``words(keys)`` (the strings of vocabulary keys),
    ``n_keys`` and ``releases_gil`` (whether threads can segment side by side).
    """
    key = config.segmenter_key
    if key not in _TOKENIZERS:
        if config.resolved_backend == "numba":
            _TOKENIZERS[key] = CompiledTokenizer(config.dictionary_entries, hmm=config.hmm)
        elif config.resolved_backend == "rjieba":
            _TOKENIZERS[key] = RjiebaTokenizer(config.dictionary_entries, hmm=config.hmm)
        else:
            _TOKENIZERS[key] = JiebaTokenizer(config)
    return _TOKENIZERS[key]


def segment(points: np.ndarray, bounds: np.ndarray, config: TokenizerConfig
            ) -> tuple[Vocabulary, np.ndarray, list[str] | None, np.ndarray]:
    """Segment the sentences ``points[bounds[k]:bounds[k + 1]]`` (code points); return the batch
    vocabulary, every token's int32 code into it, POS tags per token (None unless ``pos``) and
    tokens per sentence."""
    return tokenizer_for(config).encode_code_points(points, bounds)


def coarse_tag(token: str) -> str:
    """jieba's tag for punctuation (x), numbers (m), Latin words (eng) and spaces; '' for other words.

    A word of letters only (most words: a letter is neither a digit, a space nor a sign) is
    decided without the patterns of :func:`tag_by_patterns`, which give it the same tag: without
    part-of-speech tags a corpus's tens of thousands of words are each tagged once, in the lock
    that merges the chunks, while other threads segment.
    """
    if token.isalpha():
        return "eng" if token.isascii() else "m" if _NUMERAL_LETTERS.issuperset(token) else ""
    return tag_by_patterns(token)


def tag_by_patterns(token: str) -> str:
    """:func:`coarse_tag` as the patterns alone define it, for any token."""
    if not token.strip():
        return "x"
    if _NUMBER.match(token):
        return "m"
    if _PUNCT.match(token):
        return "x"
    if _LATIN.match(token):
        return "eng"
    return ""


def word_tags(words: list[str]) -> list[str]:
    """The tag of each word where there are no part-of-speech tags: its coarse tag."""
    return [coarse_tag(word) for word in words]


def token_tags(words: list[str], codes: np.ndarray, pos_tags: list[str]) -> list[str]:
    """The tag of each token ``words[code]`` (one per code) given jieba's part-of-speech tags: jieba's tag for
    words and Latin words, the coarse tag for the rest. Each distinct word is tagged once."""
    coarse = word_tags(words)
    return [flag if coarse[code] in ("", "eng") else coarse[code] for code, flag in zip(codes.tolist(), pos_tags)]


def countable_words(words: list[str], config: TokenizerConfig) -> np.ndarray:
    """Which words can count as terms: not blank and not a stopword."""
    stopwords = config.stopword_set
    return np.fromiter((bool(word.strip()) and word not in stopwords for word in words), dtype=bool, count=len(words))


def countable_tags(tags: np.ndarray, config: TokenizerConfig) -> np.ndarray:
    """Which tags a term can have: not punctuation (x) or number (m), and one of ``keep_pos`` if given."""
    countable = ~np.isin(tags, ["x", "m"])
    if config.keep_pos is not None:
        countable &= np.array([any(t.startswith(p) for p in config.keep_pos) for t in tags], dtype=bool)
    return countable
