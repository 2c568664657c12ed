"""``cityanalytics reproduce``: rerun a study's experiments, the command-line twin of ``python -m experiments``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click


@click.command("reproduce")
@click.argument("names", nargs=-1)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="The project folder that holds experiments/ (results go to experiments/results/, figures to figures/).")
def reproduce(names: tuple[str, ...], root: Path):
    """Run the experiments NAMES (all when none are given) and list the files they wrote."""
    root = root.resolve()
    if not (root / "experiments" / "__main__.py").is_file():
        raise click.ClickException(f"{root}: no experiments/ folder with an __main__.py here; pass --root")
    sys.path.insert(0, str(root))
    try:
        runner = importlib.import_module("experiments.__main__")
        written = runner.run_all(list(names) or None, results=root / "experiments" / "results",
                                 figures=root / "figures", configs=root / "experiments")
    finally:
        sys.path.remove(str(root))
    for path in written:
        click.echo(path.relative_to(root))
