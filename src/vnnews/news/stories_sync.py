"""Put one stored article into the identity layers 3 and 4 (design rule 7): near duplicate and
story. The storage orchestrator calls `assign_story(article)` right after saving an article.

    from vnnews.news.stories_sync import assign_story
    assign_story(article)        # sets simhash, duplicate_of, story; saves those three fields

The matching itself is the Django-free core (vnnews.stories); the candidate set and its scores are
kept in vnnews.news.story_candidates; this module finds near duplicates, chooses against a
snapshot of the candidates, settles that choice under the assignment lock and writes it.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F

from vnnews.news.bulk import bump_content_version
from vnnews.news.in_lists import in_slices
from vnnews.news.models import SIMHASH_BANDS, Article, Story
from vnnews.news.process_locks import database_lock
from vnnews.news.story_candidates import (
    STATE_LOCK,
    StoryScores,
    article_columns,
    article_time,
    best_story,
    forget_candidate_rows,
    last_assignment,
    recent_rows,
    rescored,
    reset_caches,
    story_scores,
    written_rows,
)
from vnnews.stories.clustering import DEFAULT_CLUSTER_OPTIONS, ClusterOptions
from vnnews.stories.near_duplicates import (
    DEFAULT_OPTIONS,
    find_near_duplicate,
    hamming,
    simhash,
)

__all__ = ["assign_batch_stories", "assign_stories", "assign_story", "reset_caches"]

log = logging.getLogger("vnnews.stories")

# Near-duplicate copies are looked for among articles published this close to the new one.
DUPLICATE_WINDOW = timedelta(days=7)


def fingerprint_text(article: Article) -> str:
    """What a copy shares with its original: the body (with the sapo); headlines get rewritten."""
    body = "\n".join(part for part in (article.sapo, article.text) if part)
    return body or article.title


def _near_duplicate_of(article: Article, fingerprint: int) -> Article | None:
    if DEFAULT_OPTIONS.max_distance < SIMHASH_BANDS:
        # Within max_distance differing bits, at least one of the bands is the same (pigeonhole):
        # the band indexes give every possible match, and only those rows are read.
        bands = tuple((fingerprint >> (16 * n)) & 0xFFFF for n in range(SIMHASH_BANDS))
        sharing = " OR ".join(f"{{band{n}}} = %s" for n in range(SIMHASH_BANDS))
        rows = recent_rows(
            article, DUPLICATE_WINDOW, "{pk}, {simhash}", f"({sharing})", condition_params=bands
        )
    else:
        rows = recent_rows(article, DUPLICATE_WINDOW, "{pk}, {simhash}", "+{simhash} IS NOT NULL")
    match = find_near_duplicate(fingerprint, rows, DEFAULT_OPTIONS)
    if match is None:
        return None
    return Article.objects.select_related("story").filter(pk=match).first()


# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises story assignment.
_PG_LOCK_KEY = 0x766E6E6577730001


def _one_assignment_at_a_time() -> AbstractContextManager[bool]:
    """Worker processes settle and write their story assignments one after another, each
    seeing the ones before it: two articles of a new event arriving together must not both
    start a story. The choice itself is made before, outside this lock, against a snapshot (see
    assign_story and _settle), and outside the write transaction (on SQLite that transaction
    locks the whole database); so this lock, not the database's, keeps the settling in order
    (news/process_locks.py: a file lock beside the SQLite file, an advisory lock on PostgreSQL;
    waiting for the holder to let go). Inside a caller's transaction (tests, a single-process
    import) nothing is taken: such a caller must be the only process assigning stories, since
    its numbers (story_seq) are neither unique nor in commit order then, and other processes'
    settling would miss its assignments. (A lock held to the end of the caller's transaction
    could deadlock with the Story rows it locks.)"""
    return database_lock(_PG_LOCK_KEY, ".stories-lock", blocking=True)


@dataclass
class _Choice:
    fingerprint: int
    original: Article | None  # the near-identical earlier copy
    scores: StoryScores | None = None  # the story choice, when there is no original
    story: Story | None = None  # the story to join (set by _settle); None: start one


def _choose(article: Article, options: ClusterOptions, mark: int | None = None) -> _Choice:
    """What assign_story will write, against a snapshot of the other articles taken after the
    assignment numbered `mark`; reads only."""
    fingerprint = simhash(fingerprint_text(article))
    original = _near_duplicate_of(article, fingerprint) if fingerprint else None
    if original is not None and original.duplicate_of_id == article.pk:
        original = None  # never make two articles copies of each other
    if original is not None:
        return _Choice(fingerprint, original)
    with STATE_LOCK:
        return _Choice(fingerprint, None, story_scores(article, options, mark))


def _assigned_since(article: Article, mark: int) -> list[tuple]:
    """(pk, story_id, simhash, duplicate_of_id, published as stored, changed key) of the other
    articles written by an assignment numbered above `mark`: typically none, or the one or two
    another worker assigned while this one was choosing. Only the story_seq index is used."""
    return [
        (pk, story_id, value, duplicate_of, published, changed)
        for pk, published, story_id, changed, duplicate_of, _, value in written_rows(
            "{seq} > %s", mark
        )
        if pk != article.pk
    ]


def _settle(article: Article, choice: _Choice, mark: int, options: ClusterOptions) -> _Choice:
    """The snapshot's choice, decided again against the articles assigned after `mark` (under
    the assignment lock, so none can be added meanwhile): one of them may be a closer near
    duplicate, start or join a story the article belongs to, or have left a story it scored.
    Only those stories are scored again; the others' scores still hold."""
    rows = _assigned_since(article, mark) if mark is not None else []
    original, scores = choice.original, choice.scores
    if rows:
        original = _closer_original(article, choice, rows)
    if original is not None and original is choice.original:
        # Read again: it may have been deleted (a takedown) since the snapshot, which no
        # assignment number tells; writing the copy would then point at a missing row.
        original = _still_original(article, original, choice.fingerprint)
    if original is not None:
        return _Choice(choice.fingerprint, original, None, original.story)
    when = article_time(article)
    joining = [
        (pk, story_id, changed)
        for pk, story_id, _, duplicate_of, published, changed in rows
        if duplicate_of is None
        and story_id is not None
        and _within(published, when, options.window)
    ]
    with STATE_LOCK:
        if scores is None or (scores.vector is None and joining):
            # No snapshot to settle (the snapshot's original is gone, or there were no
            # candidates at all): the whole choice, now. Rare, and quick with few candidates.
            scores = story_scores(article, options)
            sims = scores.sims
        else:
            sims = rescored(scores, rows, joining, options) if rows else scores.sims
        if _members_gone(scores, sims, rows):
            # A member the chosen story was scored with was deleted (a takedown) or moved by
            # hand: no assignment number tells, so the kept candidate rows still held it, and
            # the article would join that story for its sake (even one left with no article of
            # the event). Choose again from the rows as they are, and read them again next time.
            forget_candidate_rows()
            scores = story_scores(article, options)
            sims = scores.sims
    return _Choice(choice.fingerprint, None, scores, _best_existing(sims))


def _members_gone(scores: StoryScores, sims: dict[int, float], rows: list[tuple]) -> bool:
    """Whether a candidate member of the best scored story is no longer an original of it
    (those assigned since the snapshot, `rows`, were scored as they are now). One small query:
    the chosen story's members, not the whole candidate set."""
    best = best_story(sims)
    if best is None:
        return False
    moved = {row[0] for row in rows}
    pks = [pk for pk, _ in scores.members.get(best, ()) if pk not in moved]
    sql = "SELECT COUNT(*) FROM {table} WHERE {story} = %s AND {duplicate_of} IS NULL "
    sql += "AND {pk} IN ({marks})"
    still = 0
    with connection.cursor() as cursor:
        for chunk in in_slices(pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(sql.format(marks=marks, **article_columns()), [best, *chunk])
            still += cursor.fetchone()[0]
    return still < len(pks)


def _best_existing(sims: dict[int, float]) -> Story | None:
    """The best scored story that still exists. One deleted by hand (the admin) emptied its
    articles' story without an assignment number, so the kept candidate rows still hold them:
    they are read again at the next choice, and this one takes the next best instead of
    starting a story (which every later article of the event would do too)."""
    while sims:
        best = best_story(sims)
        story = Story.objects.filter(pk=best).first()
        if story is not None:
            return story
        forget_candidate_rows()
        sims = {story_id: sim for story_id, sim in sims.items() if story_id != best}
    return None


def _within(published, when: datetime, window: timedelta) -> bool:
    """Whether `published` (as stored) is within `window` of `when`, compared as the
    candidate queries compare it."""
    adapt = connection.ops.adapt_datetimefield_value
    return published is not None and adapt(when - window) <= published <= adapt(when + window)


def _closer_original(article: Article, choice: _Choice, rows: list[tuple]) -> Article | None:
    """The snapshot's original, or a closer near duplicate among `rows`."""
    fingerprint, original = choice.fingerprint, choice.original
    if not fingerprint:
        return None
    if original is not None and any(row[0] == original.pk for row in rows):
        original = _near_duplicate_of(article, fingerprint)  # it was written since: look again
    else:
        when = article_time(article)
        fresh = [
            (pk, value)
            for pk, _, value, duplicate_of, published, _ in rows
            if duplicate_of is None and value and _within(published, when, DUPLICATE_WINDOW)
        ]
        match = find_near_duplicate(fingerprint, fresh, DEFAULT_OPTIONS)
        if match is not None and (
            original is None
            or hamming(fingerprint, dict(fresh)[match]) < hamming(fingerprint, original.simhash)
        ):
            original = Article.objects.select_related("story").filter(pk=match).first()
    if original is not None and original.duplicate_of_id == article.pk:
        return None
    return original


def _still_original(article: Article, original: Article, fingerprint: int) -> Article | None:
    """The snapshot's original as it is now; if it is gone, the nearest duplicate now."""
    fresh = Article.objects.select_related("story").filter(pk=original.pk).first()
    if fresh is None:
        fresh = _near_duplicate_of(article, fingerprint)
    if fresh is not None and fresh.duplicate_of_id == article.pk:
        return None
    return fresh


def _new_story(**fields) -> Story:
    # bulk_create skips post_save: the content version is bumped once per assignment instead.
    return Story.objects.bulk_create([Story(**fields)])[0]


def _write(article: Article, choice: _Choice, waiting_version: int | None = None) -> Story:
    """Write the settled choice, numbered after every earlier assignment (under the assignment
    lock, so the numbers follow the order the assignments are written in); see assign_story for
    `waiting_version`."""
    original, story, started = choice.original, choice.story, None
    old_story_id = article.story_id
    with transaction.atomic():
        seq = last_assignment() + 1
        if original is not None and story is None:
            story = _new_story(title=original.title)
            Article.objects.filter(pk=original.pk).update(story=story, story_seq=seq)
            original.story = story
        elif story is None:  # born counting and dated by this article: no updates below
            started = _new_story(
                title=article.title,
                created_at=article_time(article),
                updated_at=article_time(article),
                size=1,
            )
        story = started if story is None else story
        article.simhash = choice.fingerprint
        article.duplicate_of = original
        article.story = story
        article.story_seq = seq
        _write_fields(article.pk, choice.fingerprint, original, story.pk, seq, waiting_version)
        if old_story_id != story.pk and old_story_id:
            Story.objects.filter(pk=old_story_id, size__gt=0).update(size=F("size") - 1)
            Story.objects.filter(pk=old_story_id, size=0).delete()
        if story is not started:
            _count_in(story.pk, article_time(article), grow=old_story_id != story.pk)
    return story


# Plain SQL for the two writes of every assignment: building the ORM's update() queries (three
# of them) was most of the cost of writing one. update() sets no auto_now field and sends no
# signal, so these write the same rows.
def _write_fields(
    pk: int,
    fingerprint: int,
    original: Article | None,
    story_id: int,
    seq: int,
    waiting_version: int | None,
):
    """The article's simhash, duplicate_of, story and story_seq, as update() wrote them; and it
    leaves the grouping line if it is still at `waiting_version` (None: never equal)."""
    sql = "UPDATE {table} SET {simhash} = %s, {duplicate_of} = %s, {story} = %s, {seq} = %s, "
    sql += "{waiting} = CASE WHEN {version} = %s THEN %s ELSE {waiting} END WHERE {pk} = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(**article_columns()),
            [
                fingerprint,
                original.pk if original is not None else None,
                story_id,
                seq,
                waiting_version,
                False,
                pk,
            ],
        )


def _count_in(story_id: int, latest: datetime, grow: bool) -> None:
    """The story one article larger (if `grow`) and updated at `latest` if that is later: the
    two update() calls of before in one statement."""
    meta, quote = Story._meta, connection.ops.quote_name
    size, updated = (quote(meta.get_field(name).column) for name in ("size", "updated_at"))
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {size} = {size} + %s, "
        f"{updated} = CASE WHEN {updated} < %s THEN %s ELSE {updated} END "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    when = connection.ops.adapt_datetimefield_value(latest)
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(grow), when, when, story_id])


def assign_story(
    article: Article,
    options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS,
    *,
    reindex: bool = False,
    bump: bool = True,
    waiting_version: int | None = None,
) -> Article:
    """Set `article.simhash`, `duplicate_of` (a near-identical earlier copy, or None) and
    `story` (joined or newly created), write those fields and return the article.

    `waiting_version`: the article's change_count as the story grouper read it from the line
    (news/story_grouper.py); the same write takes it out of line if it is still that version,
    so a version stored meanwhile stays in line, and the grouper takes no second write lock.

    A near duplicate joins its original's story. Safe to call again after an update: the article
    is re-fingerprinted and may move to another story (the old story's size is decremented).

    The fields are written with update(), not save(): the search index (which leaves duplicates
    out) is refreshed only when the article became or stopped being a copy, or when the caller
    says it changed another indexed field the same way (`reindex`); the content version is bumped
    once (unless `bump` is False: the caller does it). A save() re-indexed the whole text and
    bumped the version twice per article.
    """
    was_copy = article.duplicate_of_id is not None
    # The choice (the costly part) runs outside the lock, against a snapshot; under the lock it
    # is only settled against the assignments written since, then written: workers choose in
    # parallel, yet each article still sees every one assigned before it.
    mark = last_assignment()
    choice = _choose(article, options, mark)
    with _one_assignment_at_a_time():
        story = _write(article, _settle(article, choice, mark, options), waiting_version)
    if reindex or was_copy != (article.duplicate_of_id is not None):
        from vnnews.news.search import index_article

        index_article(article)
    if bump:
        bump_content_version()
    log.info(
        "story assigned source=%s url=%s story=%s duplicate_of=%s",
        getattr(article.source, "domain", ""),
        article.url,
        story.pk,
        article.duplicate_of_id or "",
    )
    return article


def assign_stories(articles=None, progress=None) -> int:
    """assign_story for many articles, oldest first (e.g. after a bulk import that bypassed
    it); `articles` defaults to every article without a story. Returns how many were done."""
    queryset = articles if articles is not None else Article.objects.filter(story__isnull=True)
    order = ("published", "id")
    pks = list(queryset.order_by(*order).values_list("pk", flat=True))
    done = 0
    for chunk_pks in in_slices(pks, _BATCH_CHUNK):
        # Each chunk read whole before its assignments, not a cursor left open across them: on
        # SQLite an unfinished read holds the connection on the database as it was when the
        # read began, so the assignments missed what other workers wrote meanwhile, and their
        # writes failed ("database is locked").
        chunk = Article.objects.filter(pk__in=chunk_pks)
        for article in list(chunk.select_related("source").order_by(*order)):
            assign_story(article)
            done += 1
            if progress is not None:
                progress(done)
    return done


_BATCH_CHUNK = 200  # articles read at once by assign_stories


def assign_batch_stories(batch: str, progress=None) -> int:
    """assign_stories for the articles an import batch created or changed (bulk import skips
    the per-article step). About 20 ms an article, so `vnnews import` does it only on request."""
    from vnnews.news.models import ImportRecord

    records = ImportRecord.objects.filter(
        batch=batch, outcome__in=[ImportRecord.Outcome.CREATED, ImportRecord.Outcome.UPDATED]
    )
    return assign_stories(Article.objects.filter(pk__in=records.values("article_id")), progress)
