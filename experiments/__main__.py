"""Run every experiment on the shipped corpus: ``python -m experiments [NAME ...]``.

Each experiment reads ``experiments/<name>/config.yaml``, writes its tables and manifest to
``experiments/results/<name>/`` and its figures to ``figures/``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import yaml
from tqdm.auto import tqdm

HERE = Path(__file__).resolve().parent
FIGURES = HERE.parent / "figures"
EXPERIMENTS = ["corpus_overview", "strategic_emphasis", "distinctive_terms", "keyword_trends", "topic_model"]


def run_all(names: list[str] | None = None, results: Path = HERE / "results", figures: Path = FIGURES,
            configs: Path = HERE) -> list[Path]:
    """Run the named experiments (all by default) with ``configs/<name>/config.yaml`` and return the
    files they wrote."""
    unknown = sorted(set(names or []) - set(EXPERIMENTS))
    if unknown:
        raise ValueError(f"unknown experiment(s) {unknown}; choose from {EXPERIMENTS}")
    written = []
    for name in tqdm(names or EXPERIMENTS, desc="experiments", unit="experiment"):
        module = importlib.import_module(f"experiments.{name}")
        config = yaml.safe_load((configs / name / "config.yaml").read_text("utf-8"))
        written.extend(module.run(config, results / name, figures))
    return written


if __name__ == "__main__":
    try:
        written = run_all(sys.argv[1:] or None)
    except ValueError as error:
        sys.exit(f"error: {error}")
    for path in written:
        print(path.relative_to(HERE.parent))
