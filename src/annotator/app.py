"""Composition root: where the user's data lives, the default project, and the Qt event loop.

``run`` is called by ``annotator`` with no subcommand. The default project
lives in the platformdirs user data folder and is created on first start with
the sample article from ``seeds/`` already in it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from annotator.core.errors import AnnotatorError

APP_NAME = "Annotator"
APP_ID = "io.github.annotator.Annotator"
PROJECT_SUFFIX = ".annotator"


def data_dir() -> Path:
    """Where projects live unless the user says otherwise (ANNOTATOR_DATA_DIR overrides)."""
    override = os.environ.get("ANNOTATOR_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("ANNOTATOR_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir(APP_NAME, appauthor=False))


def backup_dir() -> Path:
    """Rotating verified backups of the projects opened in the app."""
    return data_dir() / "backups"


def default_project_path() -> Path:
    return data_dir() / f"default{PROJECT_SUFFIX}"


def ensure_default_project(owner: str | None = None) -> Path:
    """Create the default project with the sample article the first time; return its path."""
    path = default_project_path()
    if path.exists():
        return path
    from annotator.io.importer import import_paths
    from annotator.resources import default_scheme, sample_article
    from annotator.store import open_project

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    with open_project(tmp, create=True, owner=owner, scheme=default_scheme()) as project:
        import_paths(project, [sample_article()])
    os.replace(tmp, path)
    return path


def ensure_demo_project() -> Path:
    """Build the demo project from the JSONL kept in ``seeds/demo`` once; return its path.

    Its owner is the demo's annotator, so the finished annotations show and can be edited.
    """
    from annotator.io.importer import import_paths
    from annotator.resources import default_scheme, seeds_dir
    from annotator.store import open_project

    sources = sorted((seeds_dir() / "demo").glob("*.jsonl"))
    if not sources:
        raise AnnotatorError(f"no demo data in {seeds_dir() / 'demo'}")
    path = data_dir() / f"demo{PROJECT_SUFFIX}"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    with open_project(tmp, create=True, owner="demo", scheme=default_scheme()) as project:
        import_paths(project, sources)
    os.replace(tmp, path)
    return path


def run(paths: list[Path]) -> int:
    """Start the GUI. ``paths``: a project file to open, or articles to import into it."""
    # Everything that does not need Qt is imported before PySide6: PySide6 inspects the
    # source of each module imported after it (its __feature__ hook), which costs start-up.
    import annotator.core.commands
    import annotator.store  # noqa: F401
    from annotator.ui.main_window import launch

    projects = [p for p in paths if p.suffix == PROJECT_SUFFIX]
    articles = [p for p in paths if p.suffix != PROJECT_SUFFIX]
    if len(projects) > 1:
        raise AnnotatorError("open one project at a time")
    return launch(sys.argv[:1], project=projects[0] if projects else None, imports=articles)
