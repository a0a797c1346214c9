"""HTTP fetching for the crawler: politeness, robots.txt, conditional GET, size and time limits and
a private-address guard. No Django, no environment: options come in a `FetchOptions`."""

from vnnews.fetch.client import Fetcher, FetchResult
from vnnews.fetch.errors import (
    BlockedAddress,
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
from vnnews.fetch.retry import backoff_delay, parse_retry_after

__all__ = [
    "BlockedAddress",
    "BodyTooLarge",
    "ConnectFailed",
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "HTTPStatusError",
    "InvalidURL",
    "RateLimited",
    "RobotsDisallowed",
    "RobotsUnavailable",
    "TooManyRedirects",
    "backoff_delay",
    "parse_retry_after",
]
