"""Nothing lost: a writer SIGKILLed at random moments loses no acknowledged action.

A child acts through the same store API the window uses (open_project, then
execute AddSpan / EditSpan / RemoveSpan / AddRelation, one transaction each) and
writes ``I`` before and ``A`` after each action; the parent kills it with SIGKILL
at a random moment. Afterwards the file (opened as the app opens it) holds exactly
every acknowledged action, plus at most the one in flight, whole; and
``PRAGMA integrity_check`` says ``ok``. Every time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from safety_harness import gui_kill, kill_soak


def test_a_killed_writer_keeps_every_acknowledged_action(tmp_path: Path) -> None:
    report = kill_soak(tmp_path, kills=15, seed=20240611)
    assert report.kills == 15
    assert report.actions_verified >= 15, report  # the kills landed among real work
    if report.actions_verified >= 80:  # (a very slow disk acknowledges fewer)
        assert set(report.ops) == {"add", "edit", "remove", "link"}, report


def test_a_killed_window_keeps_every_span_it_showed(tmp_path: Path) -> None:
    """The real MainWindow, offscreen, tagging with window.tag after view.select_cp."""
    report = gui_kill(tmp_path, kills=3, seed=7)
    assert report.kills == 3
    assert report.spans_verified >= 1, report


@pytest.mark.stress
def test_kill_soak_long(tmp_path: Path) -> None:
    report = kill_soak(tmp_path, kills=200, seed=1)
    assert report.kills == 200 and report.actions_verified >= 1000, report


@pytest.mark.stress
def test_window_kills_long(tmp_path: Path) -> None:
    report = gui_kill(tmp_path, kills=25, seed=2)
    assert report.kills == 25 and report.spans_verified >= 100, report
