"""Writing figures: PDF with embedded TrueType fonts and 300-dpi PNG, with fixed metadata so reruns are identical."""

from __future__ import annotations

import warnings
from pathlib import Path

from matplotlib.figure import Figure

from cityanalytics.plots.style import figure_style

DPI = 300
_METADATA = {
    "pdf": {"Creator": "cityanalytics", "Producer": "cityanalytics", "CreationDate": None},
    "png": {"Software": "cityanalytics"},
}
"""No dates and no library versions in the files, so an unchanged rerun writes the same bytes."""
FORMATS = tuple(_METADATA)


def save_figure(fig: Figure, path: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Save ``fig`` as ``path`` plus each suffix in ``formats`` (a ``.pdf`` or ``.png`` suffix of ``path`` is dropped).

    Returns the written paths. PDFs embed their fonts as TrueType (Type 42), PNGs are 300 dpi. A
    character missing from the fonts stops with an error rather than printing an empty box.
    """
    path = Path(path)
    stem = path.with_suffix("") if path.suffix.lstrip(".") in _METADATA else path
    unsupported = [fmt for fmt in formats if fmt not in _METADATA]
    if unsupported:
        raise ValueError(f"unsupported figure format(s) {unsupported}; choose from {list(_METADATA)}")
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with figure_style(), warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .*missing from font", category=UserWarning)
        for fmt in formats:
            target = stem.with_name(f"{stem.name}.{fmt}")
            fig.savefig(target, format=fmt, dpi=DPI, bbox_inches="tight", pad_inches=0.05, metadata=_METADATA[fmt])
            written.append(target)
    return written
