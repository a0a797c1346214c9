"""Search benchmark: vnnews.news.search.search() in-process over 20,000 articles.

    make bench-search                                   # SQLite FTS5 in a temporary data folder
    .venv/bin/python bench/bench_search.py --postgres postgres://postgres@127.0.0.1:5432/postgres

With --postgres, a scratch database `vnnews_bench_search` is created on that server and dropped
at the end. Articles come from bench_serve.generate (the Dân trí corpus recombined). Prints the
reindex time and p50 / p95 / max per query, first page and page 3, with and without a section
filter. Target (issue 4): p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serve import CORPUS, SEARCHES, generate  # noqa: E402

SCRATCH_DB = "vnnews_bench_search"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _postgres_scratch(url: str, reuse: bool, name: str) -> tuple[str, str, bool]:
    """(admin URL, scratch database URL, whether the scratch database already had the data)."""
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    return admin, urlunparse(parsed._replace(path=f"/{name}")), bool(reuse and exists)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30, help="runs of each query")
    parser.add_argument("--postgres", default="", help="postgres://… server for a scratch database")
    parser.add_argument(
        "--scratch-db", default=SCRATCH_DB, help="its name (several people share one server)"
    )
    parser.add_argument(
        "--keep", default="", help="build in (or reuse) this folder / keep the scratch database"
    )
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"skipped: corpus not found at {CORPUS}")
        return 0
    reuse = bool(args.keep) and (Path(args.keep) / "vnnews.sqlite3").exists()
    data_dir = Path(args.keep or tempfile.mkdtemp(prefix="vnnews-bench-search-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["VNNEWS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vnnews.site.settings"
    admin = ""
    if args.postgres:
        admin, os.environ["DATABASE_URL"], reuse = _postgres_scratch(
            args.postgres, bool(args.keep), args.scratch_db
        )
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.cache import caches
        from django.core.management import call_command
        from django.db import connection

        from vnnews.news import search
        from vnnews.news.models import Section

        call_command("migrate", verbosity=0)
        if not reuse:
            generate(args.articles)
        started = time.perf_counter()
        indexed = search.reindex() if not reuse else 0
        print(
            f"{connection.vendor}: {indexed} articles indexed in "
            f"{time.perf_counter() - started:.1f} s"
        )
        answers = caches[settings.VNNEWS_PAGE_CACHE_ALIAS]
        section = Section.objects.get(slug="xa-hoi")
        cases = [(q, {}) for q in SEARCHES]
        cases += [(q, {"page": 3}) for q in SEARCHES[:5]]
        cases += [(q, {"section": section}) for q in SEARCHES[:5]]
        all_times: list[float] = []
        print(f"{'query':34} {'hits':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
        for query, options in cases:
            times = []
            for _ in range(args.repeat):
                # Every run a cache miss: this measures the query, not search's answer cache.
                answers.clear()
                search.forget_rows()
                t0 = time.perf_counter()
                results = search.search(query, **options)
                times.append((time.perf_counter() - t0) * 1000)
            all_times += times
            label = query + "".join(f" {k}={getattr(v, 'slug', v)}" for k, v in options.items())
            print(
                f"{label:34} {results.total:6d} {statistics.median(times):7.1f} "
                f"{percentile(times, 0.95):7.1f} {max(times):7.1f}"
            )
        print(
            f"all queries: p50 {statistics.median(all_times):.1f} ms, "
            f"p95 {percentile(all_times, 0.95):.1f} ms, max {max(all_times):.1f} ms"
        )
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        if admin and not args.keep:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {args.scratch_db}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
