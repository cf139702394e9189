"""Where the shipped files live: the default scheme, icons, styles and the sample articles.

In a source checkout they are the repository's ``resources/`` and ``seeds/``;
in a wheel or bundle they are copied into the package as ``_resources`` and
``_seeds``. Nothing here ever reads outside those two places.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.scheme import Scheme

_PKG = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[0]


def resources_dir() -> Path:
    return _first_existing(_PKG / "_resources", _PKG.parent.parent / "resources")


def seeds_dir() -> Path:
    return _first_existing(_PKG / "_seeds", _PKG.parent.parent / "seeds")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def user_guide() -> Path | None:
    """The user guide shipped in the repository (docs/user-guide.md), if this copy has it."""
    for candidate in (_PKG / "_docs" / "user-guide.md", _PKG.parent.parent / "docs" / "user-guide.md"):
        if candidate.is_file():
            return candidate
    return None


def sample_article() -> Path:
    """The sample article every new default project starts with."""
    return seeds_dir() / "000_8780c45163dbb04d.txt"


def default_scheme() -> Scheme:
    path = resource("scheme", "default.json")
    return Scheme.from_dict(json.loads(path.read_text(encoding="utf-8")), where=str(path))
