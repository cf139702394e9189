"""spaCy: a ``DocBin`` (``.spacy``) for training and analysis, written and read back.

spaCy is optional (``pip install 'annotator[spacy]'``); the export says so
when it is missing. Texts are tokenised with ``spacy.blank("en")`` (rules
only: no model is downloaded). One ``Doc`` per document and annotator:

* ``doc.spans["sc"]``: the spans, as token spans with ``label_`` = the label
  and ``id_`` = the span id. A span whose ends fall inside a token cannot be
  a token span: with ``alignment="expand"`` (default) it is widened to whole
  tokens, ``"contract"`` narrows it, ``"strict"`` leaves it out of ``sc``;
  every such span is reported ("doc X span q3 [12,40) does not align with
  tokens; expanded to [10,41)"). A discontinuous span is one ``sc`` span
  per stretch (all with the same ``id_``).
* ``doc.cats``: document labels one-hot, ``"<name>=<value>"`` -> 1.0, with
  0.0 for the scheme's other values of that label (labels with a list of
  values; free-text labels are only in ``user_data``).
* ``doc.user_data["annotator"]``: everything else, exactly, so nothing is
  lost: ``{"format": 1, "id", "annotator", "meta", "status", "labels",
  "spans": [{"id", "label", "start", "end", "fragments", "attrs"}],
  "relations": [{"label", "head", "child"}]}`` with code-point offsets into
  ``doc.text``. Relations and attributes live here (spaCy spans have no
  relations and ``DocBin`` does not keep span extensions).

Reading a ``.spacy`` file uses ``user_data["annotator"]`` when it is there
(an Annotator export); otherwise ``doc.spans`` (every group) and
``doc.ents`` become spans with character offsets, and ``doc.cats`` above 0.5
become document labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES, Document, DocumentMeta, Relation, Span, validate_span
from annotator.io.context import ExportContext
from annotator.io.jsonl import NAME, _values_from
from annotator.io.sinks import describe_file, file_output
from annotator.store.project import Record

SPAN_KEY = "sc"
USER_KEY = "annotator"


def _spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise AnnotatorError(
            "the spacy format needs spaCy, which is not installed: "
            "pip install 'annotator[spacy]' (or pip install spacy)"
        ) from None
    return spacy


def record_user_data(record: Record) -> dict[str, Any]:
    doc = record.document
    return {
        "format": 1,
        "id": doc.id,
        "annotator": record.annotator,
        "meta": doc.meta.as_dict(),
        "status": doc.status,
        "labels": dict(doc.labels),
        "spans": [
            {
                "id": s.id,
                "label": s.label,
                "start": s.start,
                "end": s.end,
                "fragments": [list(f) for f in s.fragments] if s.fragments else None,
                "attrs": dict(s.attrs),
            }
            for s in record.spans
        ],
        "relations": [{"label": r.label, "head": r.head, "child": r.child} for r in record.relations],
    }


def write_spacy(ctx: ExportContext) -> None:
    spacy = _spacy()
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    scheme = ctx.dataset.scheme
    mode = ctx.alignment
    db = DocBin(store_user_data=True)
    for record in ctx.dataset.records():
        doc = nlp.make_doc(record.document.text)
        group = []
        for span in record.spans:
            for a, b in span.pieces:
                sp = doc.char_span(a, b, label=span.label, span_id=span.id, alignment_mode="strict")
                if sp is None:
                    place = f"doc {record.document.id} ({record.annotator}) span {span.id} [{a},{b})"
                    if mode == "strict":
                        ctx.warn(f"{place} does not align with tokens; left out of doc.spans")
                        continue
                    sp = doc.char_span(a, b, label=span.label, span_id=span.id, alignment_mode=mode)
                    if sp is None or len(sp) == 0:
                        ctx.warn(
                            f"{place} does not align with tokens and cannot be {mode}ed; "
                            "left out of doc.spans"
                        )
                        continue
                    past = "expanded" if mode == "expand" else "contracted"
                    ctx.warn(
                        f"{place} does not align with tokens; {past} to "
                        f"[{sp.start_char},{sp.end_char})"
                    )
                group.append(sp)
        doc.spans[SPAN_KEY] = group
        cats: dict[str, float] = {}
        for attr in scheme.document_labels:
            values = scheme.targets if attr.source == "targets" else attr.values
            if attr.free or not values:
                continue
            for v in values:
                cats[f"{attr.name}={v}"] = 0.0
        for key, value in record.document.labels.items():
            label_attr = scheme.document_label(key)
            if value is None or label_attr is None or label_attr.free:
                continue
            if not (label_attr.values or label_attr.source == "targets"):
                continue
            cats[f"{key}={value}"] = 1.0
        doc.cats = cats
        doc.user_data[USER_KEY] = record_user_data(record)
        db.add(doc)
    with file_output(ctx.out, binary=True) as f:
        f.write(db.to_bytes())
    ctx.files.append(describe_file(ctx.out))


def read_spacy(path: Path, notes: list[str]) -> Iterator[tuple[str, Record]]:
    spacy = _spacy()
    from spacy.tokens import DocBin

    name = str(path)
    try:
        data = path.read_bytes()
        db = DocBin(store_user_data=True).from_bytes(data)
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot read ({e.strerror or e})") from None
    except Exception as e:
        raise AnnotatorError(f"{name}: not a spaCy DocBin ({type(e).__name__}: {e})") from None
    vocab = spacy.blank("en").vocab
    for i, doc in enumerate(db.get_docs(vocab)):
        where = f"{name}: doc {i + 1}"
        info = doc.user_data.get(USER_KEY)
        if isinstance(info, dict):
            yield where, _from_user_data(info, doc.text, where)
        else:
            yield where, _from_doc(doc, f"{path.stem}-{i + 1}", where)


def _from_user_data(info: dict[str, Any], text: str, where: str) -> Record:
    try:
        return _user_data_record(info, text, where)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise AnnotatorError(f"{where}: damaged Annotator user data ({type(e).__name__}: {e})") from None


def _user_data_record(info: dict[str, Any], text: str, where: str) -> Record:
    if not text:
        raise AnnotatorError(f"{where}: the text is empty")
    doc_id = info.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise AnnotatorError(f"{where}: user_data has no document id")
    raw_who = info.get("annotator")
    who = raw_who if isinstance(raw_who, str) else ""
    raw_meta = info.get("meta")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    spans = []
    for s in info.get("spans") or []:
        frags = s.get("fragments")
        span = Span(
            id=str(s["id"]),
            start=int(s["start"]),
            end=int(s["end"]),
            label=str(s["label"]),
            attrs=_values_from(s.get("attrs"), f"{where}: span {s.get('id')!r}"),
            fragments=tuple((int(a), int(b)) for a, b in frags) if frags else None,
            annotator=who,
        )
        if not NAME.match(span.label):
            raise AnnotatorError(f"{where}: span {span.id!r}: label {span.label!r} is not usable")
        validate_span(span, len(text), where=where)
        spans.append(span)
    ids = {s.id for s in spans}
    rels = []
    for r in info.get("relations") or []:
        if r.get("head") not in ids or r.get("child") not in ids:
            raise AnnotatorError(f"{where}: a relation names a span that is not there")
        rels.append(Relation(str(r["label"]), r["head"], r["child"], who))
    doc = Document(
        id=doc_id,
        text=text,
        meta=DocumentMeta(**{k: meta.get(k) if isinstance(meta.get(k), str) else None for k in ("title", "source", "url", "published", "author")}),
        status=str(info["status"]) if info.get("status") in STATUSES else "todo",
        labels=_values_from(info.get("labels"), f"{where}: labels"),
    )
    return Record(doc, who, tuple(spans), tuple(rels))


def _from_doc(doc: Any, doc_id: str, where: str) -> Record:
    text = doc.text
    if not text:
        raise AnnotatorError(f"{where}: the text is empty")
    spans: list[Span] = []
    n = 0
    groups = [list(g) for g in doc.spans.values()] + [list(doc.ents)]
    seen: set[tuple[str, int, int]] = set()
    for group in groups:
        for sp in group:
            key = (sp.label_, sp.start_char, sp.end_char)
            if key in seen or not sp.label_:
                continue
            seen.add(key)
            if not NAME.match(sp.label_):
                raise AnnotatorError(f"{where}: label {sp.label_!r} is not a usable name")
            n += 1
            spans.append(Span(f"t{n}", sp.start_char, sp.end_char, sp.label_))
    labels = {}
    for cat, score in doc.cats.items():
        if score > 0.5:
            k, eq, v = cat.partition("=")
            if eq and NAME.match(k):
                labels[k] = v
            elif NAME.match(cat):
                labels[cat] = True
    document = Document(id=doc_id, text=text, labels=labels)
    return Record(document, "", tuple(spans), ())

