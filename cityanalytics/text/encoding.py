"""Tokens as integer codes over a vocabulary, the form every tokenizer hands on."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


def encode(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values in order of first appearance and each value's int32 index into them."""
    index: dict[str, int] = {}
    codes = np.fromiter([index.setdefault(value, len(index)) for value in values], dtype=np.int32, count=len(values))
    return list(index), codes


class StringTokenizer(ABC):
    """Base of the tokenizers that return a Python string per token (jieba, rjieba): encodes them."""

    @abstractmethod
    def cut_sentences(self, sentences: list[str]) -> tuple[list[str], list[str] | None, np.ndarray]:
        """All tokens of the sentences, their tags (or None) and tokens per sentence."""

    def encode_sentences(self, sentences: list[str]) -> tuple[list[str], np.ndarray, list[str] | None, np.ndarray]:
        """The batch vocabulary, every token's code into it, tags per token (or None) and tokens per sentence."""
        tokens, tags, lengths = self.cut_sentences(sentences)
        vocabulary, codes = encode(tokens)
        return vocabulary, codes, tags, lengths
