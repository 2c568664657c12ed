"""Figures of term and theme trends, drawn from the tables of :func:`cityanalytics.trends`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from cityanalytics.plots.draw import small_multiples
from cityanalytics.plots.style import OKABE_ITO, check_language, figure_style, text, with_interval
from cityanalytics.plots.tables import require_columns

_COLUMNS = ["series", "rate_per_10k", "ci_low", "ci_high"]


def period_column(table: pd.DataFrame) -> str:
    """The time column of a trends table: the one column before ``series`` (a ``by`` group would add more)."""
    keys = list(table.columns[: list(table.columns).index("series")])
    if len(keys) != 1:
        raise ValueError(f"trend_ribbons draws one series per panel over time, but the table is also grouped by "
                         f"{keys[:-1]}; filter it to one group first (e.g. table[table['city'] == '杭州'])")
    return keys[0]


def trend_ribbons(table: pd.DataFrame, series: Sequence[str] | None = None, labels: Mapping[str, str] | None = None,
                  language: str = "zh", ncols: int = 4) -> Figure:
    """One panel per series: the rate per 10,000 terms over the periods with its interval as a ribbon.

    ``table`` is the output of ``trends(tokens, …)`` without ``by``; periods must be numbers
    (years). Periods without an interval (the series never occurs, or a single sampling unit)
    are drawn as hollow points. ``labels`` maps series names to panel titles (e.g. codebook
    theme labels).
    """
    check_language(language)
    require_columns(table, _COLUMNS, "trend_ribbons")
    period = period_column(table)
    names = list(dict.fromkeys(table["series"])) if series is None else list(series)
    unknown = sorted(set(names) - set(table["series"]))
    if unknown:
        raise ValueError(f"trend_ribbons: series {unknown} are not in the table")
    periods = pd.to_numeric(table[period], errors="coerce")
    if periods.isna().any():
        raise ValueError(f"trend_ribbons needs numeric periods; {period!r} has {table.loc[periods.isna(), period].iloc[0]!r}")
    labels = labels or {}
    with figure_style():
        fig, axes = small_multiples(len(names), ncols, (2.3, 1.9), sharex=True, layout="constrained")
        for ax, name in zip(axes, names):
            rows = table.assign(_x=periods)[table["series"] == name].sort_values("_x")
            x = rows["_x"].to_numpy(float)
            rate, low, high = (rows[c].to_numpy(float) for c in ("rate_per_10k", "ci_low", "ci_high"))
            estimable = ~np.isnan(low) & ~np.isnan(high)
            ax.fill_between(x, low, high, where=estimable, color=OKABE_ITO[0], alpha=0.2, linewidth=0)
            ax.vlines(x[estimable], low[estimable], high[estimable], color=OKABE_ITO[0], alpha=0.5, linewidth=0.8)
            ax.plot(x, rate, color=OKABE_ITO[0], linewidth=1.0)
            ax.plot(x[estimable], rate[estimable], "o", color=OKABE_ITO[0], markersize=3.5)
            ax.plot(x[~estimable], rate[~estimable], "o", markerfacecolor="white", color=OKABE_ITO[0], markersize=3.5)
            ax.set_title(labels.get(name, name))
            ax.set_ylim(bottom=0)
            ax.grid(axis="y", color="0.9", linewidth=0.6)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.tick_params(axis="x", labelbottom=True)
        fig.supylabel(with_interval("rate_per_10k", table, language), fontsize=9)
        fig.supxlabel(text(period, language), fontsize=9)
        fig.legend(handles=_legend_handles(language), loc="outside upper center", ncols=2, frameon=False)
    return fig


def _legend_handles(language: str) -> list[Line2D]:
    marker = {"marker": "o", "color": OKABE_ITO[0], "linestyle": "none", "markersize": 4}
    return [Line2D([], [], label=text("estimated", language), **marker),
            Line2D([], [], markerfacecolor="white", label=text("no_interval", language), **marker)]
