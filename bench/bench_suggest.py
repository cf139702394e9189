"""Suggestions against hand annotation: precision, recall, F1 and attribution accuracy; speed.

Runs the rule suggester (``annotator.core.suggest.RuleSuggester``) over the
sample article (``seeds/demo/ceasefire-talks.jsonl``) and the hand-annotated
evaluation set (``seeds/eval/*.jsonl``, see ``seeds/eval/make_eval.py``) and
prints, per document and micro-averaged over all of them:

* QUOTE P/R/F1: a suggested quote matches a gold quote when their overlap is
  at least half of the longer one (one-to-one, best overlap first); plus the
  exact-match F1 (same fragments);
* SPEAKER and CUE P/R/F1: any overlap, one-to-one;
* the same for the documents the rules were tuned on and for the held-out ones
  (seeds/eval 12-14, written after the rules were frozen);
* attribution accuracy: the share of gold quotes matched by a suggested quote
  whose SAID_BY speaker names the same person (its ``person``, or its text
  when it has none; a quote's own ``person`` when it has no SAID_BY);

and the time to suggest for a 5,000-word article built by concatenating the
evaluation texts. Targets (issue "Suggestions that halve the tagging work"):
quote F1 > 0.85, attribution accuracy > 0.8, 5,000 words < 200 ms.

    .venv/bin/python bench/bench_suggest.py [--runs N] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.model import Person, Relation, Span
from annotator.core.suggest import RuleSuggester, Suggester, Suggestions
from annotator.io.jsonl import read_jsonl

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "seeds" / "demo" / "ceasefire-talks.jsonl"
EVAL_DIR = ROOT / "seeds" / "eval"
LABELS = ("QUOTE", "SPEAKER", "CUE")
#: Evaluation files written after the rules were frozen, never used to tune them.
HELD_OUT = ("eval-12-", "eval-13-", "eval-14-")
TARGET_QUOTE_F1 = 0.85
TARGET_ATTRIBUTION = 0.8
TARGET_MS = 200.0
WORDS = 5000

#: The register an analyst of the sample article would have (the demo JSONL has names only).
DEMO_PEOPLE = (
    Person("Donald Trump", "President", "United States"),
    Person("Dmitri Peskov", "Kremlin spokesman", "Kremlin"),
    Person("Vladimir Putin", "President", "Russia"),
    Person("Volodymyr Zelensky", "President", "Ukraine"),
    Person("Ukraine (government)", "Government", "Ukraine"),
    Person("Russia (government)", "Government", "Russia"),
)


@dataclass
class EvalDoc:
    name: str
    text: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    people: tuple[Person, ...]


def load_eval_set() -> list[EvalDoc]:
    """The sample article and every file of seeds/eval, with their people registers."""
    docs: list[EvalDoc] = []
    for path in [DEMO, *sorted(EVAL_DIR.glob("*.jsonl"))]:
        raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        for rec, obj in zip(read_jsonl(path), raw, strict=True):
            if "people" in obj:
                people = tuple(
                    Person(p["name"], p.get("role"), p.get("organisation")) for p in obj["people"]
                )
            else:
                people = DEMO_PEOPLE
            docs.append(EvalDoc(rec.document.id, rec.document.text, rec.spans, rec.relations, people))
    return docs


# ---- matching -------------------------------------------------------------------------


def _length(span: Span) -> int:
    return sum(b - a for a, b in span.pieces)


def _overlap(x: Span, y: Span) -> int:
    return sum(max(0, min(b, d) - max(a, c)) for a, b in x.pieces for c, d in y.pieces)


def match(gold: Sequence[Span], sugg: Sequence[Span], *, half: bool) -> dict[str, str]:
    """One-to-one matching gold id -> suggested id, best overlap first."""
    pairs: list[tuple[float, str, str]] = []
    for g in gold:
        for s in sugg:
            ov = _overlap(g, s)
            if ov <= 0:
                continue
            if half and ov < 0.5 * max(_length(g), _length(s)):
                continue
            pairs.append((ov / max(_length(g), _length(s)), g.id, s.id))
    pairs.sort(reverse=True)
    out: dict[str, str] = {}
    taken: set[str] = set()
    for _, g, s in pairs:
        if g not in out and s not in taken:
            out[g] = s
            taken.add(s)
    return out


@dataclass
class Counts:
    tp: int = 0
    n_gold: int = 0
    n_sugg: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.n_gold += other.n_gold
        self.n_sugg += other.n_sugg

    @property
    def p(self) -> float:
        return self.tp / self.n_sugg if self.n_sugg else 1.0

    @property
    def r(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


@dataclass
class Score:
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in (*LABELS, "EXACT")})
    attributed: int = 0
    gold_quotes: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k, c in other.counts.items():
            self.counts[k].add(c)
        self.attributed += other.attributed
        self.gold_quotes += other.gold_quotes

    @property
    def attribution(self) -> float:
        return self.attributed / self.gold_quotes if self.gold_quotes else 1.0


def _norm(s: str | None) -> str:
    return " ".join((s or "").casefold().split())


def _source(quote: Span, spans: dict[str, Span], relations: Sequence[Relation], text: str) -> str:
    for r in relations:
        if r.label == "SAID_BY" and r.head == quote.id and r.child in spans:
            sp = spans[r.child]
            person = sp.attrs.get("person")
            return _norm(str(person) if person else sp.text_in(text))
    person = quote.attrs.get("person")
    return _norm(str(person)) if person else ""


def score(doc: EvalDoc, sugg: Suggestions) -> Score:
    sc = Score()
    for label in LABELS:
        gold = [s for s in doc.spans if s.label == label]
        mine = [s for s in sugg.spans if s.label == label]
        m = match(gold, mine, half=label == "QUOTE")
        sc.counts[label] = Counts(len(m), len(gold), len(mine))
        if label == "QUOTE":
            by_id = {s.id: s for s in mine}
            exact = sum(1 for g in gold if g.id in m and by_id[m[g.id]].pieces == g.pieces)
            sc.counts["EXACT"] = Counts(exact, len(gold), len(mine))
            gold_by_id = {s.id: s for s in doc.spans}
            sugg_by_id = {s.id: s for s in sugg.spans}
            sc.gold_quotes = len(gold)
            for g in gold:
                want = _source(g, gold_by_id, doc.relations, doc.text)
                if g.id in m:
                    got = _source(by_id[m[g.id]], sugg_by_id, sugg.relations, doc.text)
                    if got == want and want:
                        sc.attributed += 1
                        continue
                    sc.misses.append(f"  wrong source ({got or '-'} != {want}): {g.text_in(doc.text)[:70]!r}")
                else:
                    sc.misses.append(f"  missed quote ({want}): {g.text_in(doc.text)[:80]!r}")
    return sc


def evaluate(
    docs: Sequence[EvalDoc], suggester: Suggester | None = None
) -> tuple[list[tuple[str, Score]], Score]:
    suggester = suggester or RuleSuggester()
    per: list[tuple[str, Score]] = []
    total = Score()
    for d in docs:
        sc = score(d, suggester.suggest(d.text, d.people))
        per.append((d.name, sc))
        total.add(sc)
    return per, total


def long_article(docs: Sequence[EvalDoc], words: int = WORDS) -> tuple[str, tuple[Person, ...]]:
    """About ``words`` words of news: the evaluation texts one after another."""
    parts: list[str] = []
    people: dict[str, Person] = {}
    n = 0
    while n < words:
        for d in docs:
            parts.append(d.text)
            n += len(d.text.split())
            people.update((p.name, p) for p in d.people)
            if n >= words:
                break
    return "\n\n".join(parts), tuple(people.values())


def time_suggest(text: str, people: Sequence[Person], runs: int) -> float:
    suggester = RuleSuggester()
    suggester.suggest(text, people)  # warm up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        suggester.suggest(text, people)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _row(name: str, sc: Score) -> str:
    c = sc.counts
    cells = [f"{c[k].p:4.2f} {c[k].r:4.2f} {c[k].f1:4.2f}" for k in LABELS]
    return (
        f"{name[:28]:28} {cells[0]}  {c['EXACT'].f1:4.2f}  {cells[1]}  {cells[2]}  "
        f"{sc.attribution:4.2f} ({sc.attributed}/{sc.gold_quotes})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--verbose", action="store_true", help="list missed and misattributed quotes")
    ns = parser.parse_args(argv)
    docs = load_eval_set()
    per, total = evaluate(docs)
    print(f"{len(docs)} documents, {total.gold_quotes} gold quotes")
    print(f"{'document':28} {'QUOTE P    R    F1':16}  exact  {'SPEAKER P  R    F1':16}  "
          f"{'CUE P    R    F1':16}  attribution")
    for name, sc in per:
        print(_row(name, sc))
        if ns.verbose:
            for line in sc.misses:
                print(line)
    print(_row("micro-average", total))
    tuned, held = Score(), Score()
    for name, sc in per:
        (held if name.startswith(HELD_OUT) else tuned).add(sc)
    print(_row("  tuned on (sample + 1-11)", tuned))
    print(_row("  held out (12-14)", held))
    q = total.counts["QUOTE"]
    ok_q = q.f1 > TARGET_QUOTE_F1
    ok_a = total.attribution > TARGET_ATTRIBUTION
    print(f"quote F1 {q.f1:.3f} (target > {TARGET_QUOTE_F1}): {'ok' if ok_q else 'LOW'}")
    print(f"attribution accuracy {total.attribution:.3f} (target > {TARGET_ATTRIBUTION}): "
          f"{'ok' if ok_a else 'LOW'}")
    text, people = long_article(docs)
    ms = time_suggest(text, people, ns.runs)
    ok_t = ms < TARGET_MS
    print(f"suggest, {len(text.split()):,}-word article ({len(text):,} characters): "
          f"{ms:.1f} ms median of {ns.runs} (target < {TARGET_MS:.0f} ms): {'ok' if ok_t else 'SLOW'}")
    return 0 if ok_q and ok_a and ok_t else 1


if __name__ == "__main__":
    sys.exit(main())
