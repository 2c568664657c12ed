"""Analyses: tidy tables computed from tokens and document-term matrices."""
