"""Serving benchmark: a production server (gunicorn) over 20,000 articles in SQLite, loaded on
loopback by an asyncio HTTP/1.1 keep-alive client, with the page cache on and then off.

    make bench-serve                      # or: .venv/bin/python bench/bench_serve.py --duration 30
    .venv/bin/python bench/bench_serve.py --duration 15 --keep      # keep the data folder, then
    .venv/bin/python bench/bench_serve.py --duration 15 --data DIR  # reuse it (no generation)

For each variant (page cache on, then off) it runs two loads on the same server: the MIX of every
page type (home, section, article, search, API, RSS) for --duration seconds, then article pages
alone for a third of that. It prints req/s, p50, p95, p99 per page type, the error count, and the
server's CPU time per request (read from /proc: unlike req/s and latencies it does not depend on
what else the shared machine runs), then a table of the targets and the figure answering each.

Which figure answers which target (issue 4, on a 2-core machine):
- "article pages >= 1,000 req/s with p99 < 100 ms when cached": "cached, article pages only".
- "article pages >= 150 req/s uncached": "uncached, article pages only". The target is about
  article pages: in the mix they get half of the server (the rest goes to home, section, search,
  API and feeds), so the mix's article row shows about half of what the server does for them.
  The "uncached, mixed" line is printed too, as the whole site's uncached capacity.
- "search p95 < 50 ms": the search row of the cached mix (the site as configured: the page cache
  is on by default). In the uncached mix every page type has about the same latency, because
  with 50 connections on 2 x 2 server threads a request mostly waits for the ones ahead of it:
  those latencies measure the queue (50 / throughput), not search. bench_search.py measures the
  search query itself (p95 over 20,000 articles, no cache).
- "zero errors": every run.
"Uncached" means the page cache is off (VNNEWS_PAGE_CACHE_SECONDS=0): every response is built by
its view. What many pages share stays kept per process under the content version, as in
production (side boxes, list teasers, a list's first page, feed items, search answers, related
lists); the article itself (a distinct one for each request, of --hot) is read and rendered.
The load generator runs on the same cores as the server, so the req/s are a lower bound.

Articles are synthetic but realistic: titles, sapos and sentences of the Dân trí corpus
(../shared/data/corpus/dantri-unc) recombined within a section, each with a distinct URL, spread
over ten sections and twelve outlets and the last 30 days. Everything lives in a temporary data
folder that is deleted at the end; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from http_load import MIX, generator_share, load, percentile, prime, report

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "dantri-unc"
VENV_BIN = Path(sys.executable).parent

SECTIONS = {
    "business": ("kinh-doanh", "Kinh doanh"),
    "education": ("giao-duc", "Giáo dục"),
    "entertainment": ("giai-tri", "Giải trí"),
    "health": ("suc-khoe", "Sức khỏe"),
    "science": ("khoa-hoc", "Khoa học"),
    "society": ("xa-hoi", "Xã hội"),
    "sport": ("the-thao", "Thể thao"),
    "tech": ("cong-nghe", "Công nghệ"),
    "travel": ("du-lich", "Du lịch"),
    "world": ("the-gioi", "Thế giới"),
}
OUTLETS = [
    ("dantri.com.vn", "Dân trí"),
    ("vnexpress.net", "VnExpress"),
    ("tuoitre.vn", "Tuổi Trẻ"),
    ("thanhnien.vn", "Thanh Niên"),
    ("laodongthudo.vn", "Lao Động Thủ Đô"),
    ("vietnamnet.vn", "VietNamNet"),
    ("zingnews.vn", "Zing News"),
    ("nld.com.vn", "Người Lao Động"),
    ("baomoi.com", "Báo Mới"),
    ("vov.vn", "VOV"),
    ("nhandan.vn", "Nhân Dân"),
    ("kenh14.vn", "Kênh 14"),
]
SEARCHES = [
    "ha noi", "Hà Nội", "viet nam", "covid", "bóng đá", "giá vàng", "hoc sinh", "bệnh viện",
    "dien thoai", "du lịch", "tuyển Việt Nam", "thi tot nghiep", "chứng khoán", "xe máy",
    "Đà Nẵng", "san bay", "vaccine", "giáo viên", "mưa lũ", "dao duc",
]  # fmt: skip


def read_corpus(folder: Path) -> dict[str, list[dict]]:
    """Documents per section, normalised once here (generated articles reuse the text)."""
    from vnnews.text import normalize

    by_section: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(folder.glob("news_*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        body = [ln for ln in lines if ln and not ln.startswith("#")]
        if len(body) < 3:
            continue
        body = [normalize(ln) for ln in body]
        section = path.name.split("_")[1]
        by_section[section].append({"title": body[0], "sapo": body[1], "sentences": body[2:]})
    return by_section


def generate(count: int, seed: int = 7) -> None:
    """Fill the (already migrated) database with `count` articles, fast (bulk_create)."""
    from django.db import transaction
    from django.utils import timezone

    from vnnews.news.models import Article, Section, Source

    rng = random.Random(seed)
    corpus = read_corpus(CORPUS)
    sections = {
        key: Section.objects.create(slug=slug, name=name, position=i)
        for i, (key, (slug, name)) in enumerate(SECTIONS.items())
    }
    sources = [
        Source.objects.create(domain=d, name=n, home_url=f"https://{d}/") for d, n in OUTLETS
    ]
    now = timezone.now()
    keys = sorted(corpus)
    batch: list[Article] = []
    with transaction.atomic():
        for i in range(count):
            key = keys[i % len(keys)]
            docs = corpus[key]
            base = docs[rng.randrange(len(docs))]
            other = docs[rng.randrange(len(docs))]
            sentences = base["sentences"][:8] + rng.sample(
                other["sentences"], min(3, len(other["sentences"]))
            )
            paragraphs = [" ".join(sentences[j : j + 2]) for j in range(0, len(sentences), 2)]
            source = sources[i % len(sources)]
            blocks = [{"kind": "paragraph", "text": p} for p in paragraphs]
            image = f"https://{source.domain}/images/{i}.jpg"
            blocks.insert(1, {"kind": "image", "src": image, "caption": base["title"], "alt": ""})
            published = now - timedelta(minutes=rng.randrange(30 * 24 * 60))
            batch.append(
                Article(
                    url=f"https://{source.domain}/{SECTIONS[key][0]}/bai-{i}.htm",
                    source=source,
                    section=sections[key],
                    title=base["title"],
                    sapo=base["sapo"],
                    blocks=blocks,
                    text="\n".join(paragraphs),
                    authors=["Phóng viên"],
                    byline="Phóng viên",
                    published=published,
                    lead_image=image,
                    tags=[SECTIONS[key][1]],
                    content_hash=f"{i:064x}",
                )
            )
            if len(batch) >= 1000:
                Article.objects.bulk_create(batch)
                batch = []
        if batch:
            Article.objects.bulk_create(batch)


def _cache_tone_marks() -> None:
    """Memoise the per-word tone-mark pass in this process only: the same output, but building
    20,000 articles and their search index folds millions of words, most of them repeats."""
    import importlib
    from functools import lru_cache

    normalize_module = importlib.import_module("vnnews.text.normalize")

    normalize_module.place_tone_marks = lru_cache(maxsize=500_000)(
        normalize_module.place_tone_marks
    )


def build_search_index() -> int:
    """Index every article through the search app's backend (bulk_create sends no signals).
    Whole rows are loaded at once: the index document reads more fields than title and text."""
    from django.db import connection, transaction

    from vnnews.news.models import Article
    from vnnews.news.search import backend
    from vnnews.news.search.terms import document_for

    engine = backend()
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        engine.clear(cursor)
        for article in Article.objects.order_by("id").iterator(chunk_size=1000):
            engine.index(cursor, document_for(article))
            count += 1
    return count


def prepare(data_dir: Path, count: int) -> None:
    os.environ["VNNEWS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")
    import django

    django.setup()
    _cache_tone_marks()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    generate(count)
    indexed = build_search_index()
    from vnnews.news.db_maintenance import update_statistics

    # Table statistics for the query planner: without them SQLite walks the duplicate_of index
    # (every row is NULL) and sorts 20,000 rows for each "newest first" list (~200 ms instead of
    # ~2 ms). An import should leave them behind too (the same call).
    update_statistics(full=True)
    print(
        f"data: {count} articles ({indexed} indexed for search) in "
        f"{time.perf_counter() - started:.1f} s at {data_dir}"
    )


def reuse(data_dir: Path) -> None:
    """Set up Django on a data folder kept by an earlier run (its database is already filled)."""
    if not (data_dir / "vnnews.sqlite3").exists():
        raise SystemExit(f"{data_dir} holds no vnnews.sqlite3; run once with --keep first")
    os.environ["VNNEWS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # code may have moved on since the folder was kept
    call_command("collectstatic", interactive=False, verbosity=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(
    server: str, port: int, workers: int, threads: int, connections: int = 1000
) -> list[str]:
    """gunicorn (what `vnnews serve` runs) or granian (Rust HTTP, the same WSGI application).

    `connections` caps the connections one gunicorn worker holds. Its gthread workers accept
    greedily: with the benchmark's keep-alive connections opened at once, one worker sometimes
    took all 50 and the other stayed idle for the whole run (per-worker CPU 13.6 s and 0.0 s),
    so half the machine served nothing. With a cap the rest go to the other worker.
    """
    app = "vnnews.site.wsgi:application"
    if server == "granian":
        return [
            str(VENV_BIN / "granian"), "--interface", "wsgi",
            "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--log-level", "warning", app,
        ]  # fmt: skip
    from vnnews.news.management.commands.serve import gunicorn_argv

    argv = gunicorn_argv(f"127.0.0.1:{port}", workers, threads, connections, access_log=False)
    return [str(VENV_BIN / "python"), *argv[1:]]


def start_server(
    data_dir: Path,
    port: int,
    workers: int,
    threads: int,
    cached: bool,
    server: str = "gunicorn",
    connections: int = 1000,
):
    env = {
        **os.environ,
        "VNNEWS_DATA_DIR": str(data_dir),
        "VNNEWS_PAGE_CACHE_SECONDS": "300" if cached else "0",
        "VNNEWS_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "vnnews.site.settings",
    }
    command = server_command(server, port, workers, threads, connections)
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{server} exited during start-up") from None
            time.sleep(0.3)
    stop_server(process)
    raise SystemExit(f"{server} did not answer within 60 s")


def process_cpu(server: subprocess.Popen) -> dict[int, float]:
    """CPU seconds (user + system) used so far by the server's master and each live worker, by
    process id, read from /proc: unlike req/s, this does not depend on what else the machine is
    running. Empty when /proc is not there."""
    clock = os.sysconf("SC_CLK_TCK")
    pids = [server.pid]
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
        pids += [int(p) for p in children.split()]
    except OSError:
        return {}
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a worker that exited meanwhile
        used[pid] = (int(fields[11]) + int(fields[12])) / clock  # utime, stime
    return used


def server_cpu(server: subprocess.Popen) -> float:
    used = process_cpu(server)
    return sum(used.values()) if used else float("nan")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def url_plan(rng: random.Random, hot: int) -> dict[str, list[str]]:
    """Paths per page type. Articles: the `hot` most recent (readers read recent news)."""
    from vnnews.news.models import Article, Section

    try:
        from vnnews.reader.links import article_path
    except ImportError:  # before the reader app lands: the API detail

        def article_path(article):
            return f"/api/v1/articles/{article.pk}"

    recent = Article.objects.order_by("-published").only("id", "title")[:hot]
    slugs = list(Section.objects.values_list("slug", flat=True))
    from urllib.parse import quote_plus

    return {
        "home": ["/"],
        "section": [f"/chuyen-muc/{s}/" for s in slugs],
        "article": [article_path(a) for a in recent],
        "search": [f"/tim-kiem/?q={quote_plus(q)}" for q in SEARCHES],
        "api": ["/api/v1/articles?per_page=20"] + [f"/api/v1/articles?section={s}" for s in slugs],
        "rss": ["/rss"] + [f"/chuyen-muc/{s}/rss" for s in slugs],
    }


def measured_load(server, port, plan, duration, concurrency, warmup, seed, mix=None):
    """A warm-up load (not recorded), then the recorded one with the server's CPU around it."""
    if warmup > 0:
        asyncio.run(load(port, plan, warmup, concurrency, 0.0, seed=seed + 1000, mix=mix))
        settle(server)
    generator_share()  # start counting here: warm-up and priming are not the measured load
    before = process_cpu(server)
    results, errors = asyncio.run(load(port, plan, duration, concurrency, 0.0, seed=seed, mix=mix))
    after = process_cpu(server)
    # Per worker (the master's own share is tiny): shows whether both got work.
    split = [after[pid] - before.get(pid, 0.0) for pid in after if pid != server.pid]
    cpu = sum(after.values()) - sum(before.values()) if after else float("nan")
    measured = Measured(results, errors, duration, cpu, generator_share(), concurrency)
    measured.split = split
    return measured


def settle(server, quiet: float = 0.05, limit: float = 30.0) -> None:
    """Wait until the idle server stops using CPU: a worker's first article page starts the
    build of its related-articles index in the background (~1.5 s of CPU, once per process),
    which a short warm-up on a busy machine may not cover; the measured load starts after it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server_cpu(server)
        time.sleep(0.5)
        if server_cpu(server) - before < quiet:
            return


class Measured:
    """One recorded load: latencies per page type, errors, and the server's CPU meanwhile."""

    def __init__(self, results, errors, duration, server_cpu_s, generator, concurrency):
        self.results, self.errors, self.duration = results, errors, duration
        self.server_cpu_s, self.generator = server_cpu_s, generator
        self.concurrency = concurrency
        self.split: list[float] = []

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.results.values())

    def rate(self, kind: str) -> float:
        return len(self.results.get(kind, [])) / self.duration

    def latency(self, kind: str, q: float) -> float:
        return percentile(self.results.get(kind, []), q) * 1000

    def cpu_ms_per_request(self) -> float:
        return self.server_cpu_s * 1000 / max(1, self.requests)

    def show(self, title: str, kinds=None) -> None:
        report(title, self.results, self.errors, self.duration, kinds=kinds)
        capacity = 1000 * (os.cpu_count() or 1) / self.cpu_ms_per_request()
        print(
            f"    server CPU: {self.server_cpu_s:.1f} s in {self.duration:.0f} s, "
            f"{self.cpu_ms_per_request():.2f} ms per request (so {os.cpu_count()} cores all to "
            f"the server would serve ~{capacity:.0f} req/s of this load); per worker: "
            + ", ".join(f"{used:.1f} s" for used in self.split)
        )
        print(f"    {self.generator}")


def targets(runs: dict[str, Measured]) -> None:
    """Which measured figure answers which target of issue 4, and whether it is met."""
    print("\ntargets (issue 4)")

    def line(target: str, figure: str, met: bool | None) -> None:
        verdict = "n/a" if met is None else ("met" if met else "NOT met")
        print(f"  {target:<44} {figure:<46} {verdict}")

    if "cached-article" in runs:
        run = runs["cached-article"]
        rate, p99 = run.rate("article"), run.latency("article", 0.99)
        line(
            "article, cached: >= 1,000 req/s, p99 < 100 ms",
            f"{rate:.0f} req/s, p99 {p99:.0f} ms (article pages only)",
            rate >= 1000 and p99 < 100,
        )
    if "uncached-article" in runs:
        run = runs["uncached-article"]
        rate = run.rate("article")
        line(
            "article, uncached: >= 150 req/s",
            f"{rate:.0f} req/s (article pages only)",
            rate >= 150,
        )
    if "uncached-mixed" in runs:
        run = runs["uncached-mixed"]
        line(
            "(context) uncached, whole mix",
            f"{run.requests / run.duration:.0f} req/s, {run.cpu_ms_per_request():.1f} ms CPU/req",
            None,
        )
    if "cached-mixed" in runs:
        run = runs["cached-mixed"]
        p95 = run.latency("search", 0.95)
        line("search: p95 < 50 ms", f"{p95:.0f} ms (search URLs in the cached mix)", p95 < 50)
    if "uncached-mixed" in runs:
        run = runs["uncached-mixed"]
        # Little's law: with every connection busy, a request spends concurrency / throughput
        # in the server on average, whatever its page type.
        mean = 1000 * run.concurrency / max(1.0, run.requests / run.duration)
        line(
            "(context) search, uncached mix: p95",
            f"{run.latency('search', 0.95):.0f} ms (any request: ~{mean:.0f} ms mean, queued)",
            None,
        )
    errors = sum(sum(r.errors.values()) for r in runs.values())
    line("zero errors", f"{errors} errors over every run", errors == 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the reading site under load.")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per mixed load")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not recorded")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        default="gunicorn",
        help="WSGI server (granian: pip install granian; `vnnews serve` runs gunicorn)",
    )
    parser.add_argument("--hot", type=int, default=1000, help="distinct articles, uncached")
    parser.add_argument(
        "--hot-cached", type=int, default=200, help="distinct articles, cached (most read)"
    )
    parser.add_argument(
        "--worker-connections",
        type=int,
        default=0,
        help="gunicorn --worker-connections (default: concurrency / workers + 5)",
    )
    parser.add_argument("--only", choices=["cached", "uncached"], help="run one variant")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    parser.add_argument(
        "--data", type=Path, help="reuse a data folder kept by an earlier --keep (no generation)"
    )
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; nothing to benchmark", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    data_dir = args.data or Path(tempfile.mkdtemp(prefix="vnnews-bench-serve-"))
    try:
        if args.data:
            reuse(data_dir)
        else:
            prepare(data_dir, args.articles)
        plans = {
            "cached": url_plan(random.Random(1), args.hot_cached),
            "uncached": url_plan(random.Random(1), args.hot),
        }
        alone = max(5.0, args.duration / 3)
        # A fair share of the connections per gunicorn worker, plus a few (see server_command).
        connections = args.worker_connections or -(-args.concurrency // args.workers) + 5
        print(
            f"server: {args.server}, {args.workers} workers x {args.threads} threads"
            + (
                f" (at most {connections} connections each), "
                if args.server == "gunicorn"
                else ", "
            )
            + f"SQLite; load: {args.concurrency} keep-alive connections, {args.warmup:.0f} s "
            f"warm-up then {args.duration:.0f} s of the mix {MIX}, then {alone:.0f} s of article "
            f"pages only; distinct articles: {args.hot_cached} cached (each URL fetched "
            f"{args.workers * 2} times first, so every worker's page cache holds it), "
            f"{args.hot} uncached"
        )
        print(
            f"note: the load generator (one Python process) shares this machine's "
            f"{os.cpu_count()} CPU cores with the server (and so does anything else running), so "
            f"req/s are a lower bound; 'server CPU per request' does not depend on that"
        )
        runs: dict[str, Measured] = {}
        for name, cached in [("cached", True), ("uncached", False)]:
            if args.only and args.only != name:
                continue
            port = free_port()
            server = start_server(
                data_dir,
                port,
                args.workers,
                args.threads,
                cached,
                server=args.server,
                connections=connections,
            )
            plan = plans[name]
            try:
                if cached:
                    asyncio.run(prime(port, plan, passes=args.workers * 2))
                runs[f"{name}-mixed"] = measured_load(
                    server, port, plan, args.duration, args.concurrency, args.warmup, seed=11
                )
                # Article pages alone answer the article targets: in the mix they get about
                # half of the server, so their req/s there is about half of what it can do.
                runs[f"{name}-article"] = measured_load(
                    server, port, plan, alone, args.concurrency, 1.0, seed=23, mix={"article": 1}
                )
            finally:
                stop_server(server)
            label = "page cache on" if cached else "page cache off (VNNEWS_PAGE_CACHE_SECONDS=0)"
            runs[f"{name}-mixed"].show(f"{name}, mixed: {label}; every page type at once")
            runs[f"{name}-article"].show(
                f"{name}, article pages only: {label}; {alone:.0f} s", kinds=["article"]
            )
        targets(runs)
        return 0
    finally:
        if args.keep and not args.data:
            print(f"kept {data_dir} (reuse it with --data {data_dir})")
        elif not args.data:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
