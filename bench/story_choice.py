"""Story choice alone (`assign_story`, what a live worker runs after storing an article), in one
process on a fresh database: its CPU per article, an optional profile, and what it chose, so a
change can be checked to choose the same stories.

    .venv/bin/python bench/story_choice.py corpus [--articles 1500] [--profile] [--dump F]
    .venv/bin/python bench/story_choice.py orders [--orders 8] [--dump F]
    .venv/bin/python bench/story_choice.py compare A.json B.json

- corpus: bench_ingest's real corpus (dantri-unc and vims-dev stories spread over 20 outlets,
  same seed and order), the first --articles of it stored without a story, then assigned oldest
  first, one assign_story each (one second apart, so each sees every earlier one as a candidate,
  up to MAX_STORY_CANDIDATES). Prints CPU ms per article (process time, so less sensitive to
  the machine's load than wall time) for each quarter of the run, and the process's RSS every
  100 articles (the story-choice caches must stop growing once the candidate set is full).
- orders: the vims-dev evaluation on the site's path: its 653 documents assigned in --orders
  shuffled orders (seeds 1..N), each on an emptied database with the caches reset; prints
  B-cubed-free pairwise P/R/F1 and ARI per order and their mean.
- --dump writes every run's partition (lists of document keys) as JSON; `compare` says whether
  two dumps put every document with the same companions, and how many differ.

The database is SQLite in a temporary folder, or DATABASE_URL's.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("mode", choices=("corpus", "orders", "compare"))
    p.add_argument("files", nargs="*", help="compare: two dumps")
    p.add_argument("--articles", type=int, default=1500)
    p.add_argument("--orders", type=int, default=8)
    p.add_argument("--seed", type=int, default=5, help="corpus order (bench_ingest's --seed)")
    p.add_argument("--profile", action="store_true", help="cProfile the assignments (corpus)")
    p.add_argument("--dump", type=Path, help="write the partitions here (JSON)")
    return p.parse_args()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")
    os.environ.setdefault("VNNEWS_DATA_DIR", tempfile.mkdtemp(prefix="vnnews-story-choice-"))
    os.environ.setdefault("VNNEWS_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def empty_database() -> None:
    from vnnews.news import stories_sync
    from vnnews.news.models import Article, Story

    Article.objects.all().delete()
    Story.objects.all().delete()
    stories_sync.reset_caches()


def store(docs: list[tuple[str, str, str, str]]) -> dict[int, str]:
    """Store (key, title, sapo, text) documents one second apart, oldest first, without a
    story; returns article pk -> key."""
    from django.utils import timezone

    from tests.factories import make_article, make_source

    source = make_source("story-choice.example.vn")
    start = timezone.now() - timedelta(days=1)
    keys = {}
    for i, (key, title, sapo, text) in enumerate(docs):
        article = make_article(
            title, sapo=sapo, text=text, source=source, published=start + timedelta(seconds=i)
        )
        keys[article.pk] = key
    return keys


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def assign_all(
    profile: cProfile.Profile | None = None, rss: list[float] | None = None
) -> list[float]:
    """assign_story for every stored article, oldest first; CPU seconds of each (and the
    process's RSS every 100 articles into `rss`)."""
    from vnnews.news.models import Article
    from vnnews.news.stories_sync import assign_story

    costs = []
    # One article loaded at a time (not all texts held, which would show in the RSS), by pk: a
    # cursor left open over the table it writes to is not what a worker does.
    pks = list(Article.objects.order_by("published", "id").values_list("pk", flat=True))
    for n, pk in enumerate(pks):
        article = Article.objects.select_related("source").get(pk=pk)
        if rss is not None and n % 100 == 0:
            rss.append(rss_mb())
        started = time.process_time()
        if profile is not None:
            profile.enable()
        assign_story(article, bump=False)
        if profile is not None:
            profile.disable()
        costs.append(time.process_time() - started)
    return costs


def partition(keys: dict[int, str]) -> list[list[str]]:
    from vnnews.news.models import Article

    stories: dict[int, list[str]] = {}
    for pk, story_id in Article.objects.values_list("pk", "story_id"):
        stories.setdefault(story_id, []).append(keys[pk])
    return sorted(sorted(members) for members in stories.values())


def run_corpus(args: argparse.Namespace) -> dict:
    from bench_ingest import corpus_plan

    plan, _ = corpus_plan(20, args.seed)
    docs = [
        (f"{i:05d}", text.title, text.sapo, "\n".join(text.paragraphs))
        for i, (_, text) in enumerate(plan[: args.articles])
    ]
    empty_database()
    keys = store(docs)
    profile = cProfile.Profile() if args.profile else None
    wall = time.monotonic()
    rss: list[float] = []
    costs = assign_all(profile, rss)
    wall = time.monotonic() - wall
    quarter = max(1, len(costs) // 4)
    quarters = [
        sum(costs[i : i + quarter]) / len(costs[i : i + quarter]) * 1000
        for i in range(0, quarter * 4, quarter)
    ]
    print(
        f"corpus: {len(costs)} articles, CPU {sum(costs) / len(costs) * 1000:.1f} ms/article "
        f"(quarters: {', '.join(f'{q:.1f}' for q in quarters)}), wall {wall:.1f} s, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(f"RSS every 100 articles (MB): {' '.join(f'{m:.0f}' for m in rss)}")
    if profile is not None:
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)
    return {"corpus": partition(keys)}


def run_orders(args: argparse.Namespace) -> dict:
    from bench_ingest import SHARED

    from vnnews.stories.evaluation import read_vims, score_clusters

    docs, gold = read_vims(SHARED / "stories" / "vims-dev")
    runs, scores = {}, []
    for seed in range(1, args.orders + 1):
        order = list(docs)
        random.Random(seed).shuffle(order)
        empty_database()
        keys = store([(d.key, d.title, "", d.text) for d in order])
        started = time.process_time()
        assign_all()
        cpu = (time.process_time() - started) / len(order) * 1000
        runs[f"order-{seed}"] = partition(keys)
        score = score_clusters(runs[f"order-{seed}"], gold)
        scores.append(score)
        print(
            f"order {seed}: P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f} "
            f"ARI {score.ari:.3f} stories {score.predicted_clusters} ({cpu:.1f} ms/article CPU)",
            flush=True,
        )
    n = len(scores)
    print(
        f"mean of {n} orders: P {sum(s.precision for s in scores) / n:.3f} "
        f"R {sum(s.recall for s in scores) / n:.3f} F1 {sum(s.f1 for s in scores) / n:.3f} "
        f"ARI {sum(s.ari for s in scores) / n:.3f} (min F1 {min(s.f1 for s in scores):.3f})"
    )
    return runs


def compare(first: Path, second: Path) -> int:
    """Documents whose set of story companions differs between two dumps, per run."""
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    differing = 0
    for run in sorted(a.keys() & b.keys()):
        mates_a = {k: frozenset(m) for members in a[run] for k in members for m in [members]}
        mates_b = {k: frozenset(m) for members in b[run] for k in members for m in [members]}
        moved = sorted(k for k in mates_a if mates_a[k] != mates_b.get(k))
        differing += len(moved)
        print(f"{run}: {len(moved)} of {len(mates_a)} documents with other companions {moved[:10]}")
    return 1 if differing else 0


def main() -> int:
    args = parse_args()
    if args.mode == "compare":
        return compare(*map(Path, args.files))
    setup_django()
    runs = run_corpus(args) if args.mode == "corpus" else run_orders(args)
    if args.dump:
        args.dump.write_text(json.dumps(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
