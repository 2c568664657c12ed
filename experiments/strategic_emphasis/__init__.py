"""Strategic emphasis: how much attention each city, year and document gives to each policy theme."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import cityanalytics as ca
from cityanalytics import plots
from experiments._common import prepare, write_results


def run(config: dict, out_dir: Path, figures_dir: Path) -> list[Path]:
    """Emphasis tables by city, year and document, city-versus-rest comparisons, and their figures."""
    corpus, tokens = prepare(config)
    codebook = ca.load_codebook(config["codebook"])
    resample = {"n_boot": config["n_boot"], "seed": config["seed"]}
    tables = {
        "emphasis_by_city": ca.emphasis(tokens, by="city", codebook=codebook, **resample),
        "emphasis_by_year": ca.emphasis(tokens, by="year", codebook=codebook, **resample),
        "emphasis_by_document": ca.emphasis(tokens, by="document", codebook=codebook, **resample),
        "city_versus_rest": ca.compare_emphasis(tokens, by="city", codebook=codebook, n_perm=config["n_perm"],
                                                seed=config["seed"]),
        "codebook_terms": codebook.term_table(),
    }
    language = config["language"]
    figures = {
        "theme_rate_heatmap_by_city": partial(plots.emphasis_heatmap, tables["emphasis_by_city"], "city",
                                              language=language),
        "theme_profiles_by_city": partial(plots.emphasis_profiles, tables["emphasis_by_city"], "city",
                                          language=language),
        "theme_rate_heatmap_by_year": partial(plots.emphasis_heatmap, tables["emphasis_by_year"], "year",
                                              language=language),
    }
    return write_results(out_dir, tables, config=config, corpus=corpus, tokens=tokens,
                         resources={"codebook": codebook.hash}, figures=figures, figures_dir=figures_dir)
