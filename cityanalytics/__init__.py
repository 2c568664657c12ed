"""cityanalytics: comparative text analysis of Chinese municipal policy documents.

The data flow runs one way, tidy at every boundary::

    files -> load_corpus -> Corpus -> tokenize -> Tokens -> dtm -> DTM -> analyses
"""

from cityanalytics.corpus.corpus import Corpus, concat, load_corpus
from cityanalytics.dtm import DTM, dtm
from cityanalytics.errors import CityAnalyticsError, InputFileError, MetadataError
from cityanalytics.text.segment import TokenizerConfig
from cityanalytics.text.tokens import Tokens, tokenize

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "DTM",
    "CityAnalyticsError",
    "InputFileError",
    "MetadataError",
    "TokenizerConfig",
    "Tokens",
    "concat",
    "dtm",
    "load_corpus",
    "tokenize",
]
