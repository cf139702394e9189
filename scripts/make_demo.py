#!/usr/bin/env python
"""Build the showcase annotation of the sample article: ``seeds/demo/ceasefire-talks.jsonl``.

The annotations are written below as *phrases*, in reading order, the way an
analyst would mark them up. Offsets (Unicode code points) are computed by
searching the normalized sample text; every phrase must be found exactly
where intended:

* a phrase is matched as whole words (``he`` never matches inside ``the``);
* a phrase that occurs more than once needs its occurrence index ``n``
  (0-based, counting whole-word matches from the top of the text);
* ``ctx`` is a longer stretch that must occur exactly once in the text and
  contain the match: a second, independent statement of where the phrase is.

Any mismatch stops the script with a message; nothing is written then.

Guidelines followed:

* QUOTE = the content only. Direct quotes: the words inside the quotation
  marks, without the marks and without the comma that ends a quote before its
  attribution ("…signed,' the president wrote"); other final punctuation
  ("…necessary.", "…all!!!") stays. Indirect and mixed quotes: the reported
  clause, without a complementizer "that" before it; quoted fragments inside
  keep their marks. A quote interrupted by its attribution is one span with
  fragments.
* SPEAKER = the whole noun phrase (title included) or pronoun that introduces
  a quote or claim; ``person`` is the canonical name.
* CUE = the phrase of saying, nothing more.
* Every QUOTE has SAID_BY to the nearest mention that introduces it, and
  CUED_BY to its cue when it has one. Claims by a source are linked the same
  way; claims by the outlet have no SAID_BY.
* ``target`` is set when the quote is about a project target (neutral
  included); a quote about nothing the project tracks gets ``neutral`` and no
  target. Conditional support that commits ("would adhere … but only if Russia
  does the same") is ``favor``; agreement hedged with conditions that undercut
  it ("We agree … but … remove the root causes") is ``unclear``; objections
  ("whether Ukraine could use the 30-day ceasefire to … rearm") are ``against``.

Judgment calls: the headline is annotated (Trump reveals …), the "Read More"
teaser for another article is not; Peskov's second quoted sentence after
"Peskov said." is its own QUOTE, SAID_BY the same mention, with no cue; the
"Another issue, he said, is whether …" sentence is the one quote interrupted by
its attribution (two fragments); "Putin … wants …" is reported as the outlet's
CLAIM, not a quote (wanting is not saying). Steve Witkoff is never a source in
this article (what he did is reported by Peskov or the outlet), so he has no
SPEAKER mention.

Usage::

    python scripts/make_demo.py           # (re)write seeds/demo/ceasefire-talks.jsonl
    python scripts/make_demo.py --check   # exit 1 if the file is not what the script builds
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import annotator  # noqa: F401
except ImportError:  # a plain checkout without the package installed
    sys.path.insert(0, str(ROOT / "src"))

from annotator.core.model import Document, DocumentMeta, Relation, Span, normalize_text  # noqa: E402
from annotator.io.jsonl import read_jsonl, write_jsonl  # noqa: E402
from annotator.store.project import Record  # noqa: E402

SAMPLE = ROOT / "seeds" / "000_8780c45163dbb04d.txt"
OUT = ROOT / "seeds" / "demo" / "ceasefire-talks.jsonl"
SCHEME = ROOT / "resources" / "scheme" / "default.json"

DOC_ID = "ceasefire-talks"
ANNOTATOR = "demo"
META = DocumentMeta(
    title="Trump reveals where ceasefire talks with Putin stand",
    source="Mail Online",
    url=None,
    published=None,
)
DOC_LABELS = {"stance": "favor", "topic": "Russia-Ukraine ceasefire talks"}

# Canonical names (the people register).
TRUMP = "Donald Trump"
PESKOV = "Dmitri Peskov"  # the article's spelling
PUTIN = "Vladimir Putin"
ZELENSKY = "Volodymyr Zelensky"
UKRAINE = "Ukraine (government)"
RUSSIA = "Russia (government)"

CEASEFIRE = "ceasefire"
SANCTIONS = "sanctions on Russia"

NBSP = "\u00a0"  # the sample has no-break spaces in places; spelled out where a phrase has one

#: Span id prefix per label, and the order of spans that start and end at the same place.
PREFIX = {"QUOTE": "q", "SPEAKER": "s", "CUE": "v", "CLAIM": "c"}
TIE_ORDER = {"QUOTE": 0, "CLAIM": 1, "SPEAKER": 2, "CUE": 3}


class DemoError(Exception):
    pass


@dataclass(eq=False)
class Ann:
    """One annotation before ids are given: label, where, attributes and links."""

    label: str
    pieces: tuple[tuple[int, int], ...]
    attrs: dict[str, str]
    said_by: Ann | None = None
    cued_by: Ann | None = None
    id: str = ""

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


@dataclass
class Builder:
    text: str
    anns: list[Ann] = field(default_factory=list)

    # ---- finding phrases ------------------------------------------------
    def find(self, phrase: str, n: int | None = None, ctx: str | None = None) -> tuple[int, int]:
        pattern = re.escape(phrase)
        if re.match(r"\w", phrase):
            pattern = r"(?<!\w)" + pattern
        if re.search(r"\w$", phrase):
            pattern += r"(?!\w)"
        starts = [m.start() for m in re.finditer(pattern, self.text)]
        if not starts:
            raise DemoError(f"{phrase!r} is not in the text")
        if n is None:
            if len(starts) > 1:
                raise DemoError(f"{phrase!r} occurs {len(starts)} times: give its occurrence n")
            n = 0
        if not 0 <= n < len(starts):
            raise DemoError(f"{phrase!r} occurs {len(starts)} times, there is no occurrence {n}")
        start = starts[n]
        end = start + len(phrase)
        if ctx is not None:
            if self.text.count(ctx) != 1:
                raise DemoError(f"context {ctx!r} occurs {self.text.count(ctx)} times, not once")
            c = self.text.index(ctx)
            if not (c <= start and end <= c + len(ctx)):
                raise DemoError(f"{phrase!r} occurrence {n} (at {start}) is not inside {ctx!r}")
        if self.text[start:end] != phrase:  # pragma: no cover - a bug in this function
            raise DemoError(f"{phrase!r} found as {self.text[start:end]!r}")
        return start, end

    def _add(
        self,
        label: str,
        where: tuple[int, int] | tuple[tuple[int, int], ...],
        attrs: dict[str, str],
        **links: Ann | None,
    ) -> Ann:
        pieces = where if isinstance(where[0], tuple) else (where,)
        ann = Ann(label, tuple(pieces), attrs, **links)  # type: ignore[arg-type]
        self.anns.append(ann)
        return ann

    # ---- the four labels ------------------------------------------------
    def speaker(
        self, phrase: str, person: str, n: int | None = None, ctx: str | None = None
    ) -> Ann:
        return self._add("SPEAKER", self.find(phrase, n, ctx), {"person": person})

    def cue(self, phrase: str, n: int | None = None, ctx: str | None = None) -> Ann:
        return self._add("CUE", self.find(phrase, n, ctx), {})

    def quote(
        self,
        phrase: str | tuple[str, ...],
        *,
        kind: str,
        stance: str,
        target: str | None = None,
        said_by: Ann,
        cued_by: Ann | None,
    ) -> Ann:
        attrs = {"kind": kind, "stance": stance}
        if target is not None:
            attrs["target"] = target
        return self._add("QUOTE", self._pieces(phrase), attrs, said_by=said_by, cued_by=cued_by)

    def claim(
        self,
        phrase: str,
        *,
        kind: str,
        checkworthy: str = "yes",
        stance: str | None = None,
        target: str | None = None,
        said_by: Ann | None = None,
        cued_by: Ann | None = None,
        n: int | None = None,
    ) -> Ann:
        attrs = {"checkworthy": checkworthy, "kind": kind}
        if stance is not None:
            attrs["stance"] = stance
        if target is not None:
            attrs["target"] = target
        return self._add("CLAIM", self.find(phrase, n), attrs, said_by=said_by, cued_by=cued_by)

    def _pieces(self, phrase: str | tuple[str, ...]) -> tuple[tuple[int, int], ...]:
        """One stretch, or (for a quote interrupted by its attribution) several, in order."""
        if isinstance(phrase, str):
            return (self.find(phrase),)
        pieces = tuple(self.find(p) for p in phrase)
        for (_, b), (a, _) in pairwise(pieces):
            if a <= b:
                raise DemoError(f"fragments of {phrase!r} are not in reading order")
        return pieces


def annotate(b: Builder) -> None:
    """The whole article, paragraph by paragraph."""
    # Headline: "Trump reveals where ceasefire talks with Putin stand"
    s = b.speaker("Trump", TRUMP, n=0, ctx="Trump reveals where")
    v = b.cue("reveals", n=0, ctx="Trump reveals where")
    b.quote("where ceasefire talks with Putin stand", kind="indirect", stance="neutral",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "President Donald Trump vowed to get a 'completed and signed' ceasefire deal
    # between Russia and Ukraine, warning 'millions' will die if the fighting doesn't end."
    s = b.speaker("President Donald Trump", TRUMP, n=0, ctx="President Donald Trump vowed")
    v = b.cue("vowed", n=0, ctx="Trump vowed to get")
    b.quote("to get a 'completed and signed' ceasefire deal between Russia and Ukraine",
            kind="mixed", stance="favor", target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip
    v = b.cue("warning", n=0, ctx="Ukraine, warning 'millions'")
    millions = "'millions' will die if the fighting doesn't end"
    b.quote(millions, kind="mixed", stance="favor", target=CEASEFIRE, said_by=s, cued_by=v)
    b.claim(millions, kind="prediction", said_by=s, cued_by=v)

    # Outlet's own statement of fact.
    b.claim("Trump's envoy Steve Witkoff held a late night meeting with Vladimir Putin in "
            "Moscow on Thursday", kind="other")  # fmt: skip

    # "Witkoff 'presented …' and Putin 'passed along …,' in that meeting, Kremlin spokesman Dmitri Peskov said."
    s = b.speaker(f"Kremlin spokesman{NBSP}Dmitri Peskov", PESKOV)
    v = b.cue("said", n=0, ctx="Dmitri Peskov said.")
    b.quote("Witkoff 'presented additional information to the Russian side' and Putin 'passed "
            "along information and additional signals for President Trump,' in that meeting",
            kind="mixed", stance="neutral", target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "Trump made his stance clear. He called the situation a 'real' mess but vowed to 'get us out.'"
    s = b.speaker("He", TRUMP, n=0, ctx="clear. He called")
    v = b.cue("called", n=0, ctx="He called the situation")
    b.quote("the situation a 'real' mess", kind="mixed", stance="neutral", said_by=s, cued_by=v)
    v = b.cue("vowed", n=1, ctx="but vowed to 'get us out.'")
    b.quote("to 'get us out.'", kind="mixed", stance="favor", target=CEASEFIRE,
            said_by=s, cued_by=v)  # fmt: skip

    # "'Millions of people are needlessly dead, …completed and signed,' the president wrote on his
    # Truth Social account on Friday morning."
    s = b.speaker("the president", TRUMP, n=0, ctx="signed,' the president wrote")
    v = b.cue("wrote on his Truth Social account")
    b.quote("Millions of people are needlessly dead, never to be seen again…and there will be "
            "many more to follow if we don't get the Cease Fire and Final Agreement with Russia "
            "completed and signed", kind="direct", stance="favor", target=CEASEFIRE,
            said_by=s, cued_by=v)  # fmt: skip
    b.claim("Millions of people are needlessly dead", kind="statistic", said_by=s, cued_by=v)

    # "In a second post he revealed that the U.S. had a 'very good … come to an end.'"
    s = b.speaker("he", TRUMP, n=0, ctx="second post he revealed")
    v = b.cue("revealed")
    b.quote("the U.S. had a 'very good and productive discussions with President Vladimir Putin "
            "of Russia yesterday, and there is a very good chance that this horrible, bloody war "
            "can finally come to an end.'", kind="mixed", stance="favor", target=CEASEFIRE,
            said_by=s, cued_by=v)  # fmt: skip

    # "He also noted Russian gains … troops, adding: 'I have strongly requested … all!!!'"
    s = b.speaker("He", TRUMP, n=1, ctx="He also noted")
    v = b.cue("noted", n=0, ctx="He also noted")
    b.quote("Russian gains in ground and attacks on Ukrainian troops", kind="indirect",
            stance="neutral", said_by=s, cued_by=v)  # fmt: skip
    v = b.cue("adding")
    b.quote("I have strongly requested to President Putin that their lives be spared. This would "
            "be a horrible massacre, one not seen since World War II. God bless them all!!!",
            kind="direct", stance="favor", target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "Ukraine said it would adhere to a ceasefire - but only if Russia does the same."
    s = b.speaker("Ukraine", UKRAINE, n=2, ctx="Ukraine said it would")
    v = b.cue("said", n=1, ctx="Ukraine said it would")
    b.quote("it would adhere to a ceasefire - but only if Russia does the same", kind="indirect",
            stance="favor", target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "And Peskov said there was 'certainly' reason to feel 'cautious optimism' about the prospect."
    s = b.speaker("Peskov", PESKOV, n=1, ctx="And Peskov said")
    v = b.cue("said", n=2, ctx="And Peskov said")
    b.quote("there was 'certainly' reason to feel 'cautious optimism' about the prospect",
            kind="mixed", stance="favor", target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "Russia also indicated it wanted direct talks between Trump and Putin."
    s = b.speaker("Russia", RUSSIA, n=5, ctx="Russia also indicated")
    v = b.cue("indicated", n=0, ctx="Russia also indicated")
    b.quote("it wanted direct talks between Trump and Putin", kind="indirect", stance="neutral",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "The Kremlin spokesman said Russia and the U.S. would work out … once Witkoff had briefed Trump."
    s = b.speaker("The Kremlin spokesman", PESKOV)
    v = b.cue("said", n=3, ctx="Kremlin spokesman said")
    b.quote("Russia and the U.S. would work out the timing of a phone call between the two "
            "leaders once Witkoff had briefed Trump", kind="indirect", stance="neutral",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # (The "Read More / BREAKING NEWS" teaser links to another article: not annotated.)

    # "'After Mr. Witkoff passes along … after that,' Peskov said. 'There's an understanding …'"
    s = b.speaker("Peskov", PESKOV, n=2, ctx="that,' Peskov said.")
    v = b.cue("said", n=4, ctx="that,' Peskov said.")
    b.quote("After Mr. Witkoff passes along all of the information he received in Moscow to his "
            "head of state — we'll determine the timing of the conversation after that",
            kind="direct", stance="neutral", target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip
    # A new quoted sentence after the attribution: same speaker, no cue of its own.
    b.quote("There's an understanding on both sides that such a conversation is necessary.",
            kind="direct", stance="neutral", target=CEASEFIRE, said_by=s, cued_by=None)  # fmt: skip

    # "Trump, on Thursday, indicated he was willing to speak to Putin."
    s = b.speaker("Trump", TRUMP, n=9, ctx="Trump, on Thursday, indicated")
    v = b.cue("indicated", n=1, ctx="on Thursday, indicated he")
    b.quote("he was willing to speak to Putin", kind="indirect", stance="neutral",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "'I'd love to meet with him and talk to him,' he said."
    s = b.speaker("he", TRUMP, n=4, ctx="talk to him,' he said.")
    v = b.cue("said", n=5, ctx="talk to him,' he said.")
    b.quote("I'd love to meet with him and talk to him", kind="direct", stance="neutral",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "It's estimated around 500,000 people have died in the three year war between Russia and
    # Ukraine." The outlet's figure, attributed to nobody.
    v = b.cue("It's estimated")
    b.claim("around 500,000 people have died in the three year war between Russia and Ukraine",
            kind="statistic", cued_by=v)  # fmt: skip

    # "Ukrainian President Volodymyr Zelensky called Putin's response 'highly predictable' and
    # 'manipulative words' aimed at dragging out the process by setting unworkable conditions."
    s = b.speaker("Ukrainian President Volodymyr Zelensky", ZELENSKY)
    v = b.cue("called", n=1, ctx=f"Zelensky{NBSP}called")
    b.quote("Putin's response 'highly predictable' and 'manipulative words' aimed at dragging out "
            "the process by setting unworkable conditions", kind="mixed", stance="favor",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip
    b.claim("'manipulative words' aimed at dragging out the process by setting unworkable "
            "conditions", kind="causal", said_by=s, cued_by=v)  # fmt: skip

    # "Putin raised eyebrows on Thursday when he signaled hesitation about a deal as his troops
    # continue to march across Ukraine, taking more territory."
    s = b.speaker("he", PUTIN, n=5, ctx="when he signaled")
    v = b.cue("signaled")
    b.quote("hesitation about a deal", kind="indirect", stance="against", target=CEASEFIRE,
            said_by=s, cued_by=v)  # fmt: skip
    b.claim("his troops continue to march across Ukraine, taking more territory", kind="other")

    # "He told reporters in Russia he was in 'favor' of a 30-day ceasefire 'but that there are
    # nuances' and that he had 'serious questions' about how it would work."
    s = b.speaker("He", PUTIN, n=2, ctx="He told reporters")
    v = b.cue("told reporters")
    b.quote("he was in 'favor' of a 30-day ceasefire 'but that there are nuances' and that he had "
            "'serious questions' about how it would work", kind="mixed", stance="unclear",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "'I think we need to talk to our American colleagues... Maybe have a phone call with
    # President Trump and discuss this with him,' he said."
    s = b.speaker("he", PUTIN, n=8, ctx="this with him,' he said.")
    v = b.cue("said", n=6, ctx="this with him,' he said.")
    b.quote("I think we need to talk to our American colleagues... Maybe have a phone call with "
            "President Trump and discuss this with him", kind="direct", stance="neutral",
            target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip

    # "He noted the need to develop a mechanism to control possible breaches of the truce.
    # Another issue, he said, is whether Ukraine could use the 30-day ceasefire to continue
    # mobilization and rearmament."  The second sentence is one quote interrupted by its
    # attribution: two fragments.
    s = b.speaker("He", PUTIN, n=3, ctx="He noted the need")
    v = b.cue("noted", n=1, ctx="He noted the need")
    b.quote("the need to develop a mechanism to control possible breaches of the truce",
            kind="indirect", stance="unclear", target=CEASEFIRE, said_by=s, cued_by=v)  # fmt: skip
    s = b.speaker("he", PUTIN, n=9, ctx="Another issue, he said, is")
    v = b.cue("said", n=7, ctx="Another issue, he said, is")
    b.quote(("Another issue",
             "is whether Ukraine could use the 30-day ceasefire to continue mobilization and "
             "rearmament"), kind="indirect", stance="against", target=CEASEFIRE,
            said_by=s, cued_by=v)  # fmt: skip

    # "'We agree with the proposals to halt the fighting, but … root causes of the crisis,' Putin said."
    s = b.speaker("Putin", PUTIN, n=10, ctx="crisis,' Putin said.")
    v = b.cue("said", n=8, ctx="crisis,' Putin said.")
    b.quote("We agree with the proposals to halt the fighting, but we proceed from the assumption "
            "that the ceasefire should lead to lasting peace and remove the root causes of the "
            "crisis", kind="direct", stance="unclear", target=CEASEFIRE,
            said_by=s, cued_by=v)  # fmt: skip

    # Photo caption: the outlet's report of the strikes.
    b.claim("Ukrainian drones stuck ten regions in Russia, including Moscow, hitting an oil "
            "refinery in the Oryol region and targeting the nuclear town of Kurchatov",
            kind="other")  # fmt: skip

    # "Trump has indicated he'll hit Russia with sanctions if they don't agree to a deal."
    s = b.speaker("Trump", TRUMP, n=12, ctx="Trump has indicated")
    v = b.cue("indicated", n=2, ctx="Trump has indicated")
    b.quote("he'll hit Russia with sanctions if they don't agree to a deal", kind="indirect",
            stance="favor", target=SANCTIONS, said_by=s, cued_by=v)  # fmt: skip

    # "He wants Ukraine to drop its desire to join NATO, … and a presidential election to be held
    # in Ukraine, which Kyiv says is premature while martial law remains in force."
    b.claim("He wants Ukraine to drop its desire to join NATO, Russia to control the entirety of "
            "the four Ukrainian regions it has claimed as its own, the size of the Ukrainian army "
            f"to be limited,{NBSP}Western sanctions eased on the Kremlin, and a presidential "
            "election to be held in Ukraine", kind="other")  # fmt: skip
    s = b.speaker("Kyiv", UKRAINE)
    v = b.cue("says")
    b.quote("is premature while martial law remains in force", kind="indirect", stance="neutral",
            said_by=s, cued_by=v)  # fmt: skip


# ---- ids, checks, the record ----------------------------------------------------


def assign_ids(anns: list[Ann]) -> list[Ann]:
    """q1, s1, v1, c1… in text order within each label; spans in the order an export gives."""
    for label, prefix in PREFIX.items():
        mine = sorted((a for a in anns if a.label == label), key=lambda a: (a.start, a.end))
        for i, a in enumerate(mine, 1):
            a.id = f"{prefix}{i}"
    return sorted(anns, key=lambda a: (a.start, -a.end, TIE_ORDER[a.label]))


def check_scheme(anns: list[Ann]) -> None:
    """Every label, attribute, value and relation is one the default scheme allows."""
    scheme = json.loads(SCHEME.read_text(encoding="utf-8"))
    labels = {lab["name"]: {a["name"]: a for a in lab["attributes"]} for lab in scheme["labels"]}
    targets = set(scheme["targets"])
    relations = {r["name"]: r for r in scheme["relations"]}
    for a in anns:
        if a.label not in labels:
            raise DemoError(f"{a.id}: label {a.label} is not in the scheme")
        for key, value in a.attrs.items():
            spec = labels[a.label].get(key)
            if spec is None:
                raise DemoError(f"{a.id}: {a.label} has no attribute {key!r}")
            if spec.get("source") == "targets" and value not in targets:
                raise DemoError(f"{a.id}: {value!r} is not a target")
            if spec["values"] and value not in spec["values"]:
                raise DemoError(f"{a.id}: {key}={value!r} is not allowed")
        for name, other in (("SAID_BY", a.said_by), ("CUED_BY", a.cued_by)):
            if other is not None and (
                a.label not in relations[name]["heads"]
                or other.label not in relations[name]["children"]
            ):
                raise DemoError(f"{a.id} {name} {other.id}: not allowed by the scheme")
        if a.label == "QUOTE":
            if "stance" not in a.attrs:
                raise DemoError(f"{a.id}: a quote without a stance")
            if (a.said_by is None) == ("person" not in a.attrs):
                raise DemoError(f"{a.id}: needs exactly one of SAID_BY and a person")


def build_record(text: str) -> Record:
    b = Builder(text)
    annotate(b)
    anns = assign_ids(b.anns)
    check_scheme(anns)
    spans = tuple(
        Span(
            a.id,
            a.start,
            a.end,
            a.label,
            dict(sorted(a.attrs.items())),  # the order a project stores them in
            fragments=a.pieces if len(a.pieces) > 1 else None,
            annotator=ANNOTATOR,
        )
        for a in anns
    )
    relations: list[Relation] = []
    for a in anns:
        if a.said_by is not None:
            relations.append(Relation("SAID_BY", a.id, a.said_by.id, ANNOTATOR))
        if a.cued_by is not None:
            relations.append(Relation("CUED_BY", a.id, a.cued_by.id, ANNOTATOR))
    document = Document(DOC_ID, text, META, status="done", labels=dict(sorted(DOC_LABELS.items())))
    return Record(document, ANNOTATOR, spans, tuple(relations))


def sample_text() -> str:
    return normalize_text(SAMPLE.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file, write nothing")
    parser.add_argument("-o", "--output", type=Path, default=OUT, help=f"default: {OUT}")
    ns = parser.parse_args(argv)
    try:
        record = build_record(sample_text())
    except DemoError as e:
        print(f"make_demo: {e}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "demo.jsonl"
        write_jsonl([record], built)
        (back,) = read_jsonl(built)  # what any reader sees: offsets and texts valid
        if back != record:
            print("make_demo: the record does not read back as written", file=sys.stderr)
            return 1
        data = built.read_bytes()
    if ns.check:
        if not ns.output.exists() or ns.output.read_bytes() != data:
            print(
                f"make_demo: {ns.output} is out of date: run scripts/make_demo.py", file=sys.stderr
            )
            return 1
        return 0
    ns.output.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl([record], ns.output)
    counts = {label: sum(s.label == label for s in record.spans) for label in PREFIX}
    print(
        f"wrote {ns.output}: "
        + ", ".join(f"{n} {label}" for label, n in counts.items())
        + f", {len(record.relations)} relations"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
