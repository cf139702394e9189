"""The real program, started as a user starts it: `annotator`, `annotator ARTICLE`, `annotator X.annotator`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from annotator.store import open_project


def launch(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ANNOTATOR_DATA_DIR=str(tmp_path / "data"),
        ANNOTATOR_CONFIG_DIR=str(tmp_path / "config"),
        ANNOTATOR_QUIT_WHEN_READY="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_articles_on_the_command_line_go_into_the_current_project(tmp_path: Path) -> None:
    default = tmp_path / "data" / "default.annotator"
    default.parent.mkdir(parents=True)
    seed = subprocess.run(
        [sys.executable, "-m", "annotator", "import", str(default), "--owner", "ann",
         str(Path(__file__).parents[2] / "seeds" / "000_8780c45163dbb04d.txt")],
        capture_output=True, text=True,
    )
    assert seed.returncode == 0, seed.stderr
    article = tmp_path / "new-story.md"
    article.write_text("# A new story\n\nThe minister said 'we will act'.", encoding="utf-8")
    out = launch(tmp_path, str(article))
    assert out.returncode == 0, out.stderr
    assert "ready" in out.stdout and "Traceback" not in out.stderr
    with open_project(default, readonly=True) as p:
        assert "new-story" in p.document_ids() and len(p.document_ids()) == 2


def test_opening_a_project_file_remembers_it_as_the_last_one(tmp_path: Path) -> None:
    project = tmp_path / "mine.annotator"
    open_project(project, create=True, owner="me").close()
    assert launch(tmp_path, str(project)).returncode == 0
    settings = (tmp_path / "config" / "settings.ini").read_text(encoding="utf-8")
    assert "mine.annotator" in settings
    again = launch(tmp_path)  # no argument: the last project, not a new default one
    assert again.returncode == 0, again.stderr
    assert not (tmp_path / "data" / "default.annotator").exists()


def test_a_broken_project_file_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.annotator"
    bad.write_bytes(b"definitely not sqlite" * 50)
    out = launch(tmp_path, str(bad))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr


def test_a_missing_file_or_no_display_is_a_one_line_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["ANNOTATOR_DATA_DIR"] = str(tmp_path / "data")
    missing = subprocess.run(
        [sys.executable, "-m", "annotator", str(tmp_path / "nope.txt")], env=env, capture_output=True, text=True
    )
    assert missing.returncode == 1 and missing.stderr.startswith("annotator: error: ")
    assert "no such file" in missing.stderr
    headless = subprocess.run([sys.executable, "-m", "annotator"], env=env, capture_output=True, text=True)
    assert headless.returncode == 1 and "no display" in headless.stderr
    assert "Traceback" not in headless.stderr + missing.stderr
