"""Live-ingestion benchmark: the real crawler (`vnnews run`'s scheduler + db_worker processes)
against a fixture news web of N hosts on 127.0.0.x, into a fresh SQLite (or DATABASE_URL) database.

Phase 1 (throughput): all articles appear in the hosts' RSS feeds at once; we measure how fast
the workers bring them into the store (fetch -> WARC -> extract -> normalise -> sanitise -> store):
articles/s end to end, CPU seconds per article (workers + scheduler), peak and sampled worker RSS.
Phase 2 (freshness): articles trickle into the feeds; we measure the time from an article's
appearance in its feed to its row existing (what the reading site lists), against the polling
interval.

    .venv/bin/python bench/bench_ingest.py [--articles 5000] [--hosts 20] [--workers 2]
                                           [--interval 10] [--trickle 30]
Targets (issue 5): >= 50 articles/s, memory flat, freshness <= interval + 10 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--articles", type=int, default=5000)
    p.add_argument("--hosts", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--interval", type=int, default=10, help="feed polling interval (s)")
    p.add_argument(
        "--trickle", type=float, default=30.0, help="freshness phase length (s); 0 skips it"
    )
    p.add_argument("--host-delay", type=float, default=0.01, help="politeness delay per host (s)")
    return p.parse_args()


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vnnews-bench-ingest-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "vnnews.site.settings",
            "VNNEWS_DATA_DIR": str(workdir),
            "VNNEWS_FETCH_ALLOW_HOSTS": "127.0.0.0/8",
            "VNNEWS_HOST_DELAY": str(args.host_delay),
            "VNNEWS_HOST_CONCURRENCY": "2",
            "VNNEWS_QUEUE_MAX_BACKLOG": str(max(10_000, args.articles * 2)),
            "VNNEWS_FEED_INTERVAL": str(args.interval),
            "VNNEWS_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from tests.fixture_web import FixtureWeb
    from vnnews.news import ingest_live
    from vnnews.news.management.commands.worker import WorkerPool
    from vnnews.news.models import Article, Feed, ImportRecord, Source

    call_command("migrate", verbosity=0)
    per_host = max(1, args.articles // args.hosts)
    total = per_host * args.hosts
    hosts = [f"127.0.0.{i + 2}" for i in range(args.hosts)]
    web = FixtureWeb(outlets=args.hosts, articles=0, hosts=hosts).start()
    published_at: dict[str, float] = {}
    for outlet in web.outlets:
        outlet.feed_limit = per_host + 500
        source = Source.objects.create(domain=outlet.base.split("//", 1)[1], name=outlet.name)
        Feed.objects.create(
            source=source, url=outlet.base + "/rss/home.rss", interval_seconds=args.interval
        )
    print(f"bench_ingest: {total} articles on {args.hosts} hosts, {args.workers} workers, "
          f"poll interval {args.interval} s, host delay {args.host_delay} s; data in {workdir}")  # fmt: skip

    def publish(outlet, count: int) -> None:
        now = time.time()
        for article in outlet.publish(count):
            published_at[outlet.base + article.path] = now

    for outlet in web.outlets:
        publish(outlet, per_host)
    samples: list[tuple[float, int]] = []
    pool = WorkerPool(args.workers, interval=0.1)
    start = time.monotonic()
    cpu_start = resource.getrusage(resource.RUSAGE_SELF)
    pool.start()
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(1.0):
            pids = [c.pid for c in pool.children if c is not None]
            samples.append((time.monotonic() - start, max(rss_kb(pid) for pid in pids)))

    threading.Thread(target=sample, daemon=True).start()
    stored = 0
    try:
        deadline = time.monotonic() + max(600, total / 5)
        while time.monotonic() < deadline:
            ingest_live.schedule_due_feeds()
            stored = ImportRecord.objects.filter(origin__startswith="live:").count()
            if stored >= total:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - start
        created = Article.objects.count()
        failed = ImportRecord.objects.filter(outcome="failed").count()
        rate = created / elapsed if elapsed else 0.0

        fresh: list[float] = []
        if args.trickle > 0:
            seen_before = set(Article.objects.values_list("url", flat=True))
            t_end = time.monotonic() + args.trickle
            i = 0
            while time.monotonic() < t_end:
                publish(web.outlets[i % len(web.outlets)], 1)
                i += 1
                ingest_live.schedule_due_feeds()
                time.sleep(max(0.05, 1.0 / max(1, len(web.outlets) // 2)))
            trickled = [u for u in published_at if u not in seen_before]
            wait_end = time.monotonic() + args.interval + 30
            while time.monotonic() < wait_end:
                ingest_live.schedule_due_feeds()
                if Article.objects.filter(url__in=trickled).count() >= len(trickled):
                    break
                time.sleep(0.5)
            for url, first_seen in Article.objects.filter(url__in=trickled).values_list(
                "url", "first_seen"
            ):
                fresh.append(first_seen.timestamp() - published_at[url])
            missing = len(trickled) - len(fresh)
    finally:
        stop_sampling.set()
        pool.stop()
        web.stop()
    cpu_self = resource.getrusage(resource.RUSAGE_SELF)
    cpu_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_self.ru_utime + cpu_self.ru_stime - cpu_start.ru_utime - cpu_start.ru_stime) + (
        cpu_children.ru_utime + cpu_children.ru_stime
    )
    processed = max(1, created + (len(fresh) if args.trickle > 0 else 0))
    print(f"phase 1: {created}/{total} articles stored in {elapsed:.1f} s -> {rate:.1f} articles/s "
          f"end to end ({failed} failed records)")  # fmt: skip
    print(
        f"CPU: {cpu:.1f} s total (workers + scheduler + fixture web) -> {cpu / processed * 1000:.1f} ms/article"
    )
    workers_cpu = cpu_children.ru_utime + cpu_children.ru_stime
    print(f"  of which worker processes {workers_cpu / processed * 1000:.1f} ms/article, this "
          f"process (scheduler, fixture web, sampling) {(cpu - workers_cpu) / processed * 1000:.1f}")  # fmt: skip
    cores = os.cpu_count() or 1
    load = os.getloadavg()[1]
    print(f"machine: {cores} cores, load average (5 min) {load:.1f}; CPU-bound ceiling with "
          f"{min(cores, args.workers)} free cores: {min(cores, args.workers) / (cpu / processed):.0f} articles/s")  # fmt: skip
    print(f"peak worker RSS (ru_maxrss of children): {cpu_children.ru_maxrss / 1024:.0f} MB")
    if samples:
        quarter = max(1, len(samples) // 4)
        early = statistics.mean(s for _, s in samples[:quarter]) / 1024
        late = statistics.mean(s for _, s in samples[-quarter:]) / 1024
        print(f"worker RSS over the run: first quarter {early:.0f} MB, last quarter {late:.0f} MB "
              f"(max {max(s for _, s in samples) / 1024:.0f} MB, {len(samples)} samples)")  # fmt: skip
    if args.trickle > 0:
        if fresh:
            fresh.sort()
            p95 = fresh[min(len(fresh) - 1, int(len(fresh) * 0.95))]
            print(f"phase 2 freshness ({len(fresh)} articles, {missing} not yet stored): median "
                  f"{statistics.median(fresh):.1f} s, p95 {p95:.1f} s, max {fresh[-1]:.1f} s "
                  f"(target <= interval {args.interval} s + 10 s)")  # fmt: skip
        else:
            print("phase 2 freshness: no article arrived")
    print(f"at {datetime.now(UTC).isoformat(timespec='seconds')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
