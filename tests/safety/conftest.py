"""Fixtures of the safety suite, and the rule that keeps the default run fast.

Tests marked ``stress`` are the long variants: they run only when asked for with
``-m stress`` (``bench/soak.py`` runs the same checks longer still, with counts).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import corpus
import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr"):
        return  # an explicit -m decides
    skip = pytest.mark.skip(reason="long variant: run with -m stress (or bench/soak.py)")
    for item in items:
        if "stress" in item.keywords and HERE in Path(str(item.path)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def hostile_corpus(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, list[tuple[corpus.Case, Path]]]]:
    """The base project and every case of the corpus, built once per session."""
    folder = tmp_path_factory.mktemp("corpus")
    base, made = corpus.build(folder, [c.name for c in corpus.cases() if not c.unprivileged])
    # the permission cases run as an unprivileged user under root: a folder they can reach
    public = Path(tempfile.mkdtemp(prefix="annotator-safety-public-"))
    public.chmod(0o755)
    _, restricted = corpus.build(public, [c.name for c in corpus.cases() if c.unprivileged])
    yield base, made + restricted
    for entry in public.iterdir():
        if not entry.is_symlink():
            entry.chmod(0o700)
    shutil.rmtree(public, ignore_errors=True)
