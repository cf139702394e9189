"""Agreement over colleagues' files: load + report for 1,000 documents x 3 annotators x 50 spans.

Targets (issue "Review colleagues' annotation files"):

* ``load_files`` + ``agreement_report`` on three 1,000-document files, 50 spans
  per document and annotator: under 3 s;
* opening the review of two 1,000-document files (``load_files`` +
  ``agreement_report`` + ``disagreements``, what the review window needs): under 2 s.

Each figure is the best and the median of ``--runs`` runs (wall clock); the
verdict uses the best, since other processes on the machine only add time.

The files are built with the store API (``open_project`` / ``add_records``) in a
temporary folder; building them is not timed. Each annotator starts from the
same "gold" spans and deviates at random (shifted boundaries, other labels,
other attribute values, dropped and extra spans), so every measure has work.

    .venv/bin/python bench/bench_agreement.py [--documents N] [--spans N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from annotator.core.model import Document, DocumentMeta, Relation, Span
from annotator.io.review import agreement_report, disagreements, load_files
from annotator.resources import default_scheme
from annotator.store import open_project
from annotator.store.project import Record

LABELS = ("QUOTE", "SPEAKER", "CLAIM", "CUE")
STANCES = ("against", "neutral", "favor", "unclear")
WORDS = [
    "ceasefire",
    "talks",
    "minister",
    "said",
    "the",
    "war",
    "must",
    "end",
    "sanctions",
    "Kremlin",
    "spokesman",
    "president",
    "reporters",
    "Ukraine",
    "Russia",
    "troops",
    "border",
    "deal",
    "negotiators",
    "peace",
    "week",
]


def make_text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length]


def gold_spans(rng: random.Random, length: int, count: int) -> list[tuple[int, int, str]]:
    """``count`` disjoint stretches laid out along the text, each given a label."""
    slot = length // count
    spans = []
    for i in range(count):
        start = i * slot + rng.randrange(0, max(1, slot // 4))
        end = min(start + rng.randrange(5, max(6, slot - slot // 4)), (i + 1) * slot)
        spans.append((start, end, rng.choice(LABELS)))
    return spans


def annotate(
    rng: random.Random, gold: list[tuple[int, int, str]], length: int, count: int
) -> tuple[list[Span], list[Relation]]:
    spans: list[Span] = []
    for i, (start, end, label) in enumerate(gold):
        roll = rng.random()
        if roll < 0.04:  # missed
            continue
        if roll < 0.14:  # boundary moved
            start = max(0, start + rng.randint(-3, 3))
            end = min(length, max(start + 1, end + rng.randint(-3, 3)))
        elif roll < 0.18:  # another label
            label = rng.choice(LABELS)
        attrs: dict[str, str] = {}
        if label in ("QUOTE", "CLAIM"):
            attrs["stance"] = STANCES[i % 4] if rng.random() < 0.85 else rng.choice(STANCES)
        spans.append(Span(f"t{i}", start, end, label, attrs))
    while len(spans) < count:  # an extra span of one's own, in a free place
        start = rng.randrange(0, length - 6)
        spans.append(Span(f"x{len(spans)}", start, start + 5, "CUE"))
    relations = []
    quotes = [s for s in spans if s.label == "QUOTE"]
    speakers = [s for s in spans if s.label == "SPEAKER"]
    for quote in quotes:
        if speakers:
            speaker = min(speakers, key=lambda s: abs(s.start - quote.end))
            relations.append(Relation("SAID_BY", quote.id, speaker.id))
    return spans, relations


def build(folder: Path, documents: int, spans: int, annotators: int) -> list[Path]:
    rng = random.Random(20240601)
    docs = []
    for d in range(documents):
        length = rng.randrange(2500, 4500)
        docs.append(
            (
                Document(f"doc-{d:05d}", make_text(rng, length), DocumentMeta(title=f"{d}")),
                gold_spans(rng, length, spans),
            )
        )
    paths = []
    for a in range(annotators):
        arng = random.Random(a)
        path = folder / f"annotator-{a}.annotator"
        project = open_project(path, create=True, owner=f"ann{a}", scheme=default_scheme())
        records = []
        for doc, gold in docs:
            labelled = Document(doc.id, doc.text, doc.meta, labels={"stance": arng.choice(STANCES)})
            s, r = annotate(arng, gold, len(doc.text), spans)
            records.append(Record(labelled, "", tuple(s), tuple(r)))
        project.add_records(records)
        project.close()
        paths.append(path)
    return paths


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(best, median) wall-clock seconds over ``runs`` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def line(what: str, best: float, median: float, target: float | None = None) -> str:
    text = f"  {what:<52} best {best:5.2f} s  median {median:5.2f} s"
    if target is not None:
        text += f"   target < {target:g} s   {'ok' if best < target else 'SLOW'}"
    return text


def bench_three(paths: list[Path], runs: int) -> dict[str, float]:
    """Time the three-file review; what it keeps is freed when this returns."""
    load3 = timed(lambda: load_files(paths), runs)
    review3 = load_files(paths)
    report3 = timed(lambda: agreement_report(review3), runs)
    both3 = timed(lambda: agreement_report(load_files(paths)), runs)
    print(line("load_files, 3 files", *load3))
    print(line("agreement_report, 3 annotators", *report3))
    print(line("load_files + agreement_report, 3 annotators", *both3, target=3.0))
    overall: dict[str, float] = agreement_report(review3)["spans"]["overall"]
    return overall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} (other processes slow every figure)")
    print(f"verdicts on the best of {args.runs} runs, as timeit advises; medians for reference")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = build(Path(tmp), args.documents, args.spans, 3)
        size = sum(p.stat().st_size for p in paths) / 3 / 1e6
        print(
            f"built 3 files x {args.documents} documents x {args.spans} spans "
            f"({size:.1f} MB each) in {time.perf_counter() - t0:.1f} s"
        )

        overall = bench_three(paths, args.runs)

        # the review of two files is timed on its own, as a fresh window would be
        two = paths[:2]

        def open_review() -> None:
            review = load_files(two)
            agreement_report(review)
            disagreements(review)

        found = len(disagreements(load_files(two)))
        opening = timed(open_review, args.runs)
        print(line(f"open a review of 2 files (+ {found} disagreements)", *opening, target=2.0))
        print(
            "  (3 annotators: exact F1 {exact_f1:.3f}, overlap F1 {overlap_f1:.3f}, "
            "u-alpha {u_alpha:.3f})".format(**overall)
        )


if __name__ == "__main__":
    main()
