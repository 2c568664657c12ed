"""Validating a dictionary as a measurement instrument: concordances, agreement with hand coding,
and candidate terms for a theme that a person accepts or rejects (see ``codebook.record_decisions``)."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from cityanalytics.analysis.codebook import Codebook, as_codebook
from cityanalytics.analysis.emphasis import theme_counts
from cityanalytics.stats import two_by_two
from cityanalytics.text.encoding import category_codes
from cityanalytics.text.tokens import Tokens, require_text_order

UNIT_LEVELS = {"document": ("doc_id",), "section": ("doc_id", "section"), "paragraph": ("doc_id", "para")}


def _terms_for(pattern: str | list[str], codebook: Codebook | str | None) -> tuple[list[str], str | None]:
    """A theme key (with a codebook, or when it names a shipped theme) or a term or terms."""
    if isinstance(pattern, str):
        book = as_codebook(codebook)
        if pattern in book.keys:
            return list(book.theme(pattern).terms), pattern
        return [pattern], None
    return list(pattern), None


def kwic(tokens: Tokens, pattern: str | list[str], window: int = 10, codebook: Codebook | str | None = None) -> pd.DataFrame:
    """Keywords in context: every occurrence of a term, a list of terms, or a theme's terms.

    Columns: doc_id, section, para, sent, i, left, keyword, right, theme (when a theme was asked
    for). The context is ``window`` tokens either side within the same document.
    """
    terms, theme = _terms_for(pattern, codebook)
    table = tokens.table
    require_text_order(table)
    token_text = table["token"].astype(str).to_numpy()
    doc = category_codes(table["doc_id"])
    hits = np.flatnonzero(np.isin(token_text, terms))
    rows = []
    for h in hits:
        start = h
        while start > h - window and start > 0 and doc[start - 1] == doc[h]:
            start -= 1
        end = h + 1
        while end < h + 1 + window and end < len(doc) and doc[end] == doc[h]:
            end += 1
        rows.append((str(table["doc_id"].iat[h]), int(table["section"].iat[h]), int(table["para"].iat[h]),
                     int(table["sent"].iat[h]), int(table["i"].iat[h]), "".join(token_text[start:h]), token_text[h],
                     "".join(token_text[h + 1:end])))
    result = pd.DataFrame(rows, columns=["doc_id", "section", "para", "sent", "i", "left", "keyword", "right"])
    if theme is not None:
        result["theme"] = theme
    return result


def validate_coding(tokens: Tokens, hand_coded: pd.DataFrame, codebook: Codebook | str | None = None,
                    unit: str = "paragraph", min_count: int = 1) -> pd.DataFrame:
    """Precision and recall of the dictionary against a hand-coded sample.

    ``hand_coded`` has the unit keys (doc_id, and para or section), ``theme`` and ``label``
    (true when the coder judged the unit to be about the theme). The dictionary codes a unit
    as about a theme when it holds at least ``min_count`` of the theme's terms. Columns: theme,
    n_units, true_pos, false_pos, false_neg, true_neg, precision, recall, f1.
    """
    if unit not in UNIT_LEVELS:
        raise ValueError(f"unit must be one of {list(UNIT_LEVELS)}")
    book = as_codebook(codebook)
    keys = list(UNIT_LEVELS[unit])
    missing = [c for c in [*keys, "theme", "label"] if c not in hand_coded.columns]
    if missing:
        raise ValueError(f"hand-coded sample needs columns {missing}")
    unknown = sorted(set(hand_coded["theme"]) - set(book.keys))
    if unknown:
        raise ValueError(f"hand-coded themes not in the codebook: {unknown}")
    hand_coded = hand_coded.assign(**{key: _whole_numbers(hand_coded[key], key) for key in keys[1:]})
    units, _, counts = theme_counts(tokens, book, UNIT_LEVELS[unit])
    coded = pd.DataFrame(counts >= min_count, columns=book.keys)
    coded[keys] = units[keys]
    coded = coded.melt(id_vars=keys, var_name="theme", value_name="dictionary")
    sample = hand_coded.astype({"doc_id": str}).merge(coded, on=[*keys, "theme"], how="left", indicator=True)
    absent = sample[sample["_merge"] == "left_only"]
    if not absent.empty:
        raise ValueError(f"{len(absent)} hand-coded units are not in the tokens, e.g. {absent[keys].iloc[0].to_dict()}")
    truth = _labels(sample["label"])
    guess = sample["dictionary"].astype(bool)
    sample = sample.assign(tp=truth & guess, fp=~truth & guess, fn=truth & ~guess, tn=~truth & ~guess)
    result = sample.groupby("theme")[["tp", "fp", "fn", "tn"]].sum().astype(int)
    result.columns = ["true_pos", "false_pos", "false_neg", "true_neg"]
    result.insert(0, "n_units", result.sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        result["precision"] = result["true_pos"] / (result["true_pos"] + result["false_pos"])
        result["recall"] = result["true_pos"] / (result["true_pos"] + result["false_neg"])
        result["f1"] = 2 * result["precision"] * result["recall"] / (result["precision"] + result["recall"])
    return result.reset_index()


def _whole_numbers(values: pd.Series, key: str) -> pd.Series:
    """A hand-coded para or section column as integers, or a ValueError naming the first row (counted
    from 1, as the data lines of a CSV after its header) that holds no whole number."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() | (numbers % 1 != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"hand-coded {key!r} must be a whole number, not {values.iloc[row]!r} (row {row + 1} of the "
                         "sample)")
    return numbers.astype(np.int64)


def _labels(values: pd.Series) -> pd.Series:
    """Hand-coded labels as booleans: True/False, 1/0 or the strings true/false/1/0; anything else is an error."""
    mapping = {True: True, False: False, "1": True, "0": False, "true": True, "false": False}  # 1 == True, 0 == False
    normalised = values.map(lambda v: mapping.get(v.strip().lower() if isinstance(v, str) else v))
    bad = values[normalised.isna()]
    if not bad.empty:
        raise ValueError(f"hand-coded labels must be true/false or 1/0; found {sorted(set(map(str, bad)))[:5]}")
    return normalised.astype(bool)


def _stable_hash(word: str) -> int:
    """A hash that is the same in every process (Python's ``hash`` of str is salted per process)."""
    return zlib.crc32(word.encode("utf-8"))


def expand_theme(tokens: Tokens, theme: str, codebook: Codebook | str | None = None, *, method: str = "cooccurrence",
                 n: int = 20, min_count: int = 3, seed: int = 0) -> pd.DataFrame:
    """Candidate terms for a theme, for a person to accept or reject.

    ``method="cooccurrence"``: terms that share paragraphs with the theme more than chance,
    scored by the log-likelihood G² of paragraph presence (signed: negative for terms that
    avoid the theme; ``pmi`` beside it), with at least ``min_count`` shared paragraphs. ``method="word2vec"``: nearest neighbours of the theme's terms in a
    word2vec model trained on the corpus (gensim, one worker and a fixed seed, so it repeats);
    it needs a corpus of many thousands of sentences to say anything.
    Columns: theme, term, method, score, count (corpus frequency), decision (empty; fill with
    accept or reject and pass the table to ``record_decisions``).
    """
    book = as_codebook(codebook)
    members = set(book.theme(theme).terms)
    terms = tokens.table[tokens.table["is_term"]]
    words = terms["token"].astype(str)
    frequency = words.value_counts()
    if method == "cooccurrence":
        paragraph = terms.groupby(["doc_id", "para"], observed=True).ngroup().to_numpy()
        presence = pd.DataFrame({"paragraph": paragraph, "term": words.to_numpy()}).drop_duplicates()
        theme_paragraphs = set(presence.loc[presence["term"].isin(members), "paragraph"])
        n_paragraphs = presence["paragraph"].nunique()
        presence["with_theme"] = presence["paragraph"].isin(theme_paragraphs)
        stats = presence.groupby("term")["with_theme"].agg(["sum", "size"])
        stats = stats[(stats["sum"] >= min_count) & ~stats.index.isin(members)]
        a = stats["sum"].to_numpy()
        b = stats["size"].to_numpy() - a
        c = len(theme_paragraphs) - a
        d = n_paragraphs - a - b - c
        pmi = np.log2(a * n_paragraphs / (stats["size"].to_numpy() * max(len(theme_paragraphs), 1)))
        score = two_by_two(a, b, c, d)[0]
        candidates = pd.DataFrame({"term": stats.index, "score": score, "pmi": pmi})
    elif method == "word2vec":
        from gensim.models import Word2Vec

        require_text_order(tokens.table)  # each sentence's words in their order
        sentences = words.groupby([terms["doc_id"].astype(str), terms["para"], terms["sent"]]).agg(list).tolist()
        model = Word2Vec(sentences, vector_size=100, window=5, min_count=min_count, workers=1, seed=seed,
                         hashfxn=_stable_hash, epochs=20)
        known = [t for t in book.theme(theme).terms if t in model.wv.key_to_index]  # codebook order, not a set's
        if not known:
            raise ValueError(f"none of theme {theme!r}'s terms occurs {min_count} times; lower min_count")
        similar = model.wv.most_similar(positive=known, topn=n + len(members))
        candidates = pd.DataFrame([(t, s) for t, s in similar if t not in members], columns=["term", "score"])
    else:
        raise ValueError("method must be 'cooccurrence' or 'word2vec'")
    candidates = candidates.sort_values(["score", "term"], ascending=[False, True]).head(n)
    candidates.insert(0, "theme", theme)
    candidates.insert(2, "method", method)
    candidates["count"] = candidates["term"].map(frequency).astype(int)
    candidates["decision"] = ""
    return candidates.reset_index(drop=True)
