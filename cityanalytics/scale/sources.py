"""Documents read lazily, in chunks: each chunk is a docs table (doc_id, docvars, text) of a few hundred documents.

A chunk is what :class:`~cityanalytics.corpus.corpus.Corpus` is built from, so whatever reads it
(in this process, a worker process or a Dask worker) tokenizes it exactly as ``tokenize`` would.
Only the current chunk is held, never the corpus.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pandas as pd

from cityanalytics.corpus.corpus import REPORT_COLUMNS, docs_frame, docs_of_strings, read_documents
from cityanalytics.errors import InputFileError, lone_surrogate
from cityanalytics.scale.executors import batched


def record_chunks(records: Iterable[Mapping], size: int = 200) -> Iterator[pd.DataFrame]:
    """Docs tables of ``size`` documents from records with ``doc_id``, ``text`` and docvar fields.

    The records may come from anywhere (a database cursor, a generator). A record that is no
    mapping, lacks its doc_id, holds a text that is not a string, or repeats a doc_id stops the
    stream, as it would stop ``Corpus``, naming the record by its place in the stream.
    """
    return _docs_tables(_checked_records(records), size)


def _docs_tables(records: Iterable[dict], size: int) -> Iterator[pd.DataFrame]:
    """Docs tables of ``size`` checked records each."""
    for batch in batched(records, size):
        yield docs_of_strings(batch)


def _checked_records(records: Iterable[Mapping]) -> Iterator[dict]:
    """The records with their doc_ids as strings, each checked as :func:`record_chunks` says."""
    first_of: dict[str, int] = {}  # the record each doc_id came with, counted from 1
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise TypeError(f"record {number} is a {type(record).__name__}, not a mapping of doc_id, text and docvars")
        missing = [field for field in ("doc_id", "text") if field not in record]
        if missing:
            raise ValueError(f"record {number} has no {missing[0]!r} field; its fields are {list(record)}")
        if not isinstance(record["text"], str):
            raise ValueError(f"record {number}: its text is a {type(record['text']).__name__}, not a string")
        if pd.api.types.is_scalar(record["doc_id"]) and pd.isna(record["doc_id"]):
            raise ValueError(f"record {number} has no doc_id (a missing value)")
        doc_id = str(record["doc_id"])
        if doc_id in first_of:
            raise ValueError(f"doc_id values must be unique: record {number} repeats {doc_id!r} of record "
                             f"{first_of[doc_id]}")
        first_of[doc_id] = number
        yield {**record, "doc_id": doc_id}


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A JSON escape of a code point U+D800–U+DFFF: half of a pair, or on its own a lone surrogate."""


def read_jsonl(path: str | Path, *, text_field: str = "text", id_field: str | None = None,
               docvar_fields: Iterable[str] = ()) -> Iterator[dict]:
    """Document records from a JSON Lines file, one object per line, read line by line.

    ``text_field`` holds the text, used as it is (as ``Corpus.from_texts`` uses it); ``id_field``
    the doc_id (without it, doc1, doc2, … by line order); ``docvar_fields`` the fields kept as
    docvars (missing ones are empty). Errors name the file and the line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "no such file")
    docvar_fields = (docvar_fields,) if isinstance(docvar_fields, str) else tuple(docvar_fields)
    n_records = 0
    line_of: dict[str, int] = {}  # the line each doc_id came from
    with path.open("rb") as lines:
        for n_line, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8-sig" if n_line == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputFileError(path, f"line {n_line} is not UTF-8 text") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputFileError(path, f"line {n_line} is not valid JSON ({error.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get(text_field), str):
                raise InputFileError(path, f"line {n_line} has no text field {text_field!r} holding a string")
            if _SURROGATE_ESCAPE.search(line):
                used = (text_field, *([id_field] if id_field else []), *docvar_fields)
                _refuse_lone_surrogates(path, n_line, {name: record.get(name) for name in used})
            n_records += 1
            if id_field is None:
                doc_id = f"doc{n_records}"
            elif record.get(id_field) in (None, ""):
                raise InputFileError(path, f"line {n_line} has no id field {id_field!r}")
            else:
                doc_id = str(record[id_field])
                if doc_id in line_of:
                    raise InputFileError(path, f"line {n_line} repeats the id {doc_id!r} of line {line_of[doc_id]}")
                line_of[doc_id] = n_line
            yield {"doc_id": doc_id, **{name: record.get(name) for name in docvar_fields}, "text": record[text_field]}


def _refuse_lone_surrogates(path: Path, n_line: int, fields: dict) -> None:
    """An error naming the line and the field if a string field holds a lone surrogate (see
    :func:`~cityanalytics.errors.lone_surrogate`): the document could not be a row."""
    for name, value in fields.items():
        problem = lone_surrogate(value) if isinstance(value, str) else None
        if problem:
            raise InputFileError(path, f"line {n_line}: field {name!r}: {problem} (a \\u escape without its pair)")


def jsonl_chunks(path: str | Path, size: int = 200, **fields) -> Iterator[pd.DataFrame]:
    """Docs tables of ``size`` documents from a JSON Lines file; ``fields`` as for :func:`read_jsonl`, which
    checks each record as :func:`record_chunks` would, naming its line."""
    return _docs_tables(read_jsonl(path, **fields), size)


class FolderChunks:
    """Docs tables of ``size`` documents from a folder, read and cleaned file by file as ``load_corpus`` does.

    Iterate it to read; afterwards ``report`` has one row per input file, loaded or skipped and
    why, as ``corpus.report`` has. ``n_jobs`` processes read and clean files ahead, in order.
    """

    def __init__(self, path: str | Path | None = None, size: int = 200, *, metadata: str | Path | None = None,
                 simplified: bool = True, n_jobs: int = 1):
        self.path, self.size, self.metadata, self.simplified, self.n_jobs = path, size, metadata, simplified, n_jobs
        self._report: list[dict] = []

    def __iter__(self) -> Iterator[pd.DataFrame]:
        self._report = []
        for batch in batched(self._documents(), self.size):
            yield docs_frame(batch)

    def _documents(self) -> Iterator[dict]:
        for entry, row in read_documents(self.path, self.metadata, simplified=self.simplified, progress=False,
                                         n_jobs=self.n_jobs):
            self._report.append(entry)
            if row is not None:
                yield row

    @property
    def report(self) -> pd.DataFrame:
        return pd.DataFrame(self._report, columns=REPORT_COLUMNS)
