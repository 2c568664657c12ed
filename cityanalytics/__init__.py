"""cityanalytics: comparative text analysis of Chinese municipal policy documents."""
