"""Matching terms and term sets to tokens, shared by emphasis and trends.

A term counts where a token equals it and the token is a term (``is_term``), so counts agree
with :func:`cityanalytics.dtm`. These helpers find the vocabulary codes of each term and say
which terms can never count.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cityanalytics.text.encoding import category_codes
from cityanalytics.text.tokens import Tokens


def token_arrays(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, pd.Index, np.ndarray, pd.Index]:
    """Document codes, token codes, token vocabulary, is_term mask and document names of the table."""
    table = tokens.table
    doc = table["doc_id"]
    if not isinstance(doc.dtype, pd.CategoricalDtype):
        doc = doc.astype("category")
    token = table["token"]
    if not isinstance(token.dtype, pd.CategoricalDtype):
        token = token.astype("category")
    return (
        category_codes(doc).astype(np.int64),
        category_codes(token).astype(np.int64),
        pd.Index(token.cat.categories.astype(str)),
        table["is_term"].to_numpy(bool),
        pd.Index(doc.cat.categories.astype(str)),
    )


def series_codes(series: dict[str, tuple[str, ...]], vocabulary: pd.Index, token_codes: np.ndarray,
                 is_term: np.ndarray, warn_absent: bool = True) -> dict[str, np.ndarray]:
    """Vocabulary codes of each series' members; warns about members that are never counted.

    A single term that is not a token gets its own warning with a hint; a term set gets one
    warning listing such members when ``warn_absent`` (a codebook rarely finds every term in a
    small corpus, so emphasis turns this off). Members that are tokens but never terms (stopwords,
    boilerplate, a filtered part of speech) are always warned about: they can never count.
    """
    term_codes = np.unique(token_codes[is_term])
    codes = {}
    for name, members in series.items():
        found = vocabulary.get_indexer(list(members))
        absent = [m for m, code in zip(members, found) if code < 0]
        not_terms = [m for m, code in zip(members, found) if code >= 0 and not np.isin(code, term_codes)]
        if len(members) == 1 and absent:
            inside = [v for v in vocabulary if members[0] in v][:5]
            hint = f"; tokens containing it: {', '.join(inside)}" if inside else ""
            warnings.warn(f"term {members[0]!r} is not a token anywhere in these tokens, so it counts 0 (segmentation "
                          f"may split it or join it into longer words{hint}); add it to a user dictionary or list its "
                          "variants in a term set", UserWarning, stacklevel=4)
        elif absent and warn_absent:
            warnings.warn(f"term set {name!r}: {len(absent)} of {len(members)} members are not tokens here and count 0 "
                          f"({'、'.join(absent[:10])}{'…' if len(absent) > 10 else ''}); term_coverage shows why",
                          UserWarning, stacklevel=4)
        if not_terms:
            warnings.warn(f"{'、'.join(not_terms)} (in {name!r}) occur as tokens but never as terms (stopwords, "
                          "boilerplate, numbers or a filtered part of speech here), so they count 0",
                          UserWarning, stacklevel=4)
        codes[name] = found[found >= 0]
    return codes
