"""The experiment driver: tables, figures and manifests, byte-identical on a rerun."""

from __future__ import annotations

import json
from importlib import metadata

import pandas as pd
import yaml

import cityanalytics as ca
from cityanalytics.corpus.seeds import seed_dir
from cityanalytics.hashing import sha256_file
from cityanalytics.provenance import input_file_hashes, package_versions
from experiments.__main__ import EXPERIMENTS, HERE, run_all

FIGURES = ["document_similarity_tfidf_cosine", "theme_rate_heatmap_by_city", "theme_profiles_by_city",
           "theme_rate_heatmap_by_year", "fightin_words_log_odds_by_city", "term_trends_by_year",
           "theme_trends_by_year", "topic_prevalence_by_city"]
"""The figures the study's README gallery shows."""


def test_every_experiment_reruns_byte_for_byte(tmp_path):
    first = run_all(results=tmp_path / "a" / "results", figures=tmp_path / "a" / "figures")
    second = run_all(results=tmp_path / "b" / "results", figures=tmp_path / "b" / "figures")
    assert {p.parent.name for p in first if p.parent.name != "figures"} == set(EXPERIMENTS)
    for a, b in zip(first, second):
        assert a.relative_to(tmp_path / "a") == b.relative_to(tmp_path / "b")
        assert a.read_bytes() == b.read_bytes(), f"{a.name} changed between runs"
    emphasis = pd.read_csv(tmp_path / "a" / "results" / "strategic_emphasis" / "emphasis_by_city.csv",
                           keep_default_na=False)
    assert {"乌鲁木齐", "深圳", "杭州"} <= set(emphasis["city"])
    manifest = json.loads((tmp_path / "a" / "results" / "strategic_emphasis" / "manifest.json").read_text("utf-8"))
    assert len(manifest["resources"]["codebook"]) == 64 and manifest["config"]["seed"] == 20240601

    figures = tmp_path / "a" / "figures"
    assert sorted(p.name for p in figures.iterdir()) == sorted(f"{n}.{ext}" for n in FIGURES for ext in ("pdf", "png"))
    recorded = {}
    for name in EXPERIMENTS:
        recorded.update(json.loads((tmp_path / "a" / "results" / name / "manifest.json").read_text("utf-8"))["figures"])
    assert recorded == {p.name: sha256_file(p) for p in figures.iterdir()}


def test_the_shipped_figures_and_tables_are_the_ones_the_experiments_write():
    """What the repository holds is what its one command regenerates (same hashes as the manifests)."""
    for name in EXPERIMENTS:
        manifest = json.loads((HERE / "results" / name / "manifest.json").read_text("utf-8"))
        for file, digest in manifest["outputs"].items():
            assert sha256_file(HERE / "results" / name / file) == digest, f"{name}/{file} is stale"
        for file, digest in manifest["figures"].items():
            assert sha256_file(HERE.parent / "figures" / file) == digest, f"figures/{file} is stale"


def test_corpus_overview_is_complete_and_reproducible(tmp_path):
    first = run_all(["corpus_overview"], results=tmp_path / "a", figures=tmp_path / "a_figures")
    second = run_all(["corpus_overview"], results=tmp_path / "b", figures=tmp_path / "b_figures")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} changed between runs"

    out = tmp_path / "a" / "corpus_overview"
    documents = pd.read_csv(out / "documents.csv", keep_default_na=False)
    assert len(documents) == 9
    assert {"嘉兴", "海宁", "深圳", "乌鲁木齐", "杭州"} <= set(documents["city"])
    assert (documents["n_terms"] <= documents["n_tokens"]).all()
    top = pd.read_csv(out / "top_terms_by_document.csv")
    config = yaml.safe_load((HERE / "corpus_overview" / "config.yaml").read_text("utf-8"))
    assert top.groupby("doc_id")["rank"].max().eq(config["top_terms"]).all()
    assert not top["term"].isin(["。", "，", "的"]).any()

    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["config"] == config
    assert set(manifest["outputs"]) == {"documents.csv", "cities_by_year.csv", "top_terms_by_document.csv",
                                        "document_similarity.csv", "load_report.csv"}
    assert set(manifest["figures"]) == {"document_similarity_tfidf_cosine.pdf", "document_similarity_tfidf_cosine.png"}
    assert manifest["tokenizer"]["dictionary_hashes"]["policy_lexicon.txt"]
    assert len(manifest["input"]["corpus_sha256"]) == 64
    assert "python" in manifest["versions"]
    seeds = seed_dir()
    files = manifest["input"]["files"]
    assert set(files) == {f"{doc_id}.txt" for doc_id in documents["doc_id"]} | {"metadata.csv"}
    assert files["metadata.csv"] == sha256_file(seeds / "metadata.csv")
    assert files["hangzhou_2019_decision.txt"] == sha256_file(seeds / "documents" / "hangzhou_2019_decision.txt")


def test_manifests_record_the_libraries_that_write_the_figures_bytes():
    """fontTools' subsetting (which name records a PDF's embedded fonts keep) and Pillow's PNG
    writer change a figure's bytes between their versions, so a manifest names them."""
    versions = package_versions()
    assert versions["fonttools"] == metadata.version("fonttools")
    assert versions["pillow"] == metadata.version("pillow")


def test_manifests_record_the_packages_own_source(tmp_path):
    """The version number does not change with the code; the source hash does, with any file."""
    import shutil

    from cityanalytics.provenance import PACKAGE_ROOT, source_hash

    assert package_versions()["cityanalytics_source_sha256"] == source_hash()
    copy = tmp_path / "cityanalytics"
    shutil.copytree(PACKAGE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert source_hash(copy) == source_hash()
    changed = tmp_path / "changed" / "cityanalytics"
    shutil.copytree(copy, changed)
    trends = changed / "analysis" / "trends.py"
    trends.write_text(trends.read_text("utf-8").replace('unit: str = "paragraph"', 'unit: str = "document"'), "utf-8")
    assert source_hash(changed) != source_hash()


def test_input_file_hashes_name_the_files_a_folder_was_loaded_from(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("加强交通建设。", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text("引进人才。", encoding="utf-8")
    (tmp_path / "notes.xyz").write_text("skipped", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,city\na.txt,杭州\n", encoding="utf-8")
    corpus = ca.load_corpus(tmp_path, progress=False)
    hashes = input_file_hashes(corpus, tmp_path)
    assert hashes == {name: sha256_file(tmp_path / name) for name in ("a.txt", "sub/b.txt", "metadata.csv")}
    lone = input_file_hashes(ca.load_corpus(tmp_path / "a.txt", progress=False), tmp_path / "a.txt")
    assert lone == {"a.txt": sha256_file(tmp_path / "a.txt"), "metadata.csv": sha256_file(tmp_path / "metadata.csv")}
