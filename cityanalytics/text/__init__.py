"""Corpus -> Tokens: segmentation with a policy-aware lexicon, stopwords and boilerplate lists."""
