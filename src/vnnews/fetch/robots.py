"""robots.txt, fetched once per host and cached (RFC 9309).

RFC 9309 §2.3.1: a 4xx answer means no restrictions; a 5xx answer or an unreachable host means
"assume complete disallow" for now, so we cache that verdict for a shorter time and ask again.
Only the first 500 KiB are parsed (§2.5)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

from vnnews.fetch.errors import FetchError, HTTPStatusError

MAX_ROBOTS_BYTES = 500 * 1024
FAILURE_TTL = 600.0


@dataclass
class _Entry:
    parser: RobotFileParser | None  # None: allow everything
    disallow_all: bool
    expires: float
    failure: str = ""  # why robots.txt could not be read (then everything waits)


class RobotsCache:
    def __init__(
        self,
        fetch_robots: Callable[[str], bytes],
        agent_token: str = "vnnews",
        ttl: float = 6 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # fetch_robots(url) returns the body of a 2xx answer or raises FetchError.
        self._fetch = fetch_robots
        self.agent_token = agent_token
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock_for(self, origin: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(origin, threading.Lock())

    def _load(self, origin: str) -> _Entry:
        now = self._clock()
        try:
            body = self._fetch(origin + "/robots.txt")
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                return _Entry(None, False, now + self.ttl)
            return _Entry(None, True, now + FAILURE_TTL, exc.reason)
        except FetchError as exc:
            return _Entry(None, True, now + FAILURE_TTL, exc.reason)
        parser = RobotFileParser()
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        return _Entry(parser, False, now + self.ttl)

    def entry(self, origin: str) -> _Entry:
        with self._lock_for(origin):
            entry = self._entries.get(origin)
            if entry is None or entry.expires <= self._clock():
                entry = self._entries[origin] = self._load(origin)
            return entry

    def allowed(self, origin: str, url: str) -> bool:
        entry = self.entry(origin)
        if entry.disallow_all:
            return False
        if entry.parser is None:
            return True
        return entry.parser.can_fetch(self.agent_token, url)

    def failure(self, origin: str) -> str:
        """Why robots.txt of `origin` is unreadable ("" when it was read or is absent)."""
        return self.entry(origin).failure

    def crawl_delay(self, origin: str) -> float | None:
        entry = self.entry(origin)
        if entry.parser is None:
            return None
        delay = entry.parser.crawl_delay(self.agent_token)
        return float(delay) if delay is not None else None
