"""Keyword trends: slogans and themes over the years, with intervals, trend tests and first appearances."""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path

import cityanalytics as ca
from cityanalytics import plots
from experiments._common import prepare, write_results


def run(config: dict, out_dir: Path, figures_dir: Path) -> list[Path]:
    """Trend tables and figures of the configured terms and (optionally) the codebook's themes."""
    corpus, tokens = prepare(config)
    codebook = ca.load_codebook()
    series = {term: [term] for term in config["terms"]}
    if config["themes"]:
        series.update(codebook.term_sets())
    with warnings.catch_warnings():
        # Theme terms absent from this small corpus and the undated document are expected here;
        # the tables show them as zero counts and the manifest records the corpus.
        warnings.simplefilter("ignore", UserWarning)
        trend_table = ca.trends(tokens, series, n_boot=config["n_boot"], seed=config["seed"], unit=config["unit"])
        appearances = ca.first_appearance(tokens, {term: [term] for term in config["terms"]})
    tables = {
        "trends_by_year": trend_table,
        "trend_tests": ca.trend_test(trend_table, n_perm=config["n_perm"], seed=config["seed"]),
        "first_appearance": appearances,
    }
    language = config["language"]
    figures = {"term_trends_by_year": partial(plots.trend_ribbons, trend_table, config["terms"], language=language)}
    if config["themes"]:
        labels = {t.key: t.label if language == "zh" else t.label_en for t in codebook.themes}
        figures["theme_trends_by_year"] = partial(plots.trend_ribbons, trend_table, list(labels), labels,
                                                  language=language)
    return write_results(out_dir, tables, config=config, corpus=corpus, tokens=tokens,
                         resources={"codebook": codebook.hash}, figures=figures, figures_dir=figures_dir)
