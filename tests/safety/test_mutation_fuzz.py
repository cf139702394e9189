"""Byte flips and truncations of a valid project (seeded, deterministic), each opened with
open_project and open_received in batch children: only success or AnnotatorError, no
crash, no traceback, no hang; whatever opens reads every document."""

from __future__ import annotations

from pathlib import Path

import pytest
from safety_harness import fuzz


def test_mutated_projects_never_crash_or_hang(tmp_path: Path) -> None:
    report = fuzz(tmp_path, 200, seed=11, timeout=5.0)
    assert not report.failures, "\n\n".join(report.failures[:10])
    assert report.cases == 200
    assert report.own["refuse"] > 20 and report.own["open"] > 20, report.own
    assert set(report.received) <= {"refuse", "open"}, report.received


@pytest.mark.stress
def test_mutation_fuzz_long(tmp_path: Path) -> None:
    report = fuzz(tmp_path, 5000, seed=12, timeout=5.0)
    assert not report.failures, "\n\n".join(report.failures[:10])
