"""A story-assigning worker process for the race in tests/test_story_choice.py:

    python tests/story_race_worker.py setup                   # migrate, store EVENTS, print pks
    python tests/story_race_worker.py assign GO READY PK...   # touch READY, wait for GO, assign
    python tests/story_race_worker.py report                  # every article's story, as JSON
    python tests/story_race_worker.py batch                   # assign_stories, others writing

The database is whatever the environment gives (VNNEWS_DATA_DIR's SQLite file, DATABASE_URL).
`assign` waits after each choice (outside the assignment lock) until the other worker has made
its choice of the same turn, so two such workers both choose before either writes: neither
snapshot holds the other's article, and only the settling under the lock can put them together.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")

# (event, title, text): each event twice, by two outlets, at the same minute. "copy" is the
# same report republished under another headline: a near duplicate.
_FLOOD = (
    "Mưa lớn kéo dài khiến nước sông Hương dâng cao, nhiều tuyến phố ở Huế ngập sâu; chính quyền "
    "sơ tán hơn 2.000 hộ dân ở vùng trũng, học sinh được nghỉ học."
)
_FUEL = (
    "Liên bộ Công Thương - Tài chính điều chỉnh giá xăng dầu chiều nay: xăng RON95 giảm 520 đồng "
    "mỗi lít, dầu diesel giảm 310 đồng; quỹ bình ổn giá không được trích lập hay chi sử dụng."
)
_BRIDGE = (
    "Cầu Phong Châu ở Phú Thọ bị sập sau khi nước sông Hồng dâng cao do bão Yagi; nhiều ô tô và "
    "xe máy rơi xuống sông, lực lượng cứu hộ đang tìm kiếm những người mất tích."
)
EVENTS = [
    ("flood", "Mưa lũ gây ngập sâu ở Huế", _FLOOD),
    ("flood", "Huế ngập sâu, sơ tán hơn 2.000 hộ dân", "Nước sông Hương dâng cao sau mưa lớn "
     "kéo dài, thành phố Huế sơ tán hơn 2.000 hộ dân ở vùng trũng; nhiều tuyến phố ngập sâu."),
    ("fuel", "Giá xăng RON95 giảm 520 đồng mỗi lít", _FUEL),
    ("fuel", "Xăng dầu đồng loạt giảm giá từ chiều nay", "Từ chiều nay xăng RON95 giảm 520 đồng "
     "mỗi lít và dầu diesel giảm 310 đồng, theo điều chỉnh của liên bộ Công Thương - Tài chính."),
    ("copy", "Sập cầu Phong Châu ở Phú Thọ", _BRIDGE),
    ("copy", "Phú Thọ: cầu Phong Châu sập, nhiều người mất tích", _BRIDGE),
]  # fmt: skip


def setup() -> list[int]:
    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import make_article, make_source

    call_command("migrate", verbosity=0)
    now = timezone.now()
    sources = [make_source("dantri.com.vn"), make_source("tuoitre.vn")]
    return [
        make_article(
            title,
            text=text,
            source=sources[i % 2],
            published=now - timedelta(hours=len(EVENTS) - i // 2),
        ).pk
        for i, (_, title, text) in enumerate(EVENTS)
    ]


WORKERS = 2  # `assign` processes started together, each with as many articles


def assign(go: Path, ready: Path, pks: list[int]) -> None:
    from vnnews.news import stories_sync
    from vnnews.news.models import Article

    choose, turns = stories_sync._choose, iter(range(len(pks)))

    def choose_together(article, options, mark=None):
        """Choose, then wait for the other worker's choice of the same turn (a file each)."""
        choice = choose(article, options, mark)
        turn = next(turns)
        (go.parent / f"chosen-{turn}-{ready.name}").touch()
        deadline = time.monotonic() + 60
        while len(list(go.parent.glob(f"chosen-{turn}-*"))) < WORKERS:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the other worker made no choice of turn {turn}")
            time.sleep(0.01)
        return choice

    stories_sync._choose = choose_together
    articles = [Article.objects.select_related("source").get(pk=pk) for pk in pks]
    ready.touch()
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    for article in articles:
        stories_sync.assign_story(article)


class _Enough(Exception):
    pass


def batch() -> int:
    """assign_stories over more articles than one chunk of its reads (SQLite file only), while
    another connection commits a write before every assignment, as a live worker would: the
    batch must see those writes and write after them. Returns how many it assigned."""
    import sqlite3

    from django.core.management import call_command
    from django.db import connection

    from tests.factories import make_article, make_source
    from vnnews.news import stories_sync

    call_command("migrate", verbosity=0)
    source = make_source("dantri.com.vn")
    for n in range(250):
        make_article(f"Tin số {n}", text=f"Nội dung riêng của tin số {n}.", source=source)
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=10)
    assign, done = stories_sync.assign_story, []

    def assign_while_another_writes(article, *args, **kwargs):
        other.execute("UPDATE news_source SET name = name || '.'")  # committed at once
        assign(article, *args, **kwargs)
        done.append(article.pk)
        if len(done) == 3:
            raise _Enough

    stories_sync.assign_story = assign_while_another_writes
    with contextlib.suppress(_Enough):
        stories_sync.assign_stories()
    return len(done)


def assert_one_story_per_event(state: dict, pks: list[int]) -> dict[int, int | None]:
    """Check a report of the articles `setup` stored (pks in EVENTS order): each event's two
    articles share a story, the three events have three. Returns pk -> duplicate_of."""
    story = {pk: story_id for pk, story_id, _ in state["articles"]}
    flood, fuel, bridge = pks[0:2], pks[2:4], pks[4:6]
    for pair in (flood, fuel, bridge):
        assert story[pair[0]] == story[pair[1]] is not None, pair
    assert len({story[flood[0]], story[fuel[0]], story[bridge[0]]}) == 3
    return {pk: original for pk, _, original in state["articles"]}


def report() -> dict:
    from vnnews.news.models import Article, Story

    return {
        "articles": list(Article.objects.values_list("pk", "story_id", "duplicate_of_id")),
        "sizes": dict(Story.objects.values_list("pk", "size")),
    }


def main() -> None:
    import django

    django.setup()
    if sys.argv[1] == "setup":
        print(json.dumps(setup()))
    elif sys.argv[1] == "batch":
        print(json.dumps(batch()))
    elif sys.argv[1] == "assign":
        assign(Path(sys.argv[2]), Path(sys.argv[3]), [int(pk) for pk in sys.argv[4:]])
    else:
        print(json.dumps(report()))


if __name__ == "__main__":
    main()
