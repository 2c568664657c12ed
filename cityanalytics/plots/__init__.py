"""Publication figures drawn from the tidy tables that analyses return; no statistics are computed here.

Every function takes one table and returns a matplotlib Figure; :func:`save_figure` writes it
as PDF (embedded TrueType) and 300-dpi PNG. Labels are Chinese by default, English with
``language="en"``.
"""

from cityanalytics.plots.emphasis import emphasis_heatmap, emphasis_profiles
from cityanalytics.plots.output import save_figure
from cityanalytics.plots.similarity import similarity_matrix
from cityanalytics.plots.style import figure_style, register_cjk_font, use_cjk_font
from cityanalytics.plots.terms import log_odds_plot
from cityanalytics.plots.topics import topic_prevalence_plot
from cityanalytics.plots.trends import trend_ribbons

__all__ = [
    "emphasis_heatmap",
    "emphasis_profiles",
    "figure_style",
    "log_odds_plot",
    "register_cjk_font",
    "save_figure",
    "similarity_matrix",
    "topic_prevalence_plot",
    "trend_ribbons",
    "use_cjk_font",
]
