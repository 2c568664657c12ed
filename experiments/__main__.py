"""Run every experiment on the shipped corpus: ``python -m experiments [NAME ...]``.

Each experiment reads ``experiments/<name>/config.yaml`` and writes its tables and manifest
to ``experiments/results/<name>/``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import yaml
from tqdm.auto import tqdm

HERE = Path(__file__).resolve().parent
EXPERIMENTS = ["corpus_overview", "strategic_emphasis", "distinctive_terms", "keyword_trends", "topic_model"]


def run_all(names: list[str] | None = None, results: Path = HERE / "results") -> list[Path]:
    """Run the named experiments (all by default) and return the files they wrote."""
    written = []
    for name in tqdm(names or EXPERIMENTS, desc="experiments", unit="experiment"):
        if name not in EXPERIMENTS:
            raise SystemExit(f"unknown experiment {name!r}; choose from {EXPERIMENTS}")
        module = importlib.import_module(f"experiments.{name}")
        config = yaml.safe_load((HERE / name / "config.yaml").read_text("utf-8"))
        written.extend(module.run(config, results / name))
    return written


if __name__ == "__main__":
    for path in run_all(sys.argv[1:] or None):
        print(path.relative_to(HERE.parent))
