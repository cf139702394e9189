"""Nothing executed, nothing written, nothing crashes: a corpus of hostile and broken files.

Each file of ``corpus.py`` is opened in a child (five seconds each at most: a hang is
a failure) with ``open_project`` and with ``open_received``. Each must give a clear
``AnnotatorError`` naming the file, or open and read every document (one's own
project may refuse a bad document when it is read, with a message naming it); no
other exception; the canary no trigger may write stays empty; and the file's bytes
and modification time stay the same (except where one's own project legitimately
recovers a journal or leaves WAL mode when it opens).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import corpus
import pytest
from safety_harness import canary_rows, run_hostile

REQUIRED = {  # what the issue names, by corpus case
    "not-sqlite", "zero-bytes", "truncated-100", "truncated-half", "truncated-1-page",
    "corrupted-pages", "other-application", "future-version", "trigger-on-insert",
    "trigger-on-update", "trigger-on-delete", "view-shadowing-table", "virtual-table",
    "expression-index", "huge-meta-text", "invalid-utf8-text", "nul-in-text", "negative-offset",
    "offset-past-text", "end-before-start", "relation-to-missing-span", "malformed-json-attrs",
    "directory", "unreadable-file", "inside-closed-folder", "symlink-loop", "fifo", "wal-mode",
    "hot-journal",
}  # fmt: skip


def test_the_corpus_covers_the_issue() -> None:
    names = {c.name for c in corpus.cases()}
    assert names >= REQUIRED, REQUIRED - names
    assert len(names) >= 25


def test_every_hostile_file_is_refused_clearly_or_opened_safely(
    hostile_corpus: tuple[Path, list[tuple[corpus.Case, Path]]], tmp_path: Path
) -> None:
    _base, made = hostile_corpus
    report = run_hostile(made, tmp_path, timeout=5.0)
    assert not report.failures, "\n\n".join(report.failures)
    assert report.files == len(made) and report.checks == 2 * len(made)
    assert report.slowest < 5.0
    refused_both = [n for n, o in report.outcomes.items() if set(o.values()) == {"refuse"}]
    assert len(refused_both) >= 25, refused_both


def test_the_canary_would_catch_a_trigger_that_ran(
    hostile_corpus: tuple[Path, list[tuple[corpus.Case, Path]]], tmp_path: Path
) -> None:
    """Control: the triggers of the corpus do write the canary when something runs them."""
    _base, made = hostile_corpus
    path = dict((c.name, p) for c, p in made)["trigger-on-insert"]
    copy = tmp_path / "control.annotator"
    shutil.copyfile(path, copy)
    assert canary_rows(copy) == 0
    conn = sqlite3.connect(copy)
    conn.execute(
        "INSERT INTO spans (doc, sid, annotator, label, start, \"end\") "
        "SELECT id, 'zz', 'alice', 'QUOTE', 0, 1 FROM documents LIMIT 1"
    )
    conn.commit()
    conn.close()
    assert canary_rows(copy) == 1


@pytest.mark.stress
def test_hostile_corpus_repeated(
    hostile_corpus: tuple[Path, list[tuple[corpus.Case, Path]]], tmp_path: Path
) -> None:
    _base, made = hostile_corpus
    report = run_hostile(made, tmp_path, timeout=5.0, repeat=10)
    assert not report.failures, "\n\n".join(report.failures)
