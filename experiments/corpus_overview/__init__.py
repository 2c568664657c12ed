"""Corpus overview: documents, lengths, structure, cities × years, the most frequent terms and how alike
the documents are."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

import cityanalytics as ca
from cityanalytics import plots
from experiments._common import prepare, write_results


def document_table(corpus: ca.Corpus, tokens: ca.Tokens) -> pd.DataFrame:
    """One row per document: docvars, characters, paragraphs, sentences, tokens and terms."""
    paras = corpus.paragraphs()
    sentences = corpus.sentences()
    table = tokens.table
    counts = pd.DataFrame(
        {
            "n_paragraphs": paras.groupby("doc_id").size(),
            "n_headings": paras[paras["kind"] == "heading"].groupby("doc_id").size(),
            "n_sentences": sentences.groupby("doc_id").size(),
            "n_tokens": table.groupby("doc_id", observed=True).size(),
            "n_terms": table[table["is_term"]].groupby("doc_id", observed=True).size(),
        }
    ).fillna(0).astype("int64")
    columns = ["doc_id", "city", "province", "year", "date", "doc_type", "n_chars"]
    return corpus.docs[columns].merge(counts, left_on="doc_id", right_index=True, how="left").sort_values("doc_id")


def cities_by_year(corpus: ca.Corpus) -> pd.DataFrame:
    """Number of documents per city and year (tidy: city, year, n_docs); empty docvars shown as ''."""
    docs = corpus.docs.assign(year=corpus.docs["year"].astype("string").fillna(""))
    return docs.groupby(["city", "year"]).size().rename("n_docs").reset_index().sort_values(["city", "year"])


def top_terms(matrix: ca.DTM, n: int) -> pd.DataFrame:
    """The n most frequent terms of each document with their rate per 10,000 terms (ties by term)."""
    long = matrix.to_frame()
    totals = pd.Series(matrix.n_tokens, index=matrix.rows["doc_id"])
    long["per_10k"] = np.round(long["count"] / long["doc_id"].map(totals) * 10_000, 4)
    long = long.sort_values(["doc_id", "count", "term"], ascending=[True, False, True])
    long["rank"] = long.groupby("doc_id").cumcount() + 1
    return long[long["rank"] <= n][["doc_id", "rank", "term", "count", "per_10k"]]


def document_labels(corpus: ca.Corpus) -> dict[str, str]:
    """Short names for figures: city, year and document type as stated, else the doc_id."""
    names = {}
    for doc in corpus.docs.itertuples():
        stated = [str(v) for v in (doc.city, doc.year, doc.doc_type) if not pd.isna(v) and str(v)]
        names[doc.doc_id] = " ".join(stated) if len(stated) == 3 else doc.doc_id
    return names


def run(config: dict, out_dir: Path, figures_dir: Path) -> list[Path]:
    """Write the overview tables and their manifest to ``out_dir``, the similarity matrix to ``figures_dir``."""
    corpus, tokens = prepare(config)
    matrix = ca.dtm(tokens)
    similarity = ca.document_similarity(matrix, weighting="tfidf")
    tables = {
        "documents": document_table(corpus, tokens),
        "cities_by_year": cities_by_year(corpus),
        "top_terms_by_document": top_terms(matrix, config["top_terms"]),
        "document_similarity": similarity,
        "load_report": corpus.report,
    }
    figures = {"document_similarity_tfidf_cosine": partial(plots.similarity_matrix, similarity,
                                                           document_labels(corpus), config["language"])}
    return write_results(out_dir, tables, config=config, corpus=corpus, tokens=tokens, figures=figures,
                         figures_dir=figures_dir)
