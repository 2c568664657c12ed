"""What every experiment does around its analysis: load and tokenize, write tables and a manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import cityanalytics as ca
from cityanalytics.provenance import write_manifest


def prepare(config: dict) -> tuple[ca.Corpus, ca.Tokens]:
    """The corpus named in the config ("seeds" or a folder) and its tokens under the config's tokenizer."""
    corpus = ca.load_corpus() if config["corpus"] == "seeds" else ca.load_corpus(config["corpus"])
    return corpus, ca.tokenize(corpus, ca.TokenizerConfig(**config.get("tokenizer", {})))


def write_results(out_dir: Path, tables: dict[str, pd.DataFrame], *, config: dict, corpus: ca.Corpus,
                  tokens: ca.Tokens, resources: dict[str, str] | None = None, other_outputs: list[Path] = ()) -> list[Path]:
    """Write each table as ``<name>.csv`` and a manifest beside them that also hashes ``other_outputs``
    (files the experiment wrote itself); return every output path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = list(other_outputs)
    for name, table in tables.items():
        path = out_dir / f"{name}.csv"
        table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
        outputs.append(path)
    manifest = write_manifest(out_dir / "manifest.json", config=config, corpus=corpus,
                              tokenizer=tokens.config.describe(), outputs=outputs, resources=resources)
    return [*outputs, manifest]
