"""One table of character classes for the compiled structure and sentence kernels.

The kernels read text as code points (:mod:`cityanalytics.codepoints`) and look each one up
here instead of running regular expressions. Each class is one bit; the classes mirror what
Python's ``re`` and ``str`` methods see, so the kernels split exactly as the expressions that
document the rules would.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from cityanalytics.corpus.clean import CLOSING, SENTENCE_END
from cityanalytics.corpus.markers import ARTICLE_ONLY_NUMERALS, CN_NUMERAL
from cityanalytics.corpus.metadata import DATE_WORDS

END, CLOSING_MARK, SPACE, DIGIT, NUMERAL, HAN, DATE_WORD, ARTICLE_ONLY_NUMERAL = 1, 2, 4, 8, 16, 32, 64, 128
"""Sentence end (。！？!?…), closing quote or bracket, white space as ``str.strip`` sees it,
decimal digit as ``\\d`` matches it, Chinese numeral of a heading marker, a character of
U+4E00–U+9FFF, a character of a written date (一…十○〇零年月日), and a numeral of article numbers
only (千)."""

LAST_SPACE = 0x3000
"""The highest code point ``str.isspace`` accepts (U+3000 IDEOGRAPHIC SPACE)."""
LAST_DIGIT = 0x1FBF9
"""The highest code point ``str.isdecimal`` (and so ``\\d``) accepts (U+1FBF9 SEGMENTED DIGIT NINE)."""


@lru_cache(maxsize=1)
def character_classes() -> np.ndarray:
    """Per code point, the classes above as bits."""
    classes = np.zeros(0x110000, dtype=np.uint8)
    for characters, bit in ((SENTENCE_END, END), (CLOSING, CLOSING_MARK), (CN_NUMERAL, NUMERAL), (DATE_WORDS, DATE_WORD),
                            (ARTICLE_ONLY_NUMERALS, ARTICLE_ONLY_NUMERAL)):
        classes[[ord(c) for c in characters]] |= bit
    classes[[c for c in range(LAST_SPACE + 1) if chr(c).isspace()]] |= SPACE
    classes[[c for c in range(LAST_DIGIT + 1) if chr(c).isdecimal()]] |= DIGIT
    classes[0x4E00:0xA000] |= HAN
    return classes
