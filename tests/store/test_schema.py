"""The schema allow-list is built without sqlite-utils; it must equal what sqlite-utils builds."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from annotator.store.schema import SCHEMA_VERSION, STEPS, expected_objects, migrations, objects_of


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_expected_objects_match_the_real_migrations(version: int) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = Database(conn, execute_plugins=False)
    stop = STEPS[version][0] if version < len(STEPS) else None
    migrations().apply(db, stop_before=stop)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert objects_of(conn) == expected_objects(version)


def test_every_step_sets_its_version() -> None:
    assert len(STEPS) == SCHEMA_VERSION
