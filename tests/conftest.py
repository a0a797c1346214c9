"""Shared test fixtures. Tests that read ../shared/data skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VNNEWS_SHARED_DIR", ROOT.parent / "shared"))
SHARED_DATA = SHARED / "data"
SEED = SHARED / "seed" / "000_3c0ab09296547af8.txt"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared benchmark data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def seed_text() -> str:
    # The seed is also shipped in the demo corpus; prefer the repo copy when ../shared is absent.
    for candidate in (SEED, ROOT / "data" / "demo" / "seed" / SEED.name):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pytest.skip("seed page not found")


@pytest.fixture
def postgres_url(transactional_db) -> str:
    """DATABASE_URL of the PostgreSQL test database, for worker processes the test starts (they
    see committed rows only, hence transactional_db); skips on SQLite."""
    from django.db import connection

    from tests.processes import session_database_url

    if connection.vendor != "postgresql":
        pytest.skip("runs when the tests run on PostgreSQL (DATABASE_URL)")
    return session_database_url()
