"""Manifests and hashes: what produced a table, so that a rerun can be checked byte for byte."""

from __future__ import annotations

import hashlib
import json
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from cityanalytics.corpus.corpus import Corpus, input_locations
from cityanalytics.hashing import sha256_file

RECORDED_PACKAGES = ["cityanalytics", "pandas", "numpy", "scipy", "scikit-learn", "jieba", "gensim", "opencc", "stopwordsiso",
                     "matplotlib", "adjustText", "paperang-p2-fonts-cjk", "fonttools", "pillow"]
"""fontTools subsets the fonts embedded in each PDF (which name records it keeps changed between its
versions, and with them the PDF's bytes) and Pillow writes each PNG, so both decide a figure's hash."""


def corpus_hash(corpus: Corpus) -> str:
    """SHA-256 over every document's id, docvars and text, in doc_id order."""
    digest = hashlib.sha256()
    docs = corpus.docs.sort_values("doc_id")
    docs = docs.astype(object).where(docs.notna(), "")
    for row in docs.itertuples(index=False):
        digest.update("\x1f".join(map(str, row)).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def input_file_hashes(corpus: Corpus, path: str | Path | None = None, metadata: str | Path | None = None
                      ) -> dict[str, str]:
    """SHA-256 of every file ``corpus`` was loaded from by ``load_corpus(path, metadata)`` (the
    loaded rows of its load report, which lists the metadata table where it lies among the files)
    and of the metadata table it read, by the report's file names (the table, where the report
    lacks it, by its name: the seed corpus's lies beside its folder, a lone file's is not listed)."""
    _, base, table = input_locations(path, metadata)
    loaded = corpus.report.loc[corpus.report["status"] == "loaded", "file"]
    hashes = {name: sha256_file(base / name) for name in sorted(set(loaded) - {""})}
    if table.is_file() and not any((base / name).resolve() == table.resolve() for name in hashes):
        hashes[table.name] = sha256_file(table)
    return hashes


@lru_cache(maxsize=None)
def installed_version(package: str) -> str:
    """The installed version of ``package``, looked up once per process: the lookup reads package
    metadata from disk, and the modules in use are those of the version found first. Raises
    ``importlib.metadata.PackageNotFoundError`` if it is not installed."""
    return metadata.version(package)


PACKAGE_ROOT = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def source_hash(root: Path = PACKAGE_ROOT) -> str:
    """SHA-256 over the path and bytes of every file of the cityanalytics package under ``root``
    (its code and resources, not compiled caches): the package's version number stays the same
    from one change of its code to the next, and a changed default can change a table. Computed
    once per process for each folder, as the code in use does not change while it runs."""
    digest = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(root).as_posix().encode("utf-8") + b"\x1f" + file.read_bytes() + b"\x1e")
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that decide the results, and the hash of
    cityanalytics' own source (:func:`source_hash`)."""
    versions = {"python": platform.python_version(), "cityanalytics_source_sha256": source_hash()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = installed_version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(path: str | Path, *, config: dict, corpus: Corpus, tokenizer: dict, outputs: list[Path],
                   resources: dict[str, str] | None = None, figures: list[Path] = (),
                   input_files: dict[str, str] | None = None) -> Path:
    """Write a manifest: config (with its seeds), versions, tokenizer and other resource hashes
    (``resources``, e.g. the codebook's), and hashes of the input corpus and of its files
    (``input_files``, see :func:`input_file_hashes`), of every output beside the manifest and of
    every figure file (by file name; figures live in their own folder).

    It holds no timestamps or machine names, so an unchanged rerun writes an identical manifest.
    """
    path = Path(path)
    manifest = {
        "config": config,
        "versions": package_versions(),
        "tokenizer": tokenizer,
        "resources": resources or {},
        "input": {"documents": len(corpus), "corpus_sha256": corpus_hash(corpus), "files": input_files or {}},
        "outputs": {p.relative_to(path.parent).as_posix(): sha256_file(p) for p in sorted(outputs)},
        "figures": {p.name: sha256_file(p) for p in sorted(figures)},
    }
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
