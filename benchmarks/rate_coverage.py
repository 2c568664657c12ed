"""How often the intervals of a group's theme rate (`emphasis`, `trends`) cover the true rate.

    python benchmarks/rate_coverage.py [--simulations 1000] [--n-boot 1000]

`emphasis(tokens, by="city")` and `trends` give a group of documents the rate of a theme's terms
per 10,000 terms with a percentile bootstrap interval that resamples the group's documents and
then their paragraphs (`stats.bootstrap_rate_interval` with the documents as clusters). This
simulates groups of documents whose paragraphs hold 20–80 terms each (ten paragraphs a
document); a paragraph's theme hits are Poisson with mean terms × rate × a document effect × a
paragraph effect (both lognormal, sd 0.5 and 0.3 on the log scale), so the documents a group
could have had differ in their attention as real ones do. The true rate is the expected hits per
term over those documents. Prints, by rate and documents a group, the share of groups whose 95 %
interval holds the true rate (Monte Carlo error about ±0.007 at 1,000 simulations), the share
given no interval (no hit at all, where the bounds are NaN), and the intervals' median width
over the true rate.
"""

from __future__ import annotations

import argparse

import numpy as np

from cityanalytics.stats import bootstrap_rate_interval

PARAGRAPHS = 10
DOCUMENT_SD, PARAGRAPH_SD = 0.5, 0.3


def simulated(rng: np.random.Generator, n_docs: int, rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theme hits and term counts of every paragraph of ``n_docs`` documents, and each paragraph's document."""
    terms = rng.integers(20, 81, (n_docs, PARAGRAPHS)).astype(float)
    document = np.exp(rng.normal(0, DOCUMENT_SD, (n_docs, 1)))
    paragraph = np.exp(rng.normal(0, PARAGRAPH_SD, (n_docs, PARAGRAPHS)))
    hits = rng.poisson(terms * rate * document * paragraph).astype(float)
    return hits.ravel(), terms.ravel(), np.repeat(np.arange(n_docs), PARAGRAPHS)


def true_rate(rate: float) -> float:
    """Expected hits per term over the documents a group could have: ``rate`` times the lognormal effects' means."""
    return rate * np.exp(DOCUMENT_SD**2 / 2) * np.exp(PARAGRAPH_SD**2 / 2)


def coverage(rate: float, n_docs: int, simulations: int, n_boot: int) -> tuple[float, float, float]:
    """Coverage among the groups given an interval, the share given none, and the median width over the true rate."""
    truth = true_rate(rate)
    rng = np.random.default_rng(n_docs)
    held, widths, undefined = [], [], 0
    for seed in range(simulations):
        hits, terms, documents = simulated(rng, n_docs, rate)
        low, high = bootstrap_rate_interval(hits[:, None], terms, np.zeros(len(terms), int), clusters=documents,
                                            n_boot=n_boot, seed=seed, scale=1.0)
        if np.isnan(low[0, 0]):
            undefined += 1
            continue
        held.append(low[0, 0] <= truth <= high[0, 0])
        widths.append((high[0, 0] - low[0, 0]) / truth)
    return float(np.mean(held)), undefined / simulations, float(np.median(widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=1000)
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args()
    print("| true rate per 10,000 terms | documents in the group | coverage of the 95 % interval | no interval "
          "| median width ÷ rate |\n|---:|---:|---:|---:|---:|")
    for rate in (0.002, 0.01):
        for n_docs in (2, 3, 5, 10, 20):
            held, undefined, width = coverage(rate, n_docs, args.simulations, args.n_boot)
            print(f"| {true_rate(rate) * 10_000:.0f} | {n_docs} | {held:.3f} | {undefined:.3f} | {width:.2f} |", flush=True)


if __name__ == "__main__":
    main()
