"""When to try again: Retry-After (RFC 9110 §10.2.3) and exponential backoff with jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: either delay-seconds or an HTTP-date.
    Returns None when absent or unparseable; never negative."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    attempt: int, base: float = 60.0, cap: float = 6 * 3600.0, jitter: float = 0.1, rng=random
) -> float:
    """Delay before retry number `attempt` (1 = first retry): base·2^(attempt-1), capped, with
    ±jitter so many failing feeds do not all come back in the same second."""
    if attempt < 1:
        return 0.0
    delay = min(cap, base * (2 ** min(attempt - 1, 30)))
    if jitter:
        delay *= 1 + rng.uniform(-jitter, jitter)
    return min(cap, max(0.0, delay))
