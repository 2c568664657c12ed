"""The look of every figure: a CJK font installed with the package, colour-blind-safe colours, labels in two languages.

The font is WenQuanYi Micro Hei 0.2.0-beta (Apache License 2.0, as its own name table states),
shipped as a TrueType collection by the ``paperang-p2-fonts-cjk`` wheel. Its SHA-256 is checked
before use, so every figure is drawn with exactly the font the tests saw. It is registered with
matplotlib's font manager at run time; nothing is written into matplotlib's folders and no
system font is needed. Latin letters and digits come from DejaVu Sans (bundled with matplotlib),
Chinese characters fall back to WenQuanYi.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from cityanalytics.analysis.similarity import NOT_STATED
from cityanalytics.hashing import sha256_file

CJK_FAMILY = "WenQuanYi Micro Hei"
CJK_FONT_SHA256 = "2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3"
FONT_FAMILIES = ["DejaVu Sans", CJK_FAMILY]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
"""Okabe & Ito's palette, distinguishable under the common colour-vision deficiencies."""
SEQUENTIAL = "cividis"
"""Sequential colour map, perceptually uniform and readable with colour-vision deficiencies."""

MISSING_LABEL = {"zh": "（未注明）", "en": NOT_STATED}

TEXT = {
    "rate_per_10k": {"zh": "每万词频次", "en": "Rate per 10,000 terms"},
    "share": {"zh": "占编码词比例", "en": "Share of coded terms"},
    "theme": {"zh": "政策主题", "en": "Policy theme"},
    "interval": {"zh": "区间", "en": "interval"},
    "prevalence": {"zh": "主题占比", "en": "Topic prevalence"},
    "similarity": {"zh": "余弦相似度（tf-idf）", "en": "Cosine similarity (tf-idf)"},
    "z": {"zh": "对数几率 z 值", "en": "Log-odds z-score"},
    "frequency": {"zh": "词频（对数）", "en": "Term frequency (log scale)"},
    "versus": {"zh": "对比其余", "en": "versus the rest"},
    "topic": {"zh": "主题", "en": "Topic"},
    "city": {"zh": "城市", "en": "City"},
    "year": {"zh": "年份", "en": "Year"},
    "doc_id": {"zh": "文件", "en": "Document"},
    "estimated": {"zh": "有区间", "en": "interval estimated"},
    "no_interval": {"zh": "无区间（该系列未出现，或不足两个含词单位）",
                    "en": "no interval (series absent, or fewer than two units holding a term)"},
    "typical_of_group": {"zh": "显著偏向该组（BH 校正 p < 0.05）", "en": "typical of the group (BH-adjusted p < 0.05)"},
    "typical_of_rest": {"zh": "显著偏向其余（BH 校正 p < 0.05）", "en": "typical of the rest (BH-adjusted p < 0.05)"},
    "not_distinctive": {"zh": "不显著", "en": "not distinctive"},
}
"""Axis and legend wording in Chinese (zh) and English (en)."""


def check_language(language: str) -> None:
    """Refuse a label language other than Chinese (zh) and English (en)."""
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")


def text(key: str, language: str) -> str:
    """The wording of ``key`` in ``language`` ("zh" or "en"); the key itself (a column name) if it has none."""
    check_language(language)
    return TEXT.get(key, {}).get(language, key)


INTERVAL_METHODS = {
    "bootstrap": {"zh": "自助法区间", "en": "bootstrap interval"},
    "cluster": {"zh": "聚类稳健 t 区间", "en": "cluster-robust t interval"},
}
"""How each interval method is named on a figure."""


def interval_note(table: pd.DataFrame, language: str) -> str:
    """What the intervals of ``table`` are, from the method and level its analysis recorded in
    ``table.attrs`` ("95% bootstrap interval"); plain "interval" for a table that records neither
    (one read back from a file), rather than a method it may not have."""
    method, ci = table.attrs.get("interval"), table.attrs.get("ci")
    if method not in INTERVAL_METHODS or ci is None:
        return text("interval", language)
    return f"{ci * 100:g}% {INTERVAL_METHODS[method][language]}"


def with_interval(key: str, table: pd.DataFrame, language: str, *, bracketed: bool = False) -> str:
    """An axis label for an estimate of ``table`` shown with its interval (see :func:`interval_note`;
    "[ ]" when intervals are written as text)."""
    note = interval_note(table, language)
    if bracketed:
        return f"{text(key, language)}\n{'方括号：' if language == 'zh' else 'in brackets: '}{note}"
    return f"{text(key, language)}（{note}）" if language == "zh" else f"{text(key, language)} ({note})"


def group_label(value, language: str) -> str:
    """How a group value is written on an axis: missing values are said to be missing, not blank."""
    if value is None or (isinstance(value, float) and value != value) or str(value) in ("", "<NA>", "nan"):
        return MISSING_LABEL[language]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a year read back from CSV as 2009.0
    return str(value)


def cjk_font_path() -> Path:
    """Path of the WenQuanYi Micro Hei collection installed with the ``paperang-p2-fonts-cjk`` wheel."""
    path = Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the CJK font file is missing; reinstall paperang-p2-fonts-cjk")
    if sha256_file(path) != CJK_FONT_SHA256:
        raise ValueError(f"{path}: not the WenQuanYi Micro Hei file this package was tested with (SHA-256 differs); "
                         "install paperang-p2-fonts-cjk==0.1.0")
    return path


@cache
def register_cjk_font() -> str:
    """Add the CJK font to matplotlib's font manager (once per process) and return its family name."""
    font_manager.fontManager.addfont(str(cjk_font_path()))
    return CJK_FAMILY


def rc_params() -> dict:
    """Settings for publication figures: embedded TrueType fonts, readable sizes, the package's colours."""
    register_cjk_font()
    return {
        "font.family": FONT_FAMILIES,
        "axes.unicode_minus": True,
        "pdf.fonttype": 42,
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
    }


@contextmanager
def figure_style():
    """Draw (and save) inside this context to get the package's fonts and settings.

    It starts from matplotlib's defaults, so a user's matplotlibrc or notebook style cannot change
    a figure (or its bytes)."""
    with plt.style.context("default"), plt.rc_context(rc_params()):
        yield


def use_cjk_font() -> None:
    """Apply the package's settings globally, e.g. in a notebook, so your own plots show Chinese too."""
    plt.rcParams.update(rc_params())
