"""Choosing the number of topics: a sweep over K and seeds with coherence, exclusivity and stability.

In the spirit of stm's ``searchK``: :func:`sweep` fits one :class:`TopicModel` per (K, seed) and
scores each with

- coherence (c_v, c_npmi, u_mass; Röder et al. 2015) of its top terms against the models' own
  units, from one :class:`CoherenceIndex` shared by every model (the reference corpus does not
  depend on K or seed, which the sweep checks);
- exclusivity: the mean share β_kw / Σ_j β_jw of a topic's top terms (1/K for topics that are all
  alike, 1 for topics that share none of their top terms);
- stability: how well the topics of one seed are found again by the other seeds at the same K,
  as the mean cosine similarity of topics matched one-to-one by the Hungarian method.

:func:`summarise` gives one row per K and :func:`recommend_k` a K with its reason by a stated rule.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from tqdm.auto import tqdm

from cityanalytics.text.tokens import Tokens
from cityanalytics.topics.coherence import CoherenceIndex
from cityanalytics.topics.model import TopicModel

MEASURES = ("c_v", "c_npmi", "u_mass")
SWEEP_COLUMNS = ["k", "seed", "engine", *MEASURES, "exclusivity", "stability", "stability_null", "stability_adjusted",
                 "n_units", "n_terms"]
SUMMARY_MEASURES = (*MEASURES, "exclusivity", "stability", "stability_adjusted")


def match_topics(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Match the topics of two models (topic × term matrices over the same vocabulary) one-to-one.

    The Hungarian method (``scipy.optimize.linear_sum_assignment``) maximises the summed cosine
    similarity of the matched term distributions. Returns ``(match, similarity)``, both of length
    ``len(a)``: ``b[match[i]]`` is the topic of ``b`` matched to ``a[i]`` and ``similarity[i]`` their
    cosine similarity. When ``b`` has fewer topics than ``a``, the unmatched topics of ``a`` get
    ``match == -1`` and a NaN similarity.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"topic-term matrices over the same vocabulary are needed, not shapes {a.shape} and {b.shape}")
    similarity = _unit_rows(a) @ _unit_rows(b).T
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    match = np.full(len(a), -1, dtype=np.intp)
    matched = np.full(len(a), np.nan)
    match[rows] = cols
    matched[rows] = similarity[rows, cols]
    return match, matched


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if (norms == 0).any():
        raise ValueError("a topic has no weight on any term; cosine similarity is undefined")
    return matrix / norms


def topic_exclusivity(components: np.ndarray, n_top: int = 10) -> np.ndarray:
    """Exclusivity of each topic: the mean of β_kw / Σ_j β_jw over the topic's ``n_top`` most probable terms.

    This is the exclusivity ratio of stm and FREX (Bischof & Airoldi 2012), averaged over the top
    terms (stm's ``exclusivity()`` itself sums FREX scores instead). It runs from 1/K, when every
    topic gives the terms the same weight, to 1, so compare it between models of the same K or
    read it against 1/K. Top terms are ranked as in ``TopicModel.topic_terms_`` (ties by column).
    """
    components = np.asarray(components, dtype=float)
    totals = components.sum(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, components / totals, 0.0)
    top = np.argsort(-components, axis=1, kind="stable")[:, :n_top]
    return np.take_along_axis(share, top, axis=1).mean(axis=1)


def _top_terms(model: TopicModel) -> list[list[str]]:
    """Each topic's top terms in rank order, from the model's ``topic_terms_`` table."""
    table = model.topic_terms_.sort_values(["topic", "rank"], kind="stable")
    return [list(table.loc[table["topic"] == k, "term"]) for k in range(model.n_topics)]


def sweep(tokens: Tokens, ks, seeds=(0, 1, 2), *, engine: str = "gensim-lda", unit: str = "paragraph",
          n_top: int = 10, progress: bool = True, **model_options) -> pd.DataFrame:
    """Fit one ``TopicModel`` per (K, seed) and score it; one row per model.

    Columns: k, seed, engine, c_v, c_npmi, u_mass (means over topics of the coherence of each
    topic's ``n_top`` top terms), exclusivity (mean over topics, see :func:`topic_exclusivity`),
    stability (mean matched cosine similarity with each other seed's model of the same K, averaged
    over those models; NaN with one seed), stability_null (the same for topics whose weights are
    shuffled over the terms: what matching alone achieves at this K), stability_adjusted
    ((stability − null) / (1 − null), comparable across Ks, since raw stability falls with K by
    construction), n_units (units fitted) and n_terms (vocabulary size).
    ``model_options`` go to ``TopicModel`` (e.g. ``passes``, ``max_iter``, ``min_docs``). The units
    (counts and texts) do not depend on K or seed, so they are computed once, and one
    ``CoherenceIndex`` built from their texts scores every model. Rows follow ``ks``, then ``seeds``.
    """
    ks = [int(k) for k in ks]
    seeds = [int(s) for s in seeds]
    for name, values in (("ks", ks), ("seeds", seeds)):
        if not values:
            raise ValueError(f"{name} is empty")
        if len(set(values)) != len(values):
            raise ValueError(f"{name} has repeated values: {values}")
    reserved = {"n_topics", "random_state", "engine", "unit", "n_top"} & set(model_options)
    if reserved:
        raise TypeError(f"{sorted(reserved)} are set by the sweep itself")

    units = TopicModel(ks[0], engine=engine, unit=unit, n_top=n_top, **model_options).units(tokens)
    n_units, n_terms = units[0].shape
    too_many = [k for k in ks if k > min(n_units, n_terms)]
    if too_many:  # before any model is fitted, not after the smaller Ks
        raise ValueError(f"{n_units} units and {n_terms} terms are too few for {too_many[0]} topics (ks {too_many})")
    index = CoherenceIndex(units[1])
    rows, components = [], {}
    bar = tqdm(total=len(ks) * len(seeds), desc="topic sweep", unit="model", disable=not progress)
    try:
        for k, seed in itertools.product(ks, seeds):
            bar.set_postfix(k=k, seed=seed)
            model = TopicModel(k, engine=engine, unit=unit, random_state=seed, n_top=n_top, **model_options)
            model.fit_units(units)
            top = _top_terms(model)
            rows.append({"k": k, "seed": seed, "engine": engine,
                         **{m: float(np.mean(index.score(top, m))) for m in MEASURES},
                         "exclusivity": float(topic_exclusivity(model.components_, n_top).mean()),
                         "n_units": len(model.units_), "n_terms": len(model.vocabulary_)})
            components[k, seed] = model.components_
            bar.update()
    finally:
        bar.close()

    for row in rows:
        others = [s for s in seeds if s != row["seed"]]
        pairs = [_pair_stability(components, row["k"], row["seed"], s) for s in others]
        row["stability"] = float(np.mean([p[0] for p in pairs])) if pairs else np.nan
        row["stability_null"] = float(np.mean([p[1] for p in pairs])) if pairs else np.nan
        # a null of 1 (e.g. one term; to rounding) leaves nothing to adjust for: NaN, not a division by ~0
        row["stability_adjusted"] = ((row["stability"] - row["stability_null"]) / (1 - row["stability_null"])
                                     if row["stability_null"] < 1 - 1e-9 else np.nan)
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS)


def _pair_stability(components: dict, k: int, s: int, t: int) -> tuple[float, float]:
    """Mean matched similarity of two seeds' models, and the same for a null in which the second
    model's topics have their weights shuffled over the terms (same K, same weight profiles, no
    shared structure). Computed in one fixed order, so both are symmetric in the two seeds."""
    first, second = sorted((s, t))
    observed = float(match_topics(components[k, first], components[k, second])[1].mean())
    rng = np.random.default_rng([k, first, second])
    shuffled = np.stack([rng.permutation(row) for row in components[k, second]])
    null = float(match_topics(components[k, first], shuffled)[1].mean())
    return observed, null


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """One row per K from a :func:`sweep` table, with the rule of :func:`recommend_k` laid out.

    Columns: k, n_seeds, ``<measure>_mean`` and ``<measure>_sd`` (over seeds; sd NaN with one seed)
    for c_v, c_npmi, u_mass, exclusivity, stability and stability_adjusted, rank_c_v and
    rank_stability (of the adjusted stability; 1 = highest mean; ties share the average rank),
    mean_rank and recommended.
    """
    missing = {"k", "seed", *SUMMARY_MEASURES} - set(table.columns)
    if missing:
        raise KeyError(f"not a sweep table: columns {sorted(missing)} are missing")
    if table.empty:
        raise ValueError("the sweep table has no rows")
    grouped = table.groupby("k", sort=True)
    summary = grouped["seed"].count().rename("n_seeds").to_frame()
    for measure in SUMMARY_MEASURES:
        summary[f"{measure}_mean"] = grouped[measure].mean()
        summary[f"{measure}_sd"] = grouped[measure].std(ddof=1)
    summary = summary.reset_index()
    stability = summary["stability_adjusted_mean"]
    summary["rank_c_v"] = summary["c_v_mean"].rank(ascending=False, method="average", na_option="bottom")
    if stability.notna().any():
        summary["rank_stability"] = stability.rank(ascending=False, method="average", na_option="bottom")
        summary["mean_rank"] = (summary["rank_c_v"] + summary["rank_stability"]) / 2
    else:
        summary["rank_stability"] = np.nan
        summary["mean_rank"] = summary["rank_c_v"]
    best = summary.sort_values(["mean_rank", "k"], kind="stable").index[0]
    summary["recommended"] = summary.index == best
    return summary


def recommend_k(table: pd.DataFrame) -> tuple[int, str]:
    """A recommended K from a :func:`sweep` table, and a one-sentence reason naming the numbers.

    The rule: average the measures over seeds for each K; rank the Ks by mean c_v and by mean
    null-adjusted stability (1 = highest); take the K with the smallest mean of its two ranks,
    ties going to the smaller K. Adjusting stability by its null at the same K keeps the rule
    from favouring small K merely because matching fewer topics is easier. With one seed per K
    stability is undefined and the rule is the highest mean c_v.
    """
    summary = summarise(table)
    row = summary.loc[summary["recommended"]].iloc[0]
    k, n = int(row["k"]), len(summary)
    if np.isnan(row["rank_stability"]):
        return k, (f"K={k} has the highest mean c_v ({row['c_v_mean']:.3f}) of the {n} Ks swept; "
                   "stability is undefined with one seed per K.")
    return k, (f"K={k} has mean c_v {row['c_v_mean']:.3f} (rank {row['rank_c_v']:g} of {n}) and mean null-adjusted "
               f"stability {row['stability_adjusted_mean']:.3f} (rank {row['rank_stability']:g} of {n}; raw "
               f"{row['stability_mean']:.3f}), the best mean rank ({row['mean_rank']:g}) of the {n} Ks swept.")
