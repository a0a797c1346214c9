"""The CPU half of an import, done ahead by worker processes while the main process writes.

Everything an item needs before the database — parse or extract, normalise, sanitise, content
hash, search keys (`news.store.prepare`) — depends only on the item, so a pool of worker
processes prepares the next chunk while the main process writes the current one (the database
work stays in one process and one transaction per chunk, as before). Results come back in the
items' order; with `workers=0` the same function runs in the main process.

Workers are forked from the main process (no start-up, and they see the same code and settings);
they never touch the database or the archive. Should the pool fail (a worker killed), the chunk
is prepared in the main process and the import goes on without pool; a chunk holding an item that
cannot be sent (pickled) is prepared in the main process, and the pool goes on with the next.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from itertools import batched, chain

from vnnews.news.importers.base import Item, ParseFailed
from vnnews.news.store import ArchivedPage, ItemFailed, Prepared, prepare, run_extractor

log = logging.getLogger("vnnews.import")


def default_workers() -> int:
    """Two workers on a machine with two cores or more (the main process mostly waits on the
    database meanwhile); none on a single core, where a pool only adds copying."""
    return 2 if (os.cpu_count() or 1) >= 2 else 0


def _start_worker(parent: int) -> None:
    """Worker initializer: leave as soon as the main process is gone. A `kill -9` of the import
    must not leave workers behind waiting for work forever (they hold the task pipe open
    themselves, so they would never see it close)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="vnnews-import-parent", daemon=True).start()


def prepare_item(item: Item) -> Prepared:
    """`news.store.prepare` of the item's article (parsed, or extracted from its raw page), with
    its search keys, and a raw page's WARC record; any failure is a Prepared naming its stage
    (parse, extract, validate...)."""
    if item.body is None:
        try:
            article = item.parse()
        except ParseFailed as exc:
            return Prepared(url=exc.url, stage="parse", reason=exc.reason)
        except Exception as exc:
            return Prepared(url=item.url, stage="parse", reason=f"{type(exc).__name__}: {exc}")
        return _prepared(item, article)
    # An item's raw hash is its body's SHA-256 (base.Item): not computed a second time.
    archived = ArchivedPage.build(
        item.url, item.body, item.headers, item.fetched_at, sha256=item.raw_hash
    )
    try:
        article = run_extractor(item.body, item.url)
    except ItemFailed as exc:
        return Prepared(url=item.url, stage=exc.stage, reason=exc.reason, archived=archived)
    prepared = _prepared(item, article)
    prepared.archived = archived
    return prepared


def _prepared(item: Item, article) -> Prepared:
    try:
        return prepare(article, ahead=True)
    except Exception as exc:  # a normaliser or sanitiser bug fails this item, not the batch
        url = item.url or article.url  # a JSON line's address is known once it is parsed
        log.exception("url=%s stage=prepare", url)
        return Prepared(url=url, stage="prepare", reason=f"{type(exc).__name__}: {exc}")


def _prepare_parcel(parcel: bytes) -> list[Prepared]:
    """prepare_item of each item of a pickled list (in a worker process)."""
    return [prepare_item(item) for item in pickle.loads(parcel)]


class Preparer:
    """Prepares lists of items, in a process pool when `workers` > 0. `submit` returns at once;
    calling what it returns gives the results (waiting for the pool if need be)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool: Executor | None = None

    def submit(self, items: list[Item]) -> Callable[[], list[Prepared]]:
        if not items or self.workers <= 0:
            return lambda: [prepare_item(item) for item in items]
        size = max(1, len(items) // (self.workers * 4))
        try:
            # Pickled here rather than by the pool's feeder thread: an item that cannot be
            # pickled fails now, and its chunk is prepared in this process with the pool left
            # as it was. Failing in the feeder thread, it could deadlock the pool's shutdown
            # (CPython 3.12: its manager thread and feeder thread then wait for each other).
            parcels = [pickle.dumps(part, pickle.HIGHEST_PROTOCOL) for part in batched(items, size)]
        except Exception as exc:
            log.warning(
                "stage=prepare chunk_from=%s reason=%s: this chunk is prepared in the main process",
                items[0].key,
                exc,
            )
            return lambda: [prepare_item(item) for item in items]
        try:
            if self.pool is None:
                self.pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            results = self.pool.map(_prepare_parcel, parcels)
        except Exception as exc:
            return self._without_pool(items, exc)

        def collect() -> list[Prepared]:
            try:
                return list(chain.from_iterable(results))
            except Exception as exc:
                return self._without_pool(items, exc)()

        return collect

    def _without_pool(self, items: list[Item], exc: Exception) -> Callable[[], list[Prepared]]:
        log.warning("stage=prepare reason=%s: preparing in the main process from now on", exc)
        self.close()
        self.workers = 0
        return self.submit(items)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
