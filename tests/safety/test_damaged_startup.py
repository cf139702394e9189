"""A corrupt project at start-up is never deleted: kept aside, the latest good backup offered.

Every corpus file (one per data folder holding a verified backup of the base project)
goes through what ``launch`` does: ``open_for_window`` answering "yes, restore", then a
MainWindow showing every document. A damaged file is renamed ``NAME.damaged-TIME``
byte for byte and the backup restored and opened; any other refused file stays where
it was, unchanged, with a message naming it; nothing raises.
"""

from __future__ import annotations

import corpus
import pytest
from safety_harness import run_startup

SKIP = {"huge-meta-text"}  # its 50 MB adds time and nothing the open tests do not cover


@pytest.fixture(scope="module")
def startup_report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("startup")
    names = [c.name for c in corpus.cases() if not c.unprivileged and c.name not in SKIP]
    base, made = corpus.build(folder / "corpus", names)
    return run_startup(made, base, folder)


def test_the_app_starts_on_every_corpus_file(startup_report) -> None:  # type: ignore[no-untyped-def]
    report = startup_report
    assert not report.failures, "\n\n".join(report.failures)
    damaged = [c for c in corpus.cases() if c.damaged and c.name not in SKIP]
    assert report.kept_aside_and_restored == len(damaged) >= 7
    assert report.refused_untouched >= 20
    assert report.files == report.kept_aside_and_restored + report.refused_untouched + report.opened


def test_the_window_shows_a_bad_document_as_a_message(startup_report) -> None:  # type: ignore[no-untyped-def]
    report = startup_report
    assert not report.window_refusals and not report.escaped, "\n".join(
        report.window_refusals + report.escaped
    )
