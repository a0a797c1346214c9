"""Fetch options: one object with defaults, passed in by the caller (the core reads no config)."""

from __future__ import annotations

from dataclasses import dataclass, field

from vnnews import __version__


@dataclass(frozen=True)
class FetchOptions:
    site_url: str = "http://127.0.0.1:8000"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    # Wall-clock limit for one response, so a server dripping one byte per read timeout cannot hold
    # a worker for ever.
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    obey_robots: bool = True
    robots_ttl: float = 6 * 3600.0
    per_host_concurrency: int = 2
    min_host_delay: float = 1.0
    # Hosts (names or IP literals) that may resolve to private or loopback addresses. Tests put
    # "127.0.0.1" here; nothing else should need it.
    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    max_retry_after: float = 6 * 3600.0
    user_agent: str = ""

    @property
    def agent(self) -> str:
        # An honest user agent: who we are and where to read about us.
        return self.user_agent or f"vnnews/{__version__} (+{self.site_url})"
