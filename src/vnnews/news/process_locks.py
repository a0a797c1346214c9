"""One lock shared by every process on the same database, for work that must run in one process
at a time: the story assignment's settling and writing (stories_sync) and the story grouper
(story_grouper). Each caller picks its own key and file name, so the two never wait on each other.

    with database_lock(_PG_KEY, ".my-lock", blocking=False) as held:
        if held:
            ...  # no other process holds this lock meanwhile

Which lock depends on where the rows are:

- Inside a caller's transaction nothing is taken (yields True): no other process sees what the
  transaction writes until it commits, so there is nothing to keep in order with them, and a
  lock let go before that commit would let the next holder miss those writes, while one held
  to the commit could deadlock with the rows the transaction locks. The caller (tests, a
  single-process import) must be the only process doing this work then.
- SQLite: a file lock (flock) on a file beside the database file (`<database file><suffix>`).
  SQLite itself has no lock a process can hold while others go on reading and writing (its
  write transaction locks the whole database); every process that opens that database finds
  the same file next to it, and the kernel lets the lock go with the process that held it, so a
  killed holder never keeps it. Each open() is a lock of its own: two in one process conflict.
- PostgreSQL: a session advisory lock on `key`. It belongs to the connection, not to a
  transaction or to any row, so it spans the caller's transactions without blocking readers or
  writers; processes on every machine that uses the database share it, and the server lets it
  go when the connection ends (a dead process's included).
- An in-memory SQLite database (or no POSIX fcntl, or another database): no other process can
  share it, so nothing is taken (yields True).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: nothing is serialised on SQLite
    fcntl = None


@contextmanager
def database_lock(key: int, suffix: str, *, blocking: bool) -> Iterator[bool]:
    """Hold the lock `key` (PostgreSQL's advisory lock) or `<SQLite file><suffix>` (a file lock)
    while the block runs; yields whether it is held. `blocking`: wait for another process to
    let it go; otherwise yield False at once when another holds it (see the module docstring
    for when nothing needs taking: then True)."""
    if connection.in_atomic_block:
        yield True
    elif connection.vendor == "postgresql":
        with _advisory_lock(key, blocking) as held:
            yield held
    elif connection.vendor == "sqlite" and fcntl and _database_file():
        with _file_lock(_database_file() + suffix, blocking) as held:
            yield held
    else:
        yield True


def _database_file() -> str:
    """The SQLite database's file name; empty for an in-memory database."""
    name = str(connection.settings_dict.get("NAME") or "")
    return "" if not name or connection.is_in_memory_db() else name


@contextmanager
def _advisory_lock(key: int, blocking: bool) -> Iterator[bool]:
    with connection.cursor() as cursor:
        if blocking:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
            held = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            # A lost connection took the lock with it (a session lock ends with its session),
            # so there is nothing to let go then, and the error the block met (which the
            # caller handles, e.g. by connecting again) must not turn into the unlock's. On a
            # live connection outside a transaction the unlock itself does not fail.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextmanager
def _file_lock(path: str, blocking: bool) -> Iterator[bool]:
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held = False
        else:
            held = True
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)
