"""Figures of policy-theme emphasis, drawn from the tables of :func:`cityanalytics.emphasis`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cityanalytics.plots.draw import annotated_heatmap, dot_whisker, sized_figure
from cityanalytics.plots.style import check_language, figure_style, group_label, text, with_interval
from cityanalytics.plots.tables import require_columns, wide

GROUP_COLUMN = {"document": "doc_id"}
"""``emphasis(by="document")`` names its group column ``doc_id``."""
_INTERVALS = {"rate_per_10k": ("ci_low", "ci_high"), "share": ("share_low", "share_high")}


def _theme_labels(table: pd.DataFrame, themes: list, language: str) -> list[str]:
    column = "label" if language == "zh" else "label_en"
    names = table.drop_duplicates("theme").set_index("theme")[column]
    return [str(names[t]) for t in themes]


def _check(table: pd.DataFrame, by: str, value: str, language: str, what: str) -> tuple[str, str]:
    check_language(language)
    if value not in _INTERVALS:
        raise ValueError(f"value must be one of {sorted(_INTERVALS)}, not {value!r}")
    low, high = _INTERVALS[value]
    require_columns(table, [by, "theme", "label", "label_en", value, low, high], what)
    return low, high


def emphasis_heatmap(table: pd.DataFrame, by: str, value: str = "rate_per_10k", language: str = "zh") -> Figure:
    """Themes × groups, coloured by ``value`` and annotated with the estimate and its interval.

    ``table`` is the output of ``emphasis(tokens, by=by)``. Cells without an interval show the
    estimate alone: a theme with no term in the group (rate 0; resampling zeros says nothing),
    or a group of a single paragraph.
    """
    by = GROUP_COLUMN.get(by, by)
    low, high = _check(table, by, value, language, "emphasis_heatmap")
    themes, groups, (estimate, lows, highs) = wide(table, "theme", by, [value, low, high])
    digits = 0 if value == "rate_per_10k" else 2

    def note(i: int, j: int) -> str:
        if np.isnan(estimate[i, j]):
            return ""
        main = f"{estimate[i, j]:.{digits}f}"
        if np.isnan(lows[i, j]) or np.isnan(highs[i, j]):
            return main
        return f"{main}\n[{lows[i, j]:.{digits}f}–{highs[i, j]:.{digits}f}]"

    annotations = [[note(i, j) for j in range(len(groups))] for i in range(len(themes))]
    with figure_style():
        fig, ax = sized_figure(len(themes), len(groups), cell=(0.95, 0.42))
        annotated_heatmap(ax, estimate, _theme_labels(table, themes, language),
                          [group_label(g, language) for g in groups], annotations,
                          with_interval(value, table, language, bracketed=True), vmin=0)
        ax.set_xlabel(text(by, language))
    return fig


def emphasis_profiles(table: pd.DataFrame, by: str, value: str = "rate_per_10k", language: str = "zh") -> Figure:
    """Dot-and-whisker profiles: each theme's ``value`` and interval, one colour per group."""
    by = GROUP_COLUMN.get(by, by)
    low, high = _check(table, by, value, language, "emphasis_profiles")
    themes, groups, (estimate, lows, highs) = wide(table, "theme", by, [value, low, high])
    with figure_style():
        fig, ax = sized_figure(len(themes), 1, cell=(5.2, 0.42))
        dot_whisker(ax, estimate, lows, highs, _theme_labels(table, themes, language),
                    [group_label(g, language) for g in groups],
                    with_interval(value, table, language))
        ax.get_legend().set_title(text(by, language))
    return fig
