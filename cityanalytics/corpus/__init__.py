"""Files -> Corpus: reading, cleaning, structure, metadata, and the seed corpus."""
