"""Who gets a voice, on which side: the numbers behind the dashboard and ``annotator stats``.

Pure aggregation over plain rows (the store's ``stats_queries`` produces
them), so the same figures feed the charts, the CSV files and the JSON the
command line prints. Public JSON keys (users script against them): documents,
quotes, people, organisations, outlets, stance, claims, progress.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

STANCES: tuple[str, ...] = ("favor", "against", "neutral", "unclear")
UNATTRIBUTED = "(unattributed)"
NO_TARGET = "(no target)"


class QuoteRow(NamedTuple):
    """One QUOTE or CLAIM with who said it, as the store resolves it (a tuple: cheap in bulk)."""

    doc_id: str
    outlet: str | None
    annotator: str
    span_id: str
    label: str
    text: str
    words: int
    person: str | None
    role: str | None
    organisation: str | None
    stance: str | None
    target: str | None
    kind: str | None
    checkworthy: str | None


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    outlet: str | None
    status: str
    annotators: tuple[tuple[str, int], ...]  # (annotator, spans)


def compute(quotes: Iterable[QuoteRow], documents: Iterable[DocumentRow]) -> dict[str, Any]:
    docs = list(documents)
    people: dict[str, dict[str, Any]] = {}
    orgs: Counter[str] = Counter()
    org_words: Counter[str] = Counter()
    outlets: dict[str, dict[str, Any]] = defaultdict(lambda: {"quotes": 0, "documents": set()})
    by_target: dict[str, Counter[str]] = defaultdict(Counter)
    by_person: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    by_outlet: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    claim_kind: Counter[str] = Counter()
    claim_check: Counter[str] = Counter()
    n_quotes = 0
    for q in quotes:
        if q.label == "CLAIM":
            claim_kind[q.kind or "(none)"] += 1
            claim_check[q.checkworthy or "(none)"] += 1
        if q.label != "QUOTE":
            continue
        n_quotes += 1
        who = q.person or UNATTRIBUTED
        entry = people.setdefault(
            who, {"person": who, "role": q.role, "organisation": q.organisation, "quotes": 0, "words": 0}
        )
        entry["quotes"] += 1
        entry["words"] += q.words
        if q.organisation:
            orgs[q.organisation] += 1
            org_words[q.organisation] += q.words
        outlet = q.outlet or "(unknown outlet)"
        outlets[outlet]["quotes"] += 1
        outlets[outlet]["documents"].add(q.doc_id)
        if q.stance:
            target = q.target or NO_TARGET
            by_target[target][q.stance] += 1
            by_person[who][target][q.stance] += 1
            by_outlet[outlet][target][q.stance] += 1
    progress: dict[str, Counter[str]] = defaultdict(Counter)
    statuses: Counter[str] = Counter()
    for d in docs:
        statuses[d.status] += 1
        for annotator, spans in d.annotators:
            progress[annotator][d.status] += 1
            progress[annotator]["spans"] += spans
    return {
        "documents": len(docs),
        "quotes": n_quotes,
        "people": sorted(people.values(), key=lambda p: (-p["quotes"], -p["words"], p["person"])),
        "organisations": [
            {"organisation": o, "quotes": n, "words": org_words[o]}
            for o, n in sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "outlets": [
            {"outlet": o, "quotes": v["quotes"], "documents": len(v["documents"])}
            for o, v in sorted(outlets.items(), key=lambda kv: (-kv[1]["quotes"], kv[0]))
        ],
        "stance": {
            "by_target": {t: _stances(c) for t, c in sorted(by_target.items())},
            "by_person": {p: {t: _stances(c) for t, c in ts.items()} for p, ts in sorted(by_person.items())},
            "by_outlet": {o: {t: _stances(c) for t, c in ts.items()} for o, ts in sorted(by_outlet.items())},
        },
        "claims": {"by_kind": dict(sorted(claim_kind.items())), "by_checkworthy": dict(sorted(claim_check.items()))},
        "progress": {
            "by_status": {s: statuses.get(s, 0) for s in ("todo", "in_progress", "done")},
            "by_annotator": {
                a: {
                    "todo": c.get("todo", 0),
                    "in_progress": c.get("in_progress", 0),
                    "done": c.get("done", 0),
                    "spans": c.get("spans", 0),
                }
                for a, c in sorted(progress.items())
            },
        },
    }


def _stances(counter: Counter[str]) -> dict[str, int]:
    out = {s: counter.get(s, 0) for s in STANCES}
    out.update({k: v for k, v in counter.items() if k not in out})
    return out


def format_stats(stats: dict[str, Any], *, top: int = 10) -> str:
    """A readable summary for the terminal."""
    lines = [f"{stats['documents']} document(s), {stats['quotes']} quote(s)", ""]
    lines.append(f"{'Most quoted':32} {'quotes':>6} {'words':>7}")
    for p in stats["people"][:top]:
        lines.append(f"{p['person'][:32]:32} {p['quotes']:>6} {p['words']:>7}")
    if stats["outlets"]:
        lines += ["", f"{'Outlet':32} {'quotes':>6} {'docs':>7}"]
        for o in stats["outlets"][:top]:
            lines.append(f"{o['outlet'][:32]:32} {o['quotes']:>6} {o['documents']:>7}")
    if stats["stance"]["by_target"]:
        lines += ["", f"{'Stance toward':32} " + " ".join(f"{s:>8}" for s in STANCES)]
        for target, counts in stats["stance"]["by_target"].items():
            lines.append(f"{target[:32]:32} " + " ".join(f"{counts.get(s, 0):>8}" for s in STANCES))
    claims = stats["claims"]["by_kind"]
    if claims:
        lines += ["", "Claims by kind: " + ", ".join(f"{k} {v}" for k, v in claims.items())]
    lines += ["", "Progress by annotator:"]
    for a, c in stats["progress"]["by_annotator"].items():
        lines.append(f"  {a}: {c['done']} done, {c['in_progress']} in progress, {c['todo']} to do, {c['spans']} spans")
    return "\n".join(lines)
