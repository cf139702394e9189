"""brat standoff: a folder of ``<doc>.txt`` + ``<doc>.ann`` files with ``annotation.conf``.

Writing (``write_brat``) and reading (``read_brat``). The mapping, in one place:

* **Files.** ``<doc>.txt`` is the document text, UTF-8, exactly (``\\r`` kept,
  no byte-order mark written; one found in a file is text, as brat counts it);
  ``<doc>.ann`` its annotations. The file name is the document id with every
  character other than ``A-Z a-z 0-9 . _ -`` (and a leading ``.``) written as
  ``%XX`` (UTF-8 bytes), so ids come back exactly. With several annotators,
  each one's files are in a subfolder named after them (same encoding);
  ``annotation.conf``, ``visual.conf`` and the dataset card (README.md) are
  at the top; with one, the card names them (a hidden line) and the files
  are at the top too. Files from elsewhere are the importing user's.
* **Offsets** count Unicode code points of the ``.txt``: brat's server reads
  the text as a Python string and checks each span's text against it, so that
  is what brat counts. (brat's browser client draws spans after an emoji one
  place too far: nlplab/brat#1115; the files are right.)
* **T lines**: ``T3<TAB>QUOTE 10 20;25 30<TAB>text``. A span's stretches are
  cut at line breaks (brat annotations never contain one, and the text field
  is one line); the line breaks themselves are left out. Reading joins
  stretches separated only by line breaks again, so a span that *contains*
  a line break comes back whole; one that starts or ends with one comes back
  without it. The text field is the stretches' texts joined by a space.
* **A lines** (attributes): ``A1<TAB>stance T3 favor``; ``true`` becomes a
  binary attribute (``A2<TAB>ok T3``); other values are written as text
  (numbers and ``false`` as JSON), with white space, ``%``, ``|``, ``,``,
  ``:`` and ``=`` as ``%XX`` and the empty string as ``%``. Read back they
  are text (``true`` for a binary attribute): types other than text are lost.
* **R lines**: ``R1<TAB>SAID_BY Arg1:T3 Arg2:T1`` (head, child).
* **E lines** (PolNeAR-style attribution events), one per quote or claim
  that has a SAID_BY or CUED_BY link: ``E1<TAB>Attribution:T9 Source:T1
  Cue:T2 Content:T3`` (more sources as ``Source2:``...). brat events need a
  trigger: a T line of type ``Attribution`` on the cue's text (its first
  cue), or on the content's first stretch when it has no cue. Events repeat
  the R lines; reading takes the R lines, and turns events into SAID_BY and
  CUED_BY links only where no R line says so (files from other tools).
* **Span ids** are kept as notes: ``#1<TAB>AnnotatorNotes T3<TAB>id=q1``.
  Without one, a span's id is its T id.
* Document metadata, status and document labels are not carried.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import Document, Relation, Span, validate_span
from annotator.io.context import ExportContext
from annotator.io.jsonl import NAME
from annotator.io.sinks import CARD_NAME, is_dataset_card
from annotator.store.project import Record

SAID_BY = "SAID_BY"
CUED_BY = "CUED_BY"
EVENT = "Attribution"
#: Characters that end a line for some reader (str.splitlines): never inside a T line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_SET = frozenset(LINE_BREAKS)
_SAFE_NAME = re.compile(r"[A-Za-z0-9._\-]")
_VALUE_UNSAFE = frozenset("%|,:=")
_ID_NOTE = "id="
#: The dataset card line naming the annotator of a one-annotator brat export.
ANNOTATOR_COMMENT = "<!-- annotator:brat-annotator"
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")


# ---- names and values ------------------------------------------------------------


def encode_name(name: str) -> str:
    """A file or folder name for an id: safe characters kept, the rest as %XX (UTF-8)."""
    out = []
    for i, ch in enumerate(name):
        if _SAFE_NAME.match(ch) and not (i == 0 and ch == "."):
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
    return "".join(out) or "%"


def decode_name(name: str) -> str:
    if name == "%":
        return ""
    return _percent_decode(name)


def _percent_decode(s: str) -> str:
    if "%" not in s:
        return s
    data = bytearray()
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "%" and i + 2 < len(s) and _HEX2.fullmatch(s[i + 1 : i + 3]):
            data.append(int(s[i + 1 : i + 3], 16))
            i += 3
        else:
            data.extend(ch.encode("utf-8"))
            i += 1
    return data.decode("utf-8", "replace")


def encode_value(value: Any) -> str | None:
    """An attribute value as a brat token; None for a binary (true) attribute."""
    if value is True:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if text == "":
        return "%"
    return "".join(
        "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
        if ch in _VALUE_UNSAFE or ch.isspace() or not ch.isprintable()
        else ch
        for ch in text
    )


def decode_value(token: str | None) -> Any:
    if token is None:
        return True
    if token == "%":
        return ""
    return _percent_decode(token)


def split_at_line_breaks(text: str, pieces: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Stretches cut at line breaks, the line breaks left out (empty stretches dropped)."""
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        start = a
        for i in range(a, b):
            if text[i] in _LINE_BREAK_SET:
                if i > start:
                    out.append((start, i))
                start = i + 1
        if b > start:
            out.append((start, b))
    return out


def join_across_line_breaks(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Neighbouring stretches separated only by line breaks become one (the reverse of the above)."""
    pieces = sorted(pieces)
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        if out:
            pa, pb = out[-1]
            gap = text[pb:a]
            if gap and all(ch in _LINE_BREAK_SET for ch in gap):
                out[-1] = (pa, b)
                continue
        out.append((a, b))
    return out


def brat_pieces(text: str, span: Span) -> list[tuple[int, int]]:
    """The stretches a span is written as (what reading it back gives, before joining)."""
    return split_at_line_breaks(text, span.pieces)


def projected_pieces(text: str, span: Span) -> list[tuple[int, int]]:
    """What a span becomes after writing and reading brat (for tests and docs)."""
    return join_across_line_breaks(text, brat_pieces(text, span))


# ---- writing ---------------------------------------------------------------------


def _ann_lines(record: Record, warn: Any) -> tuple[list[str], set[str]]:
    """The .ann lines of one record, and the labels used."""
    text = record.document.text
    lines: list[str] = []
    tid: dict[str, str] = {}
    pieces_of: dict[str, list[tuple[int, int]]] = {}
    n_t = 0
    for span in record.spans:
        pieces = brat_pieces(text, span)
        if not pieces:
            warn(
                f"document {record.document.id!r} ({record.annotator}): span {span.id!r} covers "
                "only line breaks; brat cannot show it, left out"
            )
            continue
        n_t += 1
        t = f"T{n_t}"
        tid[span.id] = t
        pieces_of[span.id] = pieces
        offsets = ";".join(f"{a} {b}" for a, b in pieces)
        lines.append(f"{t}\t{span.label} {offsets}\t{' '.join(text[a:b] for a, b in pieces)}")
    n_a = n_r = n_e = n_note = 0
    for span in record.spans:
        found = tid.get(span.id)
        if found is None:
            continue
        t = found
        for key, value in span.attrs.items():
            if value is None:
                continue
            n_a += 1
            token = encode_value(value)
            lines.append(f"A{n_a}\t{key} {t}" + ("" if token is None else f" {token}"))
        if span.id != t and not any(ch in span.id for ch in LINE_BREAKS + "\t"):
            n_note += 1
            lines.append(f"#{n_note}\tAnnotatorNotes {t}\t{_ID_NOTE}{span.id}")
    sources: dict[str, list[str]] = defaultdict(list)
    cues: dict[str, list[str]] = defaultdict(list)
    for rel in record.relations:
        head, child = tid.get(rel.head), tid.get(rel.child)
        if head is None or child is None:
            continue
        n_r += 1
        lines.append(f"R{n_r}\t{rel.label} Arg1:{head} Arg2:{child}")
        if rel.label == SAID_BY:
            sources[rel.head].append(child)
        elif rel.label == CUED_BY:
            cues[rel.head].append(rel.child)
    for span in record.spans:
        if span.id not in tid or (span.id not in sources and span.id not in cues):
            continue
        cue_ids = cues.get(span.id, [])
        trigger_pieces = pieces_of[cue_ids[0]] if cue_ids else pieces_of[span.id][:1]
        n_t += 1
        trigger = f"T{n_t}"
        offsets = ";".join(f"{a} {b}" for a, b in trigger_pieces)
        trigger_text = " ".join(text[a:b] for a, b in trigger_pieces)
        lines.append(f"{trigger}\t{EVENT} {offsets}\t{trigger_text}")
        n_e += 1
        args = [f"{EVENT}:{trigger}"]
        args += [f"Source{'' if i == 0 else i + 1}:{t}" for i, t in enumerate(sources.get(span.id, []))]
        args += [f"Cue{'' if i == 0 else i + 1}:{tid[c]}" for i, c in enumerate(cue_ids)]
        args.append(f"Content:{tid[span.id]}")
        lines.append(f"E{n_e}\t{' '.join(args)}")
    return lines, {s.label for s in record.spans if s.id in tid}


@dataclass
class _Seen:
    labels: set[str] = field(default_factory=set)
    attrs: dict[str, dict[str, set[str | None]]] = field(default_factory=dict)
    relations: set[str] = field(default_factory=set)
    events: bool = False


def write_brat(ctx: ExportContext) -> None:
    tree = ctx.tree
    assert tree is not None
    dataset = ctx.dataset
    several = len(dataset.annotators()) > 1
    seen = _Seen()
    single: set[str] = set()
    used_names: dict[str, set[str]] = defaultdict(set)
    for record in dataset.records():
        folder = encode_name(record.annotator) + "/" if several else ""
        if not several:
            single.add(record.annotator)
        base = encode_name(record.document.id)
        if len(base) > 150:
            import hashlib

            digest = hashlib.sha1(record.document.id.encode("utf-8", "surrogatepass")).hexdigest()
            base = base[:120] + "~" + digest[:10]
            ctx.warn(f"document {record.document.id!r}: id too long for a file name; written as {base}")
        name = base
        n = 1
        while name.lower() in used_names[folder] or (not folder and name.lower() == "readme"):
            n += 1
            name = f"{base}~{n}"
        if name != base:
            ctx.warn(
                f"document {record.document.id!r}: file name clashes (names are case-insensitive "
                f"on some systems); written as {name}"
            )
        used_names[folder].add(name.lower())
        lines, labels = _ann_lines(record, ctx.warn)
        tree.write_text(folder + name + ".txt", record.document.text)
        tree.write_text(folder + name + ".ann", "".join(line + "\n" for line in lines))
        seen.labels |= labels
        for span in record.spans:
            for key, value in span.attrs.items():
                if value is None:
                    continue
                seen.attrs.setdefault(key, {}).setdefault(span.label, set()).add(encode_value(value))
        seen.relations |= {r.label for r in record.relations}
        seen.events = seen.events or any(
            r.label in (SAID_BY, CUED_BY) for r in record.relations
        )
    if len(single) == 1:  # one annotator, no subfolders: the card says who
        ctx.card_lines.append(f"{ANNOTATOR_COMMENT} {json.dumps(single.pop())} -->")
    tree.write_text("annotation.conf", annotation_conf(ctx, seen))
    tree.write_text("visual.conf", visual_conf(ctx, seen))


def annotation_conf(ctx: ExportContext, seen: _Seen) -> str:
    scheme = ctx.dataset.scheme
    wanted = ctx.dataset.selection.labels
    labels = [lab.name for lab in scheme.labels if wanted is None or lab.name in wanted]
    labels += sorted(seen.labels - set(labels))
    lines = ["# brat configuration written by Annotator (see docs/formats.md)", "[entities]"]
    lines += labels
    lines += ["", "[relations]"]
    rel_names = [r.name for r in scheme.relations] + sorted(
        seen.relations - {r.name for r in scheme.relations}
    )
    for name in rel_names:
        rt = scheme.relation(name)
        heads = [h for h in (rt.heads if rt else ()) if h in labels]
        children = [c for c in (rt.children if rt else ()) if c in labels]
        arg1 = "|".join(heads) if heads else "<ENTITY>"
        arg2 = "|".join(children) if children else "<ENTITY>"
        lines.append(f"{name} Arg1:{arg1}, Arg2:{arg2}")
    lines.append("<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines += ["", "[events]"]
    said = scheme.relation(SAID_BY)
    cued = scheme.relation(CUED_BY)
    if seen.events or said or cued:
        content = "|".join(h for h in (said.heads if said else ("QUOTE", "CLAIM")) if h) or "<ENTITY>"
        source = "|".join(said.children) if said and said.children else "<ENTITY>"
        cue = "|".join(cued.children) if cued and cued.children else "<ENTITY>"
        lines.append(f"{EVENT} Source*:{source}, Cue*:{cue}, Content:{content}")
    lines += ["", "[attributes]"]
    for key in sorted(seen.attrs):
        by_label = seen.attrs[key]
        targets = "|".join(sorted(by_label))
        tokens = sorted({t for values in by_label.values() for t in values if t is not None})
        if tokens:
            lines.append(f"{key} Arg:{targets}, Value:{'|'.join(tokens)}")
        else:
            lines.append(f"{key} Arg:{targets}")
    return "\n".join(lines) + "\n"


def visual_conf(ctx: ExportContext, seen: _Seen) -> str:
    scheme = ctx.dataset.scheme
    lines = ["# brat visual configuration written by Annotator", "[labels]"]
    for lab in scheme.labels:
        lines.append(f"{lab.name} | {lab.name.title()} | {lab.name[:1]}")
    lines.append(f"{EVENT} | {EVENT} | Attr")
    lines += ["", "[drawing]"]
    for lab in scheme.labels:
        lines.append(f"{lab.name}\tbgColor:{lab.color}")
    lines.append(f"{EVENT}\tbgColor:#eeeeee")
    return "\n".join(lines) + "\n"


# ---- reading ---------------------------------------------------------------------


@dataclass
class _T:
    label: str
    pieces: list[tuple[int, int]]
    line: int


def _where(path: Path, n: int) -> str:
    return f"{path}: line {n}"


def brat_annotator(ann: Path) -> str:
    """The annotator of an .ann file in an Annotator brat export, else "".

    With several annotators, each one's files are in a folder named after
    them; with one, the dataset card beside annotation.conf names them.
    """
    folder = ann.parent
    parent = folder.parent
    if (folder / "annotation.conf").exists() and is_dataset_card(folder / CARD_NAME):
        head = (folder / CARD_NAME).read_text(encoding="utf-8", errors="replace")[:4096]
        for line in head.splitlines()[:5]:
            if line.startswith(ANNOTATOR_COMMENT) and line.endswith("-->"):
                try:
                    name = json.loads(line[len(ANNOTATOR_COMMENT) : -3].strip())
                except ValueError:
                    return ""
                return name if isinstance(name, str) else ""
        return ""
    if (
        not (folder / "annotation.conf").exists()
        and (parent / "annotation.conf").exists()
        and is_dataset_card(parent / CARD_NAME)
    ):
        return decode_name(folder.name)
    return ""


def read_brat(ann: Path, *, notes: list[str] | None = None) -> Record:
    """One brat document (``X.ann`` with ``X.txt`` beside it) as a record; errors name file and line."""
    txt = ann.with_suffix(".txt")
    if not txt.exists():
        raise AnnotatorError(f"{ann}: no text file {txt.name} beside it")
    try:
        raw = txt.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AnnotatorError(f"{txt}: not valid UTF-8 (byte {e.start}); brat texts are UTF-8") from None
    except OSError as e:
        raise AnnotatorError(f"{txt}: cannot read ({e.strerror or e})") from None
    if not text:
        raise AnnotatorError(f"{txt}: the text is empty")
    try:
        ann_text = ann.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise AnnotatorError(f"{ann}: not valid UTF-8 (byte {e.start})") from None
    except OSError as e:
        raise AnnotatorError(f"{ann}: cannot read ({e.strerror or e})") from None
    annotator = brat_annotator(ann)
    doc = Document(id=decode_name(ann.stem), text=text)
    ts: dict[str, _T] = {}
    attrs: dict[str, dict[str, Any]] = defaultdict(dict)
    ids: dict[str, str] = {}
    relations: list[tuple[str, str, str, int]] = []
    events: list[tuple[str, list[tuple[str, str]], int]] = []
    for n, line in enumerate(ann_text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = _where(ann, n)
        ident, _, rest = line.partition("\t")
        kind = ident[:1]
        if kind == "T":
            ts[ident] = _parse_t(ident, rest, text, where, n)
        elif kind == "A" or kind == "M":
            parts = rest.split()
            if len(parts) not in (2, 3):
                raise AnnotatorError(f"{where}: attribute line must be 'NAME T VALUE'")
            attrs[parts[1]][parts[0]] = decode_value(parts[2] if len(parts) == 3 else None)
        elif kind == "R":
            parts = rest.split()
            if len(parts) != 3 or not parts[1].startswith("Arg1:") or not parts[2].startswith("Arg2:"):
                raise AnnotatorError(f"{where}: relation line must be 'TYPE Arg1:T Arg2:T'")
            relations.append((parts[0], parts[1][5:], parts[2][5:], n))
        elif kind == "E":
            parts = rest.split()
            if not parts or ":" not in parts[0]:
                raise AnnotatorError(f"{where}: event line must be 'TYPE:T ROLE:ID ...'")
            trig = parts[0].partition(":")[2]
            args: list[tuple[str, str]] = []
            for p in parts[1:]:
                role, colon, ref = p.partition(":")
                if not colon or not role or not ref:
                    raise AnnotatorError(f"{where}: event arguments must be 'ROLE:ID'")
                args.append((role, ref))
            events.append((trig, args, n))
        elif kind == "#":
            fields = rest.split("\t", 1)
            head = fields[0].split()
            if len(head) == 2 and head[0] == "AnnotatorNotes" and len(fields) == 2:
                note = fields[1]
                if note.startswith(_ID_NOTE) and len(note) > len(_ID_NOTE):
                    ids[head[1]] = note[len(_ID_NOTE) :]
        elif kind in ("*", "N"):
            continue  # equivalences and normalisations: not carried
        else:
            raise AnnotatorError(f"{where}: unknown annotation line {ident!r}")
    triggers = {trig for trig, _args, _n in events}
    spans: list[Span] = []
    span_id: dict[str, str] = {}
    for t, info in ts.items():
        if t in triggers and info.label == EVENT:
            continue
        sid = ids.get(t, t)
        if sid in span_id.values():
            raise AnnotatorError(f"{_where(ann, info.line)}: span id {sid!r} appears twice")
        span_id[t] = sid
    for t, sid in span_id.items():
        info = ts[t]
        pieces = join_across_line_breaks(text, info.pieces)
        span = Span(
            id=sid,
            start=pieces[0][0],
            end=max(b for _, b in pieces),
            label=info.label,
            attrs=attrs.get(t, {}),
            fragments=tuple(pieces) if len(pieces) > 1 else None,
            annotator=annotator,
        )
        try:
            validate_span(span, len(text), where=_where(ann, info.line))
        except AnnotatorError as e:
            raise AnnotatorError(str(e)) from None
        spans.append(span)
    skipped = [t for t in attrs if t not in span_id]
    if skipped and notes is not None:
        notes.append(f"{ann}: {len(skipped)} attribute(s) of events or relations not carried")
    rels: list[Relation] = []
    seen_rel: set[tuple[str, str, str]] = set()
    for label, a, b, n in relations:
        if a not in span_id or b not in span_id:
            missing = a if a not in span_id else b
            raise AnnotatorError(f"{_where(ann, n)}: relation {label} names {missing!r}, not a span")
        key = (label, span_id[a], span_id[b])
        if key not in seen_rel and key[1] != key[2]:
            seen_rel.add(key)
            rels.append(Relation(label, key[1], key[2], annotator))
    unusable = 0
    for _trig, args, _n in events:
        content = [i for role, i in args if role.rstrip("0123456789") == "Content"]
        for role, ident in args:
            base = role.rstrip("0123456789")
            rel_label = {"Source": SAID_BY, "Cue": CUED_BY}.get(base)
            if rel_label is None:
                continue
            for c in content:
                if c not in span_id or ident not in span_id:
                    unusable += 1
                    continue
                key = (rel_label, span_id[c], span_id[ident])
                if key not in seen_rel and key[1] != key[2]:
                    seen_rel.add(key)
                    rels.append(Relation(rel_label, key[1], key[2], annotator))
    if unusable and notes is not None:
        notes.append(f"{ann}: {unusable} event argument(s) naming events, not spans, not carried")
    spans.sort(key=lambda s: (s.start, s.end))
    return Record(doc, annotator, tuple(spans), tuple(rels))


def _parse_t(ident: str, rest: str, text: str, where: str, n: int) -> _T:
    head, tab, found = rest.partition("\t")
    parts = head.split(" ", 1)
    if len(parts) != 2 or not tab:
        raise AnnotatorError(f"{where}: a T line must be 'TYPE START END<TAB>TEXT'")
    label, offsets = parts
    if not NAME.match(label):
        raise AnnotatorError(
            f"{where}: {ident}: type {label!r} is not a usable label name "
            "(letters, digits, '_' and '-', not starting with a digit)"
        )
    pieces: list[tuple[int, int]] = []
    for chunk in offsets.split(";"):
        nums = chunk.split()
        if len(nums) != 2 or not all(x.isdigit() for x in nums):
            raise AnnotatorError(f"{where}: {ident}: offsets must be 'START END' (';' between pieces)")
        a, b = int(nums[0]), int(nums[1])
        if b > len(text) or a >= b:
            raise AnnotatorError(
                f"{where}: {ident}: offsets [{a}, {b}) lie outside the text (0..{len(text)}) "
                "or are empty"
            )
        pieces.append((a, b))
    expected = " ".join(text[a:b] for a, b in pieces)
    if found != expected:
        raise AnnotatorError(
            f"{where}: {ident}: the text {found[:40]!r} does not match the .txt at "
            f"{offsets}: {expected[:40]!r}"
        )
    return _T(label, pieces, n)

