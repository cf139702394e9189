"""The parent side of the safety suite: start children, kill them, and judge what is left.

Shared by the fast tests in this folder and the long runs of ``bench/soak.py``: each
runner takes a count and a seed, raises ``AssertionError`` with the evidence on the
first broken promise, and returns the counts it verified.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHILD = HERE / "safety_child.py"
PY = sys.executable
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from annotator.core.model import Document, DocumentMeta  # noqa: E402
from annotator.resources import default_scheme  # noqa: E402
from annotator.store import open_project  # noqa: E402
from annotator.store.project import Record  # noqa: E402
from annotator.store.schema import (  # noqa: E402
    APPLICATION_ID,
    SCHEMA_VERSION,
    STEPS,
    expected_objects,
    migrations,
    objects_of,
)

Log = Callable[[str], None]


def quiet(_message: str) -> None:
    pass


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONFAULTHANDLER"] = "1"
    env.update(extra)
    return env


def private_tmp(workdir: Path) -> Path:
    """A TMPDIR for children that are killed: what a SIGKILL leaves behind stays in here."""
    folder = workdir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def child_cmd(mode: str, **args: Any) -> list[str]:
    return [PY, str(CHILD), mode, json.dumps(args)]


class LineReader:
    """Lines from a child's pipe, with a deadline (a hang is a failure, not a stuck test)."""

    def __init__(self, stream: Any) -> None:
        self.fd = stream.fileno()
        self.buffer = b""
        self.eof = False

    def readline(self, timeout: float) -> str | None:
        """The next line; None at the deadline; "" at end of file."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            if self.eof:
                rest, self.buffer = self.buffer, b""
                return rest.decode()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.eof = True
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode() + "\n"

    def rest(self, timeout: float = 10.0) -> list[str]:
        lines = []
        while True:
            line = self.readline(timeout)
            if not line:
                return lines
            lines.append(line)


def fingerprint(path: Path) -> tuple[Any, ...]:
    """Bytes and modification time of a file (or the kind and time of anything else)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ("absent",)
    if not os.path.isfile(path) or os.path.islink(path):
        return ("special", st.st_mode, st.st_mtime_ns)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return ("file", digest, st.st_size, st.st_mtime_ns)


# ---- projects the runners start from ----------------------------------------------------------


def article(rng: random.Random, words: int) -> str:
    vocab = ["Peace", "talks", "said", "Trump", "Putin", "war", "“quote”", "😀", "e\u0301",
             "שלום", "مرحبا", "no\u00a0break", "line\u2028sep", "end."]
    return " ".join(rng.choice(vocab) for _ in range(words)) + "\n\nSecond paragraph, said he."


def build_project(path: Path, *, docs: int = 3, words: int = 400, seed: int = 1) -> Path:
    rng = random.Random(seed)
    project = open_project(path, create=True, owner="soak", scheme=default_scheme())
    project.add_records(
        [Record(Document(f"d{i}", article(rng, words), DocumentMeta(title=f"Doc {i}")), "", (), ())
         for i in range(1, docs + 1)]
    )
    project.close()
    return path


#: The first bytes of a journal SQLite would roll back (an empty or zeroed one is ignored).
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")

Model = tuple[dict[tuple[str, str], tuple[Any, ...]], set[tuple[str, str, str, str]]]


def read_model(path: Path) -> tuple[Model, list[Any]]:
    """The owner's spans and relations, as open_project (the app) finds them; integrity_check."""
    with open_project(path) as project:
        spans: dict[tuple[str, str], tuple[Any, ...]] = {}
        relations: set[tuple[str, str, str, str]] = set()
        for doc in project.document_ids():
            for s in project.spans(doc):
                spans[(doc, s.id)] = (s.label, s.start, s.end, json.dumps(dict(s.attrs), sort_keys=True))
            for r in project.relations(doc):
                relations.add((doc, r.label, r.head, r.child))
        integrity = project.conn.execute("PRAGMA integrity_check").fetchall()
    journal = Path(f"{path}-journal")
    if journal.exists() and journal.read_bytes()[:8] == JOURNAL_MAGIC:
        raise AssertionError(f"{journal}: a live journal left behind after a clean close")
    if Path(f"{path}-wal").exists():
        raise AssertionError(f"{path}-wal left behind: the project is in rollback-journal mode")
    return (spans, relations), integrity


def apply_intent(model: Model, intent: dict[str, Any]) -> Model:
    spans, relations = dict(model[0]), set(model[1])
    doc = intent["doc"]
    if intent["op"] in ("add", "edit"):
        spans[(doc, intent["sid"])] = (intent["label"], intent["start"], intent["end"],
                                       json.dumps(intent["attrs"], sort_keys=True))
    elif intent["op"] == "remove":
        del spans[(doc, intent["sid"])]
        relations = {r for r in relations if r[0] != doc or intent["sid"] not in (r[2], r[3])}
    elif intent["op"] == "link":
        relations.add((doc, intent["label"], intent["head"], intent["child"]))
    return spans, relations


def describe_difference(expected: Model, stored: Model) -> str:
    lost = {k: v for k, v in expected[0].items() if stored[0].get(k) != v}
    extra = {k: v for k, v in stored[0].items() if expected[0].get(k) != v}
    return (f"spans expected but not stored as acknowledged: {sorted(lost.items())[:5]}; "
            f"stored but never acknowledged: {sorted(extra.items())[:5]}; "
            f"relations lost: {sorted(expected[1] - stored[1])[:5]}, "
            f"extra: {sorted(stored[1] - expected[1])[:5]}")


# ---- the zygote: forks workers that start writing in milliseconds ----------------------------


class Zygote:
    def __init__(self, workdir: Path) -> None:
        self.stderr_path = workdir / "zygote.stderr"
        self.stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            child_cmd("zygote"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, env=child_env(TMPDIR=str(private_tmp(workdir))),
        )
        assert self.proc.stdout is not None
        self.reader = LineReader(self.proc.stdout)
        self._ask_ready()

    def _ask_ready(self) -> None:
        line = self.reader.readline(60)
        if not line or "ready" not in line:
            raise AssertionError(f"the zygote did not start: {line!r} {self.errors()}")

    def _ask(self, request: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        line = self.reader.readline(timeout)
        if not line:
            raise AssertionError(f"the zygote did not answer {request}: {self.errors()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def spawn(self, mode: str, **args: Any) -> int:
        return int(self._ask({"op": "spawn", "mode": mode, "args": args})["pid"])

    def wait(self, pid: int, timeout: float = 60) -> dict[str, Any]:
        return self._ask({"op": "wait", "pid": pid}, timeout)

    def errors(self) -> str:
        self.stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.stderr.close()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- 1. the kill soak ------------------------------------------------------------------------


@dataclass
class SoakReport:
    kills: int = 0
    actions_verified: int = 0
    in_flight_committed: int = 0  # killed after the commit, before the acknowledgement
    in_flight_absent: int = 0  # killed before the commit: not on disk, never shown
    killed_before_ready: int = 0  # killed while starting (opening, recovering the journal)
    hot_journals: int = 0  # killed mid-transaction: SQLite rolled a journal back on reopening
    ops: Counter[str] = field(default_factory=Counter)


def _parse_log(path: Path) -> tuple[bool, list[dict[str, Any]], list[dict[str, Any]]]:
    ready, intents, acks = False, [], []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if not line.endswith("\n"):
                break  # cut by the kill mid-line: never acknowledged
            kind, _, body = line.partition(" ")
            if kind == "R":
                ready = True
            elif kind == "I":
                intents.append(json.loads(body))
            elif kind == "A":
                acks.append(json.loads(body))
    return ready, intents, acks


def kill_soak(workdir: Path, kills: int, *, seed: int = 0, max_delay: float = 0.35,
              log: Log = quiet) -> SoakReport:
    """A worker acts through the store and acknowledges each action; SIGKILL it ``kills``
    times at random moments. After each kill the file must hold every acknowledged action
    (and at most the one in flight, whole), and ``integrity_check`` must say ok."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = build_project(workdir / "soak.annotator", seed=seed)
    model, _ = read_model(path)
    rng = random.Random(seed)
    report = SoakReport()
    with Zygote(workdir) as zygote:
        for round_ in range(kills):
            out = workdir / f"acks-{round_}.log"
            pid = zygote.spawn("soak", path=str(path), out=str(out), seed=rng.randrange(2**31))
            delay = rng.uniform(0, 0.02) if rng.random() < 0.2 else rng.uniform(0, max_delay)
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
            status = zygote.wait(pid)
            if status["signal"] != signal.SIGKILL:
                raise AssertionError(f"round {round_}: the worker ended by itself {status}: "
                                     f"{zygote.errors()}")
            ready, intents, acks = _parse_log(out)
            if [a for a in acks] != intents[: len(acks)] or len(intents) > len(acks) + 1:
                raise AssertionError(f"round {round_}: acknowledgements out of step with intents")
            expected = model
            for ack in acks:
                expected = apply_intent(expected, ack)
                report.ops[ack["op"]] += 1
            journal = Path(f"{path}-journal")
            report.hot_journals += journal.exists() and journal.read_bytes()[:8] == JOURNAL_MAGIC
            stored, integrity = read_model(path)
            if integrity != [("ok",)]:
                raise AssertionError(f"round {round_}: integrity_check says {integrity[:5]}")
            if stored == expected:
                if len(intents) > len(acks):
                    report.in_flight_absent += 1
            elif len(intents) > len(acks) and stored == apply_intent(expected, intents[-1]):
                report.in_flight_committed += 1
            else:
                raise AssertionError(
                    f"round {round_} (killed after {delay:.3f}s, {len(acks)} acknowledged): "
                    + describe_difference(expected, stored)
                )
            report.kills += 1
            report.actions_verified += len(acks)
            report.killed_before_ready += not ready
            model = stored
            out.unlink(missing_ok=True)
            if (round_ + 1) % 50 == 0:
                log(f"  kill soak: {round_ + 1}/{kills} kills, {report.actions_verified} actions verified")
    return report


# ---- 2. the same through the window --------------------------------------------------------


@dataclass
class GuiSoakReport:
    kills: int = 0
    spans_verified: int = 0


def gui_kill(workdir: Path, kills: int, *, seed: int = 0, log: Log = quiet) -> GuiSoakReport:
    """The real MainWindow tags spans and prints each once shown; SIGKILL it; every printed
    span must be in the file, exactly, when a new process opens it."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = build_project(workdir / "gui.annotator", docs=2, words=300, seed=seed)
    rng = random.Random(seed)
    report = GuiSoakReport()
    printed: dict[tuple[str, str], tuple[str, int, int]] = {}
    for round_ in range(kills):
        err = workdir / f"gui-{round_}.stderr"
        with open(err, "wb") as stderr:
            proc = subprocess.Popen(child_cmd("gui", path=str(path), seed=rng.randrange(2**31)),
                                    stdout=subprocess.PIPE, stderr=stderr,
                                    env=child_env(TMPDIR=str(private_tmp(workdir))))
        assert proc.stdout is not None
        reader = LineReader(proc.stdout)
        first = reader.readline(60)
        if not first or "ready" not in first:
            proc.kill()
            proc.wait()
            raise AssertionError(f"the window did not start: {first!r} {err.read_text()[-3000:]}")
        lines: list[str] = []
        deadline = time.monotonic() + rng.uniform(0.05, 0.8)
        while time.monotonic() < deadline:
            line = reader.readline(max(0.0, deadline - time.monotonic()))
            if line:
                lines.append(line)
            elif line == "":
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        lines += reader.rest()
        proc.stdout.close()
        if proc.returncode != -signal.SIGKILL:
            raise AssertionError(f"the window died by itself ({proc.returncode}): "
                                 f"{err.read_text()[-3000:]}")
        for line in lines:
            span = json.loads(line)
            printed[(span["doc"], span["sid"])] = (span["label"], span["start"], span["end"])
        with open_project(path) as project:  # a new process (this one) opens the file
            stored = {(d, s.id): (s.label, s.start, s.end)
                      for d in project.document_ids() for s in project.spans(d)}
            integrity = project.conn.execute("PRAGMA integrity_check").fetchall()
        missing = {k: v for k, v in printed.items() if stored.get(k) != v}
        if missing or integrity != [("ok",)]:
            raise AssertionError(f"round {round_}: shown but not stored: {missing}; {integrity}")
        report.kills += 1
        report.spans_verified += len(lines)
        err.unlink()
        if (round_ + 1) % 10 == 0:
            log(f"  window kills: {round_ + 1}/{kills}, {report.spans_verified} spans verified")
    return report


# ---- 4. migrations killed halfway -------------------------------------------------------------


def build_old_project(path: Path, version: int = 1, *, docs: int = 40, seed: int = 2) -> Path:
    """A file exactly as Annotator ``version`` wrote it: the migration steps up to there."""
    from sqlite_utils import Database

    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn, execute_plugins=False)
    with db.atomic():
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        stop = STEPS[version][0] if version < len(STEPS) else None
        migrations().apply(db, stop_before=stop)
    # rows in the columns every version has (today's store writes today's columns)
    with db.atomic():
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("owner", "old"), ("created", "2020-01-01T00:00:00+00:00"),
             ("scheme", json.dumps(default_scheme().to_dict()))],
        )  # fmt: skip
        for i in range(docs):
            doc = Document(f"d{i}", article(rng, 200))
            pk = conn.execute(
                "INSERT INTO documents (ext_id, position, text, checksum, status, labels, imported_at) "
                "VALUES (?, ?, ?, ?, 'todo', '{}', '2020-01-01T00:00:00+00:00')",
                [doc.id, i + 1, doc.text, doc.checksum],
            ).lastrowid
            conn.executemany(
                'INSERT INTO spans (doc, sid, annotator, label, start, "end", attrs) '
                "VALUES (?, ?, 'old', 'QUOTE', ?, ?, '{}')",
                [(pk, f"q{j}", j * 5, j * 5 + 4) for j in range(1, 30)],
            )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()
    return path


def _rows(conn: sqlite3.Connection) -> tuple[int, int, str]:
    docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    spans = conn.execute("SELECT count(*) FROM spans").fetchone()[0]
    owner = conn.execute("SELECT value FROM meta WHERE key = 'owner'").fetchone()[0]
    return docs, spans, owner


def copy_with_sidecars(src: Path, dest: Path) -> None:
    shutil.copyfile(src, dest)
    for suffix in ("-journal", "-wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dest}{suffix}")


@dataclass
class MigrationReport:
    rounds: int = 0
    killed: int = 0
    completed: int = 0  # the kill came after open_project had returned
    versions: Counter[int] = field(default_factory=Counter)  # version found after each kill
    hot_journals: int = 0  # a kill left a hot journal SQLite had to roll back
    header_ahead: int = 0  # ... with the new version already written in the file's header
    statements: int = 0


def judge_migration(path: Path, old_rows: tuple[int, int, str], old: int,
                    report: MigrationReport, what: str) -> None:
    """After a kill: the file is wholly at one version, with exactly its schema, and
    open_project finishes the migration with every row kept."""
    header_version = int.from_bytes(path.read_bytes()[60:64], "big", signed=True)
    journal = Path(f"{path}-journal")
    hot = journal.exists() and journal.stat().st_size > 0
    work = Path(tempfile.mkdtemp(prefix="annotator-migration-judge-"))
    try:
        plain, app = work / "plain.annotator", work / "app.annotator"
        copy_with_sidecars(path, plain)
        copy_with_sidecars(path, app)
        conn = sqlite3.connect(plain)  # a plain connection: SQLite's recovery, nothing of ours
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            found = objects_of(conn)
            integrity = conn.execute("PRAGMA integrity_check").fetchall()
            rows = _rows(conn)
        finally:
            conn.close()
        if not old <= version <= SCHEMA_VERSION:
            raise AssertionError(f"{what}: user_version {version} after the kill")
        if found != expected_objects(version):
            raise AssertionError(
                f"{what}: half-migrated: version {version} but the schema differs: "
                f"extra {sorted(found - expected_objects(version))[:3]}, "
                f"missing {sorted(expected_objects(version) - found)[:3]}")
        if integrity != [("ok",)] or rows != old_rows:
            raise AssertionError(f"{what}: {integrity[:3]}, rows {rows} != {old_rows}")
        # the app opening the crashed file (journal and all) must finish the migration
        with open_project(app) as project:
            conn2 = project.conn
            if conn2.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                raise AssertionError(f"{what}: open_project did not finish the migration")
            if objects_of(conn2) != expected_objects(SCHEMA_VERSION) or _rows(conn2) != old_rows:
                raise AssertionError(f"{what}: open_project left a wrong schema or lost rows")
            list(project.records())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.versions[version] += 1
    report.hot_journals += hot
    report.header_ahead += hot and header_version > version


def migration_kill(workdir: Path, *, seed: int = 0, statements: int | None = None,
                   vm_points: int = 5, commit_points: int = 10, old: int = 1,
                   log: Log = quiet) -> MigrationReport:
    """Kill open_project while it migrates an old file: before statements (all of them, or
    ``statements`` chosen at random), inside statements (VM steps) and inside commits."""
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    original = build_old_project(workdir / "old.annotator", old)
    conn = sqlite3.connect(original)
    old_rows = _rows(conn)
    conn.close()
    report = MigrationReport()
    with Zygote(workdir) as zygote:
        probe = workdir / "probe.annotator"
        shutil.copyfile(original, probe)
        stats_path = workdir / "stats.json"
        pid = zygote.spawn("migrate", path=str(probe), kill=["none"], out=str(stats_path))
        status = zygote.wait(pid)
        if status["code"] != 0:
            raise AssertionError(f"the migration did not run: {status} {zygote.errors()}")
        stats = json.loads(stats_path.read_text())
        total, vm, commits = stats["statements"], stats["vm"], stats["commits"]
        report.statements = total
        plan: list[list[Any]] = [
            ["stmt", k] for k in (range(1, total + 1) if statements is None
                                  else sorted(rng.sample(range(1, total + 1), min(statements, total))))
        ]
        plan += [["vm", rng.randint(1, max(1, vm))] for _ in range(vm_points)]
        migration_commits = [i for i, sql in enumerate(
            [s for s in stats["sql"] if s.strip().upper().startswith("COMMIT")], 1)]
        for _ in range(commit_points):
            k = rng.choice(migration_commits)
            plan.append(["commit", k, rng.uniform(0, commits[k - 1] * 1.1)])
        for n, kill in enumerate(plan):
            target = workdir / f"kill-{n}.annotator"
            shutil.copyfile(original, target)
            pid = zygote.spawn("migrate", path=str(target), kill=kill, out=str(workdir / "x.json"))
            status = zygote.wait(pid)
            if status["signal"] == signal.SIGKILL:
                report.killed += 1
            elif status["code"] == 0:
                report.completed += 1
            else:
                raise AssertionError(f"{kill}: the worker failed {status}: {zygote.errors()}")
            judge_migration(target, old_rows, old, report, f"kill {kill}")
            report.rounds += 1
            for suffix in ("", "-journal", ".lock"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            if (n + 1) % 50 == 0:
                log(f"  migration kills: {n + 1}/{len(plan)}")
    return report


# ---- a batch child: hostile files, fuzz cases, start-up, each under a deadline ---------------


#: Seconds a fresh batch child may take to start (imports; Qt for start-up cases).
STARTUP_ALLOWANCE = 30.0


class Batch:
    """A child answering one request at a time; a request that takes longer than ``timeout``
    is a hang: the child is killed (and restarted for the next request)."""

    def __init__(self, workdir: Path, *, timeout: float = 5.0, unprivileged: bool = False,
                 name: str = "batch") -> None:
        self.workdir = workdir
        self.timeout = timeout
        self.unprivileged = unprivileged
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def _start(self) -> None:
        self.private_tmp = Path(tempfile.mkdtemp(prefix=f"safety-{self.name}-tmp-"))
        if self.unprivileged:
            os.chown(self.private_tmp, 65534, 65534)
        self.stderr_path = self.workdir / f"{self.name}-{self.starts}.stderr"
        self.starts += 1
        self.stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in _stop()
        self.proc = subprocess.Popen(
            child_cmd("batch", private_tmp=str(self.private_tmp), unprivileged=self.unprivileged),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=child_env(),
            cwd="/",
        )
        assert self.proc.stdout is not None
        self.reader = LineReader(self.proc.stdout)
        self.fresh = True  # its first answer also pays for its start-up (Qt's, for start-up cases)

    def _stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()
        self.stderr.close()
        shutil.rmtree(self.private_tmp, ignore_errors=True)
        self.proc = None

    def errors(self) -> str:
        self.stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-4000:]

    def ask(self, request: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """The child's answer, or {"failure": "hang" | "died", ...}."""
        if self.proc is None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        request = {**request, "id": request.get("id", 0)}
        started = time.monotonic()
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        allowance = STARTUP_ALLOWANCE if self.fresh else 0.0
        line = self.reader.readline((timeout or self.timeout) + allowance)
        elapsed = time.monotonic() - started
        if line:
            answer: dict[str, Any] = json.loads(line)
            # a fresh child's start-up is not the case's time
            answer["seconds"] = elapsed - (answer.pop("startup", 0.0) if self.fresh else 0.0)
            self.fresh = False
            return answer
        died = line == ""
        if not died:
            self.proc.send_signal(signal.SIGABRT)  # faulthandler prints where it hung
            time.sleep(0.3)
        returncode = self.proc.poll()
        self._stop()
        return {"failure": "died" if died else "hang", "returncode": returncode,
                "stderr": self.stderr_path.read_text(errors="replace")[-4000:],
                "seconds": elapsed, "id": request["id"]}

    def close(self) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self._stop()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- 7. the hostile corpus ------------------------------------------------------------------


def canary_rows(path: Path) -> int:
    """Rows a trigger would have written (read on a copy with a plain connection)."""
    if not path.is_file():
        return 0
    work = Path(tempfile.mkdtemp(prefix="annotator-canary-"))
    try:
        copy = work / "c.annotator"
        copy_with_sidecars(path, copy)
        conn = sqlite3.connect(copy)
        try:
            return int(conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'pwned%'").fetchone()[0])
        except sqlite3.Error:
            return 0
        finally:
            conn.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sidecars(path: Path) -> tuple[Any, ...]:
    return tuple(fingerprint(Path(f"{path}{s}")) for s in ("-journal", "-wal"))


@dataclass
class HostileReport:
    files: int = 0
    checks: int = 0  # (file, opener) pairs
    refused: Counter[str] = field(default_factory=Counter)  # per opener
    opened: Counter[str] = field(default_factory=Counter)
    bad_read: int = 0
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)


def run_hostile(made: list[tuple[Any, Path]], workdir: Path, *, timeout: float = 5.0,
                repeat: int = 1) -> HostileReport:
    """Every case against open_project and open_received, in a child, under ``timeout``."""
    report = HostileReport()
    normal = [(c, p) for c, p in made if not c.unprivileged]
    restricted = [(c, p) for c, p in made if c.unprivileged]
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    for group, unprivileged in ((normal, False), (restricted, is_root)):
        if not group:
            continue
        with Batch(workdir, timeout=timeout, unprivileged=unprivileged,
                   name="hostile-nobody" if unprivileged else "hostile") as batch:
            for _ in range(repeat):
                for case, path in group:
                    _check_hostile(batch, case, path, report)
    return report


def _check_hostile(batch: Batch, case: Any, path: Path, report: HostileReport) -> None:
    report.files += 1
    report.outcomes[case.name] = {}
    for opener in ("own", "received"):
        expected = case.own if opener == "own" else case.received
        before, before_side = fingerprint(path), sidecars(path)
        answer = batch.ask({"kind": "open", "opener": opener, "path": str(path)})
        after, after_side = fingerprint(path), sidecars(path)
        where = f"{case.name} / {'open_project' if opener == 'own' else 'open_received'}"
        report.checks += 1
        report.slowest = max(report.slowest, answer.get("seconds", 0.0))
        if "failure" in answer:
            report.failures.append(f"{where}: {answer['failure']} after {answer['seconds']:.1f}s\n"
                                   f"{answer['stderr']}")
            continue
        outcome = answer["outcome"]
        report.outcomes[case.name][opener] = outcome
        if outcome == "refuse":
            report.refused[opener] += 1
        else:
            report.opened[opener] += 1
            report.bad_read += outcome == "bad-read"
        problems = list(answer["problems"])
        if outcome != expected:
            problems.append(f"expected {expected}, got {outcome}: {answer.get('message')}"
                            f"{answer.get('read_errors', '')}")
        elif outcome == "refuse" and case.match and not re.search(case.match, answer["message"]):
            problems.append(f"message {answer['message']!r} does not match {case.match!r}")
        elif outcome == "bad-read" and case.match and not any(
                re.search(case.match, m) for m in answer["read_errors"]):
            problems.append(f"read errors {answer['read_errors']} do not match {case.match!r}")
        may_write = opener == "own" and case.own_may_write and outcome != "refuse"
        if not may_write and (before != after or before_side != after_side):
            problems.append(f"the file was changed: {before} -> {after}; "
                            f"{before_side} -> {after_side}")
        if case.canary and canary_rows(path):
            problems.append("a trigger in the file ran (the canary has rows)")
        if answer["seconds"] > batch.timeout:
            problems.append(f"took {answer['seconds']:.1f}s")
        report.failures.extend(f"{where}: {p}" for p in problems)


# ---- 5. start-up on a damaged file ------------------------------------------------------------


@dataclass
class StartupReport:
    files: int = 0
    kept_aside_and_restored: int = 0
    refused_untouched: int = 0
    opened: int = 0
    failures: list[str] = field(default_factory=list)
    window_refusals: list[str] = field(default_factory=list)
    escaped: list[str] = field(default_factory=list)


def run_startup(made: list[tuple[Any, Path]], base: Path, workdir: Path, *,
                timeout: float = 10.0) -> StartupReport:
    """The app starting on each file (open_for_window + MainWindow, answering yes to
    "restore the latest good backup?"): a damaged file is kept aside byte for byte and the
    backup restored; any other refusal leaves the file where it was; nothing crashes."""
    report = StartupReport()
    with Batch(workdir, timeout=timeout, name="startup") as batch:
        for case, path in made:
            report.files += 1
            data = workdir / f"data-{case.name}"
            (data / "backups").mkdir(parents=True)
            backup = data / "backups" / f"{path.stem}-20000101-000000-000000.annotator"
            shutil.copyfile(base, backup)
            original = fingerprint(path)
            original_bytes = path.read_bytes() if original[0] == "file" else None
            answer = batch.ask({"kind": "startup", "path": str(path), "data": str(data)})
            where = f"start-up on {case.name}"
            if "failure" in answer:
                report.failures.append(f"{where}: {answer['failure']}\n{answer['stderr']}")
                continue
            report.failures.extend(f"{where}: {p}" for p in answer["problems"])
            report.escaped.extend(f"{where}: {e}" for e in answer["escaped"])
            if "window_refused" in answer:
                report.window_refusals.append(f"{where}: {answer['window_refused']}")
            aside = sorted(path.parent.glob(f"{path.name}.damaged-*"))
            if case.damaged:
                if not aside or original_bytes is None or aside[0].read_bytes() != original_bytes:
                    report.failures.append(f"{where}: the damaged file was not kept aside intact")
                elif not answer["opened"] or path.read_bytes() != base.read_bytes():
                    report.failures.append(f"{where}: the backup was not restored and opened")
                elif not any("kept as" in m[2] for m in answer["messages"]):
                    report.failures.append(f"{where}: the user was not told {answer['messages']}")
                else:
                    report.kept_aside_and_restored += 1
            elif case.own == "refuse":
                if aside or fingerprint(path) != original or answer["opened"]:
                    report.failures.append(f"{where}: a refused file was moved or changed")
                elif not any(m[0] == "error" and str(path) in m[2] for m in answer["messages"]):
                    report.failures.append(f"{where}: no message naming the file "
                                           f"{answer['messages']}")
                else:
                    report.refused_untouched += 1
            else:
                if not answer["opened"] or aside:
                    report.failures.append(f"{where}: did not open ({answer['messages']})")
                else:
                    report.opened += 1
    return report


# ---- 8. the mutation fuzzer -------------------------------------------------------------------


def deterministic_base(path: Path) -> Path:
    """The corpus base project with fixed timestamps, rewritten by VACUUM INTO: the same
    bytes on every run (for one SQLite version), so a seed names the same cases."""
    from corpus import make_base

    work = Path(tempfile.mkdtemp(prefix="annotator-fuzz-base-"))
    try:
        raw = make_base(work / "raw.annotator")
        conn = sqlite3.connect(raw)
        conn.execute("UPDATE documents SET imported_at = '2000-01-01T00:00:00+00:00'")
        conn.execute("UPDATE meta SET value = '2000-01-01T00:00:00+00:00' WHERE key = 'created'")
        conn.execute("UPDATE _sqlite_migrations SET applied_at = '2000-01-01 00:00:00+00:00'")
        conn.commit()
        path.unlink(missing_ok=True)
        conn.execute("VACUUM INTO ?", [str(path)])
        conn.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path


@dataclass
class FuzzReport:
    cases: int = 0
    own: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    base_sha256: str = ""
    seconds: float = 0.0


def fuzz(workdir: Path, count: int, *, seed: int = 0, timeout: float = 5.0,
         workers: int = 2, log: Log = quiet) -> FuzzReport:
    """``count`` seeded mutations of a valid project, each opened with open_project and
    open_received in batch children: only success or AnnotatorError, never a crash, a
    traceback or a hang; whatever opens reads every document."""
    workdir.mkdir(parents=True, exist_ok=True)
    base = deterministic_base(workdir / "fuzz-base.annotator")
    report = FuzzReport(base_sha256=hashlib.sha256(base.read_bytes()).hexdigest())
    started = time.monotonic()
    shards = [list(range(i, count, workers)) for i in range(workers)]
    import threading

    lock = threading.Lock()

    def run(shard: list[int], n: int) -> None:
        work = workdir / f"fuzz-work-{n}"
        work.mkdir(exist_ok=True)
        with Batch(workdir, timeout=timeout, name=f"fuzz-{n}") as batch:
            for index in shard:
                answer = batch.ask({"kind": "fuzz", "base": str(base), "seed": seed,
                                    "index": index, "work": str(work), "id": index})
                with lock:
                    report.cases += 1
                    if "failure" in answer:
                        report.failures.append(f"case {seed}:{index}: {answer['failure']}\n"
                                               f"{answer['stderr']}")
                        _keep_failure(base, seed, index, workdir)
                        continue
                    report.own[answer["own"]] += 1
                    report.received[answer["received"]] += 1
                    report.kinds[answer["how"]] += 1
                    if answer["problems"]:
                        report.failures.extend(f"case {seed}:{index} ({answer['how']}): {p}"
                                               for p in answer["problems"])
                        _keep_failure(base, seed, index, workdir)
                    if report.cases % 1000 == 0:
                        log(f"  fuzz: {report.cases}/{count} cases")

    threads = [threading.Thread(target=run, args=(shard, n)) for n, shard in enumerate(shards)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report.seconds = time.monotonic() - started
    return report


def _keep_failure(base: Path, seed: int, index: int, workdir: Path) -> None:
    from safety_child import mutate

    data, _ = mutate(base.read_bytes(), random.Random(f"{seed}:{index}"))
    keep = workdir / "fuzz-failures"
    keep.mkdir(exist_ok=True)
    (keep / f"case-{seed}-{index}.annotator").write_bytes(data)


@contextmanager
def timed() -> Iterator[list[float]]:
    box = [0.0]
    start = time.monotonic()
    try:
        yield box
    finally:
        box[0] = time.monotonic() - start


# ---- 6. a second instance on the same project ---------------------------------------------


@dataclass
class SecondInstanceReport:
    writes_acknowledged: int = 0
    reads_by_the_view: int = 0
    refusals: dict[str, str] = field(default_factory=dict)
    racers: int = 0
    raced_actions: int = 0
    lock_turns: int = 0


def _ask_line(proc: subprocess.Popen[bytes], reader: LineReader, word: str | None,
              timeout: float = 30) -> dict[str, Any]:
    if word is not None:
        assert proc.stdin is not None
        proc.stdin.write((word + "\n").encode())
        proc.stdin.flush()
    line = reader.readline(timeout)
    if not line:
        raise AssertionError(f"no answer to {word!r} (exit {proc.poll()})")
    answer: dict[str, Any] = json.loads(line)
    return answer


def second_instance(workdir: Path, *, adds: int = 20) -> SecondInstanceReport:
    """One process holds the project open for writing and writes; a second is refused
    (directly and through a symlink), opens a read-only view that cannot write, and reads
    every write the first acknowledged. Then the file holds all of them."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = build_project(workdir / "shared.annotator", docs=1)
    link = workdir / "link.annotator"
    link.symlink_to(path.name)
    report = SecondInstanceReport()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        writer = subprocess.Popen(child_cmd("writer", path=str(path)), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=child_env())
        procs.append(writer)
        wr = LineReader(writer.stdout)
        assert "holding" in _ask_line(writer, wr, None, 60)
        viewer = subprocess.Popen(child_cmd("viewer", path=str(path), link=str(link)),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=child_env())
        procs.append(viewer)
        vr = LineReader(viewer.stdout)
        report.refusals = _ask_line(viewer, vr, None, 60)
        for key in ("direct", "symlink"):
            if not report.refusals[key].startswith("locked: "):
                raise AssertionError(f"a second writer was let in ({key}): {report.refusals}")
        for key in ("view_write", "raw_write"):
            if not report.refusals[key].startswith("refused: "):
                raise AssertionError(f"the read-only view wrote ({key}): {report.refusals}")
        acked: list[str] = []
        for _ in range(adds):
            acked.append(_ask_line(writer, wr, "add")["added"])
            seen = _ask_line(viewer, vr, "read")
            report.reads_by_the_view += 1
            if not set(acked) <= set(seen["ids"]):
                raise AssertionError(f"the view does not show acknowledged writes: "
                                     f"{sorted(set(acked) - set(seen['ids']))}")
        report.writes_acknowledged = len(acked)
        assert _ask_line(writer, wr, "close")["closed"]
        assert viewer.stdin is not None
        viewer.stdin.write(b"close\n")
        viewer.stdin.flush()
        for proc in procs:
            proc.wait(timeout=30)
        # the lock is free again: this process writes, and everything is there
        from annotator.core.commands import AddSpan
        from annotator.core.model import Span

        with open_project(path) as project:
            project.execute(AddSpan("d1", Span("", 0, 4, "CUE")))
            stored = {s.id for s in project.spans("d1")}
            integrity = project.conn.execute("PRAGMA integrity_check").fetchall()
        if not set(acked) <= stored or len(stored) != len(acked) + 1 or integrity != [("ok",)]:
            raise AssertionError(f"lost updates: {sorted(set(acked) - stored)}; {integrity}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream:
                    stream.close()
    return report


def lock_race(workdir: Path, *, racers: int = 4, actions: int = 10, seed: int = 0,
              report: SecondInstanceReport | None = None) -> SecondInstanceReport:
    """Several instances race for the project: never two writers at once, no lost update."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = build_project(workdir / "raced.annotator", docs=1)
    report = report or SecondInstanceReport()
    procs = [subprocess.Popen(child_cmd("racer", path=str(path), actions=actions, seed=seed + i),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
             for i in range(racers)]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"a racer failed ({proc.returncode}): {err.decode()[-3000:]}")
        outputs.append([json.loads(line) for line in out.decode().splitlines()])
    added = [o["added"] for lines in outputs for o in lines if "added" in o]
    turns = sorted((o["held"][0], o["held"][1], o["pid"]) for lines in outputs
                   for o in lines if "held" in o)
    for (_a0, a1, pa), (b0, _b1, pb) in itertools.pairwise(turns):
        if b0 < a1 and pa != pb:
            raise AssertionError(f"two writers at once: {pa} until {a1}, {pb} from {b0}")
    with open_project(path) as project:
        stored = [s.id for s in project.spans("d1")]
    if len(added) != racers * actions or sorted(added) != sorted(stored):
        raise AssertionError(f"lost or duplicated updates: acknowledged {len(added)}, "
                             f"stored {len(stored)}, missing {sorted(set(added) - set(stored))}")
    report.racers += racers
    report.raced_actions += len(added)
    report.lock_turns += len(turns)
    return report


# ---- 3. disk full ----------------------------------------------------------------------------


def _run_child_json(mode: str, **args: Any) -> dict[str, Any]:
    out = subprocess.run(child_cmd(mode, **args), capture_output=True, text=True,
                         env=child_env(), timeout=300)
    if out.returncode != 0 or "Traceback" in out.stderr:
        raise AssertionError(f"{mode} child failed ({out.returncode}): {out.stderr[-4000:]}")
    answer: dict[str, Any] = json.loads(out.stdout)
    return answer


@dataclass
class DiskFullReport:
    refused_writes: int = 0  # actions that hit the limit: each an AnnotatorError, nothing shown
    acknowledged_before: int = 0  # actions saved before the limit: all still there
    recovered: int = 0  # actions saved once there was room again


def disk_full_store(workdir: Path, report: DiskFullReport | None = None) -> DiskFullReport:
    """RLIMIT_FSIZE at the file's size: a big import and one span too many each fail with
    an AnnotatorError naming the file and change nothing; earlier work is intact."""
    report = report or DiskFullReport()
    workdir.mkdir(parents=True, exist_ok=True)
    path = build_project(workdir / "full.annotator", docs=2)
    answer = _run_child_json("diskfull", path=str(path))
    before = answer["before"]
    for key in ("big", "spans"):
        failure = answer[key]
        if not failure.get("annotator_error") or str(path) not in failure["message"] \
                or "cannot write" not in failure["message"]:
            raise AssertionError(f"{key}: not a clear AnnotatorError: {failure}")
    if answer["after_big"] != before:
        raise AssertionError("the failed import changed the project")
    acked = {a[0] for a in answer["acked"]}
    stored = {s[0] for s in answer["after_spans"]["spans"]["d1"]}
    if not acked or stored != {b[0] for b in before["spans"]["d1"]} | acked:
        raise AssertionError(f"after the failed span: stored {len(stored)}, acked {len(acked)}")
    if answer["after_spans"]["docs"] != before["docs"] or not answer["recovered"]:
        raise AssertionError(f"not recovered: {answer.get('recovered_error')}")
    model, integrity = read_model(path)
    on_disk = {sid for (doc, sid) in model[0] if doc == "d1"}
    if integrity != [("ok",)] or on_disk != stored | {answer["recovered"]}:
        raise AssertionError(f"on disk afterwards: {integrity}, {len(on_disk)} spans")
    report.refused_writes += 2
    report.acknowledged_before += len(acked)
    report.recovered += 1
    return report


def disk_full_window(workdir: Path, report: DiskFullReport | None = None) -> DiskFullReport:
    """The same in the window: import and tag fail with a message, ``run`` returns False,
    nothing goes on the undo stack or the screen; what was shown before is on disk."""
    report = report or DiskFullReport()
    workdir.mkdir(parents=True, exist_ok=True)
    path = build_project(workdir / "fullgui.annotator", docs=2)
    big = workdir / "big-article.txt"
    big.write_text("A very long article\n\n" + "word " * 200_000, encoding="utf-8")
    answer = _run_child_json("diskfull-gui", path=str(path), big_article=str(big))
    kind, _title, message = answer["import_message"]
    if answer["import"] is not False or kind != "error" or str(path) not in message \
            or "othing was imported" not in message:
        raise AssertionError(f"import: {answer['import']} {answer['import_message']}")
    if answer["docs_listed"][0] != answer["docs_listed"][1]:
        raise AssertionError("the failed import shows a document")
    failure = answer["failure"]
    if failure is None:
        raise AssertionError("the limit was never reached")
    [(kind, _title, message)] = failure["messages"]
    if (failure["run_returned"] is not False or failure["undo"][0] != failure["undo"][1]
            or failure["shown"][0] != failure["shown"][1]
            or not failure["saved_label"].startswith("⚠")
            or kind != "error" or str(path) not in message or "cannot write" not in message):
        raise AssertionError(f"the failed tag was shown as done: {failure}")
    shown = set(answer["tagged"])
    stored_after = {s[0] for s in answer["after"]["spans"]["d1"]}
    if not shown <= stored_after or \
            len(stored_after) != len(shown) + len(answer["before"]["spans"]["d1"]):
        raise AssertionError("what the window showed is not what is stored")
    if answer["recovered"] is not True:
        raise AssertionError("the window did not save once there was room again")
    model, integrity = read_model(path)
    if integrity != [("ok",)] or not shown <= {sid for (_d, sid) in model[0]}:
        raise AssertionError(f"on disk afterwards: {integrity}")
    report.refused_writes += 2
    report.acknowledged_before += len(shown)
    report.recovered += 1
    return report
