"""The experiment driver: tables and manifests, byte-identical on a rerun."""

from __future__ import annotations

import json

import pandas as pd
import yaml

from experiments.__main__ import EXPERIMENTS, HERE, run_all


def test_every_experiment_reruns_byte_for_byte(tmp_path):
    first = run_all(results=tmp_path / "a")
    second = run_all(results=tmp_path / "b")
    assert {p.parent.name for p in first} == set(EXPERIMENTS)
    for a, b in zip(first, second):
        assert a.relative_to(tmp_path / "a") == b.relative_to(tmp_path / "b")
        assert a.read_bytes() == b.read_bytes(), f"{a.name} changed between runs"
    emphasis = pd.read_csv(tmp_path / "a" / "strategic_emphasis" / "emphasis_by_city.csv", keep_default_na=False)
    assert {"乌鲁木齐", "深圳", "杭州"} <= set(emphasis["city"])
    manifest = json.loads((tmp_path / "a" / "strategic_emphasis" / "manifest.json").read_text("utf-8"))
    assert len(manifest["resources"]["codebook"]) == 64 and manifest["config"]["seed"] == 20240601


def test_corpus_overview_is_complete_and_reproducible(tmp_path):
    first = run_all(["corpus_overview"], results=tmp_path / "a")
    second = run_all(["corpus_overview"], results=tmp_path / "b")
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
    assert set(manifest["outputs"]) == {"documents.csv", "cities_by_year.csv", "top_terms_by_document.csv", "load_report.csv"}
    assert manifest["tokenizer"]["dictionary_hashes"]["policy_lexicon.txt"]
    assert len(manifest["input"]["corpus_sha256"]) == 64
    assert "python" in manifest["versions"]
