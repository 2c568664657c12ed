"""What every experiment does around its analysis: load and tokenize, write tables, figures and a manifest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

import cityanalytics as ca
from cityanalytics.plots import save_figure
from cityanalytics.provenance import input_file_hashes, write_manifest


def corpus_path(config: dict) -> str | None:
    """The path ``load_corpus`` takes for the corpus named in the config: None for "seeds", else the folder."""
    return None if config["corpus"] == "seeds" else config["corpus"]


def prepare(config: dict) -> tuple[ca.Corpus, ca.Tokens]:
    """The corpus named in the config ("seeds" or a folder) and its tokens under the config's tokenizer."""
    corpus = ca.load_corpus(corpus_path(config))
    return corpus, ca.tokenize(corpus, ca.TokenizerConfig(**config.get("tokenizer", {})))


def write_results(out_dir: Path, tables: dict[str, pd.DataFrame], *, config: dict, corpus: ca.Corpus,
                  tokens: ca.Tokens, resources: dict[str, str] | None = None, other_outputs: list[Path] = (),
                  figures: dict[str, Callable[[], Figure]] | None = None, figures_dir: Path | None = None) -> list[Path]:
    """Write each table as ``<name>.csv``, then draw each figure and write it as ``<figures_dir>/<name>.pdf``
    and ``.png``, and a manifest that hashes them and ``other_outputs`` (files the experiment wrote
    itself); return every path. Figures are drawn after the tables are written, so a figure that
    cannot be drawn (e.g. more groups than colours) never costs the tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = list(other_outputs)
    for name, table in tables.items():
        path = out_dir / f"{name}.csv"
        table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
        outputs.append(path)
    if figures and figures_dir is None:
        raise ValueError("figures need a figures_dir to be written to")
    figure_files = [file for name, draw in (figures or {}).items() for file in save_figure(draw(), figures_dir / name)]
    manifest = write_manifest(out_dir / "manifest.json", config=config, corpus=corpus,
                              tokenizer=tokens.config.describe(), outputs=outputs, resources=resources,
                              figures=figure_files, input_files=input_file_hashes(corpus, corpus_path(config)))
    return [*outputs, *figure_files, manifest]
