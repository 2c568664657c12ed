"""Commands on the token cache: ``cache info`` and ``cache clear``."""

from __future__ import annotations

from pathlib import Path

import click

from cityanalytics.cli.common import Group, emit, output_options

CACHE_DIR_OPTION = click.option("--cache-dir", type=click.Path(path_type=Path),
                                help="Cache folder (default: $CITYANALYTICS_CACHE, else the user cache folder).")


@click.group(cls=Group)
def cache():
    """The on-disk token cache used by `tokenize --cache` and `tokenize(..., cache=True)`."""


@cache.command("info")
@CACHE_DIR_OPTION
@output_options
def cache_info_command(cache_dir, fmt, output):
    """Where the cache is, and per tokenizer configuration: documents, parts and size."""
    from cityanalytics.text.cache import cache_info, cache_root

    click.echo(f"cache folder: {cache_root(cache_dir)}", err=True)
    table = cache_info(cache_dir)
    if table.empty and output is None:
        click.echo("no cached token tables")
    else:
        emit(table, output, fmt)


@cache.command("clear")
@CACHE_DIR_OPTION
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def cache_clear_command(cache_dir, yes):
    """Delete every cached token table (the next run tokenizes again)."""
    from cityanalytics.text.cache import cache_root, clear_cache

    folder = cache_root(cache_dir) / "tokens"
    if not folder.is_dir():
        click.echo(f"no token cache in {folder}: nothing to clear")
        return
    if not yes:
        click.confirm(f"Delete the token cache in {folder}?", abort=True)
    clear_cache(cache_dir)
    click.echo(f"cleared {folder}")
