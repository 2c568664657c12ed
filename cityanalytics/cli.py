"""The command line: ``cityanalytics corpus list|show|report|build-seeds`` and ``cityanalytics tokenize``.

Every command prints a readable table, or writes CSV/parquet for scripting (``--output``).
Errors about input files are printed as one line naming the file and the problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

from cityanalytics.corpus.corpus import Corpus, load_corpus
from cityanalytics.errors import CityAnalyticsError

CORPUS_ARGUMENT = click.argument("path", required=False, type=click.Path(path_type=Path))
METADATA_OPTION = click.option(
    "--metadata", type=click.Path(path_type=Path), help="Metadata CSV (default: PATH/metadata.csv if present)."
)


def _load(path: Path | None, metadata: Path | None) -> Corpus:
    return load_corpus(path, metadata=metadata, progress=None)


def _emit(table: pd.DataFrame, output: Path | None, fmt: str) -> None:
    """Write a table to ``output`` (format from its suffix) or print it as CSV or text."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.suffix == ".parquet":
            table.to_parquet(output, index=False)
        else:
            table.to_csv(output, index=False, lineterminator="\n")
        click.echo(f"wrote {len(table)} rows to {output}", err=True)
    elif fmt == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 40, "display.unicode.east_asian_width", True):
            click.echo(table.astype(object).where(table.notna(), "").to_string(index=False))


class _Group(click.Group):
    """Turns input and argument errors into one clear line (exit status 1) instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (CityAnalyticsError, ValueError, KeyError) as error:
            message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
            raise click.ClickException(str(message)) from None


@click.group(cls=_Group)
@click.version_option(package_name="cityanalytics")
def main():
    """Comparative text analysis of Chinese municipal policy documents.

    PATH is a folder of .txt/.md/.html/.docx/.pdf files (with an optional metadata.csv);
    without PATH, commands work on the shipped seed corpus.
    """


@main.group(cls=_Group)
def corpus():
    """Inspect a corpus: its documents, their clean text, and the load report."""


@corpus.command("list")
@CORPUS_ARGUMENT
@METADATA_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write the list to a .csv or .parquet file.")
def corpus_list(path, metadata, fmt, output):
    """List the documents with their docvars (one row per document)."""
    docs = _load(path, metadata).docvars
    columns = ["doc_id", "city", "province", "year", "date", "doc_type", "n_chars", "title"]
    _emit(docs if output or fmt == "csv" else docs[columns], output, fmt)


@corpus.command("show")
@click.argument("doc_id")
@CORPUS_ARGUMENT
@METADATA_OPTION
def corpus_show(doc_id, path, metadata):
    """Print one document's docvars, its load-report row and its clean text."""
    loaded = _load(path, metadata)
    if doc_id not in set(loaded.docs["doc_id"]):
        raise click.ClickException(f"no document {doc_id!r}; `cityanalytics corpus list` shows the doc_ids")
    row = loaded.docvars.loc[loaded.docs["doc_id"] == doc_id].iloc[0]
    for name, value in row.items():
        click.echo(f"{name}: {'' if pd.isna(value) else value}")
    report = loaded.report.loc[loaded.report["doc_id"] == doc_id].iloc[0]
    click.echo(f"load: {report['status']} from {report['file']}")
    click.echo("")
    click.echo(loaded.text(doc_id))


@corpus.command("report")
@CORPUS_ARGUMENT
@METADATA_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write the report to a .csv or .parquet file.")
def corpus_report(path, metadata, fmt, output):
    """Account for every input file: loaded, or skipped with the reason."""
    _emit(_load(path, metadata).report, output, fmt)


@corpus.command("build-seeds")
@click.option("--directory", type=click.Path(path_type=Path), help="Seed corpus folder (default: the shipped one).")
def corpus_build_seeds(directory):
    """Regenerate the clean seed corpus (documents, metadata, paragraphs, datapackage) from raw/."""
    from cityanalytics.corpus.seeds import write_seed_corpus

    for written in write_seed_corpus(directory):
        click.echo(f"wrote {written}")


@main.command("tokenize")
@CORPUS_ARGUMENT
@METADATA_OPTION
@click.option("--output", type=click.Path(path_type=Path), required=True, help="Token table, .parquet or .csv.")
@click.option("--n-jobs", type=int, default=1, show_default=True, help="Worker processes; -1 uses every core.")
@click.option("--userdict", multiple=True, type=click.Path(exists=True), help="Extra jieba user dictionary (repeatable).")
@click.option("--stopwords-file", multiple=True, type=click.Path(exists=True), help="Extra stopword list (repeatable).")
@click.option("--no-stopwords", is_flag=True, help="Count general stopwords as terms.")
@click.option("--boilerplate", is_flag=True, help="Drop policy boilerplate (加强, 推进, …) from the terms.")
@click.option("--no-lexicon", is_flag=True, help="Do not load the policy lexicon and place names.")
@click.option("--pos", is_flag=True, help="Tag parts of speech (slower).")
@click.option("--keep-pos", multiple=True, help="With --pos: keep only terms whose tag starts with this (repeatable).")
@click.option("--terms-only", is_flag=True, help="Write only the tokens counted as terms.")
def tokenize_command(path, metadata, output, n_jobs, userdict, stopwords_file, no_stopwords, boilerplate,
                     no_lexicon, pos, keep_pos, terms_only):
    """Segment a corpus and write the token table (doc_id, section, para, sent, i, token, tag, is_term)."""
    from cityanalytics.text.segment import TokenizerConfig
    from cityanalytics.text.tokens import tokenize

    config = TokenizerConfig(
        lexicon=not no_lexicon,
        user_dicts=tuple(userdict),
        stopwords=not no_stopwords,
        user_stopwords=tuple(stopwords_file),
        boilerplate=boilerplate,
        pos=pos,
        keep_pos=tuple(keep_pos) or None,
    )
    tokens = tokenize(_load(path, metadata), config, n_jobs=n_jobs, progress=True)
    table = tokens.to_frame(terms_only=terms_only)
    if output.suffix != ".parquet":
        table = table.astype({"doc_id": str, "token": str, "tag": str})
    _emit(table, output, "csv")
