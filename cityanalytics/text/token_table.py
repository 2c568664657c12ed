"""The token table built from segmented chunks: one vocabulary for all, then columns from arrays.

Chunks arrive one after another while later ones are still being segmented. Each is merged
into the corpus vocabulary on arrival, and every word new to the corpus is looked at once,
then: its string, its tag (without part-of-speech tags a token's tag follows from the token)
and whether it can count as a term. What is left once the last chunk is in is sorting the
vocabulary and one compiled pass per range of sentences, in threads, that writes every
per-token column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numba import njit

from cityanalytics.cores import even_ranges, in_threads
from cityanalytics.text.encoding import Vocabulary, word_array
from cityanalytics.text.segment import TokenizerConfig, countable_tags, countable_words, token_tags, tokenizer_for


@dataclass
class Chunk:
    """The sentences of a run of documents and their tokens, as arrays over the chunk's vocabulary
    (over the corpus vocabulary once :meth:`ChunkUnion.receive` has merged it)."""

    sentence_doc: np.ndarray  # int32 index of each sentence's document within the run
    section: np.ndarray  # int32 per sentence, as in Corpus.sentences()
    para: np.ndarray  # int32 per sentence
    sent: np.ndarray  # int32 per sentence
    vocabulary: Vocabulary
    codes: np.ndarray  # int32 index into the vocabulary, one per token
    tag_vocabulary: Vocabulary | None  # with part-of-speech tags only: a token's tag otherwise follows from the token
    tag_codes: np.ndarray | None  # index into tag_vocabulary (or the union of tags), one per token
    sentence_lengths: np.ndarray  # tokens per sentence, in sentence order


class VocabularyUnion:
    """The union of many vocabularies, grown one at a time as chunks arrive and sorted once at the end.

    Words with a key (``n_keys`` of them can exist) are matched by array lookups, the others by
    string; ``named`` turns the keys of words new to the union into their strings.
    """

    def __init__(self, n_keys: int = 0, named: Callable[[np.ndarray], list[str]] | None = None):
        self.code_of_key = np.zeros(n_keys, dtype=np.int32)  # code + 1 of each key seen, else 0
        self.index: dict[str, int] = {}  # code of each word without a key
        self.words: list[str] = []  # every word, in order of its code
        self.named = named

    def add(self, vocabulary: Vocabulary, codes: np.ndarray) -> np.ndarray:
        """``codes`` (into ``vocabulary``) moved onto the union, whose words are numbered as they arrive."""
        onto = np.empty(len(vocabulary), dtype=np.int32)
        keyed = vocabulary.keys >= 0
        if keyed.any():
            keys = vocabulary.keys[keyed]
            known = self.code_of_key[keys]
            new = np.flatnonzero(known == 0)
            known[new] = np.arange(len(self.words) + 1, len(self.words) + 1 + len(new), dtype=np.int32)
            self.code_of_key[keys[new]] = known[new]
            self.words.extend(self.named(keys[new]))
            onto[keyed] = known - 1
        if vocabulary.strings:
            for word in vocabulary.strings:
                if word not in self.index:
                    self.index[word] = len(self.words)
                    self.words.append(word)
            onto[~keyed] = np.fromiter(map(self.index.__getitem__, vocabulary.strings), dtype=np.int32,
                                       count=len(vocabulary.strings))
        return onto[codes]

    def sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """The words sorted (``np.unique`` order) and each union code's rank among them (int32)."""
        order = np.fromiter(sorted(range(len(self.words)), key=self.words.__getitem__), dtype=np.int64,
                            count=len(self.words))  # Python's sort of strings is faster than numpy's of objects
        words = word_array(self.words)
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        return words[order], rank


class ChunkUnion:
    """The tokens (and, with part-of-speech tags, the tags) of all chunks over one vocabulary, with
    each word's tag and whether it can be a term, decided when the word first arrives."""

    def __init__(self, config: TokenizerConfig):
        self.config = config
        tokenizer = tokenizer_for(config)
        self.words = VocabularyUnion(tokenizer.n_keys, tokenizer.words)
        self.tags = VocabularyUnion()
        self.word_tags: list[str] = []  # without part-of-speech tags: each word's tag, by union code
        self.countable: list[np.ndarray] = []  # whether each word can be a term, a batch per chunk

    def receive(self, chunk: Chunk) -> Chunk:
        """The chunk with its codes moved onto the union, its own vocabularies dropped."""
        first_new = len(self.words.words)
        codes = self.words.add(chunk.vocabulary, chunk.codes)
        new_words = self.words.words[first_new:]
        self.countable.append(countable_words(new_words, self.config))
        if self.config.pos:
            tag_codes = self.tags.add(chunk.tag_vocabulary, chunk.tag_codes)
        else:
            self.word_tags.extend(token_tags(new_words, None))
            tag_codes = None
        return replace(chunk, vocabulary=Vocabulary.of_strings([]), codes=codes, tag_vocabulary=None, tag_codes=tag_codes)

    def lookups(self) -> tuple[np.ndarray, ...]:
        """The sorted vocabulary, each union code's rank in it, the sorted tags, each union code's tag
        (empty with part-of-speech tags: tags are then per token), the rank of each tag code of the
        union of tags (empty without), and whether each union word and each sorted tag can count."""
        vocabulary, rank = self.words.sorted()
        countable = np.concatenate(self.countable) if self.countable else np.zeros(0, dtype=bool)
        if self.config.pos:
            tag_vocabulary, tag_rank = self.tags.sorted()
            word_tag = np.zeros(0, dtype=np.int32)
        else:
            tag_vocabulary, word_tag = np.unique(np.array(self.word_tags, dtype=str), return_inverse=True)
            word_tag, tag_rank = word_tag.ravel().astype(np.int32), np.zeros(0, dtype=np.int32)
        return vocabulary, rank, tag_vocabulary, word_tag, tag_rank, countable, countable_tags(tag_vocabulary, self.config)


def token_table(chunks: list[Chunk], first_docs: list[int], doc_ids: pd.Index, union: ChunkUnion,
                workers: int = 1) -> pd.DataFrame:
    """The token table of the received chunks: their codes put onto the sorted vocabulary and the
    sentence positions expanded into token columns, chunk by chunk straight into the columns, in
    ``workers`` threads (no chunk array is first joined into one for the whole corpus).

    ``first_docs`` is the index of each chunk's first document. ``doc_id`` is categorical over
    every document of the corpus, so a document without any token still has its place (and
    its row in a document-term matrix).
    """
    vocabulary, rank, tag_vocabulary, word_tag, tag_rank, word_countable, tag_countable = union.lookups()
    chunk_tokens = np.array([len(chunk.codes) for chunk in chunks], dtype=np.int64)
    chunk_first = np.cumsum(chunk_tokens) - chunk_tokens
    doc_tokens = np.zeros(len(doc_ids), dtype=np.int64)
    for chunk, first in zip(chunks, first_docs):
        per_doc = np.bincount(chunk.sentence_doc, weights=chunk.sentence_lengths).astype(np.int64)
        doc_tokens[first : first + len(per_doc)] += per_doc
    doc_first = np.cumsum(doc_tokens) - doc_tokens
    n = int(chunk_tokens.sum())
    columns = {
        "doc_id": np.empty(n, dtype=_small_int(len(doc_ids))),
        "section": np.empty(n, dtype=np.int32),
        "para": np.empty(n, dtype=np.int32),
        "sent": np.empty(n, dtype=np.int32),
        "i": np.empty(n, dtype=np.int64),
        "token": np.empty(n, dtype=np.int32),
        "tag": np.empty(n, dtype=_small_int(len(tag_vocabulary))),
        "is_term": np.empty(n, dtype=np.bool_),
    }
    no_tag_codes = np.zeros(0, np.int32)

    def fill(start: int, end: int) -> None:
        for k in range(start, end):
            chunk = chunks[k]
            tag_codes = chunk.tag_codes.astype(np.int32, copy=False) if union.config.pos else no_tag_codes
            _fill_token_columns(chunk.sentence_doc, first_docs[k], chunk.section, chunk.para, chunk.sent,
                                chunk.sentence_lengths.astype(np.int64, copy=False), chunk_first[k], doc_first, chunk.codes,
                                rank, word_tag, tag_codes, tag_rank, word_countable, tag_countable, *columns.values())

    in_threads(fill, even_ranges(chunk_tokens, workers))
    categories = {"doc_id": doc_ids, "token": vocabulary, "tag": tag_vocabulary}
    for name, values in categories.items():
        columns[name] = pd.Categorical.from_codes(columns[name], categories=pd.Index(values))
    return pd.DataFrame(columns, copy=False)  # each column keeps its own array, no copied block


def doc_id_categories(doc_ids: pd.Series) -> pd.Index:
    """The corpus's doc_ids as the string Index the token table's ``doc_id`` categories take,
    made from the column whole (and the same for an empty corpus)."""
    return pd.Index(doc_ids.astype(str).array)


def _small_int(n_values: int) -> type:
    """The integer type pandas keeps the codes of ``n_values`` categories in, so it copies none."""
    return np.int8 if n_values < 127 else np.int16 if n_values < 32767 else np.int32  # as pandas picks for codes


@njit(cache=True, nogil=True)
def _fill_token_columns(sentence_doc, first_doc, section, para, sent, lengths, first_token, doc_first, codes,
                        rank, word_tag, token_tag_codes, tag_rank, word_countable, tag_countable,
                        token_doc, token_section, token_para, token_sent, position, token, tag, is_term):
    """For the sentences of one chunk, whose tokens start at ``first_token`` of the table, each
    token's document, section, paragraph, sentence and index in its document, its code in the
    sorted vocabulary, its tag code (the word's, or with part-of-speech tags its own) and whether
    it counts as a term."""
    per_token_tags = token_tag_codes.size > 0
    t = first_token
    for s in range(lengths.size):
        doc = first_doc + sentence_doc[s]
        for _ in range(lengths[s]):
            token_doc[t], token_section[t], token_para[t], token_sent[t] = doc, section[s], para[s], sent[s]
            position[t] = t - doc_first[doc]
            word = codes[t - first_token]
            token[t] = rank[word]
            g = tag_rank[token_tag_codes[t - first_token]] if per_token_tags else word_tag[word]
            tag[t] = g
            is_term[t] = word_countable[word] and tag_countable[g]
            t += 1
