"""Tokens: the policy lexicon keeps genre terms whole, tags, term filtering, user resources, parallel runs."""

from __future__ import annotations

import functools
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from tqdm.auto import tqdm

import cityanalytics as ca
from cityanalytics import codepoints
from cityanalytics.codepoints import code_points, joined_code_points, strings_between
from cityanalytics.corpus import characters, split
from cityanalytics.corpus.sentence_spans import sentence_code_points
from cityanalytics.errors import InputFileError
from cityanalytics.text import jieba_dictionary, segment, token_table
from cityanalytics.text import tokens as tokens_module
from cityanalytics.text.segment import BACKENDS, tokenizer_for
from cityanalytics.text.tokens import TOKEN_COLUMNS

LEXICON_TERMS = ["接沪融杭", "一网通办", "最多跑一次", "长三角一体化", "同城化", "山海协作", "都市经济圈", "接轨上海"]
PLACES = ["海宁", "乌鲁木齐", "嘉兴", "杭州", "深圳", "余杭", "下沙", "临平"]


@pytest.fixture(scope="module")
def seeds():
    return ca.load_corpus()


@pytest.fixture(scope="module")
def seed_tokens(seeds):
    return ca.tokenize(seeds)


def test_token_table_columns_and_positions(seed_tokens):
    table = seed_tokens.to_frame()
    assert list(table.columns) == TOKEN_COLUMNS
    for _, positions in table.groupby("doc_id", observed=True)["i"]:
        assert positions.tolist() == list(range(len(positions)))
    words = table["token"].cat.categories.tolist()
    assert words == np.unique(np.array(words, dtype=object)).tolist()  # sorted, each word once


def test_tokens_rebuild_every_sentence_exactly(seeds, seed_tokens):
    table = seed_tokens.to_frame().astype({"doc_id": str, "token": str})
    rebuilt = table.groupby(["doc_id", "para", "sent"], sort=False)["token"].agg("".join)
    sentences = seeds.sentences().set_index(["doc_id", "para", "sent"])["text"]
    assert rebuilt.sort_index().to_dict() == sentences.sort_index().to_dict()


@pytest.mark.parametrize("term", LEXICON_TERMS + PLACES)
def test_lexicon_terms_and_places_are_never_split(seeds, seed_tokens, term):
    """Every occurrence of the term in the text lies inside one token."""
    occurrences = int(seeds.docs["text"].str.count(term).sum())
    assert occurrences > 0, f"{term} does not occur in the seed corpus"
    tokens = seed_tokens.to_frame()["token"].astype(str)
    inside_one_token = int(tokens.str.count(term).sum())
    assert inside_one_token == occurrences, f"{term}: {occurrences - inside_one_token} occurrences split across tokens"


def test_lexicon_terms_alone_are_single_tokens():
    corpus = ca.Corpus.from_texts(["深化“最多跑一次”改革，推进一网通办，加快接沪融杭和长三角一体化。"])
    tokens = ca.tokenize(corpus).to_frame()["token"].astype(str).tolist()
    for term in ["最多跑一次", "一网通办", "接沪融杭", "长三角一体化"]:
        assert term in tokens
    plain = ca.tokenize(corpus, lexicon=False).to_frame()["token"].astype(str).tolist()
    assert "接沪融杭" not in plain  # without the lexicon jieba splits it


def test_numbers_and_punctuation_are_tagged_and_not_terms():
    corpus = ca.Corpus.from_texts(["2011年完成投资635亿元，增长27%。"])
    table = ca.tokenize(corpus).to_frame().astype({"token": str, "tag": str}).set_index("token")
    assert table.loc["2011", "tag"] == "m" and not table.loc["2011", "is_term"]
    assert table.loc["，", "tag"] == "x" and not table.loc["，", "is_term"]
    assert table.loc["。", "tag"] == "x"
    ascii_marks = ca.tokenize(ca.Corpus.from_texts(["马克思·韦伯说,城市.增长3.5%"])).to_frame()
    tags = dict(zip(ascii_marks["token"].astype(str), ascii_marks["tag"].astype(str)))
    assert [tags[mark] for mark in ("·", ",", ".")] == ["x", "x", "x"] and tags["3.5%"] == "m"  # a number has a digit
    assert table.loc["投资", "is_term"]


def test_words_of_letters_are_tagged_as_the_patterns_tag_them(seed_tokens):
    words = ["三千", "两万", "零", "三千方", "GDP", "ＧＤＰ", "πόλη", "〇", "十五五", "A1", "ǅ", "ª"]
    assert [segment.coarse_tag(word) for word in words] == ["m", "m", "m", "", "eng", "", "", "m", "m", "eng", "", ""]
    every_character = (chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert [c for c in every_character if segment.coarse_tag(c) != segment.tag_by_patterns(c)] == []
    seed_words = seed_tokens.table["token"].cat.categories
    assert [w for w in seed_words if segment.coarse_tag(w) != segment.tag_by_patterns(w)] == []


def test_stopwords_and_the_boilerplate_switch():
    corpus = ca.Corpus.from_texts(["我们要进一步加强交通建设，积极推进人才工作。"])
    default = ca.tokenize(corpus).to_frame().astype({"token": str}).set_index("token")["is_term"]
    assert not default["我们"]
    assert default["加强"] and default["推进"] and default["交通"]
    switched = ca.tokenize(corpus, boilerplate=True).to_frame().astype({"token": str}).set_index("token")["is_term"]
    assert not switched["加强"] and not switched["推进"] and not switched["进一步"]
    assert switched["交通"] and switched["人才"]
    kept = ca.tokenize(corpus, stopwords=False).to_frame().astype({"token": str}).set_index("token")["is_term"]
    assert kept["我们"]


def test_user_dictionary_and_stopword_files(tmp_path):
    corpus = ca.Corpus.from_texts(["推进沪嘉同城示范区建设，打造桐乡样板。"])
    user_dict = tmp_path / "my.dict"
    user_dict.write_text("沪嘉同城示范区 100000 nz\n", encoding="utf-8")
    stop = tmp_path / "stop.txt"
    stop.write_text("# my stopwords\n样板\n", encoding="utf-8")
    table = ca.tokenize(corpus, user_dicts=(str(user_dict),), user_stopwords=(str(stop),)).to_frame()
    table = table.astype({"token": str}).set_index("token")
    assert "沪嘉同城示范区" in table.index
    assert not table.loc["样板", "is_term"]
    with pytest.raises(InputFileError, match="not found"):
        ca.tokenize(corpus, user_dicts=(str(tmp_path / "missing.dict"),))
    stop.write_bytes("样板\n".encode("gbk"))
    with pytest.raises(InputFileError, match=r"stop.txt: a word list must be UTF-8"):
        ca.tokenize(corpus, user_stopwords=(str(stop),))


def test_an_edited_dictionary_is_read_anew_by_a_new_configuration(tmp_path, monkeypatch):
    """Parsed dictionaries are kept by their content, so an edit under the same path is never missed."""
    corpus = ca.Corpus.from_texts(["推进沪嘉同城示范区建设。"])
    user_dict = tmp_path / "my.dict"
    user_dict.write_text("沪嘉同城示范区 100000 nz\n", encoding="utf-8")
    before = ca.TokenizerConfig(user_dicts=(str(user_dict),))
    assert before.dictionary_entries[-1] == ("沪嘉同城示范区", 100000, "nz")
    parsed = jieba_dictionary._entries_of
    with monkeypatch.context() as patched:
        patched.setattr(jieba_dictionary, "_entries_of", lambda data: pytest.fail("parsed again"))
        again = ca.TokenizerConfig(user_dicts=(str(user_dict),))
        assert again.dictionary_entries == before.dictionary_entries and again.key == before.key
        copy = tmp_path / "copy.dict"  # the same content under another name
        copy.write_bytes(user_dict.read_bytes())
        assert ca.TokenizerConfig(user_dicts=(str(copy),)).dictionary_entries == before.dictionary_entries
    assert jieba_dictionary._entries_of is parsed
    user_dict.write_text("沪嘉 100000 nz\n同城示范区 100000 nz\n", encoding="utf-8")
    edited = ca.TokenizerConfig(user_dicts=(str(user_dict),))
    assert edited.dictionary_entries[-2:] == [("沪嘉", 100000, "nz"), ("同城示范区", 100000, "nz")]
    assert edited.key != before.key
    tokens = ca.tokenize(corpus, edited).to_frame()["token"].astype(str).tolist()
    assert "沪嘉" in tokens and "同城示范区" in tokens and "沪嘉同城示范区" not in tokens
    edited.dictionary_entries.clear()  # a caller's change to its list reaches no other configuration
    assert ca.TokenizerConfig(user_dicts=(str(user_dict),)).dictionary_entries[-1] == ("同城示范区", 100000, "nz")
    user_dict.write_bytes(b"\xff\xfe bad\n")
    with pytest.raises(InputFileError, match="my.dict.*UTF-8"):
        ca.TokenizerConfig(user_dicts=(str(user_dict),)).dictionary_entries
    with pytest.raises(InputFileError, match=r"my\.dict: not a valid jieba user dictionary \(dictionary file .*my\.dict must"):
        ca.tokenize(corpus, backend="jieba", user_dicts=(str(user_dict),))  # jieba's own reading names the file too


def test_part_of_speech_tags_and_filter():
    corpus = ca.Corpus.from_texts(["杭州加快建设综合交通枢纽。"])
    tagged = ca.tokenize(corpus, pos=True).to_frame().astype({"token": str, "tag": str}).set_index("token")
    assert tagged.loc["杭州", "tag"].startswith("ns")
    assert tagged.loc["。", "tag"] == "x"
    repeated = ca.tokenize(ca.Corpus.from_texts(["杭州加快建设交通枢纽，建设。杭州，2025年。"]), pos=True).to_frame()
    assert list(zip(repeated["token"].astype(str), repeated["tag"].astype(str))) == [  # a word's tag wherever it recurs
        ("杭州", "ns"), ("加快", "v"), ("建设", "vn"), ("交通枢纽", "l"), ("，", "x"), ("建设", "vn"), ("。", "x"),
        ("杭州", "ns"), ("，", "x"), ("2025", "m"), ("年", "m"), ("。", "x")]
    nouns = ca.tokenize(corpus, pos=True, keep_pos=("n",)).to_frame(terms_only=True)["tag"].astype(str)
    assert len(nouns) > 0 and nouns.str.startswith("n").all()
    with pytest.raises(ValueError, match="needs pos=True"):
        ca.TokenizerConfig(keep_pos=("n",))


@pytest.mark.parametrize(("backend", "n_jobs"), [("numba", 2), ("numba", 3), ("jieba", 2)])  # threads, processes
def test_parallel_and_chunked_runs_give_the_same_table(seeds, seed_tokens, backend, n_jobs, monkeypatch):
    expected = seed_tokens.table if backend == "numba" else ca.tokenize(seeds, backend=backend).table
    opened = []  # what each path was asked for: ("threads", n) to share chunks out, ("processes", n) for the pool
    real_share_out, real_pool = tokens_module.share_out, tokens_module.ProcessPoolExecutor
    monkeypatch.setattr(tokens_module, "share_out", lambda function, items, threads, after_each: (
        opened.append(("threads", threads)), real_share_out(function, items, threads, after_each))[1])
    monkeypatch.setattr(tokens_module, "ProcessPoolExecutor", lambda max_workers, **options: (
        opened.append(("processes", max_workers)), real_pool(max_workers=max_workers, **options))[1])
    parallel = ca.tokenize(seeds, backend=backend, n_jobs=n_jobs, chunk_chars=5000)
    in_threads = backend == "numba" and n_jobs == 2
    assert opened == ([("threads", 2)] if in_threads else [("processes", n_jobs - 1)])
    pd.testing.assert_frame_equal(parallel.table, expected)  # categories and their order included


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_texts_held_in_several_arrow_pieces_give_the_same_table(seeds, seed_tokens, n_jobs):
    """A docs table put together with ``pd.concat`` holds its texts in several Arrow arrays; the
    threads decode them as they decode one."""
    half = len(seeds) // 2
    pieces = [seeds.docs.iloc[:half], seeds.docs.iloc[half:]]
    joined = ca.Corpus(pd.concat([piece.drop(columns="n_chars") for piece in pieces], ignore_index=True))
    assert isinstance(pa.array(joined.docs["text"].array), pa.ChunkedArray)
    table = ca.tokenize(joined, n_jobs=n_jobs, chunk_chars=5000).table
    pd.testing.assert_frame_equal(table, seed_tokens.table)


def test_the_last_pass_over_one_long_document_is_shared_out_among_threads(monkeypatch):
    text = "第一章 总则\n" + "加强交通建设，推进人才引进和生态保护。" * 2000
    corpus = ca.Corpus.from_texts([text])
    config = ca.TokenizerConfig()
    expected = ca.tokenize(corpus, config).table
    handed_out = []

    def in_order(function, tasks, threads):
        handed_out.append((list(tasks), threads))
        for task in handed_out[-1][0]:
            function(task)

    monkeypatch.setattr(token_table, "share_out", in_order)
    for workers in (2, 3):
        builder = token_table.TokenTableBuilder(config, token_table.doc_id_categories(corpus.docs["doc_id"]), [0],
                                                len(text))
        builder.add(0, tokens_module.segment_documents(*joined_code_points([text]), config))
        pd.testing.assert_frame_equal(builder.table(workers), expected)
        tasks, threads = handed_out[-1]
        ranges = [task.args for task in tasks if isinstance(task, functools.partial)]  # beside the columns' types
        assert threads == workers and len(ranges) == token_table.FINISHING_RANGES * workers == len(tasks) - 1
        assert ranges[0][0] == 0 and ranges[-1][1] == len(expected)  # one chunk, its rows split


@pytest.mark.parametrize("pos", [False, True])
def test_chunks_arriving_in_any_order_give_the_same_table(seeds, pos):
    config = ca.TokenizerConfig(pos=pos)
    expected = ca.tokenize(seeds, config).table
    texts = seeds.docs["text"].tolist()
    bounds = tokens_module.document_ranges(seeds.docs["n_chars"].to_numpy(), 3000)
    chunks = [tokens_module.segment_documents(*joined_code_points(texts[start:end]), config) for start, end in bounds]
    capacity = int(seeds.docs["n_chars"].sum())
    doc_ids = token_table.doc_id_categories(seeds.docs["doc_id"])
    builder = token_table.TokenTableBuilder(config, doc_ids, [start for start, _ in bounds], capacity)
    order = list(range(len(chunks)))
    random.Random(0).shuffle(order)
    for job in order:
        builder.add(job, chunks[job])
    pd.testing.assert_frame_equal(builder.table(workers=2), expected)
    with pytest.raises(RuntimeError, match="made already"):
        builder.table()
    with pytest.raises(RuntimeError, match="takes no chunk"):
        builder.add(0, chunks[0])

    waiting = token_table.TokenTableBuilder(config, doc_ids, [start for start, _ in bounds], capacity)
    waiting.add(1, chunks[1])
    with pytest.raises(ValueError, match="chunk 1 is not awaited"):
        waiting.add(1, chunks[1])
    with pytest.raises(RuntimeError, match="chunk 0 never arrived"):
        waiting.table()
    short = token_table.TokenTableBuilder(config, doc_ids, [start for start, _ in bounds], capacity)
    for job in range(len(chunks) - 1):
        short.add(job, chunks[job])
    with pytest.raises(ValueError, match=f"chunk {len(chunks)} is not awaited"):
        short.add(len(chunks), chunks[0])
    with pytest.raises(RuntimeError, match=f"chunk {len(chunks) - 1} never arrived"):
        short.table()
    cramped = token_table.TokenTableBuilder(config, doc_ids, [start for start, _ in bounds], len(chunks[0].codes))
    cramped.add(0, chunks[0])
    with pytest.raises(RuntimeError, match="room for"):
        cramped.add(1, chunks[1])


def seed_chunks(seeds, config):
    """The seed corpus in chunks of about 3,000 characters, segmented, and a builder awaiting them."""
    texts = seeds.docs["text"].tolist()
    bounds = tokens_module.document_ranges(seeds.docs["n_chars"].to_numpy(), 3000)
    chunks = [tokens_module.segment_documents(*joined_code_points(texts[start:end]), config) for start, end in bounds]
    builder = token_table.TokenTableBuilder(config, token_table.doc_id_categories(seeds.docs["doc_id"]),
                                            [start for start, _ in bounds], int(seeds.docs["n_chars"].sum()))
    return chunks, builder


@pytest.mark.parametrize("pos", [False, True])
def test_chunks_added_from_several_threads_at_once_give_the_same_table(seeds, pos):
    config = ca.TokenizerConfig(pos=pos)
    chunks, builder = seed_chunks(seeds, config)
    order = list(range(len(chunks)))
    random.Random(1).shuffle(order)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda job: builder.add(job, chunks[job]), order))
    pd.testing.assert_frame_equal(builder.table(workers=2), ca.tokenize(seeds, config).table)


def test_a_thread_writing_its_rows_holds_up_no_other_thread_adding_a_chunk(seeds, monkeypatch):
    """Rows are written outside the builder's lock: while one thread writes chunk 0, another places chunk 1."""
    config = ca.TokenizerConfig()
    chunks, builder = seed_chunks(seeds, config)
    writing, go_on = threading.Event(), threading.Event()
    write_rows = token_table._write_rows

    def first_write_waits(*args, **columns):
        if not writing.is_set():
            writing.set()
            go_on.wait()
        write_rows(*args, **columns)

    monkeypatch.setattr(token_table, "_write_rows", first_write_waits)
    first = threading.Thread(target=builder.add, args=(0, chunks[0]))
    first.start()
    assert writing.wait(timeout=60)
    second = threading.Thread(target=builder.add, args=(1, chunks[1]))
    second.start()
    second.join(timeout=60)
    placed_while_writing = not second.is_alive() and builder.next_chunk == 2
    go_on.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert placed_while_writing and not first.is_alive()
    for job in range(2, len(chunks)):
        builder.add(job, chunks[job])
    pd.testing.assert_frame_equal(builder.table(), ca.tokenize(seeds, config).table)


def test_a_table_with_rows_never_written_is_refused(seeds, monkeypatch):
    config = ca.TokenizerConfig()
    chunks, builder = seed_chunks(seeds, config)
    write_rows = token_table._write_rows

    def fails_once(*args, **columns):
        monkeypatch.setattr(token_table, "_write_rows", write_rows)
        raise MemoryError("no room")

    monkeypatch.setattr(token_table, "_write_rows", fails_once)
    with pytest.raises(MemoryError):
        builder.add(0, chunks[0])
    for job in range(1, len(chunks)):
        builder.add(job, chunks[job])
    with pytest.raises(RuntimeError, match=f"^{len(chunks[0].codes)} of the .* rows handed out were never written"):
        builder.table()


def test_the_calling_process_segments_the_first_chunk_and_every_chunk_arrives_once(seeds):
    config = ca.TokenizerConfig()
    texts = seeds.docs["text"].tolist()
    bounds = tokens_module.document_ranges(seeds.docs["n_chars"].to_numpy(), 3000)
    arrived = []
    with tokens_module.ProcessPoolExecutor(max_workers=1, initializer=tokens_module._worker_init,
                                           initargs=(config, texts)) as pool:
        tokens_module._segment_here_and_in(pool, 1, texts, bounds, config,
                                           lambda job, chunk: arrived.append(job), tqdm(disable=True))
    assert arrived[0] == 0  # rows are written from the first chunk on
    assert sorted(arrived) == list(range(len(bounds)))


def test_document_ranges_cover_every_document_once_in_runs_of_about_the_target():
    lengths = np.array([0, 40, 70, 0, 500, 20, 20, 20, 0])
    assert tokens_module.document_ranges(lengths, 100) == [(0, 3), (3, 4), (4, 5), (5, 9)]  # the long one alone
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 3000, 500)
    ranges = tokens_module.document_ranges(lengths, 10_000)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(lengths) and all(start < end for start, end in ranges)
    assert [end for _, end in ranges[:-1]] == [start for start, _ in ranges[1:]]
    parts = -(-lengths.sum() // 10_000)
    sizes = np.array([lengths[start:end].sum() for start, end in ranges])
    assert len(ranges) == parts and (np.abs(sizes - lengths.sum() / parts) <= 3000).all()  # equal, within a document
    assert tokens_module.document_ranges(np.zeros(0, np.int64), 100) == []
    assert tokens_module.document_ranges(np.array([5, 5]), 1) == [(0, 1), (1, 2)]
    with pytest.raises(ValueError, match="chunk_chars"):
        tokens_module.document_ranges(lengths, 0)


def test_configuration_key_names_what_decides_the_tokens():
    assert ca.TokenizerConfig().key == ca.TokenizerConfig().key
    assert ca.TokenizerConfig().key != ca.TokenizerConfig(boilerplate=True).key
    described = ca.TokenizerConfig().describe()
    assert set(described["dictionary_hashes"]) == {"policy_lexicon.txt", "places.txt"}
    assert described["backend"] in BACKENDS and described["backend_version"] and described["jieba_version"]
    assert ca.TokenizerConfig(backend="jieba").describe()["backend"] == "jieba"


def test_an_unknown_option_is_named_with_the_ones_there_are(seeds):
    with pytest.raises(TypeError, match=r"no option 'chunk_sentences': its own are n_jobs, chunk_chars, progress, cache, .*boilerplate"):
        ca.tokenize(seeds, chunk_sentences=100)
    with pytest.raises(TypeError, match="not both"):
        ca.tokenize(seeds, ca.TokenizerConfig(), boilerplate=True)


def test_docvars_travel_with_the_tokens(seed_tokens):
    table = seed_tokens.to_frame(with_docvars=True)
    assert {"city", "year", "doc_type"} <= set(table.columns)
    assert set(table.loc[table["doc_id"] == "urumqi_2013_report", "city"]) == {"乌鲁木齐"}


def test_a_token_table_read_back_from_csv_is_the_table_again(seed_tokens, tmp_path):
    seed_tokens.table.to_csv(tmp_path / "tokens.csv", index=False)
    back = ca.Tokens(pd.read_csv(tmp_path / "tokens.csv"), seed_tokens.docvars, seed_tokens.config)  # empty tags: NaN
    for column in ("doc_id", "token", "tag"):  # strings again categorical, over the same categories
        assert back.table[column].cat.categories.tolist() == seed_tokens.table[column].cat.categories.tolist()
        assert back.table[column].tolist() == seed_tokens.table[column].tolist()
    assert (ca.dtm(back).counts != ca.dtm(seed_tokens).counts).nnz == 0
    pd.testing.assert_frame_equal(ca.textrank(back), ca.textrank(seed_tokens))
    with pytest.raises(ValueError, match="column 'token' of the token table has missing values"):
        ca.Tokens(seed_tokens.table.astype({"token": object}).assign(token=None), seed_tokens.docvars, seed_tokens.config)
    numbered = seed_tokens.table.astype({"doc_id": str}).assign(doc_id=lambda t: t["doc_id"].str.len())
    with pytest.raises(ValueError, match=r"doc_id\(s\) \[.*\] of the token table are not in its docvars"):
        ca.Tokens(numbered, seed_tokens.docvars, seed_tokens.config)  # as '001' read back as the number 1
    with pytest.raises(ValueError, match=r"needs the columns .* this one has no \['is_term'\]"):
        ca.Tokens(seed_tokens.table.drop(columns="is_term"), seed_tokens.docvars, seed_tokens.config)


def test_reading_tokens_as_running_text_refuses_a_table_out_of_text_order(seed_tokens):
    shuffled = ca.Tokens(seed_tokens.table.sort_values("token"), seed_tokens.docvars, seed_tokens.config)
    for reading in (ca.textrank, ca.collocations, lambda tokens: ca.kwic(tokens, "人才"),
                    lambda tokens: ca.term_coverage(tokens, ["人才"])):
        with pytest.raises(ValueError, match="not in text order"):
            reading(shuffled)
    again = ca.Tokens(shuffled.table.sort_values(["doc_id", "i"]), seed_tokens.docvars, seed_tokens.config)
    pd.testing.assert_frame_equal(ca.kwic(again, "人才"), ca.kwic(seed_tokens, "人才"))


def split_by_spans(paragraphs: list[str]) -> tuple[list[str], list[int]]:
    """The sentences the compiled splitter finds in the paragraphs, and how many each has."""
    points = code_points("".join(paragraphs))
    ends = np.cumsum([len(p) for p in paragraphs], dtype=np.int64)
    points, bounds, paragraph = sentence_code_points(points, ends - [len(p) for p in paragraphs], ends)
    sentences = strings_between(points, bounds)
    return sentences, np.bincount(paragraph, minlength=len(paragraphs)).tolist()


def split_one_by_one(paragraphs: list[str]) -> tuple[list[str], list[int]]:
    one_by_one = [split.sentences(p) for p in paragraphs]
    return [s for part in one_by_one for s in part], list(map(len, one_by_one))


def test_compiled_sentence_split_equals_the_regular_expression():
    paragraphs = ["一是加强领导。二是“完善机制！”三是", "表头\t\t单元格。\t尾", "没有句号", "？！……", "回车\r在内。 ",
                  "", "。", "\u3000。a\t。a\t", " \x1c！”x"]
    assert split_by_spans(paragraphs) == split_one_by_one(paragraphs)
    rng = random.Random(7)
    alphabet = "。！？!?…”’」』》）)】\t \u3000\r\x0b\x1c\x85\xa0a中b\ud800𠀀"
    for _ in range(3000):
        paragraphs = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(rng.randint(1, 5))]
        assert split_by_spans(paragraphs) == split_one_by_one(paragraphs)


@pytest.mark.parametrize("longest", [codepoints.LONGEST_NUMPY_STRING, 0])  # 0: the way of strings numpy cannot hold
def test_code_points_are_the_characters_and_round_trip(longest, monkeypatch):
    monkeypatch.setattr(codepoints, "LONGEST_NUMPY_STRING", longest)
    rng = random.Random(3)
    alphabet = "交通a\x00\ud800\udfff𠀀\U0010ffff\u3000\n"
    texts = ["", "\x00", "a\x00\x00", "尾\x00"] + ["".join(rng.choices(alphabet, k=rng.randint(1, 20))) for _ in range(500)]
    for text in texts:
        points = code_points(text)
        assert points.dtype == np.int32 and points.flags.writeable and points.flags.c_contiguous
        assert points.tolist() == [ord(c) for c in text]
        assert codepoints.from_code_points(points) == text


@pytest.mark.parametrize("arrow_type", [pa.large_string(), pa.string()])
def test_code_points_decoded_from_arrow_are_those_of_the_joined_strings(arrow_type):
    """Every UTF-8 width (1 to 4 bytes, up to U+10FFFF), NUL, empty strings, and slices of an
    array, whose offsets do not start at 0: the decoded code points and starts are those of
    the strings joined in Python."""
    rng = random.Random(4)
    alphabet = "交通a\x00\x7f\x80é\u07ff\u0800\uffff𠀀\U0010ffff\u3000\n"
    texts = ["", "\x00", "尾"] + ["".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(400)] + [""]
    strings = pa.array(texts, type=arrow_type)
    for start, end in [(0, len(texts)), (0, 0), (5, 6), (3, 170), (170, len(texts))]:
        points, starts = codepoints.utf8_code_points(strings[start:end])
        expected_points, expected_starts = joined_code_points(texts[start:end])
        assert points.dtype == np.int32 and points.flags.writeable and points.flags.c_contiguous
        assert points.tolist() == expected_points.tolist() and starts.tolist() == expected_starts.tolist()


def test_rows_of_every_kind_of_text_column_give_the_code_points_of_their_strings():
    """An Arrow-held ``str`` column (in one piece or several) is decoded from its UTF-8; a column
    of Python objects, which can hold a lone surrogate that UTF-8 cannot, from its strings."""
    texts = ["交通a\x00", "", "𠀀\U0010ffff尾", "é\n中", "b"]
    arrow = pd.Series(texts, dtype="str")
    columns = {"str": arrow, "pieces": pd.concat([arrow[:2], arrow[2:]], ignore_index=True),
               "object": pd.Series(["交\ud800通", *texts[1:]], dtype=object)}
    assert isinstance(pa.array(columns["pieces"].array), pa.ChunkedArray)
    for column in columns.values():
        rows = codepoints.rows_as_code_points(column)
        for start, end in [(0, 5), (1, 3), (2, 2), (4, 5)]:
            points, starts = rows(start, end)
            expected_points, expected_starts = joined_code_points(column.iloc[start:end].tolist())
            assert points.tolist() == expected_points.tolist() and starts.tolist() == expected_starts.tolist()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_texts_held_as_python_objects_give_the_same_table(seeds, seed_tokens, n_jobs):
    """A docs table whose texts are Python objects (as pandas before 3 keeps them) is segmented
    from its strings, into the same table."""
    as_objects = ca.Corpus(seeds.docs.drop(columns="n_chars"))  # the constructor makes the texts str
    as_objects.docs = as_objects.docs.assign(text=pd.Series(seeds.docs["text"].tolist(), dtype=object))
    assert as_objects.docs["text"].dtype == object
    table = ca.tokenize(as_objects, n_jobs=n_jobs, chunk_chars=5000).table
    pd.testing.assert_frame_equal(table, seed_tokens.table)


def test_code_points_are_decoded_from_any_array_of_strings_without_missing_values():
    with pytest.raises(TypeError, match="of strings"):
        codepoints.utf8_code_points(pa.array([1, 2]))
    no_offsets = pa.Array.from_buffers(pa.large_string(), 0, [None, pa.py_buffer(b""), pa.py_buffer(b"")])
    points, starts = codepoints.utf8_code_points(no_offsets)  # an empty array may have no offsets at all
    assert points.tolist() == [] and starts.tolist() == [0]
    points, starts = codepoints.utf8_code_points(pa.chunked_array([pa.array(["ab"]), pa.array(["", "中"])]))
    assert points.tolist() == [ord("a"), ord("b"), ord("中")] and starts.tolist() == [0, 2, 2, 3]
    with pytest.raises(ValueError, match="missing values"):
        codepoints.utf8_code_points(pa.array(["a", None]))


def test_the_compiled_kernels_character_table_is_what_str_and_re_see():
    classes = characters.character_classes()
    assert np.flatnonzero(classes & characters.SPACE).tolist() == [c for c in range(0x110000) if chr(c).isspace()]
    assert np.flatnonzero(classes & characters.DIGIT).tolist() == [c for c in range(0x110000) if chr(c).isdecimal()]


def test_an_interrupted_batch_leaves_the_tokenizer_as_it_was(monkeypatch):
    from cityanalytics.text import compiled_jieba

    tokenizer = tokenizer_for(ca.TokenizerConfig(backend="numba"))
    encode = compiled_jieba._encode

    def interrupted(*args):  # what Ctrl-C does: raised as the kernel returns
        encode(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(compiled_jieba, "_encode", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tokenizer.lcut("上海发展")
    monkeypatch.setattr(compiled_jieba, "_encode", encode)
    assert tokenizer.lcut("城市经济发展上海") == ["城市", "经济", "发展", "上海"]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_empty_corpus_has_an_empty_table(n_jobs):
    tokens = ca.tokenize(ca.Corpus.from_texts([]), n_jobs=n_jobs)
    assert len(tokens) == 0 and list(tokens.to_frame().columns) == TOKEN_COLUMNS


def test_corpus_sentences_are_the_split_paragraphs(seeds):
    sentences = seeds.sentences()
    paragraphs = seeds.paragraphs()
    first = paragraphs[paragraphs["doc_id"] == paragraphs["doc_id"].iloc[0]]
    expected = [s for text in first["text"] for s in split.sentences(text)]
    assert sentences.loc[sentences["doc_id"] == first["doc_id"].iloc[0], "text"].tolist() == expected
