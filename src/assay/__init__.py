"""Assay: record AI evaluation runs and interpret their results, self-hosted.

The public Python surface is small on purpose: logging and reading go through the official
`braintrust` SDK pointed at an Assay server; this package adds the server, its store and the CLI.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
