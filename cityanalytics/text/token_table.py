"""The token table built from segmented chunks: one vocabulary for all, then columns from arrays.

Chunks arrive one after another while later ones are still being segmented. Each is merged
into the corpus vocabulary on arrival, and every word new to the corpus is looked at once,
then: its string, its tag (without part-of-speech tags a token's tag follows from the token)
and whether it can count as a term. Its rows are written into the table's columns straight
away and the chunk is dropped. What is left once the last chunk is in is sorting the
vocabulary and one compiled pass per equal range of rows, in threads, that puts the codes onto the
sorted vocabulary and writes each token's tag and whether it counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numba import njit

from cityanalytics.cores import equal_ranges, in_threads
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


class TokenTableBuilder:
    """The token table, written chunk by chunk as the chunks arrive.

    Each chunk's rows are written as soon as every chunk before it is in, while later chunks are
    still being segmented: the row's document, section, paragraph, sentence, index in the document
    and the token's code in the corpus vocabulary (see :class:`ChunkUnion`). The chunk itself is
    then dropped. :meth:`table` is left to put the codes onto the sorted vocabulary and to write
    each token's tag and whether it counts as a term, in threads.

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
        self.next_chunk = 0  # the chunk whose rows come next
        self.n_rows = 0
        self.early: dict[int, Chunk] = {}  # chunks received before every chunk ahead of them
        self.finished = False

    def add(self, index: int, chunk: Chunk) -> None:
        """Merge chunk ``index`` into the vocabulary and write its rows, and those of the chunks
        after it that were waiting for it (chunks may arrive in any order; from worker processes
        many can wait for a slow one)."""
        if self.finished:
            raise RuntimeError("the token table is made; a builder takes no chunk after table()")
        if not self.next_chunk <= index < len(self.first_docs) or index in self.early:
            raise ValueError(f"chunk {index} is not awaited: chunks 0..{len(self.first_docs) - 1} are expected "
                             f"once each, and {self.next_chunk} is the first not yet written")
        self.early[index] = self.union.receive(chunk)
        while self.next_chunk in self.early:
            self._write(self.early.pop(self.next_chunk))

    def _write(self, chunk: Chunk) -> None:
        first, n = self.n_rows, len(chunk.codes)
        if first + n > len(self.columns["token"]):
            raise RuntimeError(f"the token table has room for {len(self.columns['token'])} tokens, "
                               f"not {first + n}: the texts changed after the corpus counted their characters")
        c = self.columns
        _write_rows(chunk.sentence_doc, self.first_docs[self.next_chunk], chunk.section, chunk.para, chunk.sent,
                    chunk.sentence_lengths.astype(np.int64, copy=False), first, chunk.codes,
                    token_doc=c["doc_id"], token_section=c["section"], token_para=c["para"], token_sent=c["sent"],
                    position=c["i"], token=c["token"])
        if self.union.config.pos:
            self.tag_codes[first : first + n] = chunk.tag_codes
        self.next_chunk += 1
        self.n_rows += n

    def table(self, workers: int = 1) -> pd.DataFrame:
        """The token table of every chunk, the last of the writing done in ``workers`` threads (once:
        it moves the codes in place).

        ``doc_id`` is categorical over every document of the corpus, so a document without any
        token still has its place (and its row in a document-term matrix).
        """
        if self.finished:
            raise RuntimeError("the token table is made already: its token codes were moved onto the vocabulary")
        if self.next_chunk < len(self.first_docs):
            raise RuntimeError(f"chunk {self.next_chunk} never arrived (of {len(self.first_docs)} chunks); "
                               f"chunks {sorted(self.early)} wait for it")
        self.finished = True
        vocabulary, rank, tag_vocabulary, word_tag, tag_rank, word_countable, tag_countable = self.union.lookups()
        n = self.n_rows
        columns = {name: column[:n] for name, column in self.columns.items()}
        columns["tag"] = np.empty(n, dtype=_small_int(len(tag_vocabulary)))
        columns["is_term"] = np.empty(n, dtype=np.bool_)

        def finish(start: int, end: int) -> None:
            _finish_rows(start, end, columns["token"], rank, word_tag, self.tag_codes, tag_rank, word_countable,
                         tag_countable, columns["tag"], columns["is_term"])

        in_threads(finish, equal_ranges(n, workers))  # rows, not chunks: one long document is shared out too
        categories = {"doc_id": self.doc_ids, "token": vocabulary, "tag": tag_vocabulary}
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
def _write_rows(sentence_doc, first_doc, section, para, sent, lengths, first_token, codes,
                token_doc, token_section, token_para, token_sent, position, token):
    """For the sentences of one chunk, whose tokens start at row ``first_token``, each token's
    document, section, paragraph, sentence, index in its document and code."""
    t = first_token
    doc, doc_start = -1, first_token
    for s in range(lengths.size):
        if first_doc + sentence_doc[s] != doc:
            doc, doc_start = first_doc + sentence_doc[s], t
        for _ in range(lengths[s]):
            token_doc[t], token_section[t], token_para[t], token_sent[t] = doc, section[s], para[s], sent[s]
            position[t] = t - doc_start
            token[t] = codes[t - first_token]
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
