"""Project files known to be sound and unchanged since: their ``quick_check`` is skipped.

Opening one's own project runs ``PRAGMA quick_check``, which reads the whole
file (a third of a second for 240 MB). A file that has not changed since it
last passed, or since a session that had checked it closed it cleanly, need
not be read again: this module remembers, per file, a stamp of what it was
then: device, inode, size, modification time (ns) and SQLite's file change
counter from the header (which every committed write transaction increments,
so a write within the clock's resolution still shows). Any write by anyone,
a copy over it, a hot journal beside it: the stamp differs and the check runs.

A file modified less than ``RACY_SECONDS`` before it is stamped is not
stamped: a later change within the file system's timestamp resolution (two
seconds on FAT) could leave the same size and time (git's "racily clean"
problem). So a session that wrote just before closing leaves the next open to
check; that check then stamps the file.

The stamps live in a small JSON file in the user cache folder
(``ANNOTATOR_CACHE_DIR`` overrides it); losing it only costs a check.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

_FILE = "verified-projects.json"
#: Stamps kept (the most recent ones).
_KEEP = 256
#: A stamp is only taken of a file last modified at least this long before.
RACY_SECONDS = 2.5
#: SQLite's header: file change counter (24..28) and "version-valid-for" (92..96).
_HEADER = 100


def cache_dir() -> Path:
    override = os.environ.get("ANNOTATOR_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("Annotator", appauthor=False))


def _stamp(path: Path) -> tuple[str, list[int | str]] | None:
    try:
        real = os.path.realpath(path)
        with open(real, "rb") as f:
            st = os.fstat(f.fileno())
            head = f.read(_HEADER)
    except OSError:
        return None
    if len(head) < _HEADER:
        return None
    return real, [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, head[24:28].hex(), head[92:96].hex()]


def _load() -> dict[str, list[int | str]]:
    try:
        data = json.loads((cache_dir() / _FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_unchanged(path: Path) -> bool:
    """Whether the file is exactly as when it was last remembered as sound."""
    stamp = _stamp(path)
    return stamp is not None and _load().get(stamp[0]) == stamp[1]


def remember(path: Path) -> None:
    """Note the file, as it is now, as sound (after a check, or a clean session)."""
    stamp = _stamp(path)
    if stamp is None:
        return
    entries = _load()
    if time.time_ns() - int(stamp[1][3]) < RACY_SECONDS * 1e9:
        if entries.pop(stamp[0], None) is not None:
            _save(entries)
        return
    entries.pop(stamp[0], None)
    entries[stamp[0]] = stamp[1]  # last: the newest
    _save(dict(list(entries.items())[-_KEEP:]))


def forget(path: Path) -> None:
    entries = _load()
    if entries.pop(os.path.realpath(path), None) is not None:
        _save(entries)


def _save(entries: dict[str, list[int | str]]) -> None:
    folder = cache_dir()
    tmp = folder / f".{_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"  # each writer its own
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            tmp.write_text(json.dumps(entries), encoding="utf-8")
            os.replace(tmp, folder / _FILE)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a cache: without it the next open checks the file again
