"""The command line. Every command prints a readable table, or writes CSV/parquet with ``--output``;
errors about input files are one line naming the file and the problem."""

from __future__ import annotations

import click

from cityanalytics.cli.analysis_commands import COMMANDS
from cityanalytics.cli.cache_commands import cache
from cityanalytics.cli.common import Group
from cityanalytics.cli.corpus_commands import corpus, tokenize_command
from cityanalytics.cli.reproduce_command import reproduce
from cityanalytics.cli.topic_commands import topics


@click.group(cls=Group)
@click.version_option(package_name="cityanalytics")
def main():
    """Comparative text analysis of Chinese municipal policy documents.

    PATH is a folder of .txt/.md/.html/.docx/.pdf files (with an optional metadata.csv);
    without PATH, commands work on the shipped seed corpus.
    """


main.add_command(corpus)
main.add_command(tokenize_command)
main.add_command(topics)
main.add_command(cache)
main.add_command(reproduce)
for command in COMMANDS:
    main.add_command(command)
