"""Tokens: one row per token with its place in the document, built column-wise from arrays.

:func:`tokenize` splits a corpus into sentences and segments them in chunks of documents,
optionally over several processes, so the structure splitting runs in parallel too. Each chunk
comes back as compact arrays (sentence positions, a chunk vocabulary and integer codes), never
as lists of Python objects per token, because shipping those between processes costs more
than segmenting them. Chunk vocabularies are merged as chunks arrive; the per-token columns
are filled at the end by a compiled loop, in one thread per core.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numba import njit
from tqdm.auto import tqdm

from cityanalytics.cores import even_ranges, in_threads, worker_count
from cityanalytics.corpus.corpus import Corpus, sentence_columns
from cityanalytics.text.encoding import encode
from cityanalytics.text.segment import TokenizerConfig, is_term, segment, token_tags, tokenizer_for

TOKEN_COLUMNS = ["doc_id", "section", "para", "sent", "i", "token", "tag", "is_term"]


@dataclass
class Chunk:
    """The sentences of a run of documents and their tokens, as arrays over a chunk-local vocabulary."""

    sentence_doc: np.ndarray  # int32 index of each sentence's document within the run
    section: np.ndarray  # int32 per sentence, as in Corpus.sentences()
    para: np.ndarray  # int32 per sentence
    sent: np.ndarray  # int32 per sentence
    vocabulary: list[str]
    codes: np.ndarray  # int32 index into vocabulary, one per token
    tag_vocabulary: list[str] | None  # with part-of-speech tags only: a token's tag otherwise follows from the token
    tag_codes: np.ndarray | None  # int16 index into tag_vocabulary
    sentence_lengths: np.ndarray  # tokens per sentence, in sentence order


def segment_documents(texts: list[str], config: TokenizerConfig) -> Chunk:
    """Split a run of documents into sentences as :meth:`Corpus.sentences` does, segment them and
    encode the tokens as codes (runs in a worker process, structure and all).

    Tags are kept only where jieba gave part-of-speech tags; otherwise a token's tag follows from
    the token alone and is decided once per distinct token of the corpus, when chunks are merged.
    """
    sentence_doc, section, para, sent, sentences = sentence_columns(texts)
    vocabulary, codes, pos_tags, lengths = segment(sentences, config)
    tag_vocabulary = tag_codes = None
    if pos_tags is not None:
        tokens = [vocabulary[code] for code in codes.tolist()]
        tag_vocabulary, tag_codes = encode(token_tags(tokens, pos_tags))
        tag_codes = tag_codes.astype(np.int16)
    structure = [column.astype(np.int32) for column in (sentence_doc, section, para, sent)]
    return Chunk(*structure, vocabulary, codes, tag_vocabulary, tag_codes, lengths)


class Tokens:
    """The token table of a corpus with the docvars and tokenizer configuration that produced it.

    ``to_frame()`` has one row per token: ``doc_id``, ``section`` (running heading number),
    ``para`` (paragraph index), ``sent`` (sentence index within the paragraph), ``i`` (token
    index within the document), ``token``, ``tag`` (x punctuation, m number, eng Latin, a
    jieba POS tag when ``pos=True``, else empty) and ``is_term`` (counted by ``dtm``).
    """

    def __init__(self, table: pd.DataFrame, docvars: pd.DataFrame, config: TokenizerConfig):
        self.table = table
        self.docvars = docvars
        self.config = config

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        n_terms = int(self.table["is_term"].sum())
        return f"Tokens({len(self)} tokens, {n_terms} terms, {len(self.docvars)} documents)"

    def to_frame(self, *, terms_only: bool = False, with_docvars: bool = False) -> pd.DataFrame:
        """The token table; only the terms if ``terms_only``; docvars joined on if ``with_docvars``."""
        table = self.table[self.table["is_term"]] if terms_only else self.table
        table = table.reset_index(drop=True)
        if with_docvars:
            table = table.merge(self.docvars, on="doc_id", how="left")
        return table


def _chunks(n_sentences_per_doc: np.ndarray, target: int) -> list[tuple[int, int]]:
    """Document ranges [start, end) holding about ``target`` sentences each."""
    bounds, start, count = [], 0, 0
    for i, n in enumerate(n_sentences_per_doc):
        count += n
        if count >= target:
            bounds.append((start, i + 1))
            start, count = i + 1, 0
    if start < len(n_sentences_per_doc):
        bounds.append((start, len(n_sentences_per_doc)))
    return bounds


def _sentences_estimate(texts: list[str]) -> np.ndarray:
    """About how many sentences each text has (lines, and full stops not ending a line), to size chunks
    before splitting."""
    return np.array([text.count("\n") + text.count("。") - text.count("。\n") + 1 for text in texts], dtype=np.int64)


_WORKER_CONFIG: TokenizerConfig | None = None
_WORKER_TEXTS: list[str] = []


def _worker_init(config: TokenizerConfig, texts: list[str]) -> None:
    """Build the worker's tokenizer once and keep the configuration and the corpus's texts, so a job
    is only a range of documents. A worker started by fork inherits both without copying them."""
    global _WORKER_CONFIG, _WORKER_TEXTS
    _WORKER_CONFIG, _WORKER_TEXTS = config, texts
    tokenizer_for(config)


def _segment_in_worker(start: int, end: int) -> Chunk:
    return segment_documents(_WORKER_TEXTS[start:end], _WORKER_CONFIG)


def _segment_here_and_in(pool: ProcessPoolExecutor, n_workers: int, texts: list[str], doc_bounds: list[tuple[int, int]],
                         config: TokenizerConfig, receive: Callable[[Chunk], Chunk], bar) -> list[Chunk]:
    """Segment the documents ``texts[start:end]`` of each job range in the pool's workers and in this
    process, which would otherwise wait idle: n_jobs processes in all. The pool is kept two jobs per
    worker ahead; whenever it is, this process takes the next job itself. Each chunk goes through
    ``receive`` as soon as it is done; they come back in job order."""
    chunks: list[Chunk | None] = [None] * len(doc_bounds)
    pending: dict[int, Future] = {}
    ahead = 2 * n_workers
    next_job = 0
    while next_job < len(doc_bounds) or pending:
        while next_job < len(doc_bounds) and len(pending) < ahead:
            pending[next_job] = pool.submit(_segment_in_worker, *doc_bounds[next_job])
            next_job += 1
        if next_job < len(doc_bounds):
            start, end = doc_bounds[next_job]
            chunks[next_job] = receive(segment_documents(texts[start:end], config))
            next_job += 1
            bar.update()
        else:
            wait(pending.values(), return_when=FIRST_COMPLETED)
        for job in [job for job, future in pending.items() if future.done()]:
            chunks[job] = receive(pending.pop(job).result())
            bar.update()
    return chunks


def tokenize(
    corpus: Corpus,
    config: TokenizerConfig | None = None,
    *,
    n_jobs: int = 1,
    chunk_sentences: int = 5000,
    progress: bool | None = None,
    cache: bool | str | os.PathLike | None = None,
    **options,
) -> Tokens:
    """Segment every sentence of the corpus into tokens.

    Pass a :class:`TokenizerConfig` or its fields as keywords (``backend="jieba"``,
    ``boilerplate=True``, ``user_dicts=("my.dict",)``, ``pos=True``, …). ``n_jobs`` processes
    segment side by side, this one and ``n_jobs - 1`` workers, which inherit this process's
    tokenizer and texts when started by fork (else build the tokenizer once); ``n_jobs=-1`` uses
    every core. A chunk holds documents of about ``chunk_sentences``
    sentences (estimated from line breaks and full stops). ``cache=True`` (or a folder) reads
    documents already tokenized under this configuration from the token cache and adds the
    others (see :mod:`cityanalytics.text.cache`).
    """
    if config is None:
        config = TokenizerConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in options.items()})
    elif options:
        raise TypeError("pass either a TokenizerConfig or its fields as keywords, not both")
    if cache:
        from cityanalytics.text.cache import TokenCache, cache_root

        store = TokenCache(cache_root(None if cache is True else cache), config)
        return store.tokenize(corpus, n_jobs=n_jobs, chunk_sentences=chunk_sentences, progress=progress)
    doc_ids = corpus.docs["doc_id"].astype(str).tolist()
    texts = corpus.docs["text"].tolist()
    doc_bounds = _chunks(_sentences_estimate(texts), chunk_sentences)
    workers = worker_count(n_jobs)
    show = progress if progress is not None else len(doc_bounds) > 1
    bar = tqdm(total=len(doc_bounds), desc="tokenizing", unit="chunk", disable=not show)
    union = ChunkUnion(config)
    if workers == 1 or len(doc_bounds) == 1:
        chunks = []
        for start, end in doc_bounds:
            chunks.append(union.receive(segment_documents(texts[start:end], config)))
            bar.update()
    else:
        n_workers = min(workers, len(doc_bounds)) - 1
        tokenizer_for(config)  # built before the pool, so workers started by fork inherit it ready
        with ProcessPoolExecutor(max_workers=n_workers, initializer=_worker_init, initargs=(config, texts)) as pool:
            chunks = _segment_here_and_in(pool, n_workers, texts, doc_bounds, config, union.receive, bar)
    bar.close()
    table = _assemble(chunks, [a for a, _ in doc_bounds], np.array(doc_ids, dtype=str), union, config, workers)
    docvars = corpus.docvars.drop(columns=["n_chars"])
    return Tokens(table, docvars.reset_index(drop=True), config)


class VocabularyUnion:
    """The union of many vocabularies, grown one at a time as chunks arrive (so merging overlaps the
    segmentation of later chunks) and sorted once at the end."""

    def __init__(self):
        self.index: dict[str, int] = {}

    def add(self, vocabulary: list[str], codes: np.ndarray) -> np.ndarray:
        """``codes`` (into ``vocabulary``) moved onto the union, whose words are numbered as they arrive."""
        index = self.index
        onto = np.fromiter([index.setdefault(word, len(index)) for word in vocabulary], dtype=np.int32,
                           count=len(vocabulary))
        return onto[codes]

    def sorted(self, codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The union sorted (``np.unique`` order) and the concatenated codes moved onto it: int32,
        the codes pandas keeps for a vocabulary of this size, without a copy."""
        words = np.array(list(self.index), dtype=str)
        order = np.argsort(words)
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        return words[order], rank[np.concatenate(codes)] if codes else np.array([], dtype=np.int32)


class ChunkUnion:
    """The tokens (and, with part-of-speech tags, the tags) of all chunks over one vocabulary."""

    def __init__(self, config: TokenizerConfig):
        self.config = config
        self.words = VocabularyUnion()
        self.tags = VocabularyUnion()

    def receive(self, chunk: Chunk) -> Chunk:
        """The chunk with its codes moved onto the union, its own vocabularies dropped."""
        codes = self.words.add(chunk.vocabulary, chunk.codes)
        tag_codes = self.tags.add(chunk.tag_vocabulary, chunk.tag_codes) if self.config.pos else None
        return replace(chunk, vocabulary=[], codes=codes, tag_vocabulary=None, tag_codes=tag_codes)

    def columns(self, chunks: list[Chunk]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The sorted vocabulary, every token's code, the sorted tag vocabulary and every token's tag code."""
        vocabulary, codes = self.words.sorted([chunk.codes for chunk in chunks])
        if self.config.pos:
            tag_vocabulary, tag_codes = self.tags.sorted([chunk.tag_codes for chunk in chunks])
            return vocabulary, codes, tag_vocabulary, tag_codes
        tag_vocabulary, tag_of_word = np.unique(np.array(token_tags(vocabulary.tolist(), None), dtype=str),
                                                return_inverse=True)
        return vocabulary, codes, tag_vocabulary, tag_of_word.ravel().astype(np.int8)[codes]  # a handful of tags


def _assemble(chunks: list[Chunk], first_docs: list[int], doc_ids: np.ndarray, union: ChunkUnion,
              config: TokenizerConfig, workers: int = 1) -> pd.DataFrame:
    """Put the chunks' codes onto the sorted vocabulary and expand sentence positions into token
    columns (in ``workers`` threads).

    ``first_docs`` is the index of each chunk's first document. ``doc_id`` is categorical over
    every document of the corpus, so a document without any token still has its place (and
    its row in a document-term matrix).
    """
    vocabulary, codes, tag_vocabulary, tag_codes = union.columns(chunks)

    def per_sentence(values: list[np.ndarray], dtype) -> np.ndarray:
        return np.concatenate(values).astype(dtype, copy=False) if values else np.array([], dtype=dtype)

    lengths = per_sentence([c.sentence_lengths for c in chunks], np.int64)
    sentence_doc = per_sentence([c.sentence_doc + first for c, first in zip(chunks, first_docs)], np.int64)
    per_token = _expand_sentences(sentence_doc, *(per_sentence([getattr(c, column) for c in chunks], np.int32)
                                                  for column in ("section", "para", "sent")), lengths, len(doc_ids),
                                  workers)
    token_doc, section, para, sent, position = per_token
    return pd.DataFrame(
        {
            "doc_id": pd.Categorical.from_codes(token_doc, categories=pd.Index(doc_ids)),
            "section": section,
            "para": para,
            "sent": sent,
            "i": position,
            "token": pd.Categorical.from_codes(codes, categories=pd.Index(vocabulary)),
            "tag": pd.Categorical.from_codes(tag_codes, categories=pd.Index(tag_vocabulary)),
            "is_term": is_term(vocabulary, codes, tag_vocabulary, tag_codes, config),
        },
        copy=False,  # keeps each column its own array instead of stacking equal dtypes into a copied block
    )


def _expand_sentences(sentence_doc: np.ndarray, section: np.ndarray, para: np.ndarray, sent: np.ndarray,
                      lengths: np.ndarray, n_docs: int, workers: int = 1) -> tuple[np.ndarray, ...]:
    """Per-token columns from per-sentence ones: document, section, paragraph, sentence and the
    token's index within its document. Documents are in order, each sentence's tokens contiguous;
    ``workers`` threads fill ranges of sentences."""
    doc_tokens = np.bincount(sentence_doc, weights=lengths, minlength=n_docs).astype(np.int64)
    doc_first = np.cumsum(doc_tokens) - doc_tokens
    sentence_first = np.cumsum(lengths) - lengths
    n_tokens = int(lengths.sum())
    token_doc = np.empty(n_tokens, dtype=np.int8 if n_docs < 127 else np.int16 if n_docs < 32767 else np.int32)
    columns = (token_doc, *(np.empty(n_tokens, dtype=np.int32) for _ in range(3)), np.empty(n_tokens, dtype=np.int64))

    def fill(start: int, end: int) -> None:
        _fill_token_columns(start, end, sentence_doc, section, para, sent, lengths, sentence_first, doc_first, *columns)

    in_threads(fill, even_ranges(lengths, workers))
    return columns


@njit(cache=True, nogil=True)
def _fill_token_columns(start, end, sentence_doc, section, para, sent, lengths, sentence_first, doc_first, token_doc,
                        token_section, token_para, token_sent, position):
    for s in range(start, end):
        doc = sentence_doc[s]
        t = sentence_first[s]
        for _ in range(lengths[s]):
            token_doc[t], token_section[t], token_para[t], token_sent[t] = doc, section[s], para[s], sent[s]
            position[t] = t - doc_first[doc]
            t += 1
