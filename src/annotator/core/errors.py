"""The one exception type users see, shared by every layer."""

from __future__ import annotations


class AnnotatorError(Exception):
    """A problem the user can act on; its message is shown as-is (no traceback)."""
