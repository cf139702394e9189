"""Opening a colleague's project file to review it: read-only, on a private copy, checked first.

This module owns ``open_received`` and ``ReceivedProject``. A received file is
never opened in place and never written. The pipeline, in order:

1. ``read_header`` judges the 100-byte header (SQLite magic, our
   ``application_id``, a ``user_version`` that is not from the future; files
   of older versions are read as they are, never migrated).
2. The file, and any ``-journal`` / ``-wal`` / ``-shm`` beside it, is copied
   into a private temporary folder (``tempfile.mkdtemp``: mode 0700).
3. Only the copy is opened, read-only (``mode=ro``), hardened
   (``trusted_schema=OFF``, defensive mode where available) and with
   ``query_only=ON``. A copy holding an interrupted transaction (a hot
   journal or an unrecovered WAL) is first brought to its last committed
   state by SQLite's own recovery, on the copy only, then reopened read-only.
4. ``PRAGMA quick_check`` must answer exactly ``ok``.
5. The schema must be exactly the one of its version (``check_schema``): any
   extra trigger, view, index or virtual table refuses the file, so nothing
   stored in the file can ever run.
6. Only then are the plain tables read with ``SELECT``, all at once, and every
   row is validated (types, offsets, JSON, relations); one bad row refuses the
   whole file with a message naming the file, the document and the span.

The private copy and its folder are deleted as soon as the file has been read
(on success and on refusal alike), so a ``ReceivedProject`` holds only
validated values in memory and ``close`` merely releases them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.model import (
    STATUSES,
    AttrValue,
    Document,
    DocumentMeta,
    Person,
    Relation,
    Span,
    text_checksum,
    validate_span,
)
from annotator.core.scheme import Scheme
from annotator.store.files import (
    DB_ERRORS,
    ProjectDamaged,
    check_integrity,
    check_schema,
    connect_read_only,
    db_error_text,
    harden,
    read_header,
)
from annotator.store.project import Record
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION

#: Files SQLite may keep beside a database; copied with it so the copy is whole.
SIDECARS: tuple[str, ...] = ("-journal", "-wal", "-shm")
_COPY_NAME = "received.annotator"


class ReceivedProject:
    """A colleague's project, read in full from a checked private copy. Never written."""

    def __init__(
        self,
        path: Path,
        *,
        owner: str,
        scheme: Scheme,
        schema_version: int,
        documents: list[Document],
        annotations: dict[str, dict[str, tuple[list[Span], list[Relation]]]],
        people: list[Person] | None = None,
    ) -> None:
        self.path = path
        self.owner = owner
        #: the people register (empty before schema 2)
        self.people: list[Person] = list(people or [])
        self.scheme = scheme
        self.schema_version = schema_version
        self._documents = documents
        self._annotations = annotations

    # ---- lifecycle ----------------------------------------------------
    def close(self) -> None:
        """Release what was read. The private copy and its folder are already deleted:
        ``open_received`` removes them as soon as the file has been read and checked."""
        self._documents = []
        self._annotations = {}

    def __enter__(self) -> ReceivedProject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<ReceivedProject {self.path} owner={self.owner!r} documents={len(self._documents)}>"
        )

    # ---- reading ------------------------------------------------------
    def documents(self) -> list[Document]:
        """Every document, in the file's order."""
        return list(self._documents)

    def annotators(self) -> list[str]:
        """Every annotator with at least one span or relation, sorted."""
        names = {who for per_doc in self._annotations.values() for who in per_doc}
        return sorted(names)

    def records(self) -> Iterator[Record]:
        """Every (document, annotator) pair, documents in order, like ``Project.records``.

        A document nobody annotated yields one empty record for the owner.
        """
        for doc in self._documents:
            per_doc = self._annotations.get(doc.id, {})
            if not per_doc:
                yield Record(doc, self.owner, (), ())
                continue
            for who in sorted(per_doc):
                spans, relations = per_doc[who]
                yield Record(doc, who, tuple(spans), tuple(relations))


def open_received(path: str | Path) -> ReceivedProject:
    """Check and read a colleague's project file without ever writing to it.

    Raises ``AnnotatorError`` naming the file and the problem; the file's bytes
    and modification time are left exactly as they were in every case.
    """
    path = Path(path)
    name = str(path)
    try:
        if not path.is_file():
            if path.is_dir():
                raise AnnotatorError(f"{name}: is a folder, not a project file")
            if not path.exists():
                raise AnnotatorError(f"{name}: no such file")
            raise AnnotatorError(f"{name}: not a regular file")
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot be read ({e.strerror or e})") from None
    header = read_header(path)
    if header.empty:
        raise AnnotatorError(f"{name}: empty file (zero bytes), not a project")
    temp_dir = Path(tempfile.mkdtemp(prefix="annotator-received-"))
    try:
        temp_dir.chmod(0o700)
        copy = temp_dir / _COPY_NAME
        _copy_with_sidecars(path, copy, name)
        copied = read_header(copy)
        if copied != header:
            raise AnnotatorError(f"{name}: the file changed while it was being copied; try again")
        conn = _open_copy_read_only(copy, name)
        try:
            version = _check(conn, name)
            project = _read(conn, path, version)
        finally:
            conn.close()
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    shutil.rmtree(temp_dir, ignore_errors=True)
    return project


def check_private_copy(path: Path) -> int:
    """Steps 1-5 on a private copy of ``path`` and its journal or WAL; its schema version.

    ``open_project`` runs this before opening a file that has a journal or a WAL beside
    it, because SQLite replays those into the file itself: a file refused here is never
    written. Raises ``AnnotatorError`` (``ProjectDamaged`` when it is damaged).
    """
    name = str(path)
    header = read_header(path)
    if header.empty:
        raise AnnotatorError(f"{name}: empty file (zero bytes), not a project")
    temp_dir = Path(tempfile.mkdtemp(prefix="annotator-check-"))
    try:
        temp_dir.chmod(0o700)
        copy = temp_dir / _COPY_NAME
        _copy_with_sidecars(path, copy, name)
        conn = _open_copy_read_only(copy, name)
        try:
            return _check(conn, name)
        finally:
            conn.close()
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


# ---- steps 2-5 --------------------------------------------------------------


def _copy_with_sidecars(path: Path, copy: Path, name: str) -> None:
    try:
        shutil.copyfile(path, copy)
        real = os.path.realpath(path)  # SQLite keeps the journal beside the real file
        for suffix in SIDECARS:
            side = Path(real + suffix)
            if side.is_file():
                shutil.copyfile(side, Path(str(copy) + suffix))
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot be copied for reading ({e.strerror or e})") from None


def _open_copy_read_only(copy: Path, name: str) -> sqlite3.Connection:
    """Open the private copy read-only; recover an interrupted transaction on the copy first."""
    try:
        conn = connect_read_only(copy)
    except DB_ERRORS as e:
        raise AnnotatorError(f"{name}: cannot be opened ({db_error_text(e)})") from None
    try:
        # the first read takes a shared lock: a hot journal or an unrecovered WAL shows here
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except DB_ERRORS as e:
        conn.close()
        if not str(getattr(e, "sqlite_errorname", "")).startswith("SQLITE_READONLY"):
            raise ProjectDamaged(f"{name}: damaged project file ({db_error_text(e)})") from None
    # An interrupted transaction: let SQLite roll it back on our private copy (page
    # copying by the pager; nothing stored in the file is executed), then reopen read-only.
    try:
        rw = sqlite3.connect(str(copy), isolation_level=None)
        try:
            harden(rw)
            rw.execute("PRAGMA schema_version").fetchone()
        finally:
            rw.close()
        conn = connect_read_only(copy)
        conn.execute("PRAGMA schema_version").fetchone()
    except DB_ERRORS as e:
        raise ProjectDamaged(
            f"{name}: holds an interrupted transaction that cannot be recovered "
            f"({db_error_text(e)})"
        ) from None
    return conn


def _check(conn: sqlite3.Connection, name: str) -> int:
    """quick_check, the header fields as SQLite sees them, then the exact schema."""
    check_integrity(conn, name)
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except DB_ERRORS as e:
        raise ProjectDamaged(f"{name}: damaged project file ({db_error_text(e)})") from None
    if app_id != APPLICATION_ID:
        raise AnnotatorError(f"{name}: not an Annotator project (application_id {app_id:#x})")
    if version > SCHEMA_VERSION:
        raise AnnotatorError(
            f"{name}: made by a newer version of Annotator (schema {version}; "
            f"this version reads up to {SCHEMA_VERSION}). Update Annotator to review it."
        )
    # (SQLite's answer wins over the header: a recovered transaction may have changed it)
    if version < 1:
        raise AnnotatorError(f"{name}: an Annotator project with no schema (version {version})")
    # an older file is read as it is (never migrated): its exact schema of that version
    check_schema(conn, version, name)
    return version


# ---- step 6: reading and validating ----------------------------------------


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not allowed")


#: NaN and Infinity are not JSON; Python's decoder would accept them by default.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _json(raw: object, where: str, *, kind: type) -> Any:
    if not isinstance(raw, str):
        raise AnnotatorError(f"{where}: expected JSON text, found {type(raw).__name__}")
    if raw == "{}" and kind is dict:
        return {}
    try:
        value = _DECODER.decode(raw)
    except (ValueError, RecursionError) as e:
        raise AnnotatorError(f"{where}: invalid JSON ({_short(str(e), 80)})") from None
    if not isinstance(value, kind):
        raise AnnotatorError(f"{where}: expected a JSON {kind.__name__}, found {_short(raw)}")
    return value


def _attr_values(raw: object, where: str) -> dict[str, AttrValue]:
    data: dict[str, AttrValue] = _json(raw, where, kind=dict)
    for key, value in data.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            raise AnnotatorError(f"{where}: value of {key!r} must be text, a number or true/false")
        if isinstance(value, float) and not math.isfinite(value):
            raise AnnotatorError(f"{where}: value of {key!r} is not a finite number")
        if isinstance(value, str) and "\x00" in value:
            raise AnnotatorError(f"{where}: value of {key!r} contains a NUL character")
    return data


def _text(value: object, where: str, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise AnnotatorError(f"{where}: expected text, found {type(value).__name__}")
    if "\x00" in value:
        raise AnnotatorError(f"{where}: contains a NUL character")
    if not empty_ok and not value:
        raise AnnotatorError(f"{where}: is empty")
    return value


def _optional_text(value: object, where: str) -> str | None:
    return None if value is None else _text(value, where, empty_ok=True)


def _integer(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise AnnotatorError(f"{where}: expected a whole number, found {_short(value)}")
    return value


def _fetch(conn: sqlite3.Connection, sql: str, name: str) -> list[tuple[Any, ...]]:
    try:
        return conn.execute(sql).fetchall()
    except DB_ERRORS as e:
        raise AnnotatorError(f"{name}: {_locate_bad_text(conn, e)}") from None


_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "documents": (
        "ext_id",
        "text",
        "checksum",
        "title",
        "source",
        "url",
        "published",
        "author",
        "status",
        "labels",
    ),
    "spans": ("sid", "annotator", "label", "fragments", "attrs"),
    "relations": ("annotator", "label", "head", "child"),
}


def _locate_bad_text(conn: sqlite3.Connection, error: BaseException) -> str:
    """After a failed read, find the row whose text is not UTF-8, to name it in the message."""
    conn.text_factory = bytes
    try:
        doc_names = {
            int(pk): bytes(ext).decode("utf-8", "replace")
            for pk, ext in conn.execute("SELECT id, ext_id FROM documents")
            if isinstance(pk, int) and isinstance(ext, bytes)
        }
        for table, columns in _TEXT_COLUMNS.items():
            owner = "NULL" if table in ("meta", "documents") else "doc"
            select = ", ".join(f'"{c}"' for c in columns)
            for row in conn.execute(f"SELECT rowid, {owner}, {select} FROM {table}"):
                for column, value in zip(columns, row[2:], strict=True):
                    if not isinstance(value, bytes):
                        continue
                    try:
                        value.decode("utf-8")
                    except UnicodeDecodeError:
                        if table == "meta":
                            return f"meta: {column} is not valid UTF-8 text"
                        pk = row[0] if table == "documents" else row[1]
                        doc = doc_names.get(pk, f"#{pk}")
                        what = "" if table == "documents" else f"{table[:-1]} row {row[0]}: "
                        return f"document {doc!r}: {what}{column} is not valid UTF-8 text"
    except DB_ERRORS:
        pass
    finally:
        conn.text_factory = str
    return f"damaged project file ({db_error_text(error)})"


def _span_slowly(row: tuple[Any, ...], doc_id: str, length: int, name: str) -> Span:
    """Read one span row checking everything, to name precisely what is wrong."""
    _, sid, annotator, label, start, end, fragments, attrs = row
    where = f"{name}: document {doc_id!r}"
    span_id = _text(sid, f"{where}: a span id")
    at = f"{where}: span {span_id!r}"
    who = _text(annotator, f"{at}: annotator")
    frags = None
    if fragments is not None:
        raw = _json(fragments, f"{at}: fragments", kind=list)
        if not all(isinstance(f, list) and len(f) == 2 for f in raw):
            raise AnnotatorError(f"{at}: fragments must be [start, end] pairs")
        frags = tuple(
            (_integer(a, f"{at}: fragment start"), _integer(b, f"{at}: fragment end"))
            for a, b in raw
        )
    span = Span(
        id=span_id,
        start=_integer(start, f"{at}: start"),
        end=_integer(end, f"{at}: end"),
        label=_text(label, f"{at}: label"),
        attrs=_attr_values(attrs, f"{at}: attributes"),
        fragments=frags,
        annotator=who,
    )
    validate_span(span, length, where=where)
    return span


def _relation_problem(
    row: tuple[Any, ...], doc_id: str, seen: set[tuple[int, str, str]], name: str
) -> None:
    """Raise the precise reason a relation row is refused."""
    pk, annotator, label, head, child = row
    where = f"{name}: document {doc_id!r}"
    rel_label = _text(label, f"{where}: a relation label")
    who = _text(annotator, f"{where}: relation {rel_label}: annotator")
    ends = (
        _text(head, f"{where}: relation {rel_label}: head"),
        _text(child, f"{where}: relation {rel_label}: child"),
    )
    at = f"{where}: relation {rel_label} {ends[0]!r} → {ends[1]!r} of {who}"
    for end_id in ends:
        if (pk, who, end_id) not in seen:
            raise AnnotatorError(f"{at} names a missing span {end_id!r}")
    if ends[0] == ends[1]:
        raise AnnotatorError(f"{at} links span {ends[0]!r} to itself")
    raise AnnotatorError(f"{at} cannot be read")  # pragma: no cover - every case is named above


def _read(conn: sqlite3.Connection, path: Path, version: int) -> ReceivedProject:
    name = str(path)
    meta: dict[str, object] = {}
    for key, value in _fetch(conn, "SELECT key, value FROM meta", name):
        meta[str(key)] = value
    owner_raw = meta.get("owner")
    owner = (
        _text(owner_raw, f"{name}: owner").strip() if owner_raw is not None else ""
    ) or path.stem
    scheme_raw = meta.get("scheme")
    scheme_data = _json(scheme_raw, f"{name}: scheme", kind=dict) if scheme_raw else {}
    scheme = Scheme.from_dict(scheme_data, where=f"{name}: scheme")

    documents: list[Document] = []
    texts: dict[int, tuple[str, int]] = {}  # pk -> (ext id, text length)
    author_column = "author" if version >= 4 else "NULL"  # the byline came with schema 4
    for pk, ext_id, _pos, text, checksum, title, source, url, published, status, labels, author in _fetch(
        conn,
        "SELECT id, ext_id, position, text, checksum, title, source, url, published, status, "
        f"labels, {author_column} FROM documents ORDER BY position, id",
        name,
    ):
        doc_id = _text(ext_id, f"{name}: a document id")
        where = f"{name}: document {doc_id!r}"
        body = _text(text, f"{where}: text", empty_ok=True)
        if checksum != text_checksum(body):
            raise AnnotatorError(f"{where}: the stored checksum does not match the text")
        if status not in STATUSES:
            raise AnnotatorError(f"{where}: unknown status {_short(status)}")
        doc = Document(
            id=doc_id,
            text=body,
            meta=DocumentMeta(
                title=_optional_text(title, f"{where}: title"),
                source=_optional_text(source, f"{where}: source"),
                url=_optional_text(url, f"{where}: url"),
                published=_optional_text(published, f"{where}: published"),
                author=_optional_text(author, f"{where}: author"),
            ),
            status=status,
            labels=_attr_values(labels, f"{where}: document labels"),
        )
        documents.append(doc)
        texts[int(pk)] = (doc_id, len(body))

    annotations: dict[str, dict[str, tuple[list[Span], list[Relation]]]] = {}
    seen: set[tuple[int, str, str]] = set()
    # each distinct attributes text is parsed and checked once; the read-only views are shared
    attrs_seen: dict[str, Mapping[str, AttrValue]] = {"{}": MappingProxyType({})}
    for row in _fetch(
        conn,
        # the order of Project.spans, read straight from the (doc, start) index
        'SELECT doc, sid, annotator, label, start, "end", fragments, attrs FROM spans '
        "ORDER BY doc, start, id",
        name,
    ):
        pk, sid, who, label, start, end, fragments, attrs = row
        place = texts.get(pk)
        if place is None:
            raise AnnotatorError(f"{name}: span {_short(sid)} belongs to no document")
        doc_id, length = place
        parsed = attrs_seen.get(attrs) if type(attrs) is str else None
        if (  # the common case, checked inline: plain text, whole numbers inside the text
            parsed is not None
            and fragments is None
            and type(sid) is str
            and type(who) is str
            and type(label) is str
            and type(start) is int
            and type(end) is int
            and 0 <= start < end <= length
            and sid
            and who
            and label
            and "\x00" not in sid
            and "\x00" not in who
            and "\x00" not in label
        ):
            span = Span(sid, start, end, label, parsed, None, who)
        else:
            span = _span_slowly(row, doc_id, length, name)
            if type(attrs) is str and not span.fragments:
                attrs_seen[attrs] = span.attrs
        key = (pk, span.annotator, span.id)
        if key in seen:
            raise AnnotatorError(
                f"{name}: document {doc_id!r}: span {span.id!r} used twice by {span.annotator}"
            )
        seen.add(key)
        per_doc = annotations.get(doc_id)
        if per_doc is None:
            per_doc = annotations[doc_id] = {}
        mine = per_doc.get(span.annotator)
        if mine is None:
            mine = per_doc[span.annotator] = ([], [])
        mine[0].append(span)

    for row in _fetch(
        conn, "SELECT doc, annotator, label, head, child FROM relations ORDER BY doc, id", name
    ):
        pk, who, label, head, child = row
        place = texts.get(pk)
        if place is None:
            raise AnnotatorError(f"{name}: relation {_short(label)} belongs to no document")
        doc_id = place[0]
        if not (  # the common case, checked inline; otherwise find and name the problem
            type(label) is str
            and type(who) is str
            and (pk, who, head) in seen
            and (pk, who, child) in seen
            and head != child
            and label
            and "\x00" not in label
        ):
            _relation_problem(row, doc_id, seen, name)
        per_doc = annotations.get(doc_id)
        if per_doc is None:
            per_doc = annotations[doc_id] = {}
        mine = per_doc.get(who)
        if mine is None:
            mine = per_doc[who] = ([], [])
        mine[1].append(Relation(label, head, child, who))

    people: list[Person] = []
    if version >= 2:
        for person_name, role, organisation in _fetch(
            conn, "SELECT name, role, organisation FROM people ORDER BY name", name
        ):
            at = f"{name}: people register"
            people.append(
                Person(
                    _text(person_name, f"{at}: a name"),
                    _optional_text(role, f"{at}: role of {person_name!r}"),
                    _optional_text(organisation, f"{at}: organisation of {person_name!r}"),
                )
            )

    return ReceivedProject(
        path,
        owner=owner,
        people=people,
        scheme=scheme,
        schema_version=version,
        documents=documents,
        annotations=annotations,
    )
