"""Where an export writes: one file, a folder or a zip archive, each replaced all at once.

``FileOutput`` is ``atomic_write`` plus the file's SHA-256 for the dataset
card. ``TreeOutput`` collects several files (brat, XMI) in a hidden temporary
folder, or in a temporary zip archive, next to the destination, and moves it
into place only when the export completed: an interrupted export leaves the
old folder (or archive) or the complete new one.

An existing destination folder is replaced only if it is empty or holds a
previous Annotator export (its README.md dataset card says so): an export can
never wipe out a folder of someone's own files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from annotator.core.errors import AnnotatorError
from annotator.io.atomic import atomic_write

if TYPE_CHECKING:
    import zipfile

#: The first line of every dataset card: how exports (and imports) recognise one.
CARD_MARKER = "<!-- annotator:dataset-card -->"
CARD_NAME = "README.md"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_dataset_card(path: Path) -> bool:
    """Whether a file is a dataset card written by an export (skipped by imports)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(CARD_MARKER.encode()) + 3)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(CARD_MARKER.encode())


class WrittenFile:
    """A file an export wrote, for the dataset card."""

    __slots__ = ("name", "sha256", "size")

    def __init__(self, name: str, size: int, sha256: str) -> None:
        self.name = name
        self.size = size
        self.sha256 = sha256


@contextlib.contextmanager
def file_output(path: Path, *, binary: bool = False, encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """``atomic_write`` in text (newline="") or binary mode."""
    if binary:
        with atomic_write(path, mode="wb") as f:
            yield f
    else:
        with atomic_write(path, mode="w", encoding=encoding, newline="") as f:
            yield f


def describe_file(path: Path, name: str | None = None) -> WrittenFile:
    return WrittenFile(name or path.name, path.stat().st_size, sha256_of(path))


class TreeOutput:
    """Files written under one destination: a folder, or a .zip archive."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.zip = dest.suffix.lower() == ".zip"
        self.files: list[WrittenFile] = []
        self._names: set[str] = set()
        self._tmp: Path | None = None
        self._zip: zipfile.ZipFile | None = None
        self._zip_cm: Any = None

    # ---- lifecycle ----------------------------------------------------
    def __enter__(self) -> TreeOutput:
        dest = self.dest
        name = str(dest)
        if not dest.parent.is_dir():
            raise AnnotatorError(f"{name}: folder {dest.parent} does not exist")
        if self.zip:
            if dest.is_dir():
                raise AnnotatorError(f"{name}: is a folder, not a zip file")
            self._zip_cm = atomic_write(dest, mode="wb")
            handle = self._zip_cm.__enter__()
            import zipfile  # (on first use: most exports write no archive)

            self._zip = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
            return self
        if dest.exists() and not dest.is_dir():
            raise AnnotatorError(f"{name}: exists and is a file; this format writes a folder")
        if dest.is_dir() and any(dest.iterdir()) and not is_dataset_card(dest / CARD_NAME):
            raise AnnotatorError(
                f"{name}: the folder exists and is not an earlier Annotator export; "
                "choose a new folder (its files would be replaced)"
            )
        for _ in range(100):
            tmp = dest.with_name(f".{dest.name}.{os.urandom(4).hex()}.tmp")
            try:
                tmp.mkdir()
            except FileExistsError:
                continue
            except OSError as e:
                raise AnnotatorError(f"{name}: cannot write ({e.strerror or e})") from None
            self._tmp = tmp
            return self
        raise AnnotatorError(f"{name}: no free temporary name")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self._commit()
        else:
            self._abort(exc_type, exc, tb)

    def _commit(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip_cm.__exit__(None, None, None)
            return
        assert self._tmp is not None
        dest = self.dest
        old: Path | None = None
        if hasattr(os, "sync"):
            os.sync()  # the files' data reaches the disk before the rename that publishes them
        try:
            if dest.exists():
                old = dest.with_name(f".{dest.name}.{os.urandom(4).hex()}.old")
                os.replace(dest, old)
            os.replace(self._tmp, dest)
        except OSError as e:
            if old is not None and not dest.exists():
                with contextlib.suppress(OSError):
                    os.replace(old, dest)
            _rmtree(self._tmp, ignore_errors=True)
            raise AnnotatorError(f"{dest}: cannot write ({e.strerror or e})") from None
        if old is not None:
            _rmtree(old, ignore_errors=True)

    def _abort(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._zip is not None:
            with contextlib.suppress(Exception):
                self._zip.close()
            self._zip_cm.__exit__(exc_type, exc, tb)
            return
        if self._tmp is not None:
            _rmtree(self._tmp, ignore_errors=True)

    # ---- writing ------------------------------------------------------
    def _claim(self, rel: str) -> str:
        parts = PurePosixPath(rel).parts
        if not parts or any(p in ("", ".", "..") for p in parts) or rel.startswith("/"):
            raise ValueError(f"bad relative path {rel!r}")
        if rel in self._names:
            raise ValueError(f"{rel!r} written twice")
        self._names.add(rel)
        return rel

    def write_bytes(self, rel: str, data: bytes) -> None:
        rel = self._claim(rel)
        self.files.append(WrittenFile(rel, len(data), hashlib.sha256(data).hexdigest()))
        if self._zip is not None:
            self._zip.writestr(rel, data)
            return
        assert self._tmp is not None
        target = self._tmp.joinpath(*PurePosixPath(rel).parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
        except OSError as e:
            raise AnnotatorError(f"{self.dest}: cannot write {rel} ({e.strerror or e})") from None

    def write_text(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def has(self, rel: str) -> bool:
        return rel in self._names


def _rmtree(path: Path, *, ignore_errors: bool = False) -> None:
    import shutil  # (on first use: not needed to start)

    shutil.rmtree(path, ignore_errors=ignore_errors)
