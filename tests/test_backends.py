"""Segmentation backends: rjieba gives jieba's tokens exactly where it is chosen, and jieba everywhere else.

The agreement on the full real-data corpora is measured by ``benchmarks/backend_agreement.py``;
these tests check the identity on a sample of real sentences, on the characters and runs that
take special handling, and the choice ``backend="auto"`` makes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

import cityanalytics as ca
from cityanalytics.errors import InputFileError
from cityanalytics.text import segment
from cityanalytics.text.fast_jieba import finalseg_cut
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
]

pytestmark = pytest.mark.skipif(not segment.backend_installed("rjieba"), reason="rjieba is not installed")


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


@pytest.mark.parametrize("hmm", [True, False])
def test_rjieba_gives_jiebas_tokens_on_real_sentences(real_sentences, user_dict, hmm):
    for options in ({}, {"user_dicts": (user_dict,)}):
        reference = JiebaTokenizer(TokenizerConfig(backend="jieba", hmm=hmm, **options))
        fast = segment.tokenizer_for(TokenizerConfig(backend="rjieba", hmm=hmm, **options))
        expected_tokens, _, expected_lengths = reference.cut_sentences(real_sentences)
        tokens, _, lengths = fast.cut_sentences(real_sentences)
        assert lengths.tolist() == expected_lengths.tolist(), options
        assert tokens == expected_tokens, options


@pytest.mark.parametrize("hmm", [True, False])
def test_rjieba_gives_jiebas_tokens_on_edge_cases(hmm):
    reference = JiebaTokenizer(TokenizerConfig(backend="jieba", hmm=hmm))
    fast = segment.tokenizer_for(TokenizerConfig(backend="rjieba", hmm=hmm))
    for text in EDGE_CASES:
        assert fast.lcut(text) == reference.lcut(text), text
    tokens, _, lengths = fast.cut_sentences(EDGE_CASES)
    assert tokens == [token for text in EDGE_CASES for token in reference.lcut(text)]
    assert lengths.tolist() == [len(reference.lcut(text)) for text in EDGE_CASES]
    for pair in (["含\n换行", "句子"], ["回车\r", "句子"]):
        assert fast.cut_sentences(pair)[0] == reference.lcut(pair[0]) + reference.lcut(pair[1])


def test_hmm_matches_jiebas_finalseg():
    from jieba import finalseg

    rng = random.Random(0)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工杭研叛徒"
    alphabet += "abcXYZ019.%-+_㐀𠀀"  # letters, digits, signs and characters outside jieba's Han range
    for _ in range(2000):
        run = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert finalseg_cut(run) == list(finalseg.cut(run)), run


def test_token_tables_are_equal_whichever_backend(real_sentences):
    corpus = ca.Corpus.from_texts(["标题\n" + "".join(real_sentences[i : i + 40]) for i in range(0, 1200, 40)])
    expected = ca.tokenize(corpus, backend="jieba").to_frame()
    pd.testing.assert_frame_equal(ca.tokenize(corpus, backend="rjieba").to_frame(), expected)
    pd.testing.assert_frame_equal(ca.tokenize(corpus, n_jobs=2, chunk_sentences=200).to_frame(), expected)


def test_auto_takes_rjieba_only_where_it_reproduces_jieba(tmp_path):
    assert TokenizerConfig().resolved_backend == "rjieba"
    assert TokenizerConfig(hmm=False).resolved_backend == "rjieba"
    assert TokenizerConfig(pos=True).resolved_backend == "jieba"
    unsized = tmp_path / "unsized.dict"
    unsized.write_text("沪嘉同城示范区 nz\n", encoding="utf-8")
    assert TokenizerConfig(user_dicts=(str(unsized),)).resolved_backend == "jieba"
    ascii_word = tmp_path / "ascii.dict"
    ascii_word.write_text("5G 3000 nz\n", encoding="utf-8")
    assert TokenizerConfig(user_dicts=(str(ascii_word),)).resolved_backend == "jieba"
    assert TokenizerConfig(user_dicts=(str(ascii_word),), hmm=False).resolved_backend == "rjieba"
    with pytest.raises(ValueError, match="cannot reproduce jieba"):
        TokenizerConfig(backend="rjieba", pos=True)


def test_the_configuration_names_the_backend_that_segments():
    fast, reference = TokenizerConfig().describe(), TokenizerConfig(backend="jieba").describe()
    assert fast["backend"] == "rjieba" and fast["backend_version"] and fast["jieba_version"]
    assert reference["backend"] == "jieba" and reference["backend_version"] == reference["jieba_version"]
    assert TokenizerConfig().key == TokenizerConfig(backend="rjieba").key != TokenizerConfig(backend="jieba").key


def test_a_missing_backend_is_named_and_auto_falls_back(monkeypatch):
    monkeypatch.setattr(segment, "backend_installed", lambda name: False)
    with pytest.raises(ImportError, match="pip install rjieba"):
        TokenizerConfig(backend="rjieba")
    assert TokenizerConfig().resolved_backend == "jieba"


def test_a_dictionary_that_is_not_utf8_is_named(tmp_path):
    broken = tmp_path / "gbk.dict"
    broken.write_bytes("示范区 100 n\n".encode("gbk"))
    with pytest.raises(InputFileError, match="UTF-8"):
        ca.tokenize(ca.Corpus.from_texts(["示范区"]), user_dicts=(str(broken),))
