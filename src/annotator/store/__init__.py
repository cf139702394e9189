"""The only user of sqlite3 and sqlite-utils: one project is one SQLite file.

``open_project`` opens (or creates) one's own project for writing;
``open_received`` (see ``received.py``) opens a colleague's file read-only after
checking it. Both refuse files that are not ours, damaged, or too new.
"""

from typing import TYPE_CHECKING, Any

from annotator.store.project import Project, open_project

if TYPE_CHECKING:
    from annotator.store.received import ReceivedProject, open_received

__all__ = ["Project", "ReceivedProject", "open_project", "open_received"]


def __getattr__(name: str) -> Any:
    """``open_received`` and ``ReceivedProject`` load on first use (not at app start-up)."""
    if name in ("ReceivedProject", "open_received"):
        from annotator.store import received

        return getattr(received, name)
    raise AttributeError(name)
