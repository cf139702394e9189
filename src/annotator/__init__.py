"""Annotator: tag quotes, speakers, claims and stance in news articles.

Importing this package must stay cheap and must never import PySide6.
"""

__version__ = "0.1.0"
