"""Topic model: a K sweep (coherence, exclusivity, stability), then topics, prevalence by city and year effects."""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path

import cityanalytics as ca
from cityanalytics import plots
from cityanalytics.topics.view import write_topic_view
from experiments._common import prepare, write_results


def run(config: dict, out_dir: Path, figures_dir: Path) -> list[Path]:
    """Sweep, summary with the recommended K, and the tables of the model at that (or the configured) K."""
    corpus, tokens = prepare(config)
    codebook = ca.load_codebook()
    options = {"engine": config["engine"], "unit": config["unit"], "passes": config["passes"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the paragraphs left without terms, reported in n_units
        table = ca.sweep(tokens, config["sweep_ks"], config["sweep_seeds"], progress=False, **options)
        k = ca.recommend_k(table)[0] if config["k"] == "recommended" else int(config["k"])
        model = ca.TopicModel(k, random_state=config["seed"], codebook=codebook, **options)
        model.fit(tokens)
    prevalence = ca.topic_prevalence(model, "city", n_boot=config["n_boot"], seed=config["seed"])
    tables = {
        "sweep": table,
        "sweep_summary": ca.summarise(table),
        "topic_terms": model.topic_terms_,
        "topic_labels": model.labels_,
        "prevalence_by_city": prevalence,
        "year_effects": ca.topic_effects(model, "year"),  # errors clustered by document: no resampling
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    view = write_topic_view(model, out_dir / "topic_view.html", prevalence, title=f"Seed corpus: {k} topics")
    return write_results(out_dir, tables, config=config, corpus=corpus, tokens=tokens,
                         resources={"codebook": codebook.hash}, other_outputs=[view],
                         figures={"topic_prevalence_by_city": partial(plots.topic_prevalence_plot, prevalence,
                                                                      language=config["language"])},
                         figures_dir=figures_dir)
