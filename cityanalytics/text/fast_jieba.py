"""jieba's tokens from rjieba (jieba's algorithm in Rust), identical token for token.

rjieba ships jieba's dictionary and finds the same best route through it, but it differs from
jieba in three places, each handled here:

1. **The dictionary total.** jieba adds every user-dictionary frequency to its total, also for
   words already in the dictionary, and counts duplicate lines of its own dictionary twice;
   rjieba replaces the old frequency. Route probabilities divide by the total, so the totals
   must agree: the difference goes to a word that can never be matched (it contains a comma,
   and only runs of Han characters, letters, digits and ``+#&._%-`` are looked up).
2. **The HMM for unknown words.** rjieba's HMM breaks ties and treats digits and punctuation
   differently from jieba's. So the route is taken from rjieba without HMM, and each run of
   single characters that jieba would hand to its HMM goes through jieba's HMM
   (``jieba.finalseg``'s model and rules, compiled:
   :func:`cityanalytics.text.compiled_jieba.finalseg_cut`), memoised.
3. **What counts as Han.** rjieba also looks up CJK extension and compatibility characters,
   which jieba passes through one by one; text is cut around them.

What is not reproduced (``rjieba_limitation``): part-of-speech tagging (``jieba.posseg``
segments with a different HMM), user-dictionary entries without a positive frequency (jieba
derives or forces them through its own state), and, with the HMM on, dictionary words made
only of ASCII letters and digits (rjieba's output no longer tells such a word from a run of
single characters).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

import numpy as np

from cityanalytics.codepoints import code_points
from cityanalytics.text.compiled_jieba import finalseg_cut
from cityanalytics.text.encoding import StringTokenizer
from cityanalytics.text.jieba_dictionary import DictionaryEntry, main_dictionary, unreproduced

_OUTSIDE_JIEBA_HAN = re.compile(r"[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
"""Characters rjieba looks up as Han and jieba does not (jieba's range is U+4E00–U+9FD5)."""

_UNMATCHABLE_WORD = "，，"
"""Carries the difference of the dictionary totals; a comma never reaches a dictionary lookup."""

MEMO_SIZE = 200_000
"""Runs remembered with their HMM words (about 18,000 distinct runs per 11.5 M characters of regulations)."""

_SEPARATOR = "\n"
"""Joins the sentences of a batch into one text for one call: a line break is always a token of its own."""


def _char_table(ranges: list[tuple[int, int]], chars: str) -> np.ndarray:
    table = np.zeros(0x10000, dtype=bool)
    for low, high in ranges:
        table[low : high + 1] = True
    table[[ord(c) for c in chars]] = True
    return table


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_IN_JIEBA_BLOCK = _char_table([(0x4E00, 0x9FD5)], _ALNUM + "+#&._%-")
"""Characters of jieba's Han blocks (its ``re_han_default``), by code point below U+10000."""
_IS_ALNUM = _char_table([], _ALNUM)


def _token_shapes(words: list[str], text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Length, first and last code point (capped at U+FFFF) of each token of ``text``."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    codes = np.minimum(code_points(text), 0xFFFF)  # U+FFFF is in no table
    ends = np.cumsum(lengths)
    return lengths, codes[ends - lengths], codes[ends - 1]


@lru_cache(maxsize=1)
def _ascii_dictionary_words() -> frozenset[str]:
    """Words of jieba's main dictionary made only of ASCII letters and digits."""
    words, _ = main_dictionary()
    return frozenset(word for word in words if word.isascii() and word.isalnum())


def rjieba_limitation(entries: list[DictionaryEntry], *, hmm: bool, pos: bool) -> str:
    """Why rjieba set up by :class:`RjiebaTokenizer` would not give jieba's tokens; empty if it would."""
    common = unreproduced(entries, pos=pos)
    if common:
        return common
    if hmm:
        ascii_words = [word for word, _, _ in entries if word.isascii() and word.isalnum()]
        ascii_words += sorted(_ascii_dictionary_words())
        if ascii_words:
            return f"with hmm=True, dictionary words of ASCII letters and digits only (e.g. {ascii_words[0]!r})"
    return ""


class RjiebaTokenizer(StringTokenizer):
    """jieba's segmentation, with this configuration's dictionary entries, computed by rjieba."""

    def __init__(self, entries: list[DictionaryEntry], *, hmm: bool):
        import rjieba

        self.hmm = hmm
        self.words = rjieba.Jieba()
        self._guessed: dict[str, list[str]] = {}
        words, freqs = main_dictionary()
        current = dict(zip(words, freqs))  # what rjieba holds: one frequency per word
        jieba_total = sum(freqs)  # jieba counts every line, duplicates too
        rjieba_total = sum(current.values())
        for word, freq, tag in entries:
            self.words.add_word(word, freq, tag)
            jieba_total += freq
            rjieba_total += freq - current.get(word, 0)
            current[word] = freq
        if jieba_total > rjieba_total:
            self.words.add_word(_UNMATCHABLE_WORD, jieba_total - rjieba_total, None)

    def lcut(self, text: str) -> list[str]:
        """The tokens of one text, as ``jieba.Tokenizer.lcut(text, HMM=hmm)`` gives them."""
        words = self._route(text)
        if self.hmm and len(words) > 1:
            words, _, _ = self._guess_unknown(words, *_token_shapes(words, text))
        return words

    def cut_sentences(self, sentences: list[str]) -> tuple[list[str], None, np.ndarray]:
        """All tokens of the sentences, None for tags, and tokens per sentence.

        The batch is cut as one text with a line break between sentences, which always stands
        alone as a token, so no word crosses a sentence boundary and one call does the batch.
        """
        text = _SEPARATOR.join(sentences)
        if not text or "\r" in text or text.count(_SEPARATOR) != len(sentences) - 1:
            # a line break inside a sentence, or a "\r" that could join one, would blur the boundaries
            per_sentence = [self.lcut(sentence) for sentence in sentences]
            lengths = np.fromiter(map(len, per_sentence), dtype=np.int64, count=len(sentences))
            return list(chain.from_iterable(per_sentence)), None, lengths
        words = self._route(text)
        lengths, first, last = _token_shapes(words, text)
        separators = np.flatnonzero((lengths == 1) & (first == ord(_SEPARATOR)))
        if self.hmm:
            words, run_starts, growth = self._guess_unknown(words, lengths, first, last)
            # runs never hold a separator, so each separator moves by the growth of the runs before it
            separators += np.r_[0, np.cumsum(growth)][np.searchsorted(run_starts, separators)]
        per_sentence = np.diff(np.r_[-1, separators, len(words)]) - 1
        return list(filter(_SEPARATOR.__ne__, words)), None, per_sentence.astype(np.int64)

    def _route(self, text: str) -> list[str]:
        """rjieba's tokens without HMM, cutting around characters jieba does not look up."""
        if _OUTSIDE_JIEBA_HAN.search(text) is None:
            return self.words.cut(text, False)
        words, start = [], 0
        for match in _OUTSIDE_JIEBA_HAN.finditer(text):
            if match.start() > start:
                words.extend(self.words.cut(text[start : match.start()], False))
            words.append(match.group())
            start = match.end()
        if start < len(text):
            words.extend(self.words.cut(text[start:], False))
        return words

    def _guess_unknown(self, words: list[str], lengths: np.ndarray, first: np.ndarray,
                       last: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Replace each run of single characters that jieba would give its HMM by what that HMM makes of it.

        Without HMM, jieba keeps the single-character words of its route as they are, except
        that single letters and digits are glued into one token; with HMM, it collects every run
        of single characters and, unless the run is itself a dictionary word, hands it to
        ``jieba.finalseg``. A run is a maximal sequence, at least two tokens long, of tokens that
        are one character of a Han block or a glued run of letters and digits.

        Returns the new tokens, the index of each replaced run and how many tokens it gained.
        """
        single = (lengths == 1) & _IN_JIEBA_BLOCK[first]
        glued = np.flatnonzero((lengths > 1) & _IS_ALNUM[first] & _IS_ALNUM[last])
        glued = [i for i in glued.tolist() if words[i].isascii() and words[i].isalnum()]
        single[glued] = True
        edges = np.diff(np.r_[0, single.astype(np.int8), 0])
        run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long_enough = run_ends - run_starts >= 2
        run_starts, run_ends = run_starts[long_enough], run_ends[long_enough]
        out: list[str] = []
        growth = np.zeros(len(run_starts), dtype=np.int64)
        done = 0
        for n, (start, end) in enumerate(zip(run_starts.tolist(), run_ends.tolist())):
            out.extend(words[done:start])
            guessed = self._hmm("".join(words[start:end]))
            out.extend(guessed)
            growth[n] = len(guessed) - (end - start)
            done = end
        out.extend(words[done:])
        return out, run_starts, growth

    def _hmm(self, run: str) -> list[str]:
        """jieba's treatment of a run of single characters: split into characters if it is a word, else its HMM."""
        guessed = self._guessed.get(run)
        if guessed is None:
            guessed = list(run) if self.words.has_word(run) else finalseg_cut(run)
            if len(self._guessed) >= MEMO_SIZE:  # a long stream of diverse text must not grow it without end
                self._guessed.clear()
            self._guessed[run] = guessed
        return guessed
