"""One writer per project: an advisory lock held while a project is open for writing.

SQLite's own locking already keeps every transaction whole, but two windows
editing the same file would each show a stale picture of the other's work.
So a second instance is told the project is "already open" and offered a
read-only view instead. The lock is an OS lock on a small ``<project>.lock``
file beside the project: it disappears with the process that held it, so a
crash never leaves a project locked.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from annotator.core.errors import AnnotatorError


class ProjectLocked(AnnotatorError):
    """The project is open for writing in another process."""


def lock_path(project: Path) -> Path:
    # the real file's name: a symlink to an open project must find the same lock
    real = Path(os.path.realpath(project))
    return real.with_name(real.name + ".lock")


class ProjectLock:
    def __init__(self, project: Path) -> None:
        self.project = project
        self.path = lock_path(project)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise ``ProjectLocked`` naming who holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return  # a read-only folder: nobody else can write there either
        if not _try_lock(fd):
            holder = _read(fd)
            os.close(fd)
            raise ProjectLocked(
                f"{self.project} is already open in another Annotator window"
                + (f" ({holder})" if holder else "")
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {_host()}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing drops the OS lock; the empty file stays (deleting it races)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _read(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 200).decode("utf-8", "replace").strip()
    except OSError:
        return ""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


def _host() -> str:
    """This computer's name, for the lock file (``os.uname``: no ``socket`` import at start-up)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket  # Windows

    return socket.gethostname()
