"""Corpora larger than memory: documents read in chunks, counted here, in worker processes or on Dask."""
