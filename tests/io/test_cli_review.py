"""The review commands as users script them: agree --json, merge, share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.commands import AddSpan, EditSpan
from annotator.core.model import Document, Span
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record

TEXT = "Peskov said 'there is hope'. Trump said 'it will end'."


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True)


def make(path: Path, owner: str, stance: str) -> None:
    with open_project(path, create=True, owner=owner, scheme=default_scheme()) as p:
        p.add_records([Record(Document("d", TEXT), "", (), ())])
        for phrase, label in (("there is hope", "QUOTE"), ("it will end", "QUOTE"), ("Peskov", "SPEAKER")):
            s = TEXT.index(phrase)
            p.execute(AddSpan("d", Span("", s, s + len(phrase), label)))
        q = p.span("d", "q1")
        p.execute(EditSpan("d", q, q.with_(attrs={"stance": stance})))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.annotator", tmp_path / "b.annotator"
    make(a, "alice", "favor")
    make(b, "alice", "against")
    return a, b


def test_agree_json_has_the_public_keys(files: tuple[Path, Path]) -> None:
    a, b = files
    before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
    out = run("agree", str(a), str(b), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["annotators"] == ["alice", "alice (2)"]
    assert report["documents"] == 1
    assert report["spans"]["overall"]["exact_f1"] == 1.0
    assert set(report["spans"]["by_label"]["QUOTE"]) >= {"exact_f1", "overlap_f1", "u_alpha"}
    assert report["attributes"]["QUOTE.stance"]["n"] == 1
    assert set(report["attribution"]) >= {"agreement", "n"}
    assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before  # never written


def test_agree_with_one_annotator_gives_nulls_with_reasons(files: tuple[Path, Path]) -> None:
    out = run("agree", str(files[0]), "--json")
    report = json.loads(out.stdout)
    assert report["spans"]["overall"]["exact_f1"] is None
    assert report["spans"]["overall"]["exact_f1_reason"]


def test_agree_reports_a_bad_file_and_still_reads_the_others(files: tuple[Path, Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.annotator"
    junk.write_bytes(b"not a database at all" * 20)
    out = run("agree", str(files[0]), str(junk), str(files[1]))
    assert out.returncode == 0
    assert "junk.annotator" in out.stderr and "Traceback" not in out.stderr
    assert "alice (2)" in out.stdout


def test_merge_keeps_same_named_annotators_apart_and_share_copies(files: tuple[Path, Path], tmp_path: Path) -> None:
    merged = tmp_path / "m.annotator"
    out = run("merge", *map(str, files), "-o", str(merged))
    assert out.returncode == 0, out.stderr
    with open_project(merged, readonly=True) as p:
        assert [s.attrs.get("stance") for s in p.spans("d", "alice") if s.id == "q1"] == ["favor"]
        assert [s.attrs.get("stance") for s in p.spans("d", "alice (2)") if s.id == "q1"] == ["against"]
    again = run("merge", *map(str, files), "-o", str(merged))
    assert again.returncode == 1 and "already exists" in again.stderr
    copy = tmp_path / "copy.annotator"
    assert run("share", str(merged), "-o", str(copy)).returncode == 0
    with open_project(copy, readonly=True) as p:
        assert len(p.spans("d", "*")) == 6
