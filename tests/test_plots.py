"""Figures: the pip-installed CJK font, missing glyphs as failures, PDF/PNG formats, identical reruns."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image
from pypdf import PdfReader
from sklearn.metrics.pairwise import cosine_similarity

import cityanalytics as ca
from cityanalytics import plots
from cityanalytics.plots.style import CJK_FAMILY, cjk_font_path, figure_style


@pytest.fixture(scope="module")
def seed_tokens():
    return ca.tokenize(ca.load_corpus(), boilerplate=True)


@pytest.fixture(scope="module")
def tables(seed_tokens):
    """One table of each kind the figures draw, from the analyses themselves (few resamples)."""
    matrix = ca.dtm(seed_tokens)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # documents without a city or year, reported by the analyses
        return {
            "emphasis": ca.emphasis(seed_tokens, by="city", n_boot=50, seed=1),
            "trends": ca.trends(seed_tokens, {"交通": ["交通"], "人才": ["人才"]}, n_boot=50, seed=1),
            "log_odds": ca.log_odds(matrix, by="city"),
            "similarity": ca.document_similarity(matrix),
            "prevalence": ca.topic_prevalence(ca.TopicModel(3, random_state=0, passes=2).fit(seed_tokens), "city",
                                              n_boot=50, seed=1),
        }


def draw_all(tables: dict, language: str = "zh") -> dict[str, matplotlib.figure.Figure]:
    return {
        "heatmap": plots.emphasis_heatmap(tables["emphasis"], "city", language=language),
        "profiles": plots.emphasis_profiles(tables["emphasis"], "city", value="share", language=language),
        "trends": plots.trend_ribbons(tables["trends"], language=language),
        "log_odds": plots.log_odds_plot(tables["log_odds"], n_labels=5, language=language),
        "similarity": plots.similarity_matrix(tables["similarity"], language=language),
        "prevalence": plots.topic_prevalence_plot(tables["prevalence"], language=language),
    }


def test_the_cjk_font_comes_from_the_installed_package_not_the_system():
    path = cjk_font_path()
    assert "site-packages" in path.parts or "dist-packages" in path.parts
    plots.register_cjk_font()
    with figure_style():
        found = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert Path(found) == path
    assert not str(path).startswith(str(Path(matplotlib.get_data_path())))


def test_a_missing_glyph_stops_saving_even_outside_the_tests(tmp_path):
    with figure_style():
        fig = matplotlib.figure.Figure()
        fig.text(0.5, 0.5, "交通 \U0001F6A7")  # a construction-sign emoji no shipped font has
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as in `python -m experiments`, without the test suite's filters
        with pytest.raises(UserWarning, match="missing from font"):
            plots.save_figure(fig, tmp_path / "x")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_figure_draws_without_a_missing_glyph(tables, tmp_path, language):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, figure in draw_all(tables, language).items():
            written = plots.save_figure(figure, tmp_path / name)
            assert [p.suffix for p in written] == [".pdf", ".png"]


def test_pdfs_embed_truetype_and_pngs_are_300_dpi(tables, tmp_path):
    pdf, png = plots.save_figure(plots.emphasis_heatmap(tables["emphasis"], "city"), tmp_path / "heatmap")
    fonts = []
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fonts.append((font["/Subtype"], descendant["/Subtype"], "/FontFile2" in descendant["/FontDescriptor"]))
    assert fonts and all(subtype in ("/Type0", "/TrueType") and embedded for subtype, _, embedded in fonts)
    assert ("/Type0", "/CIDFontType2", True) in fonts  # the Chinese characters, as embedded TrueType outlines
    with Image.open(png) as image:
        assert [round(d) for d in image.info["dpi"]] == [300, 300]


def test_rerunning_a_figure_writes_the_same_bytes(tables, tmp_path):
    first = plots.save_figure(plots.log_odds_plot(tables["log_odds"], n_labels=5), tmp_path / "a" / "fig")
    second = plots.save_figure(plots.log_odds_plot(tables["log_odds"], n_labels=5), tmp_path / "b" / "fig")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.suffix} differs between runs"
    assert b"CreationDate" not in first[0].read_bytes()


def test_the_named_terms_of_a_panel_do_not_overlap(tables):
    figure = plots.log_odds_plot(tables["log_odds"])  # ten names a panel, as in the study's figure
    renderer = FigureCanvasAgg(figure).get_renderer()
    for ax in figure.axes:
        boxes = [(label.get_text(), label.get_window_extent(renderer)) for label in ax.texts]
        assert len(boxes) == 10
        touching = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
        assert not touching, f"{ax.get_title()}: {touching}"


def test_english_labels_use_the_codebooks_english_theme_names(tables):
    figure = plots.emphasis_heatmap(tables["emphasis"], "city", language="en")
    ticks = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert "Transport" in ticks and "交通" not in ticks
    groups = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert "(not stated)" in groups  # the documents without a city are a group, not a blank label


def test_the_heatmap_writes_estimates_with_their_intervals(tables):
    table = tables["emphasis"]
    figure = plots.emphasis_heatmap(table, "city")
    notes = {t.get_text() for t in figure.axes[0].texts}
    row = table[(table["city"] == "深圳") & (table["theme"] == "openness")].iloc[0]
    assert f"{row.rate_per_10k:.0f}\n[{row.ci_low:.0f}–{row.ci_high:.0f}]" in notes


def test_interval_labels_name_the_method_and_level_the_analysis_used(seed_tokens, tables):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clustered = ca.emphasis(seed_tokens, by="city", interval="cluster", ci=0.9)
    label = plots.emphasis_profiles(clustered, "city", language="en").axes[0].get_xlabel()
    assert label == "Rate per 10,000 terms (90% cluster-robust t interval)"
    assert plots.emphasis_profiles(clustered, "city").axes[0].get_xlabel() == "每万词频次（90% 聚类稳健 t 区间）"
    trend_figure = plots.trend_ribbons(tables["trends"], language="en")
    assert trend_figure.get_supylabel() == "Rate per 10,000 terms (95% bootstrap interval)"
    prevalence = plots.topic_prevalence_plot(tables["prevalence"], language="en")
    assert prevalence.axes[0].get_xlabel() == "Topic prevalence (95% bootstrap interval)"
    read_back = tables["emphasis"].copy()
    read_back.attrs = {}  # as from a file: the method is not known, so none is named
    assert plots.emphasis_profiles(read_back, "city", language="en").axes[0].get_xlabel() == \
        "Rate per 10,000 terms (interval)"


def test_a_table_of_the_wrong_kind_is_refused_by_name(tables):
    with pytest.raises(ValueError, match="missing \\['ci_low'"):
        plots.emphasis_heatmap(tables["emphasis"].drop(columns="ci_low"), "city")
    with pytest.raises(ValueError, match="not in the table"):
        plots.trend_ribbons(tables["trends"], ["铁路"])
    with pytest.raises(ValueError, match="language"):
        plots.similarity_matrix(tables["similarity"], language="fr")


def test_a_users_matplotlib_style_does_not_change_the_figure(tables, tmp_path):
    plain = plots.save_figure(plots.similarity_matrix(tables["similarity"]), tmp_path / "plain")
    with matplotlib.rc_context({"lines.linewidth": 3, "axes.linewidth": 2, "savefig.facecolor": "grey",
                                "font.size": 14}):
        styled = plots.save_figure(plots.similarity_matrix(tables["similarity"]), tmp_path / "styled")
    for a, b in zip(plain, styled):
        assert a.read_bytes() == b.read_bytes()


def test_tables_the_figures_cannot_draw_honestly_are_refused(seed_tokens, tables):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        by_city_year = ca.emphasis(seed_tokens, by=["city", "year"], n_boot=10)
        by_city_trends = ca.trends(seed_tokens, ["交通"], by="city", n_boot=10)
    with pytest.raises(ValueError, match="several rows for theme, city"):
        plots.emphasis_heatmap(by_city_year, "city")
    with pytest.raises(ValueError, match="also grouped by \\['city'\\]"):
        plots.trend_ribbons(by_city_trends)
    with pytest.raises(ValueError, match="empty table"):
        plots.emphasis_profiles(tables["emphasis"].iloc[:0], "city")
    with pytest.raises(ValueError, match="groups \\['北京'\\] are not in the table"):
        plots.log_odds_plot(tables["log_odds"], groups=["北京"])
    with pytest.raises(ValueError, match="more than the 8 colours"):
        many = tables["prevalence"].assign(city=[f"城市{i % 9}" for i in range(len(tables["prevalence"]))])
        plots.topic_prevalence_plot(many.drop_duplicates(["topic", "city"]))


def test_years_read_back_from_csv_are_labelled_as_years(tmp_path):
    table = pd.DataFrame({"year": [2009.0, 2011.0], "theme": "transport", "label": "交通", "label_en": "Transport",
                          "rate_per_10k": [10.0, 20.0], "ci_low": [5.0, 15.0], "ci_high": [15.0, 25.0]})
    figure = plots.emphasis_heatmap(table, "year")
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["2009", "2011"]


def test_document_similarity_is_the_cosine_of_tfidf_rows(seed_tokens, tables):
    matrix = ca.dtm(seed_tokens)
    table = tables["similarity"]
    n = len(matrix.rows)
    values = table["similarity"].to_numpy().reshape(n, n)
    counts = matrix.counts.toarray().astype(float)
    idf = np.log((1 + n) / (1 + (counts > 0).sum(axis=0))) + 1  # smooth idf, computed here independently
    weights = counts * idf
    np.testing.assert_allclose(values, cosine_similarity(weights), atol=1e-12)
    np.testing.assert_allclose(np.diag(values), 1.0)
    assert list(table["doc_a"].iloc[::n]) == list(matrix.rows["doc_id"])


def test_a_document_without_terms_has_no_similarity():
    tokens = ca.tokenize(ca.Corpus.from_texts(["交通建设。", "。。", "交通规划。"]))
    table = ca.document_similarity(ca.dtm(tokens), weighting="count")
    empty = table[(table["doc_a"] == "doc2") | (table["doc_b"] == "doc2")]
    assert empty["similarity"].isna().all()
    assert table.loc[(table["doc_a"] == "doc1") & (table["doc_b"] == "doc3"), "similarity"].item() == pytest.approx(0.5)
    no_terms = ca.document_similarity(ca.dtm(ca.tokenize(ca.Corpus.from_texts(["。", "，。"]))))
    assert len(no_terms) == 4 and no_terms["similarity"].isna().all()  # no document has a direction


def test_groups_without_a_docvar_are_compared_as_not_stated(seed_tokens):
    by_city = ca.dtm(seed_tokens).group(["city", "year"])  # two seed documents state no city, one no year
    table = ca.document_similarity(by_city)
    labels = list(table["doc_a"].iloc[:: len(by_city.rows)])
    assert len(labels) == len(set(labels)) == len(by_city.rows)
    assert labels[-2:] == ["(not stated)/2020", "(not stated)/(not stated)"] and labels[0] == "乌鲁木齐/2013"


def test_ribbons_cover_estimable_periods_and_hollow_points_mark_the_others():
    table = pd.DataFrame({"year": [2010, 2011, 2012, 2013], "series": "交通", "count": [3, 0, 4, 5],
                          "n_tokens": 100, "n_docs": 1, "rate_per_10k": [300.0, 0.0, 400.0, 500.0],
                          "ci_low": [100.0, np.nan, 200.0, 300.0], "ci_high": [500.0, np.nan, 600.0, 700.0]})
    ax = plots.trend_ribbons(table).axes[0]
    spans = {(p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in ax.collections[0].get_paths()}
    assert {span for span in spans if span[1] > span[0]} == {(2012.0, 2013.0)}  # 2010 has no neighbour to join
    whiskers = ax.collections[1].get_segments()
    assert sorted(s[0][0] for s in whiskers) == [2010.0, 2012.0, 2013.0]
    hollow = [line for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert [list(line.get_xdata()) for line in hollow] == [[2011.0]]


def test_the_similarity_matrix_leaves_the_diagonal_blank(tables):
    ax = plots.similarity_matrix(tables["similarity"]).axes[0]
    values = ax.images[0].get_array()
    assert values.mask.diagonal().all() and not values.mask[0, 1:].any()
    assert len(ax.texts) == values.size - len(values)
