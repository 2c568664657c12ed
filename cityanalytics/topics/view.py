"""An offline view of a fitted topic model: one self-contained HTML file, no scripts, no network.

It shows each topic's top terms as weight bars, its FREX terms and codebook theme, and, when a
prevalence table is given, the topics' shares by group as a shaded table. The file is the same
for the same model and table, so it can sit beside the experiment's other outputs.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from cityanalytics.topics.model import TopicModel

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin: 1.5em 0 0.3em; }
.meta { color: #555; font-size: 0.9em; }
.topic { display: inline-block; vertical-align: top; width: 21em; margin: 0 1.5em 1.5em 0; }
.bar { display: flex; align-items: center; font-size: 0.9em; margin: 1px 0; }
.bar span { width: 7em; text-align: right; padding-right: 0.5em; }
.bar div { background: #4477aa; height: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { border: 1px solid #ddd; padding: 0.2em 0.5em; }
td.num { text-align: right; }
"""


def _escape(value) -> str:
    return html.escape("" if pd.isna(value) else str(value))


def _topic_block(model: TopicModel, topic: int) -> str:
    terms = model.topic_terms_[model.topic_terms_["topic"] == topic]
    top = float(terms["weight"].max())
    bars = "".join(
        f'<div class="bar"><span>{_escape(t)}</span><div style="width:{12 * w / top:.2f}em"></div></div>'
        for t, w in zip(terms["term"], terms["weight"])
    )
    label = model.labels_.set_index("topic").loc[topic]
    named = "theme" in label and pd.notna(label["theme"])  # a topic with no theme term has none
    theme = f" · {_escape(label['theme_label'])} ({_escape(label['theme'])})" if named else ""
    return (f'<div class="topic"><h2>Topic {topic}{theme}</h2>{bars}'
            f'<p class="meta">FREX: {_escape(label["frex_terms"])}</p></div>')


def _prevalence_table(prevalence: pd.DataFrame) -> str:
    group = [c for c in prevalence.columns if c not in
             ("topic", "top_terms", "prevalence", "ci_low", "ci_high", "n_docs", "n_units")]
    topics = sorted(prevalence["topic"].unique())
    head = "".join(f"<th>{_escape(c)}</th>" for c in group) + "".join(f"<th>Topic {t}</th>" for t in topics)
    rows = []
    # the groups there are, in the table's order (missing last, as topic_prevalence puts it), values as written
    number = prevalence.groupby(group, sort=False, dropna=False).ngroup().to_numpy()
    for g in range(number.max() + 1 if len(number) else 0):
        shares = prevalence[number == g]
        keys = shares[group].astype(object).iloc[0].tolist()
        values = shares.set_index("topic")["prevalence"].reindex(topics)
        cells = "".join(f"<td>{'(missing)' if pd.isna(k) else _escape(k)}</td>" for k in keys)
        cells += "".join(f'<td class="num" style="background: rgba(68,119,170,{0 if pd.isna(v) else v:.3f})">'
                         f"{'' if pd.isna(v) else f'{v:.2f}'}</td>" for v in values)
        rows.append(f"<tr>{cells}</tr>")
    return f"<h2>Prevalence by {_escape(', '.join(group))}</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def write_topic_view(model: TopicModel, path: str | Path, prevalence: pd.DataFrame | None = None,
                     title: str = "Topic model") -> Path:
    """Write the model's topics (and a :func:`topic_prevalence` table, if given) as one HTML file."""
    model.check_fitted()
    path = Path(path)
    meta = (f"{model.n_topics} topics · engine {model.engine} · unit {model.unit} · random_state "
            f"{model.random_state} · {len(model.units_)} units · {len(model.vocabulary_)} terms")
    body = "".join(_topic_block(model, k) for k in range(model.n_topics))
    if prevalence is not None:
        body += _prevalence_table(prevalence)
    page = (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>{_escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{_escape(title)}</h1><p class=\"meta\">{_escape(meta)}</p>"
            f"{body}</body></html>\n")
    path.write_text(page, encoding="utf-8")
    return path
