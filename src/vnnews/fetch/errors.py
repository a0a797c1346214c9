"""Why a fetch failed. Every error names the URL and a reason, so the orchestrator can record it on
the feed or source row and move on (design: a failed page is recorded, the batch goes on)."""

from __future__ import annotations


class FetchError(Exception):
    """A page could not be fetched. `retryable` says whether trying later may help."""

    retryable = True

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason


class InvalidURL(FetchError):
    retryable = False


class BlockedAddress(FetchError):
    """The host resolves to a private, loopback, link-local, multicast or reserved address."""

    retryable = False


class RobotsDisallowed(FetchError):
    retryable = False


class RobotsUnavailable(FetchError):
    """robots.txt answered 5xx or could not be fetched: RFC 9309 §2.3.1.3-4 says to assume
    complete disallow for now, so we wait and ask again later."""


class TooManyRedirects(FetchError):
    retryable = False


class BodyTooLarge(FetchError):
    retryable = False


class FetchTimeout(FetchError):
    pass


class ConnectFailed(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, url: str, status: int, reason: str | None = None) -> None:
        super().__init__(url, reason or f"HTTP {status}")
        self.status = status
        # 4xx other than 408/429 will not get better by asking again soon.
        self.retryable = status >= 500 or status in {408, 429}


class RateLimited(HTTPStatusError):
    """429 or 503 with (possibly) a Retry-After the caller must honour (RFC 9110 §10.2.3)."""

    def __init__(
        self, url: str, status: int, retry_after: float | None, reason: str | None = None
    ) -> None:
        wait = f", Retry-After {retry_after:.0f} s" if retry_after is not None else ""
        super().__init__(url, status, reason or f"HTTP {status}{wait}")
        self.retry_after = retry_after
