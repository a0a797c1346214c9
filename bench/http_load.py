"""A small asyncio HTTP/1.1 load generator for bench_serve.py: keep-alive connections to
127.0.0.1 only, a weighted mix of page types, latency percentiles per type.

Raw sockets rather than an HTTP client library: at a thousand requests a second the client's own
CPU matters, since it shares the machine's cores with the server under test.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import defaultdict

MIX = {"home": 10, "section": 15, "article": 50, "search": 15, "api": 5, "rss": 5}


async def _request(reader, writer, path: str) -> int:
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Mozilla/5.0 (bench reader)\r\n"
        "Accept-Encoding: identity\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = None
    chunked = False
    close = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        close = True
    return -status if close else status


async def _worker(port, plan, weights, rng, results, errors, stop_at, record_from):
    kinds = list(weights)
    cumulative = [weights[k] for k in kinds]
    reader = writer = None
    while time.monotonic() < stop_at:
        kind = rng.choices(kinds, cum_weights=None, weights=cumulative)[0]
        path = rng.choice(plan[kind])
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            status = await asyncio.wait_for(_request(reader, writer, path), timeout=10)
            elapsed = time.perf_counter() - started
            if status < 0:  # server closed the connection after this response
                writer.close()
                writer = None
                status = -status
            if time.monotonic() >= record_from:
                if status == 200:
                    results[kind].append(elapsed)
                else:
                    errors[f"{kind} HTTP {status}"] += 1
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            if time.monotonic() >= record_from:
                errors[f"{kind} {type(error).__name__}"] += 1
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def prime(port: int, plan: dict[str, list[str]], passes: int, parallel: int = 4) -> None:
    """Fetch every URL `passes` times, each on a new connection: gunicorn hands connections to
    workers at random, so this fills every worker's page cache with high probability."""
    paths = [p for paths in plan.values() for p in paths] * passes
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)

    async def fetch_all() -> None:
        while not queue.empty():
            path = queue.get_nowait()
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                await asyncio.wait_for(_request(reader, writer, path), timeout=30)
                writer.close()
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                pass

    await asyncio.gather(*(fetch_all() for _ in range(parallel)))


async def load(port, plan, duration, concurrency, warmup, seed, mix=None):
    mix = mix or MIX
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    now = time.monotonic()
    record_from = now + warmup
    stop_at = record_from + duration
    workers = [
        _worker(port, plan, mix, random.Random(seed + i), results, errors, stop_at, record_from)
        for i in range(concurrency)
    ]
    await asyncio.gather(*workers)
    return results, errors


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


_last_usage = [0.0, time.monotonic()]


def generator_share() -> str:
    """CPU the load generator itself used since the last call, and the machine's load average
    (other processes on the machine compete for the same cores)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    now = time.monotonic()
    used, wall = cpu - _last_usage[0], now - _last_usage[1]
    _last_usage[:] = [cpu, now]
    load = os.getloadavg()[0]
    return (
        f"load generator: {used:.1f} s CPU in {wall:.1f} s ({used / wall:.0%} of one core); "
        f"machine load average {load:.1f} on {os.cpu_count()} cores"
    )


def report(title: str, results, errors, duration: float, kinds=None) -> None:
    print(f"\n{title}")
    print(f"{'page':<9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'requests':>10}")
    total = 0
    for kind in kinds or MIX:
        values = results.get(kind, [])
        total += len(values)
        print(
            f"{kind:<9}{len(values) / duration:>9.0f}{percentile(values, 0.50) * 1000:>9.1f}"
            f"{percentile(values, 0.95) * 1000:>9.1f}{percentile(values, 0.99) * 1000:>9.1f}"
            f"{len(values):>10}"
        )
    error_count = sum(errors.values())
    print(f"{'all':<9}{total / duration:>9.0f}{'':>27}{total:>10}   errors: {error_count}")
    for name, count in sorted(errors.items()):
        print(f"    {name}: {count}")
