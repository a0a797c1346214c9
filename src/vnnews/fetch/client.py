"""The HTTP client: one `Fetcher` per process, thread-safe.

Each request goes through: URL check -> robots.txt -> Retry-After block -> address guard ->
per-host throttle -> GET pinned to the checked IP -> streamed body with a size cap and a wall-clock
limit. Redirects are followed by hand (at most `max_redirects`), so every hop passes all the checks
again, including the address guard.

Pinning: we resolve the name ourselves, check every address, then connect to the checked IP (URL
host replaced by the IP, `Host` header and TLS SNI/certificate check set to the original name).
The connection therefore goes exactly where the check said it may; there is no second DNS lookup
that a rebinding attacker could answer differently.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from vnnews.fetch.address_guard import Resolver, resolve_checked, system_resolver
from vnnews.fetch.errors import (
    BodyTooLarge,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    RateLimited,
    RobotsDisallowed,
    RobotsUnavailable,
    TooManyRedirects,
)
from vnnews.fetch.options import FetchOptions
from vnnews.fetch.politeness import HostThrottle
from vnnews.fetch.retry import parse_retry_after
from vnnews.fetch.robots import RobotsCache

REDIRECTS = {301, 302, 303, 307, 308}
ERROR_BODY_LIMIT = 64 * 1024
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


@dataclass
class FetchResult:
    url: str  # final URL after redirects
    requested_url: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    redirects: list[str] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def charset(self) -> str | None:
        """The charset the server declared (extraction decodes with it, or sniffs if absent)."""
        match = _CHARSET.search(self.content_type)
        return match.group(1).lower() if match else None


class Fetcher:
    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options or FetchOptions()
        self._resolver = resolver
        self._clock = clock
        o = self.options
        self._client = httpx.Client(
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout),
            follow_redirects=False,
            # No proxies from the environment: the address guard must see the real destination.
            trust_env=False,
            transport=transport,
            headers={"User-Agent": o.agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        self.throttle = HostThrottle(o.per_host_concurrency, o.min_host_delay)
        self.robots = RobotsCache(self._fetch_robots, ttl=o.robots_ttl)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        accept: str = "*/*",
    ) -> FetchResult:
        """GET `url`. Returns a result with status 200..299 or 304 (not modified); raises a
        FetchError subclass naming the URL and reason otherwise."""
        headers = {"Accept": accept}
        # Conditional GET (RFC 9110 §13.1): the server answers 304 if nothing changed.
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._fetch(url, headers, check_robots=self.options.obey_robots)

    # -- internals ------------------------------------------------------------------------------

    def _fetch_robots(self, url: str) -> bytes:
        return self._fetch(url, {"Accept": "text/plain"}, check_robots=False).body

    def _fetch(self, url: str, headers: dict[str, str], *, check_robots: bool) -> FetchResult:
        current = url
        seen = {url}
        redirects: list[str] = []
        for _hop in range(self.options.max_redirects + 1):
            parsed = self._check_url(current)
            origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
            # The address guard runs before anything else touches the host, robots.txt included.
            ip = self._checked_ip(current, parsed)
            if check_robots and not self.robots.allowed(origin, current):
                failure = self.robots.failure(origin)
                if failure:
                    raise RobotsUnavailable(current, f"robots.txt unavailable: {failure}")
                raise RobotsDisallowed(current, "robots.txt disallows this URL")
            if check_robots:
                # Crawl-delay is not in RFC 9309 but many sites set it; honour it up to a minute.
                delay = self.robots.crawl_delay(origin)
                if delay:
                    self.throttle.set_delay(parsed.netloc.decode("ascii"), min(delay, 60.0))
            result = self._request(current, parsed, ip, headers)
            if result.status in REDIRECTS and "location" in result.headers:
                target = str(parsed.join(result.headers["location"]))
                if target in seen:
                    raise TooManyRedirects(url, f"redirect loop at {target}")
                seen.add(target)
                redirects.append(target)
                current = target
                continue
            result.requested_url = url
            result.redirects = redirects
            return self._judge(result, parsed.netloc.decode("ascii"))
        raise TooManyRedirects(url, f"more than {self.options.max_redirects} redirects")

    def _check_url(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise InvalidURL(url, f"invalid URL: {exc}") from exc
        if parsed.scheme not in {"http", "https"}:
            raise InvalidURL(url, f"scheme {parsed.scheme!r} not allowed")
        if not parsed.host:
            raise InvalidURL(url, "URL has no host")
        if parsed.userinfo:
            raise InvalidURL(url, "credentials in URLs are not allowed")
        return parsed

    def _judge(self, result: FetchResult, netloc: str) -> FetchResult:
        status = result.status
        if status == 304 or 200 <= status < 300:
            return result
        if status in {429, 503}:
            wait = parse_retry_after(result.headers.get("retry-after"))
            if wait is not None:
                wait = min(wait, self.options.max_retry_after)
                self.throttle.block(netloc, wait)
            raise RateLimited(result.url, status, wait)
        raise HTTPStatusError(result.url, status)

    def _checked_ip(self, url: str, parsed: httpx.URL) -> str:
        # raw_host is the ASCII (IDNA) form: what DNS, SNI and the Host header need.
        host = parsed.raw_host.decode("ascii")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        return resolve_checked(url, host, port, self.options.allow_hosts, self._resolver)

    def _request(
        self, url: str, parsed: httpx.URL, ip: str, headers: dict[str, str]
    ) -> FetchResult:
        o = self.options
        host = parsed.raw_host.decode("ascii")
        netloc = parsed.netloc.decode("ascii")
        blocked = self.throttle.blocked_for(netloc)
        if blocked > 0:
            # The host asked us to wait (Retry-After); do not even connect before then.
            raise RateLimited(url, 429, blocked, f"host asked us to wait, {blocked:.0f} s left")
        target = parsed.copy_with(host=ip)
        request_headers = dict(headers)
        request_headers["Host"] = netloc
        extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
        # Politeness is per origin host:port (a fixture web runs several "outlets" on one IP).
        with self.throttle.request(netloc):
            started = self._clock()
            try:
                with self._client.stream(
                    "GET", target, headers=request_headers, extensions=extensions
                ) as response:
                    status = response.status_code
                    response_headers = {k.lower(): v for k, v in response.headers.items()}
                    limit = o.max_bytes if 200 <= status < 300 else ERROR_BODY_LIMIT
                    length = response_headers.get("content-length", "")
                    if 200 <= status < 300 and length.isdigit() and int(length) > o.max_bytes:
                        raise BodyTooLarge(
                            url, f"Content-Length {length} exceeds the {o.max_bytes}-byte cap"
                        )
                    body = self._read_capped(
                        response, url, limit, started, strict=limit == o.max_bytes
                    )
            except httpx.TimeoutException as exc:
                raise FetchTimeout(url, f"timed out ({type(exc).__name__})") from exc
            except httpx.ConnectError as exc:
                raise ConnectFailed(url, f"cannot connect: {exc}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
        return FetchResult(
            url=url, requested_url=url, status=status, headers=response_headers, body=body
        )

    def _read_capped(
        self, response: httpx.Response, url: str, limit: int, started: float, *, strict: bool
    ) -> bytes:
        chunks: list[bytes] = []
        size = 0
        # iter_bytes yields decoded (gunzipped) bytes, so the cap also stops compression bombs.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                if strict:
                    raise BodyTooLarge(url, f"body exceeds the {limit}-byte cap")
                break
            chunks.append(chunk)
            if self._clock() - started > self.options.total_timeout:
                raise FetchTimeout(url, f"response took longer than {self.options.total_timeout} s")
        return b"".join(chunks)
