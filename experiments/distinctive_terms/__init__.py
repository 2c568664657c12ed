"""Distinctive terms: what sets each city and document apart, and terms the lexicon still splits."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

import cityanalytics as ca
from cityanalytics import plots
from experiments._common import prepare, write_results


def keyness_by_city(matrix: ca.DTM, n: int) -> pd.DataFrame:
    """G² keyness of each city against all other documents: the n most key terms per city."""
    cities = sorted(c for c in matrix.rows["city"].dropna().unique() if c)
    tables = [ca.keyness(matrix, city, by="city").head(n).assign(city=city) for city in cities]
    table = pd.concat(tables, ignore_index=True)
    return table[["city", *[c for c in table.columns if c != "city"]]]


def run(config: dict, out_dir: Path, figures_dir: Path) -> list[Path]:
    """Log-odds (every term, for the fightin'-words figure) and keyness by city, TextRank and tf-idf
    keywords by document, collocations, new terms."""
    corpus, tokens = prepare(config)
    matrix = ca.dtm(tokens)
    n = config["top_n"]
    log_odds = ca.log_odds(matrix, by="city")
    tables = {
        "log_odds_by_city": log_odds,
        "keyness_by_city": keyness_by_city(matrix, n),
        "textrank_by_document": ca.textrank(tokens, n=n),
        "tfidf_by_document": ca.tfidf_keywords(matrix, n=n),
        "collocations": ca.collocations(tokens, min_count=config["min_count"]),
        "new_term_candidates": ca.new_terms(tokens, min_count=config["min_count"]),
    }
    figures = {"fightin_words_log_odds_by_city": partial(plots.log_odds_plot, log_odds, language=config["language"])}
    return write_results(out_dir, tables, config=config, corpus=corpus, tokens=tokens, figures=figures,
                         figures_dir=figures_dir)
