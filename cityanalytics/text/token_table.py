"""The token table built from segmented chunks: one vocabulary for all, then columns from arrays.

Chunks arrive one after another while later ones are still being segmented. As soon as every
chunk before it is in, each is merged into the corpus vocabulary, and every word new to the
corpus is looked at once, then: its string, its tag (without part-of-speech tags a token's tag
follows from the token) and whether it can count as a term. Its rows are written into the
table's columns straight away, by the thread that added it (or the chunk it waited for), and
the chunk is dropped. What is left once the last chunk is in is sorting the vocabulary and one
compiled pass per range of rows, in threads, that puts the codes onto the sorted vocabulary and
writes each token's tag and whether it counts, while one thread first makes the columns' types.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from numba import njit

from cityanalytics.cores import equal_ranges, share_out
from cityanalytics.text.encoding import Vocabulary, encode, word_array
from cityanalytics.text.segment import TokenizerConfig, countable_tags, countable_words, tokenizer_for, word_tags


@dataclass
class Chunk:
    """The sentences of a run of documents and their tokens, as arrays over the chunk's vocabulary."""

    sentence_doc: np.ndarray  # int32 index of each sentence's document within the run
    section: np.ndarray  # int32 per sentence, as in Corpus.sentences()
    para: np.ndarray  # int32 per sentence
    sent: np.ndarray  # int32 per sentence
    vocabulary: Vocabulary
    codes: np.ndarray  # int32 index into the vocabulary, one per token
    tag_vocabulary: Vocabulary | None  # with part-of-speech tags only: a token's tag otherwise follows from the token
    tag_codes: np.ndarray | None  # index into tag_vocabulary, one per token
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

    def add(self, vocabulary: Vocabulary) -> np.ndarray:
        """The union code (int32) of each word of ``vocabulary``; words new to the union are numbered as they arrive."""
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
        return onto

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
        self.tags = VocabularyUnion()  # every tag, numbered as it arrives
        self.word_tags: list[np.ndarray] = []  # without part-of-speech tags: each word's tag code, a batch per chunk
        self.countable: list[np.ndarray] = []  # whether each word can be a term, a batch per chunk

    def receive(self, chunk: Chunk) -> tuple[np.ndarray, np.ndarray | None]:
        """The union code of each word of the chunk's vocabulary and, with part-of-speech tags, of
        each of its tags (None without)."""
        first_new = len(self.words.words)
        words = self.words.add(chunk.vocabulary)
        new_words = self.words.words[first_new:]
        self.countable.append(countable_words(new_words, self.config))
        if self.config.pos:
            return words, self.tags.add(chunk.tag_vocabulary)
        tags, codes = encode(word_tags(new_words))
        self.word_tags.append(self.tags.add(Vocabulary.of_strings(tags))[codes])
        return words, None

    def lookups(self) -> tuple[np.ndarray, ...]:
        """The sorted vocabulary, each union code's rank in it, the sorted tags, each union code's tag
        (empty with part-of-speech tags: tags are then per token), the rank of each tag code of the
        union of tags (empty without), and whether each union word and each sorted tag can count."""
        vocabulary, rank = self.words.sorted()
        countable = np.concatenate(self.countable) if self.countable else np.zeros(0, dtype=bool)
        tag_vocabulary, tag_rank = self.tags.sorted()  # the few distinct tags
        if self.config.pos:
            word_tag = np.zeros(0, dtype=np.int32)
        else:  # each word's tag code moved onto its tag's rank
            codes = np.concatenate(self.word_tags) if self.word_tags else np.zeros(0, dtype=np.int32)
            word_tag, tag_rank = tag_rank[codes], np.zeros(0, dtype=np.int32)
        return vocabulary, rank, tag_vocabulary, word_tag, tag_rank, countable, countable_tags(tag_vocabulary, self.config)


FINISHING_RANGES = 4
"""Ranges of rows per thread in the table's last pass, so the thread that first makes the columns'
types still takes its share."""


class TokenTableBuilder:
    """The token table, written chunk by chunk as the chunks arrive.

    A chunk's place in the table is known as soon as every chunk before it is in, while later
    chunks are still being segmented. It is then merged into the corpus vocabulary (see
    :class:`ChunkUnion`) and its rows are written: the row's document, section, paragraph,
    sentence, index in the document and the token's code in the corpus vocabulary. The chunk
    itself is then dropped. :meth:`table` is left to put the codes onto the sorted vocabulary and
    to write each token's tag and whether it counts as a term, in threads.

    Threads may add chunks side by side, each the chunks it segmented: places are handed out and
    vocabularies merged in chunk order under a lock, and the rows are written outside it by the
    thread that was handed them, so two threads write different rows of the columns at once.

    The columns have room for ``capacity`` rows from the start; a token has at least one character,
    so the corpus's characters are enough, and the pages never written take no memory.
    """

    def __init__(self, config: TokenizerConfig, doc_ids: pd.Index, first_docs: list[int], capacity: int):
        self.union = ChunkUnion(config)
        self.doc_ids = doc_ids
        self.first_docs = first_docs  # the index of each chunk's first document
        self.columns = {
            "doc_id": np.empty(capacity, dtype=_small_int(len(doc_ids))),
            "section": np.empty(capacity, dtype=np.int32),
            "para": np.empty(capacity, dtype=np.int32),
            "sent": np.empty(capacity, dtype=np.int32),
            "i": np.empty(capacity, dtype=np.int32),
            "token": np.empty(capacity, dtype=np.int32),  # the corpus-vocabulary code until :meth:`table`
        }
        self.tag_codes = np.empty(capacity if config.pos else 0, dtype=np.int32)  # with part-of-speech tags only
        self.next_chunk = 0  # the chunk to be placed next
        self.n_rows = 0  # rows handed out to chunks
        self.n_written = 0  # rows written
        self.early: dict[int, Chunk] = {}  # chunks received before every chunk ahead of them
        self.finished = False
        self.lock = threading.Lock()

    def add(self, index: int, chunk: Chunk) -> None:
        """Take chunk ``index`` and write the rows of each chunk whose place this settles: its own
        once every chunk before it is in, and those after it that were waiting for it (chunks may
        arrive in any order; from worker processes many can wait for a slow one)."""
        for placed in self._place(index, chunk):
            self._write(*placed)

    def _place(self, index: int, chunk: Chunk) -> list[tuple[Chunk, int, int, np.ndarray, np.ndarray | None]]:
        """Under the lock: each chunk now next in line with its first document, its first row and
        the union codes of its words and tags, merged into the corpus vocabulary in chunk order."""
        with self.lock:
            if self.finished:
                raise RuntimeError("the token table is made; a builder takes no chunk after table()")
            if not self.next_chunk <= index < len(self.first_docs) or index in self.early:
                raise ValueError(f"chunk {index} is not awaited: chunks 0..{len(self.first_docs) - 1} are expected "
                                 f"once each, and {self.next_chunk} is the first not yet placed")
            self.early[index] = chunk
            placed = []
            while self.next_chunk in self.early:
                chunk = self.early.pop(self.next_chunk)
                first, n = self.n_rows, len(chunk.codes)
                if first + n > len(self.columns["token"]):
                    raise RuntimeError(f"the token table has room for {len(self.columns['token'])} tokens, not "
                                       f"{first + n}: the texts changed after the corpus counted their characters")
                placed.append((chunk, self.first_docs[self.next_chunk], first, *self.union.receive(chunk)))
                self.next_chunk += 1
                self.n_rows += n
            return placed

    def _write(self, chunk: Chunk, first_doc: int, first: int, words: np.ndarray, tags: np.ndarray | None) -> None:
        """The rows of ``chunk`` from row ``first``, its codes moved onto the corpus vocabulary by ``words``."""
        c = self.columns
        _write_rows(chunk.sentence_doc, first_doc, chunk.section, chunk.para, chunk.sent,
                    chunk.sentence_lengths.astype(np.int64, copy=False), first, chunk.codes, words,
                    token_doc=c["doc_id"], token_section=c["section"], token_para=c["para"], token_sent=c["sent"],
                    position=c["i"], token=c["token"])
        if tags is not None:
            self.tag_codes[first : first + len(chunk.codes)] = tags[chunk.tag_codes]
        with self.lock:
            self.n_written += len(chunk.codes)

    def table(self, workers: int = 1) -> pd.DataFrame:
        """The token table of every chunk, the last of the writing done in ``workers`` threads (once:
        it moves the codes in place).

        ``doc_id`` is categorical over every document of the corpus, so a document without any
        token still has its place (and its row in a document-term matrix).
        """
        with self.lock:  # no chunk is placed or written from here on
            if self.finished:
                raise RuntimeError("the token table is made already: its token codes were moved onto the vocabulary")
            if self.next_chunk < len(self.first_docs):
                raise RuntimeError(f"chunk {self.next_chunk} never arrived (of {len(self.first_docs)} chunks); "
                                   f"chunks {sorted(self.early)} wait for it")
            if self.n_written < self.n_rows:
                raise RuntimeError(f"{self.n_rows - self.n_written} of the {self.n_rows} rows handed out were never "
                                   f"written: a chunk failed, or table() was called before every add() returned")
            self.finished = True
        vocabulary, rank, tag_vocabulary, word_tag, tag_rank, word_countable, tag_countable = self.union.lookups()
        n = self.n_rows
        columns = {name: column[:n] for name, column in self.columns.items()}
        columns["tag"] = np.empty(n, dtype=_small_int(len(tag_vocabulary)))
        columns["is_term"] = np.empty(n, dtype=np.bool_)

        dtypes = {}

        def categories() -> None:
            """The three columns' types; pandas checks the vocabulary's 37,000 words unique, holding the GIL."""
            for name, values in {"doc_id": self.doc_ids, "token": vocabulary, "tag": tag_vocabulary}.items():
                dtypes[name] = pd.CategoricalDtype(pd.Index(values))

        def finish(start: int, end: int) -> None:
            _finish_rows(start, end, columns["token"], rank, word_tag, self.tag_codes, tag_rank, word_countable,
                         tag_countable, columns["tag"], columns["is_term"])

        # the types are made while the rows are finished, which releases the GIL; rows, not chunks, so one
        # long document is shared out too, in ranges a thread takes as it comes free
        tasks = [categories, *(partial(finish, *bounds) for bounds in equal_ranges(n, FINISHING_RANGES * workers))]
        share_out(lambda task: task(), tasks, workers)
        for name, dtype in dtypes.items():  # codes made here, each within its categories: not checked again
            columns[name] = pd.Categorical.from_codes(columns[name], dtype=dtype, validate=False)
        return pd.DataFrame(columns, copy=False)  # each column keeps its own array, no copied block


def doc_id_categories(doc_ids: pd.Series) -> pd.Index:
    """The corpus's doc_ids as the string Index the token table's ``doc_id`` categories take,
    made from the column whole (and the same for an empty corpus)."""
    return pd.Index(doc_ids.astype(str).array)


def _small_int(n_values: int) -> type:
    """The integer type pandas keeps the codes of ``n_values`` categories in, so it copies none."""
    return np.int8 if n_values < 127 else np.int16 if n_values < 32767 else np.int32  # as pandas picks for codes


@njit(cache=True, nogil=True)
def _write_rows(sentence_doc, first_doc, section, para, sent, lengths, first_token, codes, onto,
                token_doc, token_section, token_para, token_sent, position, token):
    """For the sentences of one chunk, whose tokens start at row ``first_token``, each token's
    document, section, paragraph, sentence, index in its document and code in the corpus
    vocabulary (``onto`` of its code in the chunk's)."""
    t = first_token
    doc, doc_start = -1, first_token
    for s in range(lengths.size):
        if first_doc + sentence_doc[s] != doc:
            doc, doc_start = first_doc + sentence_doc[s], t
        for _ in range(lengths[s]):
            token_doc[t], token_section[t], token_para[t], token_sent[t] = doc, section[s], para[s], sent[s]
            position[t] = t - doc_start
            token[t] = onto[codes[t - first_token]]
            t += 1


@njit(cache=True, nogil=True)
def _finish_rows(start, end, token, rank, word_tag, token_tag_codes, tag_rank, word_countable, tag_countable,
                 tag, is_term):
    """For rows [start, end): the token's code in the sorted vocabulary, its tag code (the word's,
    or with part-of-speech tags its own) and whether it counts as a term."""
    per_token_tags = token_tag_codes.size > 0
    for t in range(start, end):
        word = token[t]
        token[t] = rank[word]
        g = tag_rank[token_tag_codes[t]] if per_token_tags else word_tag[word]
        tag[t] = g
        is_term[t] = word_countable[word] and tag_countable[g]
