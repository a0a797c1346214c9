"""Processes that share a database take turns through one lock (news/process_locks.py): a file
lock beside the SQLite file, an advisory lock on PostgreSQL; nothing is taken inside a caller's
transaction or on an in-memory database. "Another process" here is another thread: it has a
connection of its own (PostgreSQL's lock belongs to the connection) and opens the lock file
itself (a file lock belongs to the open file, so two opens in one process conflict)."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections, transaction

from tests.test_workers import wait_for
from vnnews.news.process_locks import database_lock

KEY = 0x766E6E65777300FF  # the tests' own: neither the grouper's nor the assignment's
SUFFIX = ".test-lock"
ON_POSTGRESQL = connection.vendor == "postgresql"
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="advisory locks: runs when the tests run on PostgreSQL "
    "(DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)",
)
needs_sqlite = pytest.mark.skipif(
    ON_POSTGRESQL, reason="the SQLite file lock: runs when the tests run on SQLite"
)


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The tests' database as worker processes share it: on PostgreSQL the test database, its
    writes committed; on SQLite a database file in tmp_path (the tests' own SQLite database is
    in memory, where no other process could share it, so no lock is taken there)."""
    if ON_POSTGRESQL:
        yield tmp_path
        return
    connection.ensure_connection()  # on the in-memory test database, kept open meanwhile
    database, test_name = connection.settings_dict, connection.settings_dict["NAME"]
    database["NAME"] = str(tmp_path / "vnnews.sqlite3")  # seen by every thread's connection
    try:
        yield tmp_path
    finally:
        database["NAME"] = test_name


def start_another_process(work, result: dict | None = None) -> threading.Thread:
    """Run `work()` on a connection of its own (see the module docstring); what it returns goes
    in `result["value"]`."""
    result = {} if result is None else result

    def run():
        try:
            result["value"] = work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def in_another_process(work):
    """What `work()` returns, run on a connection of its own."""
    result = {}
    thread = start_another_process(work, result)
    thread.join(60)
    assert not thread.is_alive(), "the other process is still waiting"
    return result["value"]


def free_for_another_process() -> bool:
    """Whether another process would get the lock now (it lets it go at once)."""

    def try_it():
        with database_lock(KEY, SUFFIX, blocking=False) as held:
            return held

    return in_another_process(try_it)


def test_while_one_process_holds_the_lock_another_is_refused_at_once(shared_database):
    with database_lock(KEY, SUFFIX, blocking=False) as held:
        assert held
        assert not free_for_another_process()
    assert free_for_another_process()  # let go at the end of the block


def test_a_process_that_waits_for_the_lock_gets_it_once_the_holder_lets_go(shared_database):
    events, started = [], threading.Event()

    def wait_for_the_lock():
        started.set()
        with database_lock(KEY, SUFFIX, blocking=True) as held:
            events.append(("taken", held))

    with database_lock(KEY, SUFFIX, blocking=True) as held:
        assert held
        waiter = start_another_process(wait_for_the_lock)
        assert started.wait(30)
        if ON_POSTGRESQL:
            wait_for(lambda: waiting_for_advisory_lock() == 1, 30, "the waiter to ask for it")
        else:
            wait_for(
                lambda: flock_waiters(lock_file(shared_database)) == 1, 30, "the waiter to block"
            )
        assert events == []  # still waiting
        events.append(("let go", True))
    waiter.join(60)
    assert events == [("let go", True), ("taken", True)]


def lock_file(shared_database):
    return shared_database / f"vnnews.sqlite3{SUFFIX}"


def flock_waiters(path) -> int:
    """How many flock requests on `path` the kernel has blocked: /proc/locks shows each as a
    "->" line under the lock it waits for, with the file's device and inode."""
    found = path.stat()
    where = f"{os.major(found.st_dev):02x}:{os.minor(found.st_dev):02x}:{found.st_ino} "
    with open("/proc/locks") as locks:
        return sum(1 for line in locks if " -> FLOCK " in line and where in line)


def test_inside_a_transaction_nothing_is_taken(shared_database):
    with transaction.atomic():
        for blocking in (False, True):
            with database_lock(KEY, SUFFIX, blocking=blocking) as held:
                assert held  # go ahead: no other process sees this transaction's rows
                assert free_for_another_process()


@needs_sqlite
def test_on_sqlite_the_lock_is_a_file_beside_the_database_file(shared_database):
    with database_lock(KEY, SUFFIX, blocking=False):
        assert lock_file(shared_database).is_file()


@needs_sqlite
def test_a_database_file_whose_name_says_memory_is_still_locked(shared_database):
    connection.settings_dict["NAME"] = str(shared_database / "memory.sqlite3")
    with database_lock(KEY, SUFFIX, blocking=False) as held:
        assert held and not free_for_another_process()


@needs_sqlite
def test_an_in_memory_database_takes_no_lock(shared_database, monkeypatch):
    monkeypatch.chdir(shared_database)
    for name in (":memory:", "file:memorydb_default?mode=memory&cache=shared"):
        connection.settings_dict["NAME"] = name
        with database_lock(KEY, SUFFIX, blocking=False) as held:
            assert held and free_for_another_process()  # no other process can share it
    assert list(shared_database.iterdir()) == []  # and no lock file was made


def advisory_lock_holders() -> list[int]:
    """The server processes (pids) holding the tests' advisory lock, seen from another
    connection."""
    return in_another_process(lambda: _advisory_lock_pids(granted=True))


def waiting_for_advisory_lock() -> int:
    return len(in_another_process(lambda: _advisory_lock_pids(granted=False)))


def _advisory_lock_pids(granted: bool) -> list[int]:
    # A bigint key shows as its high and low 32 bits, objsubid 1.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND objsubid = 1 AND granted = %s",
            [KEY >> 32, KEY & 0xFFFFFFFF, granted],
        )
        return [pid for (pid,) in cursor.fetchall()]


def own_server_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@needs_postgresql
@pytest.mark.parametrize("blocking", [False, True], ids=["trying", "waiting"])
def test_on_postgresql_the_connection_holds_an_advisory_lock(shared_database, blocking):
    with database_lock(KEY, SUFFIX, blocking=blocking) as held:
        assert held
        assert advisory_lock_holders() == [own_server_pid()]
    assert advisory_lock_holders() == []


@needs_postgresql
@pytest.mark.parametrize("blocking", [False, True], ids=["trying", "waiting"])
def test_on_postgresql_a_lost_connection_took_the_lock_with_it(shared_database, blocking):
    """Leaving the block does not fail on the dead connection (the unlock's error would hide
    the one the block met, which the caller handles by connecting again), and no other
    process waits for a lock that went with the connection."""
    with database_lock(KEY, SUFFIX, blocking=blocking):
        pid = own_server_pid()
        in_another_process(lambda: _terminate(pid))
    connection.close()  # the next query connects again, as the grouper's loop does
    assert advisory_lock_holders() == []
    assert free_for_another_process()


def _terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])  # waits until it is gone
