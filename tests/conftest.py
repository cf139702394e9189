"""Shared fixtures: a fresh project file in one line, the sample article, offscreen Qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Qt must never need a display in the test suite (CI has none).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The store's note of files found sound (``store.verified``): one per test run, never the user's.
if "ANNOTATOR_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["ANNOTATOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="annotator-test-cache-")
    atexit.register(shutil.rmtree, os.environ["ANNOTATOR_CACHE_DIR"], ignore_errors=True)

from annotator.core.model import Document, DocumentMeta, normalize_text
from annotator.resources import default_scheme, sample_article
from annotator.store import Project, open_project
from annotator.store.project import Record

SAMPLE_ID = "ceasefire-talks"


@pytest.fixture
def sample_text() -> str:
    return normalize_text(sample_article().read_text(encoding="utf-8"))


@pytest.fixture
def empty_project(tmp_path: Path) -> Project:
    """A new project file owned by 'alice' with the default scheme and no documents."""
    project = open_project(tmp_path / "p.annotator", create=True, owner="alice", scheme=default_scheme())
    yield project
    project.close()


@pytest.fixture
def project(empty_project: Project, sample_text: str) -> Project:
    """A new project holding the sample article as document 'ceasefire-talks'."""
    doc = Document(
        SAMPLE_ID,
        sample_text,
        DocumentMeta(title="Trump reveals where ceasefire talks with Putin stand", source="Mail Online"),
    )
    empty_project.add_records([Record(doc, "", (), ())])
    return empty_project
