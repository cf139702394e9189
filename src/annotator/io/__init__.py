"""Headless file formats: reading articles, the canonical JSONL, import and export.

This package sits between the store (below) and the ui (above): it uses
``annotator.core`` and ``annotator.store`` and never imports PySide6, so every
format can be used and tested without a display. Every problem a user can act
on is raised as ``AnnotatorError`` with a one-line message naming the file.
"""
