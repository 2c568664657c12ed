"""Tokens: one row per token with its place in the document, built column-wise from arrays.

:func:`tokenize` segments a corpus sentence by sentence, in chunks of documents, optionally
over several processes. Each chunk comes back as compact arrays (a chunk vocabulary and
integer codes), never as lists of Python objects per token, because shipping those between
processes costs more than segmenting them.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from cityanalytics.corpus.corpus import Corpus
from cityanalytics.text.segment import TokenizerConfig, is_term, segment, tokenizer_for

TOKEN_COLUMNS = ["doc_id", "section", "para", "sent", "i", "token", "tag", "is_term"]


@dataclass
class Chunk:
    """Segmented sentences of a run of documents, as arrays over a chunk-local vocabulary."""

    vocabulary: list[str]
    codes: np.ndarray  # int32 index into vocabulary, one per token
    tag_vocabulary: list[str]
    tag_codes: np.ndarray  # int16 index into tag_vocabulary
    sentence_lengths: np.ndarray  # tokens per sentence, in sentence order


def segment_chunk(sentences: list[str], config: TokenizerConfig) -> Chunk:
    """Segment one chunk of sentences and encode the tokens as codes (runs in a worker process)."""
    tokens, tags, lengths = segment(sentences, config)
    vocabulary, codes = np.unique(np.array(tokens, dtype=object).astype(str), return_inverse=True)
    tag_vocabulary, tag_codes = np.unique(np.array(tags, dtype=str), return_inverse=True)
    return Chunk(vocabulary.tolist(), codes.astype(np.int32), tag_vocabulary.tolist(), tag_codes.astype(np.int16), lengths)


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


def _worker_init(config: TokenizerConfig) -> None:
    tokenizer_for(config)


def tokenize(
    corpus: Corpus,
    config: TokenizerConfig | None = None,
    *,
    n_jobs: int = 1,
    chunk_sentences: int = 5000,
    progress: bool | None = None,
    **options,
) -> Tokens:
    """Segment every sentence of the corpus into tokens.

    Pass a :class:`TokenizerConfig` or its fields as keywords (``backend="jieba"``,
    ``boilerplate=True``, ``user_dicts=("my.dict",)``, ``pos=True``, …). ``n_jobs=-1`` uses
    every core; each worker process builds its tokenizer once.
    """
    if config is None:
        config = TokenizerConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in options.items()})
    elif options:
        raise TypeError("pass either a TokenizerConfig or its fields as keywords, not both")
    sentences = corpus.sentences()
    doc_ids = corpus.docs["doc_id"].to_numpy()
    per_doc = sentences.groupby("doc_id", sort=False).size().reindex(doc_ids, fill_value=0).to_numpy()
    doc_bounds = _chunks(per_doc, chunk_sentences)
    sentence_bounds = np.concatenate([[0], np.cumsum(per_doc)])
    texts = sentences["text"].tolist()
    jobs = [texts[sentence_bounds[a] : sentence_bounds[b]] for a, b in doc_bounds]
    workers = (os.cpu_count() or 1) if n_jobs == -1 else max(1, n_jobs)
    show = progress if progress is not None else len(jobs) > 1
    bar = tqdm(total=len(jobs), desc="tokenizing", unit="chunk", disable=not show)
    if workers == 1 or len(jobs) == 1:
        chunks = []
        for job in jobs:
            chunks.append(segment_chunk(job, config))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_worker_init, initargs=(config,)) as pool:
            chunks = []
            for chunk in pool.map(segment_chunk, jobs, [config] * len(jobs)):
                chunks.append(chunk)
                bar.update()
    bar.close()
    table = _assemble(chunks, sentences, doc_ids.astype(str), config)
    docvars = corpus.docvars.drop(columns=["n_chars"])
    return Tokens(table, docvars.reset_index(drop=True), config)


def _assemble(chunks: list[Chunk], sentences: pd.DataFrame, doc_ids: np.ndarray, config: TokenizerConfig) -> pd.DataFrame:
    """Merge chunk vocabularies and expand sentence positions into token columns.

    ``doc_id`` is categorical over every document of the corpus, so a document without any
    token still has its place (and its row in a document-term matrix).
    """
    def vocab(parts: list[list[str]]) -> np.ndarray:
        return np.unique(np.concatenate([np.array(p, dtype=str) for p in parts])) if parts else np.array([], dtype=str)

    vocabulary = vocab([c.vocabulary for c in chunks])
    tag_vocabulary = vocab([c.tag_vocabulary for c in chunks])
    codes = np.concatenate([np.searchsorted(vocabulary, np.array(c.vocabulary, dtype=str))[c.codes] for c in chunks]
                           or [np.array([], dtype=np.int64)])
    tag_codes = np.concatenate([np.searchsorted(tag_vocabulary, np.array(c.tag_vocabulary, dtype=str))[c.tag_codes]
                                for c in chunks] or [np.array([], dtype=np.int64)])
    lengths = np.concatenate([c.sentence_lengths for c in chunks] or [np.array([], dtype=np.int64)])
    sentence_doc = pd.Index(doc_ids).get_indexer(sentences["doc_id"].astype(str))
    token_doc = np.repeat(sentence_doc, lengths)
    doc_starts = np.r_[0, np.flatnonzero(np.diff(token_doc)) + 1] if len(token_doc) else np.array([], dtype=np.int64)
    position = np.arange(len(token_doc)) - np.repeat(doc_starts, np.diff(np.r_[doc_starts, len(token_doc)]))
    return pd.DataFrame(
        {
            "doc_id": pd.Categorical.from_codes(token_doc, categories=pd.Index(doc_ids)),
            "section": np.repeat(sentences["section"].to_numpy(np.int32), lengths),
            "para": np.repeat(sentences["para"].to_numpy(np.int32), lengths),
            "sent": np.repeat(sentences["sent"].to_numpy(np.int32), lengths),
            "i": position.astype(np.int64),
            "token": pd.Categorical.from_codes(codes, categories=pd.Index(vocabulary)),
            "tag": pd.Categorical.from_codes(tag_codes, categories=pd.Index(tag_vocabulary)),
            "is_term": is_term(vocabulary, codes, tag_vocabulary, tag_codes, config),
        }
    )
