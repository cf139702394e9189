"""Atomic file replacement: an interrupted write leaves the old file or the complete new one.

``atomic_write`` writes to a temporary file in the destination's folder,
flushes and fsyncs it, then ``os.replace``-s it over the destination (and
fsyncs the folder where the platform allows). On any error the temporary file
is removed and the destination is left as it was. A process killed outright
may leave a hidden ``.NAME.*.tmp`` file behind, never a half-written NAME.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from annotator.core.errors import AnnotatorError


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def _create_temp(target: Path) -> Path:
    """Create an empty, exclusive temporary file next to ``target`` (mode follows the umask)."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name next to {target}")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # folders cannot be opened for fsync on Windows; os.replace is durable enough there
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _check_target(path: Path) -> Path:
    name = str(path)
    if path.is_dir():
        raise AnnotatorError(f"{name}: is a folder, not a file")
    target = path.resolve() if path.is_symlink() else path
    if not target.parent.is_dir():
        raise AnnotatorError(f"{name}: folder {target.parent} does not exist")
    return target


@contextlib.contextmanager
def atomic_write(
    path: str | Path,
    *,
    mode: str = "w",
    encoding: str = "utf-8",
    newline: str = "",
) -> Iterator[IO[Any]]:
    """Open a temporary file to write ``path``'s new content; install it only on success.

    ``mode`` is ``"w"`` (text, with ``encoding`` and ``newline``; the default
    ``newline=""`` writes line endings exactly as given) or ``"wb"``. OS errors
    while creating, writing or installing the file become an ``AnnotatorError``
    naming ``path``; errors raised by the caller's block propagate unchanged.
    Either way the temporary file is removed and ``path`` is untouched.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    name = str(path)
    target = _check_target(path)
    try:
        tmp = _create_temp(target)
    except OSError as e:
        raise AnnotatorError(f"{name}: cannot write ({_reason(e)})") from None
    try:
        _copy_mode(target, tmp)
        if mode == "wb":
            f: IO[Any] = open(tmp, "wb")  # noqa: SIM115 - closed below, before the replace
        else:
            f = open(tmp, "w", encoding=encoding, newline=newline)  # noqa: SIM115
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as e:
        _remove(tmp)
        if e.filename not in (None, str(tmp), os.fspath(tmp), str(target)):
            raise  # an error from some other file the caller touched: not ours to rename
        raise AnnotatorError(f"{name}: cannot write ({_reason(e)})") from None
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(target.parent)


def _copy_mode(target: Path, tmp: Path) -> None:
    """Keep an existing file's permissions when replacing it."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return
    os.chmod(tmp, stat.S_IMODE(st.st_mode))


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


class WriteBehind:
    """Starts the disk write of a large file's written part while more is being made.

    ``atomic_write`` fsyncs the file before installing it; for a file of
    hundreds of MB that fsync would wait for all of it at the end. Calling
    ``wrote(total)`` after each write starts the write of every further
    ``step`` bytes at once, without waiting (Linux: ``posix_fadvise``
    ``DONTNEED``, which starts write-back of dirty pages; pages still being
    written stay cached), so the final fsync has only the tail left. Elsewhere,
    or when the file system declines, it does nothing.
    """

    __slots__ = ("_f", "_started", "_step")

    def __init__(self, f: IO[Any], step: int = 32 << 20) -> None:
        self._f = f if hasattr(os, "posix_fadvise") else None
        self._started = 0
        self._step = step

    def wrote(self, total: int) -> None:
        """``total``: bytes written to the file so far."""
        if self._f is None or total - self._started < self._step:
            return
        try:
            self._f.flush()
            os.posix_fadvise(  # type: ignore[attr-defined,unused-ignore]
                self._f.fileno(),
                self._started,
                total - self._started,
                os.POSIX_FADV_DONTNEED,  # type: ignore[attr-defined,unused-ignore]
            )
        except (OSError, ValueError, AttributeError):
            self._f = None  # not a real file, or not supported here: the fsync does it all
            return
        self._started = total
