"""CPU cost of uncached pages, measured in-process through the WSGI application (the whole
middleware stack, as gunicorn calls it; less sensitive to machine load than the HTTP benchmark).

    .venv/bin/python bench/profile_article.py DATA_DIR [--pages 200] [--kind mixed] [--profile]

DATA_DIR is a data folder holding a filled database, e.g. one kept by
`bench/bench_serve.py --keep`. The page cache is off. The URLs are bench_serve's (`--kind mixed`
draws them with its mix); with `--reader` requests carry a browser's user agent, so article views
are counted as in the HTTP benchmark (robots are not counted). The similarity index for
"Có thể bạn quan tâm" is built before measuring.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["article", "home", "section", "search", "api", "rss"]


def wsgi_get(app, path: str, agent: str) -> int:
    """One GET through the WSGI application; the body is read as a server would."""
    from urllib.parse import unquote

    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": unquote(route),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": agent,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    body = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return int(status[0].split()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    parser.add_argument("--kind", choices=[*KINDS, "mixed"], default="article")
    parser.add_argument("--reader", action="store_true", help="a browser's user agent (views)")
    args = parser.parse_args(argv)
    os.environ["VNNEWS_DATA_DIR"] = args.data_dir
    os.environ["VNNEWS_PAGE_CACHE_SECONDS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from bench_serve import url_plan
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from http_load import MIX

    from vnnews.news import related

    call_command("collectstatic", interactive=False, verbosity=0)
    related.warm_up()
    plan = url_plan(random.Random(1), 1000)
    rng = random.Random(5)
    mix = MIX if args.kind == "mixed" else {args.kind: 1}
    kinds = list(mix)
    drawn = rng.choices(kinds, weights=[mix[k] for k in kinds], k=args.pages + 20)
    # Articles are taken in order (each page new, as in the uncached benchmark), the few other
    # URLs at random.
    articles = iter(plan["article"])
    paths = [
        (kind, next(articles) if kind == "article" else rng.choice(plan[kind])) for kind in drawn
    ]
    agent = "Mozilla/5.0 (bench reader)" if args.reader else "profile-bot"
    app = WSGIHandler()
    for _, path in paths[-20:]:  # warm-up: imports, template compilation
        assert wsgi_get(app, path, agent) == 200, path
    paths = paths[: args.pages]
    profiler = cProfile.Profile() if args.profile else None
    spent: dict[str, list[float]] = defaultdict(list)
    process_started = time.process_time()
    if profiler:
        profiler.enable()
    for kind, path in paths:
        started = time.thread_time()
        status = wsgi_get(app, path, agent)
        spent[kind].append(time.thread_time() - started)
        assert status == 200, (path, status)
    if profiler:
        profiler.disable()
    process = time.process_time() - process_started
    total = sum(sum(v) for v in spent.values())
    print(
        f"uncached {args.kind}: {total * 1000 / len(paths):.2f} ms CPU a page in the request "
        f"thread, {process * 1000 / len(paths):.2f} ms with background threads (view counts), "
        f"mean of {len(paths)}"
    )
    for kind in kinds:
        values = spent.get(kind, [])
        if values:
            print(
                f"  {kind:<8} {sum(values) * 1000 / len(values):6.2f} ms CPU  ({len(values)} pages)"
            )
    if profiler:
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            int(os.environ.get("PROFILE_LINES", "45"))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
