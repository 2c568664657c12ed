"""Analysis commands: one per analysis function, each printing or writing its tidy table."""

from __future__ import annotations

import functools
from pathlib import Path

import click
import pandas as pd

from cityanalytics.analysis.trends import UNITS as TREND_UNITS
from cityanalytics.cli.common import (
    CODEBOOK_OPTION,
    NON_NEGATIVE,
    POSITIVE,
    corpus_options,
    emit,
    output_options,
    take_tokenizer_options,
    tokenizer_options,
    tokens_from,
)
from cityanalytics.dtm import dtm
from cityanalytics.errors import InputFileError
from cityanalytics.stats import RATE_INTERVALS


def analysis_command(function):
    """A command that loads and tokenizes PATH (the seed corpus by default) and emits a table."""
    @corpus_options
    @tokenizer_options
    @output_options
    @functools.wraps(function)
    def command(path, metadata, fmt, output, **options):
        tokens = tokens_from(path, metadata, **take_tokenizer_options(options))
        emit(function(tokens, **options), output, fmt)

    return command


SEED_OPTION = click.option("--seed", type=int, default=0, show_default=True, help="Seed of the resampling.")
RATE_INTERVAL_OPTION = click.option(
    "--interval", type=click.Choice(RATE_INTERVALS), default="bootstrap", show_default=True,
    help="bootstrap: percentile intervals; cluster: t intervals on the log scale from errors clustered by document "
         "(CR2), which hold their level with few documents a group.")
BY_OPTION = click.option("--by", default="document", show_default=True,
                         help="Unit: document, section, paragraph, or a docvar such as city or year (repeat with commas).")


def _by(value: str) -> str | list[str]:
    return value.split(",") if "," in value else value


@click.command("emphasis")
@BY_OPTION
@CODEBOOK_OPTION
@RATE_INTERVAL_OPTION
@click.option("--n-boot", type=NON_NEGATIVE, default=1000, show_default=True, help="Bootstrap resamples.")
@SEED_OPTION
@analysis_command
def emphasis_command(tokens, by, codebook, interval, n_boot, seed):
    """Attention to each codebook theme per unit: rate per 10,000 terms and share, with intervals.

    Columns: the --by columns, theme, label, label_en, n_theme, n_terms, n_coded, rate_per_10k, ci_low, ci_high,
    share, share_low, share_high, n_docs, n_resampled.
    """
    from cityanalytics.analysis.emphasis import emphasis

    return emphasis(tokens, by=_by(by), codebook=codebook, interval=interval, n_boot=n_boot, seed=seed)


@click.command("compare")
@click.option("--by", default="city", show_default=True, help="Docvar whose groups are compared.")
@click.option("--versus", type=click.Choice(["rest", "pairwise"]), default="rest", show_default=True,
              help="Each group against the rest, or every pair of groups.")
@CODEBOOK_OPTION
@click.option("--n-perm", type=POSITIVE, default=5000, show_default=True, help="Permutations per comparison.")
@SEED_OPTION
@analysis_command
def compare_command(tokens, by, versus, codebook, n_perm, seed):
    """Permutation tests of theme rates between groups, Benjamini–Hochberg corrected.

    Columns: group, versus, theme, label, rate_group, rate_versus, difference, p, p_bh, n_units_group, n_units_versus.
    """
    from cityanalytics.analysis.emphasis import compare_emphasis

    return compare_emphasis(tokens, by=by, codebook=codebook, versus=versus, n_perm=n_perm, seed=seed)


@click.command("kwic")
@click.option("--pattern", required=True, multiple=True, help="A term or a codebook theme key (repeatable).")
@click.option("--window", type=NON_NEGATIVE, default=10, show_default=True, help="Tokens of context on each side.")
@CODEBOOK_OPTION
@analysis_command
def kwic_command(tokens, pattern, window, codebook):
    """Keywords in context for terms or a theme.

    Columns: doc_id, section, para, sent, i, left, keyword, right (and theme for a theme).
    """
    from cityanalytics.analysis.validation import kwic

    return kwic(tokens, pattern[0] if len(pattern) == 1 else list(pattern), window=window, codebook=codebook)


@click.command("validate")
@click.option("--hand-coded", required=True, type=click.Path(exists=True, path_type=Path),
              help="CSV with doc_id, para (or section), theme, label.")
@click.option("--unit", type=click.Choice(["document", "section", "paragraph"]), default="paragraph", show_default=True,
              help="Unit that the sample codes.")
@CODEBOOK_OPTION
@analysis_command
def validate_command(tokens, hand_coded, unit, codebook):
    """Precision, recall and F1 of the dictionary coding against a hand-coded sample.

    Columns: theme, n_units, true_pos, false_pos, false_neg, true_neg, precision, recall, f1.
    """
    from cityanalytics.analysis.validation import validate_coding

    try:  # doc_ids as written, so that 001 stays 001 as in the corpus
        sample = pd.read_csv(hand_coded, dtype={"doc_id": str})
    except ValueError as error:  # not UTF-8, not a table
        raise click.ClickException(f"{hand_coded}: not a readable UTF-8 CSV table ({error})") from None
    try:
        return validate_coding(tokens, sample, codebook=codebook, unit=unit)
    except InputFileError:  # the codebook's, which names its own file
        raise
    except ValueError as error:  # what is wrong with the sample
        raise click.ClickException(f"{hand_coded}: {error}") from None


@click.command("expand")
@click.option("--theme", required=True, help="Codebook theme key.")
@click.option("--method", type=click.Choice(["cooccurrence", "word2vec"]), default="cooccurrence", show_default=True,
              help="Rank candidates by co-occurrence with the theme's terms, or by word2vec similarity.")
@click.option("--n", type=POSITIVE, default=20, show_default=True, help="Number of candidates.")
@click.option("--min-count", type=POSITIVE, default=3, show_default=True, help="Least co-occurrences (or occurrences).")
@CODEBOOK_OPTION
@SEED_OPTION
@analysis_command
def expand_command(tokens, theme, method, n, min_count, codebook, seed):
    """Candidate terms for a theme, with an empty decision column to fill in (accept/reject).

    Columns: theme, term, method, score, pmi (cooccurrence only), count, decision.
    """
    from cityanalytics.analysis.validation import expand_theme

    return expand_theme(tokens, theme, codebook=codebook, method=method, n=n, min_count=min_count, seed=seed)


@click.command("frequency")
@click.option("--by", default=None, help="Docvar to count within (default: the whole corpus).")
@click.option("--n", type=POSITIVE, default=None, help="Keep the top n terms per group.")
@analysis_command
def frequency_command(tokens, by, n):
    """Term frequencies with rates per 10,000 terms and document frequencies.

    Columns: the --by column, term, count, rate_per_10k, doc_freq, rank.
    """
    from cityanalytics.analysis.keywords import frequency

    return frequency(dtm(tokens), by=_by(by) if by else None, n=n)


@click.command("tfidf")
@click.option("--n", type=POSITIVE, default=10, show_default=True, help="Terms per document.")
@analysis_command
def tfidf_command(tokens, n):
    """Top tf-idf terms of each document. Columns: doc_id, term, weight, rank."""
    from cityanalytics.analysis.keywords import tfidf_keywords

    return tfidf_keywords(dtm(tokens), n=n)


@click.command("textrank")
@click.option("--n", type=POSITIVE, default=10, show_default=True, help="Keywords per document.")
@click.option("--window", type=click.IntRange(min=2), default=5, show_default=True,
              help="Co-occurrence window in terms (at least 2).")
@analysis_command
def textrank_command(tokens, n, window):
    """TextRank keywords of each document. Columns: doc_id, term, score, rank."""
    from cityanalytics.analysis.keywords import textrank

    return textrank(tokens, n=n, window=window)


@click.command("keyness")
@click.option("--target", required=True, multiple=True, help="Value(s) of --by that form the target group.")
@click.option("--by", default="doc_id", show_default=True, help="Docvar that defines the target.")
@click.option("--measure", type=click.Choice(["g2", "chi2"]), default="g2", show_default=True,
              help="Statistic that orders the terms.")
@analysis_command
def keyness_command(tokens, target, by, measure):
    """Keyness of a target group against the rest: signed G², χ², log ratio, BH-corrected p.

    Columns: term, n_target, n_reference, g2, chi2, log_ratio, p, p_bh.
    """
    from cityanalytics.analysis.keywords import keyness

    matrix = dtm(tokens)
    values = list(target)
    if by in matrix.rows and pd.api.types.is_numeric_dtype(matrix.rows[by]):
        try:  # --target 2019 against a numeric year docvar
            values = pd.to_numeric(values).tolist()
        except ValueError:
            raise click.BadParameter(f"{by} holds numbers, not {values}", param_hint="'--target'") from None
    return keyness(matrix, values, by=by, measure=measure)


@click.command("logodds")
@click.option("--by", required=True, help="Docvar with two or more groups.")
@click.option("--pairwise", is_flag=True, help="Every ordered pair of groups instead of each group against the rest.")
@analysis_command
def logodds_command(tokens, by, pairwise):
    """Log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), with z-scores.

    Columns: group, versus, term, count_group, count_versus, delta, se, z, p, p_bh, rank.
    """
    from cityanalytics.analysis.keywords import log_odds

    return log_odds(dtm(tokens), by=by, pairwise=pairwise)


@click.command("collocations")
@click.option("--min-count", type=POSITIVE, default=3, show_default=True, help="Least occurrences.")
@click.option("--size", type=click.Choice(["2", "3"]), default="2", show_default=True, help="Words per collocation.")
@analysis_command
def collocations_command(tokens, min_count, size):
    """Adjacent term sequences with G² and PMI. Columns: collocation, joined, size, count, n_docs, g2, pmi."""
    from cityanalytics.analysis.keywords import collocations

    return collocations(tokens, min_count=min_count, size=int(size))


@click.command("new-terms")
@click.option("--min-count", type=POSITIVE, default=3, show_default=True, help="Least occurrences.")
@click.option("--min-chars", type=POSITIVE, default=3, show_default=True, help="Least characters of a term.")
@analysis_command
def new_terms_command(tokens, min_count, min_chars):
    """Recurring multi-character terms that the lexicon splits, as proposed user-dictionary lines.

    Columns: term, parts, count, n_docs, g2, suggested_entry.
    """
    from cityanalytics.analysis.keywords import new_terms

    return new_terms(tokens, min_count=min_count, min_chars=min_chars)


def _series(terms: tuple[str, ...], themes: tuple[str, ...], codebook: Path | None) -> dict[str, list[str]]:
    from cityanalytics.analysis.codebook import load_codebook

    if not terms and not themes:
        raise click.UsageError("give at least one --term or --theme")
    series = {term: [term] for term in terms}
    book = load_codebook(codebook) if themes else None
    for theme in themes:
        series[theme] = list(book.theme(theme).terms)
    return series


TERM_OPTIONS = [
    click.option("--term", "terms", multiple=True, help="A term to follow (repeatable)."),
    click.option("--theme", "themes", multiple=True, help="A codebook theme to follow as a term set (repeatable)."),
    CODEBOOK_OPTION,
    click.option("--time", default="year", show_default=True, help="Time docvar."),
]


def term_options(command):
    return functools.reduce(lambda c, option: option(c), reversed(TERM_OPTIONS), command)


GROUP_OPTION = click.option("--by", default=None, help="Group docvar, e.g. city.")


@click.command("trends")
@term_options
@GROUP_OPTION
@click.option("--n-boot", type=NON_NEGATIVE, default=1000, show_default=True,
              help="Bootstrap resamples (0: no intervals).")
@click.option("--unit", type=click.Choice(TREND_UNITS), default="paragraph", show_default=True,
              help="Resampled units: documents and then their paragraphs, or whole documents (too narrow with "
                   "few documents a period).")
@RATE_INTERVAL_OPTION
@SEED_OPTION
@analysis_command
def trends_command(tokens, terms, themes, codebook, time, by, n_boot, unit, interval, seed):
    """Rates per 10,000 terms of terms, term sets and themes over time, with intervals.

    Columns: the --by column, the --time column, series, count, n_tokens, n_docs, rate_per_10k, ci_low, ci_high.
    """
    from cityanalytics.analysis.trends import trends

    return trends(tokens, _series(terms, themes, codebook), time=time, by=by, n_boot=n_boot, seed=seed, unit=unit,
                  interval=interval)


@click.command("trend-test")
@term_options
@GROUP_OPTION
@click.option("--n-perm", type=POSITIVE, default=5000, show_default=True, help="Permutations per series.")
@SEED_OPTION
@analysis_command
def trend_test_command(tokens, terms, themes, codebook, time, by, n_perm, seed):
    """Spearman and Kendall trend tests of each series, with permutation p values and BH correction.

    Columns: the --by column, series, n_periods, first_period, last_period, rho, tau, p, p_bh, direction.
    """
    from cityanalytics.analysis.trends import trend_test, trends

    table = trends(tokens, _series(terms, themes, codebook), time=time, by=by, n_boot=0, seed=seed)
    return trend_test(table, n_perm=n_perm, seed=seed)


@click.command("first-appearance")
@term_options
@analysis_command
def first_appearance_command(tokens, terms, themes, codebook, time):
    """First and last period in which each term (or theme) occurs as a token.

    Columns: series, first_period, last_period, n_periods, n_docs, count.
    """
    from cityanalytics.analysis.trends import first_appearance

    return first_appearance(tokens, _series(terms, themes, codebook), time=time)


COMMANDS = [emphasis_command, compare_command, kwic_command, validate_command, expand_command, frequency_command,
            tfidf_command, textrank_command, keyness_command, logodds_command, collocations_command,
            new_terms_command, trends_command, trend_test_command, first_appearance_command]
