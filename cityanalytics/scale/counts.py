"""Document-term counts of corpora larger than memory, chunk by chunk, here or on a cluster.

Each chunk of documents is tokenized and counted by :func:`count_chunk` (wherever it runs) and
the chunk's counts are merged into the growing matrix by :func:`~cityanalytics.dtm.stack`, in
chunk order. Memory holds the chunks in flight and the merged counts, never the corpus or its
token table, and the result equals ``dtm(tokenize(corpus))`` for the same documents.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from cityanalytics.cores import worker_count
from cityanalytics.corpus.corpus import Corpus
from cityanalytics.dtm import DTM, UNITS, dtm, stack
from cityanalytics.errors import InputFileError
from cityanalytics.scale.executors import in_order, open_executor
from cityanalytics.scale.sources import FolderChunks
from cityanalytics.text.cache import TokenCache, cache_root
from cityanalytics.text.segment import TokenizerConfig
from cityanalytics.text.tokens import segments_in_threads, tokenize


def _docs_table(chunk, number: int) -> pd.DataFrame:
    """A chunk of the stream, refused by its place if it is no docs table (records, a Corpus)."""
    if not isinstance(chunk, pd.DataFrame):
        raise TypeError(f"chunk {number} of the stream is a {type(chunk).__name__}, not a docs table (a DataFrame of "
                        "doc_id, docvars and text); make chunks of records with record_chunks(records)")
    return chunk


@lru_cache(maxsize=1)
def _run_cache(root: Path, config: TokenizerConfig, run: str) -> TokenCache:
    """This process's token cache for one stream run, so its index is read once per run, not per chunk."""
    return TokenCache(root, config)


def count_chunk(docs: pd.DataFrame, config: TokenizerConfig, unit: str = "document", cache: Path | None = None,
                run: str = "") -> DTM:
    """Tokenize one docs table (doc_id, docvars, text) and count its terms per ``unit``.

    The same function runs in this process, in worker processes and on Dask workers; it
    returns only the chunk's compact counts (vocabulary, sparse matrix, row docvars). With a
    ``cache`` folder, documents are read from and added to the token cache there.
    """
    corpus = Corpus(docs)
    if cache is None:
        tokens = tokenize(corpus, config, progress=False)
    else:
        tokens = _run_cache(Path(cache), config, run).tokenize(corpus, progress=False)
    return dtm(tokens, unit=unit)


def stream_dtm(
    chunks: Iterable[pd.DataFrame] | str | Path,
    config: TokenizerConfig | None = None,
    *,
    unit: str = "document",
    n_jobs: int = 1,
    executor: str = "local",
    scheduler=None,
    cache: bool | str | os.PathLike | None = None,
    progress: bool | None = None,
) -> DTM:
    """Count the terms of a stream of document chunks into one :class:`~cityanalytics.dtm.DTM`.

    ``chunks`` are docs tables from :func:`~cityanalytics.scale.sources.jsonl_chunks`,
    :class:`~cityanalytics.scale.sources.FolderChunks` or
    :func:`~cityanalytics.scale.sources.record_chunks`, or a folder path (read as ``load_corpus``
    reads it, 200 documents a chunk). ``n_jobs`` chunks are counted side by side: in threads of
    this process where :func:`~cityanalytics.text.tokens.tokenize` would use threads (the
    compiled backend, two cores: one copy of the tokenizer instead of one per process, so less
    peak memory, for about a tenth more time), else in worker processes; ``executor="dask"`` counts them on a Dask cluster at ``scheduler`` (an address such as
    ``tcp://host:8786`` or a ``distributed.Client``; without one, a local cluster of ``n_jobs``
    workers). ``cache=True`` (or a folder) reads and fills the token cache for every chunk; on a
    cluster, pass a folder every worker can reach.
    """
    config = config or TokenizerConfig()
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS)}, not {unit!r}")
    if isinstance(chunks, pd.DataFrame):  # iterating it would give its column names
        raise TypeError("stream_dtm takes chunks of documents (an iterable of docs tables) or a folder; for one "
                        "docs table pass [docs], or count it with dtm(tokenize(Corpus(docs)))")
    if isinstance(chunks, (str, Path)):
        if not Path(chunks).is_dir():
            raise InputFileError(chunks, "stream_dtm reads a folder here; for a JSON Lines file pass "
                                         "jsonl_chunks(path, …) naming its text and id fields")
        chunks = FolderChunks(chunks)
    chunks = map(_docs_table, chunks, itertools.count(1))
    folder = cache_root(None if cache is True else cache) if cache else None
    threads = executor == "local" and segments_in_threads(config, worker_count(n_jobs))  # one tokenizer in memory
    with open_executor(executor, n_jobs, scheduler, threads=threads) as (submit, window):
        counted = in_order(submit, count_chunk, chunks, window, config, unit, folder, uuid.uuid4().hex)
        return stack(tqdm(counted, desc="counting", unit="chunk", disable=progress is False), tuple(UNITS[unit]))
