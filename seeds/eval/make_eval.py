#!/usr/bin/env python
"""Build the hand-annotated evaluation set for the suggester: ``seeds/eval/NN-slug.jsonl``.

Each article below was written for this set (invented people and places,
realistic wording) and annotated by hand, inline, before any suggester rule
was tuned on it. Markup, stripped from the text when the record is built:

* ``[[s.KEY=Canonical Name|mention]]``  a SPEAKER with ``person``
  (``[[s.KEY|mention]]`` for an unnamed source that is in no register);
* ``[[v.KEY|cue]]``                     a CUE;
* ``[[q.KEY K SAID CUE|content]]``      a QUOTE of kind K (``d`` direct,
  ``i`` indirect, ``m`` mixed), SAID_BY the speaker SAID and CUED_BY the cue
  CUE (``-`` for none); ``@Canonical Name`` at the end sets ``person`` on a
  quote whose source is not mentioned next to it (a headline);
* ``[[q.KEY|more]]``                    a further fragment of quote KEY
  (a quote interrupted by its attribution, or one spanning two paragraphs).

Guidelines: exactly those of ``scripts/make_demo.py`` (the sample article):
QUOTE = content only: direct quotes without their marks and without the comma
that ends a quote before its attribution (other final punctuation inside the
marks stays); indirect and mixed quotes = the reported clause without a
leading "that" and without the outlet's own framing; quoted fragments inside
keep their marks; a new quoted sentence after "X said." is its own QUOTE with
the same speaker and no cue; a quote continued in the next paragraph (a
paragraph that opens with a quotation mark) is one QUOTE with one fragment per
paragraph. SPEAKER = the noun phrase naming the source, title and name
included (an appositive that is the name, "The health secretary, Daniel
Okafor", is part of it; descriptive appositives and relative clauses are not),
or a pronoun. CUE = the phrase of saying, with its addressee or medium
("told reporters", "said in a statement", "wrote on X"), without auxiliaries,
time or place. Nested quotes: only the outer one is a QUOTE. No CLAIM and no
stance are annotated in this set: it measures quotes, speakers, cues and
attribution.

Each line also carries a ``people`` key (ignored by Annotator's readers): the
people register an analyst would have for that article (name, role,
organisation), which the benchmark passes to the suggester.

Usage::

    python seeds/eval/make_eval.py           # (re)write seeds/eval/*.jsonl
    python seeds/eval/make_eval.py --check   # exit 1 if a file is not what the script builds
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
try:
    import annotator  # noqa: F401
except ImportError:  # a plain checkout without the package installed
    sys.path.insert(0, str(ROOT / "src"))

from annotator.core.model import Document, DocumentMeta, Relation, Span  # noqa: E402
from annotator.io.jsonl import read_jsonl, record_to_dict  # noqa: E402
from annotator.store.project import Record  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent
ANNOTATOR = "gold"
PREFIX = {"QUOTE": "q", "SPEAKER": "s", "CUE": "v"}
TIE_ORDER = {"QUOTE": 0, "SPEAKER": 2, "CUE": 3}
KINDS = {"d": "direct", "i": "indirect", "m": "mixed"}
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


class EvalError(Exception):
    pass


@dataclass
class Article:
    slug: str
    title: str
    source: str
    people: list[tuple[str, str | None, str | None]]
    body: str  # marked-up text; paragraphs one per line, separated by blank lines


@dataclass(eq=False)
class Ann:
    label: str
    key: str
    pieces: list[tuple[int, int]] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    said_by: str | None = None
    cued_by: str | None = None
    id: str = ""


_OPEN, _CLOSE = "[[", "]]"


def parse(marked: str) -> tuple[str, list[Ann]]:
    """Strip the markup; return the text and the annotations with their offsets."""
    out: list[str] = []
    pos = 0  # length of the text written so far
    stack: list[tuple[str, int]] = []
    anns: dict[str, Ann] = {}
    i = 0
    while i < len(marked):
        if marked.startswith(_OPEN, i):
            bar = marked.index("|", i)
            stack.append((marked[i + 2 : bar], pos))
            i = bar + 1
        elif marked.startswith(_CLOSE, i):
            if not stack:
                raise EvalError(f"unbalanced ']]' near {marked[max(0, i - 40) : i]!r}")
            spec, start = stack.pop()
            _record(spec, start, pos, anns)
            i += 2
        else:
            out.append(marked[i])
            pos += 1
            i += 1
    if stack:
        raise EvalError(f"unclosed '[[{stack[-1][0]}|'")
    text = "".join(out)
    for a in anns.values():
        for s, e in a.pieces:
            piece = text[s:e]
            if not piece or piece != piece.strip():
                raise EvalError(f"{a.key}: piece {piece!r} is empty or has outer spaces")
        for name, ref, label in (("SAID_BY", a.said_by, "SPEAKER"), ("CUED_BY", a.cued_by, "CUE")):
            if ref is not None and (ref not in anns or anns[ref].label != label):
                raise EvalError(f"{a.key}: {name} {ref!r} is not a {label}")
        if a.label == "QUOTE" and a.said_by is None and "person" not in a.attrs:
            raise EvalError(f"{a.key}: a quote needs a speaker or a person")
    return text, list(anns.values())


def _record(spec: str, start: int, end: int, anns: dict[str, Ann]) -> None:
    head, _, person = spec.partition("@")
    tokens = head.split()
    first = tokens[0]
    kind_letter, _, rest = first.partition(".")
    key = rest.partition("=")[0]
    name = head.partition("=")[2].strip()
    if kind_letter == "s":
        attrs = {"person": name} if name else {}
        _new(anns, Ann("SPEAKER", f"s.{key}", [(start, end)], attrs))
    elif kind_letter == "v":
        _new(anns, Ann("CUE", f"v.{key}", [(start, end)]))
    elif kind_letter == "q":
        k = f"q.{key}"
        if len(tokens) == 1 and not person:
            if k not in anns:
                raise EvalError(f"fragment of unknown quote {k}")
            anns[k].pieces.append((start, end))
            return
        kind, said, cue = tokens[1:4]
        ann = Ann("QUOTE", k, [(start, end)], {"kind": KINDS[kind]})
        ann.said_by = None if said == "-" else f"s.{said}"
        ann.cued_by = None if cue == "-" else f"v.{cue}"
        if person.strip():
            ann.attrs["person"] = person.strip()
        _new(anns, ann)
    else:
        raise EvalError(f"unknown markup {spec!r}")


def _new(anns: dict[str, Ann], ann: Ann) -> None:
    if ann.key in anns:
        raise EvalError(f"{ann.key} defined twice")
    anns[ann.key] = ann


def build(n: int, art: Article) -> tuple[Record, list[dict[str, str | None]]]:
    marked = "\n\n".join(
        p.strip() for p in textwrap.dedent(art.body).strip().split("\n\n") if p.strip()
    )
    text, anns = parse(marked)
    for label, prefix in PREFIX.items():
        mine = sorted((a for a in anns if a.label == label), key=lambda a: a.pieces[0])
        for i, a in enumerate(mine, 1):
            a.id = f"{prefix}{i}"
    anns.sort(key=lambda a: (a.pieces[0][0], -a.pieces[-1][1], TIE_ORDER[a.label]))
    by_key = {a.key: a for a in anns}
    spans = tuple(
        Span(
            a.id,
            a.pieces[0][0],
            a.pieces[-1][1],
            a.label,
            dict(sorted(a.attrs.items())),
            fragments=tuple(a.pieces) if len(a.pieces) > 1 else None,
            annotator=ANNOTATOR,
        )
        for a in anns
    )
    relations: list[Relation] = []
    for a in anns:
        if a.said_by is not None:
            relations.append(Relation("SAID_BY", a.id, by_key[a.said_by].id, ANNOTATOR))
        if a.cued_by is not None:
            relations.append(Relation("CUED_BY", a.id, by_key[a.cued_by].id, ANNOTATOR))
    doc_id = f"eval-{n:02d}-{art.slug}"
    document = Document(
        doc_id, text, DocumentMeta(title=art.title, source=art.source), status="done"
    )
    people = [{"name": p, "role": r, "organisation": o} for p, r, o in art.people]
    named = {a.attrs["person"] for a in anns if "person" in a.attrs}
    missing = named - {p["name"] for p in people}
    if missing:
        raise EvalError(f"{doc_id}: not in the people register: {sorted(missing)}")
    return Record(document, ANNOTATOR, spans, tuple(relations)), people


def dumps(record: Record, people: list[dict[str, str | None]]) -> str:
    d: dict[str, Any] = record_to_dict(record)
    d["people"] = people
    line = json.dumps(d, ensure_ascii=False, allow_nan=False)
    for ch, escaped in _LINE_BREAKS.items():
        line = line.replace(ch, escaped)
    return line + "\n"


# ---- the articles ---------------------------------------------------------------

ARTICLES: list[Article] = []

# 1. US politics, AP style: straight double quotes.
ARTICLES.append(Article(
    "senate-stopgap", "Senate passes stopgap bill hours before shutdown deadline", "The Capitol Ledger",
    [("Thomas Whitfield", "Senate Majority Leader", "U.S. Senate"),
     ("Margaret Oyelaran", "Senator", "Republican Party"),
     ("Dale Prewitt", "Senator", "Republican Party"),
     ("White House", "Executive office", "U.S. government"),
     ("Angela Ruiz", "Press secretary", "White House"),
     ("Congressional Budget Office", "Federal agency", "U.S. Congress"),
     ("Leonard Gaines", "House Speaker", "House of Representatives"),
     ("Carla Jimenez", "Representative", "Democratic Party")],
    """
    Senate passes stopgap bill hours before shutdown deadline

    By Rachel Nunez

    WASHINGTON — The Senate voted 71-27 late Friday to keep the government funded through mid-December, sending the measure to the president's desk less than three hours before federal agencies would have begun shutting down.

    "[[q.1 d wh v1|This is not the bill any of us wanted, but it is the bill that keeps the lights on]]," [[s.wh=Thomas Whitfield|Senate Majority Leader Thomas Whitfield]] [[v.v1|said]] on the floor before the vote. "[[q.2 d wh -|Nobody in this chamber should pretend that is an achievement.]]"

    The stopgap extends current spending levels for 75 days and includes $12 billion in disaster aid for states hit by this summer's wildfires. It does not include the border funding that House conservatives had demanded.

    [[s.oy=Margaret Oyelaran|Sen. Margaret Oyelaran]], the top Republican on the Appropriations Committee, [[v.v2|said]] [[q.3 m oy v2|the disaster money was "long overdue" and that she had voted yes "with a heavy heart."]]

    [[s.wh2=Thomas Whitfield|Whitfield]] [[v.v3|told reporters]] after the vote that [[q.4 i wh2 v3|negotiations on a full-year package would start Monday]]. [[s.wh3=Thomas Whitfield|He]] [[v.v4|said]] [[q.5 m wh3 v4|he was "cautiously hopeful" a deal could be reached before the holidays]].

    Not everyone was convinced. "[[q.6 d pr v5|We keep kicking the can down the road and calling it governing]]," [[v.v5|said]] [[s.pr=Dale Prewitt|Sen. Dale Prewitt]], a Montana Republican who voted against the bill. "[[q.7 d pr -|At some point the road ends.]]"

    [[s.wh4=White House|The White House]] [[v.v6|said in a statement]] that [[q.8 i wh4 v6|the president would sign the measure as soon as it reached his desk]]. [[s.ru=Angela Ruiz|Press secretary Angela Ruiz]] [[v.v7|told reporters]] [[q.9 m ru v7|the administration was "grateful to the senators from both parties who put the country first."]]

    [[v.v8|According to]] [[s.cbo=Congressional Budget Office|the Congressional Budget Office]], [[q.10 i cbo v8|the disaster aid alone will add roughly $9 billion to the deficit over the next decade]].

    House Speaker Leonard Gaines, who pushed the measure through his chamber on Thursday over the objections of about 40 members of his own party, struck a defiant tone.

    "[[q.11 d ga v9|I'm not going to apologize for keeping the government open]]," [[s.ga=Leonard Gaines|Gaines]] [[v.v9|said]]. "[[q.12 d ga -|If some of my colleagues would rather shut it down, they can explain that to the troops who won't get paid.]]"

    Asked whether he feared a challenge to his speakership, Gaines laughed. "[[q.13 d ga2 v10|Let them try]]," [[s.ga2=Leonard Gaines|he]] [[v.v10|said]].

    Some Democrats also voiced frustration. [[s.ji=Carla Jimenez|Rep. Carla Jimenez of New Mexico]] [[v.v11|wrote on X]] that [[q.14 m ji v11|the bill "does nothing for families struggling with rent,"]] [[v.v12|adding]] that [[q.15 m ji v12|Congress had "once again chosen the easy way out."]]
    """))

# 2. UK politics: straight single quotes, straight apostrophes.
ARTICLES.append(Article(
    "nurses-strike", "'We cannot go on like this': nurses vote to strike over pay", "The Northern Courier",
    [("Royal College of Nursing", "Trade union", None),
     ("Pat Cullen-Hayes", "General secretary", "Royal College of Nursing"),
     ("Daniel Okafor", "Health secretary", "UK government"),
     ("Downing Street", "Prime minister's office", "UK government"),
     ("Matthew Taylor-Brooks", "Chief executive", "NHS Confederation"),
     ("NHS England", "Health service", None),
     ("Grace Adeyemi", "Ward sister", None),
     ("Helen Morgan-Price", "Health spokesperson", "Liberal Democrats")],
    """
    '[[q.h d - - @Pat Cullen-Hayes|We cannot go on like this]]': nurses vote to strike over pay

    By Helen Marsh · The Northern Courier

    [[q.1 i un v1|Nurses across England will walk out next month after members of the Royal College of Nursing voted overwhelmingly for industrial action]], [[s.un=Royal College of Nursing|the union]] [[v.v1|announced]] on Tuesday.

    Of those who took part in the ballot, 84% backed strikes, on a turnout of 61%. It is the first time the union has cleared the legal turnout threshold in every region.

    '[[q.2 d pc v2|Our members have spoken, and they have spoken loudly]],' [[v.v2|said]] [[s.pc=Pat Cullen-Hayes|Pat Cullen-Hayes]], the RCN's general secretary. '[[q.3 d pc -|We cannot go on like this. Nurses are leaving the profession faster than they can be trained, and patients are paying the price.]]'

    [[s.ok=Daniel Okafor|The health secretary, Daniel Okafor]], [[v.v3|said]] [[q.4 m ok v3|he was 'disappointed' by the result]] and [[v.v4|urged]] [[q.5 i ok v4|the union to return to talks]]. '[[q.6 d ok2 v5|The door to my office remains open]],' [[s.ok2=Daniel Okafor|he]] [[v.v5|told the BBC's Today programme]]. '[[q.7 d ok2 -|But I have to be honest with nurses about what the country can afford.]]'

    [[s.ds=Downing Street|Downing Street]] [[v.v6|said]] [[q.8 m ds v6|the government's offer of a 5% rise was 'fair and reasonable']] and [[v.v7|warned]] that [[q.9 m ds v7|strikes would 'only make waiting lists longer']].

    Hospital leaders fear the walkout will hit already stretched services during the busiest time of year. [[s.tb=Matthew Taylor-Brooks|Matthew Taylor-Brooks]], chief executive of the NHS Confederation, [[v.v8|said]]: '[[q.10 d tb v8|Trusts will do everything they can to keep patients safe, but there is no getting away from the fact that this will mean cancelled operations.]]'

    [[v.v9|According to]] [[s.nhs=NHS England|NHS England]], [[q.11 i nhs v9|more than 7.6 million people are currently waiting for hospital treatment]].

    At a rally outside St Thomas' Hospital in London, nurses described the pressures they faced.

    '[[q.12 d ga v10|I've been doing this job for 22 years and I've never seen it this bad]],' [[v.v10|said]] [[s.ga=Grace Adeyemi|Grace Adeyemi]], a ward sister. '[[q.13 d ga -|Some nights there are two of us for 30 patients. You go home and you can't sleep because you're thinking about who you missed.]]'

    [[s.an|Another nurse]], who asked not to be named, [[v.v11|said]] [[q.14 i an v11|she had taken a second job in a supermarket to pay her bills]].

    [[s.mp=Helen Morgan-Price|The Liberal Democrats' health spokesperson, Helen Morgan-Price]], [[v.v12|said]] [[q.15 m mp v12|ministers had 'sleepwalked into this crisis']] and [[v.v13|called on]] [[q.16 i mp v13|the prime minister to intervene personally]].

    [[s.un2=Royal College of Nursing|The union]] [[v.v14|said]] [[q.17 i un2 v14|the strike dates would be confirmed within a fortnight]].
    """))

# 3. Business: curly double quotes, curly apostrophes, "according to".
ARTICLES.append(Article(
    "voltera-job-cuts", "Voltera to cut 2,400 jobs as electric-truck demand stalls", "The Financial Wire",
    [("Voltera Motors", "Electric-truck company", None),
     ("Sandra Kilbride", "Chief executive", "Voltera Motors"),
     ("Hollister & Grange", "Investment bank", None),
     ("Marcus Lo", "Auto analyst", "Hollister & Grange"),
     ("United Auto Workers", "Trade union", None),
     ("Dolores Fenn", "Organizer", "United Auto Workers"),
     ("Richard Tallis", "Governor", "Ohio")],
    """
    Voltera to cut 2,400 jobs as electric-truck demand stalls

    By Priya Raman

    [[q.1 i co v1|Voltera Motors will cut about 2,400 jobs, or roughly 11% of its workforce, and pause production at its Ohio plant]], [[s.co=Voltera Motors|the company]] [[v.v1|said]] on Wednesday, as slowing demand for electric trucks weighs on the once high-flying startup.

    [[s.ki=Sandra Kilbride|Chief executive Sandra Kilbride]] [[v.v2|told employees in a memo]] seen by The Financial Wire that [[q.2 m ki v2|the decision was “the hardest I have made since founding this company.”]]

    “[[q.3 d ki2 v3|We grew too fast, and we built for a market that has not arrived as quickly as we expected]],” [[s.ki2=Sandra Kilbride|she]] [[v.v3|wrote]]. “[[q.4 d ki2 -|That is on me, not on you.]]”

    Shares of Voltera fell 14% in early trading to $6.12, their lowest level since the company went public in 2021.

    [[v.v4|According to]] [[s.hg=Hollister & Grange|analysts at Hollister & Grange]], [[q.5 i hg v4|the company is burning through roughly $380 million in cash every quarter and could need to raise fresh capital by the middle of next year]].

    “[[q.6 d lo v5|The story investors bought was that demand would be limitless]],” [[v.v5|said]] [[s.lo=Marcus Lo|Marcus Lo]], an auto analyst at Hollister & Grange. “[[q.7 d lo -|What we’re seeing now is that fleet buyers are a lot more cautious when interest rates are this high.]]”

    [[s.co2=Voltera Motors|Voltera]] [[v.v6|said]] [[q.8 i co2 v6|the Ohio plant, which employs about 900 people, would remain idle for at least six months]]. The company will keep its headquarters and design center in Austin, Texas.

    [[s.uaw=United Auto Workers|The United Auto Workers]], which has been trying to organize the Ohio workforce, [[v.v7|called]] [[q.9 m uaw v7|the cuts “a betrayal of the workers who built this company’s trucks.”]]

    “[[q.10 d fe v8|They were happy to take our tax breaks and our sweat]],” [[v.v8|said]] [[s.fe=Dolores Fenn|Dolores Fenn]], a UAW organizer in Lordstown. “[[q.11 d fe -|Now they’re walking away the minute things get hard.]]”

    [[s.ta=Richard Tallis|Ohio Governor Richard Tallis]] [[v.v9|said in a statement]] that [[q.12 m ta v9|the state would “hold Voltera to every commitment it made” in exchange for $150 million in incentives]].

    [[s.ki3=Sandra Kilbride|Kilbride]] [[v.v10|insisted]] [[q.13 i ki3 v10|the company had enough money to reach profitability]]. “[[q.14 d ki4 v11|We are not going anywhere]],” [[s.ki4=Sandra Kilbride|she]] [[v.v11|told investors on a call]] on Wednesday afternoon. “[[q.15 d ki4 -|We are getting leaner so that we are still here in ten years.]]”
    """))

# 4. UK football: curly single quotes, a quote spanning two paragraphs.
ARTICLES.append(Article(
    "rovers-derby", "Harker insists Rovers ‘still believe’ despite derby defeat", "Sportsdesk",
    [("Steve Harker", "Manager", "Ellesmere Rovers"),
     ("Andy Kemp", "Manager", "Brackenfield Town"),
     ("Danny Pryce", "Pundit", None)],
    """
    [[s.h0=Steve Harker|Harker]] [[v.v0|insists]] [[q.0 m h0 v0|Rovers ‘still believe’]] despite derby defeat

    By Tom Ashdown · Sportsdesk

    [[s.h1=Steve Harker|Ellesmere Rovers manager Steve Harker]] [[v.v1|says]] [[q.1 i h1 v1|his side can still avoid relegation]] despite Saturday’s 3-0 defeat by rivals Brackenfield Town left them seven points from safety with nine games to play.

    Harker’s side were outplayed at the Vale Ground, where goals from Kieran Doyle, Luis Martins and a late Sam O’Rourke penalty sealed a deserved win for the hosts.

    Speaking at his post-match press conference, Harker refused to throw in the towel.

    ‘[[q.2 d h2 v2|I’ve been in this game a long time and I’ve seen bigger gaps than seven points closed]],’ [[s.h2=Steve Harker|he]] [[v.v2|said]]. ‘[[q.3 d h2 -|We were poor today, I won’t hide from that. The lads know it, I know it, the supporters know it.]]

    ‘[[q.3|But if you’d told me in January we’d have nine games left and still be in with a shout, I’d have taken it. We still believe. We have to.]]’

    The defeat was Rovers’ fifth in six league matches, and the mood among the travelling fans turned sour long before the final whistle. Some chanted for Harker to be sacked.

    Brackenfield boss Andy Kemp was full of praise for his players. ‘[[q.4 d ke v3|That’s as complete a performance as we’ve put in all season]],’ [[s.ke=Andy Kemp|Kemp]] [[v.v3|said]]. ‘[[q.5 d ke -|The derby means everything to the people here and the boys gave them a day they won’t forget.]]’

    Asked about his own future, [[s.h3=Steve Harker|Harker]] [[v.v4|told reporters]] [[q.6 m h3 v4|he had spoken to chairman Neil Gaskell on Sunday morning and had received his ‘full backing’]].

    [[s.cs|A club spokesperson]] [[v.v5|confirmed]] [[q.7 m cs v5|there were ‘no plans’ to change manager]].

    Former Rovers captain Danny Pryce, now a pundit, was less forgiving. Writing in his weekly column, [[s.pr=Danny Pryce|he]] [[v.v6|said]] [[q.8 m pr v6|the team looked ‘frightened’ and ‘short of ideas’]]. ‘[[q.9 d pr2 v7|I don’t see where the next win is coming from]],’ [[s.pr2=Danny Pryce|he]] [[v.v7|added]].

    Rovers host Castleford on Tuesday night.
    """))

# 5. Science: curly double quotes, a nested quote.
ARTICLES.append(Article(
    "water-super-earth", "Astronomers spot water vapor on distant ‘super-Earth’", "Science Today",
    [("Amara Okonjo", "Astrophysicist", "University of Leeds"),
     ("Henrik Dahl", "Professor", "Niels Bohr Institute"),
     ("NASA", "Space agency", "U.S. government"),
     ("Mark Delaney", "Astrophysics director", "NASA")],
    """
    Astronomers spot water vapor on distant ‘super-Earth’

    By Elena Vasquez, Science Correspondent

    An international team of astronomers has detected water vapor in the atmosphere of a rocky planet orbiting a small star 48 light-years from Earth, a finding that [[s.re|researchers]] [[v.v0|say]] [[q.0 i re v0|could reshape the search for habitable worlds]].

    The planet, catalogued as GJ 4102 b, is about 1.6 times the size of Earth. [[q.1 i st v1|Its signal was picked up by the James Webb Space Telescope during four transits last year]], [[v.v1|according to]] [[s.st|the study]], which was published on Wednesday in the journal Nature Astronomy.

    “[[q.2 d ok v2|When we saw the absorption feature, nobody in the room said anything for about a minute]],” [[v.v2|said]] [[s.ok=Amara Okonjo|Dr. Amara Okonjo]], an astrophysicist at the University of Leeds and the study’s lead author. “[[q.3 d ok -|Then someone said, ‘Check it again.’ So we did, eleven more times.]]”

    [[s.ok2=Amara Okonjo|Okonjo]] [[v.v3|stressed]] that [[q.4 i ok2 v3|water vapor alone does not mean the planet can support life]]. “[[q.5 d ok3 v4|We are not saying there are oceans, and we are certainly not saying there are fish]],” [[s.ok3=Amara Okonjo|she]] [[v.v4|said]]. “[[q.6 d ok3 -|We are saying this is the best target we have ever had.]]”

    Other scientists were more cautious. [[s.da=Henrik Dahl|Prof. Henrik Dahl of the Niels Bohr Institute]], who was not involved in the research, [[v.v5|said]] [[q.7 m da v5|the signal was “intriguing but not yet conclusive,”]] [[v.v6|noting]] that [[q.8 i da v6|starspots on small red dwarfs can mimic the fingerprint of water]].

    “[[q.9 d da2 v7|I’d want to see it confirmed with a second instrument before I got too excited]],” [[s.da2=Henrik Dahl|he]] [[v.v7|told The Times]]. “[[q.10 d da2 -|Red dwarfs are notoriously messy stars.]]”

    The team has already requested more observing time. In their paper, [[s.au|the authors]] [[v.v8|write]] that [[q.11 m au v8|further observations “could determine whether the atmosphere also contains carbon dioxide or methane, which would tell us far more about its history.”]]

    [[s.na=NASA|NASA]] [[v.v9|said in a statement]] that [[q.12 m na v9|the discovery showed the telescope was “delivering on its promise.”]] [[s.de=Mark Delaney|The agency’s astrophysics director, Mark Delaney]], [[v.v10|wrote on social media]]: “[[q.13 d de v10|This is exactly why we built Webb.]]”
    """))

# 6. US local news: straight double quotes, plural possessives.
ARTICLES.append(Article(
    "maple-street-bike-lanes", "Council approves Maple Street bike lanes after heated three-hour meeting", "Riverside Gazette",
    [("Frank DeLuca", "Hardware store owner", None),
     ("Amy Tran", "Parent", None),
     ("Rosa Delgado", "Council member", "Riverside City Council"),
     ("Bill Hutchins", "Council member", "Riverside City Council"),
     ("Patricia Olsen", "Mayor", "Riverside")],
    """
    Council approves Maple Street bike lanes after heated three-hour meeting

    By Jordan Whitaker · Riverside Gazette

    RIVERSIDE — After more than three hours of public comment, the City Council voted 5-2 Tuesday night to install protected bike lanes along a 1.4-mile stretch of Maple Street, removing about 60 parking spaces in the process.

    Supporters packed the council chambers wearing green T-shirts that read "Safe Streets Now." [[s.op|Opponents]], many of them business owners from the Maple Street corridor, [[v.v1|warned]] [[q.1 i op v1|the lanes would drive away customers]].

    "[[q.2 d de v2|I've lived on this street for 31 years. I've never once seen a traffic jam of bicycles]]," [[v.v2|said]] [[s.de=Frank DeLuca|Frank DeLuca]], who owns a hardware store near the corner of Maple and Fifth. "[[q.3 d de -|Where are my customers supposed to park?]]"

    Several parents spoke about children who bike to Lincoln Middle School. [[s.tr=Amy Tran|Amy Tran]], whose 12-year-old son was struck by a car on Maple last spring, [[v.v3|said]] [[q.4 i tr v3|she still thinks about the phone call from the hospital]].

    "[[q.5 d tr2 v4|He was lucky. He had a broken arm and a concussion]]," [[s.tr2=Amy Tran|Tran]] [[v.v4|told the council]], her voice breaking. "[[q.6 d tr2 -|The next kid might not be lucky.]]"

    [[s.dg=Rosa Delgado|Council member Rosa Delgado]], who represents the district, [[v.v5|said]] [[q.7 i dg v5|the city had spent two years studying the corridor and had made changes in response to business owners' concerns, including adding loading zones on every block]].

    "[[q.8 d dg2 v6|This is not a war on cars]]," [[s.dg2=Rosa Delgado|Delgado]] [[v.v6|said]]. "[[q.9 d dg2 -|This is about making sure everybody gets home at night.]]"

    [[s.hu=Bill Hutchins|Council member Bill Hutchins]], one of the two no votes, [[v.v7|said]] [[q.10 m hu v7|the plan was "a solution in search of a problem"]] and [[v.v8|accused]] [[q.11 i hu v8|the majority of ignoring the people who would be most affected]].

    "[[q.12 d hu2 v9|We had small businesses on Maple survive the pandemic, survive the recession. I'm not sure they survive this]]," [[s.hu2=Bill Hutchins|Hutchins]] [[v.v9|said]].

    [[s.ol=Patricia Olsen|Mayor Patricia Olsen]], who does not vote except to break a tie, [[v.v10|said]] after the meeting that [[q.13 i ol v10|she supported the decision]]. [[v.v11|According to]] [[s.td|the city's transportation department]], [[q.14 i td v11|construction is expected to begin in March and take about four months]].
    """))

# 7. International, wire style: indirect speech, "according to".
ARTICLES.append(Article(
    "eu-mercosur-talks", "EU and Mercosur negotiators fail to close trade deal as farm dispute drags on", "Continental Wire",
    [("Johanna Lindqvist", "Trade commissioner", "European Commission"),
     ("Paulo Mendes Ribeiro", "Foreign trade secretary", "Brazil"),
     ("Claire Beaumont", "Agriculture minister", "France"),
     ("AgriUnion Europe", "Farmers' association", None)],
    """
    EU and Mercosur negotiators fail to close trade deal as farm dispute drags on

    BRUSSELS, Nov 14 — [[q.1 i of v1|Negotiators from the European Union and the South American Mercosur bloc ended two days of talks on Thursday without a deal, with disagreements over beef quotas and deforestation rules still unresolved]], [[s.of|officials from both sides]] [[v.v1|said]].

    [[s.li=Johanna Lindqvist|EU trade commissioner Johanna Lindqvist]] [[v.v2|told a news conference]] that [[q.2 m li v2|"significant progress" had been made but that the two sides were "not there yet"]].

    [[s.li2=Johanna Lindqvist|She]] [[v.v3|said]] [[q.3 i li2 v3|the Commission would not accept any agreement that weakened the bloc's environmental standards]], a key demand of France and Ireland, whose farmers have staged protests against the deal for months.

    [[s.me=Paulo Mendes Ribeiro|Brazil's foreign trade secretary, Paulo Mendes Ribeiro]], [[v.v4|accused]] [[q.4 m me v4|Europe of "moving the goalposts" by adding new conditions late in the process]]. "[[q.5 d me2 v5|We came here ready to sign]]," [[s.me2=Paulo Mendes Ribeiro|he]] [[v.v5|told reporters]] outside the Commission's headquarters. "[[q.6 d me2 -|We cannot negotiate with a partner who changes the rules every six months.]]"

    [[v.v6|According to]] [[s.dip|two diplomats familiar with the talks]], [[q.7 i dip v6|the main sticking point is a European demand that beef imports be certified as coming from land that has not been cleared since 2020]]. [[s.dip2|The diplomats]], who spoke on condition of anonymity because the negotiations are confidential, [[v.v7|said]] [[q.8 i dip2 v7|Argentina and Uruguay were more flexible than Brazil on the issue]].

    French Agriculture Minister Claire Beaumont welcomed the delay. "[[q.9 d be v8|For our farmers, no deal is better than a bad deal]]," [[s.be=Claire Beaumont|she]] [[v.v8|said in a statement]].

    Germany, which has pushed hard for the agreement, expressed frustration. [[s.gs|A government spokesman in Berlin]] [[v.v9|said]] [[q.10 m gs v9|the deal was "overdue by at least a decade"]] and [[v.v10|warned]] that [[q.11 i gs v10|Europe risked losing ground to China in South America]].

    The agreement, first negotiated more than 20 years ago, would create one of the world's largest free trade areas, covering more than 700 million people. [[s.li3=Johanna Lindqvist|Lindqvist]] [[v.v11|said]] [[q.12 i li3 v11|talks would resume in Montevideo in January]], [[v.v12|adding]] that [[q.13 m li3 v12|she remained "confident" a deal could be signed before the end of the Commission's mandate]].

    Farm groups were unmoved. [[s.au=AgriUnion Europe|AgriUnion Europe]], the EU's largest farmers' association, [[v.v13|said]] [[q.14 m au v13|the deal "should be buried once and for all."]]
    """))

# 8. UK local news: curly single quotes, a nested double quote inside.
ARTICLES.append(Article(
    "tewkesford-floods", "Residents ‘abandoned’ as floodwater returns to Tewkesford for third time in a year", "West Country Post",
    [("Avelshire Fire and Rescue Service", "Fire service", "Avelshire"),
     ("Margaret Ellis", "Resident", "Tewkesford"),
     ("Environment Agency", "Government agency", "UK government"),
     ("James Harcourt", "MP", "Tewkesford"),
     ("Avelshire County Council", "Local council", "Avelshire"),
     ("Fiona Marsh", "Council leader", "Avelshire County Council"),
     ("Liam Doherty", "Forecaster", "Met Office")],
    """
    Residents ‘abandoned’ as floodwater returns to Tewkesford for third time in a year

    By Sian Pritchard · West Country Post

    [[s.res|Residents of Tewkesford]] [[v.v1|say]] [[q.1 m res v1|they have been ‘abandoned’ by the authorities]] after the River Avel burst its banks on Sunday night, flooding more than 120 homes for the third time in twelve months.

    [[q.2 i fr v2|Emergency crews used boats to rescue 37 people from their homes overnight]], [[v.v2|according to]] [[s.fr=Avelshire Fire and Rescue Service|Avelshire Fire and Rescue Service]]. No injuries were reported.

    Margaret Ellis, 74, was carried out of her bungalow on Mill Lane by firefighters at 2am. ‘[[q.3 d me v3|The water came up through the floorboards faster than I could get my shoes on]],’ [[s.me=Margaret Ellis|she]] [[v.v3|said]]. ‘[[q.4 d me -|My neighbour was banging on the door shouting, “Get out, Maggie, get out now!” I’ve lost everything again.]]’

    The town’s flood defences, promised by the Environment Agency after the last major flood in 2020, have still not been built. In a letter to residents in March, [[s.ea=Environment Agency|the agency]] [[v.v4|said]] [[q.5 m ea v4|construction would begin ‘later this year’]], but no work has started.

    [[s.eas|An Environment Agency spokesperson]] [[v.v5|said]] [[q.6 m eas v5|the scheme had been delayed by ‘unforeseen ground conditions’ and rising costs]], and [[v.v6|insisted]] [[q.7 m eas v6|it remained ‘a top priority’]].

    [[s.ha=James Harcourt|Local MP James Harcourt]] [[v.v7|said]] [[q.8 i ha v7|he had raised the issue in Parliament four times]]. ‘[[q.9 d ha2 v8|Every time, I’m told the money is there and the plans are ready]],’ [[s.ha2=James Harcourt|he]] [[v.v8|said]]. ‘[[q.10 d ha2 -|People in Tewkesford don’t want to hear about plans any more. They want to see diggers.]]’

    [[s.cc=Avelshire County Council|Avelshire County Council]] [[v.v9|said]] [[q.11 i cc v9|it had opened a rest centre at the town’s leisure centre, where 58 people spent Sunday night]]. [[s.fm=Fiona Marsh|Council leader Fiona Marsh]] [[v.v10|said]] [[q.12 m fm v10|staff had ‘worked through the night’]] and thanked volunteers who had brought food and blankets.

    The Met Office has issued a yellow weather warning for further heavy rain on Wednesday. [[s.do=Liam Doherty|Forecaster Liam Doherty]] [[v.v11|warned]] that ‘[[q.13 d do v11|ground is saturated, so even moderate rainfall could cause problems]]’.
    """))

# 9. US courts: straight double quotes with a nested single quote.
ARTICLES.append(Article(
    "costa-trial", "Ex-aide testifies she warned Mayor Costa about no-bid contracts", "Harbor City Herald",
    [("Lisa Marchetti", "Former chief of staff", "Harbor City mayor's office"),
     ("Vincent Costa", "Mayor", "Harbor City"),
     ("Deborah Klein", "Defense attorney", None)],
    """
    [[s.h=Lisa Marchetti|Ex-aide]] [[v.v0|testifies]] [[q.0 i h v0|she warned Mayor Costa about no-bid contracts]]

    By Dana Whitcomb · Harbor City Herald

    [[s.ai=Lisa Marchetti|A former top aide to Harbor City Mayor Vincent Costa]] [[v.v1|testified]] Monday that [[q.1 m ai v1|she repeatedly warned him that awarding emergency contracts without competitive bidding could break state law, and that he told her to "stop worrying about paperwork."]]

    Lisa Marchetti, who served as Costa's chief of staff from 2019 to 2022, was the prosecution's first witness in the corruption trial, which is expected to last six weeks. Costa, 58, has pleaded not guilty to bribery and fraud charges.

    "[[q.2 d ma v2|I told him, 'Vince, this is going to come back on you,']]" [[s.ma=Lisa Marchetti|Marchetti]] [[v.v2|said]] under questioning from Assistant U.S. Attorney Kevin Shah. "[[q.3 d ma -|He said the city was in a crisis and nobody would care how the contracts were handed out.]]"

    [[s.pro|Prosecutors]] [[v.v3|allege]] that [[q.4 i pro v3|Costa steered more than $14 million in pandemic-era contracts to companies controlled by two longtime campaign donors, who in return paid for renovations to his lake house]].

    [[s.ma2=Lisa Marchetti|Marchetti]] [[v.v4|testified]] that [[q.5 i ma2 v4|she first raised concerns in April 2020, after a medical supply firm with no track record received a $2.3 million order for masks]]. [[s.ma3=Lisa Marchetti|She]] [[v.v5|said]] [[q.6 i ma3 v5|she put her concerns in writing twice]], in emails that were shown to the jury.

    In one email, read aloud in court, [[s.ma4=Lisa Marchetti|she]] [[v.v6|wrote]]: "[[q.7 d ma4 v6|We are exposing the city and you personally. Please let procurement do its job.]]"

    [[s.kl=Deborah Klein|Costa's attorney, Deborah Klein]], spent much of the afternoon questioning Marchetti's motives, [[v.v7|pointing out]] that [[q.8 i kl v7|she was fired in 2022 and later filed a wrongful termination lawsuit against the city]].

    "[[q.9 d kl2 v8|Isn't it true that you're angry because you lost your job?]]" [[s.kl2=Deborah Klein|Klein]] [[v.v8|asked]].

    "[[q.10 d ma5 v9|I'm angry because I was right]]," [[s.ma5=Lisa Marchetti|Marchetti]] [[v.v9|replied]].

    Outside the courthouse, [[s.kl3=Deborah Klein|Klein]] [[v.v10|told reporters]] that [[q.11 m kl3 v10|the government's case rested on "the word of a disgruntled former employee" and that the jury would see "there was no quid pro quo, none."]]

    Costa did not speak to reporters. [[s.co=Vincent Costa|He]] has previously [[v.v11|called]] [[q.12 m co v11|the charges "a political hit job" orchestrated by his opponents]].

    The trial resumes Tuesday.
    """))

# 10. Tech regulation: straight double quotes, posts on social media.
ARTICLES.append(Article(
    "teen-safety-hearing", "Lawmakers grill social media bosses over teen safety", "Metro Tribune",
    [("Elaine Brooks", "Senator", "Democratic Party"),
     ("Ravi Anand", "Chief executive", "ChatterBox"),
     ("Mitchell Greer", "Senator", "Republican Party"),
     ("Dana Kowalski", "Head of global policy", "PixelPost"),
     ("Teresa Nolan", "Parent", None),
     ("Digital Commerce Alliance", "Trade group", None)],
    """
    Lawmakers grill social media bosses over teen safety

    By Owen Castellano · Metro Tribune

    Executives from three of the largest social media companies faced hours of pointed questions on Capitol Hill on Wednesday as senators from both parties pressed them to do more to protect teenagers from harmful content.

    "[[q.1 d br v1|You have built products that are designed to be addictive, and you have known it for years]]," [[s.br=Elaine Brooks|Sen. Elaine Brooks]], a Democrat from Vermont, [[v.v1|told the executives]] at the start of the hearing. "[[q.2 d br -|The question today is what you are going to do about it.]]"

    [[s.an=Ravi Anand|Ravi Anand]], chief executive of ChatterBox, [[v.v2|said]] [[q.3 i an v2|his company had introduced more than 30 new safety features in the past year, including default privacy settings for users under 16]]. "[[q.4 d an2 v3|We share the goal of keeping young people safe online]]," [[s.an2=Ravi Anand|he]] [[v.v3|said]].

    That answer did not satisfy Sen. Mitchell Greer, a Republican from Missouri. "[[q.5 d gr v4|Thirty features]]," [[s.gr=Mitchell Greer|Greer]] [[v.v4|said]]. "[[q.6 d gr -|And how many kids have you lost in that time? Do you even know?]]"

    [[s.an3=Ravi Anand|Anand]] [[v.v5|said]] [[q.7 i an3 v5|the company did not track that figure]].

    The hearing comes weeks after [[s.st|a leaked internal study from PixelPost]], one of the companies represented, [[v.v6|found]] that [[q.8 i st v6|a third of teenage girls who used the app said it made them feel worse about their bodies]]. [[s.ko=Dana Kowalski|PixelPost's head of global policy, Dana Kowalski]], [[v.v7|said]] [[q.9 m ko v7|the study had been "mischaracterized" and was "never intended to be a definitive finding."]]

    Outside the hearing room, parents held up photos of their children. Among them was Teresa Nolan of Ohio, whose 15-year-old daughter died by suicide in 2022.

    "[[q.10 d no v8|My daughter was 15. She should be starting college this fall]]," [[s.no=Teresa Nolan|Nolan]] [[v.v8|said]]. "[[q.11 d no -|These companies knew, and they did nothing.]]"

    After the hearing, [[s.gr2=Mitchell Greer|Greer]] [[v.v9|posted on X]] that [[q.12 m gr2 v9|the executives had "dodged every hard question"]] and [[v.v10|called for]] [[q.13 i gr2 v10|a vote on the Kids Online Safety Act before the end of the year]].

    [[s.ig|Industry groups]] have [[v.v11|warned]] that [[q.14 i ig v11|the bill could lead to censorship]]. [[s.dca=Digital Commerce Alliance|The Digital Commerce Alliance]], a trade group that represents the companies, [[v.v12|said in a statement]] that [[q.15 m dca v12|the legislation was "well-intentioned but deeply flawed" and would force platforms to collect more personal data, not less]].
    """))

# 11. US sport: straight double quotes, a quote spanning two paragraphs.
ARTICLES.append(Article(
    "hawks-reyes-injury", "Hawks' Reyes out for season with torn ACL", "Lakeside Sports Network",
    [("Lakeside Hawks", "Basketball team", None),
     ("Tony Abernathy", "Coach", "Lakeside Hawks"),
     ("Marcus Reyes", "Point guard", "Lakeside Hawks"),
     ("Jalen Brooks", "Forward", "Lakeside Hawks"),
     ("Sheila Park", "General manager", "Lakeside Hawks")],
    """
    Hawks' Reyes out for season with torn ACL

    By Chris Dawson · Lakeside Sports Network

    [[q.1 i tm v1|Lakeside Hawks point guard Marcus Reyes will miss the rest of the season after tearing the anterior cruciate ligament in his left knee]], [[s.tm=Lakeside Hawks|the team]] [[v.v1|announced]] Friday.

    Reyes, 27, was hurt late in the third quarter of Thursday's 112-104 win over Denver when he landed awkwardly after a drive to the basket. He left the court on crutches.

    [[s.ab=Tony Abernathy|Coach Tony Abernathy]] [[v.v2|said]] [[q.2 m ab v2|the mood in the locker room after the game was "like somebody died."]]

    "[[q.3 d ab2 v3|You could hear a pin drop. Guys were just sitting there with their heads down]]," [[s.ab2=Tony Abernathy|Abernathy]] [[v.v3|said]] Friday before practice. "[[q.4 d ab2 -|Marcus is the heartbeat of this team. He's the first guy in the gym and the last one to leave.]]

    "[[q.4|We're going to find out a lot about ourselves over the next two months. Nobody is going to feel sorry for us, and we're not going to feel sorry for ourselves.]]"

    Reyes was averaging 21.4 points and 8.9 assists, both career highs, and was widely expected to make his first All-Star team. [[v.v4|According to]] [[s.doc|team doctors]], [[q.5 i doc v4|he is expected to make a full recovery in time for training camp]].

    Reyes posted a short message on Instagram on Friday morning. "[[q.6 d re v5|Not how I wanted this season to go, but God's got a plan]]," [[s.re=Marcus Reyes|he]] [[v.v5|wrote]]. "[[q.7 d re -|I'll be back stronger. Hawks in 6, I'm still calling it.]]"

    [[s.jb=Jalen Brooks|Teammate Jalen Brooks]] [[v.v6|said]] [[q.8 i jb v6|the team would dedicate the rest of the season to Reyes]]. "[[q.9 d jb2 v7|We're playing for 3 now]]," [[s.jb2=Jalen Brooks|Brooks]] [[v.v7|said]], referring to Reyes' jersey number. "[[q.10 d jb2 -|Every night.]]"

    [[s.pa=Sheila Park|General manager Sheila Park]] [[v.v8|said]] [[q.11 m pa v8|the Hawks would look at "every option" to fill the gap, including the trade market]], but [[v.v9|cautioned]] [[q.12 i pa v9|against expecting a blockbuster move before next week's deadline]].

    "[[q.13 d pa2 v10|We're not going to mortgage the future because of one injury, no matter how painful it is]]," [[s.pa2=Sheila Park|Park]] [[v.v10|said]].

    The Hawks, who sit fourth in the Western Conference, host Phoenix on Saturday.
    """))


# ---- held out -------------------------------------------------------------------------
# Articles 12-14 were written and annotated after the suggester's rules were
# frozen and were never used to tune them: bench/bench_suggest.py reports them
# separately as an estimate of quality on unseen text.
HELD_OUT_FROM = 12

# 12. UK business: single quotes, "in an interview with", "the statement read".
ARTICLES.append(Article(
    "brightwater-bid", "Brightwater rejects £4bn takeover approach from US rival", "City Desk",
    [("Brightwater", "Water company", None),
     ("Alan Marsh", "Chief executive", "Brightwater"),
     ("Cascade Holdings", "Investment company", None),
     ("Joanna Pike", "Analyst", "Redfern Securities"),
     ("Ofwat", "Regulator", None)],
    """
    Brightwater rejects £4bn takeover approach from US rival

    By Neil Carter · City Desk

    [[s.bw=Brightwater|Brightwater]] has [[v.v1|said]] [[q.1 m bw v1|it rejected a £4bn takeover approach from Cascade Holdings because the offer 'significantly undervalued' the company]], sending its shares up 18% on Monday.

    In a statement to the stock exchange, [[s.ws=Brightwater|the water supplier]] [[v.v2a|said]] [[q.2a m ws v2a|the board had 'carefully considered' the proposal]]. [[s.st|The statement]] [[v.v2|read]]: '[[q.2 d st v2|The board is confident in Brightwater's standalone strategy and sees no reason to engage further.]]'

    Chief executive Alan Marsh, who has run the company since 2019, was blunter. '[[q.3 d am v3|They came in with a number they knew we would say no to]],' [[s.am=Alan Marsh|he]] [[v.v3|said in an interview with the BBC]]. '[[q.4 d am -|If they want to be taken seriously, they know what to do.]]'

    [[s.ca=Cascade Holdings|Cascade]], which owns utilities in Texas and Arizona, [[v.v4|confirmed]] [[q.5 m ca v4|it was 'considering its options']] and [[v.v5|said]] [[q.6 i ca v5|it had no intention of making a hostile offer]].

    Analysts expect a higher bid. '[[q.7 d jp v6|This is the opening move, not the last one]],' [[v.v6|said]] [[s.jp=Joanna Pike|Joanna Pike]] of Redfern Securities. '[[q.8 d jp -|Cascade has deep pockets and it has wanted a UK foothold for years.]]'

    Shares in Brightwater have fallen by almost a third over the past two years amid public anger over sewage discharges and rising bills. The company was fined £12m last year for failing to report spills. [[s.am2=Alan Marsh|Marsh]] [[v.v11|said]] [[q.12 i am2 v11|the company would set out its own plan to investors next month]].

    Any deal would need the approval of the regulator. [[s.of=Ofwat|Ofwat]] declined to comment on the approach but [[v.v8|pointed out]] that [[q.9 m of v8|any change of ownership would be examined 'in the interests of customers']].

    Campaigners were alarmed. [[s.ca2|A spokesperson for the Clean Rivers Trust]] [[v.v9|warned]] that [[q.10 m ca2 v9|foreign ownership had "a poor track record" on sewage spills]], and [[v.v10|urged]] [[q.11 i ca2 v10|ministers to block any deal]].
    """))

# 13. US local politics: straight double quotes, "he said of", a Facebook post.
ARTICLES.append(Article(
    "county-recount", "Recount confirms Hale's 212-vote win in county commission race", "Valley Courier",
    [("Dennis Hale", "County commissioner", "Marlow County"),
     ("Karen Whitlock", "Candidate", None),
     ("Luis Ortega", "Election director", "Marlow County"),
     ("Marlow County", "County government", None)],
    """
    Recount confirms Hale's 212-vote win in county commission race

    By Teresa Lund · Valley Courier

    [[q.0 i co v0|A hand recount of more than 41,000 ballots confirmed Tuesday that incumbent Dennis Hale won re-election to the Marlow County Commission by 212 votes]], [[s.co|county officials]] [[v.v0|said]].

    "[[q.1 d lo v1|The numbers moved by three votes in total. That tells you the machines did their job]]," [[v.v1|said]] [[s.lo=Luis Ortega|Luis Ortega]], the county's election director. "[[q.2 d lo -|Our staff worked 14-hour days to get this right, and they did.]]"

    Karen Whitlock, the Democrat who requested the recount, conceded on Tuesday evening. In a Facebook post, [[s.kw2=Karen Whitlock|she]] thanked her volunteers and [[v.v4|wrote]] that [[q.3 m kw2 v4|the result was "not the one we hoped for, but it is the one the voters chose."]]

    [[s.ha=Dennis Hale|Hale]] [[v.v5|called]] [[q.4 m ha v5|the recount "a waste of taxpayer money"]] but [[v.v6|said]] [[q.5 i ha v6|he respected Whitlock's right to ask for it]].

    "[[q.6 d ha2 v7|I've known Karen for twenty years. She ran a clean campaign]]," [[s.ha2=Dennis Hale|he]] [[v.v7|said]] of his opponent. "[[q.7 d ha2 -|Now it's time to fix the roads.]]"

    Hale, a Republican, was first elected in 2016. [[s.ha3=Dennis Hale|He]] [[v.v12|said]] [[q.12 i ha3 v12|his priorities for the new term were road repairs and a new animal shelter]].

    [[q.ab i ab v8|The recount cost the county about $86,000]], [[v.v8|according to]] [[s.ab|the auditor's office]]. State law requires the county to pay when the margin is under half a percentage point.

    Some residents questioned the expense. "[[q.8 d re v9|Eighty-six thousand dollars to find three votes?]]" [[v.v9|asked]] [[s.re|Marge Dillon]], who attended Tuesday's canvass meeting. "[[q.9 d re -|That's a new fire truck.]]"

    [[s.ol=Luis Ortega|Ortega]] [[v.v10|said]] [[q.10 i ol v10|the county would review its recount procedures before the next election]], [[v.v11|noting]] that [[q.11 i ol v11|it was the first hand recount in Marlow County since 1998]].
    """))

# 14. Health: curly double quotes, "explained", a two-paragraph quote, dashes.
ARTICLES.append(Article(
    "sleep-study", "Teenagers who use phones after midnight sleep an hour less, study finds", "Health Weekly",
    [("Nadia Rahman", "Sleep researcher", "University of Bristol"),
     ("Tom Ellery", "Paediatrician", None),
     ("Royal College of Paediatrics", "Professional body", None)],
    """
    Teenagers who use phones after midnight sleep an hour less, study finds

    By Carla Benson · Health Weekly

    [[q.1 i st v1|Teenagers who use their phones after midnight get on average 62 minutes less sleep a night than those who put them away earlier]], [[v.v1|according to]] [[s.st|a study of 4,300 pupils]] published on Thursday.

    [[s.re|The researchers]], from the University of Bristol, [[v.v2|found]] that [[q.2 i re v2|the effect was strongest on school nights and among girls aged 14 to 16]].

    “[[q.3 d nr v3|It is not just the screen time, it is what the screen time replaces]],” [[v.v3|explained]] [[s.nr=Nadia Rahman|Dr Nadia Rahman]], who led the study. “[[q.4 d nr -|Sleep is when the teenage brain does a lot of its consolidation — of memory, of emotion.]]

    “[[q.4|If that window shrinks every night for years, we should expect consequences.]]”

    [[s.nr2=Nadia Rahman|Rahman]] [[v.v4|stressed]] that [[q.5 i nr2 v4|the study showed an association, not a cause]], and that [[q.6 i nr2 v4|teenagers who sleep badly for other reasons may reach for their phones]].

    The study followed pupils at 38 schools for two years. Participants wore wrist monitors that recorded when they fell asleep and woke up. [[s.ht|A head teacher in Bath]], quoted in the paper, [[v.v8|said]] [[q.11 m ht v8|a ban on phones in the school’s boarding house had been “transformative.”]]

    [[s.te=Tom Ellery|Dr Tom Ellery]], a paediatrician in Leeds, [[v.v5|said]] [[q.7 m te v5|the findings matched what he saw in his clinic “every single week.”]]

    “[[q.8 d te2 v6|Parents ask me what the magic number is]],” [[s.te2=Tom Ellery|he]] [[v.v6|said]]. “[[q.9 d te2 -|There isn’t one. But phones out of the bedroom by ten is a good start.]]”

    [[s.rc=Royal College of Paediatrics|The Royal College of Paediatrics]] [[v.v7|said]] [[q.10 i rc v7|it would update its guidance for families next year]].
    """))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files, write nothing")
    ns = parser.parse_args(argv)
    stale = 0
    for n, art in enumerate(ARTICLES, 1):
        try:
            record, people = build(n, art)
        except EvalError as e:
            print(f"make_eval: {art.slug}: {e}", file=sys.stderr)
            return 1
        data = dumps(record, people).encode("utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            built = Path(tmp) / "x.jsonl"
            built.write_bytes(data)
            (back,) = read_jsonl(built)
            if back != record:
                print(f"make_eval: {art.slug} does not read back as written", file=sys.stderr)
                return 1
        out = OUT_DIR / f"{n:02d}-{art.slug}.jsonl"
        words = len(record.document.text.split())
        if ns.check:
            if not out.exists() or out.read_bytes() != data:
                print(f"make_eval: {out} is out of date", file=sys.stderr)
                stale += 1
            continue
        out.write_bytes(data)
        counts = {lab: sum(s.label == lab for s in record.spans) for lab in PREFIX}
        print(f"wrote {out.name}: {words} words, "
              + ", ".join(f"{c} {lab}" for lab, c in counts.items())
              + f", {len(record.relations)} relations")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
