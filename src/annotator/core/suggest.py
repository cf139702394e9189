"""Annotation suggestions: QUOTE, SPEAKER and CUE spans with SAID_BY and CUED_BY links.

A suggester reads a document's text (and the project's people register) and
proposes spans the analyst accepts, corrects or rejects; nothing it returns is
stored until the analyst says so.

The interface::

    class Suggester(Protocol):
        name: str
        def suggest(self, text: str, people: Sequence[Person] = ()) -> Suggestions: ...

``Suggestions`` holds

* ``spans``: ``Span`` values (ids ``sq1, sq2…`` for QUOTE, ``ss1…`` for
  SPEAKER, ``sv1…`` for CUE; annotator ``""``), in text order. A QUOTE carries
  ``attrs["kind"]`` (``direct``, ``indirect`` or ``mixed``); a quote continued
  in a later paragraph or interrupted by its attribution has ``fragments``. A
  SPEAKER matched to the register carries ``attrs["person"]`` (the canonical
  name);
* ``relations``: ``SAID_BY`` (quote -> speaker) and ``CUED_BY`` (quote -> cue);
* ``truncated`` and ``note``: set when the number of suggestions was capped
  (``MAX_SUGGESTIONS``), e.g. ``"showing 500 of 1,732 suggestions"``.

Offsets are code points, end exclusive, like everywhere in Annotator; every
span satisfies ``0 <= start < end <= len(text)``. Suggesters never raise on
odd input (no quotes, unbalanced marks, other languages, megabytes of text).

``available_suggesters()`` lists what this installation can run: always
``RuleSuggester``; ``SpacySuggester`` too when spaCy and at least one trained
pipeline are installed (spaCy is imported only then, lazily).

``RuleSuggester`` is tuned for English news and follows the conventions of
the project's guidelines (scripts/make_demo.py): a direct quote is the text
inside the marks without them (and without the comma before its attribution);
an indirect or mixed quote is the reported clause, without a leading "that";
the speaker is the noun phrase naming the source, title included, or a
pronoun; the cue is the phrase of saying ("told reporters", "said in a
statement", "according to").
"""

from __future__ import annotations

import bisect
import importlib.util
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from annotator.core.model import Person, Relation, Span

__all__ = [
    "MAX_QUOTE_CHARS",
    "MAX_QUOTE_PARAGRAPHS",
    "MAX_SUGGESTIONS",
    "RuleSuggester",
    "SpacySuggester",
    "Suggester",
    "Suggestions",
    "available_suggesters",
    "match_person",
]

#: At most this many spans are suggested for one text; the rest are dropped (``truncated``).
MAX_SUGGESTIONS = 500
#: Longer quotes are refused: almost always unbalanced marks, not a quote.
MAX_QUOTE_CHARS = 1500
#: A quote continued over more paragraphs than this is refused.
MAX_QUOTE_PARAGRAPHS = 3
#: Sentences longer than this (no full stop in sight) are not searched for attributions.
_MAX_SENTENCE = 3000
#: At most this many cues are looked at in one sentence.
_MAX_CUES = 12
#: How far before a cue its speaker is looked for (characters).
_LOOKBACK = 300
#: The analysis stops once it has this many quotes (far more than are shown).
_STOP_AFTER = 4 * MAX_SUGGESTIONS
#: Deeper nesting of quotation marks than this is noise, not quotes within quotes.
_MAX_NESTING = 6


@dataclass(frozen=True)
class Suggestions:
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    truncated: bool = False
    note: str = ""


    def without(self, existing: Sequence[Span]) -> Suggestions:
        """Only what is not already annotated (same label, same bounds), with their links."""
        taken = {(s.label, s.pieces) for s in existing}
        spans = [s for s in self.spans if (s.label, s.pieces) not in taken]
        kept = {s.id for s in spans}
        relations = [r for r in self.relations if r.head in kept and r.child in kept]
        return Suggestions(spans, relations, self.truncated, self.note)

    def only(self, ids: set[str]) -> Suggestions:
        spans = [s for s in self.spans if s.id in ids]
        relations = [r for r in self.relations if r.head in ids and r.child in ids]
        return Suggestions(spans, relations, self.truncated, self.note)


class Suggester(Protocol):
    name: str

    def suggest(self, text: str, people: Sequence[Person] = ()) -> Suggestions: ...


# ---- word lists -------------------------------------------------------------------

_CUE_VERBS: dict[str, tuple[str, ...]] = {
    # base: inflected forms (base form included where it is not also a common noun)
    "say": ("say", "says", "said", "saying"),
    "tell": ("tell", "tells", "told", "telling"),
    "add": ("add", "adds", "added", "adding"),
    "warn": ("warn", "warns", "warned", "warning"),
    "vow": ("vows", "vowed", "vowing"),
    "note": ("noted", "noting"),
    "claim": ("claims", "claimed", "claiming"),
    "insist": ("insist", "insists", "insisted", "insisting"),
    "argue": ("argue", "argues", "argued", "arguing"),
    "stress": ("stressed", "stressing"),
    "announce": ("announce", "announces", "announced", "announcing"),
    "tweet": ("tweeted", "tweeting"),
    "post": ("posted",),
    "explain": ("explain", "explains", "explained", "explaining"),
    "call": ("called", "calls", "calling"),
    "reveal": ("reveal", "reveals", "revealed", "revealing"),
    "indicate": ("indicated", "indicates", "indicating"),
    "signal": ("signaled", "signalled", "signals", "signaling", "signalling"),
    "write": ("write", "writes", "wrote", "writing"),
    "testify": ("testify", "testifies", "testified", "testifying"),
    "allege": ("allege", "alleges", "alleged", "alleging"),
    "confirm": ("confirm", "confirms", "confirmed", "confirming"),
    "accuse": ("accuse", "accuses", "accused", "accusing"),
    "ask": ("asked", "asks"),
    "reply": ("replied", "replies"),
    "urge": ("urge", "urges", "urged", "urging"),
    "caution": ("cautioned", "cautions", "cautioning"),
    "admit": ("admit", "admits", "admitted", "admitting"),
    "acknowledge": ("acknowledge", "acknowledges", "acknowledged", "acknowledging"),
    "predict": ("predict", "predicts", "predicted", "predicting"),
    "promise": ("promised", "promises", "promising"),
    "pledge": ("pledged", "pledges", "pledging"),
    "declare": ("declare", "declares", "declared", "declaring"),
    "state": ("stated", "states"),
    "respond": ("responded",),
    "remark": ("remarked",),
    "emphasise": ("emphasised", "emphasized", "emphasises", "emphasizes", "emphasising",
                  "emphasizing"),
    "maintain": ("maintained", "maintains"),
    "contend": ("contend", "contends", "contended"),
    "concede": ("concede", "concedes", "conceded"),
    "complain": ("complain", "complains", "complained", "complaining"),
    "suggest": ("suggest", "suggests", "suggested"),
    "recall": ("recalled", "recalls"),
    "boast": ("boasted", "boasts"),
    "deny": ("denied", "denies"),
    "report": ("reported", "reports"),
    "believe": ("believes",),
    "estimate": ("estimated", "estimates"),
    "find": ("found", "finds"),
    "point out": ("pointed out", "points out", "pointing out"),
}
#: Cue forms after which a direct quote typically follows: "adding: '…'".
_PARTICIPLES = frozenset(f for forms in _CUE_VERBS.values() for f in forms if f.endswith("ing"))
#: Cues that need a noun subject that is a document ("the study found").
_DOC_CUES = frozenset({"found", "finds", "reported", "reports", "estimated", "estimates"})
_DOC_NOUNS = frozenset(
    ["study", "report", "survey", "poll", "analysis", "review", "research", "paper", "inquiry", "investigation", "audit", "figures", "data", "assessment", "document", "memo", "letter", "statement", "filing", "lawsuit", "complaint"]
)

_TITLES = frozenset(
    ["mr", "mrs", "ms", "miss", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt", "cmdr", "adm", "pres", "supt", "insp", "det", "rev", "fr", "sir", "dame", "lord", "lady", "st"]
)
_ABBREV = _TITLES | frozenset(
    ["jr", "sr", "inc", "corp", "co", "ltd", "plc", "no", "vs", "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "u.s", "u.k", "a.m", "p.m", "e.g", "i.e", "approx", "est", "dept", "univ"]
)
_DETERMINERS = frozenset(["the", "a", "an", "another", "this", "that", "these", "those"])
_INDEFINITE = frozenset(["a", "an", "another", "one", "two", "three", "four", "several", "some", "many"])
_NUMBER_WORDS = frozenset(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several", "some", "many", "few", "dozens"]
)
_PRONOUNS = {"he": "m", "she": "f", "they": "p", "it": "n", "we": "p", "i": "s"}
_SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "it", "we"})
_SKIP_BEFORE_CUE = frozenset(
    ["has", "have", "had", "also", "previously", "repeatedly", "later", "then", "again", "further", "publicly", "privately", "reportedly", "once", "just", "already", "never", "would", "will", "could", "did", "does", "do", "was", "is", "were", "had", "later", "earlier", "recently", "separately", "subsequently", "first", "initially", "himself", "herself", "themselves", "itself", "then"]
)
_ROLE_WORDS = frozenset(
    ["president", "presidents", "spokesman", "spokeswoman", "spokesperson", "spokespeople", "spokesmen", "minister", "ministers", "secretary", "chancellor", "commissioner", "governor", "senator", "senators", "congressman", "congresswoman", "representative", "mayor", "leader", "leaders", "chairman", "chairwoman", "chair", "chief", "executive", "executives", "director", "manager", "coach", "boss", "captain", "player", "players", "analyst", "analysts", "economist", "economists", "official", "officials", "officer", "officers", "aide", "aides", "adviser", "advisers", "advisor", "advisors", "ambassador", "envoy", "diplomat", "diplomats", "general", "commander", "lawyer", "lawyers", "attorney", "attorneys", "prosecutor", "prosecutors", "judge", "professor", "researcher", "researchers", "scientist", "scientists", "author", "authors", "expert", "experts", "doctor", "doctors", "nurse", "nurses", "resident", "residents", "witness", "witnesses", "source", "sources", "police", "union", "unions", "company", "companies", "firm", "agency", "team", "club", "government", "ministry", "department", "council", "committee", "commission", "office", "party", "group", "groups", "association", "study", "report", "survey", "organizer", "organiser", "teammate", "forecaster", "pundit", "campaigner", "campaigners", "activist", "activists", "critics", "critic", "supporters", "opponents", "lawmakers", "legislators", "mp", "mps", "speaker", "candidate", "founder", "owner", "ceo", "cfo", "head", "investigators", "regulator", "regulators", "administration", "kremlin", "white", "house", "palace", "embassy", "military", "army", "spokesmen", "sister", "parent", "parents", "teacher", "teachers", "student", "students", "worker", "workers", "employee", "employees", "organisers", "organizers", "operator", "airline", "bank", "chairperson", "premier", "king", "queen", "prince", "princess", "pope", "cardinal", "bishop", "inspector", "superintendent", "detective", "sheriff", "sergeant", "colonel", "lieutenant", "admiral", "staff", "member", "members", "partner", "partners", "director-general", "secretary-general", "governor-general"]
)
_MODIFIERS = frozenset(
    ["former", "top", "chief", "senior", "deputy", "vice", "prime", "foreign", "trade", "health", "general", "local", "press", "interior", "defence", "defense", "finance", "economy", "economic", "education", "justice", "energy", "executive", "assistant", "acting", "interim", "associate", "junior", "shadow", "national", "regional", "state", "federal", "international", "global", "head", "lead", "principal", "managing", "communications", "political", "foreign", "environment", "environmental", "transport", "transportation", "home", "culture", "security", "news", "campaign", "club", "team", "party", "union", "police", "fire", "public"]
)
_ORG_WORDS = frozenset(
    ["inc", "corp", "ltd", "plc", "llc", "co", "company", "agency", "council", "party", "union", "office", "service", "association", "motors", "workers", "college", "department", "committee", "commission", "house", "street", "ministry", "government", "institute", "university", "alliance", "group", "bank", "hospital", "school", "court", "police", "army", "navy", "authority", "board", "bureau", "federation", "league", "club", "team", "fc", "united", "city", "town", "county", "state", "republic", "kingdom", "europe", "england", "nations", "organisation", "organization", "foundation", "trust", "confederation", "network", "news", "times", "post", "press"]
)
#: The last word of a register entry's role that makes it an organisation, not a person.
_ORG_ROLES = frozenset(
    ["company", "union", "agency", "team", "government", "party", "association", "group", "bank", "office", "service", "council", "institute", "club", "ministry", "department", "committee", "commission", "firm", "business", "organisation", "organization", "charity", "court", "newspaper", "broadcaster", "network", "university", "school", "hospital", "authority", "regulator", "alliance", "federation", "league"]
)
_CAPITALS = {
    "kyiv": "ukraine", "kiev": "ukraine", "moscow": "russia", "kremlin": "russia",
    "washington": "united states", "beijing": "china", "london": "united kingdom",
    "paris": "france", "berlin": "germany", "tokyo": "japan", "seoul": "south korea",
    "pyongyang": "north korea", "tehran": "iran", "jerusalem": "israel", "ankara": "turkey",
    "brussels": "european union", "rome": "italy", "madrid": "spain", "ottawa": "canada",
    "canberra": "australia", "new delhi": "india", "delhi": "india", "islamabad": "pakistan",
    "cairo": "egypt", "riyadh": "saudi arabia", "warsaw": "poland", "minsk": "belarus",
    "taipei": "taiwan", "caracas": "venezuela", "havana": "cuba", "damascus": "syria",
    "baghdad": "iraq", "kabul": "afghanistan", "downing street": "united kingdom",
}
_DEMONYMS = {
    "french": "france", "british": "britain", "dutch": "netherlands", "chinese": "china",
    "american": "united states", "english": "england", "welsh": "wales",
    "scottish": "scotland", "irish": "ireland", "spanish": "spain", "swiss": "switzerland",
    "greek": "greece", "turkish": "turkey", "polish": "poland", "danish": "denmark",
    "swedish": "sweden", "finnish": "finland", "norwegian": "norway", "us": "united states",
    "u.s.": "united states", "uk": "united kingdom", "eu": "european union",
}
#: Words that show a stretch before a cue is a clause, not a noun phrase.
_NON_NP = frozenset(
    ["is", "was", "are", "were", "be", "been", "being", "has", "have", "had", "will", "would", "can", "could", "should", "may", "might", "must", "do", "does", "did", "not", "no", "which", "who", "whom", "whose", "that", "when", "while", "because", "if", "as", "than", "there", "it", "this", "these", "those", "said", "says", "say", "told", "also", "but", "or", "so", "yet", "after", "before", "since", "until", "although", "though", "whether", "where", "why", "how", "what", "to", "into", "onto", "by", "with", "without", "about", "over", "under"]
)
_NP_PREPOSITIONS = frozenset({"of", "at", "from", "for", "in", "to", "with", "on"})
_ADVERBIAL_STARTS = frozenset(
    ["on", "in", "at", "after", "before", "during", "outside", "inside", "earlier", "later", "late", "last", "this", "today", "tonight", "yesterday", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "under", "while", "when", "from", "following", "ahead", "shortly", "again", "also", "then", "afterwards", "afterward", "of", "with", "about"]
)
_NOT_A_CLAUSE = frozenset(
    ["as", "by", "with", "into", "about", "over", "than", "since", "because", "until", "of", "like", "among", "despite", "so", "and", "or", "but"]
)
_CLAUSE_VERBS = frozenset(
    ["is", "was", "are", "were", "will", "would", "has", "had", "could", "should", "can", "may", "might", "must"]
)

_DOUBLE_OPEN, _DOUBLE_CLOSE = "“„", "”"
_SINGLE_OPEN, _SINGLE_CLOSE = "‘", "’"
_MARKS = "\"'“”„‘’"

# ---- precompiled patterns -----------------------------------------------------------

_PARAGRAPH = re.compile(r"[^\n]+")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|\w(?:[\w&\-]|['’]\w)*|[^\w\s]")
_MARK = re.compile(r"[\"'“”„‘’]")
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ELISION = re.compile(r"['’](?:\d\ds?\b|em\b|til\b|cause\b|n['’]|tis\b|twas\b)", re.IGNORECASE)


def _cue_pattern() -> re.Pattern[str]:
    forms = sorted({f for fs in _CUE_VERBS.values() for f in fs}, key=len, reverse=True)
    alts = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    return re.compile(rf"(?<![\w'’-])(?:(?P<acc>[Aa]ccording\s+to)|(?P<verb>{alts}))(?![\w'’-])")


_CUE = _cue_pattern()
#: The addressee after "told"/"asked"/"informed"… is part of the cue ("told reporters").
_ADDRESSEE_VERBS = frozenset({"told", "tell", "tells", "telling", "asked", "asks", "urged"})
_MEDIUM = re.compile(
    r"\s+(?:in|on|during|via|through)\s+(?:(?:a|an|the|his|her|their|its|one)\s+)?"
    r"(?:[\w'’-]+\s+){0,3}?(?:statement|interview|memo|letter|post|posts|tweet|call|email|"
    r"op-ed|column|podcast|broadcast|video|press\s+conference|news\s+conference|briefing|"
    r"speech|account|message|blog|newsletter|filing|note|appearance|address|radio|television|"
    r"TV)\b(?:\s+with\s+(?:the\s+)?[A-Z][\w'’&-]*(?:\s+[A-Z][\w'’&-]*)*)?"
    r"|\s+on\s+(?:X|Twitter|Facebook|Instagram|TikTok|LinkedIn|Threads|Bluesky|YouTube|"
    r"Telegram|Truth\s+Social|social\s+media|air|camera|the\s+floor)\b"
)
_THAT_AHEAD = re.compile(
    r"(?:\s+(?:on|after|before|at|in|during|outside|inside|earlier|later|late|last|this|"
    r"under|following|from|to)\b[^,.;:\"'“”‘’]{0,60}?"
    r"|\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|"
    r"tonight|again|also|repeatedly|publicly|privately|earlier|later|previously))?"
    r"\s+that\b"
)
_ONE_THAT = re.compile(r"\s*that\b")
_NEGATED = re.compile(
    r"(?:\bnot|n['’]t|\bnever|\bdeclined\s+to|\brefused\s+to|\bwithout)"
    r"\s+(?:(?:immediately|publicly|yet|even|directly)\s+)?$",
    re.IGNORECASE,
)


# ---- small helpers ------------------------------------------------------------------


@dataclass
class _Tok:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def word(self) -> bool:
        return self.text[:1].isalnum()


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    """Words and punctuation of ``text[start:end]``; a title abbreviation keeps its dot."""
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text, start, end):
        s, e = m.start(), m.end()
        if e < end and text[e] == "." and (m.group().lower() in _ABBREV or len(m.group()) == 1):
            e += 1
        if out and s < out[-1].end:
            continue  # the dot already taken by an abbreviation
        out.append(_Tok(s, e, text[s:e]))
    return out


def _strip(text: str, start: int, end: int, chars: str = " \t\u00a0") -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in chars):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in chars):
        end -= 1
    return start, end


def _poss_base(word: str) -> str:
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)]
    return word


def _stem_match(word: str, target: str) -> bool:
    """Does adjective/noun ``word`` name ``target`` ("Russian" ~ "Russia")?"""
    word, target = word.lower(), target.lower()
    if word == target:
        return True
    if _DEMONYMS.get(word) == target:
        return True
    if len(word) >= 4 and len(target) >= 4:
        if word.startswith(target) or target.startswith(word):
            return True
        if len(word) >= 5 and len(target) >= 5 and word[:5] == target[:5]:
            return True
    return False


# ---- the people register -------------------------------------------------------------


@dataclass
class _Entry:
    person: Person
    base: str  # the name without a parenthesised part: "Ukraine (government)" -> "Ukraine"
    tokens: list[str]
    is_org: bool
    role_words: set[str]
    org_words: set[str]


class _Register:
    def __init__(self, people: Sequence[Person]) -> None:
        self.entries: list[_Entry] = []
        for p in people:
            base = re.sub(r"\s*\([^)]*\)", "", p.name).strip() or p.name.strip()
            tokens = base.split()
            role = (p.role or "").lower()
            org = (p.organisation or "").lower()
            is_org = (
                "(" in p.name
                or any(t.lower().strip(".,") in _ORG_WORDS for t in tokens)
                or len(tokens) == 1
                or (role.split() or [""])[-1] in _ORG_ROLES
            )
            self.entries.append(
                _Entry(
                    p,
                    base,
                    tokens,
                    is_org,
                    set(re.findall(r"[\w'’-]+", role)),
                    set(re.findall(r"[\w'’-]+", org)),
                )
            )
        self.by_full: dict[str, list[_Entry]] = {}
        self.by_last: dict[str, list[_Entry]] = {}
        self.by_first: dict[str, list[_Entry]] = {}
        for e in self.entries:
            self.by_full.setdefault(e.base.lower(), []).append(e)
            if len(e.tokens) > 1:
                if not e.is_org:
                    self.by_last.setdefault(e.tokens[-1].lower(), []).append(e)
                else:
                    self.by_first.setdefault(e.tokens[0].lower(), []).append(e)
        names = sorted(
            {k for k in (*self.by_full, *self.by_last, *self.by_first) if len(k) >= 3},
            key=len,
            reverse=True,
        )
        self.pattern: re.Pattern[str] | None = None
        if names:
            alts = "|".join(re.escape(n) for n in names)
            self.pattern = re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.IGNORECASE)

    def lookup(self, word: str) -> list[_Entry]:
        w = word.lower()
        return self.by_full.get(w) or self.by_last.get(w) or self.by_first.get(w) or []


@dataclass
class _Timeline:
    """Who was mentioned where (outside quotes): for pronouns and "the president"."""

    positions: list[int] = field(default_factory=list)
    entries: list[_Entry] = field(default_factory=list)

    def add(self, pos: int, entry: _Entry) -> None:
        i = bisect.bisect_right(self.positions, pos)
        self.positions.insert(i, pos)
        self.entries.insert(i, entry)

    def before(self, pos: int) -> Iterator[_Entry]:
        for i in range(bisect.bisect_left(self.positions, pos) - 1, -1, -1):
            yield self.entries[i]


def _choose(cands: list[_Entry], timeline: _Timeline, pos: int) -> _Entry | None:
    if not cands:
        return None
    if len(cands) == 1:
        return cands[0]
    for e in timeline.before(pos):
        if any(e is c for c in cands):
            return e
    return None


def _match_entry(
    mention: str, reg: _Register, timeline: _Timeline, pos: int
) -> _Entry | None:
    words = [w for w in re.findall(r"[\w.'’&-]+", mention) if w]
    if not words or not reg.entries:
        return None
    if words[0].lower() in _INDEFINITE:
        return None  # "a club spokesperson", "two diplomats": nobody in particular
    low = mention.lower()
    # Split off a post-modifying phrase: "analysts at Hollister & Grange".
    head_words, pp_words = words, []
    for i, w in enumerate(words[1:], 1):
        if w.lower() in _NP_PREPOSITIONS:
            head_words, pp_words = words[:i], words[i + 1 :]
            break
    head = " ".join(head_words)
    # 1. a full register name inside the head
    best: _Entry | None = None
    for full, cands in reg.by_full.items():
        if len(full) >= 2 and re.search(rf"(?<![\w-]){re.escape(full)}(?![\w-])", head.lower()):
            pick = _choose(cands, timeline, pos)
            if pick is not None and (best is None or len(pick.base) > len(best.base)):
                best = pick
    if best is None and pp_words:
        for full, cands in reg.by_full.items():
            if len(full) >= 2 and re.search(rf"(?<![\w-]){re.escape(full)}(?![\w-])", low):
                pick = _choose(cands, timeline, pos)
                if pick is not None and (best is None or len(pick.base) > len(best.base)):
                    best = pick
    if best is not None:
        return best
    # 2. surname / first word of an organisation: the last capitalised word of the head
    caps = [
        _poss_base(w) for w in head_words if w[:1].isupper() and w.lower().rstrip(".") not in _TITLES
    ]
    determiner = head_words[0].lower() in _DETERMINERS
    for w in reversed(caps):
        if w.lower() in _DETERMINERS:
            continue
        pick = _choose(reg.by_last.get(w.lower(), []), timeline, pos) or _choose(
            reg.by_first.get(w.lower(), []), timeline, pos
        )
        if pick is not None:
            return pick
        break
    # 3. a capital standing for its government: "Kyiv says", "Moscow warned"
    for key, country in _CAPITALS.items():
        if low == key or (low.endswith(" " + key) and len(words) <= 2):
            cands = [e for e in reg.entries if e.base.lower() == country]
            cands = cands or [
                e for e in reg.entries if e.is_org and country in (e.person.organisation or "").lower()
            ]
            pick = _choose(cands, timeline, pos)
            if pick is not None:
                return pick
    # 4. a role description: "the Russian president", "the union", "The Kremlin spokesman"
    possessive = any(w.endswith(("'s", "’s", "s'", "s’")) for w in head_words[:-1])
    if determiner or possessive:
        picked = _match_role(head_words, reg, timeline, pos)
        if picked is not None:
            return picked
    # 5. "analysts at Hollister & Grange": the organisation named in the phrase
    if pp_words and words[len(head_words)].lower() != "to":
        return _match_entry(" ".join(pp_words), reg, timeline, pos)
    return None


def _match_role(
    head_words: list[str], reg: _Register, timeline: _Timeline, pos: int
) -> _Entry | None:
    ws = [_poss_base(w).lower().strip(".") for w in head_words]
    ws = [w for w in ws if w and w not in _DETERMINERS and w not in _TITLES]
    if not ws:
        return None
    noun = ws[-1]
    variants = {noun, noun.rstrip("s")}
    if noun.startswith("spokes"):
        variants |= {"spokesman", "spokeswoman", "spokesperson"}
    scored: list[tuple[int, _Entry]] = []
    for e in reg.entries:
        described = e.role_words | {w.rstrip("s") for w in e.role_words}
        if not variants & described:
            continue
        score = 0
        for m in ws[:-1]:
            if any(_stem_match(m, t) for t in e.role_words | e.org_words | {*map(str.lower, e.tokens)}):
                score += 1
            elif m in _MODIFIERS:
                continue
            else:
                score -= 1
        scored.append((score, e))
    if not scored:
        return None
    top = max(s for s, _ in scored)
    return _choose([e for s, e in scored if s == top], timeline, pos)


def match_person(mention: str, people: Sequence[Person]) -> Person | None:
    """The register entry a mention names, without context (no pronouns): for callers and tests."""
    entry = _match_entry(mention, _Register(people), _Timeline(), 0)
    return entry.person if entry else None


# ---- quotation marks ------------------------------------------------------------------

_OPEN, _CLOSE, _EITHER, _POSS = 1, 2, 3, 4


def _mark_kind(text: str, i: int, pstart: int, pend: int) -> int:
    ch = text[i]
    prev = text[i - 1] if i > pstart else " "
    nxt = text[i + 1] if i + 1 < pend else " "
    space_before = prev.isspace() or prev in "([{—–-/\"“‘" or i == pstart
    space_after = nxt.isspace() or nxt in ".,;:!?)]}—–…" or i + 1 >= pend
    if ch in _DOUBLE_OPEN:
        return 0 if space_after and nxt.isspace() else _OPEN
    if ch in _DOUBLE_CLOSE:
        return _CLOSE
    if ch == '"':
        if space_before and not space_after:
            return _OPEN
        if space_after and not space_before:
            return _CLOSE
        return _EITHER if not (space_before and space_after) else 0
    if ch == "‘":
        if _ELISION.match(text, i) or nxt.isspace():
            return 0
        return _OPEN
    # ' and ’
    if prev.isalnum() and nxt.isalnum():
        return 0  # don't, O’Rourke, Trump's
    if space_before and not nxt.isspace():
        if _ELISION.match(text, i):
            return 0
        return _OPEN if ch == "'" or nxt.isupper() else 0
    if not space_before and space_after:
        return _POSS if prev in "sSzZ" else _CLOSE
    return 0


def _family(ch: str) -> str:
    return "d" if ch in "\"“”„" else "s"


@dataclass
class _Quote:
    pieces: list[tuple[int, int]]  # content between the marks, per paragraph
    open_at: int  # the first opening mark
    close_at: int  # the last closing mark
    paragraphs: int = 1

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def _find_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[_Quote]:
    """Top-level quotations; nested ones are part of their outer quote."""
    quotes: list[_Quote] = []
    carry: _Quote | None = None  # a quote open at the end of the previous paragraph
    carry_family = ""
    for pstart, pend in paragraphs:
        stack: list[tuple[int, str]] = []  # (position of the opening mark, family)
        depth = {"d": 0, "s": 0}
        current: _Quote | None = None
        begin = pstart
        if carry is not None:
            first = text[pstart]
            if (
                first in _MARKS
                and _family(first) == carry_family
                and _mark_kind(text, pstart, pstart, pend) in (_OPEN, _EITHER)
                and carry.paragraphs < MAX_QUOTE_PARAGRAPHS
            ):
                current = carry
                current.paragraphs += 1
                current.pieces.append((pstart + 1, pstart + 1))
                stack.append((pstart, carry_family))
                depth[carry_family] += 1
                begin = pstart + 1
            carry = None
        for m in _MARK.finditer(text, begin, pend):
            i = m.start()
            kind = _mark_kind(text, i, pstart, pend)
            if not kind:
                continue
            fam = _family(text[i])
            open_in_family = depth[fam] > 0
            if kind == _EITHER:
                kind = _CLOSE if open_in_family else _OPEN
            if kind == _POSS:
                if not open_in_family:
                    continue
                nxt = re.match(r"\s*(\S+)", text[i + 1 : min(pend, i + 30)])
                word = nxt.group(1).lower().strip(".,;:!?") if nxt else ""
                if nxt and word[:1].islower() and word not in _CUE_FORMS and word not in _PRONOUNS:
                    continue  # "the farmers' union"
                kind = _CLOSE
            if kind == _OPEN:
                if len(stack) >= _MAX_NESTING:
                    continue
                if not stack:
                    current = _Quote([(i + 1, i + 1)], i, i)
                stack.append((i, fam))
                depth[fam] += 1
                continue
            # a closing mark: close the nearest open mark of its family
            if not open_in_family:
                continue
            for j in range(len(stack) - 1, -1, -1):
                if stack[j][1] == fam:
                    for _, f in stack[j:]:
                        depth[f] -= 1
                    del stack[j:]
                    break
            if not stack and current is not None:
                a = current.pieces[-1][0]
                current.pieces[-1] = (a, i)
                current.close_at = i
                quotes.append(current)
                current = None
        if stack and current is not None:
            # Open at the end of the paragraph: continued if the next one opens with a mark.
            a = current.pieces[-1][0]
            current.pieces[-1] = (a, pend)
            carry, carry_family = current, stack[0][1]
    kept: list[_Quote] = []
    for q in quotes:
        pieces = [_strip(text, a, b) for a, b in q.pieces]
        pieces = [(a, b) for a, b in pieces if b > a]
        if not pieces or sum(b - a for a, b in pieces) > MAX_QUOTE_CHARS:
            continue
        q.pieces = pieces
        kept.append(q)
    return kept


_CUE_FORMS = frozenset(f for fs in _CUE_VERBS.values() for f in fs)


# ---- the analysis ---------------------------------------------------------------------


@dataclass
class _Unit:
    pieces: list[tuple[int, int]]
    kind: str
    speaker: tuple[int, int] | None
    cue: tuple[int, int] | None


@dataclass
class _Cue:
    start: int
    end: int  # the whole cue phrase ("told reporters", "said in a statement")
    verb_end: int
    form: str  # the cue word(s), lowercase
    accord: bool = False


EntityFinder = Callable[[str], list[tuple[int, int, str]]]


class _Analysis:
    def __init__(
        self,
        text: str,
        people: Sequence[Person],
        entities: list[tuple[int, int, str]] | None = None,
    ) -> None:
        self.text = text
        self.reg = _Register(people)
        self.entities = sorted(entities or [])
        self.entity_ends = {e: (s, lab) for s, e, lab in self.entities}
        self.entity_starts = {s: (e, lab) for s, e, lab in self.entities}
        self.paragraphs = []
        for m in _PARAGRAPH.finditer(text):
            a, b = _strip(text, m.start(), m.end())
            if b > a:
                self.paragraphs.append((a, b))
        self.quotes = _find_quotes(text, self.paragraphs)
        # Intervals covered by quotes, marks included: no cue or sentence end is looked for there.
        self.q_starts = [q.open_at for q in self.quotes]
        self.q_ends = [max(q.close_at + 1, q.end) for q in self.quotes]
        self.used: set[int] = set()  # quotes (by index) already part of a suggestion
        self.standalone: dict[int, int] = {}  # unattributed quote -> its unit, until attributed
        self.incomplete = False
        self.units: list[_Unit] = []

    # -- where quotes are
    def quote_at(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.q_starts, pos) - 1
        if i >= 0 and self.q_starts[i] <= pos < self.q_ends[i]:
            return i
        return None

    def quotes_in(self, start: int, end: int) -> list[int]:
        i = bisect.bisect_left(self.q_starts, start)
        out = []
        while i < len(self.quotes) and self.q_starts[i] < end:
            out.append(i)
            i += 1
        return out

    # -- sentences
    def sentences(self, pstart: int, pend: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        s = pstart
        for m in _SENT_END.finditer(self.text, pstart, pend):
            p = m.start()
            qi = self.quote_at(p)
            if qi is not None and m.end() <= self.q_ends[qi] - 1:
                continue  # inside a quotation
            wm = re.search(r"([\w.]+)$", self.text[max(s, p - 12) : p])
            word = wm.group(1).lower() if wm else ""
            if word and (word in _ABBREV or len(word) == 1 or re.fullmatch(r"(\w\.)+\w", word)):
                continue
            out.append((s, m.end()))
            s = m.end()
            while s < pend and self.text[s].isspace():
                s += 1
        if s < pend:
            out.append((s, pend))
        return out

    # -- cues
    def cues(self, start: int, end: int) -> list[_Cue]:
        text = self.text
        out: list[_Cue] = []
        for m in _CUE.finditer(text, start, end):
            if self.quote_at(m.start()) is not None:
                continue
            if m.group("acc"):
                out.append(_Cue(m.start(), m.end(), m.end(), "according to", accord=True))
                continue
            form = re.sub(r"\s+", " ", m.group("verb")).lower()
            if not m.group("verb")[:1].islower() and m.start() != start:
                continue  # "Says" inside a sentence is a name or a title
            cend = m.end()
            after_quote = text[max(start, m.start() - 3) : m.start()].rstrip()[-1:] in "”\"’'?!"
            if form in _ADDRESSEE_VERBS and not after_quote:
                cend = self._addressee(cend, end)
            elif form.startswith("call"):
                cm = re.match(r"\s+(?:for|on)\b", text[cend:end])
                if cm:
                    cend += cm.end()
            med = _MEDIUM.match(text, cend, end)
            if med:
                cend = med.end()
            out.append(_Cue(m.start(), cend, m.end(), form))
        return out

    def _addressee(self, pos: int, limit: int) -> int:
        toks = _tokens(self.text, pos, min(limit, pos + 80))
        end = pos
        for n, t in enumerate(toks[:5]):
            low = t.low
            if not t.word:
                break
            if n == 0 and low in ("him", "her", "them", "us", "me", "reporters", "journalists"):
                return t.end
            if n > 0 and (low in _DETERMINERS or low in _PRONOUNS):
                break
            if low in ("that", "he", "she", "they", "it", "there", "we", "i", "to", "of") or (
                low in _NP_PREPOSITIONS or low in _ADVERBIAL_STARTS
            ):
                break
            end = t.end
        return end

    # -- noun phrases
    def np_before(self, bound: int, pos: int) -> tuple[int, int] | None:
        """The speaker noun phrase that ends just before ``pos`` (a cue), not before ``bound``."""
        toks = _tokens(self.text, max(bound, pos - _LOOKBACK), pos)
        i = len(toks) - 1
        while i >= 0 and toks[i].low in _SKIP_BEFORE_CUE:
            i -= 1
        if i < 0:
            return None
        # ", on Thursday," between the subject and the cue
        if toks[i].text == "," and i >= 1:
            j = i - 1
            while j >= 0 and toks[j].text != ",":
                j -= 1
            inner = toks[j + 1 : i]
            if j >= 0 and inner and inner[0].low in _ADVERBIAL_STARTS and len(inner) <= 6:
                i = j - 1
            else:
                # "Sen. X, the top Republican …, said": the name before the appositive
                return self._np_before_appositive(toks, j, i, bound)
        if i < 0:
            return None
        t = toks[i]
        if t.low in _SUBJECT_PRONOUNS:
            return (t.start, t.end)
        if self.entities and t.end in self.entity_ends:
            s, _ = self.entity_ends[t.end]
            s = self._extend_title_back(toks, s, bound)
            return (s, t.end)
        return self._np_ending(toks, i, bound)

    def _extend_title_back(self, toks: list[_Tok], s: int, bound: int) -> int:
        idx = [k for k, t in enumerate(toks) if t.start == s]
        if not idx:
            return s
        k = idx[0] - 1
        while k >= 0 and (
            toks[k].low in _ROLE_WORDS or toks[k].low in _MODIFIERS or toks[k].cap
        ) and toks[k].word:
            s = toks[k].start
            k -= 1
        if k >= 0 and toks[k].low in _DETERMINERS:
            s = toks[k].start
        return s

    def _np_before_appositive(
        self, toks: list[_Tok], j: int, i: int, bound: int
    ) -> tuple[int, int] | None:
        """Tokens j..i are ", appositive ,"; find the phrase before it (and join a name)."""
        if j < 1:
            return None
        apposition = toks[j + 1 : i]
        if not apposition or len(apposition) > 25:
            return None
        before = self._np_ending(toks, j - 1, bound)
        if before is None:
            return None
        last = toks[j - 1]
        is_name = all(t.cap or t.text in ".-&" or t.low in ("de", "van", "von", "bin", "al")
                      for t in apposition) and len(apposition) <= 5
        if not last.cap and is_name:
            return (before[0], apposition[-1].end)  # "The health secretary, Daniel Okafor"
        return before

    def _np_ending(self, toks: list[_Tok], i: int, bound: int) -> tuple[int, int] | None:
        """The longest plausible noun phrase ending at token i."""
        if i < 0 or not toks[i].word:
            return None
        end = toks[i].end
        # The stretch from the start of this clause, when it is a noun phrase as a whole:
        # "officials from both sides", "two diplomats familiar with the talks".
        k = i
        while k >= 0 and toks[k].text not in ",;:()—–" and toks[k].low not in (
            "and", "but", "when", "as", "while", "after", "because", "which", "who", "so", "that"
        ):
            k -= 1
        whole = toks[k + 1 : i + 1]
        if whole and self._np_like(whole):
            return (whole[0].start, end)
        # Otherwise walk back over names, titles and role words.
        start = None
        k = i
        head = toks[k]
        if not (head.cap or head.low in _ROLE_WORDS or _poss_base(head.low) in _ROLE_WORDS):
            return None
        while k >= 0:
            t = toks[k]
            low = t.low
            if t.word and (t.cap or low in _ROLE_WORDS or low in _MODIFIERS
                           or _poss_base(low) in _ROLE_WORDS or low.rstrip(".") in _TITLES):
                start = t.start
                k -= 1
                continue
            if t.text == "&" and k >= 1 and toks[k - 1].cap:
                k -= 1
                continue
            if low in _DETERMINERS and start is not None:
                start = t.start
            break
        if start is None:
            return None
        phrase = self.text[start:end]
        if not any(c.isupper() for c in phrase) and not any(
            w in _ROLE_WORDS for w in phrase.lower().split()
        ):
            return None
        return (start, end)

    def _np_like(self, toks: list[_Tok]) -> bool:
        if len(toks) > 12 or not toks[0].word:
            return False
        first, last = toks[0], toks[-1]
        if first.low in _ADVERBIAL_STARTS or (
            first.low in _NON_NP and first.low not in ("this", "these", "those")
        ):
            return False
        if not last.word or last.low in _NON_NP or last.low in _DETERMINERS or last.low.endswith("ly"):
            return False
        if last.low in _NP_PREPOSITIONS:
            return False
        for t in toks:
            if not t.word and t.text not in "&.'’-":
                return False
            if t.low in _NON_NP and t.low not in _NP_PREPOSITIONS:
                return False
        if len(toks) == 1:
            return first.cap or first.low in _ROLE_WORDS or first.low in _SUBJECT_PRONOUNS
        heads = [t for t in toks if t.cap or t.low in _ROLE_WORDS or _poss_base(t.low) in _ROLE_WORDS]
        if not heads:
            # "two diplomats familiar with the talks": a number word or a determiner first
            return first.low in _NUMBER_WORDS or first.low in _DETERMINERS
        return first.low in _DETERMINERS or first.low in _NUMBER_WORDS or first.cap or (
            first.low in _ROLE_WORDS or first.low in _MODIFIERS
        )

    def np_after(self, pos: int, limit: int) -> tuple[int, int] | None:
        """The noun phrase right after ``pos``: "said Sen. Dale Prewitt, a Montana Republican"."""
        toks = _tokens(self.text, pos, min(limit, pos + 200))
        if not toks:
            return None
        t0 = toks[0]
        if t0.low in _SUBJECT_PRONOUNS:
            return (t0.start, t0.end)
        if self.entities and t0.start in self.entity_starts:
            return (t0.start, self.entity_starts[t0.start][0])
        k = 0
        if t0.low in _DETERMINERS:
            k = 1
        end = None
        saw_cap = False
        while k < len(toks):
            t = toks[k]
            low = t.low
            if t.word and (t.cap or low in _ROLE_WORDS or low in _MODIFIERS or
                           _poss_base(low) in _ROLE_WORDS or low.rstrip(".") in _TITLES):
                end = t.end
                saw_cap = saw_cap or t.cap
                k += 1
                continue
            if t.text == "&" and end is not None:
                k += 1
                continue
            if low in ("of", "at", "from", "for") and end is not None and k + 1 < len(toks):
                nxt = toks[k + 1] if toks[k + 1].low not in _DETERMINERS else (
                    toks[k + 2] if k + 2 < len(toks) else None
                )
                if nxt is not None and nxt.cap:
                    k += 1 if toks[k + 1].low not in _DETERMINERS else 2
                    continue
            break
        if end is None:
            return None
        return (t0.start, end)

    def np_forward(self, start: int, limit: int) -> tuple[int, int] | None:
        """The subject at the start of a sentence (for participial cues)."""
        np = self.np_after(start, limit)
        if np is None:
            return None
        # "Costa's attorney, Deborah Klein, …": join a name in apposition to a description
        m = re.match(r",\s*((?:[A-Z][\w'’.-]*\s*){1,4}),", self.text[np[1] : np[1] + 60])
        if m and not self.text[np[1] - 1].isupper() and not self.text[np[0] : np[1]].split()[-1][:1].isupper():
            return (np[0], np[1] + m.end(1) - (len(m.group(1)) - len(m.group(1).rstrip())))
        return np

    # -- the clause a cue reports
    def clause_after(self, pos: int, limit: int) -> tuple[int, int] | None:
        text = self.text
        m = _THAT_AHEAD.match(text, pos, limit)
        if m:
            pos = m.end()
        else:
            # "told reporters in Russia he was …": skip a short place phrase before a clause
            pm = re.match(
                r"\s+(?:in|at|on|outside|from)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s*){1,3}(?=\s*(?:he|she|they|it|we|there|the|a)\b)",
                text[pos:limit],
            )
            if pm:
                pos += pm.end()
        a, b = _strip(text, pos, limit, " \t\u00a0,")
        if b <= a:
            return None
        fw = re.match(r"\w+", text[a:b])
        if fw and fw.group().lower() in _NOT_A_CLAUSE:
            return None  # "the regions it has claimed as its own": not reported speech
        return a, b

    def _trim_clause_end(self, a: int, b: int) -> tuple[int, int]:
        """Drop the sentence's final punctuation, unless it is inside a closing quotation mark."""
        text = self.text
        while b > a and text[b - 1] in ".!?…;:," and not (
            b - 2 >= a and text[b - 1] in "!?" and text[b - 2] not in ".!?"
        ):
            # keep "?" and "!" of a question or exclamation; drop "." "," ";" ":"
            if text[b - 1] in "!?":
                break
            b -= 1
        while b > a and text[b - 1].isspace():
            b -= 1
        return a, b

    # -- the main pass
    def run(self) -> list[_Unit]:
        for pstart, pend in self.paragraphs:
            if len(self.units) > _STOP_AFTER:
                self.incomplete = True  # far more than can be shown: stop looking
                break
            sents = self.sentences(pstart, pend)
            last_speaker: tuple[int, int] | None = None
            for si, (ss, se) in enumerate(sents):
                if len(self.units) > _STOP_AFTER:
                    self.incomplete = True
                    break
                spk = self._sentence(ss, se, sents, si)
                if spk is not None:
                    last_speaker = spk
                    continue
                # A quoted sentence standing alone: after "…,' X said." it continues X.
                for qi in self.quotes_in(ss, se):
                    if qi in self.used:
                        continue
                    q = self.quotes[qi]
                    before = self.text[ss : q.open_at].strip()
                    if before not in ("", "—", "-"):
                        continue
                    after = self.text[q.close_at + 1 : se].strip(" .,;:!?\u00a0")
                    headline = self.text[q.close_at + 1 : q.close_at + 3].startswith(":")
                    if after and not headline:
                        continue
                    if last_speaker is not None and not after:
                        self._add_direct(qi, last_speaker, None)
                    elif self._standalone_ok(q):
                        self._add_direct(qi, None, None)
                        self.standalone[qi] = len(self.units) - 1
        self._borrow_sources()
        return self.units

    def _borrow_sources(self) -> None:
        """A headline quote repeated in the body is by the body's speaker."""
        attributed = [u for u in self.units if u.speaker is not None]
        if not attributed:
            return
        for u in self.units:
            if u.speaker is not None:
                continue
            words = " ".join(self.text[a:b] for a, b in u.pieces).split()
            if len(words) < 3:
                continue
            key = " ".join(words).casefold()
            for v in attributed:
                body = " ".join(" ".join(self.text[a:b] for a, b in v.pieces).split()).casefold()
                if key in body:
                    u.speaker = v.speaker
                    break

    def _standalone_ok(self, q: _Quote) -> bool:
        words = sum(len(self.text[a:b].split()) for a, b in q.pieces)
        return words >= 4

    def _add_direct(
        self, qi: int, speaker: tuple[int, int] | None, cue: tuple[int, int] | None
    ) -> None:
        q = self.quotes[qi]
        if qi in self.standalone:  # attributed after all: "…?" Klein asked.
            u = self.units[self.standalone.pop(qi)]
            u.speaker, u.cue = speaker, cue
            return
        self.used.add(qi)
        pieces = list(q.pieces)
        a, b = pieces[-1]
        while b > a and self.text[b - 1] in ",;:":
            b -= 1
        pieces[-1] = _strip(self.text, a, b)
        pieces = [(x, y) for x, y in pieces if y > x]
        if pieces:
            self.units.append(_Unit(pieces, "direct", speaker, cue))

    def _add_clause(
        self,
        a: int,
        b: int,
        speaker: tuple[int, int] | None,
        cue: tuple[int, int] | None,
        extra: list[tuple[int, int]] | None = None,
    ) -> bool:
        """A reported clause [a, b): direct if it is one quotation, else mixed or indirect."""
        text = self.text
        a, b = _strip(text, a, b, " \t\u00a0,:;—–-")
        if b <= a:
            return False
        inside = [qi for qi in self.quotes_in(a, b) if self.q_ends[qi] <= b + 1]
        # The whole clause is one quotation (trailing punctuation outside the marks aside)
        if len(inside) == 1 and not extra:
            q = self.quotes[inside[0]]
            rest_before = text[a : q.open_at].strip()
            rest_after = text[q.close_at + 1 : b].strip(" .,;:!?\u00a0")
            if not rest_before and not rest_after:
                self._add_direct(inside[0], speaker, cue)
                return True
        a, b = self._trim_clause_end(a, b)
        if b <= a or b - a > MAX_QUOTE_CHARS:
            return False
        for qi in inside:
            self.used.add(qi)
        pieces = [(a, b)] if not extra else sorted([(a, b), *extra])
        kind = "mixed" if inside else "indirect"
        if not inside and any(self.quotes_in(x, y) for x, y in pieces):
            kind = "mixed"
        self.units.append(_Unit(pieces, kind, speaker, cue))
        return True

    def _sentence(
        self, ss: int, se: int, sents: list[tuple[int, int]], si: int
    ) -> tuple[int, int] | None:
        """Suggestions for one sentence; return the speaker of its last direct quote, if any."""
        text = self.text
        if se - ss > _MAX_SENTENCE:
            return None
        cues = self.cues(ss, se)[:_MAX_CUES]
        if not cues:
            return None
        last_direct: tuple[int, int] | None = None
        prev_speaker: tuple[int, int] | None = None
        handled_until = ss
        for ci, cue in enumerate(cues):
            if cue.start < handled_until:
                continue
            nxt = cues[ci + 1].start if ci + 1 < len(cues) else se
            # where this cue's clause stops: before "and"/", adding" that leads to the next cue
            stop = self._clause_stop(cue.end, nxt, se)
            if cue.accord:
                res = self._according(cue, ss, se, stop)
                if res:
                    handled_until = res
                continue
            if _NEGATED.search(text, max(ss, cue.start - 40), cue.start):
                continue  # "didn't say", "declined to comment"
            before_cue = _tokens(text, max(ss, cue.start - 40), cue.start)
            if before_cue and before_cue[-1].low in ("who", "which", "that", "whom", "whose"):
                continue  # "a nurse, who asked not to be named, said": a relative clause
            bound = self._subject_bound(max(ss, handled_until), cue.start)
            speaker = self.np_before(bound, cue.start)
            inverted = inherited = False
            if cue.form in _DOC_CUES:
                noun = text[speaker[0] : speaker[1]].lower().split()[-1] if speaker else ""
                if noun not in _DOC_NOUNS:
                    continue
            if speaker is None:
                between = text[max(handled_until, bound) : cue.start].rstrip()
                participial = cue.form.endswith("ing") or between.endswith((",", " and", " but"))
                participial = participial or between.lower() in ("and", "but", "")
                if prev_speaker is not None and participial and ci > 0:
                    speaker, inherited = prev_speaker, True
                elif cue.form in _PARTICIPLES and text[ss : cue.start].rstrip().endswith(","):
                    speaker = self.np_forward(ss, cue.start)
                    inherited = speaker is not None
                if speaker is None:
                    after_np = self.np_after(cue.end, se)
                    before_txt = text[ss : cue.start].rstrip()
                    if after_np is not None and before_txt.endswith((",", "”", '"', "’", "'", "?", "!")):
                        speaker, inverted = after_np, True
            if speaker is None:
                continue
            if cue.form.startswith("call") and not self._called_ok(cue.end, stop):
                continue
            cue_span = (cue.start, cue.end)
            prev_speaker = speaker
            if inherited:
                # "…, adding that C" / "and warned that C" / "adding: '…'"
                clause = self.clause_after(cue.end, stop)
                if clause is not None and self._add_clause(*clause, speaker, cue_span):
                    if self.units[-1].kind == "direct":
                        last_direct = speaker
                    handled_until = stop
                continue
            tail_start = speaker[1] if inverted else cue.end
            tail = text[tail_start:stop]
            clause_like = self._clause_like(tail_start, stop)
            head_text = text[ss : min(cue.start, speaker[0])]
            head = head_text.rstrip()
            head_ends_comma = head.endswith(",") or head[-1:] in "”\"’'"
            # 1. "Another issue, he said, is whether …": a clause around its attribution
            if head_ends_comma and head.strip(" ,") and not inverted and self._continues(cue.end, stop):
                first = _strip(text, self._clause_start(ss, speaker[0]), ss + len(head), " ,")
                rest = self.clause_after(self._after_comma(cue.end, stop), stop)
                if rest is not None and first[1] > first[0]:
                    ra, rb = self._trim_clause_end(*rest)
                    if self._add_clause(first[0], first[1], speaker, cue_span, extra=[(ra, rb)]):
                        handled_until = stop
                        continue
            # 2. "C, S said." / "'…,' said S, a …": the clause before the attribution
            if (not clause_like or inverted) and head_ends_comma and head.strip(" ,"):
                start = self._clause_start(ss, min(cue.start, speaker[0]))
                c_end = ss + len(head)
                # "'…,' he said, 'and more'": one quote interrupted by its attribution
                qb = self._interrupted_tail(tail_start, stop)
                qa = self.quotes_in(start, c_end)
                if qb is not None and len(qa) == 1 and qb not in self.used:
                    self._add_fragments(qa[0], qb, speaker, cue_span)
                    last_direct = speaker
                    handled_until = self.q_ends[qb]
                    continue
                if self._add_clause(start, c_end, speaker, cue_span) and self.units[-1].kind == "direct":
                    last_direct = speaker
                handled_until = max(cue.end, speaker[1])
                continue
            if not clause_like and not head.strip():
                # "Klein asked." right after a quotation ending the previous sentence
                if si > 0 and not tail.strip(" .,;:\u00a0"):
                    ps, pe = sents[si - 1]
                    qs = [qi for qi in self.quotes_in(ps, pe) if qi not in self.used or qi in self.standalone]
                    if qs and self.q_ends[qs[-1]] >= pe - 2:
                        self._add_direct(qs[-1], speaker, cue_span)
                        last_direct = speaker
                continue
            if inverted:
                continue
            # 3. "S said (that) C" / "S said: '…'"
            clause = self.clause_after(cue.end, stop)
            if clause is None:
                continue
            if self._add_clause(clause[0], clause[1], speaker, cue_span):
                if self.units[-1].kind == "direct":
                    last_direct = speaker
                handled_until = stop
        return last_direct

    def _called_ok(self, pos: int, stop: int) -> bool:
        """'called' is a cue with a quoted characterisation or "called for/on"."""
        back = self.text[max(0, pos - 4) : pos]
        return bool(self.quotes_in(pos, stop)) or back.endswith((" for", " on"))

    def _continues(self, pos: int, stop: int) -> bool:
        m = re.match(r"\s*,\s*(\w+)", self.text[pos:stop])
        return bool(m) and m.group(1).lower() in _CLAUSE_VERBS  # type: ignore[union-attr]

    def _after_comma(self, pos: int, stop: int) -> int:
        m = re.match(r"\s*,", self.text[pos:stop])
        return pos + m.end() if m else pos

    def _interrupted_tail(self, pos: int, stop: int) -> int | None:
        """``, "and more"`` after an attribution: the quotation that continues the first."""
        m = re.match(r"[^\"'“‘]{0,40}?,\s*(?=[\"'“‘])", self.text[pos:stop])
        if not m:
            return None
        qi = self.quote_at(pos + m.end())
        if qi is None:
            return None
        q = self.quotes[qi]
        first = self.text[q.start : q.start + 1]
        if not first.islower():
            return None
        return qi

    def _add_fragments(
        self, qa: int, qb: int, speaker: tuple[int, int], cue: tuple[int, int]
    ) -> None:
        self.used.update((qa, qb))
        pieces = []
        for qi in (qa, qb):
            for a, b in self.quotes[qi].pieces:
                while b > a and self.text[b - 1] in ",;:":
                    b -= 1
                pieces.append(_strip(self.text, a, b))
        self.units.append(_Unit([p for p in pieces if p[1] > p[0]], "direct", speaker, cue))

    def _according(self, cue: _Cue, ss: int, se: int, stop: int) -> int | None:
        text = self.text
        np = self.np_after(cue.end, se)
        if np is None:
            m = re.match(r"\s*([^,.;]{2,80}?)\s*(?=[,.;]|$)", text[cue.end:se])
            if not m:
                return None
            np = (cue.end + m.start(1), cue.end + m.end(1))
        # extend to the comma: "two diplomats familiar with the talks"
        m = re.match(r"(?:\d[,.]\d|[^,.;\"“”]){0,60}?(?=,|\.\s*$|$)", text[np[1]:se])
        if m and m.end() and self._np_like(_tokens(text, np[0], np[1] + m.end())):
            np = (np[0], np[1] + m.end())
        np = _strip(text, *np)
        before = text[ss : cue.start].rstrip()
        if before.endswith(",") and before.strip(" ,"):
            start = self._clause_start(ss, cue.start)
            self._add_clause(start, ss + len(before), np, (cue.start, cue.end))
            return se
        rest = re.match(r"[^,]*?,", text[np[1]:se])
        if rest is None:
            return None
        self._add_clause(np[1] + rest.end(), se, np, (cue.start, cue.end))
        return se

    def _subject_bound(self, start: int, pos: int) -> int:
        bound = start
        for qi in self.quotes_in(bound, pos):
            bound = max(bound, self.q_ends[qi])
        return bound

    def _clause_start(self, ss: int, limit: int) -> int:
        """Where the reported clause before an attribution starts: the sentence, less a dash."""
        a = ss
        m = re.match(r"\s*(?:[-—–]\s*)", self.text[a:limit])
        if m:
            a += m.end()
        return a

    def _clause_stop(self, pos: int, nxt: int, se: int) -> int:
        if nxt >= se:
            return se
        seg = self.text[pos:nxt]
        m = re.search(r"(?:,\s*(?:and|but)?|\s+(?:and|but))\s*(?:also\s+|then\s+|later\s+)?$", seg)
        if m:
            return pos + m.start()
        m = re.search(r"[,;][\"'”’]\s*(?:and\s+|but\s+)?$", seg)
        if m:
            return pos + m.start() + 2
        return se

    def _clause_like(self, pos: int, stop: int) -> bool:
        """Is there a reported clause after the cue (not just "on Friday" or ", a …")?"""
        text = self.text
        tail = text[pos:stop]
        if not tail.strip(" .,;:!?\u00a0"):
            return False
        if re.match(r"\s*[:]", tail) or _THAT_AHEAD.match(text, pos, stop) or _ONE_THAT.match(tail):
            return True
        if re.match(r"\s*,", tail):
            return False  # "said Sen. X, a Montana Republican" / "he said, is whether"
        toks = _tokens(text, pos, stop)
        words = [t for t in toks if t.word]
        if not words:
            return bool(self.quotes_in(pos, stop))
        first = words[0].low
        if first in _ADVERBIAL_STARTS or first.isdigit():
            # "said on Friday before practice." / "said in Russia he was …"
            return bool(re.search(r"\b(?:he|she|they|it|we|there)\b\s+\w", tail)) and len(words) > 4
        return len(words) >= 2 or bool(self.quotes_in(pos, stop))


# ---- people: who each speaker mention is -------------------------------------------------


def _resolve_people(a: _Analysis, speakers: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    text = a.text
    reg = a.reg
    if not reg.entries:
        return {}
    covered = sorted(p for u in a.units for p in u.pieces)
    starts = [p[0] for p in covered]

    def in_quote(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return (i >= 0 and covered[i][0] <= pos < covered[i][1]) or a.quote_at(pos) is not None

    timeline = _Timeline()
    if reg.pattern is not None:
        for m in reg.pattern.finditer(text):
            if in_quote(m.start()):
                continue
            cands = reg.lookup(m.group())
            if len(cands) == 1:
                timeline.add(m.start(), cands[0])
    gender: dict[int, str] = {}
    out: dict[tuple[int, int], str] = {}
    for s, e in sorted(speakers):
        mention = text[s:e]
        low = mention.lower()
        entry: _Entry | None = None
        if low in _PRONOUNS:
            g = _PRONOUNS[low]
            for cand in timeline.before(s):
                if g in ("m", "f"):
                    if cand.is_org:
                        continue
                    known = gender.get(id(cand))
                    if known is not None and known != g:
                        continue
                    entry = cand
                    gender[id(cand)] = g
                    break
                if g in ("p", "n"):
                    if cand.is_org:
                        entry = cand
                    break
        else:
            entry = _match_entry(mention, reg, timeline, s)
        if entry is not None:
            out[(s, e)] = entry.person.name
            timeline.add(s, entry)
    return out


# ---- the suggesters -----------------------------------------------------------------------


def _build(
    text: str, people: Sequence[Person], entities: list[tuple[int, int, str]] | None = None
) -> Suggestions:
    a = _Analysis(text, people, entities)
    units = a.run()
    n = len(text)
    clean: list[_Unit] = []
    for u in units:
        pieces = [(max(0, x), min(n, y)) for x, y in u.pieces]
        pieces = sorted({p for p in pieces if p[1] > p[0]})
        if not pieces:
            continue
        # fragments must not overlap
        merged: list[tuple[int, int]] = []
        for x, y in pieces:
            if merged and x < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(y, merged[-1][1]))
            else:
                merged.append((x, y))
        spk = u.speaker if u.speaker and u.speaker[1] > u.speaker[0] else None
        cue = u.cue if u.cue and u.cue[1] > u.cue[0] else None
        if spk and any(x < spk[1] and spk[0] < y for x, y in merged):
            spk = None
        clean.append(_Unit(merged, u.kind, spk, cue))
    clean.sort(key=lambda u: u.pieces[0])
    # drop a quote that overlaps an earlier one
    kept: list[_Unit] = []
    last_end = -1
    for u in clean:
        if u.pieces[0][0] < last_end:
            continue
        kept.append(u)
        last_end = u.pieces[-1][1]
    speakers = sorted({u.speaker for u in kept if u.speaker})
    persons = _resolve_people(a, speakers)
    total = len(kept) + len(speakers) + len({u.cue for u in kept if u.cue})
    truncated = total > MAX_SUGGESTIONS
    if truncated:
        budget = MAX_SUGGESTIONS
        chosen: list[_Unit] = []
        seen_spk: set[tuple[int, int]] = set()
        seen_cue: set[tuple[int, int]] = set()
        for u in kept:
            need = 1 + (u.speaker is not None and u.speaker not in seen_spk) + (
                u.cue is not None and u.cue not in seen_cue
            )
            if need > budget:
                break
            budget -= need
            chosen.append(u)
            if u.speaker:
                seen_spk.add(u.speaker)
            if u.cue:
                seen_cue.add(u.cue)
        kept = chosen
    spans: list[Span] = []
    relations: list[Relation] = []
    spk_ids: dict[tuple[int, int], str] = {}
    cue_ids: dict[tuple[int, int], str] = {}
    for u in kept:
        if u.speaker and u.speaker not in spk_ids:
            sid = f"ss{len(spk_ids) + 1}"
            spk_ids[u.speaker] = sid
            person = persons.get(u.speaker)
            attrs: dict[str, Any] = {"person": person} if person else {}
            spans.append(Span(sid, u.speaker[0], u.speaker[1], "SPEAKER", attrs))
        if u.cue and u.cue not in cue_ids:
            vid = f"sv{len(cue_ids) + 1}"
            cue_ids[u.cue] = vid
            spans.append(Span(vid, u.cue[0], u.cue[1], "CUE"))
    for i, u in enumerate(kept, 1):
        qid = f"sq{i}"
        spans.append(
            Span(
                qid,
                u.pieces[0][0],
                u.pieces[-1][1],
                "QUOTE",
                {"kind": u.kind},
                fragments=tuple(u.pieces) if len(u.pieces) > 1 else None,
            )
        )
        if u.speaker:
            relations.append(Relation("SAID_BY", qid, spk_ids[u.speaker]))
        if u.cue:
            relations.append(Relation("CUED_BY", qid, cue_ids[u.cue]))
    spans.sort(key=lambda s: (s.start, -s.end, s.label))
    note = ""
    if truncated:
        more = "more than " if a.incomplete else ""
        note = f"showing {len(spans):,} of {more}{total:,} suggestions"
    return Suggestions(spans, relations, truncated, note)


class RuleSuggester:
    """Quotes, speakers and cues in English news from quotation marks and verbs of saying."""

    name = "rules"

    def suggest(self, text: str, people: Sequence[Person] = ()) -> Suggestions:
        if not text or not text.strip():
            return Suggestions()
        return _build(text, people)


class SpacySuggester:
    """The rules, with speakers taken from a spaCy pipeline's PERSON/ORG entities.

    spaCy is imported on first use only. ``model`` is an installed pipeline's
    name (the first installed one by default); ``nlp`` an already loaded
    pipeline (tests pass a blank one with an entity ruler).
    """

    LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})

    def __init__(self, model: str | None = None, nlp: Any = None) -> None:
        self.model = model
        self._nlp = nlp
        self.name = f"spacy ({model or 'default'})" if nlp is None else "spacy"

    def _load(self) -> Any:
        if self._nlp is None:
            import spacy  # lazily: only when this suggester is used

            name = self.model
            if name is None:
                installed = spacy.util.get_installed_models()
                if not installed:
                    raise RuntimeError("no spaCy pipeline is installed")
                name = sorted(installed)[0]
            self._nlp = spacy.load(name, exclude=["lemmatizer"])
        return self._nlp

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        nlp = self._load()
        if len(text) > getattr(nlp, "max_length", 1_000_000):
            return []
        doc = nlp(text)
        return [
            (ent.start_char, ent.end_char, ent.label_)
            for ent in doc.ents
            if ent.label_ in self.LABELS and ent.label_ in ("PERSON", "ORG")
        ]

    def suggest(self, text: str, people: Sequence[Person] = ()) -> Suggestions:
        if not text or not text.strip():
            return Suggestions()
        try:
            ents = self.entities(text)
        except Exception:  # a broken pipeline must not cost the analyst the suggestions
            ents = []
        return _build(text, people, ents)


def _spacy_models() -> list[str]:
    if importlib.util.find_spec("spacy") is None:
        return []
    try:
        import spacy.util

        return sorted(spacy.util.get_installed_models())
    except Exception:
        return []


def available_suggesters() -> list[Suggester]:
    """The rule-based suggester, and a spaCy one when spaCy and a trained pipeline are installed."""
    out: list[Suggester] = [RuleSuggester()]
    models = _spacy_models()
    if models:
        out.append(SpacySuggester(models[0]))
    return out
