"""Topic models: determinism, tidy outputs, labels, prevalence and covariate effects."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.exceptions import NotFittedError

import cityanalytics as ca
from cityanalytics.stats import bh_adjust
from cityanalytics.topics.model import TopicModel, frex
from cityanalytics.topics.prevalence import topic_effects, topic_prevalence
from cityanalytics.topics.view import write_topic_view

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "provincial_gwr_2025.jsonl"


@pytest.fixture(scope="module")
def seed_tokens():
    return ca.tokenize(ca.load_corpus(), boilerplate=True)


def fit(tokens, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # paragraphs left without terms after trimming
        return TopicModel(**options).fit(tokens)


@pytest.mark.parametrize("engine", ["gensim-lda", "sklearn-lda", "sklearn-nmf"])
def test_same_seed_same_topics_for_every_engine(seed_tokens, engine):
    options = {"n_topics": 4, "engine": engine, "random_state": 3, "passes": 5, "max_iter": 20}
    first, second = fit(seed_tokens, **options), fit(seed_tokens, **options)
    np.testing.assert_array_equal(first.components_, second.components_)
    pd.testing.assert_frame_equal(first.doc_topics_, second.doc_topics_)
    other = fit(seed_tokens, **{**options, "random_state": 4})
    assert not np.array_equal(first.components_, other.components_)


def test_fit_returns_self_and_tidy_tables(seed_tokens):
    model = TopicModel(5, random_state=0, passes=5, codebook=ca.load_codebook())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert model.fit(seed_tokens) is model
    np.testing.assert_allclose(model.components_.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.doc_topic_.sum(axis=1), 1.0)
    assert list(model.topic_terms_.columns) == ["topic", "term", "weight", "rank"]
    assert (model.topic_terms_.groupby("topic").size() == model.n_top).all()
    doc_topics = model.doc_topics_
    assert list(doc_topics.columns[:2]) == ["doc_id", "para"] and {"city", "year", "topic", "share"} <= set(doc_topics)
    assert len(doc_topics) == len(model.units_) * 5
    assert {"top_terms", "frex_terms", "theme", "theme_label", "theme_weight"} <= set(model.labels_.columns)
    assert set(model.labels_["theme"]) <= set(ca.load_codebook().keys)
    assert len(model.texts_) == len(model.units_)
    assert all(set(text) <= set(model.vocabulary_) for text in model.texts_)


def test_offline_view_is_self_contained_and_repeatable(seed_tokens, tmp_path):
    model = fit(seed_tokens, n_topics=3, random_state=0, passes=5, codebook=ca.load_codebook())
    prevalence = topic_prevalence(model, "city", n_boot=20)
    first = write_topic_view(model, tmp_path / "a.html", prevalence).read_text("utf-8")
    second = write_topic_view(model, tmp_path / "b.html", prevalence).read_text("utf-8")
    assert first == second
    assert "http" not in first and "<script" not in first  # nothing to fetch, nothing to run
    for term in model.topic_terms_["term"]:
        assert term in first
    assert "乌鲁木齐" in first and "Prevalence by city" in first
    by_city_year = topic_prevalence(model, ["city", "year"], n_boot=5)
    page = write_topic_view(model, tmp_path / "c.html", by_city_year).read_text("utf-8")
    groups = by_city_year.drop_duplicates(["city", "year"])
    assert page.count("<tr>") == 1 + len(groups)  # the groups there are, not every city with every year
    assert "2019.0" not in page and "<td>2019</td>" in page


def test_a_topic_without_any_theme_term_is_named_after_no_theme(tmp_path):
    texts = ["董事会会议审议公司年度报告。股东大会表决通过。"] * 3 + ["足球比赛主队进球获胜。球迷庆祝冠军。"] * 3
    model = TopicModel(2, unit="document", codebook=ca.load_codebook(), max_docs_share=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        labels = model.fit(ca.tokenize(ca.Corpus.from_texts(texts))).labels_
    assert labels["theme"].isna().all() and labels["theme_label"].isna().all() and (labels["theme_weight"] == 0).all()
    page = write_topic_view(model, tmp_path / "view.html").read_text("utf-8")
    assert "None" not in page and "<h2>Topic 0</h2>" in page


def test_docvars_named_like_the_models_columns_are_refused():
    corpus = ca.Corpus.from_texts(["推进交通建设。加快人才引进。"] * 4, topic=["交通", "人才", "交通", "人才"])
    with pytest.raises(ValueError, match=r"docvar\(s\) \['topic'\] have the names of columns the model adds"):
        TopicModel(2, unit="document", max_docs_share=1.0).fit(ca.tokenize(corpus))


def test_units_and_parameter_errors(seed_tokens):
    documents = fit(seed_tokens, n_topics=3, unit="document", random_state=0, passes=5, min_docs=2, max_docs_share=0.9)
    assert list(documents.units_["doc_id"]) == sorted(documents.units_["doc_id"]) and len(documents.units_) == 9
    assert "section" in fit(seed_tokens, n_topics=3, unit="section", passes=2).units_
    with pytest.raises(ValueError, match="engine must be one of"):
        TopicModel(3, engine="gensim-lda-multicore").fit(seed_tokens)
    with pytest.raises(ValueError, match="too few for 50 topics \\(terms kept: in at least min_docs=2 units"):
        fit(seed_tokens, n_topics=50, unit="document")
    with pytest.raises(TypeError, match="fitted to tokens \\(ca.tokenize\\(corpus\\)\\), not to a Corpus"):
        TopicModel(3).fit(ca.load_corpus())
    unfitted = TopicModel(3)
    for use in (lambda: topic_prevalence(unfitted, "city"), lambda: topic_effects(unfitted, "city"),
                lambda: write_topic_view(unfitted, "never.html")):
        with pytest.raises(NotFittedError, match="call .fit\\(tokens\\) first"):
            use()
    with pytest.raises(ValueError, match="no docvar given to group by"):
        topic_prevalence(documents, [])
    with pytest.raises(ValueError, match="n_boot must be 0 \\(no intervals\\) or more"):
        topic_prevalence(documents, "city", n_boot=-1)
    no_intervals = topic_prevalence(documents, "city", n_boot=0)
    assert no_intervals[["ci_low", "ci_high"]].isna().all().all() and no_intervals["prevalence"].notna().all()
    with pytest.raises(ValueError, match="a bootstrap needs n_boot of at least 2"):
        topic_effects(documents, "year", interval="bootstrap", n_boot=1)


def test_frex_on_a_constructed_case():
    # term 0 is frequent in both topics; term 2 is rarer but exclusive to topic 0
    components = np.array([[0.5, 0.1, 0.3, 0.1], [0.7, 0.2, 0.0001, 0.0999]])
    scores = frex(components)
    assert scores[0].argmax() == 2  # exclusive and fairly frequent beats frequent but shared
    assert scores.shape == components.shape
    # frequency matters: term 3 is the most exclusive to topic 0 but very rare there, term 1 is frequent
    # and fairly exclusive; plain exclusivity would pick term 3, FREX picks term 1
    rare = np.array([[0.30, 0.50, 0.199, 0.001], [0.70, 0.20, 0.09999, 0.00001]])
    exclusivity = rare / rare.sum(axis=0)
    assert exclusivity[0].argmax() == 3 and frex(rare)[0].argmax() == 1
    # the weight is on frequency, as in stm's calcfrex: weight 1 ranks by frequency alone
    assert frex(rare, weight=1.0)[0].argmax() == rare[0].argmax()
    # equal weights share their average rank, as data.table::frank gives stm: the two tied terms score alike
    tied = np.array([[0.4, 0.2, 0.2, 0.2], [0.1, 0.3, 0.3, 0.3]])
    frequency_ranks = np.array([4.0, 2.0, 2.0, 2.0]) / 4  # ranks 1-3 averaged for the three tied terms
    exclusivity_ranks = np.array([4.0, 2.0, 2.0, 2.0]) / 4
    np.testing.assert_allclose(frex(tied)[0], 1 / (0.5 / frequency_ranks + 0.5 / exclusivity_ranks))
    # a term no topic weighs (all zero) is the least exclusive everywhere rather than making every score NaN
    unweighed = np.array([[0.6, 0.4, 0.0], [0.3, 0.7, 0.0]])
    assert np.isfinite(frex(unweighed)).all() and (frex(unweighed)[:, 2] < frex(unweighed)[:, :2].min(axis=1)).all()


def test_prevalence_by_city_with_intervals(seed_tokens):
    model = fit(seed_tokens, n_topics=4, random_state=0, passes=5)
    table = topic_prevalence(model, "city", n_boot=300, seed=1)
    assert list(table.columns) == ["city", "topic", "top_terms", "prevalence", "ci_low", "ci_high", "n_docs", "n_units"]
    sums = table.groupby("city", dropna=False)["prevalence"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    ok = table.dropna(subset=["ci_low"])
    assert ((ok["ci_low"] <= ok["prevalence"] + 1e-9) & (ok["prevalence"] <= ok["ci_high"] + 1e-9)).all()
    units = model.units_.assign(share=model.doc_topic_[:, 0])
    hz = units[units["city"] == "杭州"]
    expected = (hz["share"] * hz["n_terms"]).sum() / hz["n_terms"].sum()
    assert table[(table["city"] == "杭州") & (table["topic"] == 0)]["prevalence"].iloc[0] == pytest.approx(expected)
    pd.testing.assert_frame_equal(table, topic_prevalence(model, "city", n_boot=300, seed=1))


def test_prevalence_intervals_reflect_documents_not_only_paragraphs():
    """Each city has one document all about 人才 and one all about 接沪融杭: resampling documents shows it."""
    a = "标题\n" + "\n".join(["人才引进人才培养。", "人才政策完善。"] * 3)
    b = "标题\n" + "\n".join(["接沪融杭同城化。", "接沪融杭交通对接。"] * 3)
    corpus = ca.Corpus.from_texts([a, b, a, b], city=list("AABB"))
    model = fit(ca.tokenize(corpus), n_topics=2, random_state=0, passes=20, min_docs=1, max_docs_share=1.0)
    table = topic_prevalence(model, "city", n_boot=500, seed=0)
    row = table[(table["city"] == "A")].iloc[0]
    assert row["prevalence"] == pytest.approx(0.5, abs=0.1)
    assert row["ci_low"] < 0.2 and row["ci_high"] > 0.8  # draws of only one of the two documents happen


def _two_city_model(cities: str, years: list[int] | None = None):
    """Documents all about 人才 (city A's) or all about 接沪融杭 (the others'), one per letter of ``cities``."""
    a = "标题\n" + "\n".join(["人才引进人才培养。", "人才政策完善。", "人才服务提升。"] * 2)
    b = "标题\n" + "\n".join(["接沪融杭同城化。", "接沪融杭交通对接。", "同城化交通建设。"] * 2)
    texts = [a if city == "A" else b for city in cities]
    corpus = ca.Corpus.from_texts(texts, city=list(cities), year=years or list(range(2010, 2010 + len(cities))),
                                  province="浙江")
    model = fit(ca.tokenize(corpus), n_topics=2, random_state=0, passes=20, min_docs=1, max_docs_share=1.0)
    talent = model.topic_terms_[model.topic_terms_["term"] == "人才"].sort_values("weight").iloc[-1]["topic"]
    return model, talent


EFFECT_COLUMNS = ["topic", "top_terms", "covariate", "reference", "estimate", "std_error", "ci_low", "ci_high", "df",
                  "p", "p_bh", "n_units", "n_docs", "n_draws"]


@pytest.mark.parametrize("interval", ["cluster", "bootstrap"])
def test_effects_recover_a_constructed_difference(interval):
    """Two cities, three documents each: city B's paragraphs are about 接沪融杭, city A's about 人才."""
    model, rate = _two_city_model("AAABBB", [2010, 2011, 2012] * 2)
    effects = topic_effects(model, "city", interval=interval, n_boot=200, seed=0)
    assert list(effects.columns) == EFFECT_COLUMNS
    talent = effects.set_index(["topic", "covariate"]).loc[(rate, "city=B")]
    assert talent["reference"] == "A"
    assert talent["estimate"] < -0.5 and talent["ci_high"] < 0 and talent["p"] < 0.05  # B has far less of 人才
    assert talent["n_draws"] == (200 if interval == "bootstrap" else 0)
    assert np.isnan(talent["df"]) == (interval == "bootstrap")
    np.testing.assert_allclose(effects["p_bh"], bh_adjust(effects["p"]))
    prevalence = topic_prevalence(model, "city", n_boot=10).set_index(["city", "topic"])["prevalence"]
    assert talent["estimate"] == pytest.approx(prevalence[("B", rate)] - prevalence[("A", rate)])
    year = topic_effects(model, "year", interval=interval, n_boot=50).set_index(["topic", "covariate"]).loc[(rate, "year")]
    assert abs(year["estimate"]) < 0.2
    with pytest.raises(KeyError, match="no docvar 'district'"):
        topic_effects(model, "district")
    with pytest.raises(ValueError, match="'province' has 1 distinct value"):
        topic_effects(model, "province")


def test_a_blank_covariate_leaves_its_documents_out():
    model, _ = _two_city_model(["A", "A", "A", "B", "B", "B", " "])
    with_blank = topic_effects(model, "city", interval="cluster")
    assert set(with_blank["covariate"]) == {"city=B"} and (with_blank["n_docs"] == 6).all()


def test_a_chosen_reference_level_turns_the_contrasts_around():
    """With B as the reference, city=A is the same contrast with its sign turned, from the same errors."""
    model, rate = _two_city_model("AAABBB", [2010, 2011, 2012] * 2)
    against_a = topic_effects(model, "city").set_index("topic")
    against_b = topic_effects(model, "city", reference={"city": "B"}).set_index("topic")
    assert (against_b["covariate"] == "city=A").all() and (against_b["reference"] == "B").all()
    np.testing.assert_allclose(against_b["estimate"], -against_a["estimate"], atol=1e-12)
    np.testing.assert_allclose(against_b["std_error"], against_a["std_error"], rtol=1e-9)
    with pytest.raises(ValueError, match="reference 'C' is not a level of 'city'; its levels are \\['A', 'B'\\]"):
        topic_effects(model, "city", reference={"city": "C"})
    with pytest.raises(ValueError, match="'year' is numeric"):
        topic_effects(model, "year", reference={"year": "2010"})
    with pytest.raises(ValueError, match="not among the covariates"):
        topic_effects(model, "city", reference={"province": "浙江"})


def test_cluster_intervals_are_t_intervals_of_the_clustered_errors():
    model, _ = _two_city_model("AAABBB")
    effects = topic_effects(model, ["city", "year"])
    quantile = stats.t.ppf(0.975, effects["df"])
    np.testing.assert_allclose(effects["ci_high"] - effects["estimate"], quantile * effects["std_error"])
    np.testing.assert_allclose(effects["estimate"] - effects["ci_low"], quantile * effects["std_error"])
    np.testing.assert_allclose(effects["p"], 2 * stats.t.sf(np.abs(effects["estimate"] / effects["std_error"]),
                                                           effects["df"]))
    # with six documents, far fewer degrees of freedom than the paragraphs' count would give
    assert (effects["df"] < 6).all() and (effects["n_units"] > 30).all()
    pd.testing.assert_frame_equal(effects, topic_effects(model, ["city", "year"], seed=99))  # no resampling, no seed
    with pytest.raises(ValueError, match="interval must be one of"):
        topic_effects(model, "city", interval="wild")


@pytest.mark.parametrize("interval", ["cluster", "bootstrap"])
def test_effects_give_no_interval_where_a_level_has_one_document(interval):
    """A level of one document leaves nothing to show how documents vary there."""
    model, _ = _two_city_model("AABBBAC", [2010, 2011, 2012] * 2 + [2013])
    with pytest.warns(UserWarning, match=r"no interval for city=C\b"):
        effects = topic_effects(model, "city", interval=interval, n_boot=100).set_index(["topic", "covariate"])
    withheld = ["std_error", "ci_low", "ci_high", "p", "p_bh"]
    assert effects.xs("city=C", level="covariate")[withheld].isna().all().all()
    assert effects.xs("city=B", level="covariate")[withheld].notna().all().all()
    assert effects["estimate"].notna().all()
    # the single document is the reference: every city coefficient depends on it; year does not
    model.units_["city"] = model.units_["city"].replace({"C": "0"})
    with pytest.warns(UserWarning, match="no interval for city=A, city=B"):
        both = topic_effects(model, ["city", "year"], interval=interval, n_boot=100).set_index("covariate")
    assert both.loc[["city=A", "city=B"], ["ci_low", "ci_high"]].isna().all().all()
    assert both.loc["year", ["ci_low", "ci_high"]].notna().all().all()


@pytest.mark.parametrize("interval", ["cluster", "bootstrap"])
def test_intervals_are_withheld_where_one_document_alone_sets_a_slope(interval):
    """Four documents of 2023 and one of 2024: the year's slope rests on that one document (the
    bootstrap's draws that miss it are dropped, and those left only redraw its paragraphs)."""
    model, _ = _two_city_model("AABBA", [2023, 2023, 2023, 2023, 2024])
    with pytest.warns(UserWarning, match="no interval for year: one document alone determines it"):
        effects = topic_effects(model, "year", interval=interval, n_boot=100)
    assert effects[["std_error", "df", "ci_low", "ci_high", "p", "p_bh"]].isna().all().all()
    assert effects["estimate"].notna().all()


def test_cluster_intervals_stand_for_one_document_a_cell():
    """A city × year panel with one document a city and year: the bootstrap cannot resample a cell,
    but every cluster-robust coefficient rests on several documents."""
    model, _ = _two_city_model("AABBAABB", [2010, 2011, 2010, 2011, 2012, 2013, 2012, 2013])
    model.units_["year"] = model.units_["year"].astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        effects = topic_effects(model, ["city", "year"])
    assert effects[["std_error", "df", "ci_low", "ci_high", "p"]].notna().all().all()
    with pytest.warns(UserWarning, match="one document only in"):
        bootstrapped = topic_effects(model, ["city", "year"], interval="bootstrap", n_boot=50)
    assert bootstrapped["ci_low"].isna().all()


def test_bad_arguments_fail_with_their_names(seed_tokens):
    model = fit(seed_tokens, n_topics=2, random_state=0, passes=2)
    with pytest.raises(ValueError, match="no covariate"):
        topic_effects(model, [])
    with pytest.raises(ValueError, match="ci must be between 0 and 1"):
        topic_effects(model, "year", ci=1.0)
    for k in (0, -1, 2.5):
        with pytest.raises(ValueError, match="n_topics must be a positive whole number"):
            fit(seed_tokens, n_topics=k)


@pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is not beside this checkout")
def test_fit_and_prevalence_on_the_2025_provincial_reports():
    records = [json.loads(line) for line in REALDATA.read_text("utf-8").splitlines()]
    corpus = ca.Corpus.from_texts([r["text"] for r in records], doc_ids=[r["province"] for r in records],
                                  year=[r["year"] for r in records])
    tokens = ca.tokenize(corpus, boilerplate=True)
    model = fit(tokens, n_topics=8, unit="document", random_state=0, passes=10, max_docs_share=0.8)
    assert len(model.units_) == 31
    prevalence = topic_prevalence(model, "doc_id", n_boot=50)
    assert prevalence["doc_id"].nunique() == 31
    np.testing.assert_allclose(prevalence.groupby("doc_id")["prevalence"].sum().to_numpy(), 1.0)
    table = ca.sweep(tokens, ks=(3, 4), seeds=(0, 1), unit="document", passes=5, max_docs_share=0.8, progress=False)
    assert len(table) == 4 and table[["c_v", "c_npmi", "u_mass", "stability"]].notna().all().all()
    k, reason = ca.recommend_k(table)
    assert k in (3, 4) and str(k) in reason
