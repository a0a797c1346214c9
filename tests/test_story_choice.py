"""Story choice internals (vnnews.news.stories_sync, story_candidates): the running document
frequencies and the inverted index kept by difference must equal what a fresh count of the
candidate set gives."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.processes import process_env
from tests.story_race_worker import assert_one_story_per_event


def test_it_keeps_the_candidate_set_equal_to_a_fresh_count_as_candidates_move(monkeypatch):
    """Frequencies, members by story and story by member, kept by difference, equal a fresh
    count of each candidate set, also when a candidate moves to another story."""
    from collections import OrderedDict

    from vnnews.news import story_candidates
    from vnnews.stories.clustering import DEFAULT_CLUSTER_OPTIONS

    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(60)]
    articles = {
        (pk, None): Counter({rng.choice(vocabulary): 1 for _ in range(rng.randrange(0, 12))})
        for pk in range(400)
    }
    monkeypatch.setattr(story_candidates, "_COUNTS_CACHE", OrderedDict(articles))  # no text to read
    frequencies = story_candidates._Frequencies()
    keys, before, story = list(articles), set(), {pk: pk % 9 for pk in range(400)}
    held: dict[int, tuple] = {}
    for step in range(0, 380, 7):  # a sliding window of candidates, plus a few random leavers
        window = [k for k in keys[step : step + 40] if rng.random() > 0.1]
        moved = rng.choice(window)[0]
        story[moved] += 100  # assigned again, to another story
        rows = [(pk, story[pk], c) for pk, c in window]
        if step % 2:  # the very tuples of the step before where they are equal, as kept rows are
            rows = [held[row[0]] if held.get(row[0]) == row else row for row in rows]
        held = {row[0]: row for row in rows}
        left, entered = frequencies.move_to(rows, DEFAULT_CLUSTER_OPTIONS)
        # The rows given are the ones held, so the next move tells most apart by identity.
        assert all(frequencies.rows[row[0]] is row for row in rows)
        again = {(moved, None)} & before  # a member that moved leaves and enters again
        assert set(left) == before - set(window) | again
        assert set(entered) == set(window) - before | again
        assert frequencies.df == Counter(f for key in window for f in articles[key])
        assert frequencies.story_of == {pk: story[pk] for pk, _ in window}
        fresh: dict[int, set] = {}
        for pk, c in window:
            fresh.setdefault(story[pk], set()).add((pk, c))
        assert {sid: set(members) for sid, members in frequencies.stories.items()} == fresh
        before = set(window)


@pytest.mark.parametrize("generation", [10**9, 25])
def test_its_index_of_member_vectors_gives_every_candidates_dot_product(monkeypatch, generation):
    """The inverted index of the candidates' vectors, kept by difference within a generation and
    from one generation to the next, gives for every candidate the dot product a direct
    comparison of the two vectors gives; and the vectors are exactly truncated_vector's under
    the IDF of the choice that began the generation (or, for later entrants, they entered at)."""
    from collections import OrderedDict

    from vnnews.news import story_candidates
    from vnnews.stories.clustering import DEFAULT_CLUSTER_OPTIONS
    from vnnews.stories.vectors import TfidfModel, cosine

    monkeypatch.setattr(story_candidates, "_GENERATION_ARTICLES", generation)
    monkeypatch.setattr(story_candidates, "_GENERATION_DRIFT", 10.0**9)
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(80)]
    keep = 12  # fewer than an article's features: the kept ones change between generations
    options = DEFAULT_CLUSTER_OPTIONS.__class__(max_features=keep)

    def counts() -> Counter:
        return Counter({rng.choice(vocabulary): rng.randrange(1, 4) for _ in range(15)})

    frequencies, kept = story_candidates._Frequencies(), story_candidates._MemberVectors()
    articles = {pk: counts() for pk in range(300)}
    cache = OrderedDict()
    monkeypatch.setattr(story_candidates, "_COUNTS_CACHE", cache)  # no text to read
    built_under: dict[int, TfidfModel] = {}  # pk -> the model its vector must have been built by
    generations = 0
    for step in range(0, 260, 9):
        window = range(step, step + 40)
        # Now and then an article is updated: same pk, a new last_changed, new counts.
        changed = {pk: rng.random() < 0.1 for pk in window}
        for pk in window:
            if changed[pk]:
                articles[pk] = counts()
        rows = [(pk, pk % 7, (step, pk) if changed[pk] else None) for pk in window]
        for pk, _, version in rows:
            cache.setdefault((pk, version), articles[pk])
        left, entered = frequencies.move_to(rows, options)
        model = TfidfModel()
        model.df, model.n_docs = frequencies.df.copy(), len(rows)
        kept.sync(frequencies, left, entered, model, options)
        if kept.entered_at == frequencies.entered:  # a generation began
            generations += 1
            built_under = dict.fromkeys(window, model)
        else:
            built_under.update(dict.fromkeys((key[0] for key in entered), model))
        assert set(kept.vectors) == set(window)
        for pk in window:
            counts_now = frequencies.members[kept.keys[pk]]
            assert kept.vector(pk) == built_under[pk].truncated_vector(counts_now, keep)
        probe = model.vector(counts())
        dots = kept.dots(probe)
        for pk, vector in kept.vectors.items():
            assert abs(dots.get(pk, 0.0) - cosine(probe, vector)) < 1e-12
            assert (pk in dots) == any(f in probe for f in vector)
    assert generations == 1 if generation > 300 else generations > 3


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
    """The index, the per-story norms and the threshold bound only skip work: scoring every
    story by summing its members' vectors puts each article with the same companions."""
    from vnnews.news import story_candidates
    from vnnews.stories.vectors import cosine

    def every_story(vector, members, story_of, options):
        sims = {}
        for story_id, keys in members.items():
            total: dict[str, float] = {}
            for pk, _ in keys:
                for feature, weight in story_candidates._MEMBER_VECTORS.vectors[pk].items():
                    total[feature] = total.get(feature, 0.0) + weight
            norm = sum(w * w for w in total.values()) ** 0.5
            sim = cosine(vector, total) / norm if norm else 0.0
            if sim >= options.threshold:
                sims[story_id] = sim
        return sims

    indexed = _assign_vims(shared_data, 12)
    monkeypatch.setattr(story_candidates, "_story_sims", every_story)
    every = _assign_vims(shared_data, 12)
    assert indexed == every
    assert len(indexed) < sum(map(len, indexed))  # some stories have several members


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


def test_an_article_chosen_before_another_was_written_is_settled_against_it(db):
    """What the lock is for: two articles of a new event (and two copies of one report) chosen
    at once, before either was written. Each snapshot holds nothing to join, so without the
    settling both would start a story; settled under the lock, the later joins the earlier."""
    from tests.story_race_worker import EVENTS
    from vnnews.news.stories_sync import _choose, _settle, assign_story
    from vnnews.news.story_candidates import last_assignment
    from vnnews.stories.clustering import DEFAULT_CLUSTER_OPTIONS as options

    first, second, copy, copied = _articles(EVENTS[0], EVENTS[1], EVENTS[4], EVENTS[5])
    mark = last_assignment()
    choice = _choose(second, options)
    copy_choice = _choose(copy, options)
    assert choice.scores.sims == {} and copy_choice.original is None  # they saw nothing
    assign_story(first)
    assign_story(copied)
    settled = _settle(second, choice, mark, options)
    assert settled.original is None and settled.story.pk == first.story_id
    settled = _settle(copy, copy_choice, mark, options)
    assert settled.original.pk == copied.pk and settled.story.pk == copied.story_id
    # Nothing was written since: the snapshot's choice stands.
    again = _choose(second, options)
    assert _settle(second, again, last_assignment(), options).story.pk == first.story_id


def _articles(*events):
    from django.utils import timezone

    from tests.factories import make_article, make_source

    now = timezone.now()
    return [
        make_article(title, text=text, source=make_source(f"outlet{i}.vn"), published=now)
        for i, (_, title, text) in enumerate(events)
    ]


def test_two_worker_processes_on_a_sqlite_file_choosing_at_once_keep_each_event_in_one_story(
    tmp_path,
):
    _two_workers_choosing_at_once(process_env(tmp_path), tmp_path)


def test_two_worker_processes_on_postgresql_choosing_at_once_keep_each_event_in_one_story(
    postgres_url, tmp_path
):
    _two_workers_choosing_at_once(process_env(tmp_path, postgres_url), tmp_path)


def _two_workers_choosing_at_once(env: dict, tmp_path) -> None:
    """Two real worker processes assign the two articles of three events (one of them two copies
    of one report) at the same moment, each waiting after its choice for the other's: every
    event still ends in one story, the copy is marked, and the stories' sizes match their
    articles. On SQLite the processes share a database file (the file lock); on PostgreSQL the
    test database (the advisory lock)."""
    import json
    import subprocess
    import sys
    import time

    worker = [sys.executable, str(Path(__file__).parent / "story_race_worker.py")]

    def run(*args: str) -> str:
        return subprocess.run([*worker, *args], env=env, check=True, capture_output=True,
                              text=True, timeout=120).stdout  # fmt: skip

    pks = json.loads(run("setup"))
    go = tmp_path / "go"
    ready = [tmp_path / "ready-1", tmp_path / "ready-2"]
    workers = [
        subprocess.Popen(
            [*worker, "assign", str(go), str(ready[n]), *map(str, pks[n::2])], env=env
        )  # fmt: skip
        for n in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(r.exists() for r in ready), "the workers did not get ready"
        go.touch()
        assert [w.wait(120) for w in workers] == [0, 0]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    state = json.loads(run("report"))
    copy_of = assert_one_story_per_event(state, pks)
    story = {pk: story_id for pk, story_id, _ in state["articles"]}
    flood, bridge = pks[0:2], pks[4:6]
    assert sorted([copy_of[bridge[0]] or 0, copy_of[bridge[1]] or 0]) in (
        [0, bridge[0]],
        [0, bridge[1]],
    )
    assert copy_of[flood[0]] is copy_of[flood[1]] is None
    members: dict[int, int] = {}
    for pk in pks:
        members[story[pk]] = members.get(story[pk], 0) + 1
    assert {sid: state["sizes"][str(sid)] for sid in members} == members


def test_the_kept_candidate_rows_are_what_the_query_gives_as_assignments_come_in(db):
    """_CandidateRows follows the assignments by their numbers instead of reading the window
    again: after articles are assigned, moved to another story, made copies, and as the window
    slides, it gives the same rows as the query."""
    from django.utils import timezone

    from tests.factories import make_article, make_source
    from vnnews.news.models import Article
    from vnnews.news.stories_sync import assign_story
    from vnnews.news.story_candidates import _CandidateRows, last_assignment, recent_rows

    rng = random.Random(11)
    source, start = make_source("vnexpress.net"), timezone.now() - timedelta(days=10)
    window = timedelta(hours=30)
    words = ["lũ", "bão", "giá xăng", "bóng đá", "cầu sập", "học phí", "thuế", "chứng khoán"]
    articles = [
        make_article(
            f"Tin {rng.choice(words)} số {i}",
            text=" ".join(rng.choice(words) for _ in range(30)),
            source=source,
            published=start + timedelta(hours=3 * i),
        )
        for i in range(60)
    ]
    kept = _CandidateRows()
    reads, read = [], kept._read
    kept._read = lambda *args: (reads.append(args), read(*args))
    for i, article in enumerate(articles):
        assign_story(article, bump=False)
        if i % 7 == 3:  # an earlier article moves: it is assigned again, as after an update
            assign_story(Article.objects.get(pk=articles[i - 2].pk), bump=False)
        if i % 11 == 5:  # another becomes a copy (written by an assignment too)
            Article.objects.filter(pk=articles[i - 1].pk).update(
                duplicate_of=articles[i - 3], story_seq=last_assignment() + 1
            )
        following = articles[i + 1] if i + 1 < len(articles) else article
        expected = recent_rows(
            following, window, "{pk}, {story}, {changed}", "+{story} IS NOT NULL", 1500
        )
        assert kept.candidates(following, window, last_assignment()) == expected
    assert 0 < len(reads) < len(articles) / 4  # mostly caught up by assignment numbers


def test_a_copy_whose_original_was_taken_down_after_the_snapshot_is_not_written_as_its_copy(db):
    """The choice runs outside the lock: the original it found may be deleted (a takedown in the
    admin) before the settling. The settling reads it again, so the copy is not written pointing
    at a missing row (an integrity error at the write, and the article left without a story)."""
    from django.db import IntegrityError, connection, transaction

    from tests.story_race_worker import EVENTS
    from vnnews.news.models import Article, Story
    from vnnews.news.stories_sync import _choose, _settle, _write, assign_story
    from vnnews.news.story_candidates import last_assignment
    from vnnews.stories.clustering import DEFAULT_CLUSTER_OPTIONS as options

    original, copy = _articles(EVENTS[4], EVENTS[5])
    assign_story(original)
    mark = last_assignment()
    choice = _choose(copy, options, mark)
    assert choice.original.pk == original.pk  # the snapshot saw it
    Article.objects.filter(pk=original.pk).delete()
    settled = _settle(copy, choice, mark, options)
    assert settled.original is None
    try:
        with transaction.atomic():
            story = _write(copy, settled)
            # SQLite checks foreign keys at the commit: check them here, inside the test's
            # transaction, as the commit would.
            connection.check_constraints()
    except IntegrityError as exc:  # pragma: no cover - the failure this test is for
        pytest.fail(f"the copy was written pointing at the deleted original: {exc}")
    assert Story.objects.filter(pk=story.pk).exists()
    assert Article.objects.get(pk=copy.pk).duplicate_of_id is None


def test_articles_after_a_story_is_deleted_by_hand_join_the_story_that_replaces_it(
    transactional_db,
):
    """Deleting a story (the admin) empties its articles' story without an assignment number,
    so the kept candidate rows still place them in it. A choice of that story must not start
    a story for every later article of the event: the rows are read again, and the next
    article joins the first story started after the deletion, as the query would have it."""
    from tests.story_race_worker import EVENTS
    from vnnews.news.models import Article, Story
    from vnnews.news.stories_sync import assign_story, reset_caches

    reset_caches()
    flood = [event for event in EVENTS if event[0] == "flood"]
    retold = [
        (
            "flood",
            "Huế: nước sông Hương lên nhanh, phố ngập sâu",
            flood[0][2] + " Mưa còn kéo dài.",
        ),
        ("flood", "Sơ tán hơn 2.000 hộ dân vì mưa lũ ở Huế", flood[1][2] + " Học sinh nghỉ học."),
    ]
    first, second, third, fourth = _articles(*flood, *retold)
    assign_story(first, bump=False)
    assign_story(second, bump=False)
    gone = Article.objects.get(pk=first.pk).story_id
    assert Article.objects.get(pk=second.pk).story_id == gone
    Story.objects.filter(pk=gone).delete()
    assign_story(third, bump=False)
    assign_story(fourth, bump=False)
    after = Article.objects.get(pk=third.pk).story_id
    assert after != gone and Story.objects.filter(pk=after).exists()
    assert Article.objects.get(pk=fourth.pk).story_id == after


def _mixed_flood_and_fuel_report(fresh_process_after_takedown: bool) -> tuple[int, int, int]:
    """A flood report (its own story) and a fuel report (another); the flood report is taken
    down, then one mixing both events is assigned. Returns (the mixed report's story, the fuel
    story, the taken-down report's story)."""
    from tests.story_race_worker import EVENTS
    from vnnews.news.models import Article, Story
    from vnnews.news.stories_sync import assign_story, reset_caches

    Article.objects.all().delete()  # each run on its own: no copies of the run before
    Story.objects.all().delete()
    reset_caches()
    flood, fuel = EVENTS[0], EVENTS[2]
    mixed = ("both", "Mưa lũ ở Huế, giá xăng giảm", flood[2] + " " + fuel[2][:90])
    taken_down, fuel_report, later = _articles(flood, fuel, mixed)
    assign_story(taken_down, bump=False)
    assign_story(fuel_report, bump=False)
    orphan = Article.objects.get(pk=taken_down.pk).story_id
    Article.objects.filter(pk=taken_down.pk).delete()  # a takedown: no assignment number
    if fresh_process_after_takedown:
        reset_caches()
    assign_story(later, bump=False)
    fuel_story = Article.objects.get(pk=fuel_report.pk).story_id
    return Article.objects.get(pk=later.pk).story_id, fuel_story, orphan


def test_an_article_taken_down_does_not_draw_a_later_one_into_its_story(transactional_db):
    """A deleted article leaves no assignment number, so the kept candidate rows (and the
    candidate set built from them) still hold it until their next full read. A later report
    close to it must not join its story for its sake (a story left with no article of the
    event, titled by the report taken down): it goes where a fresh process puts it."""
    fresh = _mixed_flood_and_fuel_report(fresh_process_after_takedown=True)
    joined, fuel_story, _ = fresh
    assert joined == fuel_story  # without the flood report, the fuel part decides
    kept = _mixed_flood_and_fuel_report(fresh_process_after_takedown=False)
    joined, fuel_story, orphan = kept
    assert joined != orphan
    assert joined == fuel_story


def test_a_batch_assignment_on_a_sqlite_file_writes_after_other_workers_writes(tmp_path):
    """assign_stories (`vnnews import --stories`) while live workers write to the same SQLite
    file. Its reads of the batch must not stay open across the assignments: on SQLite an
    unfinished read keeps the connection on the database as it was when it began, so each
    assignment would miss the others' writes, and its own write fail ("database is locked")."""
    import json
    import subprocess
    import sys

    worker = [sys.executable, str(Path(__file__).parent / "story_race_worker.py"), "batch"]
    done = subprocess.run(
        worker, env=process_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == 3
