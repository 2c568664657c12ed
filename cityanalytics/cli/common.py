"""Shared pieces of the command line: corpus and tokenizer options, table output, error handling."""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path

import click
import pandas as pd

from cityanalytics.corpus.corpus import HIDDEN_FILE, Corpus, load_corpus
from cityanalytics.errors import CityAnalyticsError
from cityanalytics.text.segment import BACKENDS


class Group(click.Group):
    """Turns input and argument errors, and files that cannot be read or written, into one clear line
    (exit status 1) instead of a traceback; warnings print as one line each, without source lines."""

    def invoke(self, ctx):
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            try:
                return super().invoke(ctx)
            except (CityAnalyticsError, ValueError, KeyError) as error:
                message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
                raise click.ClickException(str(message)) from None
            except OSError as error:  # a file named on the command line: --output names a folder, a folder cannot be made
                if error.filename is None:  # not a file's (a closed pipe, which click ends quietly): as it is
                    raise
                raise click.ClickException(f"{error.filename}: {error.strerror}") from None


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning as ``warning: message`` on standard error: where in the code it arose is no use here."""
    click.echo(f"warning: {message}", err=True)


# Counts checked where they are typed, so that the message names the option: --k, --n, --n-perm, ...
POSITIVE = click.IntRange(min=1)
NON_NEGATIVE = click.IntRange(min=0)

CODEBOOK_OPTION = click.option("--codebook", type=click.Path(exists=True, path_type=Path),
                               help="Codebook YAML (default: the shipped policy-theme codebook).")


def corpus_options(command):
    """PATH (a folder; the seed corpus when left out) and --metadata."""
    command = click.option("--metadata", type=click.Path(path_type=Path),
                           help="Metadata CSV (default: PATH/metadata.csv if present). PATH is the corpus folder; "
                                "without it, the shipped seed corpus.")(command)
    return click.argument("path", required=False, type=click.Path(path_type=Path))(command)


OUTPUT_SUFFIXES = (".csv", ".parquet")
"""The files ``--output`` writes, by suffix."""


def table_file(context: click.Context, parameter: click.Parameter, path: Path | None) -> Path | None:
    """An ``--output`` path, refused before any work unless its suffix says CSV or parquet and each
    folder above it that exists is a folder."""
    if path is not None and path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise click.BadParameter(f"{path}: write a .csv or a .parquet file (the suffix says which)",
                                 ctx=context, param=parameter)
    above = next((folder for folder in (path.parents if path is not None else ()) if folder.exists()), None)
    if above is not None and not above.is_dir():
        raise click.BadParameter(f"{above} is a file, not a folder to write {path.name} in", ctx=context, param=parameter)
    return path


def output_options(command):
    """--format (table or csv on standard output) and --output (a .csv or .parquet file)."""
    command = click.option("--output", type=click.Path(path_type=Path), callback=table_file,
                           help="Write the table to a .csv or .parquet file.")(command)
    return click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True,
                        help="How to print the table when no --output is given.")(command)


def tokenizer_options(command):
    """The tokenizer configuration, as options."""
    options = [
        click.option("--userdict", multiple=True, type=click.Path(exists=True), help="Extra jieba user dictionary (repeatable)."),
        click.option("--stopwords-file", multiple=True, type=click.Path(exists=True), help="Extra stopword list (repeatable)."),
        click.option("--no-stopwords", is_flag=True, help="Count general stopwords as terms."),
        click.option("--boilerplate", is_flag=True, help="Drop policy boilerplate (加强, 推进, …) from the terms."),
        click.option("--no-lexicon", is_flag=True, help="Do not load the policy lexicon and place names."),
        click.option("--n-jobs", type=int, default=1, show_default=True, help="Cores to use; -1 uses every core."),
        click.option("--backend", type=click.Choice(["auto", *BACKENDS]), default="auto", show_default=True,
                     help="Segmenter: auto takes numba wherever it gives jieba's tokens exactly, else jieba."),
    ]
    return functools.reduce(lambda c, option: option(c), reversed(options), command)


TOKENIZER_OPTIONS = ("userdict", "stopwords_file", "no_stopwords", "boilerplate", "no_lexicon", "n_jobs", "backend")


def take_tokenizer_options(options: dict) -> dict:
    """Remove the tokenizer options from a command's keyword arguments and return them."""
    return {name: options.pop(name) for name in TOKENIZER_OPTIONS if name in options}


def load(path: Path | None, metadata: Path | None, n_jobs: int = 1, *, documents_needed: bool = True) -> Corpus:
    """The corpus at ``path``, or the seed corpus, read by ``n_jobs`` processes. A folder without files,
    or (when ``documents_needed``) without one readable document, is an error rather than empty tables;
    skipped files other than hidden ones (a .DS_Store is expected) are counted on standard error,
    since the analysis goes on without them."""
    corpus = load_corpus(path, metadata=metadata, n_jobs=n_jobs)
    if corpus.report.empty:
        raise click.ClickException(f"{path}: no files to read")
    if not documents_needed:
        return corpus
    skipped = corpus.report["status"] != "loaded"
    if corpus.docs.empty:
        raise click.ClickException(f"{path}: no document to analyse ({_skipped_files(path, skipped.sum(), corpus)})")
    unexpected = int((skipped & (corpus.report["reason"] != HIDDEN_FILE)).sum())
    if unexpected:
        click.echo(f"warning: {path}: {_skipped_files(path, unexpected, corpus)}", err=True)
    return corpus


def _skipped_files(path: Path | None, n_skipped: int, corpus: Corpus) -> str:
    """How many of the corpus's input files were skipped, and where to read why."""
    return f"{n_skipped} of {len(corpus.report)} files skipped; `cityanalytics corpus report {path}` says why"


def tokens_from(path, metadata, userdict=(), stopwords_file=(), no_stopwords=False, boilerplate=False,
                no_lexicon=False, n_jobs=1, backend="auto", pos=False, keep_pos=None, cache=False):
    """Load and tokenize a corpus with the tokenizer options of a command."""
    from cityanalytics.text.segment import TokenizerConfig
    from cityanalytics.text.tokens import tokenize

    config = TokenizerConfig(lexicon=not no_lexicon, user_dicts=tuple(userdict), stopwords=not no_stopwords,
                             user_stopwords=tuple(stopwords_file), boilerplate=boilerplate, pos=pos,
                             keep_pos=tuple(keep_pos) if keep_pos else None, backend=backend)
    return tokenize(load(path, metadata, n_jobs), config, n_jobs=n_jobs, progress=True, cache=cache)


def emit(table: pd.DataFrame, output: Path | None, fmt: str = "table") -> None:
    """Write a table to ``output`` (format from its suffix) or print it as CSV or text."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.suffix.lower() == ".parquet":
            table.to_parquet(output, index=False)
        else:
            table.to_csv(output, index=False, lineterminator="\n")
        click.echo(f"wrote {len(table)} rows to {output}", err=True)
    elif fmt == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif table.empty:  # pandas would print "Empty DataFrame" and its index
        click.echo("  ".join(map(str, table.columns)))
        click.echo("no rows", err=True)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 40, "display.unicode.east_asian_width", True):
            click.echo(table.astype(object).where(table.notna(), "").to_string(index=False))
