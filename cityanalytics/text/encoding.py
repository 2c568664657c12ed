"""Tokens as integer codes over a vocabulary, the form every tokenizer hands on."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cityanalytics.codepoints import strings_between


def word_array(words: Iterable[str]) -> np.ndarray:
    """Words as a numpy array of Python strings (dtype object), the form vocabularies are kept in.

    A fixed-width string array gives every word the width of the longest: one scraped data blob
    that is segmented as a single token of 200,000 letters would make an array of 4,000 words
    take 3 GB, and sorting or comparing it take as long. A pandas Index or Series is converted
    whole (iterating one backed by Arrow strings would make each word one at a time)."""
    if isinstance(words, (pd.Index, pd.Series)):
        return words.to_numpy(dtype=object, copy=True)
    return np.array(list(words), dtype=object)


def category_codes(column: pd.Series) -> np.ndarray:
    """The integer codes of a categorical column, read-only and without a copy.

    ``column.cat.codes`` copies them into a new Series (pandas 3 copies arrays it is given),
    which for a token table's column means new memory of token length for every read."""
    return column.array.codes


def encode(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values in order of first appearance and each value's int32 index into them."""
    index: dict[str, int] = {}
    codes = np.fromiter([index.setdefault(value, len(index)) for value in values], dtype=np.int32, count=len(values))
    return list(index), codes


@dataclass
class Vocabulary:
    """The distinct tokens of a batch, in order of first appearance.

    A word its tokenizer can name by an integer (a dictionary word by its trie node, a single
    character by its code point) is given by that key, so no Python string is made for it in
    the batch; any other word by its string. The tokenizer's ``words`` turns keys into strings.
    """

    keys: np.ndarray  # int64 per word: its tokenizer-wide key, or -1 where ``strings`` holds the word
    strings: list[str]  # the words without a key, in order

    @classmethod
    def of_strings(cls, words: list[str]) -> Vocabulary:
        """A vocabulary of words without keys."""
        return cls(np.full(len(words), -1, dtype=np.int64), words)

    def __len__(self) -> int:
        return len(self.keys)

    def words(self, named: Callable[[np.ndarray], list[str]]) -> list[str]:
        """Every word as a string, in order; ``named`` gives the words of keys (the tokenizer's ``words``)."""
        keyed = self.keys >= 0
        if not keyed.any():
            return list(self.strings)
        words = np.empty(len(self.keys), dtype=object)
        words[keyed] = named(self.keys[keyed])
        words[~keyed] = self.strings
        return words.tolist()


class StringTokenizer(ABC):
    """Base of the tokenizers that return a Python string per token (jieba, rjieba): encodes them."""

    releases_gil = False
    """Python code holds the GIL while it segments: several cores need several processes."""
    n_keys = 0
    """Its vocabularies name every word by its string."""

    @abstractmethod
    def cut_sentences(self, sentences: list[str]) -> tuple[list[str], list[str] | None, np.ndarray]:
        """All tokens of the sentences, their tags (or None) and tokens per sentence."""

    def encode_sentences(self, sentences: list[str]) -> tuple[Vocabulary, np.ndarray, list[str] | None, np.ndarray]:
        """The batch vocabulary, every token's code into it, tags per token (or None) and tokens per sentence."""
        tokens, tags, lengths = self.cut_sentences(sentences)
        vocabulary, codes = encode(tokens)
        return Vocabulary.of_strings(vocabulary), codes, tags, lengths

    def encode_code_points(self, points: np.ndarray, bounds: np.ndarray
                           ) -> tuple[Vocabulary, np.ndarray, list[str] | None, np.ndarray]:
        """:meth:`encode_sentences` of the sentences ``points[bounds[k]:bounds[k + 1]]``."""
        return self.encode_sentences(strings_between(points, bounds))

    def words(self, keys: np.ndarray) -> list[str]:
        """The words of vocabulary keys: this tokenizer gives none."""
        if len(keys):
            raise ValueError("a tokenizer that returns strings gives no vocabulary keys")
        return []
