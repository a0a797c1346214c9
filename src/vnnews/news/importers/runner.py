"""Run an import: walk the paths, read each file with its importer, and store items in
transactions of a few hundred. Idempotent and resumable: items already stored with the same
origin, key and raw hash are skipped before parsing, and a killed run loses at most the open
transaction, which the next run redoes."""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

from vnnews.news.bulk import (
    PENDING,
    SAVED,
    article_signals_muted,
    begin_bulk,
    bump_content_version,
    flush_pending,
    index_articles,
    insert_new,
    wal_checkpoints_spaced,
)
from vnnews.news.importers import importer_for
from vnnews.news.importers.base import Item
from vnnews.news.importers.pipeline import Preparer, default_workers, prepare_item
from vnnews.news.models import ImportRecord, Source
from vnnews.news.store import (
    ABSENT,
    Prepared,
    absent_urls,
    failed_record,
    ingest_page,
    outlet_names,
    recorded_pairs,
    sources_ahead,
    store_article,
)

log = logging.getLogger("vnnews.import")
T = TypeVar("T")
Outcome = ImportRecord.Outcome
BATCH_SIZE = 200
MAX_LISTED = 1000
# Raw page bytes held for one chunk: memory stays flat, and raw pages (~100 KB, ~10 ms of
# extraction each) go to the workers in chunks of a few dozen, so writing one overlaps with
# preparing the next from the start of the import.
MAX_CHUNK_BYTES = 4_000_000
# Chunks being prepared by the workers while one is written: more than one, so that a worker
# descheduled on a busy machine does not leave the writer waiting (3: ~5% faster than 1 on the
# shared 2-core machine, ~20 MB more memory).
CHUNKS_AHEAD = 3
GC_YOUNG_THRESHOLD = 10_000  # allocations between young collections during an import (700)
# Files that travel with corpora and are not articles: not worth a warning.
_QUIET = ("license", "licence", "readme", "attribution", "copying", "notice", ".")
_QUIET_SUFFIXES = (".md", ".meta.json", ".sha256", ".cdx", ".cdxj")


class DatabaseUnavailable(Exception):
    """The database stayed locked by another process (SQLite) or out of reach (PostgreSQL) for
    longer than settings.IMPORT_DATABASE_WAIT while a chunk waited to be written. Every chunk
    before it is stored (`summary`); a second run goes on from `item`, the first not stored."""

    def __init__(self, item: str, reason: str, waited: float):
        super().__init__(f"{item}: {reason}")
        self.item, self.reason, self.waited = item, reason, waited
        self.summary: Summary | None = None  # what the import did before (Importer.run)

    def explain(self) -> str:
        """What a person running the import is told (in Vietnamese, as the interface speaks)."""
        return (
            f"dừng nhập: cơ sở dữ liệu không dùng được sau {self.waited:.0f} giây chờ "
            f"({self.reason}) khi ghi {self.item}. Các mục trước đó đã được lưu; chạy lại "
            "lệnh này để nhập tiếp từ mục đó (mục đã lưu được bỏ qua). Thời gian chờ: "
            "VNNEWS_IMPORT_DB_WAIT."
        )


def database_unavailable(exc: BaseException, vendor: str = "") -> bool:
    """Whether `exc` says the database cannot be used for now, rather than that something was
    wrong with what was written: SQLite's "database is locked" (another process held the write
    lock past the busy timeout), or on PostgreSQL a connection refused, lost or closed. Other
    errors (a constraint, a missing table) would only fail again: not waited for."""
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed
    if not isinstance(exc, OperationalError):
        return False
    if (vendor or connection.vendor) == "sqlite":
        return "locked" in str(exc).lower()
    # PostgreSQL: by SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    # Other OperationalErrors (a statement or lock timeout, a value too long for a tsvector,
    # out of memory or disk) would only fail again.
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate is None:
        return True  # said by the client, not the server: no connection, or a dropped one
    return sqlstate.startswith("08") or sqlstate in _POSTGRES_TRANSIENT


# Server shutting down, crashed or starting up; too many connections; deadlock or serialization
# failure (the transaction was rolled back: trying again is what the server asks for).
_POSTGRES_TRANSIENT = {"57P01", "57P02", "57P03", "53300", "40001", "40P01"}


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: str, label: str = "", reason: str = "") -> None:
        self.counts[outcome] += 1
        # Kept for the summary up to a bound: memory stays flat on a file full of bad lines (every
        # failure is also an ImportRecord, listed in the admin).
        if outcome == Outcome.FAILED and len(self.failed) < MAX_LISTED:
            self.failed.append(f"{label}: {reason}")

    def lines(self, max_failed: int = 50) -> list[str]:
        c = self.counts
        rate = self.total / self.seconds if self.seconds else 0.0
        out = [
            f"Đã xử lý {self.total} mục từ {self.files} tệp trong {self.seconds:.1f} giây ({rate:.0f} mục/giây): "
            f"tạo mới {c[Outcome.CREATED]}, cập nhật {c[Outcome.UPDATED]}, không đổi {c[Outcome.UNCHANGED]}, "
            f"bỏ qua {c[Outcome.SKIPPED]}, lỗi {c[Outcome.FAILED]}."
        ]
        if self.failed:
            out.append("Mục lỗi:")
            out += [f"  {line}" for line in self.failed[:max_failed]]
            more = c[Outcome.FAILED] - min(max_failed, len(self.failed))
            if more > 0:
                out.append(f"  … và {more} mục lỗi khác (xem bản ghi nhập trong trang quản trị)")
        if self.unknown:
            out.append("Tệp không rõ định dạng (bỏ qua):")
            out += [f"  {name}" for name in self.unknown]
        if self.missing:
            out.append("Không tìm thấy:")
            out += [f"  {name}" for name in self.missing]
        return out


def walk(paths: Iterable[str | Path], summary: Summary) -> Iterator[Path]:
    """Every file under `paths`, in a stable order; folders are read recursively, one directory
    listing at a time (a tree of millions of files is never listed into memory at once).
    Paths given that overlap (one given twice, a folder and a file or folder in it, in either
    order) give each file once: a file read twice in one run would be recorded twice."""
    files_given: set[str] = set()  # real paths (os.path.realpath: no error on a symlink loop)
    names_given: set[str] = set()
    folders_walked: set[str] = set()
    for given in paths:
        path = Path(given)
        real = os.path.realpath(path)
        if path.exists() and (real in files_given or _inside(real, folders_walked)):
            continue
        if path.is_file():
            files_given.add(real)
            names_given.add(path.name)
            yield path
        elif path.is_dir():
            folders_walked.add(real)
            for folder, dirs, files in os.walk(path):
                # A folder given before this one, met again inside it: read once already.
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".")
                    and os.path.realpath(os.path.join(folder, d)) not in folders_walked
                )
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    file = Path(folder) / name
                    # A file given on its own (under its name, or through a link to it).
                    given = files_given and (name in names_given or file.is_symlink())
                    if not (given and os.path.realpath(file) in files_given):
                        yield file
        else:
            summary.missing.append(str(given))


def _inside(real: str, folders: set[str]) -> bool:
    """Whether the real path `real` is one of `folders` or lies under one."""
    return any(
        real == folder or real.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders
    )


class Progress:
    """Counts and rate on stderr, via tqdm when it is a terminal or asked for."""

    def __init__(self, stream: TextIO, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                file=stream, unit=" mục", desc="Nhập", dynamic_ncols=True, mininterval=0.5
            )

    def update(self, summary: Summary, count: int) -> None:
        if self.bar is not None:
            c = summary.counts
            self.bar.set_postfix_str(
                f"mới {c[Outcome.CREATED]} · cập nhật {c[Outcome.UPDATED]} · không đổi {c[Outcome.UNCHANGED]} · lỗi {c[Outcome.FAILED]}",
                refresh=False,
            )
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Importer:
    """Reads items in the main process and writes them a chunk per transaction there; the CPU work
    of each item (parse or extract, normalise, sanitise, search keys) is done ahead by `workers`
    processes (see importers.pipeline), one chunk ahead of the writing. `workers=0`: all of it in
    this process, one chunk after the other."""

    def __init__(
        self,
        batch: str,
        *,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
        workers: int | None = None,
    ):
        self.batch = batch
        self.summary = Summary()
        self.progress = progress
        self.batch_size = batch_size
        self._sources: dict[str, Source] = {}
        self.deferred: list[ImportRecord] = []  # new records, bulk-inserted once per chunk
        self.first_new_record: ImportRecord | None = None  # of the chunk last written
        # (first new record, counts, failures) of the chunk's last attempt that failed after
        # inserting its records: its commit may have gone through unanswered (_write_waiting).
        self.unanswered: tuple | None = None
        self.memo: dict = {}  # outlets and section lookups remembered by store_article
        self.pending: list[tuple[str, Item]] = []  # (origin, item) read but not yet stored
        self.pending_bytes = 0
        self.preparer = Preparer(default_workers() if workers is None else workers)
        # Chunks handed to the preparer and not yet written (at most CHUNKS_AHEAD + 1 chunks of
        # items and their results in memory).
        self.in_flight: deque = deque()

    def source(self, item: Item) -> Source | None:
        """The Source a file names without a URL (sidecar), created on first sight."""
        if not item.source_domain:
            return None
        domain = item.source_domain.lower()
        if domain not in self._sources:
            name = item.source_name or outlet_names().get(domain) or domain
            self._sources[domain], _ = Source.objects.get_or_create(
                domain=domain, defaults={"name": name[:200], "home_url": f"https://{domain}/"}
            )
            # The store's memo too: a page of the chunk naming no outlet finds this one there
            # instead of the unsaved copy store.sources_ahead may have left for its domain.
            self.memo[("source", domain)] = self._sources[domain]
        return self._sources[domain]

    def store(
        self, origin: str, item: Item, fresh: bool = False, prepared: Prepared | None = None
    ) -> str:
        """Store one item; `fresh` when it has no import record yet; `prepared` when its CPU work
        is done already (pipeline.prepare_item)."""
        common = {
            "batch": self.batch,
            "origin": origin,
            "item_key": item.key,
            "item_hash": item.raw_hash,
            "fresh": fresh,
            "defer": self.deferred,
        }
        if item.failed:
            failed_record(**common, url=item.url, stage="parse", reason=item.failed)
            return self._count(Outcome.FAILED, origin, item, "parse", item.failed)
        if item.skipped:
            return self._count(Outcome.SKIPPED, origin, item)
        if item.body is not None:
            record = ingest_page(
                item.url, item.body, headers=item.headers, fetched_at=item.fetched_at,
                source=self.source(item), memo=self.memo, prepared=prepared, **common,
            )  # fmt: skip
        else:
            if prepared is None:
                prepared = prepare_item(item)
            if prepared.stage == "parse":
                failed_record(**common, url=prepared.url, stage="parse", reason=prepared.reason)
                return self._count(Outcome.FAILED, origin, item, "parse", prepared.reason,
                                   url=prepared.url)  # fmt: skip
            record = store_article(
                None, source=self.source(item), raw_page=None, memo=self.memo,
                prepared=prepared, **common,
            )  # fmt: skip
        return self._count(record.outcome, origin, item, record.stage, record.reason, record.url)

    def _count(
        self,
        outcome: str,
        origin: str,
        item: Item,
        stage: str = "",
        reason: str = "",
        url: str = "",
    ) -> str:
        """`url`: the address the item's record names, for an item read without one (a JSON
        line is parsed by a worker)."""
        url = item.url or url
        label = _label(origin, item) + (f" ({url})" if url else "")
        self.summary.add(outcome, label, f"[{stage}] {reason}" if stage else reason)
        return outcome

    def import_file(self, path: Path) -> None:
        name = path.name.lower()
        if name.endswith(".meta.json"):
            return  # a sidecar, read with the file it describes
        module = importer_for(path)
        if module is None:
            if not name.startswith(_QUIET) and not name.endswith(_QUIET_SUFFIXES):
                self.summary.unknown.append(str(path))
            return
        self.summary.files += 1
        origin = str(path.resolve())
        items = module.iter_items(path)
        while True:
            try:
                item = next(items, None)
            except Exception as exc:  # the file itself cannot be read on (truncated gzip, bad WARC)
                reason = f"{type(exc).__name__}: {exc}"
                failed_record(
                    batch=self.batch, origin=origin, item_key="(tệp)", stage="read", reason=reason
                )
                self.summary.add(Outcome.FAILED, f"{path} (tệp)", f"[read] {reason}")
                log.warning("origin=%s stage=read reason=%s", origin, reason)
                return
            if item is None:
                return
            # Chunks span files: a folder of single-page HTML files is written a few hundred
            # pages per transaction too, not one. Raw pages also bound a chunk by size.
            self.pending.append((origin, item))
            self.pending_bytes += len(item.body or b"")
            if len(self.pending) >= self.batch_size or self.pending_bytes >= MAX_CHUNK_BYTES:
                self.flush()

    def flush(self) -> None:
        """Hand the items read so far to the preparer as one chunk, and write the oldest chunks
        (whose preparation has been running meanwhile) beyond CHUNKS_AHEAD."""
        if self.pending:
            chunk, self.pending, self.pending_bytes = self.pending, [], 0
            self._submit(chunk)
        while len(self.in_flight) > CHUNKS_AHEAD:
            self._store_chunk(*self.in_flight.popleft())

    def finish(self) -> None:
        self.flush()
        while self.in_flight:
            self._store_chunk(*self.in_flight.popleft())

    def _submit(self, chunk: list[tuple[str, Item]]) -> None:
        # Items already stored with the same raw hash are counted unchanged without any work. A
        # run reads each (origin, key) once, so no chunk still in flight can change this answer.
        # Should the wait end here, the chunks still in flight are not stored either: the first
        # item not stored is the oldest one's.
        oldest = self.in_flight[0][0] if self.in_flight else chunk
        done = self._when_available(
            lambda: recorded_pairs([(origin, item.key) for origin, item in chunk]), *oldest[0]
        )
        work = []
        for origin, item in chunk:
            item_hash, outcome = done.get((origin[:1000], item.key[:2000]), ("", ""))
            if item.raw_hash and item_hash == item.raw_hash and outcome != Outcome.FAILED:
                work.append(None)  # unchanged
            else:
                work.append((not outcome, not (item.failed or item.skipped)))
        to_prepare = [item for (_, item), w in zip(chunk, work, strict=True) if w and w[1]]
        self.in_flight.append((chunk, work, self.preparer.submit(to_prepare)))

    def _store_chunk(self, chunk: list[tuple[str, Item]], work: list, results) -> None:
        """One transaction per chunk; new articles, images and records go in as bulk inserts,
        then the chunk is indexed for search and the content version bumped once (see
        news.bulk). Should a bulk insert fail (e.g. another process stored one of the addresses
        meanwhile), the chunk is rolled back and redone item by item."""
        prepared = iter(results())
        jobs = [
            (origin, item, w and (w[0], next(prepared) if w[1] else None))
            for (origin, item), w in zip(chunk, work, strict=True)
        ]
        self.unanswered = None  # kept across the chunk's attempts, bulk and item by item
        try:
            self._write_waiting(jobs, bulk=True)
        except DatabaseError as exc:
            log.warning("stage=bulk reason=%s: redoing the chunk item by item", exc)
            self._write_waiting(jobs, bulk=False)
        bump_content_version()
        if self.progress is not None:
            self.progress.update(self.summary, len(chunk))

    def _write_waiting(self, jobs: list, bulk: bool) -> None:
        """_write_chunk, tried again while the database is unavailable (see _when_available).
        Nothing of a failed attempt stays: its transaction is rolled back, and what it counted
        or remembered is forgotten here.

        Unless the commit itself went through and only its answer was lost (the connection cut
        at that moment). An attempt that got as far as inserting its new records knows the id
        its first one took: found again with that id, origin and key, the chunk is stored, and
        it is counted as that attempt counted it instead of being written a second time. (A
        chunk without a new item has no such sign: written again, each of its items finds its
        record and keeps it, counted unchanged where the lost commit had updated it.)"""
        counts, failed = self.summary.counts.copy(), list(self.summary.failed)

        def attempt() -> None:
            writing = False
            try:
                ended = self.unanswered
                if ended is not None and _still_there(ended[0]):
                    log.warning("stage=write item=%s: the chunk's commit went through", label)
                    self.summary.counts, self.summary.failed = ended[1], ended[2]
                    return
                writing, self.first_new_record = True, None
                self._write_chunk(jobs, bulk)
            except DatabaseError:
                if writing:
                    record = self.first_new_record
                    self.unanswered = None
                    if record is not None and record.pk is not None:
                        counted = (self.summary.counts.copy(), list(self.summary.failed))
                        self.unanswered = (record, *counted)
                self.summary.counts, self.summary.failed = counts.copy(), list(failed)
                self.deferred.clear()
                self.memo = {}  # may hold rows of the rolled-back transaction
                self._sources = {}
                raise

        origin, item, _ = jobs[0]
        label = _label(origin, item)
        self._when_available(attempt, origin, item)

    @staticmethod
    def _when_available(attempt: Callable[[], T], origin: str, item: Item) -> T:
        """attempt(), again and again while the database is unavailable (database_unavailable:
        locked by another process, a PostgreSQL server restarting), with pauses growing to 30 s,
        for up to settings.IMPORT_DATABASE_WAIT seconds; then DatabaseUnavailable naming `item`,
        the first of the chunk not stored. Other database errors are raised at once, and any
        inside a caller's transaction."""
        started, pause = time.monotonic(), 1.0
        label = _label(origin, item)
        while True:
            try:
                return attempt()
            except DatabaseError as exc:
                # Inside a caller's transaction there is nothing to try again: a lost connection
                # took that transaction with it (and a lock is the caller's to wait for).
                if connection.in_atomic_block or not database_unavailable(exc):
                    raise
                # Counted from the first attempt: on SQLite each one has waited the busy
                # timeout already.
                waited = time.monotonic() - started
                if waited >= settings.IMPORT_DATABASE_WAIT:
                    raise DatabaseUnavailable(label, str(exc).strip(), waited) from exc
                log.warning(
                    "stage=write item=%s reason=%s: the database is unavailable, trying again "
                    "in %.0f s",
                    label,
                    str(exc).strip(),
                    pause,
                )
                # A connection the server dropped is closed, so that the next attempt opens
                # a new one (Django reconnects on first use).
                connection.close_if_unusable_or_obsolete()
                time.sleep(min(pause, settings.IMPORT_DATABASE_WAIT - waited))
                pause = min(pause * 2, 30.0)

    def _write_chunk(self, jobs: list, bulk: bool) -> None:
        with article_signals_muted(), transaction.atomic():
            self.memo[ABSENT] = self._absent(jobs)
            if bulk:
                begin_bulk(self.memo)
                # Outlets named by the pages' addresses (not by a sidecar: Importer.source).
                sources_ahead(
                    [job[1] for _, item, job in jobs if job and job[1] and not item.source_domain],
                    self.memo,
                )
            else:
                self.memo.pop(PENDING, None)
                self.memo[SAVED] = {}
            for origin, item, job in jobs:
                if job is None:
                    self.summary.add(Outcome.UNCHANGED)
                else:
                    fresh, prepared = job
                    self.store(origin, item, fresh=fresh, prepared=prepared)
            saved = flush_pending(self.memo)
            insert_new(ImportRecord, self.deferred)
            self.first_new_record = self.deferred[0] if self.deferred else None
            self.deferred.clear()
            index_articles(saved)
            self.memo[SAVED] = {}

    @staticmethod
    def _absent(jobs: list) -> set[str]:
        """absent_urls of the chunk's stored addresses: those its workers computed, without
        canonicalising them again, else the items' own."""
        stored, others = [], []
        for _, item, job in jobs:
            prepared = job[1] if job else None
            if prepared is not None and prepared.stored_url:
                stored.append(prepared.stored_url)
            elif item.url:
                others.append(item.url)
        return absent_urls(others, stored)

    def run(self, paths: Iterable[str | Path]) -> Summary:
        started = time.monotonic()
        # What exists before the import (Django, the modules, settings: a few hundred thousand
        # objects) is kept out of the cyclic GC until the end: each full collection traversed
        # it all, in this process and in every worker forked from it (~7% of an import's CPU).
        # Left alone when the caller froze objects itself (unfreezing would give back theirs).
        # Young collections a tenth as often too: an import allocates fast and frees nearly
        # everything by reference counting (~2% of its CPU went to the GC even so).
        freezing, thresholds = gc.get_freeze_count() == 0, gc.get_threshold()
        if freezing:
            gc.freeze()
            gc.set_threshold(max(thresholds[0], GC_YOUNG_THRESHOLD), *thresholds[1:])
        # On for the import whatever came before, so that memory stays flat (`vnnews import`
        # starts up with it off, see cli.main); the caller's setting is given back after.
        was_enabled = gc.isenabled()
        gc.enable()
        try:
            with wal_checkpoints_spaced():
                for path in walk(paths, self.summary):
                    self.import_file(path)
                self.finish()
        except DatabaseUnavailable as exc:
            exc.summary = self.summary
            raise
        finally:
            self.preparer.close()
            if freezing:
                gc.unfreeze()
                gc.set_threshold(*thresholds)
            if not was_enabled:
                gc.disable()
            self.summary.seconds = time.monotonic() - started
            if self.progress is not None:
                self.progress.close()
        return self.summary


def _label(origin: str, item: Item) -> str:
    """How the summary and the logs name an item: its file's name and its key ("a.jsonl dòng 3")."""
    return f"{Path(origin).name} {item.key}"


def _still_there(record: ImportRecord) -> bool:
    """Whether `record`, inserted by an attempt whose commit failed, is in the database: the
    same id, origin and key (an id a rolled-back insert took may be another row's by now)."""
    return ImportRecord.objects.filter(
        pk=record.pk, origin=record.origin, item_key=record.item_key
    ).exists()


def run_import(
    paths: Iterable[str | Path],
    *,
    batch: str,
    progress: bool | None = None,
    stream: TextIO | None = None,
    workers: int | None = None,
) -> Summary:
    """`workers`: processes preparing items ahead (default: pipeline.default_workers())."""
    stream = stream or sys.stderr
    enabled = stream.isatty() if progress is None else progress
    return Importer(batch, progress=Progress(stream, enabled), workers=workers).run(paths)
