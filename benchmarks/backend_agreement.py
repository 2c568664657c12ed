"""Agreement of segmentation backends with jieba, sentence by sentence, on the full real-data corpora.

    python benchmarks/backend_agreement.py [--realdata ../shared/realdata] [--every 1]

For each mode (HMM on or off, part-of-speech tags on or off) the reference is cityanalytics'
jieba tokenizer with the shipped policy lexicon and place names; each candidate gets the same
dictionary entries:

- ``numba (cityanalytics)``: the ``numba`` backend, jieba's algorithm compiled (not offered with tags);
- ``rjieba (cityanalytics)``: the ``rjieba`` backend, set up to reproduce jieba (not offered with tags);
- ``rjieba (plain)``: rjieba's own ``cut``/``tag`` with the entries added by ``add_word``;
- ``jieba_fast_dat (plain)``: if installed, its ``Tokenizer`` on jieba's dictionary with the
  entries added by ``add_word``, and its ``posseg`` for tags.

A sentence agrees when its token list is identical (tokens and tags with ``pos``); a token
agrees when the candidate has a token with the same span (and tag). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import accumulate
from pathlib import Path

import cityanalytics as ca
from cityanalytics.text.segment import JiebaTokenizer, TokenizerConfig, backend_installed, tokenizer_for

SOURCES = {"lawrefbook_local_regulations.jsonl": "text", "provincial_gwr_2025.jsonl": "text",
           "aldohemsn_government_work_reports_central.jsonl": "content"}
MODES = [(True, False), (False, False), (True, True), (False, True)]  # (hmm, pos)


def load_sentences(realdata: Path, every: int) -> dict[str, list[str]]:
    """The sentences of each corpus as cityanalytics splits them (every ``every``-th one)."""
    sentences = {}
    for name, field in SOURCES.items():
        records = [json.loads(line) for line in (realdata / name).read_text("utf-8").splitlines()]
        corpus = ca.Corpus.from_texts([record[field] for record in records])
        sentences[name] = corpus.sentences()["text"].tolist()[::every]
    return sentences


def reference(sentences: list[str], hmm: bool, pos: bool) -> list[list]:
    """jieba's tokens (or (token, tag) pairs) of each sentence."""
    tokenizer = JiebaTokenizer(TokenizerConfig(backend="jieba", hmm=hmm, pos=pos))
    if pos:
        return [[(word, flag) for word, flag in tokenizer.tagger.lcut(s, HMM=hmm)] for s in sentences]
    return [tokenizer.words.lcut(s, HMM=hmm) for s in sentences]


def candidates(hmm: bool, pos: bool) -> dict:
    """name -> function from a list of sentences to their tokens (or pairs), for each available candidate."""
    entries = TokenizerConfig(backend="jieba").dictionary_entries
    found = {}
    if not pos:
        for backend in ("numba", "rjieba"):
            found[f"{backend} (cityanalytics)"] = _backend(tokenizer_for(TokenizerConfig(backend=backend, hmm=hmm)))
    import rjieba

    plain = rjieba.Jieba()
    for word, freq, tag in entries:
        plain.add_word(word, freq, tag)
    if pos:
        found["rjieba (plain)"] = lambda sentences: [[(w, t) for w, t in plain.tag(s, hmm)] for s in sentences]
    else:
        found["rjieba (plain)"] = lambda sentences: [plain.cut(s, hmm) for s in sentences]
    if backend_installed("jieba_fast_dat"):
        found["jieba_fast_dat (plain)"] = _jieba_fast_dat(entries, hmm, pos)
    return found


def _backend(tokenizer):
    """A cityanalytics tokenizer as a function from sentences to each sentence's tokens."""

    def cut(sentences: list[str]) -> list[list[str]]:
        vocabulary, codes, _, lengths = tokenizer.encode_sentences(sentences)
        words = vocabulary.words(tokenizer.words)
        tokens = [words[code] for code in codes.tolist()]
        ends = list(accumulate(lengths.tolist()))
        return [tokens[end - n : end] for end, n in zip(ends, lengths.tolist())]

    return cut


def _jieba_fast_dat(entries, hmm: bool, pos: bool):
    import logging

    import jieba
    import jieba_fast_dat
    import jieba_fast_dat.posseg

    jieba_fast_dat.setLogLevel(logging.WARNING)
    tokenizer = jieba_fast_dat.Tokenizer(str(Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME))
    tokenizer.initialize()
    for word, freq, tag in entries:
        tokenizer.add_word(word, freq, tag)
    if pos:
        tagger = jieba_fast_dat.posseg.POSTokenizer(tokenizer)
        return lambda sentences: [[(p.word, p.flag) for p in tagger.lcut(s, HMM=hmm)] for s in sentences]
    return lambda sentences: [tokenizer.lcut(s, HMM=hmm) for s in sentences]


def _spans(tokens: list) -> set:
    words = [t[0] if isinstance(t, tuple) else t for t in tokens]
    ends = list(accumulate(map(len, words)))
    return {(end - len(word), end, token) for end, word, token in zip(ends, words, tokens)}


def agreement(expected: list[list], actual: list[list]) -> tuple[float, float]:
    """Share of sentences with identical tokens, share of reference tokens reproduced with the same span."""
    same_sentences = same_tokens = total_tokens = 0
    for want, got in zip(expected, actual):
        total_tokens += len(want)
        if want == got:
            same_sentences += 1
            same_tokens += len(want)
        else:
            same_tokens += len(_spans(want) & _spans(got))
    return same_sentences / max(len(expected), 1), same_tokens / max(total_tokens, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "realdata")
    parser.add_argument("--every", type=int, default=1, help="use every n-th sentence (1: all)")
    args = parser.parse_args()
    corpora = load_sentences(args.realdata, args.every)
    rows = []
    for hmm, pos in MODES:
        mode = f"hmm={'on' if hmm else 'off'}, pos={'on' if pos else 'off'}"
        found = candidates(hmm, pos)
        for name, sentences in corpora.items():
            started = time.perf_counter()
            expected = reference(sentences, hmm, pos)
            print(f"{mode} {name}: jieba {time.perf_counter() - started:.0f} s", flush=True)
            for candidate, cut in found.items():
                share_sentences, share_tokens = agreement(expected, cut(sentences))
                rows.append((candidate, mode, name.removesuffix(".jsonl"), len(sentences),
                             sum(map(len, sentences)), share_sentences, share_tokens))
    print("\n| backend | mode | corpus | sentences | characters | identical sentences | identical tokens |")
    print("|---|---|---|---:|---:|---:|---:|")
    for candidate, mode, corpus, n_sentences, n_chars, share_sentences, share_tokens in rows:
        print(f"| {candidate} | {mode} | {corpus} | {n_sentences:,} | {n_chars / 1e6:.2f} M "
              f"| {100 * share_sentences:.3f} % | {100 * share_tokens:.3f} % |")


if __name__ == "__main__":
    main()
