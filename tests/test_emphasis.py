"""Strategic emphasis, the codebook, and the dictionary-validation tools."""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest

import cityanalytics as ca
from cityanalytics.analysis.codebook import apply_decisions, load_codebook, record_decisions
from cityanalytics.analysis.emphasis import compare_emphasis, emphasis
from cityanalytics.analysis.validation import expand_theme, kwic, validate_coding
from cityanalytics.errors import InputFileError
from cityanalytics.stats import bh_adjust
from cityanalytics.text.segment import TokenizerConfig, tokenizer_for

REQUIRED_THEMES = ["transport", "talent", "ecology", "industry", "innovation", "openness", "public_services",
                   "culture_tourism", "governance", "digital", "finance", "agriculture", "regional_integration"]

TOY_CODEBOOK = """
name: toy
version: "1"
themes:
  transport: {label: 交通, terms: [交通, 铁路]}
  talent: {label: 人才, terms: [人才]}
"""


@pytest.fixture(scope="module")
def seed_tokens():
    return ca.tokenize(ca.load_corpus())


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_CODEBOOK, encoding="utf-8")
    texts = ["标题\n交通铁路建设。\n人才引进。", "标题\n交通规划。\n交通管理。\n产业发展。"]
    corpus = ca.Corpus.from_texts(texts, doc_ids=["a", "b"], city=["甲", "乙"])
    return ca.tokenize(corpus, lexicon=False), path


def test_shipped_codebook_has_the_required_themes_and_single_token_terms():
    book = load_codebook()
    assert REQUIRED_THEMES == [k for k in book.keys if k in REQUIRED_THEMES] and set(REQUIRED_THEMES) <= set(book.keys)
    tokenizer = tokenizer_for(TokenizerConfig())
    for theme in book.themes:
        assert theme.label and theme.definition and theme.cap_major_topic and theme.label_en
        for term in theme.terms:
            assert len(tokenizer.lcut(term)) == 1, f"{theme.key}: {term} is split by the tokenizer"
    terms = book.term_table()["term"]
    assert not terms.duplicated().any()
    assert len(book.hash) == 64


@pytest.mark.parametrize(
    "content, problem",
    [
        ("name: x\n", "needs a 'themes' mapping"),
        ("themes:\n  a: {terms: [交通]}\n", "theme 'a': missing field(s) label"),
        ("themes:\n  a: {label: A, terms: []}\n", "must be a non-empty list"),
        ("themes:\n  a: {label: A, terms: [交通]}\n  b: {label: B, terms: [交通]}\n", "in both theme 'a' and theme 'b'"),
        ("themes:\n  a: {label: A, terms: [交通, 交通]}\n", "theme 'a' lists term '交通' twice"),
        ("themes: [unclosed\n", "not a readable YAML file (line 2, column 1: expected ',' or ']', but got '<stream end>')"),
    ],
)
def test_malformed_codebooks_get_clear_errors(tmp_path, content, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError) as error:
        load_codebook(path)
    assert "bad.yaml" in str(error.value) and problem in str(error.value) and "\n" not in str(error.value)


def test_rates_and_shares_by_hand(toy):
    tokens, path = toy
    table = emphasis(tokens, by="document", codebook=path, n_boot=200)
    terms = tokens.to_frame(terms_only=True).astype({"doc_id": str, "token": str})
    for doc_id in ["a", "b"]:
        words = terms.loc[terms["doc_id"] == doc_id, "token"]
        n_terms = len(words)
        transport = int(words.isin(["交通", "铁路"]).sum())
        talent = int((words == "人才").sum())
        row = table[(table["doc_id"] == doc_id) & (table["theme"] == "transport")].iloc[0]
        assert row["n_terms"] == n_terms and row["n_theme"] == transport
        assert row["rate_per_10k"] == pytest.approx(10_000 * transport / n_terms)
        assert row["share"] == pytest.approx(transport / (transport + talent))
    a = table[table["doc_id"] == "a"]
    assert a["share"].sum() == pytest.approx(1.0)
    hits = table[table["n_theme"] > 0]
    assert (hits["ci_low"] <= hits["rate_per_10k"] + 1e-9).all() and (hits["rate_per_10k"] <= hits["ci_high"] + 1e-9).all()
    assert table.loc[table["n_theme"] == 0, ["ci_low", "ci_high"]].isna().all().all()  # no hits: no interval


def test_bootstrap_is_seeded_and_resamples_paragraphs(toy):
    tokens, path = toy
    first = emphasis(tokens, by="city", codebook=path, seed=3)
    again = emphasis(tokens, by="city", codebook=path, seed=3)
    pd.testing.assert_frame_equal(first, again)
    b = first[(first["city"] == "乙") & (first["theme"] == "transport")].iloc[0]
    assert b["n_resampled"] == 4  # title + three paragraphs of document b
    assert b["ci_low"] < b["rate_per_10k"] < b["ci_high"]  # paragraphs differ, so the interval has width


def test_units_section_paragraph_and_docvars(seed_tokens):
    by_city = emphasis(seed_tokens, by="city", n_boot=100)
    assert {"乌鲁木齐", "杭州", "深圳", "海宁", "嘉兴"} <= set(by_city["city"])
    assert len(by_city) == by_city["city"].nunique(dropna=False) * len(load_codebook().keys)
    by_year = emphasis(seed_tokens, by=["city", "year"], n_boot=50)
    assert by_year[["city", "year"]].drop_duplicates().shape[0] == 9
    paragraphs = emphasis(seed_tokens, by="paragraph", n_boot=50)
    assert list(paragraphs.columns[:3]) == ["doc_id", "para", "theme"]
    sections = emphasis(seed_tokens, by="section", n_boot=50)
    assert list(sections.columns[:3]) == ["doc_id", "section", "theme"]
    with pytest.raises(KeyError, match="cannot group by"):
        emphasis(seed_tokens, by="district")


def test_seed_corpus_emphases_match_what_the_documents_are_about(seed_tokens):
    table = emphasis(seed_tokens, by="document", n_boot=100).set_index(["doc_id", "theme"])["rate_per_10k"]
    shenzhen = table["shenzhen_2011_outline"]
    assert shenzhen.idxmax() == "openness"  # the 国际化城市 outline
    assert table["haining_2011_workpoints"].idxmax() == "regional_integration"  # 接沪融杭
    assert table["hangzhou_2019_decision"].idxmax() == "regional_integration"  # 长三角一体化


def test_split_codebook_terms_are_warned_about(toy, tmp_path):
    tokens, _ = toy
    path = tmp_path / "split.yaml"
    path.write_text("themes:\n  x: {label: X, terms: [交通, 铁路建设规划纲要]}\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="铁路建设规划纲要"):
        emphasis(tokens, codebook=path, n_boot=10)


def test_permutation_comparison_with_bh(toy, seed_tokens):
    tokens, path = toy
    table = compare_emphasis(tokens, by="city", codebook=path, n_perm=200)
    row = table[(table["group"] == "甲") & (table["theme"] == "talent")].iloc[0]
    assert row["versus"] == "rest"
    terms = tokens.to_frame(terms_only=True).astype({"doc_id": str, "token": str})
    b = terms[terms["doc_id"] == "b"]["token"]
    assert row["rate_versus"] == pytest.approx(10_000 * (b == "人才").sum() / len(b))
    assert row["difference"] == pytest.approx(row["rate_group"] - row["rate_versus"])
    # two documents, one per city: both arrangements are as extreme as the observed one, exactly p = 1
    assert row["p"] == 1.0
    assert (table["p_bh"] >= table["p"] - 1e-12).all()
    pairwise = compare_emphasis(seed_tokens, by="city", versus="pairwise", n_perm=100)
    assert set(pairwise["versus"]) - {"rest"} and (pairwise["group"] != pairwise["versus"]).all()
    pd.testing.assert_frame_equal(pairwise, compare_emphasis(seed_tokens, by="city", versus="pairwise", n_perm=100))
    # a theme neither city of a pair mentions is not tested, so it does not dilute the others' correction
    untested = pairwise["rate_group"].eq(0) & pairwise["rate_versus"].eq(0)
    assert untested.any() and pairwise.loc[untested, ["p", "p_bh"]].isna().all().all()
    tested = pairwise[~untested]
    assert tested["p"].notna().all()
    np.testing.assert_allclose(tested["p_bh"], bh_adjust(tested["p"]))


def test_cluster_intervals_hold_the_rate_and_widen_with_few_documents(seed_tokens):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # codebook terms the tokenizer splits, reported elsewhere
        cluster = emphasis(seed_tokens, by="city", interval="cluster")
        bootstrap = emphasis(seed_tokens, by="city", n_boot=200)
    assert list(cluster.columns) == list(bootstrap.columns)
    pd.testing.assert_frame_equal(cluster.drop(columns=["ci_low", "ci_high", "share_low", "share_high"]),
                                  bootstrap.drop(columns=["ci_low", "ci_high", "share_low", "share_high"]))
    held = cluster.dropna(subset=["ci_low"])
    assert ((held["ci_low"] <= held["rate_per_10k"] + 1e-9) & (held["rate_per_10k"] <= held["ci_high"] + 1e-9)).all()
    assert cluster["ci_low"].isna().equals(bootstrap["ci_low"].isna())  # the same rows have no interval
    # 杭州's two documents give about one degree of freedom: mostly far wider than its bootstrap intervals
    hangzhou = (cluster["city"] == "杭州") & (cluster["n_theme"] > 0)
    widening = (cluster["ci_high"] - cluster["ci_low"])[hangzhou] / (bootstrap["ci_high"] - bootstrap["ci_low"])[hangzhou]
    assert widening.median() > 2
    with pytest.raises(ValueError, match="interval must be one of"):
        emphasis(seed_tokens, by="city", interval="wild")


@pytest.mark.filterwarnings("ignore:.*split by the tokenizer")
def test_missing_and_blank_groups(seed_tokens):
    by_city = emphasis(seed_tokens, by="city", n_boot=20)
    assert "" not in set(by_city["city"].dropna())
    missing = by_city[by_city["city"].isna()]
    assert set(missing["n_docs"]) == {2}  # the township scheme and the untitled piece state no city
    with pytest.warns(UserWarning, match="2 document\\(s\\) with no 'city' left out"):
        compared = compare_emphasis(seed_tokens, by="city", n_perm=50)
    assert compared["group"].notna().all()
    with pytest.warns(UserWarning, match="1 document\\(s\\) with no 'year' left out"):  # a nullable integer docvar
        by_year = compare_emphasis(seed_tokens, by="year", n_perm=50)
    years = seed_tokens.docvars["year"].dropna()
    assert sorted(by_year["group"].unique()) == sorted(years.unique())
    assert by_year.groupby("group")["n_units_group"].first().to_dict() == years.value_counts().to_dict()
    one_group = ca.Corpus.from_texts(["交通。", "人才。"], city=["甲", "甲"])
    with pytest.raises(ValueError, match="at least two groups"):
        compare_emphasis(ca.tokenize(one_group, lexicon=False), by="city")


@pytest.mark.filterwarnings("ignore:.*split by the tokenizer")
def test_a_document_without_any_token_keeps_its_group():
    tokens = ca.tokenize(ca.Corpus.from_texts(["科技创新人才。", "", "交通生态。"], city=["杭州", "宁波", "温州"]))
    by_city = emphasis(tokens, by="city", n_boot=50).set_index(["city", "theme"])
    empty = by_city.loc["宁波"]
    assert (empty["n_terms"] == 0).all() and empty["rate_per_10k"].isna().all() and (empty["n_docs"] == 1).all()
    assert (empty["n_resampled"] == 0).all() and by_city.loc[("杭州", "talent"), "n_theme"] == 1
    by_document = emphasis(tokens, n_boot=50)
    assert sorted(by_document["doc_id"].unique()) == ["doc1", "doc2", "doc3"]
    termless = ca.tokenize(ca.Corpus.from_texts(["标题\n科技创新人才。\n的。\n交通生态。"], city=["杭州"]))
    paragraphs = termless.to_frame(terms_only=True).groupby("para").size()
    assert emphasis(termless, by="city", n_boot=20)["n_resampled"].iloc[0] == len(paragraphs) == 3  # of 4: not 的。
    compared = compare_emphasis(tokens, by="city", n_perm=50)  # the same documents, the same groups
    assert sorted(compared["group"].unique()) == ["宁波", "杭州", "温州"]
    assert (compared["n_units_group"] + compared["n_units_versus"] == 3).all()


@pytest.mark.filterwarnings("ignore:.*split by the tokenizer")
def test_a_whitespace_docvar_is_no_group_anywhere():
    corpus = ca.Corpus.from_texts(["交通。人才。", "交通。生态。", "人才。生态。"], city=["甲", "乙", " "], year=[2018, 2019, 2019])
    tokens = ca.tokenize(corpus, lexicon=False)
    assert emphasis(tokens, by="city", n_boot=20)["city"].isna().any()
    assert ca.dtm(tokens).group("city").rows["city"].isna().sum() == 1
    with pytest.warns(UserWarning, match="1 document\\(s\\) with no 'city' left out"):
        assert set(compare_emphasis(tokens, by="city", n_perm=20)["group"]) == {"甲", "乙"}
    with pytest.warns(UserWarning, match="1 row\\(s\\) with no 'city' are left out of the reference"):
        ca.keyness(ca.dtm(tokens), "甲", by="city")


@pytest.mark.filterwarnings("ignore:.*split by the tokenizer")  # without the lexicon many codebook terms split
def test_groups_of_documents_resample_documents_first(seed_tokens):
    """Terms cluster within documents: a group's interval reflects its documents, not only its paragraphs."""
    corpus = ca.Corpus.from_texts(["标题\n交通。\n交通。\n交通。", "标题\n人才。\n人才。\n人才。"] * 2,
                                  doc_ids=["a", "b", "c", "d"], city=["甲", "甲", "乙", "乙"])
    tokens = ca.tokenize(corpus, lexicon=False)
    row = emphasis(tokens, by="city", n_boot=500).set_index(["city", "theme"]).loc[("甲", "transport")]
    # resampling the two documents gives all-transport, mixed and no-transport samples
    assert row["ci_low"] == 0.0 and row["ci_high"] == 10_000.0
    assert row["n_docs"] == 2


def test_kwic_lines(seed_tokens):
    lines = kwic(seed_tokens, "接沪融杭", window=5)
    assert len(lines) == int((seed_tokens.to_frame()["token"].astype(str) == "接沪融杭").sum())
    assert (lines["keyword"] == "接沪融杭").all()
    assert set(lines["doc_id"]) == {"haining_2011_workpoints"}
    theme_lines = kwic(seed_tokens, "talent", window=3)
    assert set(theme_lines["theme"]) == {"talent"}
    assert set(theme_lines["keyword"]) <= set(load_codebook().theme("talent").terms)


def test_precision_and_recall_against_hand_coding(toy):
    tokens, path = toy
    # paragraphs of document a: 0 title, 1 交通铁路建设 (transport), 2 人才引进 (talent)
    hand = pd.DataFrame({
        "doc_id": ["a", "a", "a", "b"],
        "para": [1, 2, 0, 3],
        "theme": ["transport", "transport", "transport", "transport"],
        "label": [True, True, False, True],  # the coder also calls 人才引进 and 产业发展 transport
    })
    result = validate_coding(tokens, hand, codebook=path).set_index("theme").loc["transport"]
    assert (result["true_pos"], result["false_pos"], result["false_neg"], result["true_neg"]) == (1, 0, 2, 1)
    assert result["precision"] == 1.0
    assert result["recall"] == pytest.approx(1 / 3)
    assert result["f1"] == pytest.approx(2 * 1 * (1 / 3) / (1 + 1 / 3))
    with pytest.raises(ValueError, match="not in the tokens"):
        validate_coding(tokens, hand.assign(para=99), codebook=path)
    as_text = validate_coding(tokens, hand.assign(label=["1", "1", "0", "1"]), codebook=path)
    assert as_text.set_index("theme").loc["transport", "recall"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="labels must be true/false or 1/0"):
        validate_coding(tokens, hand.assign(label=["yes", "1", "0", None]), codebook=path)


def test_expansion_candidates_and_logged_decisions(seed_tokens, tmp_path):
    candidates = expand_theme(seed_tokens, "transport", n=10)
    assert len(candidates) == 10 and (candidates["theme"] == "transport").all()
    assert not candidates["term"].isin(load_codebook().theme("transport").terms).any()
    assert candidates["score"].is_monotonic_decreasing
    pd.testing.assert_frame_equal(candidates, expand_theme(seed_tokens, "transport", n=10))
    w2v = expand_theme(seed_tokens, "transport", method="word2vec", n=5)
    pd.testing.assert_frame_equal(w2v, expand_theme(seed_tokens, "transport", method="word2vec", n=5))

    reviewed = candidates.head(2).assign(decision=["accept", "reject"], note=["infrastructure", "generic"])
    log = tmp_path / "decisions.csv"
    record_decisions(reviewed, log)
    record_decisions(reviewed.head(1).assign(decision="reject", note="changed my mind"), log)
    assert len(pd.read_csv(log)) == 3
    book = apply_decisions(load_codebook(), log)
    assert reviewed["term"].iloc[0] not in book.theme("transport").terms  # the later decision wins
    record_decisions(reviewed.head(1), log)
    assert reviewed["term"].iloc[0] in apply_decisions(load_codebook(), log).theme("transport").terms
    with pytest.raises(ValueError, match="decision must be one of"):
        record_decisions(reviewed.assign(decision="maybe"), log)


def test_a_decision_is_about_a_term_for_one_theme(tmp_path):
    log = tmp_path / "decisions.csv"
    record_decisions(pd.DataFrame({"theme": ["transport"], "term": ["高架"], "decision": ["accept"]}), log)
    record_decisions(pd.DataFrame({"theme": ["industry"], "term": ["高架"], "decision": ["reject"]}), log)
    book = apply_decisions(load_codebook(), log)
    assert "高架" in book.theme("transport").terms and "高架" not in book.theme("industry").terms
    record_decisions(pd.DataFrame({"theme": ["industry"], "term": ["高架"], "decision": ["accept"]}), log)
    with pytest.raises(InputFileError, match="accepts term '高架' into theme 'industry', but it is in theme 'transport' "
                                             "already; a term counts for one theme only, so reject it for one of them"):
        apply_decisions(load_codebook(), log)
    record_decisions(pd.DataFrame({"theme": ["transport"], "term": ["高架"], "decision": ["reject"]}), log)
    book = apply_decisions(load_codebook(), log)  # moved: rejected for transport since
    assert "高架" in book.theme("industry").terms and "高架" not in book.theme("transport").terms
    in_codebook = load_codebook().theme("transport").terms[0]
    record_decisions(pd.DataFrame({"theme": ["industry"], "term": [in_codebook], "decision": ["accept"]}), log)
    with pytest.raises(InputFileError, match="it is in theme 'transport' already; a term counts for one theme only, "
                                             "so reject it for 'industry', or take it out of theme 'transport' in the codebook"):
        apply_decisions(load_codebook(), log)
    record_decisions(pd.DataFrame({"theme": ["transport"], "term": [in_codebook], "decision": ["reject"]}), log)
    with pytest.raises(InputFileError, match="take it out of theme 'transport' in the codebook"):  # a rejection keeps it there
        apply_decisions(load_codebook(), log)


def test_no_warnings_with_the_shipped_codebook(seed_tokens):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emphasis(seed_tokens, n_boot=10)
    assert math.isfinite(float(np.nanmax(emphasis(seed_tokens, n_boot=10)["rate_per_10k"])))


def test_word2vec_expansion_is_the_same_in_every_process(tmp_path):
    """The theme's terms are averaged in codebook order: string hashing, which differs from
    process to process, must not change the scores."""
    import subprocess
    import sys

    script = ("import cityanalytics as ca; from cityanalytics.analysis.validation import expand_theme; "
              "print(expand_theme(ca.tokenize(ca.load_corpus()), 'transport', method='word2vec', n=5)"
              ".to_csv(float_format='%.17g'))")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(hash_seed)}).stdout for hash_seed in (1, 2, 3)}
    assert len(outputs) == 1, outputs
