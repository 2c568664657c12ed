"""Word segmentation: the configuration, one initialised tokenizer per process, and batch segmentation.

jieba is the reference backend. Its module-level tokenizer is global state, so each process
builds its own ``jieba.Tokenizer`` with the policy lexicon, place names and any user
dictionaries, once, and reuses it for every batch.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from cityanalytics.errors import InputFileError
from cityanalytics.hashing import sha256_file, sha256_text
from cityanalytics.text import resources

BACKENDS = ("jieba",)

_PUNCT = re.compile(r"^[\W_]+$")
_NUMBER = re.compile(r"^[\d.,%％．·]+$|^[\d.]+[万亿千百]?$|^[一二三四五六七八九十百千万亿零〇○两]+$")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9.\-]*$")


@dataclass(frozen=True)
class TokenizerConfig:
    """Everything that decides which tokens come out, so results and caches can name it.

    ``user_dicts`` are jieba user-dictionary files (``word [freq] [tag]`` per line);
    ``user_stopwords`` are word-list files. ``boilerplate`` drops policy boilerplate
    (加强, 推进, …) from the terms; ``stopwords`` drops the general stopword list;
    ``pos`` asks jieba for part-of-speech tags (slower) so that ``keep_pos`` can filter.
    """

    backend: str = "jieba"
    hmm: bool = True
    lexicon: bool = True
    user_dicts: tuple[str, ...] = ()
    stopwords: bool = True
    user_stopwords: tuple[str, ...] = ()
    boilerplate: bool = False
    pos: bool = False
    keep_pos: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; choose one of {BACKENDS}")
        if self.keep_pos is not None and not self.pos:
            raise ValueError("keep_pos filters by part of speech and needs pos=True")
        for path in (*self.user_dicts, *self.user_stopwords):
            if not Path(path).is_file():
                raise InputFileError(path, "dictionary or stopword file not found")

    @cached_property
    def stopword_set(self) -> frozenset[str]:
        """Words never counted as terms under this configuration."""
        words: set[str] = set()
        if self.stopwords:
            words |= resources.general_stopwords()
        if self.boilerplate:
            words |= resources.boilerplate_words()
        for path in self.user_stopwords:
            words |= resources.read_word_list(path)
        return frozenset(words)

    def dictionary_files(self) -> list[Path]:
        """Dictionary files loaded into the tokenizer, in load order."""
        shipped = [resources.POLICY_LEXICON, resources.PLACES] if self.lexicon else []
        return shipped + [Path(p) for p in self.user_dicts]

    def describe(self) -> dict:
        """The configuration with backend version and content hashes of every resource it uses."""
        import jieba

        described = asdict(self)
        described.update(
            backend_version=jieba.__version__,
            resources_version=resources.version(),
            dictionary_hashes={p.name: sha256_file(p) for p in self.dictionary_files()},
            boilerplate_hash=sha256_file(resources.BOILERPLATE),
            stopwords_hash=resources.words_hash(self.stopword_set),
        )
        return described

    @cached_property
    def key(self) -> str:
        """A short hash of :meth:`describe`: equal keys mean identical tokens for identical text."""
        return sha256_text(json.dumps(self.describe(), sort_keys=True, ensure_ascii=False))[:16]


_TOKENIZERS: dict[str, object] = {}


def tokenizer_for(config: TokenizerConfig):
    """This process's tokenizer for ``config``: built and loaded on first use, then reused."""
    if config.key not in _TOKENIZERS:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for path in config.dictionary_files():
            try:
                tokenizer.load_userdict(str(path))
            except Exception as error:  # jieba raises bare ValueError on malformed lines
                raise InputFileError(path, f"not a valid jieba user dictionary ({error})") from None
        if config.pos:
            import jieba.posseg

            tokenizer = jieba.posseg.POSTokenizer(tokenizer)
        _TOKENIZERS[config.key] = tokenizer
    return _TOKENIZERS[config.key]


def coarse_tag(token: str) -> str:
    """jieba's tag for punctuation (x), numbers (m), Latin words (eng) and spaces; '' for other words."""
    if not token.strip():
        return "x"
    if _NUMBER.match(token):
        return "m"
    if _PUNCT.match(token):
        return "x"
    if _LATIN.match(token):
        return "eng"
    return ""


def segment(sentences: list[str], config: TokenizerConfig) -> tuple[list[str], list[str], np.ndarray]:
    """Segment sentences; return all tokens, their tags and the number of tokens of each sentence."""
    tokenizer = tokenizer_for(config)
    tokens: list[str] = []
    tags: list[str] = []
    lengths = np.zeros(len(sentences), dtype=np.int64)
    for n, sentence in enumerate(sentences):
        if config.pos:
            pairs = [(w, f) for w, f in tokenizer.lcut(sentence, HMM=config.hmm)]
            words = [w for w, _ in pairs]
            word_tags = [f if coarse_tag(w) in ("", "eng") else coarse_tag(w) for w, f in pairs]
        else:
            words = tokenizer.lcut(sentence, HMM=config.hmm)
            word_tags = [coarse_tag(w) for w in words]
        tokens.extend(words)
        tags.extend(word_tags)
        lengths[n] = len(words)
    return tokens, tags, lengths


def is_term(vocabulary: np.ndarray, codes: np.ndarray, tag_vocabulary: np.ndarray, tag_codes: np.ndarray,
            config: TokenizerConfig) -> np.ndarray:
    """Which tokens count as terms: not punctuation, number or space, not a stopword, of a kept POS.

    Decided once per distinct token and tag, then looked up by code, so the cost does not grow
    with the number of tokens.
    """
    word_ok = np.char.str_len(np.char.strip(vocabulary.astype(str))) > 0
    if config.stopword_set:
        word_ok &= ~np.isin(vocabulary, list(config.stopword_set))
    tag_ok = ~np.isin(tag_vocabulary, ["x", "m"])
    if config.keep_pos is not None:
        tag_ok &= np.array([any(t.startswith(p) for p in config.keep_pos) for t in tag_vocabulary], dtype=bool)
    return word_ok[codes] & tag_ok[tag_codes]
