"""Streaming counts: chunk by chunk, in processes or with the cache, equal to dtm(tokenize(corpus))."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cityanalytics as ca
from cityanalytics.dtm import stack
from cityanalytics.errors import InputFileError
from cityanalytics.scale.executors import in_order, open_executor
from cityanalytics.scale.sources import read_jsonl
from cityanalytics.text.cache import cache_info

REGULATIONS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "lawrefbook_local_regulations.jsonl"
FIELDS = {"id_field": "id", "docvar_fields": ("province", "title", "date_in_filename")}
N_DOCS = 90


def assert_same_counts(expected: ca.DTM, actual: ca.DTM) -> None:
    np.testing.assert_array_equal(expected.vocabulary, actual.vocabulary)
    assert expected.counts.shape == actual.counts.shape and (expected.counts != actual.counts).nnz == 0
    assert actual.counts.dtype == expected.counts.dtype
    pd.testing.assert_frame_equal(expected.rows, actual.rows)
    np.testing.assert_array_equal(expected.totals, actual.totals)
    assert expected.keys == actual.keys


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The first regulations as a JSON Lines file of their own, and their counts the in-memory way."""
    if not REGULATIONS.exists():
        pytest.skip("../shared/realdata is not beside this checkout")
    path = tmp_path_factory.mktemp("realdata") / "sample.jsonl"
    with REGULATIONS.open(encoding="utf-8") as lines:
        path.write_text("".join(islice(lines, N_DOCS)), "utf-8")
    records = list(read_jsonl(path, **FIELDS))
    corpus = ca.Corpus.from_texts([r["text"] for r in records], doc_ids=[r["doc_id"] for r in records],
                                  **{f: [r[f] for r in records] for f in FIELDS["docvar_fields"]})
    return path, ca.dtm(ca.tokenize(corpus, progress=False))


def test_streamed_counts_equal_in_memory_counts_on_real_regulations(sample):
    path, expected = sample
    assert_same_counts(expected, ca.stream_dtm(ca.jsonl_chunks(path, size=25, **FIELDS), progress=False))


@pytest.mark.parametrize("n_jobs", [2, 3])  # with the compiled backend: threads, processes
def test_counting_side_by_side_gives_the_same_counts(sample, n_jobs):
    path, expected = sample
    assert_same_counts(expected, ca.stream_dtm(ca.jsonl_chunks(path, size=15, **FIELDS), n_jobs=n_jobs, progress=False))


def test_worker_processes_give_the_same_counts():  # jieba holds the GIL: processes
    records = [{"doc_id": f"d{i}", "text": text} for i, text in enumerate(["加快建设综合交通枢纽。", "人才是第一资源。", "生态优先。"])]
    config = ca.TokenizerConfig(backend="jieba")
    expected = ca.dtm(ca.tokenize(ca.Corpus.from_texts([r["text"] for r in records], [r["doc_id"] for r in records]), config))
    assert_same_counts(expected, ca.stream_dtm(ca.record_chunks(records, size=1), config, n_jobs=2, progress=False))


@pytest.mark.parametrize("n_jobs", [1, 2])  # here; in threads sharing one cache
def test_streaming_through_the_cache_cold_and_warm(sample, tmp_path, n_jobs):
    path, expected = sample
    for _ in range(2):
        counts = ca.stream_dtm(ca.jsonl_chunks(path, size=40, **FIELDS), cache=tmp_path, n_jobs=n_jobs, progress=False)
        assert_same_counts(expected, counts)
    assert cache_info(tmp_path)[["documents", "parts"]].values.tolist() == [[N_DOCS, 3]]


def test_a_folder_streams_as_load_corpus_reads_it():
    chunks = ca.FolderChunks(size=4)
    seeds = ca.load_corpus()
    for unit in ("document", "paragraph"):
        assert_same_counts(ca.dtm(ca.tokenize(seeds, progress=False), unit=unit),
                           ca.stream_dtm(chunks, unit=unit, progress=False))
    pd.testing.assert_frame_equal(seeds.report, chunks.report)


def test_records_from_anywhere_and_a_configuration():
    texts = ["推进接沪融杭，加强交通建设。", "加强人才引进。", "", "长三角一体化。"]
    config = ca.TokenizerConfig(boilerplate=True)
    records = ({"doc_id": f"d{i}", "text": t, "year": 2010 + i} for i, t in enumerate(texts))
    expected = ca.dtm(ca.tokenize(ca.Corpus.from_texts(texts, doc_ids=[f"d{i}" for i in range(4)],
                                                       year=[2010 + i for i in range(4)]), config, progress=False))
    assert_same_counts(expected, ca.stream_dtm(ca.record_chunks(records, size=3), config, progress=False))


def test_bad_input_is_named(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "一。", "id": 1}\n\n{"text": 2}\n', "utf-8")
    with pytest.raises(InputFileError, match=r"bad.jsonl: line 3 has no text field 'text'"):
        list(read_jsonl(bad))
    bad.write_text('{"text": "一。", "id": 1}\n{oops\n', "utf-8")
    with pytest.raises(InputFileError, match=r"bad.jsonl: line 2 is not valid JSON"):
        list(read_jsonl(bad))
    bad.write_text('{"text": "一。"}\n', "utf-8")
    with pytest.raises(InputFileError, match=r"line 1 has no id field 'id'"):
        list(read_jsonl(bad, id_field="id"))
    with pytest.raises(InputFileError, match="no such file"):
        list(read_jsonl(tmp_path / "none.jsonl"))
    bad.write_text('{"text": "表情\\ud83d\\ude00可用", "id": "ok"}\n{"text": "一。", "id": "x\\ud800"}\n', "utf-8")
    with pytest.raises(InputFileError, match=r"line 2: field 'id': character 2 is a lone surrogate \(U\+D800\)"):
        list(read_jsonl(bad, id_field="id"))
    assert next(read_jsonl(bad))["text"] == "表情\U0001F600可用"  # a pair is one character
    assert set(next(read_jsonl(bad, docvar_fields="id"))) == {"doc_id", "id", "text"}  # one field named alone
    lone = [{"doc_id": "a", "text": "一。"}, {"doc_id": "b", "text": "二\udc00。"}]
    with pytest.raises(ValueError, match=r"document 'b', column 'text': character 2 is a lone surrogate"):
        list(ca.record_chunks(lone))
    repeated = ({"doc_id": "a", "text": "一。"} for _ in range(3))
    with pytest.raises(ValueError, match="record 2 repeats 'a' of record 1"):
        ca.stream_dtm(ca.record_chunks(repeated, size=2), progress=False)
    for records, problem in (
        ([{"doc_id": "a", "text": "一。"}, {"doc_id": None, "text": "二。"}], "record 2 has no doc_id"),
        ([{"doc_id": "a", "text": 5}], "record 1: its text is a int, not a string"),
        ([{"doc_id": "a"}], "record 1 has no 'text' field"),
    ):
        with pytest.raises(ValueError, match=problem):
            list(ca.record_chunks(records))
    with pytest.raises(TypeError, match="record 1 is a str, not a mapping"):
        list(ca.record_chunks(["一。"]))
    with pytest.raises(TypeError, match="chunk 1 of the stream is a dict, not a docs table"):
        ca.stream_dtm([{"doc_id": "a", "text": "一。"}], progress=False)
    bad.write_text('{"text": "一。", "id": "a"}\n{"text": "二。", "id": "b"}\n{"text": "三。", "id": "a"}\n', "utf-8")
    with pytest.raises(InputFileError, match=r"bad.jsonl: line 3 repeats the id 'a' of line 1"):
        list(read_jsonl(bad, id_field="id"))
    with pytest.raises(TypeError, match=r"for one docs table pass \[docs\]"):
        ca.stream_dtm(ca.Corpus.from_texts(["一。"]).docs)
    with pytest.raises(ValueError, match="executor must be one of"):
        ca.stream_dtm(ca.record_chunks([], size=2), executor="spark")


def test_stack_refuses_mixed_rows_and_nothing():
    tokens = ca.tokenize(ca.Corpus.from_texts(["推进接沪融杭。"]), progress=False)
    with pytest.raises(ValueError, match="keyed by"):
        stack([ca.dtm(tokens), ca.dtm(tokens, unit="paragraph")])
    with pytest.raises(ValueError, match="no count matrices"):
        stack([])


def test_an_empty_stream_counts_to_an_empty_matrix(tmp_path):
    """An empty folder streams to what dtm(tokenize(load_corpus(folder))) gives: no rows, no terms."""
    streamed = ca.stream_dtm(tmp_path, progress=False)
    loaded = ca.dtm(ca.tokenize(ca.load_corpus(tmp_path), progress=False))
    assert streamed.shape == loaded.shape == (0, 0) and streamed.keys == loaded.keys == ("doc_id",)
    assert list(streamed.rows.columns) == ["doc_id"] and streamed.to_frame().empty
    paragraphs = ca.stream_dtm(ca.record_chunks([], size=2), unit="paragraph", progress=False)
    assert paragraphs.keys == ("doc_id", "para") and paragraphs.shape == (0, 0)
    with pytest.raises(ValueError, match="unit must be one of"):
        ca.stream_dtm(tmp_path, unit="sentence")


def test_chunks_in_flight_stay_within_the_window():
    in_flight, most = [], []

    class Submitted:
        def __init__(self, value):
            self.value = value
            in_flight.append(self)
            most.append(len(in_flight))

        def result(self):
            in_flight.remove(self)
            return self.value

    results = list(in_order(lambda function, item: Submitted(function(item)), lambda x: x * 2, range(50), 3))
    assert results == [x * 2 for x in range(50)] and max(most) == 3
    with open_executor("local", n_jobs=2) as (_, window):
        assert window == 4


@pytest.mark.parametrize("unit", ["document", "paragraph"])
def test_chunks_without_rows_or_without_a_docvar_stack_as_the_whole_corpus_would(unit):
    """A chunk of empty documents has no paragraph rows; a chunk where a docvar is missing throughout
    has it as None only; neither may change the counts or the docvar types."""
    texts = ["推进接沪融杭。", "加强人才。", "", "", "长三角。", "一体化。"]
    years = [2010, 2011, None, None, 2014, None]
    records = [{"doc_id": f"d{i}", "text": t, "year": y} for i, (t, y) in enumerate(zip(texts, years))]
    streamed = ca.stream_dtm(ca.record_chunks(records, size=2), unit=unit, progress=False)
    corpus = ca.Corpus.from_texts(texts, doc_ids=[r["doc_id"] for r in records], year=years)
    assert_same_counts(ca.dtm(ca.tokenize(corpus, progress=False), unit=unit), streamed)


def test_a_byte_order_mark_is_read_and_bad_bytes_or_a_file_path_are_named(tmp_path):
    path = tmp_path / "reports.jsonl"
    path.write_bytes('\ufeff{"text": "推进交通建设。"}\n'.encode() + b'{"text": "\xff\xfe"}\n')
    records = read_jsonl(path)
    assert next(records)["text"] == "推进交通建设。"
    with pytest.raises(InputFileError, match="line 2 is not UTF-8 text"):
        next(records)
    with pytest.raises(InputFileError, match="for a JSON Lines file pass jsonl_chunks"):
        ca.stream_dtm(path)
