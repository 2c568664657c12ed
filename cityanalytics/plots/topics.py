"""Topic prevalence by group, drawn from the table of :func:`cityanalytics.topic_prevalence`."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from cityanalytics.plots.draw import dot_whisker, sized_figure
from cityanalytics.plots.style import check_language, figure_style, group_label, text, with_interval
from cityanalytics.plots.tables import require_columns, wide

TERMS_SHOWN = 5
"""Top terms named in each topic's label."""


def topic_prevalence_plot(table: pd.DataFrame, by: str | None = None, language: str = "zh") -> Figure:
    """Each topic's prevalence in every group with its interval; topics named by their top terms.

    ``table`` is the output of ``topic_prevalence(model, by)``; ``by`` defaults to its first
    column. Prevalence is the expected share of the group's term tokens drawn from the topic (the
    token-weighted mean of its units' topic shares).
    """
    check_language(language)
    by = table.columns[0] if by is None else by
    require_columns(table, [by, "topic", "top_terms", "prevalence", "ci_low", "ci_high"], "topic_prevalence_plot")
    topics, groups, (estimate, lows, highs) = wide(table, "topic", by, ["prevalence", "ci_low", "ci_high"])
    names = table.drop_duplicates("topic").set_index("topic")["top_terms"]
    labels = [f"{text('topic', language)} {t}: {' '.join(str(names[t]).split()[:TERMS_SHOWN])}" for t in topics]
    with figure_style():
        fig, ax = sized_figure(len(topics), 1, cell=(5.0, 0.8))
        dot_whisker(ax, estimate, lows, highs, labels, [group_label(g, language) for g in groups],
                    with_interval("prevalence", table, language))
        ax.get_legend().set_title(text(by, language))
        ax.set_xlim(left=0)
    return fig
