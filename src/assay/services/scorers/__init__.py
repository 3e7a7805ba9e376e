"""Scorers, classifiers and facets: what a stored function or a built-in computes, and runners
that compute it over a batch of rows (`base.Runner`)."""
