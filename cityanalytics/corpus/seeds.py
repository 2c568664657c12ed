"""Build the clean seed corpus from ``corpora/seeds/raw`` with the recipe beside it.

The seed corpus ships clean: ``documents/<doc_id>.txt`` (one paragraph per line, table cells
separated by tabs), ``metadata.csv``, ``paragraphs.csv`` (heading paths) and
``datapackage.json``. :func:`write_seed_corpus` regenerates all of them; the tests check that
it reproduces the shipped files byte for byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from cityanalytics.corpus import clean
from cityanalytics.corpus.metadata import DOCVARS
from cityanalytics.corpus.split import paragraphs, split_compilation
from cityanalytics.hashing import sha256_file


@dataclass(frozen=True)
class SeedDocument:
    """One clean document of the seed corpus and its metadata."""

    doc_id: str
    text: str
    metadata: dict


def seed_dir() -> Path:
    """Where the seed corpus lives: inside an installed wheel, or ``corpora/seeds`` of a checkout."""
    packaged = Path(str(resources.files("cityanalytics"))) / "_seeds"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "corpora" / "seeds"


def _line_index(lines: list[str], prefix: str, source: str, what: str, after: int = 0) -> int:
    """Index of the first line at or after ``after`` that starts with ``prefix``; fail loudly if none."""
    for i in range(after, len(lines)):
        if lines[i].startswith(prefix):
            return i
    raise ValueError(f"{source}: no line starts with the {what} prefix {prefix!r}")


def format_table(lines: list[str], spec: dict, source: str) -> list[str]:
    """Rebuild a table typeset one cell per line into rows of tab-separated cells.

    Rows start at the serial numbers 1, 2, 3, …; the header row runs from ``spec["header"]``
    to the line before ``1`` and the footer row from ``spec["footer"]`` to ``spec["last"]``.
    """
    start = _line_index(lines, spec["header"], source, "table header")
    footer = _line_index(lines, spec["footer"], source, "table footer", start)
    last = _line_index(lines, spec["last"], source, "table last line", footer)
    rows: list[list[str]] = [[]]
    expected = 1
    for line in lines[start:footer]:
        if line == str(expected):
            rows.append([])
            expected += 1
        rows[-1].append(line)
    rows.append(lines[footer : last + 1])
    return lines[:start] + ["\t".join(row) for row in rows] + lines[last + 1 :]


def build_document(spec: dict, raw_text: str) -> SeedDocument:
    """Apply one recipe entry to the raw text of its source file."""
    source = spec["source"]
    drop_raw = set(spec.get("drop_raw_lines") or [])
    raw_lines = [line.strip() for line in raw_text.split("\n") if line.strip() and line.strip() not in drop_raw]
    if spec.get("table"):
        raw_lines = format_table(raw_lines, spec["table"], source)
    text = clean.clean_text("\n".join(raw_lines))
    if "part" in spec:
        text = split_compilation(text)[spec["part"] - 1][1]
    text = clean.insert_paragraph_breaks(text, spec.get("paragraph_breaks") or [], source)
    lines = [line for line in text.split("\n") if line.strip()]
    first = _line_index(lines, spec["start"], source, "start") if spec.get("start") else 0
    last = _line_index(lines, spec["end"], source, "end", first) if spec.get("end") else len(lines) - 1
    lines = lines[first : last + 1]
    for prefix in spec.get("drop") or []:
        del lines[_line_index(lines, prefix, source, "drop")]
    text = clean.apply_line_joins("\n".join(lines), spec.get("joins") or [], source)
    lines = text.split("\n")
    metadata = {key: spec["metadata"].get(key, "") for key in DOCVARS if key != "source"}
    metadata["source"] = f"raw/{source}"
    return SeedDocument(spec["doc_id"], "\n".join(lines) + "\n", metadata)


def load_recipe(directory: Path) -> list[dict]:
    """The document entries of ``recipe.yaml``."""
    return yaml.safe_load((directory / "recipe.yaml").read_text("utf-8"))["documents"]


def build_seed_corpus(directory: Path | None = None) -> list[SeedDocument]:
    """All seed documents, built from ``raw/`` with ``recipe.yaml``."""
    directory = Path(directory or seed_dir())
    raw_cache: dict[str, str] = {}
    documents = []
    for spec in load_recipe(directory):
        if spec["source"] not in raw_cache:
            raw_cache[spec["source"]] = (directory / "raw" / spec["source"]).read_text("utf-8")
        documents.append(build_document(spec, raw_cache[spec["source"]]))
    return documents


def metadata_table(documents: list[SeedDocument]) -> pd.DataFrame:
    """One row per document: doc_id, the docvars and the name of its clean text file."""
    rows = [{"doc_id": d.doc_id, **d.metadata, "file": f"documents/{d.doc_id}.txt"} for d in documents]
    table = pd.DataFrame(rows, columns=["doc_id", *DOCVARS, "file"])
    table["notes"] = table["notes"].map(lambda s: re.sub(r"\s+", " ", str(s)).strip())
    return table


def paragraph_table(documents: list[SeedDocument]) -> pd.DataFrame:
    """One row per paragraph: doc_id, para, kind, level, section, heading_path, text."""
    rows = [
        {
            "doc_id": d.doc_id,
            "para": p.para,
            "kind": p.kind,
            "level": p.level,
            "section": p.section,
            "heading_path": " > ".join(p.heading_path),
            "text": p.text,
        }
        for d in documents
        for p in paragraphs(d.text)
    ]
    table = pd.DataFrame(rows)
    table["level"] = table["level"].astype("Int64")
    return table


def write_seed_corpus(directory: Path | None = None) -> list[Path]:
    """Regenerate the clean seed corpus files in ``directory`` and return their paths."""
    directory = Path(directory or seed_dir())
    documents = build_seed_corpus(directory)
    out_dir = directory / "documents"
    out_dir.mkdir(exist_ok=True)
    written = []
    for document in documents:
        path = out_dir / f"{document.doc_id}.txt"
        path.write_text(document.text, encoding="utf-8", newline="\n")
        written.append(path)
    stale = {p for p in out_dir.glob("*.txt")} - set(written)
    for path in stale:
        path.unlink()
    for name, table in (("metadata.csv", metadata_table(documents)), ("paragraphs.csv", paragraph_table(documents))):
        path = directory / name
        table.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    written.append(write_datapackage(directory, documents))
    return written


_COLUMN_DOCS = {
    "doc_id": "stable identifier: city or scope, year, kind of document",
    "city": "city the document is by or about; several cities joined by 、 for joint documents; empty if not stated",
    "province": "province of the city; empty if not stated",
    "year": "year the document was issued or signed; empty if not stated",
    "date": "issue or signing date (ISO 8601) if the document states it",
    "title": "title of the document",
    "doc_type": "kind of document (工作要点, 实施方案, 决定, 行动纲要, 情况汇报, …)",
    "issuer": "issuing body as the document states it; empty if not stated or anonymised",
    "doc_no": "document number (文号) if the document has one",
    "source": "raw file the document was cleaned from",
    "notes": "provenance and caveats (preview only, anonymised, compilation part, …)",
    "file": "clean UTF-8 text of the document",
    "para": "paragraph index within the document, from 0",
    "kind": "title, heading, paragraph or table_row",
    "level": "heading level: 1 第一章, 2 第一节, 3 一、 (or an unnumbered section title), 4 （一）, 5 1., 6 （1）",
    "section": "running number of the heading the paragraph falls under (0 before the first heading)",
    "heading_path": "headings from the top level down to the paragraph's own, joined by ' > '",
    "text": "paragraph text; table rows keep their cells apart with tabs",
}


def _schema(table: pd.DataFrame) -> dict:
    types = {"year": "integer", "para": "integer", "level": "integer", "section": "integer"}
    return {
        "fields": [
            {"name": c, "type": types.get(c, "string"), "description": _COLUMN_DOCS[c]} for c in table.columns
        ]
    }


def write_datapackage(directory: Path, documents: list[SeedDocument]) -> Path:
    """Describe the seed corpus as a Frictionless Data Package: files, columns, provenance, hashes."""
    resources_ = [
        {
            "name": "metadata",
            "path": "metadata.csv",
            "format": "csv",
            "hash": f"sha256:{sha256_file(directory / 'metadata.csv')}",
            "schema": _schema(metadata_table(documents)),
        },
        {
            "name": "paragraphs",
            "path": "paragraphs.csv",
            "format": "csv",
            "hash": f"sha256:{sha256_file(directory / 'paragraphs.csv')}",
            "schema": _schema(paragraph_table(documents)),
        },
    ]
    for document in documents:
        path = directory / "documents" / f"{document.doc_id}.txt"
        resources_.append(
            {
                "name": document.doc_id.replace("_", "-"),
                "path": f"documents/{document.doc_id}.txt",
                "format": "txt",
                "mediatype": "text/plain",
                "encoding": "utf-8",
                "hash": f"sha256:{sha256_file(path)}",
                "sources": [{"title": "raw scrape", "path": document.metadata["source"]}],
            }
        )
    for raw in sorted((directory / "raw").iterdir()):
        resources_.append(
            {
                "name": "raw-" + raw.stem.replace("_", "-"),
                "path": f"raw/{raw.name}",
                "format": "txt",
                "encoding": "utf-8",
                "hash": f"sha256:{sha256_file(raw)}",
                "description": "source file exactly as scraped; never edited",
            }
        )
    package = {
        "name": "cityanalytics-seed-corpus",
        "title": "Chinese municipal policy documents: the cityanalytics seed corpus",
        "description": (
            "Nine policy documents of 海宁, 嘉兴, 深圳, 乌鲁木齐, 杭州 and the 杭州都市经济圈 (2009–2020), "
            "cleaned from five scraped web pages by cityanalytics.corpus.seeds with recipe.yaml."
        ),
        "version": "1.0.0",
        "licenses": [{"name": "other-pd", "title": "Official documents of Chinese government bodies"}],
        "sources": [{"title": "Public web pages (download sites, government and magazine sites)", "path": "raw/"}],
        "resources": resources_,
    }
    path = directory / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n")
    return path
