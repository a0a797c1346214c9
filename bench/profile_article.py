"""CPU cost of one uncached article page, measured in-process with Django's test client
(less sensitive to machine load than the HTTP benchmark).

    .venv/bin/python bench/profile_article.py DATA_DIR [--pages 200] [--profile]

DATA_DIR is a data folder holding a filled database, e.g. one kept by
`bench/bench_serve.py --keep`. The page cache is off; views are not counted (robot agent).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    parser.add_argument(
        "--kind",
        choices=["article", "home", "section", "search"],
        default="article",
        help="page type (other than article: the same few URLs over and over)",
    )
    args = parser.parse_args(argv)
    os.environ["VNNEWS_DATA_DIR"] = args.data_dir
    os.environ["VNNEWS_PAGE_CACHE_SECONDS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)

    from vnnews.news.models import Article, Section
    from vnnews.reader.links import article_path

    if args.kind == "article":
        paths = [
            article_path(a)
            for a in Article.objects.order_by("-published").only("id", "title")[: args.pages + 20]
        ]
    else:
        few = {
            "home": ["/", "/?trang=2"],
            "section": [
                f"/chuyen-muc/{s}/" for s in Section.objects.values_list("slug", flat=True)
            ],
            "search": [f"/tim-kiem/?q={q}" for q in ("ha+noi", "bong+da", "gia+vang", "hoc+sinh")],
        }[args.kind]
        paths = (few * (args.pages // len(few) + 20))[: args.pages + 20]
    client = Client(HTTP_USER_AGENT="profile-bot")
    for path in paths[-20:]:  # warm-up: imports, template compilation, related index
        assert client.get(path).status_code == 200
    paths = paths[: args.pages]
    profiler = cProfile.Profile() if args.profile else None
    started_cpu, started = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    if profiler:
        profiler.disable()
    cpu = (time.process_time() - started_cpu) * 1000 / len(paths)
    wall = (time.perf_counter() - started) * 1000 / len(paths)
    print(f"uncached {args.kind} page: {cpu:.1f} ms CPU, {wall:.1f} ms wall (mean of {len(paths)})")
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            45
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
