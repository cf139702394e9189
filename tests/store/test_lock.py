"""A project open for writing in one process is read-only for any other."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.commands import AddSpan
from annotator.core.errors import AnnotatorError
from annotator.core.model import Span
from annotator.store import Project, open_project
from annotator.store.lock import ProjectLocked

SAMPLE_ID = "ceasefire-talks"

HOLDER = """
import sys, time
from annotator.store import open_project
p = open_project(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
p.close()
"""


def test_a_second_process_gets_locked_out_then_a_read_only_view(project: Project) -> None:
    path = project.path
    project.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(ProjectLocked, match="already open in another Annotator window") as e:
            open_project(path)
        if hasattr(os, "uname"):  # who holds it: the process and the computer
            assert str(e.value).endswith(f"(pid {holder.pid} on {os.uname().nodename})")
        with open_project(path, readonly=True) as view:
            assert view.document_ids() == [SAMPLE_ID]
            with pytest.raises(AnnotatorError, match="read-only"):
                view.execute(AddSpan(SAMPLE_ID, Span("", 0, 5, "QUOTE")))
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=20)
    with open_project(path) as again:  # released when the holder closed
        assert again.spans(SAMPLE_ID) == []


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path, project: Project) -> None:
    path = project.path
    project.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    holder.kill()
    holder.wait()
    with open_project(path) as again:
        assert again.document_ids() == [SAMPLE_ID]


def test_the_cli_refuses_to_import_into_an_open_project(project: Project, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some text.", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "import", str(project.path), str(article)],
        capture_output=True, text=True,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("annotator: error: ") and "already open" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_failed_import_into_a_new_project_leaves_no_file_behind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "Hello.", "meta": {"author": 5}}\n', encoding="utf-8")
    target = tmp_path / "new.annotator"
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "import", str(target), str(bad)], capture_output=True, text=True
    )
    assert out.returncode == 1 and "line 1" in out.stderr and "'author' must be a string" in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]
