"""`vnnews worker`: background workers only (for more machines sharing one PostgreSQL).

Starts N django_tasks_db `db_worker` processes and a story grouper (news/story_grouper.py) and
watches them: a process that dies is started again, and tasks a dead worker left RUNNING are
queued again after the lease (`VNNEWS_TASK_LEASE_SECONDS`, see ingest_live.reap_stale_tasks)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from vnnews.news import ingest_live

log = logging.getLogger("vnnews.worker")


# Fetch workers run at a lower CPU priority than the reading site, the scheduler and the story
# grouper: when the machine is busy, a page view or the grouping of what was stored goes first,
# and the workers take what is left. With the grouper at the same priority as two busy workers
# on two cores it fell behind them. bench_ingest --articles 1500 --trickle 0, alternating runs:
# 46.7 / 50.8 / 51.9 articles/s at the same priority (the last article grouped 1.0-2.0 s after
# the last stored), 52.8 / 56.9 / 55.9 with the workers at niceness 5 (0.5-1.0 s after).
WORKER_NICENESS = 5


class WorkerPool:
    """N `db_worker` child processes and one story grouper (the last child; `grouper=False`
    leaves it out, and the workers then group stories themselves), restarted if they die."""

    def __init__(
        self,
        count: int,
        interval: float = 1.0,
        extra_env: dict | None = None,
        grouper: bool = True,
    ) -> None:
        self.count = count
        self.interval = interval
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "vnnews.site.settings",
            **(extra_env or {}),
        }
        self.children: list[subprocess.Popen | None] = [None] * (count + grouper)
        self.stopping = False

    def _argv(self, index: int) -> list[str]:
        if index == self.count:
            return [sys.executable, "-m", "django", "group_stories", "--follow", "--verbosity", "0"]
        # A worker id unique across machines: host, supervisor pid, slot.
        worker_id = f"{socket.gethostname()[:30]}-{os.getpid()}-{index}"
        return [
            sys.executable, "-m", "django", "db_worker", "--no-reload", "--interval",
            str(self.interval), "--worker-id", worker_id, "--verbosity", "0",
        ]  # fmt: skip

    def start(self) -> None:
        for index in range(len(self.children)):
            self._spawn(index)

    def _spawn(self, index: int) -> None:
        self.children[index] = child = subprocess.Popen(self._argv(index), env=self.env)
        if self._kind(index) == "worker":
            with contextlib.suppress(OSError):  # a platform without priorities runs as it is
                # Relative to the pool's own priority (a pool started with `nice` keeps its
                # workers below its grouper), within the highest niceness there is.
                mine = os.getpriority(os.PRIO_PROCESS, 0)
                os.setpriority(os.PRIO_PROCESS, child.pid, min(19, mine + WORKER_NICENESS))
        log.info("event=%s_started slot=%d pid=%d", self._kind(index), index, child.pid)

    def _kind(self, index: int) -> str:
        return "grouper" if index == self.count else "worker"

    def supervise(self) -> None:
        """Restart dead workers (call periodically)."""
        if self.stopping:
            return
        for index, child in enumerate(self.children):
            if child is not None and child.poll() is not None:
                log.warning(
                    "event=%s_died slot=%d pid=%d code=%s",
                    self._kind(index), index, child.pid, child.returncode,
                )  # fmt: skip
                self._spawn(index)

    def stop(self, timeout: float = 20.0) -> None:
        self.stopping = True
        for child in self.children:
            if child is not None and child.poll() is None:
                child.send_signal(signal.SIGTERM)  # db_worker finishes its current task first
        deadline = time.monotonic() + timeout
        for child in self.children:
            if child is None:
                continue
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


class Stop(Exception):
    pass


def install_stop_handlers() -> None:
    def handler(signum, frame):
        raise Stop(signal.strsignal(signum))

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


class Command(BaseCommand):
    help = (
        "Chạy các tiến trình xử lý nền (tải kênh, tải bài). Dùng trên máy phụ dùng chung "
        "PostgreSQL; trên một máy, `vnnews run` đã gồm cả phần này."
    )

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=settings.WORKERS,
                            help="số tiến trình (mặc định VNNEWS_WORKERS)")  # fmt: skip
        parser.add_argument("--interval", type=float, default=1.0,
                            help="giây chờ giữa hai lần hỏi hàng đợi khi rảnh")  # fmt: skip

    def handle(self, *args, processes: int, interval: float, **options):
        pool = WorkerPool(max(1, processes), interval)
        install_stop_handlers()
        self.stdout.write(f"{processes} tiến trình xử lý nền đang chạy (Ctrl+C để dừng).")
        pool.start()
        try:
            while True:
                pool.supervise()
                ingest_live.reap_stale_tasks()
                time.sleep(5)
        except (Stop, KeyboardInterrupt):
            self.stdout.write("Đang dừng các tiến trình xử lý nền…")
        finally:
            pool.stop()
