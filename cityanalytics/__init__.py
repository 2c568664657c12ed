"""cityanalytics: comparative text analysis of Chinese municipal policy documents.

The data flow runs one way, tidy at every boundary::

    files -> load_corpus -> Corpus -> tokenize -> Tokens -> dtm -> DTM -> analyses (DataFrames)
"""

from cityanalytics.analysis.codebook import Codebook, apply_decisions, load_codebook, record_decisions
from cityanalytics.analysis.emphasis import compare_emphasis, emphasis
from cityanalytics.analysis.keywords import (
    collocations,
    frequency,
    keyness,
    log_odds,
    new_terms,
    textrank,
    tfidf_keywords,
)
from cityanalytics.analysis.similarity import document_similarity
from cityanalytics.analysis.trends import first_appearance, term_coverage, trend_test, trends
from cityanalytics.analysis.validation import expand_theme, kwic, validate_coding
from cityanalytics.corpus.corpus import Corpus, concat, load_corpus
from cityanalytics.dtm import DTM, dtm
from cityanalytics.errors import CityAnalyticsError, InputFileError, MetadataError
from cityanalytics.scale.counts import stream_dtm
from cityanalytics.scale.sources import FolderChunks, jsonl_chunks, read_jsonl, record_chunks
from cityanalytics.text.segment import TokenizerConfig
from cityanalytics.text.tokens import Tokens, tokenize
from cityanalytics.topics.model import TopicModel
from cityanalytics.topics.prevalence import topic_effects, topic_prevalence
from cityanalytics.topics.selection import recommend_k, summarise, sweep

__version__ = "0.1.0"

__all__ = [
    "Codebook",
    "Corpus",
    "DTM",
    "FolderChunks",
    "CityAnalyticsError",
    "InputFileError",
    "MetadataError",
    "TokenizerConfig",
    "Tokens",
    "TopicModel",
    "apply_decisions",
    "collocations",
    "compare_emphasis",
    "concat",
    "document_similarity",
    "dtm",
    "emphasis",
    "expand_theme",
    "first_appearance",
    "jsonl_chunks",
    "frequency",
    "keyness",
    "kwic",
    "load_codebook",
    "load_corpus",
    "log_odds",
    "new_terms",
    "recommend_k",
    "read_jsonl",
    "record_chunks",
    "record_decisions",
    "summarise",
    "stream_dtm",
    "sweep",
    "term_coverage",
    "textrank",
    "tfidf_keywords",
    "tokenize",
    "topic_effects",
    "topic_prevalence",
    "trend_test",
    "trends",
    "validate_coding",
]
