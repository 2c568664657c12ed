"""Drawing primitives shared by the figure functions: figures, an annotated heatmap, a dot-and-whisker plot."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cityanalytics.plots.style import OKABE_ITO, SEQUENTIAL


def new_figure(size: tuple[float, float], layout: str | None) -> Figure:
    """A figure made through pyplot (so notebooks know how to show it) but closed there at once:
    a notebook then shows it once, as the value of its cell, and a script drawing hundreds of
    figures does not keep them all open."""
    fig = plt.figure(figsize=size, layout=layout)
    plt.close(fig)
    return fig


def annotated_heatmap(ax: Axes, values: np.ndarray, row_labels: list[str], col_labels: list[str],
                      annotations: list[list[str]], colorbar_label: str, *, vmin: float | None = None,
                      vmax: float | None = None, annotation_size: float = 6.5) -> None:
    """Colour cells by ``values`` (NaN cells stay blank) and write ``annotations`` in them, in a
    colour that stays readable on the cell."""
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap=SEQUENTIAL, aspect="auto", vmin=vmin, vmax=vmax, interpolation="nearest")
    colorbar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    colorbar.set_label(colorbar_label)
    colorbar.ax.tick_params(labelsize=7)
    ax.set_xticks(range(len(col_labels)), col_labels, rotation=35, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    low, high = image.get_clim()
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isnan(values[i, j]) or not annotations[i][j]:
                continue
            light_cell = high > low and (values[i, j] - low) / (high - low) > 0.6
            ax.text(j, i, annotations[i][j], ha="center", va="center", fontsize=annotation_size,
                    color="black" if light_cell else "white", linespacing=1.1)


def dot_whisker(ax: Axes, estimates: np.ndarray, lows: np.ndarray, highs: np.ndarray, category_labels: list[str],
                group_labels: list[str], value_label: str) -> None:
    """Estimates with their intervals: one row per category, one dodged colour per group.

    ``estimates``, ``lows`` and ``highs`` have shape (categories, groups); a NaN interval draws
    the point alone (the interval could not be estimated), a NaN estimate draws nothing.
    """
    n_categories, n_groups = estimates.shape
    if n_groups > len(OKABE_ITO):
        raise ValueError(f"{n_groups} groups are more than the {len(OKABE_ITO)} colours a reader can tell apart")
    offsets = (np.arange(n_groups) - (n_groups - 1) / 2) * min(0.8 / max(n_groups, 1), 0.18)
    rows = np.arange(n_categories)
    for g in range(n_groups):
        y = rows + offsets[g]
        colour = OKABE_ITO[g]
        has_interval = ~np.isnan(lows[:, g]) & ~np.isnan(highs[:, g]) & ~np.isnan(estimates[:, g])
        ax.hlines(y[has_interval], lows[has_interval, g], highs[has_interval, g], color=colour, linewidth=1.0)
        ax.plot(estimates[:, g], y, "o", color=colour, markersize=3.5, label=group_labels[g], linestyle="none")
    ax.set_yticks(rows, category_labels)
    ax.set_ylim(n_categories - 0.5, -0.5)
    ax.set_xlabel(value_label)
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)
    for boundary in rows[:-1] + 0.5:
        ax.axhline(boundary, color="0.92", linewidth=0.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, handletextpad=0.3)


def small_multiples(n_panels: int, ncols: int, panel_size: tuple[float, float], **subplot_options):
    """A grid of ``n_panels`` axes (spare cells removed) and the figure holding them."""
    ncols = max(1, min(ncols, n_panels))
    nrows = int(np.ceil(n_panels / ncols))
    fig = new_figure((panel_size[0] * ncols, panel_size[1] * nrows), subplot_options.pop("layout", None))
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_options)
    for ax in axes.flat[n_panels:]:
        ax.remove()
    return fig, list(axes.flat[:n_panels])


def sized_figure(n_rows: int, n_cols: int, cell: tuple[float, float]):
    """One axes in a figure sized to hold ``n_rows`` × ``n_cols`` cells of ``cell`` inches, within page limits."""
    width = min(max(2.6 + cell[0] * n_cols, 4.0), 10.0)
    height = min(max(0.8 + cell[1] * n_rows, 2.5), 11.0)
    fig = new_figure((width, height), "constrained")
    return fig, fig.subplots()
