"""Benchmark: a K sweep with ``cityanalytics.topics.selection.sweep`` versus a plain gensim loop.

Both arms fit gensim ``LdaModel`` for K = 3..8 and seeds 0, 1, 2 on the paragraphs of the seed
corpus and score every model's top 10 terms with c_v, c_npmi and u_mass:

- ours: ``sweep(tokens, range(3, 9), seeds=(0, 1, 2))``, which builds each model's counts from
  the tokens, fits, and scores all models against one ``CoherenceIndex`` (plus exclusivity and
  the cross-seed stability, which the plain loop does not compute);
- plain: the same bag-of-words corpus and texts, built once before the clock starts, then per
  model ``LdaModel`` (same passes, iterations, chunk size, random_state) and one gensim
  ``CoherenceModel`` per measure (gensim's defaults: windows 110 and 10, u_mass on the corpus).

Also timed: coherence alone, the plain loop's topics scored by one ``CoherenceIndex`` against 54
``CoherenceModel`` calls. The script checks that the fitted topics and the coherence values agree,
prints a table, and writes it under "Topic-model sweep" in ``benchmarks/README.md``.

    python benchmarks/topic_sweep.py            # --no-write to leave the README alone
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import cityanalytics as ca
from cityanalytics.topics.coherence import CoherenceIndex
from cityanalytics.topics.model import TopicModel, _unit_texts
from cityanalytics.topics.selection import MEASURES, sweep

KS = range(3, 9)
SEEDS = (0, 1, 2)
N_TOP = 10
PASSES = 20  # TopicModel's default
ITERATIONS = 200  # TopicModel's default for gensim-lda
README = Path(__file__).resolve().parent / "README.md"
HEADING = "## Topic-model sweep"


def plain_inputs(tokens):
    """The bag-of-words corpus, dictionary and texts that TopicModel fits and scores (built untimed)."""
    from gensim.corpora import Dictionary
    from gensim.matutils import Sparse2Corpus

    matrix = TopicModel(KS[0], unit="paragraph")._matrix(tokens)
    corpus = list(Sparse2Corpus(matrix.counts, documents_columns=False))
    dictionary = Dictionary.from_corpus(corpus, id2word=dict(enumerate(map(str, matrix.vocabulary))))
    return corpus, dictionary, _unit_texts(tokens, matrix)


def plain_loop(corpus, dictionary, texts):
    """gensim LdaModel + CoherenceModel per (K, seed); returns rows, topics and split timings."""
    from gensim.models import CoherenceModel, LdaModel

    rows, fitted, fit_s, coherence_s = [], {}, 0.0, 0.0
    for k in KS:
        for seed in SEEDS:
            start = time.perf_counter()
            model = LdaModel(corpus, num_topics=k, id2word=dictionary, random_state=seed, passes=PASSES,
                             iterations=ITERATIONS, eval_every=None, chunksize=len(corpus))
            topics = model.get_topics()
            top = [[dictionary[j] for j in order] for order in np.argsort(-topics, axis=1, kind="stable")[:, :N_TOP]]
            middle = time.perf_counter()
            scores = {}
            for measure in MEASURES:
                source = {"corpus": corpus} if measure == "u_mass" else {"texts": texts}
                scores[measure] = np.asarray(CoherenceModel(topics=top, dictionary=dictionary, coherence=measure,
                                                            **source).get_coherence_per_topic())
            end = time.perf_counter()
            fit_s, coherence_s = fit_s + middle - start, coherence_s + end - middle
            rows.append({"k": k, "seed": seed, **{m: float(scores[m].mean()) for m in MEASURES}})
            fitted[k, seed] = (topics, top, scores)
    return pd.DataFrame(rows), fitted, fit_s, coherence_s


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} logical CPUs"


def versions() -> str:
    import gensim
    import scipy
    import sklearn

    return (f"numpy {np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}, "
            f"gensim {gensim.__version__}, scikit-learn {sklearn.__version__}")


def write_section(text: str) -> None:
    """Put ``text`` under the heading in benchmarks/README.md, replacing an earlier run's section."""
    old = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    README.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/README.md alone")
    args = parser.parse_args()
    warnings.simplefilter("ignore", UserWarning)  # the paragraphs left without terms, once per model

    import gensim.models  # noqa: F401  (import time outside both clocks)

    start = time.perf_counter()
    tokens = ca.tokenize(ca.load_corpus(), boilerplate=True)
    tokenize_s = time.perf_counter() - start
    start = time.perf_counter()
    corpus, dictionary, texts = plain_inputs(tokens)
    inputs_s = time.perf_counter() - start

    start = time.perf_counter()
    ours = sweep(tokens, KS, seeds=SEEDS, engine="gensim-lda", unit="paragraph", n_top=N_TOP, passes=PASSES,
                 max_iter=ITERATIONS, progress=False)
    ours_s = time.perf_counter() - start

    start = time.perf_counter()
    plain, fitted, plain_fit_s, plain_coherence_s = plain_loop(corpus, dictionary, texts)
    plain_s = time.perf_counter() - start

    # coherence alone: the plain loop's topics, one index against the CoherenceModel calls above
    start = time.perf_counter()
    index = CoherenceIndex(texts)
    ours_scores = {key: {m: index.score(top, m) for m in MEASURES} for key, (_, top, _) in fitted.items()}
    index_s = time.perf_counter() - start

    # agreement: the same topics per (K, seed), and the same coherence per topic and per model
    # TopicModel renormalises gensim's float32 rows (which sum to 1 only within ~1e-7)
    topics_diff = max(float(np.abs(TopicModel(k, random_state=s, passes=PASSES, max_iter=ITERATIONS)
                                   .fit(tokens).components_ - fitted[k, s][0] / fitted[k, s][0].sum(1, keepdims=True))
                            .max())
                      for k, s in [(KS[0], SEEDS[0]), (KS[-1], SEEDS[-1])])
    per_topic = {m: max(float(np.nanmax(np.abs(ours_scores[key][m] - fitted[key][2][m]))) for key in fitted)
                 for m in MEASURES}
    merged = ours.merge(plain, on=["k", "seed"], suffixes=("", "_gensim"))
    per_model = {m: float((merged[m] - merged[f"{m}_gensim"]).abs().max()) for m in MEASURES}

    n_models = len(KS) * len(SEEDS)
    timings = pd.DataFrame([
        ("full sweep: 18 fits + 54 coherence scores", ours_s, plain_s),
        ("coherence only: 54 scores of the same topics", index_s, plain_coherence_s),
    ], columns=["task", "cityanalytics_s", "gensim_loop_s"])
    timings["ratio"] = timings["gensim_loop_s"] / timings["cityanalytics_s"]
    table = timings.to_string(index=False, float_format=lambda x: f"{x:.2f}")
    agreement = "\n".join(
        f"- {m}: max |difference| per topic {per_topic[m]:.1e}, per model mean {per_model[m]:.1e}" for m in MEASURES)
    print(ours.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print()
    print(table)
    print(f"gensim loop split: LdaModel fits {plain_fit_s:.2f} s, CoherenceModel {plain_coherence_s:.2f} s")
    print(f"untimed setup: tokenize {tokenize_s:.2f} s, plain loop's corpus and texts {inputs_s:.2f} s")
    print(f"topics: max |components difference| TopicModel vs renormalised LdaModel {topics_diff:.1e}")
    print(agreement)

    command = "python benchmarks/topic_sweep.py" + ("".join(f" {a}" for a in sys.argv[1:]))
    section = f"""{HEADING}

`{command}` — K = {KS[0]}..{KS[-1]}, seeds {SEEDS}, gensim `LdaModel` (passes {PASSES}, iterations
{ITERATIONS}, one chunk), paragraphs of the seed corpus ({ours['n_units'].iloc[0]} paragraphs,
{ours['n_terms'].iloc[0]} terms), top {N_TOP} terms per topic; {n_models} models. One run, wall-clock seconds.

- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC
- machine: {machine()}
- Python {platform.python_version()}; {versions()}

```
{table}
```

- cityanalytics: `sweep(...)`, which per model also rebuilds the paragraph counts and texts from
  the tokens and computes exclusivity and cross-seed stability; one `CoherenceIndex` for all models.
- gensim loop: `LdaModel` + one `CoherenceModel(topics=..., coherence=m)` per measure (texts for
  c_v and c_npmi, the bag-of-words corpus for u_mass; default `processes`), on a corpus, dictionary
  and texts built once before the clock ({inputs_s:.2f} s). Its split: fits {plain_fit_s:.2f} s,
  coherence {plain_coherence_s:.2f} s.
- Agreement: the topics of `TopicModel` and of the plain `LdaModel`, its float32 rows renormalised
  as `TopicModel` does, differ by at most {topics_diff:.1e} (checked for K={KS[0]} seed {SEEDS[0]} and
  K={KS[-1]} seed {SEEDS[-1]}); coherence, `CoherenceIndex` against `CoherenceModel`:
{agreement}
"""
    if not args.no_write:
        write_section(section)
        print(f"written to {README}")


if __name__ == "__main__":
    main()
