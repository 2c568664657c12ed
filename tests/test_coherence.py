"""Topic coherence: gensim's CoherenceModel values, from one count of the reference corpus."""

import math
from collections import Counter

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel

import cityanalytics as ca
from cityanalytics.topics import coherence as coh
from cityanalytics.topics.coherence import CoherenceIndex

MEASURES = ["c_v", "c_npmi", "u_mass"]


@pytest.fixture(scope="module")
def texts():
    tokens = ca.tokenize(ca.load_corpus())
    groups = tokens.to_frame(terms_only=True).groupby(["doc_id", "para"], observed=True)["token"]
    return [g.astype(str).tolist() for _, g in groups][:200]


@pytest.fixture(scope="module")
def topics(texts):
    """Top terms of a few stretches of paragraphs, plus a random topic."""
    tops = [[w for w, _ in Counter(w for t in texts[i : i + 40] for w in t).most_common(10)] for i in range(0, 200, 50)]
    vocabulary = sorted({w for t in texts for w in t})
    return tops + [list(np.random.default_rng(0).choice(vocabulary, 10, replace=False))]


def gensim_values(topics, texts, measure, **kwargs):
    model = CoherenceModel(topics=topics, texts=texts, dictionary=Dictionary(texts), coherence=measure,
                           topn=len(topics[0]), processes=1, **kwargs)
    return model.get_coherence_per_topic()


@pytest.mark.parametrize("measure", MEASURES)
def test_matches_gensim(texts, topics, measure):
    assert CoherenceIndex(texts).score(topics, measure) == pytest.approx(gensim_values(topics, texts, measure),
                                                                          rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("measure", ["c_v", "c_npmi"])
def test_matches_gensim_with_other_window(texts, topics, measure):
    expected = gensim_values(topics, texts, measure, window_size=4)
    assert coh.coherence(topics, texts, measure, window=4) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_counts_once_per_window_size(texts, topics, monkeypatch):
    calls = []
    count = coh._incidence
    monkeypatch.setattr(coh, "_incidence", lambda *a: calls.append(a[2]) or count(*a))
    index = CoherenceIndex(texts)
    assert max(map(len, texts)) not in (10, 110)  # else u_mass would share a window matrix
    index.score(topics[:2], "c_v")
    index.score(topics[2:], "c_v")
    assert calls == [110]
    index.score(topics, "c_npmi")
    index.score(topics, "u_mass")
    first = {m: index.score(topics, m) for m in MEASURES}
    reversed_topics = [t[::-1] for t in topics]
    for m in MEASURES:
        index.score(reversed_topics, m)
        np.testing.assert_array_equal(index.score(topics, m), first[m])
    assert calls == [110, 10, max(map(len, texts))]


def test_unknown_term_gives_nan(texts, topics):
    for measure in MEASURES:
        scores = CoherenceIndex(texts).score([topics[0], topics[1][:9] + ["并无此词"]], measure)
        assert math.isfinite(scores[0]) and math.isnan(scores[1])


def test_windows_by_hand():
    """Windows stay within a text, a text shorter than the window is one window, and a token
    leaving the window is dropped even if it recurs inside it (gensim's accumulator)."""
    texts = [["a", "b", "a", "c"], ["b", "c"], ["a"]]
    # windows of 3: {a, b}, {b, c} (the second 'a' of [b, a, c] is not counted), {b, c}, {a}
    n, count = 4, {"a": 2, "b": 3, "c": 2, "ab": 1, "ac": 0, "bc": 2}

    def npmi(x, y):
        joint = count[x + y] / n + coh.EPSILON
        return math.log(joint / (count[x] / n * count[y] / n)) / -math.log(joint)

    expected = (npmi("a", "b") + npmi("a", "c") + npmi("b", "c")) / 3
    assert coh.coherence([["a", "b", "c"]], texts, "c_npmi", window=3) == pytest.approx([expected], rel=1e-12)
    assert gensim_values([["a", "b", "c"]], texts, "c_npmi", window_size=3) == pytest.approx([expected], rel=1e-12)
    # u_mass on whole texts: pairs (b|a), (c|a), (c|b) = log(1/2), log(1/2), log(1)
    assert coh.coherence([["a", "b", "c"]], texts, "u_mass") == pytest.approx([2 * math.log(0.5) / 3], rel=1e-9)


def test_rejects_unknown_measure(texts):
    with pytest.raises(ValueError, match="c_uci"):
        CoherenceIndex(texts).score([["a"]], "c_uci")
