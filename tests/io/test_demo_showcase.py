"""The showcase annotation of the sample article (seeds/demo/ceasefire-talks.jsonl).

Real files, the real command line, no Qt: the checked-in JSONL reads back, survives an
import/export round trip byte for byte, is what scripts/make_demo.py builds, and is a
complete, consistent annotation.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from annotator.core.model import normalize_text
from annotator.io.jsonl import read_jsonl
from annotator.store.project import Record

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "seeds" / "demo" / "ceasefire-talks.jsonl"
SAMPLE = ROOT / "seeds" / "000_8780c45163dbb04d.txt"
SCRIPT = ROOT / "scripts" / "make_demo.py"


@pytest.fixture(scope="module")
def demo() -> Record:
    records = list(read_jsonl(DEMO))  # checks every offset and every span's text
    assert len(records) == 1
    return records[0]


def test_demo_reads_back_on_the_sample_text(demo: Record) -> None:
    sample = normalize_text(SAMPLE.read_text(encoding="utf-8"))
    doc = demo.document
    assert doc.id == "ceasefire-talks"
    assert doc.text == sample
    assert doc.meta.title == "Trump reveals where ceasefire talks with Putin stand"
    assert doc.meta.source == "Mail Online"
    assert (doc.meta.url, doc.meta.published) == (None, None)
    assert demo.annotator == "demo"
    assert doc.status == "done"
    assert doc.labels["topic"] == "Russia-Ukraine ceasefire talks"
    assert doc.labels["stance"] in {"against", "neutral", "favor", "unclear"}


def test_import_then_export_through_the_command_line_is_byte_identical(tmp_path: Path) -> None:
    project, out = tmp_path / "demo.annotator", tmp_path / "out.jsonl"
    cli = [sys.executable, "-m", "annotator"]
    subprocess.run([*cli, "import", str(project), str(DEMO)], check=True, capture_output=True)
    subprocess.run(
        [*cli, "export", str(project), "--format", "jsonl", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == DEMO.read_bytes()


def test_the_script_builds_exactly_the_checked_in_file() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_quote_is_attributed_and_has_a_stance(demo: Record) -> None:
    spans = {s.id: s for s in demo.spans}
    said_by = Counter(r.head for r in demo.relations if r.label == "SAID_BY")
    for r in demo.relations:
        assert r.head in spans and r.child in spans
        if r.label == "SAID_BY":
            assert spans[r.head].label in {"QUOTE", "CLAIM"}
            child = spans[r.child]
            assert child.label == "SPEAKER", r
            assert child.attrs.get("person"), r
        elif r.label == "CUED_BY":
            assert spans[r.head].label in {"QUOTE", "CLAIM"}
            assert spans[r.child].label == "CUE", r
        else:
            pytest.fail(f"unexpected relation {r}")
    quotes = [s for s in demo.spans if s.label == "QUOTE"]
    assert len(quotes) >= 15
    for q in quotes:
        # exactly one SAID_BY, or else a person of its own; never both, never neither
        assert (said_by[q.id], "person" in q.attrs) in {(1, False), (0, True)}, q.id
        assert q.attrs.get("stance") in {"against", "neutral", "favor", "unclear"}, q.id
        assert q.attrs.get("kind") in {"direct", "indirect", "mixed"}, q.id
    # every speaker mention is there because something is attributed to it
    assert {s.id for s in demo.spans if s.label == "SPEAKER"} <= {
        r.child for r in demo.relations if r.label == "SAID_BY"
    }


def test_ids_follow_text_order_within_each_label(demo: Record) -> None:
    prefixes = {"QUOTE": "q", "SPEAKER": "s", "CUE": "v", "CLAIM": "c"}
    for label, prefix in prefixes.items():
        ids = [s.id for s in sorted(demo.spans, key=lambda s: s.start) if s.label == label]
        assert ids == [f"{prefix}{i}" for i in range(1, len(ids) + 1)], label


def test_persons_and_claims(demo: Record) -> None:
    persons = {s.attrs["person"] for s in demo.spans if "person" in s.attrs}
    assert len(persons) >= 5
    # Steve Witkoff is in the article, but never as a source: everything about him is
    # reported by Peskov or by the outlet, so he is not a SPEAKER (see make_demo.py).
    assert {"Donald Trump", "Dmitri Peskov", "Vladimir Putin", "Volodymyr Zelensky"} <= persons
    claims = [s for s in demo.spans if s.label == "CLAIM"]
    assert 5 <= len(claims) <= 12
    assert any(c.attrs.get("kind") == "statistic" for c in claims)
    assert all(c.attrs.get("checkworthy") in {"yes", "no"} for c in claims)
    # at least one quote interrupted by its attribution, kept as one span in fragments
    assert any(s.fragments for s in demo.spans if s.label == "QUOTE")
