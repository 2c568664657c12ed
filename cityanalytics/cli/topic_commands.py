"""Topic-model commands: ``topics terms|labels|doc-topics|prevalence|effects|sweep``."""

from __future__ import annotations

import functools

import click

from cityanalytics.cli.common import (
    CODEBOOK_OPTION,
    NON_NEGATIVE,
    POSITIVE,
    Group,
    corpus_options,
    emit,
    output_options,
    take_tokenizer_options,
    tokenizer_options,
    tokens_from,
)
from cityanalytics.topics.model import ENGINES, UNITS
from cityanalytics.topics.prevalence import INTERVALS


@click.group(cls=Group)
def topics():
    """Fit topic models and write their tables (same seed, same topics)."""


ENGINE_OPTION = click.option("--engine", type=click.Choice(ENGINES),
                             default="gensim-lda", show_default=True, help="Topic model.")
UNIT_OPTION = click.option("--unit", type=click.Choice(UNITS), default="paragraph",
                           show_default=True, help="What the model treats as a document.")


def model_command(function):
    """A command that fits a TopicModel on PATH (the seed corpus by default) and emits ``function(model, ...)``.

    Its defaults are TopicModel's (a test holds them equal); topics are named after the themes of
    the shipped codebook, or of --codebook."""
    @corpus_options
    @tokenizer_options
    @output_options
    @click.option("--k", "n_topics", type=POSITIVE, default=10, show_default=True, help="Number of topics.")
    @ENGINE_OPTION
    @UNIT_OPTION
    @click.option("--seed", type=int, default=0, show_default=True, help="random_state of the model.")
    @click.option("--passes", type=POSITIVE, default=20, show_default=True, help="Passes over the corpus (gensim).")
    @click.option("--min-docs", type=POSITIVE, default=2, show_default=True, help="Least units a term must occur in.")
    @click.option("--max-docs-share", type=click.FloatRange(0, 1, min_open=True), default=0.5, show_default=True,
                  help="Largest share of units a term may occur in (above 0, at most 1).")
    @CODEBOOK_OPTION
    @functools.wraps(function)
    def command(path, metadata, fmt, output, n_topics, engine, unit, seed, passes, min_docs, max_docs_share,
                codebook, **options):
        from cityanalytics.analysis.codebook import load_codebook
        from cityanalytics.topics.model import TopicModel

        tokens = tokens_from(path, metadata, **take_tokenizer_options(options))
        model = TopicModel(n_topics, engine=engine, unit=unit, random_state=seed, passes=passes, min_docs=min_docs,
                           max_docs_share=max_docs_share, codebook=load_codebook(codebook)).fit(tokens)
        emit(function(model, **options), output, fmt)

    return command


@topics.command("terms")
@model_command
def terms_command(model):
    """Top terms of each topic with their weights (topic, term, weight, rank)."""
    return model.topic_terms_


@topics.command("labels")
@model_command
def labels_command(model):
    """Each topic's top terms, FREX terms and best-matching codebook theme.

    Columns: topic, top_terms, frex_terms, theme, theme_label, theme_weight.
    """
    return model.labels_


@topics.command("doc-topics")
@model_command
def doc_topics_command(model):
    """Topic shares of every unit with its docvars (unit keys, docvars, topic, share)."""
    return model.doc_topics_


@topics.command("prevalence")
@model_command
@click.option("--by", required=True, help="Docvar(s) to group by, comma-separated (e.g. city or city,year).")
@click.option("--n-boot", type=NON_NEGATIVE, default=1000, show_default=True,
              help="Bootstrap resamples (0: no intervals).")
def prevalence_command(model, by, n_boot):
    """Topic prevalence per group with two-stage (documents, then units) bootstrap intervals.

    Columns: the --by columns, topic, top_terms, prevalence, ci_low, ci_high, n_docs, n_units.
    """
    from cityanalytics.topics.prevalence import topic_prevalence

    return topic_prevalence(model, by.split(","), n_boot=n_boot, seed=model.random_state)


@topics.command("effects")
@model_command
@click.option("--covariate", "covariates", multiple=True, required=True, help="Docvar covariate (repeatable).")
@click.option("--interval", type=click.Choice(INTERVALS), default="cluster", show_default=True,
              help="cluster: t intervals from errors clustered by document (CR2, Bell–McCaffrey df); "
                   "bootstrap: resampling documents, then units.")
@click.option("--n-boot", type=click.IntRange(min=2), default=500, show_default=True,
              help="Bootstrap resamples (--interval bootstrap).")
@click.option("--reference", "references", multiple=True, metavar="COVARIATE=LEVEL",
              help="Reference level of a categorical covariate, e.g. city=杭州 (repeatable; default: the first level).")
def effects_command(model, covariates, interval, n_boot, references):
    """Effects of covariates on unit topic shares (least squares), with intervals and BH-corrected p values.

    Columns: topic, top_terms, covariate, reference, estimate, std_error, ci_low, ci_high, df, p, p_bh, n_units,
    n_docs, n_draws.
    """
    from cityanalytics.topics.prevalence import topic_effects

    malformed = [given for given in references if "=" not in given]
    if malformed:
        raise click.BadParameter(f"{malformed[0]!r} is not COVARIATE=LEVEL", param_hint="--reference")
    pairs = [given.split("=", 1) for given in references]
    named = [covariate for covariate, _ in pairs]
    twice = sorted({covariate for covariate in named if named.count(covariate) > 1})
    if twice:
        raise click.BadParameter(f"{twice[0]!r} is given a reference level more than once", param_hint="--reference")
    chosen = dict(pairs)
    return topic_effects(model, list(covariates), interval=interval, n_boot=n_boot, seed=model.random_state,
                         reference=chosen)


@topics.command("sweep")
@corpus_options
@tokenizer_options
@output_options
@click.option("--k", "ks", type=POSITIVE, multiple=True, required=True, help="A number of topics to try (repeatable).")
@click.option("--seed", "seeds", type=int, multiple=True, default=(0, 1, 2), show_default=True,
              help="A random_state to try (repeatable).")
@ENGINE_OPTION
@UNIT_OPTION
@click.option("--summary", is_flag=True, help="One row per K with the recommendation instead of one row per model.")
def sweep_command(path, metadata, fmt, output, ks, seeds, engine, unit, summary, **tokenizer):
    """Coherence (c_v, NPMI, u_mass), exclusivity and cross-seed stability for each K and seed.

    Columns: k, seed, engine, c_v, c_npmi, u_mass, exclusivity, stability, stability_null, stability_adjusted,
    n_units, n_terms; with --summary, k, n_seeds, the mean and sd of each measure, the ranks and recommended.
    """
    from cityanalytics.topics.selection import recommend_k, summarise, sweep

    table = sweep(tokens_from(path, metadata, **tokenizer), ks, seeds, engine=engine, unit=unit)
    if summary:
        k, reason = recommend_k(table)
        click.echo(f"recommended K = {k}: {reason}", err=True)
        table = summarise(table)
    emit(table, output, fmt)
