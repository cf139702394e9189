"""The dashboard numbers: who is quoted, how much, on which side (from the annotated demo)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from annotator.core.stats import compute
from annotator.io.importer import import_paths
from annotator.resources import default_scheme, seeds_dir
from annotator.store import open_project
from annotator.store.stats_queries import document_rows, quote_rows

DEMO = seeds_dir() / "demo" / "ceasefire-talks.jsonl"


def demo_stats(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    with open_project(tmp_path / "d.annotator", create=True, owner="x", scheme=default_scheme()) as p:
        import_paths(p, [DEMO])
        return compute(quote_rows(p), document_rows(p))


def test_most_quoted_people_with_quotes_and_words(tmp_path: Path) -> None:
    stats = demo_stats(tmp_path)
    assert stats["documents"] == 1 and stats["quotes"] == 27
    top = stats["people"][0]
    assert top["person"] == "Donald Trump" and top["quotes"] == 12
    assert sum(p["quotes"] for p in stats["people"]) == 27
    assert all(p["words"] > 0 for p in stats["people"])
    assert stats["outlets"] == [{"outlet": "Mail Online", "quotes": 27, "documents": 1}]


def test_stance_per_target_adds_up(tmp_path: Path) -> None:
    stats = demo_stats(tmp_path)
    ceasefire = stats["stance"]["by_target"]["ceasefire"]
    assert ceasefire == {"favor": 9, "against": 2, "neutral": 9, "unclear": 3}
    by_person = stats["stance"]["by_person"]
    assert sum(sum(t.values()) for p in by_person.values() for t in p.values()) == 27
    assert stats["claims"]["by_kind"] == {"causal": 1, "other": 4, "prediction": 1, "statistic": 2}
    assert stats["progress"]["by_annotator"]["demo"]["done"] == 1


def test_cli_stats_json(tmp_path: Path) -> None:
    path = tmp_path / "d.annotator"
    subprocess.run([sys.executable, "-m", "annotator", "import", str(path), str(DEMO)], check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "annotator", "stats", str(path), "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    assert set(stats) >= {"documents", "quotes", "people", "organisations", "outlets", "stance", "claims", "progress"}
    table = subprocess.run([sys.executable, "-m", "annotator", "stats", str(path)], capture_output=True, text=True)
    assert "Donald Trump" in table.stdout and "Most quoted" in table.stdout
