"""Commands on corpora and tokens: ``corpus list|show|report|build-seeds`` and ``tokenize``."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from cityanalytics.cli.common import (
    Group,
    corpus_options,
    emit,
    load,
    output_options,
    table_file,
    tokenizer_options,
    tokens_from,
)


@click.group(cls=Group)
def corpus():
    """Inspect a corpus: its documents, their clean text, and the load report."""


@corpus.command("list")
@corpus_options
@output_options
def corpus_list(path, metadata, fmt, output):
    """List the documents with their docvars (one row per document)."""
    docs = load(path, metadata).docvars
    columns = ["doc_id", "city", "province", "year", "date", "doc_type", "n_chars", "title"]
    emit(docs if output or fmt == "csv" else docs[columns], output, fmt)


@corpus.command("show")
@click.argument("doc_id")
@corpus_options
def corpus_show(doc_id, path, metadata):
    """Print one document's docvars, its load-report row and its clean text."""
    loaded = load(path, metadata)
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
@corpus_options
@output_options
def corpus_report(path, metadata, fmt, output):
    """Account for every input file: loaded, or skipped with the reason."""
    emit(load(path, metadata, documents_needed=False).report, output, fmt)


@corpus.command("build-seeds")
@click.option("--directory", type=click.Path(path_type=Path), help="Seed corpus folder (default: the shipped one).")
def corpus_build_seeds(directory):
    """Regenerate the clean seed corpus (documents, metadata, paragraphs, datapackage) from raw/."""
    from cityanalytics.corpus.seeds import write_seed_corpus

    for written in write_seed_corpus(directory):
        click.echo(f"wrote {written}")


@click.command("tokenize")
@corpus_options
@click.option("--output", type=click.Path(path_type=Path), required=True, callback=table_file,
              help="Token table, .parquet or .csv.")
@tokenizer_options
@click.option("--pos", is_flag=True, help="Tag parts of speech (slower).")
@click.option("--keep-pos", multiple=True, help="With --pos: keep only terms whose tag starts with this (repeatable).")
@click.option("--terms-only", is_flag=True, help="Write only the tokens counted as terms.")
@click.option("--cache", is_flag=True,
              help="Read documents tokenized before from the token cache and add the others (see `cityanalytics cache`).")
def tokenize_command(path, metadata, output, terms_only, **options):
    """Segment a corpus and write the token table (doc_id, section, para, sent, i, token, tag, is_term)."""
    table = tokens_from(path, metadata, **options).to_frame(terms_only=terms_only)
    if output.suffix.lower() != ".parquet":
        table = table.astype({"doc_id": str, "token": str, "tag": str})
    emit(table, output)
