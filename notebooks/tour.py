# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A tour of cityanalytics
#
# This notebook walks through one study on the shipped seed corpus (plans, work points,
# decisions and reports of 嘉兴, 海宁, 深圳, 乌鲁木齐 and 杭州, 2009–2020):
# load → tokenize → strategic emphasis → keyword trends → topics, and then shows how to load
# your own folder of documents. Every step returns a tidy pandas DataFrame; every figure is
# drawn from one of those tables.

# %%
import shutil
import tempfile
from pathlib import Path

import cityanalytics as ca
from cityanalytics import plots

plots.use_cjk_font()  # Chinese labels in this notebook's figures, from the font installed with the package

# %% [markdown]
# ## 1. Load the corpus
# `load_corpus()` without a path loads the seed corpus. `docvars` holds one row of metadata per
# document; metadata the text does not state is left empty, never guessed.

# %%
corpus = ca.load_corpus()
corpus

# %%
corpus.docvars[["doc_id", "city", "year", "doc_type", "n_chars"]]

# %% [markdown]
# ## 2. Tokenize
# jieba with the policy lexicon and place names; `boilerplate=True` keeps policy boilerplate
# (加强, 推进, …) out of the terms so that rates measure attention to substance.

# %%
tokens = ca.tokenize(corpus, boilerplate=True)
tokens.to_frame().head(8)

# %%
matrix = ca.dtm(tokens)
ca.frequency(matrix, n=10)

# %% [markdown]
# ## 3. Strategic emphasis by city
# Rates per 10,000 terms of each codebook theme, with 95% bootstrap intervals that resample
# documents and the paragraphs within them.

# %%
by_city = ca.emphasis(tokens, by="city", n_boot=300, seed=1)
by_city[["city", "label", "rate_per_10k", "ci_low", "ci_high", "n_docs"]].head(13)

# %%
plots.emphasis_heatmap(by_city, "city")

# %% [markdown]
# Keywords in context show what a theme's matches look like before you trust a rate.

# %%
ca.kwic(tokens, "人才", window=6).head(5)

# %% [markdown]
# ## 4. Keyword trends
# Rates per year with document-bootstrap intervals (a year with one document has none).

# %%
trend_table = ca.trends(tokens, {"长三角": ["长三角"], "接轨上海": ["接轨上海"], "人才": ["人才"]}, n_boot=300, seed=1)
trend_table.head()

# %%
plots.trend_ribbons(trend_table, language="en")

# %% [markdown]
# ## 5. Topics
# A small LDA model on paragraphs; `labels_` names each topic by its top and FREX terms and the
# codebook theme it leans to, and `topic_prevalence` gives its share by city with intervals.

# %%
model = ca.TopicModel(4, random_state=0, passes=5, codebook=ca.load_codebook()).fit(tokens)
model.labels_[["topic", "top_terms", "theme_label"]]

# %%
prevalence = ca.topic_prevalence(model, "city", n_boot=300, seed=1)
plots.topic_prevalence_plot(prevalence)

# %% [markdown]
# ## 6. Your own documents
# Point `load_corpus` at a folder of .txt, .md, .html, .docx or .pdf files, with an optional
# `metadata.csv` (one row per file). The load report accounts for every file in the folder.

# %%
folder = Path(tempfile.mkdtemp())
(folder / "plan_a.txt").write_text("某市交通发展规划\n一、加快建设综合交通枢纽。\n二、引进高层次人才。", encoding="utf-8")
(folder / "plan_b.txt").write_text("某市生态环境保护方案\n一、改善生态环境质量。", encoding="utf-8")
(folder / "notes.csv").write_text("not a document", encoding="utf-8")
(folder / "metadata.csv").write_text("file,city,year\nplan_a.txt,某市,2021\nplan_b.txt,某市,2022\n", encoding="utf-8")

mine = ca.load_corpus(folder)
mine.report

# %%
ca.emphasis(ca.tokenize(mine), by="year", n_boot=100, seed=1)[["year", "label", "n_theme", "rate_per_10k"]].head(4)

# %%
shutil.rmtree(folder)  # the example folder is no longer needed

# %% [markdown]
# To reproduce every table and figure of the seed-corpus study, run `python -m experiments`
# (or `cityanalytics reproduce`) from the project folder.
