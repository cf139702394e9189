"""``Project``: one annotation project in one SQLite file, and the repository commands run on.

Every write goes through ``Project.execute``/``revert`` (one user action, one
transaction) or the bulk ``add_records`` (one import, one transaction). The
file is kept in rollback-journal mode with ``synchronous=FULL``: when a call
returns, the action is on disk, and the file alone is the whole project.
"""

from __future__ import annotations

import datetime as _dt
import functools
import getpass
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from annotator.core.commands import Change, Command, SpanRef
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
from annotator.store import verified
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
from annotator.store.gold import GoldStoreMixin
from annotator.store.lock import ProjectLock, ProjectLocked
from annotator.store.schema import APPLICATION_ID, SCHEMA_VERSION, apply_migrations
from annotator.store.scheme_store import SchemeStoreMixin

if TYPE_CHECKING:
    from sqlite_utils import Database


_T = TypeVar("_T")
_P = ParamSpec("_P")


def _reads(per_document: bool) -> Callable[[Callable[_P, _T]], Callable[_P, _T]]:
    """A read of rows: a bad row becomes an AnnotatorError naming the file (and document)."""

    def decorate(method: Callable[_P, _T]) -> Callable[_P, _T]:
        @functools.wraps(method)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _T:
            self = args[0]
            doc_id = args[1] if per_document and len(args) > 1 else kwargs.get("doc_id")
            with self._reading(doc_id if isinstance(doc_id, str) else None):  # type: ignore[attr-defined]
                return method(*args, **kwargs)

        return guarded

    return decorate


#: A span's ``person`` attribute in SQL; attributes that are not valid JSON (edited outside
#: the app) name nobody instead of failing the whole query.
_PERSON = "(CASE WHEN json_valid({t}attrs) THEN json_extract({t}attrs, '$.person') END)"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def default_owner() -> str:
    try:
        return getpass.getuser() or "annotator"
    except Exception:  # no login name (some containers): still a usable default
        return "annotator"


@dataclass(frozen=True)
class DocumentSummary:
    id: str
    title: str
    source: str | None
    status: str
    spans: int
    length: int


@dataclass(frozen=True)
class Record:
    """One document with one annotator's annotations: a canonical JSONL line."""

    document: Document
    annotator: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]


def open_project(
    path: str | Path,
    *,
    create: bool = False,
    owner: str | None = None,
    scheme: Scheme | None = None,
    readonly: bool = False,
) -> Project:
    """Open one's own project for writing (creating it when asked), or ``readonly``.

    Writing takes the project's lock: a second writer gets ``ProjectLocked``
    (and can open a read-only view instead).

    The file is checked before anything is written: header, application id,
    schema version, ``quick_check`` and the exact schema. A file that fails is
    left untouched and an ``AnnotatorError`` names the problem.
    """
    path = Path(path)
    name = str(path)
    try:
        exists = path.exists() or path.is_symlink()
    except OSError as e:  # e.g. inside a folder we may not enter
        raise AnnotatorError(f"{name}: cannot be read ({e.strerror or e})") from None
    if not exists and not create:
        raise AnnotatorError(f"{name}: no such project file")
    header = read_header(path) if exists else None
    is_new = header is None or header.empty
    if is_new and not create:
        raise AnnotatorError(f"{name}: empty file, not a project")
    if is_new and not path.parent.is_dir():
        raise AnnotatorError(f"{name}: folder {path.parent} does not exist")
    if readonly:
        if is_new:
            raise AnnotatorError(f"{name}: no such project file")
        assert header is not None
        version = header.user_version
        if version < SCHEMA_VERSION:
            # made by an older Annotator: upgraded once, as opening it in the app does
            # (checked first; a file that cannot be written stays as it is and says so)
            try:
                open_project(path).close()
            except ProjectLocked:
                pass  # the writer that holds it upgrades it on opening
            except AnnotatorError as e:
                raise AnnotatorError(
                    f"{name}: made by an older version of Annotator and it cannot be upgraded here ({e})"
                ) from None
            header = read_header(path)
            version = header.user_version if header is not None else version
        return _open_readonly(path, version)
    lock = ProjectLock(path)
    lock.acquire()
    sidecar = header is not None and not is_new and (header.wal or _has_sidecar(path))
    # unchanged since it last passed (stamped before SQLite opens it); never with a journal beside it
    known_sound = not is_new and not sidecar and verified.is_unchanged(path)
    if sidecar:
        # A journal or WAL beside the file: SQLite would replay it into the file on the
        # first read. Check a private copy first, so a file that is refused stays untouched.
        from annotator.store.received import check_private_copy

        try:
            check_private_copy(path)
        except BaseException:
            lock.release()
            raise
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        lock.release()
        raise AnnotatorError(f"{name}: cannot open ({e})") from None
    try:
        harden(conn)
        version = SCHEMA_VERSION
        if not is_new:
            # SQLite's answer, not the header's: an interrupted transaction (a migration
            # killed halfway) is rolled back by this first read and may change it.
            version = _stored_version(conn, name)
            if not known_sound:
                check_integrity(conn, name)
            check_schema(conn, version, name)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if is_new:
            project = Project(path, conn, lock=lock)
            db = project.db
            # one transaction: a creation cut short leaves an empty file, never half a schema
            with db.atomic():
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                _migrate(db)
                project._set_meta("owner", owner or default_owner())
                project._set_meta("created", _now())
                project._set_meta("scheme", _dumps((scheme or Scheme()).to_dict()))
            verified.remember(path)
            return project
        project = Project(path, conn, lock=lock)
        if version < SCHEMA_VERSION:
            _migrate(project.db)
        verified.remember(path)
        return project
    except DB_ERRORS as e:
        conn.close()
        lock.release()
        if isinstance(e, sqlite3.Error) and not isinstance(e, sqlite3.DatabaseError):
            raise AnnotatorError(f"{name}: cannot open project ({e})") from None
        raise ProjectDamaged(f"{name}: cannot open project ({db_error_text(e)})") from None
    except BaseException:
        conn.close()
        lock.release()
        raise


def _has_sidecar(path: Path) -> bool:
    real = os.path.realpath(path)  # SQLite keeps the journal beside the real file
    return any(os.path.exists(real + suffix) for suffix in ("-journal", "-wal"))


def _stored_version(conn: sqlite3.Connection, name: str) -> int:
    """The application id and schema version as SQLite reads them (after any recovery)."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if app_id != APPLICATION_ID:
        raise AnnotatorError(f"{name}: not an Annotator project (application_id {app_id:#x})")
    if version > SCHEMA_VERSION:
        raise AnnotatorError(
            f"{name}: made by a newer version of Annotator (schema {version}; "
            f"this version reads up to {SCHEMA_VERSION}). Update Annotator to open it."
        )
    if version < 1:
        raise AnnotatorError(f"{name}: an Annotator project with no schema (version {version})")
    return version


def _open_readonly(path: Path, version: int) -> Project:
    """A view that cannot write: SQLite's read-only mode plus ``query_only``."""
    name = str(path)
    if version < SCHEMA_VERSION:
        raise AnnotatorError(
            f"{name}: made by an older version; open it for writing once to upgrade it"
        )
    known_sound = not _has_sidecar(path) and verified.is_unchanged(path)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        raise AnnotatorError(f"{name}: cannot open ({e})") from None
    try:
        harden(conn)
        conn.execute("PRAGMA query_only = ON")
        if not known_sound:
            check_integrity(conn, name)
        check_schema(conn, version, name)
    except BaseException:
        conn.close()
        raise
    if not known_sound:
        verified.remember(path)
    return Project(path, conn, readonly=True)


def open_reader(file: str) -> sqlite3.Connection:
    """Another connection to a project's file (``Project.database_file``) that can only read.

    For work in other threads or processes; it sees what is committed. The
    caller checked the file when it opened the project; the caller closes this.
    """
    return connect_read_only(file)


def _migrate(db: Database) -> None:
    apply_migrations(db)


class Project(GoldStoreMixin, SchemeStoreMixin):
    """A project file opened for writing. Implements ``core.commands.Repository``."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        *,
        lock: ProjectLock | None = None,
        readonly: bool = False,
    ) -> None:
        self.path = path
        self.readonly = readonly
        self._lock = lock
        #: Reads go straight to the connection; writes through sqlite-utils (``db``).
        self.conn = conn
        self._db: Database | None = None
        self._doc_pk: dict[str, int] = {}
        self._text_len: dict[int, int] = {}
        self._scheme: Scheme | None = None
        self._writing = 0  # depth of ``transaction``: a failed read there is a failed write
        #: No SQLite error met: a writer's clean close notes the file as sound (``verified``).
        self._sound = True

    @property
    def db(self) -> Database:
        """The sqlite-utils view of the connection, made on first use (keeps start-up light)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    # ---- lifecycle ----------------------------------------------------
    def database_file(self) -> str:
        """The file SQLite has open (a private copy for a colleague's file)."""
        return str(next(r[2] for r in self.conn.execute("PRAGMA database_list") if r[1] == "main"))

    def close(self) -> None:
        self.conn.close()
        if not self._sound:  # an SQLite error, or the session ended by one: check it next time
            verified.forget(self.path)
        elif self._lock is not None:  # checked or unchanged at open; only we wrote since
            verified.remember(self.path)
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:
            self._sound = False  # whatever went wrong, the next open checks the file
        self.close()

    # ---- meta ---------------------------------------------------------
    @_reads(per_document=False)
    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    @property
    def owner(self) -> str:
        return self._meta("owner") or default_owner()

    def set_owner(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise AnnotatorError("the annotator name cannot be empty")
        with self.transaction():
            self._set_meta("owner", name)

    @property
    def scheme(self) -> Scheme:
        if self._scheme is None:
            raw = self._meta("scheme")
            try:
                data = json.loads(raw) if raw else {}
                self._scheme = Scheme.from_dict(data, where=f"{self.path}: scheme")
            except (ValueError, TypeError) as e:
                raise AnnotatorError(f"{self.path}: the stored scheme is unreadable ({e})") from None
        return self._scheme

    def set_scheme(self, scheme: Scheme) -> None:
        scheme.check()
        with self.transaction():
            self._set_meta("scheme", _dumps(scheme.to_dict()))
            self._scheme = scheme

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One all-or-nothing unit of work (nested: a savepoint).

        On failure the cached ids and scheme are dropped, and an SQLite error
        (disk full, locked, read-only) becomes an ``AnnotatorError`` naming the file.
        """
        self._writable()
        self._writing += 1
        try:
            with self._forgetting_on_failure(), self.db.atomic():
                yield
        except DB_ERRORS as e:
            self._sound = False
            raise AnnotatorError(
                f"{self.path}: cannot write to the project file ({db_error_text(e)})"
            ) from None
        finally:
            self._writing -= 1

    @contextmanager
    def _forgetting_on_failure(self) -> Iterator[None]:
        """Drop cached ids and scheme when a transaction fails: they may name rolled-back rows."""
        try:
            yield
        except BaseException:
            self._doc_pk.clear()
            self._text_len.clear()
            self._scheme = None
            raise

    @contextmanager
    def _reading(self, doc_id: str | None = None) -> Iterator[None]:
        """Rows changed outside the app (text that is not UTF-8, broken JSON, numbers as
        text) refuse that document with a message naming it, never another exception."""
        where = f"document {doc_id!r}" if doc_id is not None else "the project"
        try:
            yield
        except AnnotatorError:
            raise
        except sqlite3.Error as e:
            self._sound = False
            if "decode" not in str(e):  # not a bad row: the file itself cannot be read
                if self._writing:
                    raise  # inside an action: ``transaction`` says it could not be written
                if getattr(e, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
                    raise ProjectDamaged(f"{self.path}: damaged project file ({e})") from None
                raise AnnotatorError(f"{self.path}: cannot read the project file ({e})") from None
            raise AnnotatorError(
                f"{self.path}: {where} cannot be read: it was changed outside Annotator "
                f"or is damaged ({e})"
            ) from None
        except (ValueError, TypeError, KeyError, IndexError) as e:
            raise AnnotatorError(
                f"{self.path}: {where} cannot be read: it was changed outside Annotator "
                f"or is damaged ({e})"
            ) from None

    # ---- documents ----------------------------------------------------
    def _pk(self, doc_id: str) -> int:
        pk = self._doc_pk.get(doc_id)
        if pk is None:
            row = self.conn.execute("SELECT id FROM documents WHERE ext_id = ?", [doc_id]).fetchone()
            if row is None:
                raise AnnotatorError(f"no document {doc_id!r} in {self.path}")
            pk = self._doc_pk[doc_id] = int(row[0])
        return pk

    def has_document(self, doc_id: str) -> bool:
        try:
            self._pk(doc_id)
        except AnnotatorError:
            return False
        return True

    @_reads(per_document=False)
    def document_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT ext_id FROM documents ORDER BY position, id")]

    @_reads(per_document=False)
    def documents(self) -> list[DocumentSummary]:
        """Every document, in order, with its count of the owner's spans."""
        sql = """
            SELECT d.ext_id, d.title, d.source, d.status, length(d.text),
                   (SELECT count(*) FROM spans s WHERE s.doc = d.id AND s.annotator = ?)
            FROM documents d ORDER BY d.position, d.id
        """
        return [
            DocumentSummary(id=r[0], title=r[1] or r[0], source=r[2], status=r[3], length=r[4], spans=r[5])
            for r in self.conn.execute(sql, [self.owner])
        ]

    @_reads(per_document=True)
    def document(self, doc_id: str) -> Document:
        row = self.conn.execute(
            "SELECT ext_id, text, title, source, url, published, status, labels, author "
            "FROM documents WHERE id = ?",
            [self._pk(doc_id)],
        ).fetchone()
        return _document_from_row(row)

    @_reads(per_document=True)
    def text_intact(self, doc_id: str) -> bool:
        """Whether the stored text still matches its checksum (not edited outside the app)."""
        row = self.conn.execute(
            "SELECT text, checksum FROM documents WHERE id = ?", [self._pk(doc_id)]
        ).fetchone()
        return bool(text_checksum(row[0]) == row[1])

    @_reads(per_document=True)
    def document_text(self, doc_id: str) -> str:
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", [self._pk(doc_id)]).fetchone()
        return str(row[0])

    @_reads(per_document=True)
    def document_status(self, doc_id: str) -> str:
        row = self.conn.execute("SELECT status FROM documents WHERE id = ?", [self._pk(doc_id)]).fetchone()
        return str(row[0])

    def set_document_status(self, doc_id: str, status: str) -> None:
        if status not in STATUSES:
            raise AnnotatorError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        self.conn.execute("UPDATE documents SET status = ? WHERE id = ?", [status, self._pk(doc_id)])

    @_reads(per_document=True)
    def document_labels(self, doc_id: str) -> dict[str, AttrValue]:
        row = self.conn.execute("SELECT labels FROM documents WHERE id = ?", [self._pk(doc_id)]).fetchone()
        return dict(json.loads(row[0]))

    def set_document_labels(self, doc_id: str, labels: Mapping[str, AttrValue]) -> None:
        self.conn.execute(
            "UPDATE documents SET labels = ? WHERE id = ?", [_dumps(dict(labels)), self._pk(doc_id)]
        )

    # ---- spans and relations (Repository) ----------------------------
    @_reads(per_document=True)
    def spans(self, doc_id: str, annotator: str | None = None) -> list[Span]:
        """Spans of a document: one annotator's (the owner's by default), or everyone's with '*'."""
        who = self.owner if annotator is None else annotator
        sql = 'SELECT sid, start, "end", label, attrs, fragments, annotator FROM spans WHERE doc = ?'
        args: list[Any] = [self._pk(doc_id)]
        if who != "*":
            sql += " AND annotator = ?"
            args.append(who)
        return [_span_from_row(r) for r in self.conn.execute(sql + " ORDER BY start, id", args)]

    @_reads(per_document=True)
    def span(self, doc_id: str, span_id: str, annotator: str | None = None) -> Span:
        row = self.conn.execute(
            'SELECT sid, start, "end", label, attrs, fragments, annotator FROM spans '
            "WHERE doc = ? AND sid = ? AND annotator = ?",
            [self._pk(doc_id), span_id, annotator or self.owner],
        ).fetchone()
        if row is None:
            raise AnnotatorError(f"no span {span_id!r} in document {doc_id!r}")
        return _span_from_row(row)

    def new_span_id(self, doc_id: str, label: str) -> str:
        prefix = (re.sub(r"[^a-z]", "", label.lower())[:1]) or "t"
        rows = self.conn.execute(
            "SELECT sid FROM spans WHERE doc = ? AND sid GLOB ?", [self._pk(doc_id), prefix + "[0-9]*"]
        )
        numbers = [int(r[0][len(prefix) :]) for r in rows if r[0][len(prefix) :].isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1}"

    def text_length(self, doc_id: str) -> int:
        """Length of a document's text in code points (cached: stored text never changes).

        Counted in Python: SQLite's ``length()`` stops at the first NUL character.
        """
        pk = self._pk(doc_id)
        cached = self._text_len.get(pk)
        if cached is None:
            row = self.conn.execute("SELECT text FROM documents WHERE id = ?", [pk]).fetchone()
            cached = self._text_len[pk] = len(row[0])
        return cached

    def insert_span(self, doc_id: str, span: Span) -> None:
        validate_span(span, self.text_length(doc_id), where=doc_id)
        annotator = span.annotator or self.owner
        try:
            self.conn.execute(
                'INSERT INTO spans (doc, sid, annotator, label, start, "end", fragments, attrs) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    self._pk(doc_id),
                    span.id,
                    annotator,
                    span.label,
                    span.start,
                    span.end,
                    _dumps([list(f) for f in span.fragments]) if span.fragments else None,
                    _dumps(dict(span.attrs)),
                ],
            )
        except sqlite3.IntegrityError:
            raise AnnotatorError(f"{doc_id}: span id {span.id!r} is already used") from None

    def delete_span(self, doc_id: str, span_id: str, annotator: str) -> None:
        self.conn.execute(
            "DELETE FROM spans WHERE doc = ? AND sid = ? AND annotator = ?",
            [self._pk(doc_id), span_id, annotator or self.owner],
        )

    def replace_span(self, doc_id: str, span: Span) -> None:
        self.delete_span(doc_id, span.id, span.annotator)
        self.insert_span(doc_id, span)

    @_reads(per_document=True)
    def relations(self, doc_id: str, annotator: str | None = None) -> list[Relation]:
        who = self.owner if annotator is None else annotator
        sql = "SELECT label, head, child, annotator FROM relations WHERE doc = ?"
        args: list[Any] = [self._pk(doc_id)]
        if who != "*":
            sql += " AND annotator = ?"
            args.append(who)
        return [Relation(*r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    @_reads(per_document=True)
    def relations_of(self, doc_id: str, span_id: str, annotator: str) -> list[Relation]:
        return [
            Relation(*r)
            for r in self.conn.execute(
                "SELECT label, head, child, annotator FROM relations "
                "WHERE doc = ? AND annotator = ? AND (head = ? OR child = ?) ORDER BY id",
                [self._pk(doc_id), annotator or self.owner, span_id, span_id],
            )
        ]

    def insert_relation(self, doc_id: str, relation: Relation) -> None:
        annotator = relation.annotator or self.owner
        pk = self._pk(doc_id)
        for end in (relation.head, relation.child):
            hit = self.conn.execute(
                "SELECT 1 FROM spans WHERE doc = ? AND annotator = ? AND sid = ?", [pk, annotator, end]
            ).fetchone()
            if hit is None:
                raise AnnotatorError(f"{doc_id}: relation {relation.label} names a missing span {end!r}")
        if relation.head == relation.child:
            raise AnnotatorError(f"{doc_id}: a span cannot be linked to itself")
        self.conn.execute(
            "INSERT OR IGNORE INTO relations (doc, annotator, label, head, child) VALUES (?, ?, ?, ?, ?)",
            [pk, annotator, relation.label, relation.head, relation.child],
        )

    def delete_relation(self, doc_id: str, relation: Relation) -> None:
        self.conn.execute(
            "DELETE FROM relations WHERE doc = ? AND annotator = ? AND label = ? AND head = ? AND child = ?",
            [self._pk(doc_id), relation.annotator or self.owner, relation.label, relation.head, relation.child],
        )

    # ---- people register ---------------------------------------------
    @_reads(per_document=False)
    def people(self) -> list[Person]:
        return [
            Person(r[0], r[1], r[2])
            for r in self.conn.execute(
                "SELECT name, role, organisation FROM people ORDER BY name COLLATE NOCASE"
            )
        ]

    @_reads(per_document=False)
    def person(self, name: str) -> Person | None:
        row = self.conn.execute(
            "SELECT name, role, organisation FROM people WHERE name = ?", [name]
        ).fetchone()
        return Person(row[0], row[1], row[2]) if row else None

    def insert_person(self, person: Person) -> None:
        try:
            self.conn.execute(
                "INSERT INTO people (name, role, organisation) VALUES (?, ?, ?)",
                [person.name.strip(), person.role or None, person.organisation or None],
            )
        except sqlite3.IntegrityError:
            raise AnnotatorError(f"{person.name!r} is already in the people register") from None

    def delete_person(self, name: str) -> None:
        self.conn.execute("DELETE FROM people WHERE name = ?", [name])

    def replace_person(self, name: str, person: Person) -> None:
        self.conn.execute(
            "UPDATE people SET name = ?, role = ?, organisation = ? WHERE name = ?",
            [person.name.strip(), person.role or None, person.organisation or None, name],
        )

    def retarget_person(self, old: str, new: str) -> list[SpanRef]:
        """Every span naming ``old`` as its person now names ``new``; returns those spans."""
        rows = self.conn.execute(
            "SELECT d.ext_id, s.sid, s.annotator FROM spans s JOIN documents d ON d.id = s.doc "
            f"WHERE {_PERSON.format(t='s.')} = ?",
            [old],
        ).fetchall()
        refs = [(r[0], r[1], r[2]) for r in rows]
        self.set_span_person(refs, new)
        return refs

    def set_span_person(self, refs: list[SpanRef], name: str) -> None:
        for doc_id, sid, annotator in refs:
            where = [self._pk(doc_id), sid, annotator]
            row = self.conn.execute(
                "SELECT attrs FROM spans WHERE doc = ? AND sid = ? AND annotator = ?", where
            ).fetchone()
            if row is None:
                continue
            attrs = {**json.loads(row[0]), "person": name}
            self.conn.execute(
                "UPDATE spans SET attrs = ? WHERE doc = ? AND sid = ? AND annotator = ?",
                [_dumps(attrs), *where],
            )

    @_reads(per_document=False)
    def people_with_counts(self) -> list[tuple[Person, int]]:
        """The register with, for each person, how many spans name them."""
        counts = dict(
            self.conn.execute(
                f"SELECT {_PERSON.format(t='')}, count(*) FROM spans "
                f"WHERE {_PERSON.format(t='')} IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
        return [(p, int(counts.get(p.name, 0))) for p in self.people()]

    @_reads(per_document=False)
    def mentions(self, name: str) -> int:
        """How many spans name this person."""
        row = self.conn.execute(
            f"SELECT count(*) FROM spans WHERE {_PERSON.format(t='')} = ?", [name]
        ).fetchone()
        return int(row[0])

    def ensure_people(self, names: Iterable[str]) -> list[str]:
        """Add the names not yet in the register (on import); returns those added."""
        known = {p.name for p in self.people()}
        added = []
        for name in sorted({n.strip() for n in names if n and n.strip()} - known):
            self.insert_person(Person(name))
            added.append(name)
        return added

    # ---- commands -----------------------------------------------------
    def execute(self, command: Command) -> Change:
        """Apply one user action in one transaction: on disk when this returns."""
        self._writable()
        with self.transaction():
            return command.apply(self)

    def revert(self, command: Command) -> Change:
        self._writable()
        with self.transaction():
            return command.revert(self)

    def _writable(self) -> None:
        if self.readonly:
            raise AnnotatorError(
                f"{self.path.name} is open read-only (it is being edited in another window)"
            )

    # ---- bulk import / export ----------------------------------------
    def add_records(self, records: Iterable[Record]) -> ImportResult:
        """Import documents with annotations in one transaction: all or nothing.

        A document whose id exists with the same text is merged (spans already
        present are kept, not duplicated); the same id with different text is
        refused, and so nothing at all is imported.
        """
        result = ImportResult()
        # transaction(): disk full or a read-only file is an AnnotatorError, never a traceback
        with self.transaction():
            position = self.conn.execute("SELECT coalesce(max(position), 0) FROM documents").fetchone()[0]
            for rec in records:
                doc = rec.document
                row = self.conn.execute(
                    "SELECT id, checksum FROM documents WHERE ext_id = ?", [doc.id]
                ).fetchone()
                if row is None:
                    position += 1
                    cur = self.conn.execute(INSERT_DOCUMENT, document_values(doc, position))
                    pk = int(cur.lastrowid or 0)
                    self._doc_pk[doc.id] = pk
                    result.documents_added += 1
                else:
                    pk = int(row[0])
                    if row[1] != doc.checksum:
                        raise AnnotatorError(
                            f"document {doc.id!r} is already in the project with a different text; "
                            "nothing was imported (rename the document id to import it as a new one)"
                        )
                    self._doc_pk[doc.id] = pk
                    result.documents_unchanged += 1
                annotator = rec.annotator or self.owner
                existing = {
                    r[0]: r[1:]
                    for r in self.conn.execute(
                        'SELECT sid, label, start, "end", fragments, attrs FROM spans '
                        "WHERE doc = ? AND annotator = ?",
                        [pk, annotator],
                    )
                }
                for span in rec.spans:
                    span = span.with_(annotator=annotator)
                    prior = existing.get(span.id)
                    if prior is not None:
                        if prior != _span_key(span):
                            raise AnnotatorError(
                                f"document {doc.id!r}: span {span.id!r} of {annotator} differs from the "
                                "one already in the project; nothing was imported"
                            )
                        continue
                    self.insert_span(doc.id, span)
                    result.spans_added += 1
                for rel in rec.relations:
                    before = self.conn.execute("SELECT total_changes()").fetchone()[0]
                    self.insert_relation(doc.id, Relation(rel.label, rel.head, rel.child, annotator))
                    if self.conn.execute("SELECT total_changes()").fetchone()[0] != before:
                        result.relations_added += 1
        return result

    def records(self, doc_ids: Iterable[str] | None = None) -> Iterator[Record]:
        """Every (document, annotator) pair with its annotations, documents in order.

        A document nobody annotated yields one record for the owner, so an
        export always carries every document's text.
        """
        ids = list(doc_ids) if doc_ids is not None else self.document_ids()
        for doc_id in ids:
            yield from self._document_records(doc_id)

    @_reads(per_document=True)
    def _document_records(self, doc_id: str) -> list[Record]:
        """A document's records, each checked (offsets inside the text, relations between
        its spans): a row edited outside the app refuses the document with a message."""
        doc = self.document(doc_id)
        pk = self._pk(doc_id)
        where = f"{self.path}: document {doc_id!r}"
        annotators = [
            r[0]
            for r in self.conn.execute(
                "SELECT annotator FROM spans WHERE doc = ? UNION "
                "SELECT annotator FROM relations WHERE doc = ? ORDER BY 1",
                [pk, pk],
            )
        ] or [self.owner]
        records = []
        for who in annotators:
            spans = tuple(self.spans(doc_id, who))
            relations = tuple(self.relations(doc_id, who))
            for span in spans:
                validate_span(span, len(doc.text), where=where)
            ids = {span.id for span in spans}
            for rel in relations:
                for end in (rel.head, rel.child):
                    if end not in ids:
                        raise AnnotatorError(
                            f"{where}: relation {rel.label} of {who} names a missing span {end!r}"
                        )
            records.append(Record(document=doc, annotator=who, spans=spans, relations=relations))
        return records


@dataclass
class ImportResult:
    documents_added: int = 0
    documents_unchanged: int = 0
    spans_added: int = 0
    relations_added: int = 0

    def summary(self) -> str:
        return (
            f"{self.documents_added} document(s) added, {self.documents_unchanged} already present, "
            f"{self.spans_added} span(s) and {self.relations_added} relation(s) added"
        )


def _span_key(span: Span) -> tuple[Any, ...]:
    return (
        span.label,
        span.start,
        span.end,
        _dumps([list(f) for f in span.fragments]) if span.fragments else None,
        _dumps(dict(span.attrs)),
    )


def _span_from_row(r: tuple[Any, ...]) -> Span:
    frags = json.loads(r[5]) if r[5] else None
    return Span(
        id=r[0],
        start=int(r[1]),
        end=int(r[2]),
        label=r[3],
        attrs=json.loads(r[4]),
        fragments=tuple((int(a), int(b)) for a, b in frags) if frags else None,
        annotator=r[6],
    )


#: A new document's row (``document_values`` gives its values).
INSERT_DOCUMENT = (
    "INSERT INTO documents (ext_id, position, text, checksum, title, source, url, "
    "published, author, status, labels, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


def document_values(doc: Document, position: int) -> list[Any]:
    """The values of ``INSERT_DOCUMENT`` for a document at ``position`` (imported now)."""
    meta = doc.meta
    return [
        doc.id, position, doc.text, doc.checksum, meta.title, meta.source, meta.url,
        meta.published, meta.author, doc.status if doc.status in STATUSES else "todo",
        _dumps(dict(doc.labels)), _now(),
    ]  # fmt: skip


def _document_from_row(r: tuple[Any, ...]) -> Document:
    return Document(
        id=r[0],
        text=r[1],
        meta=DocumentMeta(title=r[2], source=r[3], url=r[4], published=r[5], author=r[8]),
        status=r[6],
        labels=json.loads(r[7]),
    )
