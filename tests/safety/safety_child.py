"""The processes the safety suite kills, starves of disk, or feeds hostile files.

Run as ``python safety_child.py MODE [JSON ARGS]`` by ``safety_harness.py`` (never
collected by pytest: the name does not start with ``test_``). Every mode uses the
same store API, or the same window, as the app.

Modes:

* ``zygote``: imports the store once, then forks a ``soak`` or ``migrate`` worker per
  request (so hundreds of kills cost milliseconds each, not a Python start-up each).
* ``soak`` (forked): open_project + execute(AddSpan/EditSpan/RemoveSpan/AddRelation)
  forever, writing ``I <intent>`` before and ``A <intent>`` after each action.
* ``gui``: the real MainWindow offscreen tagging spans; prints each span once shown.
* ``diskfull`` / ``diskfull-gui``: RLIMIT_FSIZE at the file's size; report what failed how.
* ``migrate`` (forked): open_project on an old file, killed at a chosen statement,
  VM step or moment inside a commit.
* ``batch``: read case requests (hostile files, fuzz cases, start-up) one JSON line at
  a time on stdin; answer one JSON line each on stdout.
* ``writer`` / ``viewer`` / ``racer``: two instances of the app on one project.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from annotator.core.commands import AddRelation, AddSpan, EditSpan, RemoveSpan  # noqa: E402
from annotator.core.errors import AnnotatorError  # noqa: E402
from annotator.core.model import Document, Relation, Span  # noqa: E402
from annotator.store import open_project, open_received  # noqa: E402
from annotator.store.project import Record  # noqa: E402

LABELS = ("QUOTE", "SPEAKER", "CUE", "CLAIM")
STANCES = ("against", "neutral", "favor", "unclear")


def emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


# ---- 1. the kill soak: one acknowledged line per committed action -------------------------


def soak(path: str, out: str, seed: int) -> None:
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def say(kind: str, obj: dict[str, Any]) -> None:
        os.write(fd, f"{kind} {json.dumps(obj, sort_keys=True)}\n".encode())

    rng = random.Random(seed)
    project = open_project(path)
    owner = project.owner
    lengths = {d: len(project.document_text(d)) for d in project.document_ids()}
    spans = {d: {s.id: s for s in project.spans(d)} for d in lengths}
    links = {d: {(r.head, r.child) for r in project.relations(d)} for d in lengths}
    say("R", {"pid": os.getpid()})
    n = 0
    while True:
        n += 1
        doc = rng.choice(sorted(lengths))
        mine = spans[doc]
        heads = sorted(s.id for s in mine.values() if s.label in ("QUOTE", "CLAIM"))
        speakers = sorted(s.id for s in mine.values() if s.label == "SPEAKER")
        free = [(h, c) for h in heads for c in speakers if (h, c) not in links[doc]]
        op = rng.choices(
            ["add", "edit", "remove", "link"],
            weights=[6, 3 if mine else 0, 2 if len(mine) > 3 else 0, 2 if free else 0],
        )[0]
        if op == "add":
            label = rng.choice(LABELS)
            start = rng.randrange(0, lengths[doc] - 1)
            end = rng.randrange(start + 1, min(lengths[doc], start + 120) + 1)
            sid = project.new_span_id(doc, label)
            command: Any = AddSpan(doc, Span("", start, end, label, annotator=owner))
            intent = {"op": "add", "doc": doc, "sid": sid, "label": label, "start": start,
                      "end": end, "attrs": {}}
        elif op == "edit":
            before = mine[rng.choice(sorted(mine))]
            attrs: dict[str, Any] = {}
            if before.label in ("QUOTE", "CLAIM"):
                attrs = {"stance": rng.choice(STANCES)}
            elif before.label == "SPEAKER":
                attrs = {"person": f"Person {rng.randrange(50)} ✓"}
            end = min(lengths[doc], before.end + rng.randrange(-1, 3))
            end = end if end > before.start else before.end
            after = before.with_(attrs=attrs, end=end)
            command = EditSpan(doc, before, after, "stance")
            intent = {"op": "edit", "doc": doc, "sid": before.id, "label": after.label,
                      "start": after.start, "end": after.end, "attrs": attrs}
        elif op == "remove":
            sid = rng.choice(sorted(mine))
            command = RemoveSpan(doc, sid, owner)
            intent = {"op": "remove", "doc": doc, "sid": sid}
        else:
            head, child = rng.choice(free)
            command = AddRelation(doc, Relation("SAID_BY", head, child, owner))
            intent = {"op": "link", "doc": doc, "label": "SAID_BY", "head": head, "child": child}
        intent["n"] = n
        say("I", intent)
        project.execute(command)
        # what the action did, in this process's picture
        if op == "add":
            if command.span.id != intent["sid"]:
                raise AssertionError(f"span id {command.span.id} != predicted {intent['sid']}")
            mine[command.span.id] = command.span
        elif op == "edit":
            mine[intent["sid"]] = command.after
        elif op == "remove":
            del mine[intent["sid"]]
            links[doc] = {(h, c) for h, c in links[doc] if intent["sid"] not in (h, c)}
        else:
            links[doc].add((intent["head"], intent["child"]))
        say("A", intent)


# ---- 2. the same through the window ------------------------------------------------------


def _qt_app() -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def gui(path: str, seed: int) -> None:
    app = _qt_app()
    from annotator.ui.interaction import ScriptedInteraction
    from annotator.ui.main_window import MainWindow

    class Probe(MainWindow):
        def run(self, command: Any) -> bool:
            ok = super().run(command)
            if ok and isinstance(command, AddSpan):
                span = command.span
                shown = span.id in {s.id for s in self.view.spans_at_cp(span.start)}
                if shown:  # on screen: it must be on disk
                    emit({"sid": span.id, "doc": command.document, "label": span.label,
                          "start": span.start, "end": span.end})
            return ok

    rng = random.Random(seed)
    project = open_project(path)
    interaction = ScriptedInteraction()
    window = Probe(project, interaction=interaction)
    window.show()
    app.processEvents()
    emit({"ready": os.getpid()})
    docs = project.document_ids()
    while True:
        doc = rng.choice(docs)
        if window.doc is None or window.doc.id != doc:
            window.show_document(doc)
        length = len(window.doc.text) if window.doc else 0
        start = rng.randrange(0, length - 1)
        end = rng.randrange(start + 1, min(length, start + 80) + 1)
        window.view.select_cp(start, end)
        window.tag(rng.choice(LABELS), exact=True)
        if interaction.messages:
            raise AssertionError(f"unexpected message: {interaction.messages}")
        app.processEvents()


# ---- 3. disk full ---------------------------------------------------------------------------


def _limit_file_size(path: str, slack: int = 0) -> int:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
    limit = os.path.getsize(path) + slack
    _soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    return limit


def _lift_limit() -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))


def _state(project: Any) -> dict[str, Any]:
    return {
        "docs": project.document_ids(),
        "spans": {d: [[s.id, s.label, s.start, s.end, dict(s.attrs)] for s in project.spans(d)]
                  for d in project.document_ids()},
        "relations": {d: [[r.label, r.head, r.child] for r in project.relations(d)]
                      for d in project.document_ids()},
    }


def _failure(e: BaseException) -> dict[str, Any]:
    return {"type": type(e).__name__, "message": str(e),
            "annotator_error": isinstance(e, AnnotatorError),
            "traceback": "" if isinstance(e, AnnotatorError) else traceback.format_exc()}


def diskfull(path: str) -> None:
    project = open_project(path)
    before = _state(project)
    limit = _limit_file_size(path)
    report: dict[str, Any] = {"limit": limit, "before": before}
    # a big document: the file must grow, it cannot
    try:
        project.add_records([Record(Document("big", "x" * 4_000_000), "", (), ())])
        report["big"] = {"type": None}
    except BaseException as e:
        report["big"] = _failure(e)
    report["after_big"] = _state(project)
    # many spans, one action each, until one cannot be written
    acked: list[list[Any]] = []
    report["spans"] = {"type": None}
    length = len(project.document_text("d1"))
    for i in range(20000):
        command = AddSpan("d1", Span("", i % (length - 5), i % (length - 5) + 5, "QUOTE",
                                     {"target": f"t{i} " + "long text " * 20}))
        try:
            project.execute(command)
        except BaseException as e:
            report["spans"] = _failure(e)
            break
        acked.append([command.span.id, command.span.start, command.span.end])
    report["acked"] = acked
    report["after_spans"] = _state(project)
    # an edit that needs a new page fails the same way
    _lift_limit()
    report["recovered"] = None
    try:
        command = AddSpan("d1", Span("", 0, 3, "CUE"))
        project.execute(command)
        report["recovered"] = command.span.id
    except BaseException as e:
        report["recovered_error"] = _failure(e)
    report["final"] = _state(project)
    project.close()
    emit(report)


def diskfull_gui(path: str, big_article: str) -> None:
    app = _qt_app()
    from annotator.ui.interaction import ScriptedInteraction
    from annotator.ui.main_window import MainWindow

    results: list[bool] = []

    class Probe(MainWindow):
        def run(self, command: Any) -> bool:
            ok = super().run(command)
            results.append(ok)
            return ok

    project = open_project(path)
    # earlier work, in one import: it also fills the spans' pages, so the limit is met soon
    first = project.document_ids()[0]
    length = len(project.document_text(first))
    project.add_records([Record(project.document(first), "", tuple(
        Span(f"e{i}", i, i + 2, "CUE") for i in range(0, min(length - 2, 220))), ())])
    interaction = ScriptedInteraction()
    window = Probe(project, interaction=interaction)
    window.show()
    app.processEvents()
    text = window.doc.text if window.doc else ""
    report: dict[str, Any] = {"before": _state(project)}
    report["limit"] = _limit_file_size(path)
    # import a big article: refused with a message, nothing added to the list
    docs_before = window.doc_list.count()
    report["import"] = window.import_files([Path(big_article)])
    report["import_message"] = interaction.messages[-1] if interaction.messages else None
    report["docs_listed"] = [docs_before, window.doc_list.count()]
    interaction.messages.clear()
    # tag until the window cannot save one
    tagged: list[str] = []
    failure: dict[str, Any] | None = None
    for i in range(20000):
        start = (i * 7) % (len(text) - 4)
        undo_before = window.undo_stack.count()
        shown_before = len(window.panel.model._spans)
        window.view.select_cp(start, start + 4)
        window.tag("QUOTE", exact=True)
        app.processEvents()
        if results[-1]:
            tagged.append(window.view.selected_span() or "")
            continue
        failure = {
            "run_returned": results[-1],
            "undo": [undo_before, window.undo_stack.count()],
            "shown": [shown_before, len(window.panel.model._spans)],
            "messages": interaction.messages,
            "saved_label": window.saved_label.text(),
            "drawn_at_start": [s.id for s in window.view.spans_at_cp(start)],
        }
        break
    report["tagged"] = tagged
    report["failure"] = failure
    report["after"] = _state(project)
    _lift_limit()
    window.view.select_cp(0, 3)
    window.tag("CUE", exact=True)
    report["recovered"] = results[-1]
    report["final"] = _state(project)
    window.close()
    project.close()
    emit(report)


# ---- 4. a migration killed halfway -----------------------------------------------------------


def migrate(path: str, kill: list[Any], out: str) -> None:
    """open_project on an old file, SIGKILLed at a chosen point of the migration.

    ``kill``: ["stmt", k] before the k-th statement on the project's connection;
    ["vm", k] at the k-th progress callback (every 50 VM steps: inside a statement);
    ["commit", k, seconds] that long after the k-th COMMIT starts (inside the commit's
    writes and fsyncs); ["none"] to count statements, VM steps and commit times.
    """
    real_connect = sqlite3.connect
    stats: dict[str, Any] = {"sql": [], "vm": 0, "commits": []}
    me = os.getpid()

    def die() -> None:
        os.kill(me, signal.SIGKILL)

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        if str(args[0] if args else kwargs.get("database")) != path:
            return conn
        commit_started: list[float] = stats.setdefault("commit_started", [])

        def trace(sql: str) -> None:
            now = time.perf_counter()
            if commit_started and len(stats["commits"]) < len(commit_started):
                stats["commits"].append(now - commit_started[-1])
            stats["sql"].append(sql)
            if kill[0] == "stmt" and len(stats["sql"]) == kill[1]:
                die()
            if sql.strip().upper().startswith("COMMIT"):
                commit_started.append(now)
                if kill[0] == "commit" and len(commit_started) == kill[1]:
                    threading.Timer(kill[2], die).start()

        def progress() -> int:
            stats["vm"] += 1
            if kill[0] == "vm" and stats["vm"] == kill[1]:
                die()
            return 0

        conn.set_trace_callback(trace)
        conn.set_progress_handler(progress, 50)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    try:
        project = open_project(path)
    finally:
        sqlite3.connect = real_connect
    started = stats.pop("commit_started", [])
    if len(stats["commits"]) < len(started):
        stats["commits"].append(time.perf_counter() - started[-1])
    project.close()
    if kill[0] == "commit":
        time.sleep(kill[2] + 0.05)  # the timer may still fire after the last commit
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"statements": len(stats["sql"]), "vm": stats["vm"],
                   "commits": stats["commits"], "sql": stats["sql"]}, f)


# ---- 7, 8 and 5: a batch of cases, one JSON answer each ---------------------------------


def _named(message: str, path: str) -> bool:
    return path in message or os.path.basename(path) in message


def _read_own(project: Any, path: str) -> list[str]:
    """Read everything a window would: the problems met (each must be an AnnotatorError)."""
    refused = []
    for step in (lambda: project.owner, lambda: project.scheme, lambda: project.people(),
                 lambda: project.documents()):
        try:
            step()
        except AnnotatorError as e:
            refused.append(str(e))
    try:
        ids = project.document_ids()
    except AnnotatorError as e:
        return [*refused, str(e)]
    for doc_id in ids:
        try:
            list(project.records([doc_id]))
            project.text_intact(doc_id)
        except AnnotatorError as e:
            refused.append(str(e))
    return refused


def open_case(opener: str, path: str) -> dict[str, Any]:
    from annotator.store.lock import ProjectLock

    result: dict[str, Any] = {"problems": []}
    problems = result["problems"]
    try:
        if opener == "own":
            project = open_project(path)
            try:
                refused = _read_own(project, path)
            finally:
                project.close()
            result["outcome"] = "bad-read" if refused else "open"
            result["read_errors"] = refused
            problems.extend(f"read error does not name the file: {m}" for m in refused
                            if not _named(m, path))
        else:
            received = open_received(path)
            records = list(received.records())
            received.documents()
            received.close()
            result["outcome"] = "open"
            result["records"] = len(records)
    except AnnotatorError as e:
        result.update(outcome="refuse", message=str(e), type=type(e).__name__)
        if not _named(str(e), path):
            problems.append(f"message does not name the file: {e}")
    except BaseException as e:  # the failure this suite exists to catch
        result.update(outcome="crash", message=repr(e), type=type(e).__name__)
        problems.append(f"{type(e).__name__} escaped: {traceback.format_exc()}")
    if opener == "own" and result.get("outcome") == "refuse":
        lock = ProjectLock(Path(path))
        try:
            lock.acquire()  # a refused file must not stay locked
        except AnnotatorError as e:
            problems.append(f"left locked: {e}")
        finally:
            lock.release()
    leftovers = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("annotator-")]
    if leftovers:
        problems.append(f"temporary copies left behind: {leftovers}")
    return result


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One seeded mutation of a valid file: bit flips, header or b-tree header bytes,
    runs of bytes, zeroed or copied pages, truncation."""
    buf = bytearray(data)
    page = max(512, int.from_bytes(data[16:18], "big") or 512)
    pages = max(1, len(buf) // page)
    kind = rng.choice(["flip", "flip", "header", "btree", "run", "zero-page", "copy-page",
                       "truncate", "combo"])
    steps = [rng.choice(["flip", "header", "btree", "run"]) for _ in range(2)] if kind == "combo" else [kind]
    for step in steps:
        if step == "flip":
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(buf))
                buf[i] ^= 1 << rng.randrange(8)
        elif step == "header":
            i = rng.randrange(100)
            buf[i] = rng.randrange(256)
        elif step == "btree":
            p = rng.randrange(pages)
            i = p * page + (100 if p == 0 else 0) + rng.randrange(12)
            buf[i] = rng.randrange(256)
        elif step == "run":
            i = rng.randrange(len(buf))
            n = rng.randint(1, 64)
            fill = rng.choice([b"\x00", b"\xff", None])
            buf[i : i + n] = fill * n if fill else bytes(rng.randrange(256) for _ in range(n))
        elif step == "zero-page":
            p = rng.randrange(pages)
            buf[p * page : (p + 1) * page] = bytes(page)
        elif step == "copy-page":
            a, b = rng.randrange(pages), rng.randrange(pages)
            buf[b * page : (b + 1) * page] = data[a * page : (a + 1) * page]
        elif step == "truncate":
            cut = rng.choice([rng.randrange(len(buf)), rng.randrange(pages) * page])
            del buf[cut:]
    return bytes(buf), "+".join(steps)


def fuzz_case(base: str, seed: int, index: int, work: str) -> dict[str, Any]:
    data = Path(base).read_bytes()
    mutated, how = mutate(data, random.Random(f"{seed}:{index}"))
    target = Path(work) / f"fuzz-{index}.annotator"
    result: dict[str, Any] = {"how": how, "size": len(mutated), "problems": []}
    for opener in ("own", "received"):
        for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        target.write_bytes(mutated)
        os.utime(target, ns=(1_000_000_000, 1_000_000_000))
        answer = open_case(opener, str(target))
        result[opener] = answer["outcome"]
        result["problems"].extend(f"{opener}: {p}" for p in answer["problems"])
        changed = target.read_bytes() != mutated or target.stat().st_mtime_ns != 1_000_000_000
        if changed and (opener == "received" or answer["outcome"] == "refuse"):
            result["problems"].append(f"{opener}: the file was changed ({answer['outcome']})")
    for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return result


def startup_case(path: str, data_dir: str) -> dict[str, Any]:
    """The app starting on this file: open_for_window (as launch does), then the window."""
    app = _qt_app()
    os.environ["ANNOTATOR_DATA_DIR"] = data_dir
    from annotator.ui.interaction import ScriptedInteraction
    from annotator.ui.main_window import MainWindow, open_for_window

    escaped: list[str] = []
    sys.excepthook = lambda t, v, tb: escaped.append(
        "".join(traceback.format_exception(t, v, tb)))
    interaction = ScriptedInteraction(True)  # yes: restore the latest good backup
    result: dict[str, Any] = {"problems": []}
    try:
        project = open_for_window(Path(path), interaction)
    except BaseException as e:
        result["problems"].append(f"open_for_window raised {traceback.format_exc()}")
        project = None
        del e
    result["opened"] = project is not None
    result["messages"] = [list(m) for m in interaction.messages]
    if project is not None:
        result["docs"] = project.document_ids()
        try:
            window = MainWindow(project, interaction=interaction)
            window.show()
            for doc_id in result["docs"]:
                window.show_document(doc_id)
                app.processEvents()
            window.close()
        except AnnotatorError as e:
            result["window_refused"] = str(e)
        except BaseException:
            result["problems"].append(f"the window raised {traceback.format_exc()}")
        finally:
            project.close()
    result["escaped"] = escaped
    sys.excepthook = sys.__excepthook__
    return result


def batch(private_tmp: str) -> None:
    tempfile.tempdir = private_tmp
    os.environ["TMPDIR"] = private_tmp
    first = True
    for line in sys.stdin:
        request = json.loads(line)
        kind = request.pop("kind")
        began = time.perf_counter()
        startup = time.perf_counter() - STARTED if first else 0.0
        if kind == "startup" and first:
            _qt_app()
            startup = time.perf_counter() - STARTED
        first = False
        if kind == "open":
            answer = open_case(request["opener"], request["path"])
        elif kind == "fuzz":
            answer = fuzz_case(request["base"], request["seed"], request["index"], request["work"])
        elif kind == "startup":
            answer = startup_case(request["path"], request["data"])
        else:
            raise ValueError(kind)
        answer["id"] = request["id"]
        answer["startup"] = startup
        answer["case_seconds"] = time.perf_counter() - began
        emit(answer)


# ---- 6. two instances on one project ---------------------------------------------------------


def writer(path: str) -> None:
    """Holds the project open for writing; adds a span per ``add`` line on stdin."""
    project = open_project(path)
    emit({"holding": os.getpid()})
    length = len(project.document_text("d1"))
    i = 0
    for line in sys.stdin:
        word = line.strip()
        if word == "add":
            command = AddSpan("d1", Span("", i % (length - 3), i % (length - 3) + 3, "QUOTE"))
            project.execute(command)
            i += 1
            emit({"added": command.span.id})
        elif word == "close":
            project.close()
            emit({"closed": True})
            return


def viewer(path: str, link: str) -> None:
    """A second instance: locked out (also through a symlink), a read-only view that reads."""
    from annotator.store.lock import ProjectLocked

    report: dict[str, Any] = {}
    for name, target in (("direct", path), ("symlink", link)):
        try:
            open_project(target).close()
            report[name] = "opened for writing"
        except ProjectLocked as e:
            report[name] = f"locked: {e}"
    view = open_project(path, readonly=True)
    try:
        view.execute(AddSpan("d1", Span("", 0, 2, "CUE")))
        report["view_write"] = "written"
    except AnnotatorError as e:
        report["view_write"] = f"refused: {e}"
    try:
        view.conn.execute("INSERT INTO meta VALUES ('sneaky', 'x')")
        report["raw_write"] = "written"
    except sqlite3.Error as e:
        report["raw_write"] = f"refused: {e}"
    emit(report)
    for line in sys.stdin:
        if line.strip() == "read":
            emit({"count": len(view.spans("d1")),
                  "ids": sorted(s.id for s in view.spans("d1"))})
        elif line.strip() == "close":
            view.close()
            return


def racer(path: str, actions: int, seed: int) -> None:
    """One of several instances racing for the lock; adds spans while it holds it."""
    from annotator.store.lock import ProjectLocked

    rng = random.Random(seed)
    done = 0
    while done < actions:
        try:
            project = open_project(path)
        except ProjectLocked:
            time.sleep(rng.uniform(0.001, 0.01))
            continue
        t_open = time.time()
        length = len(project.document_text("d1"))
        for _ in range(rng.randint(1, 3)):
            if done == actions:
                break
            start = rng.randrange(length - 3)
            command = AddSpan("d1", Span("", start, start + 3, "CLAIM", {"kind": "other"}))
            project.execute(command)
            done += 1
            emit({"added": command.span.id, "pid": os.getpid()})
        t_close = time.time()
        project.close()
        emit({"held": [t_open, t_close], "pid": os.getpid()})
        time.sleep(rng.uniform(0, 0.005))


# ---- the zygote ------------------------------------------------------------------------------

WORKERS = {"soak": soak, "migrate": migrate}


def zygote() -> None:
    import sqlite_utils  # noqa: F401 - preloaded: forked workers start writing at once

    import annotator.store.received  # noqa: F401

    emit({"ready": os.getpid()})
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        request = json.loads(line)
        if request["op"] == "spawn":
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    null = os.open(os.devnull, os.O_RDWR)
                    os.dup2(null, 0)
                    os.dup2(null, 1)
                    WORKERS[request["mode"]](**request["args"])
                except BaseException:
                    traceback.print_exc()
                    code = 3
                os._exit(code)
            emit({"pid": pid})
        elif request["op"] == "wait":
            _, status = os.waitpid(request["pid"], 0)
            emit({"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                  "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None})


def main() -> None:
    mode = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    if args.pop("unprivileged", False) and hasattr(os, "setuid") and os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    {
        "zygote": zygote,
        "gui": gui,
        "diskfull": diskfull,
        "diskfull-gui": diskfull_gui,
        "batch": batch,
        "writer": writer,
        "viewer": viewer,
        "racer": racer,
    }[mode](**args)


if __name__ == "__main__":
    main()

