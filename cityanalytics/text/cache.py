"""An on-disk cache of token tables, keyed by each document's text and the tokenizer configuration.

Layout under the cache root (``CITYANALYTICS_CACHE``, or the user cache folder)::

    tokens/<key>/config.json            what the key stands for: tokenizer, package version, code hash
    tokens/<key>/parts/<id>.parquet     token rows of many documents, each under its doc_hash
    tokens/<key>/index/<id>.parquet     doc_hash, part, start, n_rows: where each document's rows lie

``key`` hashes the tokenizer configuration (backend and version, lexicon, stopwords, options),
the package version and the package's whole source (whatever module decides sections,
paragraphs, sentences and tags, now or after a change, is in it); ``doc_hash`` is the SHA-256 of a document's text. So an unchanged document under an
unchanged configuration is read back, and an edited document, or any change of configuration,
misses. Each run writes one part for all the documents it had to tokenize (never a file per
document) and its index last, both through a temporary file renamed into place, so an
interrupted run leaves at most an unindexed part, which is never read.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cityanalytics.corpus.corpus import Corpus
from cityanalytics.errors import InputFileError
from cityanalytics.hashing import sha256_text
from cityanalytics.provenance import source_hash
from cityanalytics.text.encoding import category_codes, word_array
from cityanalytics.text.segment import TokenizerConfig
from cityanalytics.text.token_table import doc_id_categories

CACHE_ENV = "CITYANALYTICS_CACHE"
ROWS_SCHEMA = pa.schema([
    ("section", pa.int32()), ("para", pa.int32()), ("sent", pa.int32()), ("i", pa.int32()),
    ("token", pa.dictionary(pa.int32(), pa.string())), ("tag", pa.dictionary(pa.int32(), pa.string())),
    ("is_term", pa.bool_()),
])
"""The token-table columns stored per document; ``doc_id`` is attached again on reading."""
INDEX_COLUMNS = ["doc_hash", "part", "start", "n_rows"]
ROW_GROUP_ROWS = 65_536
"""Rows per parquet row group: a read takes only the row groups holding the documents it needs."""


def cache_root(path: str | Path | None = None) -> Path:
    """The cache folder: ``path`` if given, else ``$CITYANALYTICS_CACHE``, else the user cache folder."""
    if path is not None:
        return Path(path)
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs

    return Path(platformdirs.user_cache_dir("cityanalytics", appauthor=False))


def describe_key(config: TokenizerConfig) -> dict:
    """What a cache key stands for: the tokenizer's description, the package version and the hash of
    its whole source (a list of the modules that turn a text into token rows would miss the next
    one that comes to do so)."""
    from cityanalytics import __version__

    return {"tokenizer": config.describe(), "cityanalytics": __version__, "code": source_hash()}


def cache_key(config: TokenizerConfig) -> str:
    """The folder name of ``config``'s token tables: equal keys mean equal tokens for equal text."""
    from cityanalytics import __version__

    return sha256_text(json.dumps([config.key, __version__, source_hash()]))[:16]


def _write_atomically(table: pa.Table, path: Path) -> None:
    """Write a parquet file under a temporary name and rename it, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, temporary, row_group_size=ROW_GROUP_ROWS)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):  # on a read-only folder there is nothing to remove; keep the first error
            temporary.unlink(missing_ok=True)


def _read_index_file(path: Path) -> pa.Table:
    """One index file of the cache, or the file named with what to do where it cannot be read."""
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise InputFileError(path, f"unreadable token cache index ({error}); run `cityanalytics cache clear`") from None


def _run_positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Row positions of the runs [start, start + length), one after another."""
    return np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(lengths.sum())


def _sorted_categorical(values: pd.Series) -> pd.Categorical:
    """A categorical over exactly the values present, categories sorted as ``np.unique`` sorts them.

    This is how :func:`~cityanalytics.text.tokens.tokenize` builds its token and tag columns, so
    a table read from the cache equals a freshly tokenized one, categories included.
    """
    values = pd.Categorical(values)
    used = np.flatnonzero(np.bincount(values.codes, minlength=len(values.categories)))
    categories = word_array(values.categories[used])
    order = np.argsort(categories, kind="stable")
    remap = np.empty(len(values.categories), dtype=np.int64)
    remap[used[order]] = np.arange(len(used))
    return pd.Categorical.from_codes(remap[values.codes], categories=pd.Index(categories[order]))


@dataclass
class TokenCache:
    """The cached token tables of one configuration in one cache root.

    The index of what is cached is read once per instance; parts this instance writes are not
    added to it (their documents were just tokenized), so a long stream of chunks does not
    re-read a growing index.
    """

    root: Path
    config: TokenizerConfig

    def __post_init__(self):
        self.folder = Path(self.root) / "tokens" / cache_key(self.config)
        self._index: pd.DataFrame | None = None

    def index(self) -> pd.DataFrame:
        """Where each cached document's rows lie: part, start, n_rows, indexed by doc_hash."""
        if self._index is None:
            self._index = _read_index(self.folder)
        return self._index

    def tokenize(self, corpus: Corpus, **tokenize_options):
        """The tokens of ``corpus``: cached documents read back, the others tokenized and added.

        ``tokenize_options`` (n_jobs, chunk_chars, progress) go to
        :func:`~cityanalytics.text.tokens.tokenize` for the documents not yet cached.
        """
        from cityanalytics.text.tokens import Tokens, token_docvars

        texts = corpus.docs["text"].tolist()
        hashes = pd.Index([sha256_text(t) for t in texts])
        index = self.index()
        tables, runs = [], []
        for part, documents in index[index.index.isin(hashes)].groupby("part", sort=True):
            table, documents = self._read_runs(part, documents[["start", "n_rows"]])
            tables.append(table)
            runs.append(documents)
        missing = ~hashes.isin(index.index) & ~hashes.duplicated()
        if missing.any():
            table, documents = self._add(hashes[missing], [t for t, m in zip(texts, missing) if m], tokenize_options)
            tables.append(table)
            runs.append(documents)
        table = _in_corpus_order(tables, runs, hashes, doc_id_categories(corpus.docs["doc_id"]))
        return Tokens(table, token_docvars(corpus), self.config)

    def _read_runs(self, part: str, runs: pd.DataFrame) -> tuple[pa.Table, pd.DataFrame]:
        """The row groups of a part that hold ``runs`` (start, n_rows per document), and the runs'
        starts within what was read: a chunk needing a few documents never loads a whole part."""
        path = self.folder / "parts" / f"{part}.parquet"
        try:
            parquet = pq.ParquetFile(path)
            sizes = np.array([parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)], np.int64)
            group_starts = np.r_[0, np.cumsum(sizes)[:-1]]
            starts, ends = runs["start"].to_numpy(np.int64), (runs["start"] + runs["n_rows"]).to_numpy(np.int64)
            if ends.size and ends.max() > sizes.sum():
                raise InputFileError(path, f"token cache part holds {sizes.sum()} rows but its index reads up to row "
                                           f"{ends.max()}: it was cut short; run `cityanalytics cache clear`")
            needed = np.zeros(len(sizes), dtype=bool)
            for first, last in zip(np.searchsorted(group_starts, starts, "right") - 1,
                                   np.searchsorted(group_starts, np.maximum(ends - 1, starts), "right") - 1):
                needed[first : last + 1] = True
            groups = np.flatnonzero(needed)
            table = parquet.read_row_groups(groups.tolist(), use_pandas_metadata=False).cast(ROWS_SCHEMA)
        except (OSError, pa.ArrowException) as error:
            raise InputFileError(path, f"unreadable token cache part ({error}); run `cityanalytics cache clear`") from None
        read_starts = np.full(len(sizes), -1, dtype=np.int64)
        read_starts[groups] = np.r_[0, np.cumsum(sizes[groups])[:-1]]
        group_of_run = np.searchsorted(group_starts, starts, "right") - 1
        moved = starts - group_starts[group_of_run] + read_starts[group_of_run]
        return table, runs.assign(start=moved)

    def _add(self, hashes: pd.Index, texts: list[str], tokenize_options: dict) -> tuple[pa.Table, pd.DataFrame]:
        """Tokenize documents not yet cached and store them as one new part; return its rows and runs."""
        from cityanalytics.text.tokens import tokenize

        fresh = tokenize(Corpus.from_texts(texts, doc_ids=list(hashes)), self.config, **tokenize_options).table
        lengths = np.bincount(category_codes(fresh["doc_id"]), minlength=len(hashes)).astype(np.int64)
        runs = pd.DataFrame({"start": np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64), "n_rows": lengths},
                            index=hashes.rename("doc_hash"))
        table = pa.Table.from_pandas(fresh[ROWS_SCHEMA.names], schema=ROWS_SCHEMA, preserve_index=False)
        table = table.replace_schema_metadata(None)
        part = uuid.uuid4().hex
        entries = pa.Table.from_pandas(runs.assign(part=part).reset_index()[INDEX_COLUMNS], preserve_index=False)
        try:
            self._describe_folder()
            _write_atomically(table, self.folder / "parts" / f"{part}.parquet")
            _write_atomically(entries, self.folder / "index" / f"{part}.parquet")
        except OSError as error:  # the tokens are made: hand them back, uncached
            warnings.warn(f"the token cache at {self.root} cannot be written ({error.strerror or error}); "
                          f"{len(hashes)} document(s) were tokenized but not cached", UserWarning, stacklevel=4)
        return table, runs

    def _describe_folder(self) -> None:
        """Write config.json, saying what this folder's key stands for, once."""
        path = self.folder / "config.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".config.{uuid.uuid4().hex}.tmp")
            temporary.write_text(json.dumps(describe_key(self.config), ensure_ascii=False, indent=2), "utf-8")
            os.replace(temporary, path)


def _in_corpus_order(tables: list[pa.Table], runs: list[pd.DataFrame], hashes: pd.Index, doc_ids: pd.Index) -> pd.DataFrame:
    """The token table of a corpus from row tables and each document's run in them, in corpus order."""
    offsets = np.cumsum([0] + [t.num_rows for t in tables[:-1]])
    no_runs = pd.DataFrame({"start": [], "n_rows": []}, dtype=np.int64)
    located = pd.concat([r.assign(start=r["start"] + o) for r, o in zip(runs, offsets)] or [no_runs]).reindex(hashes)
    lengths = located["n_rows"].to_numpy(np.int64)
    rows = pa.concat_tables(tables) if tables else ROWS_SCHEMA.empty_table()
    rows = rows.unify_dictionaries().take(_run_positions(located["start"].to_numpy(np.int64), lengths)).to_pandas()
    return pd.DataFrame(
        {
            "doc_id": pd.Categorical.from_codes(np.repeat(np.arange(len(doc_ids)), lengths), categories=doc_ids),
            "section": rows["section"].to_numpy(np.int32),
            "para": rows["para"].to_numpy(np.int32),
            "sent": rows["sent"].to_numpy(np.int32),
            "i": rows["i"].to_numpy(np.int32),
            "token": _sorted_categorical(rows["token"]),
            "tag": _sorted_categorical(rows["tag"]),
            "is_term": rows["is_term"].to_numpy(bool),
        }
    )


def _read_index(folder: Path) -> pd.DataFrame:
    """A key folder's index files together, each cached text once (two runs that cached the same
    document at once both list it): part, start, n_rows, indexed by doc_hash."""
    tables = [_read_index_file(f) for f in sorted((folder / "index").glob("*.parquet"))]
    index = pa.concat_tables(tables).to_pandas() if tables else pd.DataFrame(columns=INDEX_COLUMNS)
    return index.drop_duplicates("doc_hash").set_index("doc_hash")


def cache_info(root: str | Path | None = None) -> pd.DataFrame:
    """One row per cached configuration: key, documents (distinct texts: two runs that cached the same
    document at once hold it twice), parts, megabytes, and what the key stands for."""
    tokens = cache_root(root) / "tokens"
    rows = []
    for folder in sorted(p for p in tokens.glob("*") if p.is_dir()):
        documents = len(_read_index(folder))
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        described = json.loads((folder / "config.json").read_text("utf-8")) if (folder / "config.json").exists() else {}
        tokenizer = described.get("tokenizer", {})
        rows.append({"key": folder.name, "documents": documents, "parts": len(list((folder / "index").glob("*.parquet"))),
                     "megabytes": round(size / 1e6, 2), "backend": tokenizer.get("backend", ""),
                     "backend_version": tokenizer.get("backend_version", ""),
                     "cityanalytics": described.get("cityanalytics", "")})
    return pd.DataFrame(rows, columns=["key", "documents", "parts", "megabytes", "backend", "backend_version",
                                       "cityanalytics"])


def clear_cache(root: str | Path | None = None) -> Path:
    """Delete every cached token table under the cache root: the folders of ``tokens`` that this
    package writes (a key's ``config.json``, ``parts`` and ``index``), then ``tokens`` itself if
    nothing else is left in it. Other files there are a user's, and stay."""
    tokens = cache_root(root) / "tokens"
    for folder in [p for p in tokens.glob("*") if p.is_dir() and _CACHE_KEY.fullmatch(p.name)]:
        if all(_written_here(child.name) for child in folder.iterdir()):
            shutil.rmtree(folder)
    with contextlib.suppress(OSError):  # there is none, or a user's files are left in it
        tokens.rmdir()
    return tokens


_CACHE_KEY = re.compile(r"[0-9a-f]{16}")
"""The name of a key's folder (see :func:`cache_key`)."""


def _written_here(name: str) -> bool:
    """Whether a key's folder holds ``name`` because this package wrote it there (a run killed while
    describing the folder leaves its temporary ``config.json``)."""
    return name in ("config.json", "parts", "index") or (name.startswith(".config.") and name.endswith(".tmp"))
