"""Document-term matrices: counts equal the term tokens, grouping sums, trimming, tf-idf, tidy output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

import cityanalytics as ca
from cityanalytics.cores import equal_ranges, even_ranges
from cityanalytics.counting import count_matrix
from cityanalytics.text.tokens import Tokens

TEXTS = [
    "交通建设加快推进。交通网络更加完善。\n人才引进力度加大。",
    "人才是第一资源。人才政策不断完善。",
    "生态环境持续改善。交通拥堵有所缓解。",
]


@pytest.fixture(scope="module")
def tokens():
    corpus = ca.Corpus.from_texts(TEXTS, doc_ids=["a", "b", "c"], city=["嘉兴", "杭州", "嘉兴"], year=[2016, 2019, 2019])
    return ca.tokenize(corpus, lexicon=False)


def test_counts_equal_the_term_tokens(tokens):
    m = ca.dtm(tokens)
    terms = tokens.to_frame(terms_only=True).astype({"doc_id": str, "token": str})
    expected = terms.groupby(["doc_id", "token"]).size()
    tidy = m.to_frame().set_index(["doc_id", "term"])["count"]
    assert tidy.sort_index().to_dict() == expected.sort_index().to_dict()
    assert m.n_tokens.tolist() == terms.groupby("doc_id").size().reindex(["a", "b", "c"]).tolist()
    assert list(m.rows.columns[:3]) == ["doc_id", "city", "year"]


def test_rows_carry_each_documents_docvars_in_whatever_order_the_docvars_come(tokens):
    rows = ca.dtm(tokens).rows
    assert rows["doc_id"].tolist() == ["a", "b", "c"] and rows["city"].tolist() == tokens.docvars["city"].tolist()
    pd.testing.assert_frame_equal(rows, rows[["doc_id"]].merge(tokens.docvars, on="doc_id", how="left"))
    reordered = Tokens(tokens.table, tokens.docvars.iloc[::-1, ::-1], tokens.config)  # rows and columns reversed
    pd.testing.assert_frame_equal(ca.dtm(reordered).rows[rows.columns], rows)


def test_punctuation_numbers_and_stopwords_are_not_counted(tokens):
    vocabulary = set(ca.dtm(tokens).vocabulary)
    assert "。" not in vocabulary and "是" not in vocabulary
    assert {"交通", "人才"} <= vocabulary


def test_grouping_sums_rows_and_counts_documents(tokens):
    m = ca.dtm(tokens)
    by_city = m.group("city")
    assert by_city.rows["city"].tolist() == ["嘉兴", "杭州"]
    assert by_city.rows["n_docs"].tolist() == [2, 1]
    col = list(m.vocabulary).index("交通")
    assert by_city.counts[0, col] == m.counts[0, col] + m.counts[2, col]
    assert by_city.counts.sum() == m.counts.sum()
    two_keys = m.group(["city", "year"])
    assert len(two_keys.rows) == 3 and two_keys.keys == ("city", "year")
    regrouped = two_keys.group("city")  # groups of groups: their documents add up
    assert regrouped.rows["n_docs"].tolist() == [2, 1] and (regrouped.counts != by_city.counts).nnz == 0
    with pytest.raises(KeyError, match="not a docvar"):
        m.group("district")
    with pytest.raises(ValueError, match="cannot group by 'n_docs'"):
        two_keys.group("n_docs")


def test_grouping_by_a_docvar_of_mixed_kinds_is_refused_by_name():
    corpus = ca.Corpus.from_texts(["交通建设。", "人才引进。", "交通规划。"], year=[2019, "未知", 2020],
                                  tags=[["a"], ["b"], None])
    m = ca.dtm(ca.tokenize(corpus, lexicon=False))
    with pytest.raises(ValueError, match="cannot group by 'year': its values mix int, str"):
        m.group("year")
    with pytest.raises(ValueError, match="cannot group by 'tags': its values mix list"):
        m.group("tags")


def test_trim_by_frequency_and_document_frequency(tokens):
    m = ca.dtm(tokens)
    terms = tokens.to_frame(terms_only=True).astype({"doc_id": str, "token": str})
    doc_freq = terms.groupby("token")["doc_id"].nunique()
    total = terms.groupby("token").size()
    trimmed = m.trim(min_docs=2)
    assert set(trimmed.vocabulary) == set(doc_freq[doc_freq >= 2].index)
    assert "人才" in set(trimmed.vocabulary)
    assert set(m.trim(min_count=2).vocabulary) == set(total[total >= 2].index)
    assert set(m.trim(max_docs_share=0.5).vocabulary) == set(doc_freq[doc_freq <= 1].index)
    assert trimmed.shape[0] == m.shape[0]


def test_tfidf_matches_scikit_learn(tokens):
    m = ca.dtm(tokens)
    weights = m.tfidf()
    expected = TfidfTransformer().fit_transform(m.counts).toarray()
    np.testing.assert_allclose(weights.counts.toarray(), expected)
    assert weights.weighting == "tfidf"
    assert "weight" in weights.to_frame().columns
    with pytest.raises(ValueError, match="before weighting"):
        weights.group("city")


def test_paragraph_and_section_units(tokens):
    paragraphs = ca.dtm(tokens, unit="paragraph")
    assert paragraphs.keys == ("doc_id", "para")
    assert paragraphs.counts.sum() == ca.dtm(tokens).counts.sum()
    assert len(paragraphs.rows) == 4  # document a has a title line and a second paragraph
    assert ca.dtm(tokens, unit="section").keys == ("doc_id", "section")
    with pytest.raises(ValueError, match="unit must be one of"):
        ca.dtm(tokens, unit="sentence")


@pytest.mark.parametrize("unit", ["paragraph", "section"])
def test_units_of_tokens_out_of_document_order_are_the_same_units(tokens, unit):
    in_order = ca.dtm(tokens, unit)
    shuffled = tokens.table.sample(frac=1, random_state=0).reset_index(drop=True)  # as a user's filtering might leave it
    out_of_order = ca.dtm(Tokens(shuffled, tokens.docvars, tokens.config), unit)
    keys = list(in_order.keys)

    def cells(matrix):
        frame = matrix.to_frame()
        return frame.sort_values([*keys, "term"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(cells(out_of_order), cells(in_order))
    first_seen = shuffled[keys].astype({"doc_id": str}).drop_duplicates().reset_index(drop=True)
    pd.testing.assert_frame_equal(out_of_order.rows[keys], first_seen)  # units in order of first appearance


def test_units_of_a_table_changed_by_hand(tokens):
    changed = tokens.table.astype({"para": "float64"})
    pd.testing.assert_frame_equal(ca.dtm(Tokens(changed, tokens.docvars, tokens.config), "paragraph").to_frame(),
                                  ca.dtm(tokens, "paragraph").to_frame().astype({"para": "float64"}))
    orphaned = tokens.table.copy()
    orphaned.loc[3, "doc_id"] = None
    with pytest.raises(ValueError, match="every token needs a doc_id"):
        ca.dtm(Tokens(orphaned, tokens.docvars, tokens.config), "paragraph")


def _owner(array: np.ndarray) -> np.ndarray:
    """The array that holds the memory behind a view (whose own base is another kind of owner, if any)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


@pytest.mark.parametrize("threads", [1, 3])
def test_count_matrix_equals_scipys_summed_pairs(threads):
    rng = np.random.default_rng(0)
    rows, columns = rng.integers(0, 40, 5000), rng.integers(0, 300, 5000)
    keep = rng.random(5000) < 0.7
    columns[columns == 7] = 8  # column 7 never occurs
    expected = sp.csr_matrix((np.ones(keep.sum(), dtype=np.int64), (rows[keep], columns[keep])), shape=(45, 310))
    expected.sum_duplicates()
    occurring = np.flatnonzero(expected.getnnz(axis=0))
    assert 7 not in occurring and 305 not in occurring and 5 in occurring
    expected = expected[:, occurring]
    for order in (np.argsort(rows, kind="stable"), np.arange(5000)):  # grouped by row, and shuffled
        counts, columns_counted = count_matrix(rows[order], columns[order], (45, 310), keep=keep[order], threads=threads)
        assert columns_counted.tolist() == occurring.tolist() and counts.shape == (45, len(occurring))
        assert (counts != expected).nnz == 0 and counts.has_sorted_indices
        assert counts.dtype == np.int64 and counts.nnz == expected.nnz  # no stored zeros, empty rows kept
        for cells in (counts.data, counts.indices):  # memory of the matrix's own size, not a view of room for every token
            assert _owner(cells).base is None and _owner(cells).size == counts.nnz
        assert all((np.diff(counts.indices[a:b]) > 0).all() for a, b in zip(counts.indptr[:-1], counts.indptr[1:]))


def test_distinct_codes_are_sorted_whether_dense_or_sparse():
    from cityanalytics.counting import FEW, _sort_distinct

    rng = np.random.default_rng(1)
    bits = np.zeros(40, dtype=np.uint64)
    cases = [np.array([63, 0, 64, 127, 128, 2559]), np.array([5]), np.array([], dtype=np.int64)]
    sizes = (2, 20, FEW, FEW + 1, 60, 64)  # by insertion up to FEW, then by bits where dense or else sorted
    cases += [rng.choice(span, size, replace=False) for span in (64, 300, 2560) for size in sizes if size <= span]
    for values in cases:
        for dtype in (np.int32, np.int64):
            sorted_here = values.astype(dtype)
            _sort_distinct(sorted_here, bits)
            assert sorted_here.tolist() == sorted(values.tolist()) and not bits.any()  # the bits are left clear


def test_count_matrix_with_ranges_of_no_cells_and_nothing_to_count():
    rows, columns = np.array([0, 0, 1, 1, 2, 3, 3]), np.array([4, 4, 2, 0, 1, 2, 9])
    keep = np.array([True, True, False, False, False, True, True])  # rows 1 and 2, the middle range, count nothing
    counts, occurring = count_matrix(rows, columns, (4, 10), keep=keep, threads=3)
    assert occurring.tolist() == [2, 4, 9] and counts.toarray().tolist() == [[0, 2, 0], [0, 0, 0], [0, 0, 0], [1, 0, 1]]
    for shape, threads in (((4, 10), 1), ((4, 10), 3)):
        counts, occurring = count_matrix(rows, columns, shape, keep=np.zeros(7, dtype=bool), threads=threads)
        assert counts.shape == (4, 0) and counts.nnz == 0 and len(occurring) == 0
    counts, occurring = count_matrix(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), (0, 0), threads=2)
    assert counts.shape == (0, 0) and len(occurring) == 0
    for rows in ([2, 2, 4], [4, 2, 2]):  # rows without tokens before, between and after, grouped and not
        counts, _ = count_matrix(np.array(rows, dtype=np.int16), np.array([1, 0, 1]), (6, 2))
        assert counts.toarray().tolist() == [[0, 0], [0, 0], [1, 1], [0, 0], [0, 1], [0, 0]]


def test_rows_are_split_into_ranges_of_about_equal_work():
    work = np.array([5, 1, 1, 1, 1, 1, 5, 0, 0, 5])
    ranges = even_ranges(work, 3)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(work)
    assert all(end == start for (_, end), (start, _) in zip(ranges, ranges[1:]))  # contiguous, covering all
    assert len(ranges) == 3 and max(work[a:b].sum() for a, b in ranges) <= 8
    assert even_ranges(work, 1) == [(0, 10)] and even_ranges(np.zeros(4), 2) == [(0, 4)]
    assert equal_ranges(10, 3) == [(0, 3), (3, 6), (6, 10)] and equal_ranges(2, 5) == [(0, 1), (1, 2)]
    assert equal_ranges(0, 2) == [(0, 0)] and equal_ranges(7, 1) == [(0, 7)]


def test_count_matrix_refuses_codes_outside_the_shape():
    with pytest.raises(ValueError, match="column code -1"):
        count_matrix(np.array([0, 0, 1]), np.array([-1, 2, 0]), (2, 3))
    with pytest.raises(ValueError, match="column code 3"):
        count_matrix(np.array([0, 1]), np.array([1, 3]), (2, 3), threads=2)
    for rows in ([0, 2], [-1, 0], [0, 1, -1], [1, 0, 5]):  # grouped or not, the first row outside or a later one
        with pytest.raises(ValueError, match="row codes"):
            count_matrix(np.array(rows), np.zeros(len(rows), dtype=np.int64), (2, 3))
    kept, occurring = count_matrix(np.array([0, 0]), np.array([-1, 2]), (1, 3), keep=np.array([False, True]))
    assert kept.toarray().tolist() == [[1]] and occurring.tolist() == [2]  # a token that is not counted is not checked
    with pytest.raises(TypeError, match="row codes must be integers, not float64"):
        count_matrix(np.array([0.0, 1.0]), np.array([0, 1]), (2, 2))
    with pytest.raises(TypeError, match="column codes must be integers"):
        count_matrix(np.array([0, 1]), np.array([0.5, 1.0]), (2, 2))


def test_counting_in_threads_gives_the_same_matrix(tokens):
    for unit in ("document", "paragraph"):
        alone, threaded = ca.dtm(tokens, unit), ca.dtm(tokens, unit, n_jobs=2)
        assert (alone.counts != threaded.counts).nnz == 0 and alone.vocabulary.tolist() == threaded.vocabulary.tolist()


def test_same_tokens_give_the_same_matrix(tokens):
    first, second = ca.dtm(tokens), ca.dtm(tokens)
    assert (first.counts != second.counts).nnz == 0
    assert first.vocabulary.tolist() == sorted(first.vocabulary.tolist())


def test_missing_docvars_form_their_own_group_and_nothing_crashes():
    corpus = ca.Corpus.from_texts(["交通建设。", "人才引进。", "交通规划。"], city=["甲", None, "甲"], year=[2016, None, 2017])
    m = ca.dtm(ca.tokenize(corpus, lexicon=False))
    by_city = m.group("city")
    assert by_city.rows["city"].iloc[0] == "甲" and by_city.rows["city"].isna().iloc[1]
    assert by_city.counts.sum() == m.counts.sum()
    assert len(m.group(["city", "year"]).rows) == 3


def test_empty_documents_and_empty_corpora_keep_their_rows():
    corpus = ca.Corpus.from_texts(["交通建设。", "", "。"], doc_ids=["a", "b", "c"])
    m = ca.dtm(ca.tokenize(corpus, lexicon=False))
    assert m.rows["doc_id"].tolist() == ["a", "b", "c"]
    assert m.n_tokens.tolist()[1:] == [0, 0]
    empty = ca.dtm(ca.tokenize(ca.Corpus.from_texts([]), lexicon=False))
    assert empty.shape == (0, 0) and empty.tfidf().shape == (0, 0)
    assert empty.to_frame().empty


def test_trimming_keeps_the_denominators(tokens):
    m = ca.dtm(tokens)
    trimmed = m.trim(min_count=2)
    np.testing.assert_array_equal(trimmed.n_tokens, m.n_tokens)
    assert trimmed.group("city").n_tokens.tolist() == m.group("city").n_tokens.tolist()
    from cityanalytics.analysis.keywords import frequency, keyness

    full = frequency(m).set_index("term")["rate_per_10k"]
    kept = frequency(trimmed).set_index("term")["rate_per_10k"]
    assert kept.to_dict() == {t: full[t] for t in kept.index}
    assert keyness(trimmed, "嘉兴", by="city").set_index("term")["g2"].to_dict() == pytest.approx(
        keyness(m, "嘉兴", by="city").set_index("term")["g2"].loc[list(trimmed.vocabulary)].to_dict())


def test_degenerate_keyword_inputs_are_clear():
    from cityanalytics.analysis.keywords import frequency, keyness

    corpus = ca.Corpus.from_texts(["的。", "交通建设。"], doc_ids=["a", "b"], city=["甲", "乙"])
    m = ca.dtm(ca.tokenize(corpus, lexicon=False))
    with pytest.raises(ValueError, match="target .* has no term tokens"):
        keyness(m, "甲", by="city")
    empty = ca.dtm(ca.tokenize(ca.Corpus.from_texts(["的。"], city=["甲"]), lexicon=False))
    assert frequency(empty).empty


def test_a_very_long_token_does_not_widen_the_vocabulary():
    blob = "a" * 100_000  # a scraped data blob is segmented as one token
    tokens = ca.tokenize(ca.Corpus.from_texts(["数据附件：" + blob + "。", "加强交通建设。"]))
    matrix = ca.dtm(tokens)
    assert matrix.vocabulary.dtype == object  # Python strings, not a fixed width of 100,000 for every term
    assert matrix.counts[0, matrix.vocabulary.tolist().index(blob)] == 1


@pytest.mark.parametrize("dtype", ["str", object])
def test_vocabularies_from_pandas_are_fresh_arrays_of_python_strings(dtype):
    from cityanalytics.text.encoding import word_array

    index = pd.Index(["交通", "a", "人才"], dtype=dtype)
    for words in (index, pd.Series(index), list(index), iter(index)):
        array = word_array(words)
        assert array.dtype == object and array.tolist() == ["交通", "a", "人才"]
        assert all(type(word) is str for word in array)
    array = word_array(index)
    array[0] = "生态"
    assert index[0] == "交通"  # a copy, never a view of the categories


def test_category_codes_are_read_in_place_and_cannot_be_written(tokens):
    from cityanalytics.text.encoding import category_codes

    column = tokens.table["token"]
    codes = category_codes(column)
    assert codes.tolist() == column.cat.codes.tolist()
    assert np.shares_memory(codes, category_codes(tokens.table["token"]))  # every read sees the table's own codes
    assert not codes.flags.writeable  # so no reader can change the table through them
