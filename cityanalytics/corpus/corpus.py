"""Corpus: one row per document with its docvars, a load report, subsetting, and loading from folders."""

from __future__ import annotations

import datetime
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from cityanalytics.codepoints import rows_as_code_points, strings_between
from cityanalytics.corpus import clean, split
from cityanalytics.corpus.line_structure import line_structure
from cityanalytics.corpus.metadata import DOCVARS, city_gazetteer, infer_metadata
from cityanalytics.corpus.read import SUPPORTED_SUFFIXES, decode_bytes, read_file
from cityanalytics.corpus.seeds import seed_dir
from cityanalytics.corpus.sentence_spans import sentence_code_points
from cityanalytics.errors import InputFileError, MetadataError, lone_surrogate
from cityanalytics.hashing import sha256_text
from cityanalytics.scale.executors import batched, in_order, open_executor

REPORT_COLUMNS = ["file", "status", "reason", "doc_id"]
HIDDEN_FILE = "hidden file"
"""The report's reason for a file or folder whose name starts with a dot (.DS_Store, .git/…)."""
RESERVED_DOCVARS = {"text", "n_chars", "section", "para", "sent", "i", "token", "tag", "is_term", "term", "count"}
"""Names a docvar cannot take: they are columns of the docs, token, paragraph or count tables."""
LOAD_DOCVARS = {"encoding", "simplified", "inferred"}
"""Docvars that ``load_corpus`` itself records for every file."""
_ISO_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


class Corpus:
    """Documents with their metadata (docvars), and an account of how they were loaded.

    ``docs`` has one row per document: ``doc_id``, the docvars (city, province, year, date,
    title, doc_type, issuer, doc_no, source, notes and any extra ones), ``n_chars`` and
    ``text``. ``report`` has one row per input file: ``file``, ``status`` (loaded or skipped),
    ``reason`` and ``doc_id``.
    """

    def __init__(self, docs: pd.DataFrame, report: pd.DataFrame | None = None):
        clashes = sorted(RESERVED_DOCVARS & (set(docs.columns) - {"text", "n_chars"}))
        if clashes:
            raise ValueError(f"docvar name(s) {clashes} are reserved for columns of the token and count tables")
        absent = [column for column in ("doc_id", "text") if column not in docs.columns]
        if absent:
            raise ValueError(f"a docs table needs a 'doc_id' and a 'text' column; this one has no {absent} "
                             f"(its columns: {list(docs.columns)})")
        try:
            docs = docs.astype({"doc_id": str, "text": str}) if len(docs) else docs.astype({"doc_id": object, "text": object})
        except UnicodeEncodeError:
            raise ValueError(lone_surrogate_problem(docs)) from None
        held_as_objects = [column for column, dtype in docs.dtypes.items() if dtype == np.dtype(object) and column != "text"]
        if not all(_utf8_only(docs[column]) for column in held_as_objects):
            raise ValueError(lone_surrogate_problem(docs[held_as_objects].assign(doc_id=docs["doc_id"])))
        if docs["doc_id"].isna().any():
            rows = (np.flatnonzero(docs["doc_id"].isna()) + 1).tolist()
            raise ValueError(f"every document needs a doc_id; row(s) {rows[:5]}{' …' if len(rows) > 5 else ''} have none")
        if docs["text"].isna().any():
            ids = docs.loc[docs["text"].isna(), "doc_id"].tolist()
            raise ValueError(f"document(s) {ids[:5]}{' …' if len(ids) > 5 else ''} have no text (a missing value); "
                             f"give each document its text, '' for an empty one")
        if docs["doc_id"].duplicated().any():
            dupes = sorted(docs.loc[docs["doc_id"].duplicated(), "doc_id"].unique())
            raise ValueError(f"doc_id values must be unique; repeated: {dupes}")
        docs = docs.reset_index(drop=True).copy()
        docs["n_chars"] = docs["text"].str.len().astype("int64")
        ordered = ["doc_id", *[c for c in docs.columns if c not in ("doc_id", "n_chars", "text")], "n_chars", "text"]
        self.docs = docs[ordered]
        self.report = report if report is not None else pd.DataFrame(columns=REPORT_COLUMNS)
        self._paragraphs: pd.DataFrame | None = None
        self._sentences: pd.DataFrame | None = None

    @classmethod
    def from_texts(cls, texts: Sequence[str], doc_ids: Sequence[str] | None = None, **docvars) -> Corpus:
        """Build a corpus from strings; each docvar is one value for all (a string is one value) or a
        sequence of one per text (a list, tuple, range, array, Series or Index)."""
        if isinstance(doc_ids, str):
            raise TypeError(f"doc_ids takes one name per text, not the one string {doc_ids!r}")
        texts = list(texts)
        doc_ids = None if doc_ids is None else list(doc_ids)
        not_text = [k for k, text in enumerate(texts) if not isinstance(text, str)]
        if not_text:  # str() would make None or NaN into the words "None" and "nan"
            k = not_text[0]
            raise TypeError(f"texts must be strings; text {k + 1} is {texts[k]!r} ({type(texts[k]).__name__})"
                            + (f", and {len(not_text) - 1} more are not strings" if len(not_text) > 1 else ""))
        missing = [k for k, i in enumerate(doc_ids or []) if pd.api.types.is_scalar(i) and pd.isna(i)]
        if missing:
            raise ValueError(f"every text needs a doc_id; doc_id {missing[0] + 1} is {doc_ids[missing[0]]!r}")
        ids = [str(i) for i in doc_ids] if doc_ids is not None else [f"doc{i + 1}" for i in range(len(texts))]
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} doc_ids given for {len(texts)} texts")
        columns: dict[str, list] = {"doc_id": ids}
        for name, value in docvars.items():
            if _one_per_text(value):
                if len(value) != len(texts):
                    raise ValueError(f"docvar {name!r} has {len(value)} values for {len(texts)} texts")
                columns[name] = list(value)
            else:
                columns[name] = [value] * len(texts)
        columns["text"] = texts
        docs = docs_of_strings(columns)
        report = pd.DataFrame(
            {"file": [""] * len(ids), "status": "loaded", "reason": "from_texts", "doc_id": ids}, columns=REPORT_COLUMNS
        )
        return cls(docs, report)

    def __len__(self) -> int:
        return len(self.docs)

    def __repr__(self) -> str:
        return f"Corpus({len(self)} documents, {int(self.docs['n_chars'].sum())} characters)"

    @property
    def docvars(self) -> pd.DataFrame:
        """The docs table without the text."""
        return self.docs.drop(columns=["text"])

    def text(self, doc_id: str) -> str:
        """The text of one document."""
        match = self.docs.loc[self.docs["doc_id"] == doc_id, "text"]
        if match.empty:
            raise KeyError(f"no document {doc_id!r} in the corpus")
        return match.iloc[0]

    def subset(self, **conditions) -> Corpus:
        """Documents whose docvars equal the given values (a list means any of them): ``subset(city="杭州")``."""
        mask = pd.Series(True, index=self.docs.index)
        for name, wanted in conditions.items():
            if name not in self.docs.columns:
                raise KeyError(f"no docvar {name!r}; docvars are {list(self.docvars.columns)}")
            values = list(wanted) if _one_per_text(wanted) or isinstance(wanted, (set, frozenset)) else [wanted]
            column = self.docs[name]
            numbers = [v for v in values if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)]
            if pd.api.types.is_numeric_dtype(column) and any(isinstance(v, str) for v in values):
                raise TypeError(f"docvar {name!r} holds numbers; {values!r} holds text, which no number equals "
                                f"(subset({name}=2011), not subset({name}='2011'))")
            if pd.api.types.is_string_dtype(column) and numbers:
                raise TypeError(f"docvar {name!r} holds text; {values!r} holds numbers, which no text equals "
                                f"(subset({name}='{numbers[0]}'), not subset({name}={numbers[0]}))")
            mask &= column.isin(values)
        kept = self.docs[mask]
        report = self.report[self.report["doc_id"].isin(kept["doc_id"])]
        return Corpus(kept, report.reset_index(drop=True))

    def paragraphs(self) -> pd.DataFrame:
        """One row per paragraph: doc_id, para, kind, level, section, heading_path, text (computed once)."""
        if self._paragraphs is None:
            rows = [
                (doc_id, para, kind, level, section, " > ".join(heading_path), text)
                for doc_id, doc_text in zip(self.docs["doc_id"].tolist(), self.docs["text"].tolist())
                for para, kind, level, section, heading_path, text in split.paragraph_rows(doc_text)
            ]
            table = pd.DataFrame(rows, columns=["doc_id", "para", "kind", "level", "section", "heading_path", "text"])
            table["level"] = table["level"].astype("Int64")
            self._paragraphs = table
        return self._paragraphs

    def sentences(self) -> pd.DataFrame:
        """One row per sentence: doc_id, section, para, sent (index within the paragraph), text (computed once)."""
        if self._sentences is None:
            doc, section, para, sent, points, bounds = sentence_columns(*rows_as_code_points(self.docs["text"])(0, len(self.docs)))
            texts = strings_between(points, bounds)
            self._sentences = pd.DataFrame(
                {
                    "doc_id": pd.Series(self.docs["doc_id"].to_numpy(object)[doc], dtype="str"),
                    "section": section,
                    "para": para,
                    "sent": sent,
                    "text": pd.Series(texts, dtype="str"),
                }
            )
        return self._sentences


def sentence_columns(points: np.ndarray, doc_starts: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every sentence of the documents ``points[doc_starts[k]:doc_starts[k + 1]]`` with its document
    (k), section, paragraph and index within the paragraph, and the sentences as one array of code
    points with their bounds (sentence j is ``[bounds[j], bounds[j + 1])``): :meth:`Corpus.sentences`
    as arrays."""
    lines = line_structure(points, doc_starts)
    points, bounds, line = sentence_code_points(lines.points, lines.start, lines.end)
    first = np.searchsorted(line, np.arange(len(lines.start)))  # each line's first sentence
    sent = np.arange(len(line)) - first[line]
    return lines.doc[line], lines.section[line], lines.para[line], sent, points, bounds


def _read_metadata(path: Path) -> pd.DataFrame:
    """Read and validate a metadata table; errors name the file, row and column."""
    try:
        text, _ = decode_bytes(path.read_bytes(), path)
        # read with the header as a row, so that a first row with a field too many (an unquoted
        # comma) is an error like any other row's, not silently taken for an index column
        rows = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False)
    except InputFileError as error:
        raise MetadataError(path, error.problem) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise MetadataError(path, f"not a readable CSV table ({' '.join(str(error).split())})") from None
    table = rows.iloc[1:].reset_index(drop=True)
    table.columns = [str(c).strip() for c in rows.iloc[0]]
    for position in [k for k, name in enumerate(table.columns) if not name]:  # as a trailing comma leaves
        if table.iloc[:, position].str.strip().ne("").any():
            raise MetadataError(path, f"column {position + 1} holds values but has no name")
    table = table.loc[:, [bool(name) for name in table.columns]]
    repeated_columns = sorted({c for c in table.columns if list(table.columns).count(c) > 1})
    if repeated_columns:
        raise MetadataError(path, f"column name(s) {repeated_columns} appear more than once", column=repeated_columns[0])
    for column in ("year", "date"):  # full-width digits, as typed with a Chinese input method, read as digits
        if column in table.columns:
            table[column] = table[column].map(lambda value: unicodedata.normalize("NFKC", value))
    reserved = sorted((RESERVED_DOCVARS | LOAD_DOCVARS) & set(table.columns))
    if reserved:
        raise MetadataError(path, f"column name(s) {reserved} are reserved (recorded by the loader or used by token tables)",
                            column=reserved[0])
    if "file" not in table.columns:
        raise MetadataError(path, "no 'file' column naming each document's file", column="file")
    for i, row in table.iterrows():
        row_number = int(i) + 2  # the header is row 1
        if not row["file"].strip():
            raise MetadataError(path, "empty file name", row=row_number, column="file")
        if "year" in table.columns and row["year"].strip() and not re.fullmatch(r"[0-9]{4}", row["year"].strip()):
            raise MetadataError(path, f"year {row['year']!r} is not a four-digit year", row=row_number, column="year")
        if "date" in table.columns and row["date"].strip() and not _is_iso_date(row["date"].strip()):
            raise MetadataError(path, f"date {row['date']!r} is not a date of the calendar as YYYY, YYYY-MM or YYYY-MM-DD",
                                row=row_number, column="date")
    repeated = table["file"].duplicated(keep="first")
    if repeated.any():
        row_number = int(repeated.idxmax()) + 2
        raise MetadataError(path, f"file {table.loc[repeated.idxmax(), 'file']!r} is listed twice", row=row_number, column="file")
    if "doc_id" in table.columns:
        ids = table["doc_id"].str.strip()
        repeated = ids.duplicated() & (ids != "")
        if repeated.any():
            raise MetadataError(path, f"doc_id {ids[repeated.idxmax()]!r} is used twice", row=int(repeated.idxmax()) + 2, column="doc_id")
    return table


def _is_iso_date(text: str) -> bool:
    """Whether ``text`` is YYYY, YYYY-MM or YYYY-MM-DD naming a month and day the calendar has."""
    if not _ISO_DATE.fullmatch(text):
        return False
    year, month, day = (*map(int, text.split("-")), 1, 1)[:3]
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _doc_id_for(relative: str, taken: set[str]) -> str:
    base = re.sub(r"\.[^.\/]+$", "", relative).replace("/", "__")
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id, n = f"{base}_{n}", n + 1
    return doc_id


def _input_files(root: Path) -> list[Path]:
    """Every entry under ``root`` but its folders, sorted by path, so that the report can say what
    became of each: links to folders are followed, unless the folder is ``root`` or under it; every
    folder is read once, through the first path to it that the walk meets, folder by folder from
    the top and in name order within each (a link to a folder read already, or a second link to
    one, is listed itself), and links that lead nowhere, pipes and devices are listed as they are."""
    root_real = os.path.realpath(root)
    seen = {root_real}  # the real path of every folder to be read (a link up to the root leads back into it)
    found: list[Path] = []
    for folder, subfolders, names in os.walk(root, followlinks=True):
        found.extend(Path(folder, name) for name in names)
        subfolders.sort()  # the first in order of two paths to one folder is the one read
        for sub in list(subfolders):
            path = os.path.join(folder, sub)
            real, link = os.path.realpath(path), os.path.islink(path)
            if real in seen or (link and os.path.commonpath([real, root_real]) == root_real):  # read already, or will be
                subfolders.remove(sub)
                if link:
                    found.append(Path(path))
            else:
                seen.add(real)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def load_corpus(
    path: str | Path | None = None,
    metadata: str | Path | None = None,
    *,
    simplified: bool = True,
    progress: bool | None = None,
    n_jobs: int = 1,
) -> Corpus:
    """Load the shipped seed corpus, or a folder of .txt/.md/.html/.docx/.pdf files.

    A ``metadata.csv`` in the folder (or the file given as ``metadata``) with a ``file`` column
    supplies docvars; any extra column becomes a docvar. Loading one file takes its own row of that
    table; in a folder, a row for a file not loaded is an error. Metadata not given is read off the
    text only where the text states it. Traditional characters become Simplified unless
    ``simplified=False``. Every input file appears in ``corpus.report``, loaded or skipped.
    ``n_jobs`` processes read and clean files side by side (-1: every core); the result is the same.
    """
    report: list[dict] = []
    rows: list[dict] = []
    for entry, row in read_documents(path, metadata, simplified=simplified, progress=progress, n_jobs=n_jobs):
        report.append(entry)
        if row is not None:
            rows.append(row)
    return Corpus(docs_frame(rows), pd.DataFrame(report, columns=REPORT_COLUMNS))


def _one_per_text(value) -> bool:
    """Whether a docvar's value is a sequence of values, one per text (a list, tuple, range, array,
    Series, Index or pandas array), rather than one value for all (a string, a number, a dict)."""
    sequences = (Sequence, np.ndarray, pd.Series, pd.Index, pd.api.extensions.ExtensionArray)
    return isinstance(value, sequences) and not isinstance(value, (str, bytes))


def docs_of_strings(data: dict[str, list] | list[dict]) -> pd.DataFrame:
    """``pd.DataFrame(data)`` for documents given as Python strings, or a ValueError naming the
    document, the column and the character where one holds a lone surrogate (see
    :func:`lone_surrogate_problem`) instead of the encoder's bare traceback."""
    try:
        return pd.DataFrame(data)
    except UnicodeEncodeError:
        raise ValueError(lone_surrogate_problem(pd.DataFrame(data, dtype=object))) from None


def _utf8_only(column: pd.Series) -> bool:
    """Whether no string of a column of Python objects holds a lone surrogate (such a docvar would
    fail later, written to CSV or parquet or made a pandas string column), checked in one encoding."""
    return lone_surrogate("".join([value for value in column.tolist() if isinstance(value, str)])) is None


def lone_surrogate_problem(docs: pd.DataFrame) -> str:
    """Where the first lone surrogate of the docs table lies (see
    :func:`~cityanalytics.errors.lone_surrogate`): such a document cannot be a row."""
    for column in docs.columns:
        for row, value in enumerate(docs[column].tolist()):
            problem = lone_surrogate(str(value))
            if problem:
                named = "doc_id" in docs.columns and column != "doc_id"
                where = f"document {str(docs['doc_id'].iloc[row])!r}" if named else f"row {row + 1}"
                return f"{where}, column {column!r}: {problem}; remove it, or decode the source with errors='replace'"
    return "a string cannot be encoded as UTF-8"


def docs_frame(rows: list[dict]) -> pd.DataFrame:
    """The docs table of document rows from :func:`read_documents`, with ``year`` as a nullable integer."""
    docs = pd.DataFrame(rows) if rows else pd.DataFrame(columns=["doc_id", *DOCVARS, "text"])
    docs["year"] = pd.to_numeric(docs["year"].replace("", None), errors="raise").astype("Int64")
    return docs


READ_BATCH = 16
"""Files one worker reads and cleans per task: enough to outweigh handing the task over."""


def _read_and_clean(file: Path, title: str | None, simplified: bool) -> tuple[str, str, bool, dict] | str:
    """One file's encoding, clean text, whether it was converted to Simplified and the metadata
    its text states (under ``title``, the metadata table's, where it gives one, else the text's
    own); or why it cannot be read. The costly part of loading, run wherever there is a core."""
    try:
        read = read_file(file)
    except InputFileError as error:
        return error.problem
    text, converted = clean.to_simplified(read.text) if simplified else (read.text, False)
    text = clean.clean_text(text)
    return read.encoding, text, converted, infer_metadata(text, title=title) if text.strip() else {}


def _read_and_clean_all(files: list[tuple[Path, str | None]], simplified: bool) -> list[tuple[str, str, bool, dict] | str]:
    return [_read_and_clean(file, title, simplified) for file, title in files]


def input_locations(path: str | Path | None = None, metadata: str | Path | None = None) -> tuple[Path, Path, Path]:
    """Where :func:`read_documents` reads for ``path`` and ``metadata``: the folder (or the one file),
    the folder its report's file names are relative to, and the metadata table, which need not
    exist (the ``metadata.csv`` beside the files unless one is given). ``None`` is the seed corpus:
    its ``documents/`` folder and the ``metadata.csv`` beside it, unless ``metadata`` names another."""
    if path is None:
        table = Path(metadata) if metadata is not None else seed_dir() / "metadata.csv"
        return seed_dir() / "documents", seed_dir() / "documents", table
    root = Path(path)
    base = root if root.is_dir() else root.parent
    return root, base, Path(metadata) if metadata is not None else base / "metadata.csv"


def read_documents(
    path: str | Path | None = None,
    metadata: str | Path | None = None,
    *,
    simplified: bool = True,
    progress: bool | None = None,
    n_jobs: int = 1,
) -> Iterator[tuple[dict, dict | None]]:
    """Read, clean and describe the files under ``path`` one at a time, as :func:`load_corpus` does.

    Yields each input file's report entry with its document row (doc_id, docvars, text), or
    ``None`` for a skipped file. Only the metadata table, a hash per loaded text and the few
    files being read are held, so a folder larger than memory can be read document by document.
    ``n_jobs`` processes read and clean files ahead, in order; duplicates and doc_ids are decided
    here, file by file, so the result does not depend on ``n_jobs``.
    """
    root, _, meta_path = input_locations(path, metadata)
    if not root.exists():
        raise InputFileError(root, "no such file or folder")
    files = _input_files(root) if root.is_dir() else [root]
    if metadata is not None and meta_path.is_dir():
        raise MetadataError(meta_path, "is a folder; name the metadata CSV file in it")
    if (path is None or metadata is not None) and not meta_path.is_file():
        raise MetadataError(meta_path, "metadata file not found")
    meta = _read_metadata(meta_path) if meta_path.is_file() else None
    meta_by_file: dict[str, dict] = {}
    listed_rows: dict[str, int] = {}  # the table's row of each file it lists
    loaded_files = {f.resolve() for f in files}
    if meta is not None:
        meta_base = meta_path.parent
        for i, row in meta.iterrows():
            target = (meta_base / row["file"].strip()).resolve()
            if not target.is_file():
                raise MetadataError(meta_path, f"file {row['file']!r} does not exist", row=int(i) + 2, column="file")
            if str(target) in listed_rows:
                raise MetadataError(meta_path, f"file {row['file']!r} is the file of row {listed_rows[str(target)]} too",
                                    row=int(i) + 2, column="file")
            listed_rows[str(target)] = int(i) + 2
            if target not in loaded_files:
                if not root.is_dir():
                    continue  # one file loaded: the rows of its folder's other files describe those
                raise MetadataError(meta_path, f"file {row['file']!r} is not among the files loaded from {root}",
                                    row=int(i) + 2, column="file")
            meta_by_file[str(target)] = {k: v.strip() for k, v in row.items() if k != "file"}

    def relative_name(file: Path) -> str:
        return file.name if file == root else file.relative_to(root).as_posix()

    def not_a_document(file: Path) -> tuple[str, str] | None:
        """(status, reason) for a file not read as a document, None for one that is."""
        if meta is not None and file.resolve() == meta_path.resolve():
            return "loaded", f"metadata table ({len(meta)} rows)"
        if any(part.startswith(".") for part in Path(relative_name(file)).parts):
            return "skipped", HIDDEN_FILE
        if file.is_dir():
            return "skipped", f"link to the folder {os.path.realpath(file)}, which is read already"
        if not file.exists():
            return "skipped", "link to nothing (its target is missing)"
        if not file.is_file():
            return "skipped", "not a regular file (a pipe, socket or device)"
        if file.suffix.lower() not in SUPPORTED_SUFFIXES:
            return "skipped", f"unsupported file type {file.suffix or '(none)'!r}"
        return None

    seen_text: dict[str, str] = {}
    taken = {m["doc_id"] for m in meta_by_file.values() if m.get("doc_id")}
    listed_as = [not_a_document(file) for file in files]
    documents = ((file, meta_by_file.get(str(file.resolve()), {}).get("title") or None)
                 for file, listed in zip(files, listed_as) if listed is None)
    with open_executor("local", n_jobs) as (submit, window):
        batches = in_order(submit, _read_and_clean_all, batched(documents, READ_BATCH), window, simplified)
        outcomes = chain.from_iterable(batches)
        for file, listed in tqdm(zip(files, listed_as), total=len(files), desc="loading", unit="file",
                                 disable=progress is False or (progress is None and len(files) < 200)):
            relative = relative_name(file)
            entry = {"file": relative, "status": "skipped", "reason": "", "doc_id": ""}
            if listed is not None:
                entry["status"], entry["reason"] = listed
                yield entry, None
                continue
            outcome = next(outcomes)
            if isinstance(outcome, str):  # the file could not be read
                entry["reason"] = outcome
                yield entry, None
                continue
            encoding, text, converted, inferred = outcome
            digest = sha256_text(text)
            if not text.strip():
                entry["reason"] = "no text left after removing site furniture"
            elif digest in seen_text:
                entry["reason"] = f"duplicate of {seen_text[digest]}"
            else:
                seen_text[digest] = relative
                row = _document_row(file, relative, encoding, text, converted, inferred, meta_by_file, taken)
                entry.update(status="loaded", doc_id=row["doc_id"])
                yield entry, row
                continue
            yield entry, None


def _document_row(file: Path, relative: str, encoding: str, text: str, converted: bool, inferred: dict,
                  meta_by_file: dict[str, dict], taken: set[str]) -> dict:
    """A loaded file's row: its doc_id (given, or made from its name), docvars given in the
    metadata table, else stated by the text, and its text. Takes the doc_id into ``taken``."""
    given = dict(meta_by_file.get(str(file.resolve()), {}))
    if given.get("date") and not given.get("year"):
        given["year"] = given["date"][:4]  # a given date gives its year
    doc_id = given.pop("doc_id", "") or _doc_id_for(relative, taken)
    taken.add(doc_id)
    row = {"doc_id": doc_id, **{name: "" for name in DOCVARS}}
    filled = []
    for name, value in _agreeing_with(given, inferred).items():
        if not given.get(name):
            row[name] = value
            filled.append(name)
    row.update({k: v for k, v in given.items() if v != "" or k not in row})
    row["source"] = given.get("source") or relative
    row.update(encoding=encoding, simplified=converted, inferred=",".join(sorted(filled)), text=text)
    return row


def _agreeing_with(given: dict, inferred: dict) -> dict:
    """The docvars read off the text that do not contradict the metadata table's: a date whose
    year is not the given year is not read off, nor the province of the title's city where the
    table names another city, nor the title's city where it lies outside a given province."""
    inferred = dict(inferred)
    if given.get("year") and str(inferred.get("date", ""))[:4] not in ("", given["year"]):
        del inferred["date"]
    if given.get("city") and inferred.get("city") != given["city"]:
        inferred.pop("province", None)
    if given.get("province") and not given.get("city") and inferred.get("city"):
        provinces = {city_gazetteer().get(city) for city in inferred["city"].split("、")}
        if provinces != {given["province"]}:
            del inferred["city"]
    return inferred


def concat(corpora: Iterable[Corpus]) -> Corpus:
    """One corpus from several; doc_ids must not repeat."""
    corpora = list(corpora)
    if not corpora:
        raise ValueError("concat needs at least one corpus")
    return Corpus(
        pd.concat([c.docs.drop(columns=["n_chars"]) for c in corpora], ignore_index=True),
        pd.concat([c.report for c in corpora], ignore_index=True),
    )
