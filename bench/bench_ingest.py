"""Live-ingestion benchmark: the real crawler (`vnnews run`'s scheduler + db_worker processes)
against a fixture news web of N hosts on 127.0.0.x, into a fresh SQLite (or DATABASE_URL) database.

Phase 1 (throughput): all articles appear in the hosts' RSS feeds at once; we measure how fast
the workers bring them into the store (fetch -> WARC -> extract -> normalise -> sanitise -> store):
articles/s end to end, CPU seconds per article (workers + scheduler), peak and sampled worker RSS.
Phase 2 (freshness): articles trickle into the feeds; we measure the time from an article's
appearance in its feed to its row existing (what the reading site lists), against the polling
interval.

    .venv/bin/python bench/bench_ingest.py [--corpus real|synthetic] [--articles N] [--hosts 20]
                                           [--workers 2] [--interval 10] [--trickle 30]
Targets (issue 5): >= 50 articles/s, memory flat, freshness <= interval + 10 s.

Corpus (--corpus):
- real (default): every host publishes distinct real articles from ../shared/data
  (VNNEWS_SHARED_DIR/data): the dantri-unc corpus, each article on one host, and the vims-dev
  stories, whose members (different outlets' real coverage of one event, including their own
  syndicated copies) are spread over different hosts. Copies across hosts occur only there. So
  every article goes through story choice, as in live use. --articles defaults to everything
  left after keeping texts back for the freshness phase (about 3,000).
- synthetic: the old mode, kept for comparison. Every host publishes the same article numbers
  from a 77-word vocabulary, so all but 1/hosts of the articles are near-duplicate copies and
  skip story choice. --articles defaults to 5000.
"""

from __future__ import annotations

import argparse
import os
import random
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
    p.add_argument(
        "--corpus", choices=("real", "synthetic"), default="real", help="see above (default real)"
    )
    p.add_argument(
        "--articles", type=int, default=None, help="phase 1 articles (default: see --corpus)"
    )
    p.add_argument("--hosts", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-grouper", action="store_true",
                   help="no story grouper process: a worker that finds the line free groups it")  # fmt: skip
    p.add_argument("--interval", type=int, default=10, help="feed polling interval (s)")
    p.add_argument(
        "--trickle", type=float, default=30.0, help="freshness phase length (s); 0 skips it"
    )
    p.add_argument("--host-delay", type=float, default=0.01, help="politeness delay per host (s)")
    p.add_argument("--seed", type=int, default=5, help="how real articles are spread and ordered")
    return p.parse_args()


SHARED = Path(os.environ.get("VNNEWS_SHARED_DIR", ROOT.parent / "shared")) / "data"


def read_dantri(folder: Path) -> list:
    """ArticleTexts of the dantri-unc corpus (files that parse and have a body)."""
    from tests.fixture_web import ArticleText
    from vnnews.news.importers import dantri

    texts = []
    for path in sorted(folder.glob("news_*.txt")):
        try:
            article = dantri.parse(path.read_bytes())
        except ValueError:
            continue
        body = tuple(b.text for b in article.blocks if b.kind == "paragraph" and b.text)
        if article.title and body:
            texts.append(ArticleText(article.title, article.sapo, body))
    return texts


def read_vims_clusters(folder: Path) -> list[list]:
    """vims-dev as clusters of ArticleTexts: Cluster_NNN/N.txt holds a title line, then the text
    one sentence or paragraph a line; the first text line serves as the sapo."""
    from tests.fixture_web import ArticleText

    clusters = []
    for cluster_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        members = []
        for path in sorted(cluster_dir.glob("*.txt"), key=lambda p: (len(p.name), p.name)):
            lines = [
                ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()
            ]
            lines = [ln for ln in lines if ln]
            if len(lines) >= 3:
                members.append(ArticleText(lines[0], lines[1], tuple(lines[2:])))
        if members:
            clusters.append(members)
    return clusters


def corpus_plan(hosts: int, seed: int) -> tuple[list[tuple[int, object]], dict[str, int]]:
    """(host index, text) for every real article, in publication order, and what it holds.
    A vims-dev story's members go to consecutive hosts from a random one, so each outlet covers
    it once (stories with more members than hosts wrap around)."""
    rng = random.Random(seed)
    clusters = read_vims_clusters(SHARED / "stories" / "vims-dev")
    dantri = read_dantri(SHARED / "corpus" / "dantri-unc")
    plan: list[tuple[int, object]] = []
    for members in clusters:
        first = rng.randrange(hosts)
        plan += [((first + j) % hosts, text) for j, text in enumerate(members)]
    plan += [(k % hosts, text) for k, text in enumerate(dantri)]
    rng.shuffle(plan)
    stats = {
        "dantri": len(dantri),
        "vims": sum(len(m) for m in clusters),
        "vims_stories": len(clusters),
    }
    return plan, stats


def exact_copies(texts: list) -> int:
    """Texts whose body is word for word another one's (syndicated copies in vims-dev)."""
    seen: set[int] = set()
    copies = 0
    for text in texts:
        key = hash(" ".join(" ".join(text.paragraphs).split()))
        copies += key in seen
        seen.add(key)
    return copies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
            "VNNEWS_QUEUE_MAX_BACKLOG": str(max(10_000, (args.articles or 5000) * 2)),
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
    from vnnews.news.models import Article, Feed, ImportRecord, Source, Story

    call_command("migrate", verbosity=0)
    hosts = [f"127.0.0.{i + 2}" for i in range(args.hosts)]
    if args.corpus == "synthetic":
        per_host = max(1, (args.articles or 5000) // args.hosts)
        counts = [per_host] * args.hosts
        trickle_plan: list[int] = []
        web = FixtureWeb(outlets=args.hosts, articles=0, hosts=hosts).start()
        mode = (
            f"corpus synthetic: {args.hosts} hosts publish the same {per_host} generated "
            f"articles each -> {per_host} distinct, {per_host * (args.hosts - 1)} near-copies"
        )
    else:
        plan, stats = corpus_plan(args.hosts, args.seed)
        # Keep texts back for the freshness phase: it publishes about 10 articles a second.
        reserve = int(args.trickle * 12) + 50 if args.trickle > 0 else 0
        phase1 = min(args.articles or len(plan), len(plan) - reserve)
        counts = [sum(1 for h, _ in plan[:phase1] if h == i) for i in range(args.hosts)]
        trickle_plan = [h for h, _ in plan[phase1:]]
        per_host_texts = [[t for h, t in plan[:phase1] if h == i] for i in range(args.hosts)]
        for i, rest in enumerate(
            [t for h, t in plan[phase1:] if h == i] for i in range(args.hosts)
        ):
            per_host_texts[i] += rest
        web = FixtureWeb(outlets=args.hosts, articles=0, hosts=hosts, texts=per_host_texts).start()
        texts = [t for _, t in plan[:phase1]]
        copies = exact_copies(texts)
        mode = (
            f"corpus real ({SHARED}): {phase1} articles in phase 1, drawn from {len(plan)} real "
            f"texts ({stats['dantri']} dantri-unc, each on one host; {stats['vims']} vims-dev in "
            f"{stats['vims_stories']} real stories, members spread over hosts): "
            f"{phase1 - copies} distinct, {copies} word-for-word copies of another (vims-dev's "
            f"own syndication); {len(plan) - phase1} texts kept for the freshness phase"
        )
    total = sum(counts)
    published_at: dict[str, float] = {}
    for outlet, count in zip(web.outlets, counts, strict=True):
        outlet.feed_limit = count + 500
        source = Source.objects.create(domain=outlet.base.split("//", 1)[1], name=outlet.name)
        Feed.objects.create(
            source=source, url=outlet.base + "/rss/home.rss", interval_seconds=args.interval
        )
    grouping = "each worker groups its own" if args.no_grouper else "one story grouper"
    print(f"bench_ingest: {total} articles on {args.hosts} hosts, {args.workers} workers "
          f"({grouping}), poll interval {args.interval} s, host delay {args.host_delay} s; data in {workdir}")  # fmt: skip
    print(mode)

    def publish(outlet, count: int) -> None:
        now = time.time()
        for article in outlet.publish(count):
            published_at[outlet.base + article.path] = now

    for outlet, count in zip(web.outlets, counts, strict=True):
        publish(outlet, count)
    samples: list[tuple[float, int]] = []  # (time, the largest worker's RSS)
    grouper_samples: list[tuple[float, int]] = []
    grouper_cpu = 0.0
    pool = WorkerPool(args.workers, interval=0.1, grouper=not args.no_grouper)
    start = time.monotonic()
    cpu_start = resource.getrusage(resource.RUSAGE_SELF)
    pool.start()
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(1.0):
            now, children = time.monotonic() - start, pool.children
            pids = [c.pid for c in children[: args.workers] if c is not None]
            samples.append((now, max(rss_kb(pid) for pid in pids)))
            # The story grouper (the last child) holds the story caches.
            grouper_samples.extend((now, rss_kb(c.pid)) for c in children[args.workers :] if c)

    threading.Thread(target=sample, daemon=True).start()
    stored, stored_at = 0, None
    try:
        deadline = time.monotonic() + max(600, total / 5)
        while time.monotonic() < deadline:
            ingest_live.schedule_due_feeds()
            if stored_at is None:
                stored = ImportRecord.objects.filter(origin__startswith="live:").count()
                if stored >= total:
                    stored_at = time.monotonic() - start
            # End to end: every article stored has also been through story choice.
            if stored_at is not None and not Article.objects.filter(story_waiting=True).exists():
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - start
        created = Article.objects.count()
        failed = ImportRecord.objects.filter(outcome="failed").count()
        copies = Article.objects.filter(duplicate_of__isnull=False).count()
        stories = Story.objects.count()
        rate = created / elapsed if elapsed else 0.0

        fresh: list[float] = []
        if args.trickle > 0:
            seen_before = set(Article.objects.values_list("url", flat=True))
            t_end = time.monotonic() + args.trickle
            i = 0
            while time.monotonic() < t_end:
                if args.corpus == "synthetic":
                    publish(web.outlets[i % len(web.outlets)], 1)
                elif i < len(trickle_plan):
                    publish(web.outlets[trickle_plan[i]], 1)
                else:
                    print(f"phase 2: out of real texts after {i} articles")
                    break
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
        grouper_cpu = sum(cpu_seconds(c.pid) for c in pool.children[args.workers :] if c)
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
    print(f"  the store marked {copies} of them as copies of another; the other {created - copies} "
          f"went through story choice ({stories} stories at the end of phase 1); the last was "
          f"stored at {stored_at or elapsed:.1f} s, grouped by {elapsed:.1f} s")  # fmt: skip
    print(
        f"CPU: {cpu:.1f} s total (workers + scheduler + fixture web) -> {cpu / processed * 1000:.1f} ms/article"
    )
    workers_cpu = cpu_children.ru_utime + cpu_children.ru_stime
    print(f"  of which worker processes {workers_cpu / processed * 1000:.1f} ms/article, this "
          f"process (scheduler, fixture web, sampling) {(cpu - workers_cpu) / processed * 1000:.1f}")  # fmt: skip
    if grouper_cpu:
        print(f"  the story grouper (among the worker processes) "
              f"{grouper_cpu / processed * 1000:.1f} ms/article")  # fmt: skip
    cores = os.cpu_count() or 1
    load = os.getloadavg()[1]
    print(f"machine: {cores} cores, load average (5 min) {load:.1f}; CPU-bound ceiling with "
          f"{min(cores, args.workers)} free cores: {min(cores, args.workers) / (cpu / processed):.0f} articles/s")  # fmt: skip
    print(f"peak worker RSS (ru_maxrss of children): {cpu_children.ru_maxrss / 1024:.0f} MB")
    for name, series in (("worker", samples), ("story grouper", grouper_samples)):
        if len(series) >= 4:
            # Mean of each quarter of the run: flat memory shows as the last quarters levelling.
            size = len(series) // 4
            quarters = [series[i * size : (i + 1) * size] for i in range(3)] + [series[3 * size :]]
            means = " / ".join(f"{statistics.mean(s for _, s in q) / 1024:.0f}" for q in quarters)
            print(f"{name} RSS over the run, mean of each quarter: {means} MB "
                  f"(max {max(s for _, s in series) / 1024:.0f} MB, {len(series)} samples)")  # fmt: skip
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
