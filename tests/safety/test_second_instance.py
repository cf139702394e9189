"""The same project opened by a second instance: its writes are refused, a read-only
view still reads, and no update is ever lost (also when several instances race)."""

from __future__ import annotations

from pathlib import Path

import pytest
from safety_harness import lock_race, second_instance


def test_a_second_process_is_refused_but_reads_and_nothing_is_lost(tmp_path: Path) -> None:
    report = second_instance(tmp_path, adds=15)
    assert report.writes_acknowledged == 15 and report.reads_by_the_view == 15
    assert "already open" in report.refusals["symlink"]  # also through another name


def test_racing_instances_never_write_at_once_and_lose_nothing(tmp_path: Path) -> None:
    report = lock_race(tmp_path, racers=4, actions=8, seed=5)
    assert report.raced_actions == 32 and report.lock_turns >= 4


@pytest.mark.stress
def test_racing_instances_long(tmp_path: Path) -> None:
    report = lock_race(tmp_path, racers=8, actions=60, seed=6)
    assert report.raced_actions == 480
