"""Model selection: topic matching, exclusivity, the K sweep and the recommendation rule."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cityanalytics as ca
from cityanalytics.topics.coherence import CoherenceIndex
from cityanalytics.topics.model import TopicModel
from cityanalytics.topics.selection import match_topics, recommend_k, summarise, sweep, topic_exclusivity

OPTIONS = {"passes": 5}


@pytest.fixture(scope="module")
def seed_tokens():
    return ca.tokenize(ca.load_corpus(), boilerplate=True)


def quiet_sweep(tokens, ks, seeds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # paragraphs left without terms after trimming
        return sweep(tokens, ks, seeds=seeds, progress=False, **OPTIONS)


def fit(tokens, k, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return TopicModel(k, random_state=seed, **OPTIONS).fit(tokens)


@pytest.fixture(scope="module")
def table(seed_tokens):
    return quiet_sweep(seed_tokens, (3, 4), (0, 1))


def test_match_recovers_a_permutation_with_noise():
    rng = np.random.default_rng(0)
    a = rng.dirichlet(np.full(50, 0.1), size=6)
    order = np.array([3, 0, 5, 1, 4, 2])
    b = a[order] + rng.uniform(0, 1e-3, size=a.shape)
    match, similarity = match_topics(a, b)
    # a[i] is b[j] where order[j] == i
    np.testing.assert_array_equal(match, np.argsort(order))
    np.testing.assert_allclose(similarity, 1.0, atol=1e-3)


def test_match_two_swapped_topics_and_one_new():
    a = np.array([[0.5, 0.5, 0.0, 0.0, 0.0, 0.0],
                  [0.0, 0.0, 0.5, 0.5, 0.0, 0.0],
                  [0.0, 0.0, 0.0, 0.0, 0.5, 0.5]])
    other = np.array([0.9, 0.0, 0.1, 0.0, 0.0, 0.0])  # nothing like a[2]; a little like a[0] and a[1]
    b = np.stack([a[1], a[0], other])
    match, similarity = match_topics(a, b)
    np.testing.assert_array_equal(match, [1, 0, 2])
    np.testing.assert_allclose(similarity, [1.0, 1.0, 0.0], atol=1e-12)


def test_hungarian_matching_beats_greedy_matching():
    """Greedy matching takes the single best pair first; the optimal one-to-one matching may not."""
    import itertools

    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b = rng.dirichlet(np.full(6, 0.3), size=4), rng.dirichlet(np.full(6, 0.3), size=4)
        unit_a = a / np.linalg.norm(a, axis=1, keepdims=True)
        unit_b = b / np.linalg.norm(b, axis=1, keepdims=True)
        similarity = unit_a @ unit_b.T
        best = max(sum(similarity[i, p[i]] for i in range(4)) for p in itertools.permutations(range(4)))
        free, greedy = set(range(4)), 0.0
        for i in np.argsort(-similarity.max(axis=1)):
            j = max(free, key=lambda col: similarity[i, col])
            greedy += similarity[i, j]
            free.remove(j)
        if greedy < best - 1e-9:
            break
    else:
        pytest.fail("no case where greedy matching is worse was found")
    match, matched = match_topics(a, b)
    assert matched.sum() == pytest.approx(best)
    assert sorted(match) == [0, 1, 2, 3]


def test_match_with_fewer_topics_and_bad_shapes():
    a = np.eye(3)
    match, similarity = match_topics(a, a[[2, 0]])
    np.testing.assert_array_equal(match, [1, -1, 0])
    np.testing.assert_array_equal(np.isnan(similarity), [False, True, False])
    with pytest.raises(ValueError, match="same vocabulary"):
        match_topics(np.eye(3), np.eye(4))


def test_exclusivity_by_hand():
    components = np.array([[0.6, 0.4, 0.0],
                           [0.0, 0.4, 0.6]])
    # topic 0: top terms 0 (share 1) and 1 (share 0.5); topic 1: terms 2 (1) and 1 (0.5)
    np.testing.assert_allclose(topic_exclusivity(components, n_top=2), [0.75, 0.75])
    np.testing.assert_allclose(topic_exclusivity(components, n_top=1), [1.0, 1.0])
    alike = np.tile([0.5, 0.3, 0.2], (4, 1))
    np.testing.assert_allclose(topic_exclusivity(alike, n_top=3), 0.25)  # 1/K when all topics are alike


def test_sweep_table_is_tidy(table):
    assert list(table.columns) == ["k", "seed", "engine", "c_v", "c_npmi", "u_mass", "exclusivity", "stability",
                                   "stability_null", "stability_adjusted", "n_units", "n_terms"]
    assert (table["stability_null"] < table["stability"]).all()  # fitted topics agree more than shuffled ones
    adjusted = (table["stability"] - table["stability_null"]) / (1 - table["stability_null"])
    np.testing.assert_allclose(table["stability_adjusted"], adjusted)
    assert list(zip(table["k"], table["seed"])) == [(3, 0), (3, 1), (4, 0), (4, 1)]
    assert (table["engine"] == "gensim-lda").all()
    assert table[["c_v", "c_npmi", "u_mass", "exclusivity", "stability"]].notna().all().all()
    assert table["n_units"].nunique() == 1 and table["n_terms"].nunique() == 1
    assert ((table["stability"] > 0) & (table["stability"] <= 1 + 1e-12)).all()
    # with two seeds each model's stability is the one pair's similarity
    assert table.groupby("k")["stability"].nunique().eq(1).all()


def test_same_sweep_same_table(seed_tokens, table):
    pd.testing.assert_frame_equal(quiet_sweep(seed_tokens, (3, 4), (0, 1)), table, check_exact=True)


def test_refit_with_the_same_seed_is_perfectly_stable(seed_tokens):
    first, second = fit(seed_tokens, 4, 1), fit(seed_tokens, 4, 1)
    match, similarity = match_topics(first.components_, second.components_)
    np.testing.assert_array_equal(match, np.arange(4))
    np.testing.assert_allclose(similarity, 1.0, rtol=0, atol=1e-12)


def test_columns_equal_a_model_refit_by_hand(seed_tokens, table):
    model, other = fit(seed_tokens, 4, 1), fit(seed_tokens, 4, 0)
    row = table.set_index(["k", "seed"]).loc[(4, 1)]
    top_terms = [labels.split() for labels in model.labels_["top_terms"]]
    index = CoherenceIndex(model.texts_)
    for measure in ("c_v", "c_npmi", "u_mass"):
        assert row[measure] == pytest.approx(index.score(top_terms, measure).mean(), rel=1e-12, abs=1e-12)
    assert row["exclusivity"] == pytest.approx(topic_exclusivity(model.components_, 10).mean(), rel=1e-12)
    assert row["stability"] == pytest.approx(match_topics(model.components_, other.components_)[1].mean(), rel=1e-12)
    assert row["n_units"] == len(model.units_) and row["n_terms"] == len(model.vocabulary_)


def test_one_seed_has_no_stability_and_bad_arguments_fail(seed_tokens):
    one = quiet_sweep(seed_tokens, (3,), (0,))
    assert len(one) == 1 and np.isnan(one["stability"].iloc[0])
    k, reason = recommend_k(one)
    assert k == 3 and "one seed" in reason
    with pytest.raises(ValueError, match="repeated"):
        sweep(seed_tokens, (3, 4), seeds=(0, 0), progress=False)
    with pytest.raises(TypeError, match="random_state"):
        sweep(seed_tokens, (3,), random_state=1, progress=False)
    with pytest.raises(ValueError, match=r"units and \d+ terms are too few for 500 topics \(ks \[500\]\)"):
        sweep(seed_tokens, (3, 500), seeds=(0,), unit="document", progress=False)


def test_sweep_over_one_term_has_no_adjusted_stability():
    """With one term every topic is the same vector, shuffled or not: the null is 1 and leaves nothing to adjust."""
    corpus = ca.Corpus.from_texts(["人才。", "人才。人才。", "人才引进。", "人才。"])
    table = sweep(ca.tokenize(corpus), (1,), seeds=(0, 1), unit="document", min_docs=2, max_docs_share=1.0,
                  progress=False, passes=2)
    assert (table["n_terms"] == 1).all()
    np.testing.assert_array_equal(table["stability_null"], 1.0)
    assert table["stability_adjusted"].isna().all()


def constructed(c_v: dict, stability: dict) -> pd.DataFrame:
    """A sweep table with two seeds per K whose means are the given values (seeds at ± 0.01);
    ``stability`` gives the adjusted stability, over a null of 0.5 at every K."""
    rows = []
    for k in c_v:
        for seed, step in ((0, -0.01), (1, 0.01)):
            adjusted = stability[k] - step
            rows.append({"k": k, "seed": seed, "engine": "test", "c_v": c_v[k] + step, "c_npmi": 0.0,
                         "u_mass": -1.0, "exclusivity": 0.5, "stability": 0.5 + 0.5 * adjusted,
                         "stability_null": 0.5, "stability_adjusted": adjusted, "n_units": 100, "n_terms": 500})
    return pd.DataFrame(rows)


def test_recommend_k_follows_the_rule():
    stability = {3: 0.90, 4: 0.85, 5: 0.60, 6: 0.70}
    # c_v ranks 5:1, 4:2, 6:3, 3:4; adjusted stability ranks 3:1, 4:2, 6:3, 5:4
    # mean ranks 3:2.5, 4:2, 5:2.5, 6:3 -> K=4 (the best c_v, K=5, is the least stable)
    k, reason = recommend_k(constructed({3: 0.30, 4: 0.45, 5: 0.50, 6: 0.35}, stability))
    assert k == 4
    assert "K=4" in reason and "0.450" in reason and "0.850" in reason
    # c_v ranks 5:1, 4:2, 3:3, 6:4 -> mean ranks 3:2, 4:2: a tie goes to the smaller K
    k, _ = recommend_k(constructed({3: 0.40, 4: 0.45, 5: 0.50, 6: 0.35}, stability))
    assert k == 3
    # a large K can win when it is both coherent and stable beyond its null
    k, _ = recommend_k(constructed({3: 0.30, 4: 0.35, 8: 0.50}, {3: 0.5, 4: 0.6, 8: 0.9}))
    assert k == 8


def test_summarise_one_row_per_k():
    table = constructed({3: 0.30, 4: 0.45, 5: 0.50, 6: 0.35}, {3: 0.90, 4: 0.85, 5: 0.60, 6: 0.70})
    summary = summarise(table.sample(frac=1, random_state=0))
    assert list(summary["k"]) == [3, 4, 5, 6]
    assert (summary["n_seeds"] == 2).all()
    np.testing.assert_allclose(summary["c_v_mean"], [0.30, 0.45, 0.50, 0.35])
    np.testing.assert_allclose(summary["c_v_sd"], np.sqrt(2) * 0.01)
    np.testing.assert_allclose(summary["u_mass_sd"], 0.0)
    assert list(summary["recommended"]) == [False, True, False, False]
    with pytest.raises(KeyError, match="stability"):
        summarise(table.drop(columns="stability_adjusted"))
