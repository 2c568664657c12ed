"""The "fightin' words" figure, drawn from the table of :func:`cityanalytics.log_odds`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from adjustText import adjust_text
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cityanalytics.plots.draw import small_multiples
from cityanalytics.plots.style import OKABE_ITO, check_language, figure_style, group_label, text
from cityanalytics.plots.tables import require_columns

ALPHA = 0.05
"""Benjamini–Hochberg-adjusted p below which a term is drawn in colour."""
ADJUST_ITERATIONS = 300
"""Label placement runs a fixed number of iterations, not a time limit, so reruns place labels identically."""
LABEL_MARGIN = (1.2, 1.4)
"""How far (× width, × height) each label's box is grown while labels are pushed apart: room enough
that no two labels of a panel touch once placed (a test checks the seed corpus's figure)."""
_COLOURS = {"typical_of_group": OKABE_ITO[5], "typical_of_rest": OKABE_ITO[0], "not_distinctive": "0.75"}


def log_odds_plot(table: pd.DataFrame, groups: Sequence | None = None, n_labels: int = 10, language: str = "zh",
                  ncols: int = 3) -> Figure:
    """One panel per group: each term's z-score against its frequency (Monroe, Colaresi & Quinn 2008).

    ``table`` is the output of ``log_odds(dtm, by=…)`` against the rest (``versus == "rest"``).
    Terms whose BH-adjusted p (``p_bh``, from the table) is below 0.05 are coloured: above zero
    more typical of the group, below of the rest. The ``n_labels`` highest z-scores are named.
    """
    check_language(language)
    require_columns(table, ["group", "versus", "term", "count_group", "count_versus", "z", "p_bh"], "log_odds_plot")
    table = table[table["versus"] == "rest"]
    if table.empty:
        raise ValueError("log_odds_plot draws comparisons against the rest; the table has none (pairwise=True?)")
    names = list(dict.fromkeys(table["group"])) if groups is None else list(groups)
    unknown = [g for g in names if g not in set(table["group"])]
    if unknown:
        raise ValueError(f"log_odds_plot: groups {unknown} are not in the table")
    with figure_style():
        fig, axes = small_multiples(len(names), ncols, (3.3, 2.8), sharey=True, layout="constrained")
        labelled = []
        for ax, name in zip(axes, names):
            rows = table[table["group"] == name]
            frequency = (rows["count_group"] + rows["count_versus"]).to_numpy(float)
            z = rows["z"].to_numpy(float)
            distinct = rows["p_bh"].to_numpy(float) < ALPHA
            kind = np.where(distinct & (z > 0), "typical_of_group",
                            np.where(distinct & (z < 0), "typical_of_rest", "not_distinctive"))
            ax.scatter(frequency, z, s=5, c=[_COLOURS[k] for k in kind], linewidths=0)
            ax.set_xscale("log")
            ax.axhline(0, color="0.6", linewidth=0.5)
            ax.set_title(f"{group_label(name, language)} {text('versus', language)}")
            top = rows.nlargest(n_labels, "z").sort_values("term")
            labelled.append((ax, [ax.text(f, v, term, fontsize=6.5) for f, v, term in
                                  zip(top["count_group"] + top["count_versus"], top["z"], top["term"])]))
        fig.supxlabel(text("frequency", language), fontsize=9)
        fig.supylabel(text("z", language), fontsize=9)
        fig.legend(handles=[Line2D([], [], marker="o", linestyle="none", markersize=4, color=colour,
                                   label=text(kind, language)) for kind, colour in _COLOURS.items()],
                   loc="outside upper center", ncols=3, frameon=False)
        # Place labels in the final layout: lay out once, freeze it, then move the labels.
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
        for ax, texts in labelled:  # labels pushed away from the panel's points as well as from each other
            points = ax.collections[0].get_offsets()
            adjust_text(texts, x=points[:, 0], y=points[:, 1], ax=ax, expand=LABEL_MARGIN, iter_lim=ADJUST_ITERATIONS,
                        arrowprops={"arrowstyle": "-", "color": "0.5", "linewidth": 0.4})
    return fig
