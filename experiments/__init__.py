"""Experiments: one module and one config per research question; ``python -m experiments`` runs them all."""
