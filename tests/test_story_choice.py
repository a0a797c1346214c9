"""Story choice internals (vnnews.news.stories_sync): the running document frequencies and the
inverted index kept by difference must equal what a fresh count of the candidate set gives."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta


def _fresh_postings(members: dict) -> dict[str, set]:
    postings: dict[str, set] = {}
    for key, counts in members.items():
        for feature in counts:
            postings.setdefault(feature, set()).add(key)
    return postings


def test_it_keeps_frequencies_and_postings_equal_to_a_fresh_count_as_candidates_move():
    from vnnews.news.stories_sync import _Frequencies

    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(60)]
    articles = {
        (pk, None): Counter({rng.choice(vocabulary): 1 for _ in range(rng.randrange(0, 12))})
        for pk in range(400)
    }
    frequencies = _Frequencies()
    keys = list(articles)
    for step in range(0, 380, 7):  # a sliding window of candidates, plus a few random leavers
        window = [k for k in keys[step : step + 40] if rng.random() > 0.1]
        candidates = [(pk, pk % 9, articles[(pk, c)], c) for pk, c in window]
        df = frequencies.update(candidates)
        members = {k: articles[k] for k in window}
        expected_df = Counter(f for counts in members.values() for f in counts)
        assert df == expected_df
        fresh = _fresh_postings(members)
        assert {f: set(frequencies.holding(f)) for f in frequencies.postings} == fresh
        # A feature held once is stored as the key itself, never as a one-key list.
        assert not any(type(v) is list and len(v) < 2 for v in frequencies.postings.values())
        assert frequencies.holding("absent") == []


def _assign_vims(shared_data, clusters: int) -> list[list[str]]:
    from django.utils import timezone

    from tests.factories import make_article, make_source
    from vnnews.news.models import Article, Story
    from vnnews.news.stories_sync import assign_story, reset_caches
    from vnnews.stories.evaluation import read_vims

    Article.objects.all().delete()
    Story.objects.all().delete()
    reset_caches()
    docs, gold = read_vims(shared_data / "stories" / "vims-dev")
    wanted = {key for members in gold[:clusters] for key in members}
    order = [d for d in docs if d.key in wanted]
    random.Random(4).shuffle(order)
    source, now = make_source("vims.example.vn"), timezone.now()
    keys = {}
    for i, doc in enumerate(order):
        article = make_article(
            doc.title, text=doc.text, source=source, published=now + timedelta(seconds=i)
        )
        keys[article.pk] = doc.key
        assign_story(article, bump=False)
    stories: dict[int, list[str]] = {}
    for pk, story_id in Article.objects.values_list("pk", "story_id"):
        stories.setdefault(story_id, []).append(keys[pk])
    return sorted(sorted(members) for members in stories.values())


def test_it_chooses_the_story_scoring_every_story_would_choose(shared_data, db, monkeypatch):
    """The postings and the bound only skip work: with no story pruned (every bound 1.0), each
    article lands with the same companions. Member vectors are rebuilt for every article here:
    kept for a generation, a vector is built under the IDF of the first choice that scores it,
    and pruning changes which one that is."""
    from vnnews.news import stories_sync

    monkeypatch.setattr(stories_sync, "_GENERATION_ARTICLES", 0)
    pruned = _assign_vims(shared_data, 12)
    monkeypatch.setattr(stories_sync, "_bound", lambda state: 1.0 if state[0] else 0.0)
    every = _assign_vims(shared_data, 12)
    assert pruned == every
    assert len(pruned) < sum(map(len, pruned))  # some stories have several members


def test_it_keeps_a_candidate_whose_stored_time_is_in_another_text_form(db):
    """On SQLite the cache key holds last_changed as stored; another writer may have stored it
    as ISO text with a T and an offset, which Django reads back the same."""
    from django.db import connection
    from django.utils import timezone

    from tests.factories import make_article, make_source
    from vnnews.news.models import Article
    from vnnews.news.stories_sync import assign_story, reset_caches

    now = timezone.now()
    first = assign_story(
        make_article(
            "Mưa lũ gây ngập sâu ở Huế",
            text="Mưa lớn kéo dài khiến nước sông Hương dâng cao, nhiều tuyến phố ở Huế ngập sâu; "
            "chính quyền sơ tán hơn 2.000 hộ dân ở vùng trũng.",
            source=make_source("dantri.com.vn"),
            published=now - timedelta(hours=2),
        ),
        bump=False,
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE news_article SET last_changed = %s WHERE id = %s",
                [first.last_changed.isoformat(), first.pk],
            )
    reset_caches()
    second = assign_story(
        make_article(
            "Huế ngập sâu, sơ tán hơn 2.000 hộ dân",
            text="Nước sông Hương dâng cao sau mưa lớn kéo dài, thành phố Huế sơ tán hơn 2.000 "
            "hộ dân ở vùng trũng; nhiều tuyến phố ngập sâu, học sinh được nghỉ học.",
            source=make_source("tuoitre.vn"),
            published=now - timedelta(hours=1),
        ),
        bump=False,
    )
    assert second.duplicate_of_id is None
    assert second.story_id == Article.objects.get(pk=first.pk).story_id
