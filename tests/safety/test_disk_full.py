"""Disk full during a save: the action fails with a message, is not shown as done, and
earlier work is intact.

The child lowers RLIMIT_FSIZE to the project file's size (SIGXFSZ ignored, so a write
past it fails with EFBIG instead of killing the process), then imports a big document
and adds spans until one cannot be saved: through the store (``AnnotatorError``, the
project unchanged) and through the window (``run`` returns False, an error message
naming the file, nothing on the undo stack or the screen). With room again the same
open project saves the next action; the file is intact (``integrity_check``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from safety_harness import disk_full_store, disk_full_window

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX only")


def test_disk_full_in_the_store_is_an_annotator_error_and_changes_nothing(tmp_path: Path) -> None:
    report = disk_full_store(tmp_path)
    assert report.refused_writes == 2 and report.acknowledged_before >= 1


def test_disk_full_in_the_window_shows_a_message_and_nothing_as_done(tmp_path: Path) -> None:
    report = disk_full_window(tmp_path)
    assert report.refused_writes == 2 and report.acknowledged_before >= 1
