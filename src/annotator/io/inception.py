"""INCEpTION / UIMA: CAS XMI files with their type system, written and read with dkpro-cassis.

Layout (like INCEpTION's own project export): ``TypeSystem.xml`` at the top,
and ``<doc>/<annotator>.xmi`` for each document and annotator (names
%-encoded as for brat); ``OUT`` may end in ``.zip`` to get one archive.

Type system:

* ``de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData`` (the
  DKPro document annotation INCEpTION reads): ``documentId``, ``documentTitle``,
  ``documentUri`` (the url).
* one span layer per label, ``webanno.custom.<LABEL>`` (``uima.tcas.Annotation``),
  with one ``uima.cas.String`` feature per attribute and ``spanId`` (Annotator's
  span id). A discontinuous span is one annotation per stretch, all with the
  same ``spanId``; relations point at the first.
* one relation layer per relation, ``webanno.custom.<RELATION>``, with the
  ``Governor`` (the head, e.g. the quote) and ``Dependent`` (the child, e.g.
  the speaker) features INCEpTION's relation layers use, spanning the
  dependent's text as INCEpTION does.
* ``webanno.custom.DocumentLabels`` (``uima.cas.AnnotationBase``, a document
  metadata layer): one String feature per document label.
* ``webanno.custom.AnnotatorRecord`` (``uima.cas.AnnotationBase``): annotator,
  status, source, published, author.

Names that are not Java identifiers get ``-`` written as ``_x2D_``.
Attribute values and document labels are strings (true/false and numbers come
back as text). Offsets in the XMI are UTF-16 code units, as UIMA counts;
cassis converts to and from Python's code points on writing and reading.
XML 1.0 cannot hold most control characters (U+0000-U+001F other than tab,
line feed and carriage return, and U+FFFE/U+FFFF): a document containing one
is skipped with a warning. To open the files in INCEpTION, define the same
layers in the project (span layers named after the labels with a string
feature per attribute, relation layers on them), then import the ``.xmi``
files in the "UIMA CAS XMI (XML 1.0)" format.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import STATUSES, Document, DocumentMeta, Relation, Span, validate_span
from annotator.core.scheme import Scheme
from annotator.io.brat import decode_name, encode_name
from annotator.io.context import ExportContext
from annotator.io.jsonl import NAME
from annotator.store.export_queries import (
    attribute_names,
    document_label_names,
    relation_names,
    span_labels,
)
from annotator.store.project import Record

if TYPE_CHECKING:
    from cassis import TypeSystem

TYPESYSTEM = "TypeSystem.xml"
CUSTOM = "webanno.custom."
META_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
DOC_LABELS_TYPE = CUSTOM + "DocumentLabels"
RECORD_TYPE = CUSTOM + "AnnotatorRecord"
SPAN_ID = "spanId"
GOVERNOR = "Governor"
DEPENDENT = "Dependent"
RESERVED = frozenset({"sofa", "begin", "end", SPAN_ID})
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _cassis() -> Any:
    try:
        import cassis
    except ImportError:  # pragma: no cover - a dependency
        raise AnnotatorError(
            "the inception format needs dkpro-cassis: pip install dkpro-cassis"
        ) from None
    return cassis


def java_name(name: str) -> str:
    return name.replace("-", "_x2D_")


def from_java_name(name: str) -> str:
    return name.replace("_x2D_", "-")


class _Types:
    """The type system: built in full before any CAS is made (cassis fixes a type's
    constructor the first time it is used, so features cannot be added later)."""

    def __init__(self) -> None:
        cassis = _cassis()
        self.ts: TypeSystem = cassis.TypeSystem()
        ts = self.ts
        meta = ts.create_type(META_TYPE, "uima.tcas.DocumentAnnotation")
        for f in ("documentTitle", "documentId", "documentUri", "collectionId", "documentBaseUri"):
            ts.create_feature(meta, f, "uima.cas.String")
        ts.create_feature(meta, "isLastSegment", "uima.cas.Boolean")
        rec = ts.create_type(RECORD_TYPE, "uima.cas.AnnotationBase")
        for f in ("annotator", "status", "source", "published", "author"):
            ts.create_feature(rec, f, "uima.cas.String")
        ts.create_type(DOC_LABELS_TYPE, "uima.cas.AnnotationBase")
        self.features: dict[str, set[str]] = defaultdict(set)

    def span_type(self, label: str) -> Any:
        name = CUSTOM + java_name(label)
        if not self.ts.contains_type(name):
            t = self.ts.create_type(name, "uima.tcas.Annotation", description=f"Annotator label {label}")
            self.ts.create_feature(t, SPAN_ID, "uima.cas.String")
        return self.ts.get_type(name)

    def feature(self, type_name: str, feature: str) -> str:
        fname = java_name(feature)
        if fname not in self.features[type_name]:
            t = self.ts.get_type(type_name)
            if t.get_feature(fname) is None:
                self.ts.create_feature(t, fname, "uima.cas.String")
            self.features[type_name].add(fname)
        return fname

    def relation_type(self, label: str) -> Any:
        name = CUSTOM + java_name(label)
        if not self.ts.contains_type(name):
            t = self.ts.create_type(name, "uima.tcas.Annotation", description=f"Annotator relation {label}")
            self.ts.create_feature(t, GOVERNOR, "uima.tcas.Annotation")
            self.ts.create_feature(t, DEPENDENT, "uima.tcas.Annotation")
        return self.ts.get_type(name)


def _text(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def build_types(
    scheme: Scheme,
    labels: Iterable[str] = (),
    attributes: Iterable[tuple[str, str]] = (),
    relations: Iterable[str] = (),
    doc_labels: Iterable[str] = (),
) -> _Types:
    """The type system for the scheme plus whatever the data uses beyond it."""
    types = _Types()
    for lab in scheme.labels:
        t = types.span_type(lab.name)
        for attr in lab.attributes:
            types.feature(t.name, attr.name)
    for label in labels:
        types.span_type(label)
    for label, key in attributes:
        types.feature(types.span_type(label).name, key)
    span_names = {t.name for t in types.ts.get_types() if t.name.startswith(CUSTOM)}
    for name in [r.name for r in scheme.relations] + sorted(relations):
        if CUSTOM + java_name(name) in span_names:
            raise AnnotatorError(
                f"relation {name!r} has the name of a label; INCEpTION layers need different "
                "names (rename one in the scheme)"
            )
        types.relation_type(name)
    for attr in scheme.document_labels:
        types.feature(DOC_LABELS_TYPE, attr.name)
    for name in doc_labels:
        types.feature(DOC_LABELS_TYPE, name)
    return types


def record_to_xmi(record: Record, types: _Types) -> str:
    """One record as XMI; ``types`` must already hold every label, attribute and relation it uses."""
    cassis = _cassis()
    doc = record.document
    ts = types.ts
    cas = cassis.Cas(typesystem=ts, sofa_string=doc.text, sofa_mime="text/plain")
    meta_t = ts.get_type(META_TYPE)
    cas.add(
        meta_t(
            begin=0,
            end=len(doc.text),
            documentId=doc.id,
            documentTitle=doc.meta.title,
            documentUri=doc.meta.url,
        )
    )
    rec_t = ts.get_type(RECORD_TYPE)
    cas.add(
        rec_t(
            annotator=record.annotator,
            status=doc.status,
            source=doc.meta.source,
            published=doc.meta.published,
            author=doc.meta.author,
        )
    )
    if doc.labels:
        dl_t = ts.get_type(DOC_LABELS_TYPE)
        cas.add(dl_t(**{java_name(k): _text(v) for k, v in doc.labels.items() if v is not None}))
    first: dict[str, Any] = {}
    for span in record.spans:
        t = ts.get_type(CUSTOM + java_name(span.label))
        feats = {java_name(k): _text(v) for k, v in span.attrs.items() if v is not None}
        for i, (a, b) in enumerate(span.pieces):
            ann = t(begin=a, end=b, **{SPAN_ID: span.id}, **feats)
            cas.add(ann)
            if i == 0:
                first[span.id] = ann
    for rel in record.relations:
        gov, dep = first.get(rel.head), first.get(rel.child)
        if gov is None or dep is None:
            continue
        rt = ts.get_type(CUSTOM + java_name(rel.label))
        cas.add(rt(begin=dep.begin, end=dep.end, **{GOVERNOR: gov, DEPENDENT: dep}))
    xmi = cas.to_xmi()
    assert isinstance(xmi, str)
    return xmi


def write_inception(ctx: ExportContext) -> None:
    tree = ctx.tree
    assert tree is not None
    project = ctx.dataset.project
    types = build_types(
        ctx.dataset.scheme,
        span_labels(project),
        attribute_names(project),
        relation_names(project),
        document_label_names(project),
    )
    folders: dict[str, str] = {}
    used: set[str] = set()
    for record in ctx.dataset.records():
        doc = record.document
        bad = _first_bad_char(record)
        if bad is not None:
            where, pos, ch = bad
            ctx.warn(
                f"document {doc.id!r} ({record.annotator}) skipped: its {where} has U+{ord(ch):04X} "
                f"at {pos}, which XML 1.0 cannot hold"
            )
            continue
        folder = folders.get(doc.id)
        if folder is None:
            folder = base = encode_name(doc.id)[:150]
            n = 1
            while folder.lower() in used:  # case-insensitive file systems
                n += 1
                folder = f"{base}~{n}"
            used.add(folder.lower())
            folders = {doc.id: folder}
        tree.write_text(f"{folder}/{encode_name(record.annotator)[:150]}.xmi", record_to_xmi(record, types))
    xml = types.ts.to_xml()
    assert isinstance(xml, str)
    tree.write_text(TYPESYSTEM, xml)


def _first_bad_char(record: Record) -> tuple[str, int, str] | None:
    doc = record.document
    fields: list[tuple[str, str | None]] = [
        ("text", doc.text),
        ("id", doc.id),
        ("title", doc.meta.title),
        ("source", doc.meta.source),
        ("url", doc.meta.url),
        ("published", doc.meta.published),
        ("author", doc.meta.author),
        ("annotator", record.annotator),
    ]
    fields += [(f"label {k}", _text(v)) for k, v in doc.labels.items() if v is not None]
    for span in record.spans:
        fields.append((f"span {span.id!r}", span.id))
        fields += [(f"span {span.id!r} {k}", _text(v)) for k, v in span.attrs.items() if v is not None]
    for where, value in fields:
        if value:
            m = _XML_BAD.search(value)
            if m:
                return where, m.start(), m.group()
    return None


# ---- reading ---------------------------------------------------------------------


def find_typesystem(xmi: Path) -> Path | None:
    """TypeSystem.xml in the XMI's folder or one of the two above it."""
    folder = xmi.parent
    for _ in range(3):
        candidate = folder / TYPESYSTEM
        if candidate.exists():
            return candidate
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


_TS_CACHE: dict[Path, tuple[float, Any]] = {}


def _load_typesystem(path: Path) -> Any:
    cassis = _cassis()
    stamp = path.stat().st_mtime
    cached = _TS_CACHE.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, "rb") as f:
            ts = cassis.load_typesystem(f)
    except Exception as e:  # cassis raises assorted errors for a bad file
        raise AnnotatorError(f"{path}: not a readable UIMA type system ({type(e).__name__}: {e})") from None
    _TS_CACHE.clear()
    _TS_CACHE[path] = (stamp, ts)
    return ts


def read_xmi(path: Path, *, notes: list[str] | None = None) -> Record:
    """One XMI file as a record.

    Document id: DocumentMetaData's documentId, else (INCEpTION's export
    layout ``<doc>/<user>.xmi`` under the folder of TypeSystem.xml) the
    folder's name, else the file name. Annotator: the AnnotatorRecord's,
    else the file name in that layout, else the importing user.
    """
    cassis = _cassis()
    ts_path = find_typesystem(path)
    if ts_path is None:
        raise AnnotatorError(f"{path}: no {TYPESYSTEM} beside it (or in the folders above)")
    ts = _load_typesystem(ts_path)
    try:
        with open(path, "rb") as f:
            cas = cassis.load_cas_from_xmi(f, typesystem=ts)
    except OSError as e:
        raise AnnotatorError(f"{path}: cannot read ({e.strerror or e})") from None
    except Exception as e:
        raise AnnotatorError(
            f"{path}: cannot be read with the type system {ts_path} ({type(e).__name__}: {e}); "
            "an XMI needs the TypeSystem.xml it was written with"
        ) from None
    text = cas.sofa_string
    if not isinstance(text, str) or not text:
        raise AnnotatorError(f"{path}: the document text (sofa) is empty")
    nested = ts_path.parent != path.parent
    doc_id = decode_name(path.parent.name if nested else path.stem)
    title = url = source = published = author = None
    annotator = decode_name(path.stem) if nested else ""
    status = "todo"
    labels: dict[str, Any] = {}
    spans_by_id: dict[str, list[Any]] = defaultdict(list)
    label_of: dict[str, str] = {}
    attrs_of: dict[str, dict[str, Any]] = {}
    span_of_ann: dict[int, str] = {}
    relations: list[tuple[str, Any, Any]] = []
    ignored: dict[str, int] = defaultdict(int)
    for fs in cas.select_all_fs():
        tname = fs.type.name
        if ts.subsumes(META_TYPE, tname) or tname == "uima.tcas.DocumentAnnotation":
            doc_id = _get(fs, "documentId") or doc_id
            title = _get(fs, "documentTitle")
            url = _get(fs, "documentUri")
            continue
        if tname == RECORD_TYPE:
            annotator = _get(fs, "annotator") or annotator
            status = _get(fs, "status") or "todo"
            source = _get(fs, "source")
            published = _get(fs, "published")
            author = _get(fs, "author")
            continue
        if tname == DOC_LABELS_TYPE:
            for feat in fs.type.all_features:
                if feat.name in RESERVED:
                    continue
                value = fs.get(feat.name)
                if value is not None:
                    labels[from_java_name(feat.name)] = value
            continue
        if not tname.startswith(CUSTOM):
            ignored[tname] += 1
            continue
        feature_names = {f.name for f in fs.type.all_features}
        if GOVERNOR in feature_names and DEPENDENT in feature_names:
            relations.append((from_java_name(tname[len(CUSTOM) :]), fs.get(GOVERNOR), fs.get(DEPENDENT)))
            continue
        if not hasattr(fs, "begin"):
            ignored[tname] += 1
            continue
        label = from_java_name(tname[len(CUSTOM) :])
        sid = _get(fs, SPAN_ID) if SPAN_ID in feature_names else None
        sid = sid or f"x{fs.xmiID}"
        spans_by_id[sid].append(fs)
        label_of.setdefault(sid, label)
        span_of_ann[id(fs)] = sid
        if sid not in attrs_of:
            found: dict[str, Any] = {}
            for name in feature_names - RESERVED:
                value = fs.get(name)
                if value is None:
                    continue
                if not isinstance(value, str | int | float | bool):
                    continue
                found[from_java_name(name)] = value
            attrs_of[sid] = found
    if ignored and notes is not None:
        shown = ", ".join(f"{n} × {t}" for t, n in sorted(ignored.items()))
        notes.append(f"{path}: ignored annotations of other layers ({shown})")
    where = str(path)
    spans: list[Span] = []
    for sid, anns in spans_by_id.items():
        label = label_of[sid]
        if not NAME.match(label):
            raise AnnotatorError(f"{where}: layer {label!r} is not a usable label name")
        pieces = sorted((int(a.begin), int(a.end)) for a in anns)
        span = Span(
            id=sid,
            start=pieces[0][0],
            end=max(b for _, b in pieces),
            label=label,
            attrs=attrs_of[sid],
            fragments=tuple(pieces) if len(pieces) > 1 else None,
            annotator=annotator,
        )
        validate_span(span, len(text), where=f"{where}: span {sid!r}")
        spans.append(span)
    rels: list[Relation] = []
    seen: set[tuple[str, str, str]] = set()
    for label, gov, dep in relations:
        head = span_of_ann.get(id(gov)) if gov is not None else None
        child = span_of_ann.get(id(dep)) if dep is not None else None
        if head is None or child is None:
            raise AnnotatorError(f"{where}: relation {label} does not link two spans")
        key = (label, head, child)
        if key not in seen and head != child:
            seen.add(key)
            rels.append(Relation(label, head, child, annotator))
    doc = Document(
        id=doc_id,
        text=text,
        meta=DocumentMeta(title=title, source=source, url=url, published=published, author=author),
        status=status if status in STATUSES else "todo",
        labels=labels,
    )
    spans.sort(key=lambda s: (s.start, s.end))
    return Record(doc, annotator, tuple(spans), tuple(rels))


def _get(fs: Any, name: str) -> Any:
    try:
        return fs.get(name)
    except Exception:
        return None
