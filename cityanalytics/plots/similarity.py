"""The document-similarity matrix, drawn from the table of :func:`cityanalytics.document_similarity`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cityanalytics.plots.draw import annotated_heatmap, sized_figure
from cityanalytics.plots.style import check_language, figure_style, text
from cityanalytics.plots.tables import require_columns, wide

MAX_ANNOTATED = 25
"""Beyond this many documents the cells are too small to hold their values."""


def similarity_matrix(table: pd.DataFrame, labels: Mapping[str, str] | None = None, language: str = "zh") -> Figure:
    """Documents × documents coloured and annotated by their similarity, in the table's document order.

    The diagonal (every document is identical to itself) is left blank so that the colour scale
    spans the pairs of different documents. ``labels`` maps document ids to the names shown
    (e.g. city, year and type); order the documents in the table to group them.
    """
    check_language(language)
    require_columns(table, ["doc_a", "doc_b", "similarity"], "similarity_matrix")
    rows, columns, (values,) = wide(table, "doc_a", "doc_b", ["similarity"])
    values = values.copy()
    same = np.equal.outer(np.array(rows, dtype=object), np.array(columns, dtype=object))
    values[same] = np.nan
    annotate = len(rows) <= MAX_ANNOTATED
    annotations = [["" if np.isnan(v) or not annotate else f"{v:.2f}" for v in row] for row in values]
    names = labels or {}
    with figure_style():
        fig, ax = sized_figure(len(rows), len(columns), cell=(0.55, 0.42))
        annotated_heatmap(ax, values, [names.get(r, str(r)) for r in rows], [names.get(c, str(c)) for c in columns],
                          annotations, text("similarity", language), vmin=0, annotation_size=6)
        ax.set_xlabel(text("doc_id", language))
        ax.set_ylabel(text("doc_id", language))
    return fig
