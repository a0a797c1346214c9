"""Environments for the real worker processes some tests start (on a SQLite file of their own,
or on the session's PostgreSQL test database: see the `postgres_url` fixture)."""

from __future__ import annotations

import os

from django.db import connection


def session_database_url() -> str:
    """DATABASE_URL of the database the tests run on (pytest-django's test database, once a
    test has asked for the `transactional_db` fixture as an argument: asked for later, with
    request.getfixturevalue, the first time in a session, it leaves the configured database's
    name here, and the processes would write to that database instead)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def process_env(tmp_path, database_url: str = "", **extra: str) -> dict:
    """The environment of a vnnews process: `database_url`, or else a SQLite file in `tmp_path`
    (the data folder either way), quiet logs, and `extra` variables."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vnnews.site.settings"}
    env.update(VNNEWS_DATA_DIR=str(tmp_path), VNNEWS_LOG_LEVEL="WARNING", **extra)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env
