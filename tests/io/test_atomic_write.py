"""atomic_write: the old file or the complete new one, never a mixture or a leftover."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from annotator.core.errors import AnnotatorError
from annotator.io.atomic import WriteBehind, atomic_write


def test_writes_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with atomic_write(path) as f:
        f.write("a\nb\r\nc\u2028")
    assert path.read_bytes() == "a\nb\r\nc\u2028".encode()
    assert os.listdir(tmp_path) == ["out.txt"]


def test_binary_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    with atomic_write(path, mode="wb") as f:
        f.write(b"\x00\xff")
    assert path.read_bytes() == b"\x00\xff"


def test_error_keeps_old_file_and_removes_temp(tmp_path: Path) -> None:
    path = tmp_path / "keep.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(path) as f:
        f.write("half of the new")
        raise RuntimeError("interrupted")
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["keep.txt"]


def test_keyboard_interrupt_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_write(path) as f:
        f.write("new")
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["keep.txt"]


def test_encoding_error_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError), atomic_write(path, encoding="ascii") as f:
        f.write("caf\u00e9")
        f.flush()
    assert path.read_text(encoding="utf-8") == "old"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_existing_permissions_kept(tmp_path: Path) -> None:
    path = tmp_path / "shared.txt"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    with atomic_write(path) as f:
        f.write("new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_new_file_follows_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.txt") as f:
            f.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_symlink_target_replaced_link_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    try:
        link.symlink_to(real)
    except OSError:
        pytest.skip("no symlinks here")
    with atomic_write(link) as f:
        f.write("new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_folder_and_missing_parent(tmp_path: Path) -> None:
    with pytest.raises(AnnotatorError, match="is a folder"), atomic_write(tmp_path):
        pass
    with pytest.raises(AnnotatorError, match="does not exist"), atomic_write(tmp_path / "a" / "b"):
        pass


def test_bad_mode() -> None:
    with pytest.raises(ValueError), atomic_write("x", mode="a"):
        pass


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_write_behind_starts_each_step_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.posix_fadvise
    started: list[tuple[int, int]] = []

    def spy(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_DONTNEED
        assert os.fstat(fd).st_size >= offset + length  # flushed before it is asked for
        started.append((offset, length))
        real(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", spy)
    path = tmp_path / "big.bin"
    with atomic_write(path, mode="wb") as f:
        behind = WriteBehind(f, step=10)
        total = 0
        for piece in (b"a" * 4, b"b" * 7, b"c" * 3, b"d" * 12, b"e" * 2):
            f.write(piece)
            total += len(piece)
            behind.wrote(total)
    assert path.read_bytes() == b"a" * 4 + b"b" * 7 + b"c" * 3 + b"d" * 12 + b"e" * 2
    assert started == [(0, 11), (11, 15)]  # at 11 and 26 bytes; the last 2 are the fsync's


def test_write_behind_gives_up_quietly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    behind = WriteBehind(io.BytesIO(b"x" * 100), step=1)  # no file descriptor
    behind.wrote(50)
    behind.wrote(100)

    calls = 0

    def refuse(*args: object) -> None:
        nonlocal calls
        calls += 1
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "posix_fadvise", refuse, raising=False)
    path = tmp_path / "out.bin"
    with atomic_write(path, mode="wb") as f:
        behind = WriteBehind(f, step=1)
        for i in range(1, 4):
            f.write(b"z")
            behind.wrote(i)
    assert path.read_bytes() == b"zzz"
    assert calls == 1  # refused once, not asked again
