"""Keywords: each statistic against a hand computation on a tiny input, plus behaviour on the seed corpus."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2 as chi2_distribution
from scipy.stats import chi2_contingency
from sklearn.feature_extraction.text import TfidfTransformer

import cityanalytics as ca
from cityanalytics.analysis.keywords import (
    collocations,
    frequency,
    keyness,
    log_odds,
    new_terms,
    textrank,
    tfidf_keywords,
)
from cityanalytics.stats import bh_adjust

# Term counts of the toy documents; each text lists its terms separated by commas.
TOY = {
    "a": {"交通": 6, "人才": 2, "生态": 2, "产业": 1},
    "b": {"交通": 2, "人才": 6, "教育": 4, "产业": 1},
    "c": {"人才": 2, "生态": 1, "教育": 1, "产业": 1},
}
CITY = {"a": "甲", "b": "乙", "c": "乙"}


def g2_textbook(table) -> float:
    """G² = 2 Σ O ln(O/E) of a 2×2 table, 0 ln 0 = 0."""
    table = np.asarray(table, dtype=float)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    return 2 * sum(o * math.log(o / e) for o, e in zip(table.ravel(), expected.ravel()) if o > 0)


def hand_tokens(docs: dict[str, list[list[str]]]) -> ca.Tokens:
    """Tokens built by hand: each document a list of sentences, positions ``i`` running over the document."""
    rows = []
    for doc_id, sentences in docs.items():
        i = 0
        for sent, words in enumerate(sentences):
            for word in words:
                rows.append((doc_id, 0, 0, sent, i, word))
                i += 1
    table = pd.DataFrame(rows, columns=["doc_id", "section", "para", "sent", "i", "token"])
    table["doc_id"] = pd.Categorical(table["doc_id"], categories=list(docs))
    table["token"] = pd.Categorical(table["token"])
    table["tag"] = pd.Categorical([""] * len(table))
    table["is_term"] = True
    return ca.Tokens(table, pd.DataFrame({"doc_id": list(docs)}), ca.TokenizerConfig(lexicon=False))


@pytest.fixture(scope="module")
def toy():
    texts = ["，".join(word for word, n in counts.items() for _ in range(n)) + "。" for counts in TOY.values()]
    corpus = ca.Corpus.from_texts(texts, doc_ids=list(TOY), city=[CITY[d] for d in TOY])
    m = ca.dtm(ca.tokenize(corpus, lexicon=False))
    assert m.to_frame().groupby(["doc_id", "term"])["count"].sum().to_dict() == {
        (d, w): n for d, counts in TOY.items() for w, n in counts.items()
    }
    return m


@pytest.fixture(scope="module")
def seeds():
    return ca.tokenize(ca.load_corpus(), lexicon=False)


# frequency ---------------------------------------------------------------------------------------


def test_frequency_overall_counts_rates_doc_freq_and_rank_ties_by_term(toy):
    table = frequency(toy)
    assert list(table.columns) == ["term", "count", "rate_per_10k", "doc_freq", "rank"]
    # 人才 10, 交通 8, 教育 5, then 产业 and 生态 tie at 3: 产业 (U+4EA7) sorts before 生态 (U+751F).
    assert table["term"].tolist() == ["人才", "交通", "教育", "产业", "生态"]
    assert table["count"].tolist() == [10, 8, 5, 3, 3]
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert table["doc_freq"].tolist() == [3, 2, 2, 3, 2]
    assert table["rate_per_10k"].tolist() == pytest.approx([c / 29 * 10_000 for c in [10, 8, 5, 3, 3]])


def test_frequency_by_group_uses_the_group_total_and_keeps_top_n(toy):
    table = frequency(toy, by="city", n=2)
    assert list(table.columns) == ["city", "term", "count", "rate_per_10k", "doc_freq", "rank"]
    yi = table[table["city"] == "乙"]  # documents b and c: 人才 8, 教育 5 of 18 terms
    assert yi["term"].tolist() == ["人才", "教育"]
    assert yi["count"].tolist() == [8, 5]
    assert yi["doc_freq"].tolist() == [2, 2]
    assert yi["rate_per_10k"].tolist() == pytest.approx([8 / 18 * 10_000, 5 / 18 * 10_000])
    jia = table[table["city"] == "甲"]
    assert jia["term"].tolist() == ["交通", "人才"] and jia["doc_freq"].tolist() == [1, 1]
    with pytest.raises(ValueError, match="n must be at least 1"):
        frequency(toy, by="city", n=0)


def test_frequency_per_document_and_a_docvar_named_twice(toy):
    per_document = frequency(toy, by="doc_id")
    a = per_document[per_document["doc_id"] == "a"].set_index("term")
    assert a.loc["交通", "count"] == 6 and (per_document["doc_freq"] == 1).all()
    assert list(frequency(toy, by=["city", "doc_id"]).columns[:2]) == ["city", "doc_id"]
    with pytest.raises(ValueError, match="by names a docvar twice"):
        frequency(toy, by=["city", "city"])


# tf-idf ------------------------------------------------------------------------------------------


def test_tfidf_keywords_are_the_highest_sklearn_weights_per_document(toy):
    table = tfidf_keywords(toy, n=2)
    assert list(table.columns) == ["doc_id", "term", "weight", "rank"]
    weights = TfidfTransformer().fit_transform(toy.counts).toarray()
    col = list(toy.vocabulary).index("交通")
    top_a = table[table["doc_id"] == "a"]
    assert top_a["term"].tolist()[0] == "交通"
    assert top_a["weight"].iloc[0] == pytest.approx(weights[0, col])
    assert table.groupby("doc_id").size().tolist() == [2, 2, 2]
    assert (table.groupby("doc_id")["weight"].diff().dropna() <= 0).all()


# keyness -----------------------------------------------------------------------------------------


def test_keyness_g2_and_chi2_match_the_textbook_2x2_table(toy):
    table = keyness(toy, "甲", by="city").set_index("term")
    assert list(table.columns) == ["n_target", "n_reference", "g2", "chi2", "log_ratio", "p", "p_bh"]
    # 交通 in target 甲 (11 terms) and reference 乙 (18 terms).
    jiaotong = [[6, 2], [11 - 6, 18 - 2]]
    row = table.loc["交通"]
    assert (row["n_target"], row["n_reference"]) == (6, 2)
    assert row["g2"] == pytest.approx(g2_textbook(jiaotong))
    assert row["g2"] == pytest.approx(2 * (6 * math.log(6 / (8 * 11 / 29)) + 2 * math.log(2 / (8 * 18 / 29))
                                           + 5 * math.log(5 / (21 * 11 / 29)) + 16 * math.log(16 / (21 * 18 / 29))))
    assert row["chi2"] == pytest.approx(chi2_contingency(jiaotong, correction=True)[0])
    assert row["log_ratio"] == pytest.approx(math.log2((6 / 11) / (2 / 18)))
    assert row["p"] == pytest.approx(chi2_distribution.sf(row["g2"], 1))
    for term, counts in table.iterrows():
        cells = [[counts["n_target"], counts["n_reference"]], [11 - counts["n_target"], 18 - counts["n_reference"]]]
        assert abs(counts["g2"]) == pytest.approx(g2_textbook(cells))
        assert abs(counts["chi2"]) == pytest.approx(chi2_contingency(cells, correction=True)[0])


def test_keyness_signs_zero_cells_and_yates_cap(toy):
    table = keyness(toy, "甲", by="city").set_index("term")
    # 人才 and 教育 are relatively more frequent in the reference: negative statistics.
    assert table.loc["人才", "g2"] < 0 and table.loc["人才", "chi2"] < 0 and table.loc["人才", "log_ratio"] < 0
    assert table.loc["交通", "g2"] > 0 and table.loc["交通", "chi2"] > 0
    assert table.loc["教育", "n_target"] == 0
    assert table.loc["教育", "log_ratio"] == pytest.approx(math.log2((0.5 / 11) / (5 / 18)))
    # 产业 1 of 11 vs 2 of 18: |ad - bc| = 4 < N/2, so Yates' correction leaves nothing, as in scipy.
    assert table.loc["产业", "chi2"] == 0 and chi2_contingency([[1, 2], [10, 16]], correction=True)[0] == 0
    assert table.loc["产业", "g2"] < 0


def test_keyness_sorting_measure_and_bh_adjustment(toy):
    table = keyness(toy, ["a"], measure="chi2")
    assert (np.diff(table["chi2"]) <= 0).all()
    assert table["p"].tolist() == pytest.approx(chi2_distribution.sf(table["chi2"].abs(), 1).tolist())
    p = table["p"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    stepped = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    expected = np.empty(m)
    expected[order] = np.minimum(stepped, 1)
    assert table["p_bh"].tolist() == pytest.approx(expected.tolist())
    assert (table["p_bh"] >= table["p"]).all()
    g2_sorted = keyness(toy, "a")
    assert (np.diff(g2_sorted["g2"]) <= 0).all()


def test_keyness_rejects_a_target_that_is_missing_or_everything(toy):
    with pytest.raises(ValueError, match="no rows"):
        keyness(toy, "丙", by="city")
    with pytest.raises(ValueError, match="no reference"):
        keyness(toy, ["甲", "乙"], by="city")
    with pytest.raises(ValueError, match="measure"):
        keyness(toy, "a", measure="pmi")


def test_keyness_leaves_rows_without_the_docvar_out_of_the_reference(toy):
    """A document of no city is in no compared group, as in log_odds: not in the reference."""
    from dataclasses import replace

    for blank in (None, ""):
        unnamed = replace(toy, rows=toy.rows.assign(city=["甲", "乙", blank]))
        with pytest.warns(UserWarning, match="keyness: 1 row.s. with no 'city' are left out of the reference"):
            table = keyness(unnamed, "甲", by="city")
        named = [0, 1]
        expected = keyness(replace(toy, counts=toy.counts[named], rows=toy.rows.iloc[named].reset_index(drop=True),
                                   totals=toy.totals[named]), "甲", by="city")
        pd.testing.assert_frame_equal(table, expected)
        assert table.set_index("term").loc["人才", "n_reference"] == 6  # document b's only, not c's 2


# log-odds ----------------------------------------------------------------------------------------


def test_log_odds_matches_the_hand_computation_for_one_term(toy):
    table = log_odds(toy, "city")
    assert list(table.columns) == ["group", "versus", "term", "count_group", "count_versus", "delta", "se", "z", "p",
                                   "p_bh", "rank"]
    # 甲 has 11 terms and 乙 18; alpha0 = mean group size = 14.5; 交通 is 8 of 29 corpus terms: α = 4.
    alpha0, alpha = 14.5, 14.5 * 8 / 29
    delta = math.log((6 + alpha) / (11 + alpha0 - 6 - alpha)) - math.log((2 + alpha) / (18 + alpha0 - 2 - alpha))
    se = math.sqrt(1 / (6 + alpha) + 1 / (2 + alpha))
    row = table[(table["group"] == "甲") & (table["term"] == "交通")].iloc[0]
    assert row["versus"] == "rest"
    assert (row["count_group"], row["count_versus"]) == (6, 2)
    assert row["delta"] == pytest.approx(delta)
    assert row["se"] == pytest.approx(se)
    assert row["z"] == pytest.approx(delta / se) and row["z"] > 0
    assert row["p"] == pytest.approx(math.erfc(abs(delta / se) / math.sqrt(2)))
    one = table[(table["group"] == "甲")]
    np.testing.assert_allclose(one["p_bh"], bh_adjust(one["p"].to_numpy()))
    assert table.equals(log_odds(toy, "city", alpha0=14.5))


def test_log_odds_pairwise_is_antisymmetric_and_equals_rest_for_two_groups(toy):
    pairs = log_odds(toy, "city", pairwise=True)
    rest = log_odds(toy, "city")
    assert sorted(set(zip(pairs["group"], pairs["versus"]))) == [("乙", "甲"), ("甲", "乙")]
    one = pairs[pairs["group"] == "甲"].set_index("term")
    other = pairs[pairs["group"] == "乙"].set_index("term").loc[one.index]
    assert one["delta"].tolist() == pytest.approx((-other["delta"]).tolist())
    assert one["z"].tolist() == pytest.approx(rest[rest["group"] == "甲"].set_index("term").loc[one.index, "z"].tolist())
    for _, block in pairs.groupby(["group", "versus"]):
        assert block["rank"].tolist() == list(range(1, len(block) + 1))
        assert (np.diff(block["z"]) <= 0).all()


def test_log_odds_uniform_prior_and_many_groups(toy):
    by_doc = log_odds(toy, "doc_id", prior="uniform", alpha0=5.0)
    assert sorted(by_doc["group"].unique()) == ["a", "b", "c"]
    row = by_doc[(by_doc["group"] == "a") & (by_doc["term"] == "交通")].iloc[0]
    alpha = 5.0 / 5  # five terms
    expected = math.log((6 + alpha) / (11 + 5 - 6 - alpha)) - math.log((2 + alpha) / (18 + 5 - 2 - alpha))
    assert row["delta"] == pytest.approx(expected)
    assert len(log_odds(toy, "doc_id", pairwise=True).groupby(["group", "versus"])) == 6


def test_log_odds_refuses_a_prior_without_weight(toy):
    # α_w = 0 puts log(0) in δ for 教育, absent from 甲: a Dirichlet prior needs alpha0 > 0
    for alpha0 in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="alpha0 must be positive"):
            log_odds(toy, "city", alpha0=alpha0)
    assert np.isfinite(log_odds(toy, "city", alpha0=1e-3)["z"]).all()


# TextRank ----------------------------------------------------------------------------------------


def test_textrank_star_graph_has_the_closed_form_scores():
    corpus = ca.Corpus.from_texts(["交通人才。交通生态。交通教育。"], doc_ids=["d"])
    table = textrank(ca.tokenize(corpus, lexicon=False), window=2)
    assert list(table.columns) == ["doc_id", "term", "score", "rank"]
    d, n = 0.85, 4
    centre = (1 + 3 * d) / (n * (1 + d))
    leaf = (1 - d) / n + d * centre / 3
    assert table["term"].tolist() == ["交通", "人才", "教育", "生态"]  # leaves tie: ordered by term
    assert table["score"].tolist() == pytest.approx([centre, leaf, leaf, leaf], abs=1e-7)
    assert table["rank"].tolist() == [1, 2, 3, 4]


def test_textrank_links_stay_within_sentences_and_isolated_terms_keep_teleport_score():
    # 人才 ends a paragraph and 生态 opens the next one at the following position i.
    corpus = ca.Corpus.from_texts(["交通人才\n生态。", "交通人才。"], doc_ids=["d1", "d2"])
    table = textrank(ca.tokenize(corpus, lexicon=False), window=5)
    d1 = table[table["doc_id"] == "d1"].set_index("term")["score"]
    d = 0.85
    assert d1["生态"] == pytest.approx((1 - d) / (3 - d), abs=1e-7)
    assert d1["交通"] == pytest.approx((1 - d1["生态"]) / 2, abs=1e-7)
    assert table.groupby("doc_id")["score"].sum().tolist() == pytest.approx([1.0, 1.0])
    only = textrank(ca.tokenize(corpus, lexicon=False), doc_ids=["d2"], n=1)
    assert only["doc_id"].tolist() == ["d2"]
    pd.testing.assert_frame_equal(textrank(ca.tokenize(corpus, lexicon=False), doc_ids="d2", n=1), only)  # one name
    with pytest.raises(KeyError, match="no documents"):
        textrank(ca.tokenize(corpus, lexicon=False), doc_ids=["d3"])


def test_textrank_on_the_seeds_puts_a_city_first_in_its_own_document(seeds):
    table = textrank(seeds, n=3)
    assert table.groupby("doc_id").size().eq(3).all()
    top = table[table["rank"] == 1].set_index("doc_id")["term"]
    assert top["jiaxing_2016_scheme"] == "上海"
    assert top["hangzhou_area_2018_press_release"] == "杭州"


# collocations and new terms ----------------------------------------------------------------------


def test_bigram_g2_and_pmi_from_unigram_and_bigram_counts():
    # 交通 人才 is adjacent 3 times; 交通的人才 (a stopword between) and 交通。人才 do not count.
    texts = ["交通人才。交通人才。交通的人才。交通。人才生态。", "交通人才。生态教育。"]
    tokens = ca.tokenize(ca.Corpus.from_texts(texts, doc_ids=["d1", "d2"]), lexicon=False)
    table = collocations(tokens, min_count=3)
    assert list(table.columns) == ["collocation", "joined", "size", "count", "n_docs", "g2", "pmi"]
    assert table["collocation"].tolist() == ["交通 人才"]
    row = table.iloc[0]
    assert (row["joined"], row["count"], row["n_docs"]) == ("交通人才", 3, 2)
    # N = 13 terms; c(交通) = 5, c(人才) = 5.
    assert row["g2"] == pytest.approx(g2_textbook([[3, 5 - 3], [5 - 3, 13 - 5 - 5 + 3]]))
    assert row["pmi"] == pytest.approx(math.log2(3 * 13 / (5 * 5)))
    assert len(collocations(tokens, min_count=1)) == 3  # 交通人才, 人才生态, 生态教育


def test_collocations_do_not_cross_sentences_and_trigrams_keep_their_weaker_joint():
    docs = {
        "d1": [["城市", "大脑", "平台"], ["城市", "大脑", "平台"], ["城市", "大脑"], ["平台", "城市"]],
        "d2": [["城市", "大脑", "平台"], ["数字", "平台"]],
    }
    table = collocations(hand_tokens(docs), min_count=1, size=(2, 3)).set_index("collocation")
    assert "大脑 平台 城市" not in table.index  # 平台 and 城市 of the next sentence are not adjacent
    assert table.loc["大脑 平台", "count"] == 3 and table.loc["平台 城市", "count"] == 1
    n = 15
    counts = {"城市": 5, "大脑": 4, "平台": 5, "城市 大脑": 4, "大脑 平台": 3}
    trigram = 3
    joints = [
        g2_textbook([[trigram, counts["城市 大脑"] - trigram], [counts["平台"] - trigram, n - counts["城市 大脑"] - counts["平台"] + trigram]]),
        g2_textbook([[trigram, counts["城市"] - trigram], [counts["大脑 平台"] - trigram, n - counts["城市"] - counts["大脑 平台"] + trigram]]),
    ]
    row = table.loc["城市 大脑 平台"]
    assert (row["size"], row["count"], row["joined"]) == (3, 3, "城市大脑平台")
    assert row["g2"] == pytest.approx(min(joints))
    assert row["pmi"] == pytest.approx(min(math.log2(3 * n / (4 * 5)), math.log2(3 * n / (5 * 3))))
    assert (np.diff(table["g2"]) <= 0).all()


def test_new_terms_skip_forms_that_are_already_one_token_and_single_document_pairs():
    docs = {
        "d1": [["城市", "大脑"], ["城市", "大脑"], ["数字", "孪生"], ["接沪融", "杭"], ["接沪融", "杭"], ["接沪融", "杭"]],
        "d2": [["城市", "大脑"], ["数字", "孪生"], ["数字", "孪生"]],
        "d3": [["城市大脑", "建设"], ["建设", "工作"]],
    }
    table = new_terms(hand_tokens(docs), min_count=3, min_chars=4)
    assert list(table.columns) == ["term", "parts", "count", "n_docs", "g2", "suggested_entry"]
    # 城市大脑 and 接沪融杭 recur as often, but the first is a token in d3 and the second is only in d1.
    assert set(collocations(hand_tokens(docs), min_count=3)["joined"]) == {"城市大脑", "数字孪生", "接沪融杭"}
    assert table["term"].tolist() == ["数字孪生"]
    row = table.iloc[0]
    assert (row["parts"], row["count"], row["n_docs"], row["suggested_entry"]) == ("数字 孪生", 3, 2, "数字孪生 20000 nz")


def test_new_terms_on_the_seed_corpus_recover_lexicon_entries(seeds):
    found = collocations(seeds, size=(2, 3)).set_index("joined")
    assert found.loc["接沪融杭", "collocation"] == "接沪融 杭"  # plain jieba splits the slogan
    assert found.loc["接沪融杭", "n_docs"] == 1
    proposed = new_terms(seeds)
    assert {"杭湖嘉绍", "都市圈", "杭州都市圈", "接轨上海"} <= set(proposed["term"])
    assert "接沪融杭" not in set(proposed["term"])  # only in the 海宁 document
    assert not set(proposed["term"]) & set(seeds.table["token"].astype(str))
    assert (proposed["n_docs"] >= 2).all() and (proposed["term"].str.len() >= 3).all()
    assert proposed["suggested_entry"].str.fullmatch(r"\S+ 20000 nz").all()


# behaviour on the seed corpus and determinism ----------------------------------------------------


def test_keyness_of_urumqi_puts_its_name_near_the_top(seeds):
    table = keyness(ca.dtm(seeds), "乌鲁木齐", by="city")
    assert "乌鲁木齐" in table["term"].head(5).tolist()
    assert table.set_index("term").loc["杭州", "g2"] < 0  # never mentioned in the Ürümqi report


def test_log_odds_by_city_gives_one_block_per_city(seeds):
    m = ca.dtm(seeds)
    with pytest.warns(UserWarning, match="rows with no 'city' are left out"):
        table = log_odds(m, "city")
    has_city = (m.rows["city"] != "").to_numpy()
    cities = sorted(m.rows.loc[has_city, "city"].unique())
    assert sorted(table["group"].unique()) == cities
    used = np.asarray(m.counts[has_city].sum(axis=0)).ravel() > 0
    assert (table.groupby("group").size() == used.sum()).all()
    totals = (table["count_group"] + table["count_versus"]).groupby(table["group"]).sum()
    assert totals.eq(m.counts[has_city].sum()).all()
    top = table[table["rank"] == 1].set_index("group")["term"]
    assert top["深圳"] == "深圳" and top["嘉兴"] == "上海"


def test_every_table_is_the_same_when_computed_twice(seeds):
    m = ca.dtm(seeds)
    for make in (
        lambda: frequency(m, by="city", n=20),
        lambda: tfidf_keywords(m),
        lambda: keyness(m, "深圳", by="city"),
        lambda: log_odds(m, "doc_type", pairwise=True),
        lambda: textrank(seeds),
        lambda: collocations(seeds, size=(2, 3)),
    ):
        pd.testing.assert_frame_equal(make(), make())
