"""Per-host politeness inside one process: at most N requests in flight to a host and at least a
minimum delay between the starts of two requests to it. Across worker processes the orchestrator
spreads work over time instead (tasks for one host are enqueued with staggered run_after)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class HostThrottle:
    def __init__(
        self,
        concurrency: int,
        min_delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.min_delay = max(0.0, min_delay)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        # Hosts that told us to wait (Retry-After): no request before this time.
        self._blocked_until: dict[str, float] = {}
        # Hosts whose robots.txt asks for a longer Crawl-delay than our minimum.
        self._host_delay: dict[str, float] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        with self._lock:
            self._host_delay[host] = max(self.min_delay, seconds)

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(self.concurrency)
            return slot

    def block(self, host: str, seconds: float) -> None:
        with self._lock:
            until = self._clock() + seconds
            self._blocked_until[host] = max(until, self._blocked_until.get(host, 0.0))

    def blocked_for(self, host: str) -> float:
        with self._lock:
            return max(0.0, self._blocked_until.get(host, 0.0) - self._clock())

    @contextmanager
    def request(self, host: str) -> Iterator[None]:
        slot = self._slot(host)
        with slot:
            # Reserve the next start time under the lock, then sleep outside it, so waiting for one
            # host never delays another.
            with self._lock:
                now = self._clock()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self._host_delay.get(host, self.min_delay)
            wait = start - now
            if wait > 0:
                self._sleep(wait)
            yield
