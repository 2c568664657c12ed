"""Segmentation backends: numba and rjieba give jieba's tokens exactly where they are chosen, jieba everywhere else.

The agreement on the full real-data corpora is measured by ``benchmarks/backend_agreement.py``;
these tests check the identity on a sample of real sentences, on the characters and runs that
take special handling, and the choice ``backend="auto"`` makes.
"""

from __future__ import annotations

import gc
import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cityanalytics as ca
from cityanalytics.errors import InputFileError
from cityanalytics.text import segment
from cityanalytics.text.compiled_jieba import (
    MAX_DICTIONARY_CHARS,
    CompiledTokenizer,
    _capacity,
    _child,
    _main_dictionary_chars,
    _rehashed,
    compiled_limitation,
    finalseg_cut,
)
from cityanalytics.text.segment import JiebaTokenizer, TokenizerConfig

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
SOURCES = {"lawrefbook_local_regulations.jsonl": "text", "provincial_gwr_2025.jsonl": "text",
           "aldohemsn_government_work_reports_central.jsonl": "content"}
EDGE_CASES = [
    "增长27%，达到3.5%以上，abc-def和C++、R&D及PM2.5",  # digits, percents and Latin words inside a Han block
    "㐀丁𠀀丂﨑字鿿尾䶵",  # characters that rjieba would look up as Han and jieba does not
    "他来到了网易杭研大厦，我们中出了一个叛徒",  # runs of single characters for the HMM
    "  空格\u3000和\t制表符  ",
    "北京市北京上海接沪融杭一网通办",  # user-dictionary words over words of jieba's own dictionary
    "A1B2c3：1号店与4S店，第2011号",
    "。。！？……",
    "换行\r\n回车\r和\n单独的换行",  # "\r\n" is one token, a lone "\r" or "\n" another
    "版本3.5.6与v2.0%、a.5和.5%，_-+#&。",  # finalseg's letter-and-digit pieces and the signs between them
]
FAST_BACKENDS = [pytest.param(name, marks=pytest.mark.skipif(not segment.backend_installed(name),
                                                             reason=f"{name} is not installed"))
                 for name in ("numba", "rjieba")]


def tokens_of(tokenizer, sentences: list[str]) -> tuple[list[str], list[int]]:
    """Every token of the sentences as a string, and tokens per sentence, from any tokenizer."""
    vocabulary, codes, _, lengths = tokenizer.encode_sentences(sentences)
    words = vocabulary.words(tokenizer.words)
    return [words[code] for code in codes.tolist()], lengths.tolist()


@pytest.fixture(scope="module")
def real_sentences() -> list[str]:
    """Every 8th sentence of every 8th document of the three real-data corpora (4,389 sentences, 0.2 M characters)."""
    if not REALDATA.exists():
        pytest.skip("../shared/realdata is not beside this checkout")
    sentences = []
    for name, field in SOURCES.items():
        records = [json.loads(line) for line in (REALDATA / name).read_text("utf-8").splitlines()]
        corpus = ca.Corpus.from_texts([r[field] for r in records[::8]])
        sentences += corpus.sentences()["text"].tolist()[::8]
    return sentences


@pytest.fixture(scope="module")
def user_dict(tmp_path_factory) -> str:
    """A user dictionary with a new word, a word of jieba's dictionary given a new frequency, and tags."""
    path = tmp_path_factory.mktemp("dicts") / "user.dict"
    path.write_text("地方性法规 50000 nz\n人民政府 900\n示范区建设 3000 n\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("backend", FAST_BACKENDS)
@pytest.mark.parametrize("hmm", [True, False])
def test_fast_backends_give_jiebas_tokens_on_real_sentences(real_sentences, user_dict, backend, hmm):
    for options in ({}, {"user_dicts": (user_dict,)}):
        reference = JiebaTokenizer(TokenizerConfig(backend="jieba", hmm=hmm, **options))
        fast = segment.tokenizer_for(TokenizerConfig(backend=backend, hmm=hmm, **options))
        assert tokens_of(fast, real_sentences) == tokens_of(reference, real_sentences), options


@pytest.mark.parametrize("backend", FAST_BACKENDS)
@pytest.mark.parametrize("hmm", [True, False])
def test_fast_backends_give_jiebas_tokens_on_edge_cases(backend, hmm):
    reference = JiebaTokenizer(TokenizerConfig(backend="jieba", hmm=hmm))
    fast = segment.tokenizer_for(TokenizerConfig(backend=backend, hmm=hmm))
    for text in EDGE_CASES:
        assert fast.lcut(text) == reference.lcut(text), text
    assert tokens_of(fast, EDGE_CASES) == tokens_of(reference, EDGE_CASES)
    for pair in (["含\n换行", "句子"], ["回车\r", "\n句子"], ["", "空句", ""]):
        assert tokens_of(fast, pair) == tokens_of(reference, pair), pair


@pytest.mark.parametrize("hmm", [True, False])
def test_compiled_backend_takes_frequencies_beyond_64_bits(tmp_path, hmm):
    """jieba keeps frequencies and their total as Python integers; so must the compiled tokenizer."""
    huge = tmp_path / "huge.dict"
    huge.write_text(f"中国 {2**63 - 1}\n美国 {2**63 - 1}\n国家 {10**20}\n", encoding="utf-8")
    reference = JiebaTokenizer(TokenizerConfig(backend="jieba", hmm=hmm, user_dicts=(str(huge),)))
    fast = segment.tokenizer_for(TokenizerConfig(backend="numba", hmm=hmm, user_dicts=(str(huge),)))
    for text in ("发展中国家", "他说的确实在理", "中国和美国是国家"):
        assert fast.lcut(text) == reference.lcut(text), text


def test_configurations_that_segment_alike_share_one_tokenizer():
    plain = segment.tokenizer_for(TokenizerConfig())
    assert segment.tokenizer_for(TokenizerConfig(stopwords=False, boilerplate=True)) is plain
    assert segment.tokenizer_for(TokenizerConfig(hmm=False)) is not plain


@pytest.mark.parametrize("hmm", [True, False])
def test_compiled_backend_gives_jiebas_tokens_on_random_text(hmm):
    """Random mixtures of words, single characters, letters, digits, signs, spaces and characters
    beyond the Basic Multilingual Plane, where every branch of jieba's cut is taken."""
    reference = JiebaTokenizer(TokenizerConfig(backend="jieba", hmm=hmm))
    fast = segment.tokenizer_for(TokenizerConfig(backend="numba", hmm=hmm))
    rng = random.Random(1)
    pieces = ["的", "一", "是", "杭", "研", "叛", "徒", "中出", "人民政府", "示范区", "长三角", "a", "Z", "0", "9",
              "3.5", "%", ".", "-", "+", "#", "&", "_", "，", "。", " ", "\u3000", "\t", "\r", "\n", "\r\n", "㐀",
              "𠀀", "鿿", "é", "\ud800"]
    sentences = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    assert tokens_of(fast, sentences) == tokens_of(reference, sentences)


def test_every_dictionary_string_leads_from_the_root_to_its_own_node():
    """The trie's edges, packed with their child into one table entry each, are all found again
    after the table is resized to the number of edges; a character that extends no string leads nowhere."""
    tokenizer = segment.tokenizer_for(TokenizerConfig(backend="numba"))
    root, edges, _, _ = tokenizer.trie
    n_edges = tokenizer.n_nodes - 1 - int((root >= 0).sum())
    assert int((edges != 0).sum()) == n_edges and 2 * n_edges <= len(edges) <= 4 * n_edges
    rng = random.Random(2)
    text = tokenizer._dictionary_text
    for node in rng.sample(range(1, tokenizer.n_nodes), 20_000):
        start, end = tokenizer._node_spans[node]
        found = 0
        for char in text[start:end]:
            found = _child(root, edges, found, ord(char))
        assert found == node, text[start:end]
        assert _child(root, edges, node, ord("\U0010fffd")) == -1
        assert tokenizer.words([node]) == [text[start:end]]


def test_naming_many_words_sets_off_no_garbage_collection():
    """Naming a corpus's worth of new words makes no container per word: tens of thousands of them
    alive at once would set off the collector's generations, its full pass among them (0.1 s)."""
    tokenizer = segment.tokenizer_for(TokenizerConfig(backend="numba"))
    keys = np.concatenate([np.arange(1, 30_001), tokenizer.n_nodes + np.array([ord("中"), ord("A")])])
    collections = []
    gc.callbacks.append(lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
    try:
        words = tokenizer.words(keys)
    finally:
        gc.callbacks.pop()
    assert len(collections) <= 1  # the one collection a few new objects can complete
    text = tokenizer._dictionary_text
    spans = tokenizer._node_spans
    assert words[:3] == [text[a:b] for a, b in spans[1:4].tolist()] and words[-2:] == ["中", "A"]


def test_an_edge_of_the_widest_node_child_and_character_is_found_again():
    """Node, child and code point at the most their bits hold, beside an ordinary edge, in a table of four slots."""
    widest = MAX_DICTIONARY_CHARS  # the largest node number a trie within the limit can have
    entries = np.array([((widest << 21 | 0x10FFFF) << 21) | widest, ((1 << 21 | ord("中")) << 21) | 2], dtype=np.int64)
    edges = _rehashed(entries, _capacity(len(entries)))
    root = np.full(0x110000, -1, np.int32)
    assert _child(root, edges, widest, 0x10FFFF) == widest and _child(root, edges, 1, ord("中")) == 2
    assert _child(root, edges, widest, 0x10FFFE) == -1 and _child(root, edges, widest - 1, 0x10FFFF) == -1


def test_a_dictionary_beyond_the_compiled_trie_is_left_to_jieba(tmp_path):
    """More characters of words than the compiled trie has nodes for: auto takes jieba, numba is refused."""
    big = tmp_path / "big.dict"
    n_words = (MAX_DICTIONARY_CHARS - _main_dictionary_chars()) // 100 + 1  # past the limit with jieba's own words
    big.write_text("".join(f"词{n:099d} 5\n" for n in range(n_words)), encoding="utf-8")
    assert TokenizerConfig(user_dicts=(str(big),)).resolved_backend == "jieba"
    with pytest.raises(ValueError, match="more than the 2,097,151 the compiled trie takes"):
        TokenizerConfig(backend="numba", user_dicts=(str(big),))
    with pytest.raises(ValueError, match="compiled trie"):
        CompiledTokenizer(TokenizerConfig(backend="jieba", user_dicts=(str(big),)).dictionary_entries, hmm=True)
    room = MAX_DICTIONARY_CHARS - _main_dictionary_chars()
    assert compiled_limitation([("词" * room, 1, None)]) == ""
    assert "2,097,152 characters" in compiled_limitation([("词" * (room + 1), 1, None)])


def test_hmm_matches_jiebas_finalseg():
    from jieba import finalseg

    rng = random.Random(0)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工杭研叛徒"
    alphabet += "abcXYZ019.%-+_㐀𠀀"  # letters, digits, signs and characters outside jieba's Han range
    for _ in range(2000):
        run = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert finalseg_cut(run) == list(finalseg.cut(run)), run


@pytest.mark.parametrize("backend", FAST_BACKENDS)
def test_token_tables_are_equal_whichever_backend(real_sentences, backend):
    corpus = ca.Corpus.from_texts(["标题\n" + "".join(real_sentences[i : i + 40]) for i in range(0, 1200, 40)])
    expected = ca.tokenize(corpus, backend="jieba").to_frame()
    pd.testing.assert_frame_equal(ca.tokenize(corpus, backend=backend).to_frame(), expected)
    pd.testing.assert_frame_equal(ca.tokenize(corpus, backend=backend, n_jobs=2, chunk_chars=6000).to_frame(),
                                  expected)


def test_auto_takes_numba_only_where_it_reproduces_jieba(tmp_path):
    assert TokenizerConfig().resolved_backend == "numba"
    assert TokenizerConfig(hmm=False).resolved_backend == "numba"
    assert TokenizerConfig(pos=True).resolved_backend == "jieba"
    unsized = tmp_path / "unsized.dict"
    unsized.write_text("沪嘉同城示范区 nz\n", encoding="utf-8")
    assert TokenizerConfig(user_dicts=(str(unsized),)).resolved_backend == "jieba"
    ascii_word = tmp_path / "ascii.dict"
    ascii_word.write_text("5G 3000 nz\n", encoding="utf-8")
    assert TokenizerConfig(user_dicts=(str(ascii_word),)).resolved_backend == "numba"
    for backend in ("numba", "rjieba"):
        with pytest.raises(ValueError, match="cannot reproduce jieba"):
            TokenizerConfig(backend=backend, pos=True)


@pytest.mark.skipif(not segment.backend_installed("rjieba"), reason="rjieba is not installed")
def test_rjieba_is_refused_where_its_output_cannot_be_mapped_back(tmp_path):
    ascii_word = tmp_path / "ascii.dict"
    ascii_word.write_text("5G 3000 nz\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ASCII letters and digits"):
        TokenizerConfig(backend="rjieba", user_dicts=(str(ascii_word),))
    assert TokenizerConfig(backend="rjieba", user_dicts=(str(ascii_word),), hmm=False).resolved_backend == "rjieba"


def test_the_configuration_names_the_backend_that_segments():
    fast, reference = TokenizerConfig().describe(), TokenizerConfig(backend="jieba").describe()
    assert fast["backend"] == "numba" and fast["backend_version"] and fast["jieba_version"]
    assert reference["backend"] == "jieba" and reference["backend_version"] == reference["jieba_version"]
    assert TokenizerConfig().key == TokenizerConfig(backend="numba").key != TokenizerConfig(backend="jieba").key


def test_a_missing_backend_is_named_and_auto_falls_back(monkeypatch):
    monkeypatch.setattr(segment, "backend_installed", lambda name: False)
    for backend in ("numba", "rjieba"):
        with pytest.raises(ImportError, match=f"pip install {backend}"):
            TokenizerConfig(backend=backend)
    assert TokenizerConfig().resolved_backend == "jieba"


def test_a_dictionary_that_is_not_utf8_is_named(tmp_path):
    broken = tmp_path / "gbk.dict"
    broken.write_bytes("示范区 100 n\n".encode("gbk"))
    with pytest.raises(InputFileError, match="UTF-8"):
        ca.tokenize(ca.Corpus.from_texts(["示范区"]), user_dicts=(str(broken),))
