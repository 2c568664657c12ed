"""Tokens: one row per token with its place in the document, built column-wise from arrays.

:func:`tokenize` splits a corpus into sentences and segments them in chunks of documents, so
the structure splitting runs in parallel too. Each chunk comes back as compact arrays
(sentence positions, a chunk vocabulary and integer codes), never as lists of Python objects
per token. With the compiled backend, whose kernels release the GIL, on up to two cores the
chunks are segmented in threads of this process (the calling thread one of them), each taking
the next chunk when it is done with its last and writing the chunks' rows into the table;
otherwise in worker processes, and this process writes. Chunks are merged into
one vocabulary and written into the table as soon as every chunk before them is in
(:mod:`cityanalytics.text.token_table`).
"""

from __future__ import annotations

import inspect
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import fields

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from cityanalytics.codepoints import joined_code_points, rows_as_code_points
from cityanalytics.cores import even_ranges, share_out, worker_count
from cityanalytics.corpus.corpus import Corpus, sentence_columns
from cityanalytics.text.encoding import Vocabulary, category_codes, encode
from cityanalytics.text.segment import TokenizerConfig, segment, token_tags, tokenizer_for
from cityanalytics.text.token_table import Chunk, TokenTableBuilder, doc_id_categories

TOKEN_COLUMNS = ["doc_id", "section", "para", "sent", "i", "token", "tag", "is_term"]


def segment_documents(points: np.ndarray, doc_starts: np.ndarray, config: TokenizerConfig) -> Chunk:
    """Split a run of documents (``points[doc_starts[k]:doc_starts[k + 1]]``, see
    :func:`~cityanalytics.codepoints.joined_code_points`) into sentences as
    :meth:`Corpus.sentences` does, segment them and encode the tokens as codes (runs in a worker
    thread or process, structure and all).

    Tags are kept only where jieba gave part-of-speech tags; otherwise a token's tag follows from
    the token alone and is decided once per distinct token of the corpus, when chunks are merged.
    """
    sentence_doc, section, para, sent, points, bounds = sentence_columns(points, doc_starts)
    vocabulary, codes, pos_tags, lengths = segment(points, bounds, config)
    tag_vocabulary = tag_codes = None
    if pos_tags is not None:
        words = vocabulary.words(tokenizer_for(config).words)
        tags, tag_codes = encode(token_tags(words, codes, pos_tags))
        tag_vocabulary, tag_codes = Vocabulary.of_strings(tags), tag_codes.astype(np.int16)
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
        absent = [column for column in TOKEN_COLUMNS if column not in table.columns]
        if absent:
            raise ValueError(f"a token table needs the columns {TOKEN_COLUMNS}; this one has no {absent}")
        self.table = with_categories(table, docvars)
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


def with_categories(table: pd.DataFrame, docvars: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``doc_id``, ``token`` and ``tag`` categorical, as ``tokenize`` makes them (a
    table read back from CSV or built by hand has strings): ``doc_id`` over the docvars' documents
    in their order, tokens and tags over their sorted values. Columns already categorical are left
    as they are; a doc_id the docvars do not hold is refused, since its docvars would be lost."""
    converted = {}
    for column in ("doc_id", "token", "tag"):
        values = table[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            continue
        if column == "tag":  # an empty tag is read back from CSV as missing
            values = values.fillna("")
        if values.isna().any():
            raise ValueError(f"column {column!r} of the token table has missing values (pandas' CSV reader makes "
                             f"tokens such as 'NA' or 'null' missing unless told keep_default_na=False)")
        values = values.astype(str)
        if column != "doc_id":
            converted[column] = pd.Categorical(values)  # categories sorted
            continue
        documents = docvars["doc_id"].astype(str) if "doc_id" in docvars else pd.Series(pd.unique(values))
        unknown = pd.unique(values[~values.isin(documents)])
        if len(unknown):
            raise ValueError(f"doc_id(s) {list(unknown[:5])} of the token table are not in its docvars (read a "
                             f"table back from CSV with dtype={{'doc_id': str}}, so '001' stays '001')")
        converted[column] = pd.Categorical(values, categories=pd.Index(documents))
    return table.assign(**converted) if converted else table


def require_text_order(table: pd.DataFrame) -> None:
    """Refuse a token table that is not in text order (documents in their order, positions ``i``
    rising within each): what reads tokens as running text (contexts, co-occurrences) needs it."""
    doc, position = category_codes(table["doc_id"]).astype(np.int64), table["i"].to_numpy(np.int64)
    same_doc = np.diff(doc) == 0
    if (np.diff(doc) < 0).any() or (np.diff(position)[same_doc] <= 0).any():
        raise ValueError("the token table is not in text order (documents in order, positions i rising within "
                         "each): sort it with .sort_values(['doc_id', 'i']) first")


def document_ranges(n_chars: np.ndarray, target: int) -> list[tuple[int, int]]:
    """Runs of documents [start, end) of about equal characters, at most about ``target`` each
    (a longer document is a run of its own): sized from the lengths alone, with no pass over the
    texts, by :func:`~cityanalytics.cores.even_ranges`."""
    if target < 1:
        raise ValueError(f"chunk_chars must be at least 1, not {target}")
    n_chars = np.asarray(n_chars, dtype=np.int64)
    return even_ranges(n_chars, -(-int(n_chars.sum()) // target)) if len(n_chars) else []


MAX_THREADS = 2
"""The most threads that segment side by side; more workers are processes. With the compiled
backend, decoding each chunk's texts into code points, the structure, the sentences and the
segmentation run in kernels that release the GIL; what holds it is naming a chunk's new words
and merging it into the corpus vocabulary. On two cores threads tokenize faster than processes
(no fork, nothing pickled) and use less memory; beyond two, where the GIL-bound share would cap
threads, the gain has not been measured, so processes, whose scaling is not capped, take over."""


def segments_in_threads(config: TokenizerConfig, workers: int) -> bool:
    """Whether ``workers`` should be threads of this process: the tokenizer releases the GIL and
    there are at most :data:`MAX_THREADS` of them."""
    return tokenizer_for(config).releases_gil and workers <= MAX_THREADS


_WORKER_CONFIG: TokenizerConfig | None = None
_WORKER_TEXTS: list[str] = []


def _worker_init(config: TokenizerConfig, texts: list[str]) -> None:
    """Build the worker's tokenizer once and keep the configuration and the corpus's texts, so a job
    is only a range of documents. A worker started by fork inherits both without copying them."""
    global _WORKER_CONFIG, _WORKER_TEXTS
    _WORKER_CONFIG, _WORKER_TEXTS = config, texts
    tokenizer_for(config)


def _segment_in_worker(start: int, end: int) -> Chunk:
    return segment_documents(*joined_code_points(_WORKER_TEXTS[start:end]), _WORKER_CONFIG)


def _segment_here_and_in(pool: ProcessPoolExecutor, n_workers: int, texts: list[str], doc_bounds: list[tuple[int, int]],
                         config: TokenizerConfig, receive: Callable[[int, Chunk], None], bar) -> None:
    """Segment the documents ``texts[start:end]`` of each job range in the pool's workers and in this
    process, which would otherwise wait idle: n_jobs processes in all. This process takes the first
    job, so the table's rows are written from the start; the pool is kept two jobs per worker
    ahead, and whenever it is, this process takes the next job itself. Each chunk goes to
    ``receive`` with its job number as soon as it is done, in whatever order they finish."""
    pending: dict[int, Future] = {}
    ahead = 2 * n_workers
    queued = deque(range(len(doc_bounds)))
    here = [queued.popleft()] if queued else []
    while queued or pending or here:
        while queued and len(pending) < ahead:
            job = queued.popleft()
            pending[job] = pool.submit(_segment_in_worker, *doc_bounds[job])
        if here or queued:
            job = here.pop() if here else queued.popleft()
            start, end = doc_bounds[job]
            receive(job, segment_documents(*joined_code_points(texts[start:end]), config))
            bar.update()
        else:
            wait(pending.values(), return_when=FIRST_COMPLETED)
        for job in [job for job, future in pending.items() if future.done()]:
            receive(job, pending.pop(job).result())
            bar.update()


def _tokenize_range(job: tuple[int, tuple[int, int]], code_points_of: Callable[[int, int], tuple[np.ndarray, np.ndarray]],
                    config: TokenizerConfig, builder: TokenTableBuilder) -> None:
    """Segment chunk ``job`` (its number and its documents' bounds) and add it to the table, all in
    the thread that runs it: the texts' code points are made here (decoded from the docs
    column's UTF-8 without the GIL, see :func:`~cityanalytics.codepoints.rows_as_code_points`)
    rather than all at once before any chunk starts, and the rows of the chunks whose place this
    settles are written here rather than by one thread for all."""
    index, (start, end) = job
    builder.add(index, segment_documents(*code_points_of(start, end), config))


def tokenize(
    corpus: Corpus,
    config: TokenizerConfig | None = None,
    *,
    n_jobs: int = 1,
    chunk_chars: int = 150_000,
    progress: bool | None = None,
    cache: bool | str | os.PathLike | None = None,
    **options,
) -> Tokens:
    """Segment every sentence of the corpus into tokens.

    Pass a :class:`TokenizerConfig` or its fields as keywords (``backend="jieba"``,
    ``boilerplate=True``, ``user_dicts=("my.dict",)``, ``pos=True``, …). ``n_jobs`` chunks are
    segmented side by side (``-1``: one per core): in threads sharing this process's tokenizer
    with the compiled backend on up to :data:`MAX_THREADS` cores, else in this process and
    ``n_jobs - 1`` worker processes, which inherit its tokenizer and texts when started by fork
    (else build the tokenizer once). The table is the same whatever ``n_jobs`` is. A chunk holds
    documents of at most about ``chunk_chars`` characters (see :func:`document_ranges`).
    ``cache=True`` (or a folder) reads documents already tokenized under this configuration from
    the token cache and adds the others (see :mod:`cityanalytics.text.cache`).
    """
    if config is None:
        settable = [field.name for field in fields(TokenizerConfig) if field.init]
        unknown = sorted(set(options) - set(settable))
        if unknown:
            own = [name for name, p in inspect.signature(tokenize).parameters.items() if p.kind is p.KEYWORD_ONLY]
            raise TypeError(f"tokenize() has no option {', '.join(map(repr, unknown))}: its own are "
                            f"{', '.join(own)}, the others are TokenizerConfig's fields ({', '.join(settable)})")
        config = TokenizerConfig(**options)
    elif options:
        raise TypeError("pass either a TokenizerConfig or its fields as keywords, not both")
    if cache:
        from cityanalytics.text.cache import TokenCache, cache_root

        store = TokenCache(cache_root(None if cache is True else cache), config)
        return store.tokenize(corpus, n_jobs=n_jobs, chunk_chars=chunk_chars, progress=progress)
    n_chars = corpus.docs["n_chars"].to_numpy(np.int64)
    doc_bounds = document_ranges(n_chars, chunk_chars)
    workers = worker_count(n_jobs)
    show = progress if progress is not None else len(doc_bounds) > 1
    # the builder makes the tokenizer, so that a bad dictionary or stopword list is named before any progress bar
    builder = TokenTableBuilder(config, doc_id_categories(corpus.docs["doc_id"]), [a for a, _ in doc_bounds],
                                capacity=int(n_chars.sum()))
    side_by_side = min(workers, len(doc_bounds))
    with tqdm(total=len(doc_bounds), desc="tokenizing", unit="chunk", disable=not show) as bar:
        if side_by_side <= 1 or segments_in_threads(config, side_by_side):  # one runs here
            code_points_of = rows_as_code_points(corpus.docs["text"])
            share_out(lambda job: _tokenize_range(job, code_points_of, config, builder), enumerate(doc_bounds),
                      max(side_by_side, 1), bar.update)
        else:
            n_workers = side_by_side - 1
            every_text = corpus.docs["text"].tolist()  # the tokenizer, built above, is inherited by forked workers
            with ProcessPoolExecutor(max_workers=n_workers, initializer=_worker_init,
                                     initargs=(config, every_text)) as pool:
                _segment_here_and_in(pool, n_workers, every_text, doc_bounds, config, builder.add, bar)
    table = builder.table(workers)
    return Tokens(table, token_docvars(corpus), config)


def token_docvars(corpus: Corpus) -> pd.DataFrame:
    """The docvars a token table carries: the corpus's, without the texts' lengths, numbered from 0."""
    return corpus.docvars.drop(columns=["n_chars"]).reset_index(drop=True)
