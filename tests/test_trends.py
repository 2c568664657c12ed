"""Trends: counts, denominators and intervals on hand-checkable corpora, trend tests, first appearances,
and the first appearance of national slogans in the State Council government work reports 1954–2025."""

from __future__ import annotations

import json
import re
import warnings
from math import factorial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cityanalytics as ca
from cityanalytics.analysis.trends import first_appearance, term_coverage, trend_test, trends
from cityanalytics.corpus.clean import clean_text, to_simplified
from cityanalytics.stats import bh_adjust, cluster_rate_interval

TREND_COLUMNS = ["series", "count", "n_tokens", "n_docs", "rate_per_10k", "ci_low", "ci_high"]
REPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "aldohemsn_government_work_reports_central.jsonl"
SLOGANS = ["改革开放", "科学发展观", "供给侧结构性改革", "高质量发展", "一带一路", "乡村振兴", "新质生产力",
           "全面建成小康社会", "放管服"]

# Four dated documents and one undated; with the default jieba dictionary (lexicon off) every word
# below is one token and every token except 。 is a term:
#   a 2001 甲: 交通 便利 人才 很多 交通 发达   (6 terms)
#   b 2001 乙: 人才 引进 生态 保护             (4 terms)
#   c 2002 甲: 交通拥堵                        (1 term: 交通 does not count inside it)
#   d 2003 甲: 生态                            (1 term)
#   e ----  甲: 交通                            (no year: left out)
TOY = {
    "a": ("交通便利。人才很多。交通发达。", 2001, "甲"),
    "b": ("人才引进。生态保护。", 2001, "乙"),
    "c": ("交通拥堵。", 2002, "甲"),
    "d": ("生态。", 2003, "甲"),
    "e": ("交通。", None, "甲"),
}


@pytest.fixture(scope="module")
def toy():
    texts, years, cities = zip(*TOY.values())
    corpus = ca.Corpus.from_texts(texts, doc_ids=list(TOY), year=pd.Series(years, dtype="Int64"), city=list(cities))
    return ca.tokenize(corpus, lexicon=False)


def quiet(function, *args, **kwargs):
    """Call while ignoring the expected 'left out' warning about the undated document."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*left out.*", category=UserWarning)
        return function(*args, **kwargs)


@pytest.fixture(scope="module")
def random_corpus():
    """Three years × six documents of known word counts: the counts are checkable by construction."""
    rng = np.random.default_rng(42)
    words = ["交通", "人才", "生态", "教育"]
    texts, years, cities, truth = [], [], [], []
    for year in (2010, 2011, 2012):
        for k in range(6):
            n = rng.integers(0, 6, size=len(words)) + (year - 2010) * np.array([2, 0, 0, 0])
            sentences = [w for w, c in zip(words, n) for _ in range(c)]
            rng.shuffle(sentences)
            texts.append("。".join(sentences) + "。" if sentences else "。")
            years.append(year)
            cities.append("甲" if k % 2 else "乙")
            truth.append(dict(zip(words, n.tolist()), year=year, city=cities[-1]))
    corpus = ca.Corpus.from_texts(texts, year=years, city=cities)
    return ca.tokenize(corpus, lexicon=False), pd.DataFrame(truth)


# ---------------------------------------------------------------------------------------------- trends


def test_counts_denominators_and_zero_count_periods(toy):
    with pytest.warns(UserWarning, match=r"1 document\(s\) with no 'year' left out: e"):
        table = trends(toy, ["交通", "人才"])
    assert list(table.columns) == ["year", *TREND_COLUMNS]
    jiaotong = table[table["series"] == "交通"].set_index("year")
    assert jiaotong.index.tolist() == [2001, 2002, 2003]  # 2002 and 2003 have no 交通 but stay
    assert jiaotong["count"].tolist() == [2, 0, 0]
    assert jiaotong["n_tokens"].tolist() == [10, 1, 1]
    assert jiaotong["n_docs"].tolist() == [2, 1, 1]
    assert jiaotong["rate_per_10k"].tolist() == pytest.approx([2000.0, 0.0, 0.0])
    rencai = table[table["series"] == "人才"].set_index("year")
    assert rencai["count"].tolist() == [2, 0, 0]
    assert table["series"].tolist() == ["交通"] * 3 + ["人才"] * 3  # series in the order given, then period


def test_term_set_counts_any_member(toy):
    table = quiet(trends, toy, {"交通类": ["交通", "交通拥堵"], "人才": "人才"})
    assert table["series"].unique().tolist() == ["交通类", "人才"]
    assert table.loc[table["series"] == "交通类", "count"].tolist() == [2, 1, 0]


def test_term_that_is_no_token_warns_with_its_name(toy):
    with pytest.warns(UserWarning, match=r"term set '交通类': 1 of 2 members are not tokens here and count 0 \(拥堵\)"):
        table = quiet(trends, toy, {"交通类": ["交通", "拥堵"]})
    assert table["count"].sum() == 2
    with pytest.warns(UserWarning, match=r"'拥堵' is not a token anywhere.*交通拥堵"):
        quiet(trends, toy, ["拥堵"])
    with pytest.warns(UserWarning, match=r"。 \(in '。'\) occur as tokens but never as terms"):
        quiet(trends, toy, ["。"])


def test_interval_resamples_documents_within_period(toy):
    table = quiet(trends, toy, ["交通", "生态"], n_boot=2000, unit="document").set_index(["series", "year"])
    # 2001 has documents a (2 of 6 terms: 3333.3) and b (0 of 4): resamples give aa, ab/ba, bb,
    # i.e. 3333.3, 2000 and 0, each extreme with probability 1/4, so the 95 % interval is [0, 3333.3]
    assert table.loc[("交通", 2001), "ci_low"] == 0.0
    assert table.loc[("交通", 2001), "ci_high"] == pytest.approx(10_000 * 2 / 6)
    # one document: nothing to resample within the period, so no interval
    assert table.loc[("交通", 2002), ["ci_low", "ci_high"]].isna().all()
    with_ci = table.dropna(subset=["ci_low"])
    assert (with_ci["ci_low"] <= with_ci["rate_per_10k"]).all() and (with_ci["rate_per_10k"] <= with_ci["ci_high"]).all()


def test_cluster_intervals_are_those_of_the_documents_counts(random_corpus):
    """interval="cluster": each year's interval is cluster_rate_interval over its documents' counts."""
    tokens, truth = random_corpus
    table = trends(tokens, ["交通", "人才"], interval="cluster").set_index(["series", "year"])
    assert table.attrs["interval"] == "cluster"
    terms = tokens.to_frame(terms_only=True).astype({"doc_id": str, "token": str})
    per_doc = pd.crosstab(terms["doc_id"], terms["token"]).reindex(tokens.docvars["doc_id"].astype(str), fill_value=0)
    years = tokens.docvars["year"].to_numpy()
    low, high = cluster_rate_interval(per_doc[["交通", "人才"]].to_numpy(float), per_doc.sum(axis=1).to_numpy(float),
                                      pd.factorize(years, sort=True)[0])
    for j, term in enumerate(["交通", "人才"]):
        np.testing.assert_allclose(table.loc[term, "ci_low"].to_numpy(), low[:, j], rtol=1e-12)
        np.testing.assert_allclose(table.loc[term, "ci_high"].to_numpy(), high[:, j], rtol=1e-12)
    with pytest.raises(ValueError, match="interval must be one of"):
        trends(tokens, ["交通"], interval="wild")


def test_by_group_has_only_cells_with_documents(toy):
    table = quiet(trends, toy, ["人才"], by="city")
    assert list(table.columns) == ["city", "year", *TREND_COLUMNS]
    assert list(zip(table["city"], table["year"])) == [("乙", 2001), ("甲", 2001), ("甲", 2002), ("甲", 2003)]
    assert table["count"].tolist() == [1, 1, 0, 0]
    assert table["n_tokens"].tolist() == [4, 6, 1, 1]


def test_counts_match_construction_and_seed_determinism(random_corpus):
    tokens, truth = random_corpus
    words = ["交通", "人才", "生态", "教育"]
    table = trends(tokens, words, by="city", n_boot=500, seed=7)
    expected = truth.groupby(["city", "year"])[words].sum()
    for word in words:
        got = table[table["series"] == word].set_index(["city", "year"])["count"]
        assert got.to_dict() == expected[word].to_dict()
    totals = truth.groupby(["city", "year"])[words].sum().sum(axis=1)
    assert table[table["series"] == "交通"].set_index(["city", "year"])["n_tokens"].to_dict() == totals.to_dict()
    assert (table["n_docs"] == 3).all()
    assert ((table["ci_low"] <= table["rate_per_10k"] + 1e-9) & (table["rate_per_10k"] <= table["ci_high"] + 1e-9)).all()
    pd.testing.assert_frame_equal(table, trends(tokens, words, by="city", n_boot=500, seed=7))
    other = trends(tokens, words, by="city", n_boot=500, seed=8)
    assert not np.allclose(table["ci_low"], other["ci_low"])
    # a series' interval does not depend on the other series asked for
    alone = trends(tokens, ["生态"], by="city", n_boot=500, seed=7)
    pd.testing.assert_frame_equal(alone, table[table["series"] == "生态"].reset_index(drop=True))


def test_default_resamples_documents_then_paragraphs(toy):
    table = quiet(trends, toy, ["交通"]).set_index("year")
    assert table.attrs["unit"] == "paragraph"
    assert table.loc[2001, "count"] == 2 and table.loc[2001, "n_docs"] == 2
    low, high = table.loc[2001, ["ci_low", "ci_high"]]
    assert low <= table.loc[2001, "rate_per_10k"] <= high


def test_paragraph_intervals_resample_documents_first():
    """All the occurrences sit in one of the period's two documents: a paragraph-only bootstrap would
    give a narrow interval far from zero, but a quarter of the document draws pick the other one twice."""
    clustered = "\n".join(["交通建设"] * 10)
    empty = "\n".join(["产业发展"] * 10)
    corpus = ca.Corpus.from_texts([clustered, empty], year=[2001, 2001])
    table = trends(ca.tokenize(corpus), ["交通"], unit="paragraph", n_boot=400, seed=3)
    assert table.loc[0, "rate_per_10k"] == 2500  # 10 of 40 terms
    assert table.loc[0, "ci_low"] == 0 and table.loc[0, "ci_high"] == 5000  # the other document twice; this one twice


def test_bad_arguments_are_named(toy):
    with pytest.raises(KeyError, match="'decade' is not a docvar"):
        trends(toy, ["交通"], time="decade")
    with pytest.raises(ValueError, match="repeated"):
        trends(toy, ["交通", "交通"])
    with pytest.raises(ValueError, match="unit must be"):
        trends(toy, ["交通"], unit="sentence")
    nothing = ca.tokenize(ca.Corpus.from_texts(["", ""], year=[2001, 2002]))  # periods without a single unit
    empty = trends(nothing, ["交通"], n_boot=20)
    assert empty["n_docs"].tolist() == [1, 1] and empty[["rate_per_10k", "ci_low", "ci_high"]].isna().all().all()


# ---------------------------------------------------------------------------------------------- trend_test


def trend_table(rates: dict[str, list[float]], groups: dict[str, str] | None = None, start: int = 2000) -> pd.DataFrame:
    rows = []
    for series, values in rates.items():
        for k, rate in enumerate(values):
            row = {"year": start + k, "series": series, "count": 0, "n_tokens": 1, "n_docs": 1,
                   "rate_per_10k": rate, "ci_low": np.nan, "ci_high": np.nan}
            if groups is not None:
                row = {"city": groups[series], **row}
            rows.append(row)
    return pd.DataFrame(rows)


def test_trend_test_exact_and_sampled_permutation_p():
    table = trend_table({
        "up5": [1, 2, 3, 5, 8],
        "down8": [9, 8, 7, 6, 5, 4, 3, 1],
        "short": [1, 2],
        "same": [0, 0, 0, 0],
        "noise": [3, 1, 4, 1, 5, 9],
    })
    result = trend_test(table, n_perm=5000, seed=0).set_index("series")
    assert list(result.columns) == ["n_periods", "first_period", "last_period", "rho", "tau", "p", "p_bh", "direction"]
    assert result.loc["up5", ["rho", "tau"]].tolist() == pytest.approx([1.0, 1.0])
    assert result.loc["up5", "p"] == pytest.approx(2 / factorial(5))  # exact: only the two monotone orders
    assert result.loc["up5", "direction"] == "rising"
    assert result.loc["down8", "rho"] == pytest.approx(-1.0)
    assert result.loc["down8", "p"] <= 3 / 5001  # sampled: 8! orders > n_perm
    assert result.loc["down8", "direction"] == "falling"
    assert result.loc["short", ["rho", "tau", "p", "p_bh"]].isna().all() and pd.isna(result.loc["short", "direction"])
    assert result.loc["same", "direction"] == "flat" and np.isnan(result.loc["same", "rho"])
    assert result.loc["noise", "direction"] == "flat"
    assert result["p_bh"].to_numpy() == pytest.approx(bh_adjust(result["p"].to_numpy()), nan_ok=True)
    assert result.loc["down8", ["first_period", "last_period", "n_periods"]].tolist() == [2000, 2007, 8]
    pd.testing.assert_frame_equal(trend_test(table, seed=0), trend_test(table, seed=0))


def test_trend_test_by_group_and_nan_periods():
    table = trend_table({"a": [1, 2, 3, 4, np.nan, 6, 7], "b": [7, 6, 5, 4, 3, 2, 1]}, groups={"a": "甲", "b": "乙"})
    table.attrs = {}  # columns found by position: [by…], time, series
    result = trend_test(table)
    assert list(result.columns[:2]) == ["city", "series"]
    assert result["n_periods"].tolist() == [6, 7]
    assert result["direction"].tolist() == ["rising", "falling"]
    with pytest.raises(ValueError, match="lacks the columns"):
        trend_test(table.drop(columns="rate_per_10k"))


# ---------------------------------------------------------------------------------------------- first_appearance


def test_first_appearance(toy):
    with pytest.warns(UserWarning, match="'未见' is not a token"):
        table = quiet(first_appearance, toy, ["交通", "生态", "未见", "人才"])
    assert list(table.columns) == ["series", "first_period", "last_period", "n_periods", "n_docs", "count"]
    rows = table.set_index("series")
    assert rows.loc["交通"].tolist() == [2001, 2001, 1, 1, 2]  # e (交通, no year) is left out
    assert rows.loc["生态"].tolist() == [2001, 2003, 2, 2, 2]
    assert rows.loc["人才"].tolist() == [2001, 2001, 1, 2, 2]
    assert rows.loc[["未见"], ["first_period", "last_period"]].isna().all(axis=None)
    assert rows.loc["未见", ["n_periods", "n_docs", "count"]].tolist() == [0, 0, 0]


def test_term_coverage_counts_inside_and_split_occurrences():
    corpus = ca.Corpus.from_texts(["深化改革开放。推进改革开放和现代化。", "交通拥堵。交通。"], year=[2001, 2002])
    tokens = ca.tokenize(corpus, lexicon=False)
    table = term_coverage(tokens, ["改革开放", "交通"]).set_index("term")
    assert table.loc["改革开放", ["n_text", "n_matched", "n_inside_token", "n_split"]].tolist() == [2, 0, 0, 2]
    assert "深化改革|开放" in table.loc["改革开放", "examples"]
    assert table.loc["交通", ["n_text", "n_matched", "n_inside_token", "n_split"]].tolist() == [2, 1, 1, 0]
    assert table.loc["交通", "share_matched"] == 0.5


# ---------------------------------------------------------------------------------------------- seed corpus


@pytest.fixture(scope="module")
def seed_tokens():
    return ca.tokenize(ca.load_corpus())


def test_yangtze_delta_rises_in_the_seed_corpus(seed_tokens):
    with pytest.warns(UserWarning, match="untitled_urban_construction_measures"):
        table = trends(seed_tokens, ["长三角"])
    rate = table.set_index("year")["rate_per_10k"]
    assert rate.index.tolist() == [2009, 2011, 2013, 2016, 2018, 2019, 2020]
    assert rate[2013] == 0 and rate[2020] == 0  # 乌鲁木齐 2013 and the township 2020: kept with count 0
    assert rate.idxmax() == 2019 and rate[2019] > 5 * rate[2009]  # the 2019 长三角一体化 decision
    in_delta_years = trend_test(table[table["year"].between(2009, 2019)])
    assert in_delta_years["rho"].iloc[0] > 0
    # one document a year and a non-monotone path: the permutation test does not call it a trend
    assert trend_test(table)["direction"].iloc[0] == "flat"
    # 长三角 is also inside longer tokens (长三角一体化): a term set counts them
    wider = quiet(trends, seed_tokens, {"长三角*": ["长三角", "长三角一体化"]})
    assert (wider["count"].to_numpy() >= table["count"].to_numpy()).all()
    assert wider["count"].sum() > table["count"].sum()


def test_blank_group_values_are_left_out(seed_tokens):
    with pytest.warns(UserWarning, match="township_2020_civilised_city_scheme"):
        table = trends(seed_tokens, ["长三角"], by="city")
    assert "" not in set(table["city"])
    assert table["n_docs"].sum() == 7  # 9 documents less the undated one and the township without a city
    assert ("杭州", 2019) in set(zip(table["city"], table["year"]))


# ---------------------------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def reports():
    """The 52 State Council government work reports (title starts with the year), cleaned and tokenised."""
    if not REPORTS.is_file():
        pytest.skip(f"{REPORTS} is not available")
    texts, ids, years = [], [], []
    with REPORTS.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            year = re.match(r"(\d{4})", record["title"])
            if not year:  # the NPC resolutions carry no year
                continue
            text, _ = to_simplified(clean_text(record["content"]))
            texts.append(text)
            ids.append(f"gwr_{year.group(1)}")
            years.append(int(year.group(1)))
    corpus = ca.Corpus.from_texts(texts, doc_ids=ids, year=years)
    return corpus, ca.tokenize(corpus, progress=False)


def test_slogans_first_appear_as_tokens_when_they_first_appear_in_the_text(reports):
    corpus, tokens = reports
    assert len(corpus) == 52
    text_years = {
        slogan: sorted(int(y) for y, text in zip(corpus.docs["year"], corpus.docs["text"]) if slogan in text)
        for slogan in SLOGANS
    }
    present = [s for s in SLOGANS if text_years[s]]
    assert len(present) == len(SLOGANS)
    table = first_appearance(tokens, present).set_index("series")
    for slogan in present:
        assert table.loc[slogan, "first_period"] == text_years[slogan][0], slogan
        assert table.loc[slogan, "last_period"] == text_years[slogan][-1], slogan
    assert table.loc["改革开放", "first_period"] == 1988 and table.loc["新质生产力", "first_period"] == 2024


def test_segmentation_undercounts_are_visible_in_the_reports(reports):
    _, tokens = reports
    coverage = term_coverage(tokens, ["改革开放", "乡村振兴"]).set_index("term")
    # jieba cuts 深化改革|开放 and 推进改革|开放: about a fifth of 改革开放 is not a token
    assert coverage.loc["改革开放", "n_split"] > 0 and "改革|开放" in coverage.loc["改革开放", "examples"]
    assert coverage.loc["乡村振兴", "n_inside_token"] > 0 and "乡村振兴战略" in coverage.loc["乡村振兴", "examples"]
    wider = first_appearance(tokens, {"乡村振兴": ["乡村振兴", "乡村振兴战略"]})
    assert wider["count"].iloc[0] == coverage.loc["乡村振兴", "n_text"]


def test_high_quality_development_rises_in_the_reports(reports):
    _, tokens = reports
    table = trends(tokens, ["高质量发展", "科学发展观"], n_boot=200)
    assert set(table["n_docs"]) == {1}
    recent = trend_test(table[table["year"] >= 2010]).set_index("series")
    assert recent.loc["高质量发展", "direction"] == "rising"
