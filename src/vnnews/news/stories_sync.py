"""Put one stored article into the identity layers 3 and 4 (design rule 7): near duplicate and
story. The storage orchestrator calls `assign_story(article)` right after saving an article.

    from vnnews.news.stories_sync import assign_story
    assign_story(article)        # sets simhash, duplicate_of, story; saves those three fields

The matching itself is the Django-free core (vnnews.stories); this module only chooses the
candidates (articles published within the story window) and writes the result.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import mul

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from vnnews.news.bulk import bump_content_version
from vnnews.news.models import SIMHASH_BANDS, Article, Story
from vnnews.stories.clustering import (
    DEFAULT_CLUSTER_OPTIONS,
    ClusterOptions,
    document_text,
)
from vnnews.stories.near_duplicates import DEFAULT_OPTIONS, find_near_duplicate, simhash
from vnnews.stories.vectors import TfidfModel, Vector, cosine, features, truncate

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: assignments are not serialised on SQLite
    fcntl = None

log = logging.getLogger("vnnews.stories")

# Near-duplicate copies are looked for among articles published this close to the new one.
DUPLICATE_WINDOW = timedelta(days=7)
# At most this many recent articles are compared when choosing a story: bounded work per article.
MAX_STORY_CANDIDATES = 1500

# Feature counts of candidate articles, kept between calls: folding the text is the costly part,
# and during an import every article is a candidate for the next few hundred. Sized to the
# candidate set and a margin, no more: one real article's counts take ~25 KB, so the earlier
# 20,000 would have grown a worker towards 500 MB (measured on dantri-unc in bench_ingest).
_COUNTS_CACHE: OrderedDict[tuple[int, datetime | None], Counter[str]] = OrderedDict()
_COUNTS_CACHE_SIZE = MAX_STORY_CANDIDATES + 500

# Candidate members' vectors are kept for a "generation" of the candidate set, under the IDF of
# the choice that first needed them, instead of being rebuilt under each article's IDF (that
# rebuild was ~60% of a worker's time on real text). A generation ends once this many articles
# have entered the candidate set (by any worker) or its size moved by more than this fraction, so
# a member's IDF is at most that many articles out of date: with 1,500 candidates, 100 new
# articles move a document frequency by at most 100/1,500 of the collection and most by 0 or 1,
# while each member vector is built at most once per 100 choices (~15 a choice, not ~1,000).
_GENERATION_ARTICLES = 100
_GENERATION_DRIFT = 0.10


def fingerprint_text(article: Article) -> str:
    """What a copy shares with its original: the body (with the sapo); headlines get rewritten."""
    body = "\n".join(part for part in (article.sapo, article.text) if part)
    return body or article.title


def _when(article: Article) -> datetime:
    return article.published or article.first_seen or timezone.now()


def _changed_key(value: datetime) -> datetime | str:
    """An article's last_changed as _recent_rows reads it from the database: the stored text on
    SQLite (parsing 1,500 timestamps per choice into datetimes cost more than the query), the
    datetime elsewhere. Part of the cache keys, so both reads of one version must agree."""
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _story_counts(article: Article, options: ClusterOptions, key: tuple | None = None) -> Counter:
    """The article's feature counts, cached under `key` (default: its pk and _changed_key)."""
    if key is None:
        key = (article.pk, _changed_key(article.last_changed))
    counts = _COUNTS_CACHE.get(key)
    if counts is None:
        text = "\n".join(part for part in (article.sapo, article.text) if part)
        counts = features(document_text(article.title, text, options), options.vector)
        _COUNTS_CACHE[key] = counts
        if len(_COUNTS_CACHE) > _COUNTS_CACHE_SIZE:
            _COUNTS_CACHE.popitem(last=False)
    else:
        _COUNTS_CACHE.move_to_end(key)
    return counts


def _recent_rows(
    article: Article,
    window: timedelta,
    columns: str,
    condition: str,
    limit: int | None = None,
    condition_params: tuple = (),
) -> list[tuple]:
    """Rows of originals (not copies) published within `window` of the article, newest first
    (ties: highest id first), other than the article itself; `columns` and `condition` in
    terms of {pk}, {story}, {simhash}, {changed} (last_changed as _changed_key gives it) and
    {band0}..{band3} (the SimHash bands), with `condition_params` for its placeholders.

    Plain SQL rather than the ORM for two reasons. SQLite planned the ORM's query on the
    duplicate_of index (IS NULL holds for nearly every row), so each choice read and sorted every
    original in the table, not just the window; the unary + keeps it off that index and on the
    published one, which also gives the order. And Django's per-row converters were a tenth of
    a choice's time."""
    meta, quote = Article._meta, connection.ops.quote_name
    names = {
        "pk": quote(meta.pk.column),
        "story": quote(meta.get_field("story").column),
        "simhash": quote(meta.get_field("simhash").column),
        "changed": quote(meta.get_field("last_changed").column),
    }
    for n in range(SIMHASH_BANDS):
        names[f"band{n}"] = quote(meta.get_field(f"simhash_band{n}").column)
    if connection.vendor == "sqlite":
        names["changed"] = f"CAST({names['changed']} AS TEXT)"
    pk, published = names["pk"], quote(meta.get_field("published").column)
    duplicate_of = quote(meta.get_field("duplicate_of").column)
    when = _when(article)
    sql = (
        f"SELECT {columns.format(**names)} FROM {quote(meta.db_table)} "
        f"WHERE {published} >= %s AND {published} <= %s AND +{duplicate_of} IS NULL "
        f"AND {condition.format(**names)} AND {pk} <> %s "
        f"ORDER BY {published} DESC, {pk} DESC"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params: list = [adapt(when - window), adapt(when + window), *condition_params, article.pk]
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _near_duplicate_of(article: Article, fingerprint: int) -> Article | None:
    if DEFAULT_OPTIONS.max_distance < SIMHASH_BANDS:
        # Within max_distance differing bits, at least one of the bands is the same (pigeonhole):
        # the band indexes give every possible match, and only those rows are read.
        bands = tuple((fingerprint >> (16 * n)) & 0xFFFF for n in range(SIMHASH_BANDS))
        sharing = " OR ".join(f"{{band{n}}} = %s" for n in range(SIMHASH_BANDS))
        rows = _recent_rows(
            article, DUPLICATE_WINDOW, "{pk}, {simhash}", f"({sharing})", condition_params=bands
        )
    else:
        rows = _recent_rows(article, DUPLICATE_WINDOW, "{pk}, {simhash}", "+{simhash} IS NOT NULL")
    match = find_near_duplicate(fingerprint, rows, DEFAULT_OPTIONS)
    if match is None:
        return None
    return Article.objects.select_related("story").filter(pk=match).first()


def _candidate_counts(article: Article, options: ClusterOptions) -> list[tuple[int, int, Counter]]:
    """(pk, story_id, feature counts, last_changed key) of the articles the new one may join:
    originals that already have a story, published within the window, the newest
    MAX_STORY_CANDIDATES. Texts are loaded only for articles whose counts are not cached yet."""
    rows = _recent_rows(
        article,
        options.window,
        "{pk}, {story}, {changed}",
        "+{story} IS NOT NULL",
        MAX_STORY_CANDIDATES,
    )
    missing = {pk: changed for pk, _, changed in rows if (pk, changed) not in _COUNTS_CACHE}
    chunks = list(missing)
    for start in range(0, len(chunks), 500):
        chunk = chunks[start : start + 500]
        for other in Article.objects.filter(pk__in=chunk).only("pk", "title", "sapo", "text"):
            # Cached under the key the rows gave, whatever form another writer stored the time
            # in: a key rebuilt from the loaded value would miss and drop the candidate.
            _story_counts(other, options, key=(other.pk, missing[other.pk]))
    out = []
    for pk, story_id, changed in rows:
        counts = _COUNTS_CACHE.get((pk, changed))
        if counts is not None:
            out.append((pk, story_id, counts, changed))
    return out


class _Frequencies:
    """Document frequencies of the current candidate set, updated by difference: from one
    article to the next the candidates are nearly the same, and counting every feature of 1,500
    articles again (what TfidfModel.fit does) was most of the cost of choosing a story. The
    counts are integers, so the result is exactly fit()'s.

    Also an inverted index of the same set, feature -> the candidates holding it (`postings`),
    kept by the same differences: the candidates sharing a feature with a new article are found
    from its ~200 features instead of intersecting its features with each of 1,500 candidates'
    (that loop was ~30% of a choice). A feature held by one candidate (most bigrams) maps to
    that candidate's key, by more to a list of keys: a list per feature would cost ~60 bytes for
    each of the set's ~10^5 distinct features."""

    def __init__(self) -> None:
        self.members: dict[tuple[int, datetime | None], Counter[str]] = {}
        self.df: Counter[str] = Counter()
        self.postings: dict[str, tuple | list[tuple]] = {}
        self.entered = 0  # members added since the process started: how far the set has moved

    def update(self, candidates: list[tuple[int, int, Counter, datetime | None]]) -> Counter:
        wanted = {(pk, changed): counts for pk, _, counts, changed in candidates}
        for key in [k for k in self.members if k not in wanted]:
            counts = self.members.pop(key)
            self.add(counts, -1)
            self._unpost(key, counts)
        for key, counts in wanted.items():
            if key not in self.members:
                self.members[key] = counts
                self.add(counts, 1)
                self._post(key, counts)
                self.entered += 1
        return self.df

    def add(self, counts: Counter[str], step: int) -> None:
        df = self.df
        for feature in counts:
            value = df.get(feature, 0) + step
            if value:
                df[feature] = value
            else:
                del df[feature]

    def _post(self, key: tuple, counts: Counter[str]) -> None:
        postings = self.postings
        for feature in counts:
            held = postings.get(feature)
            if held is None:
                postings[feature] = key
            elif type(held) is list:
                held.append(key)
            else:
                postings[feature] = [held, key]

    def _unpost(self, key: tuple, counts: Counter[str]) -> None:
        postings = self.postings
        for feature in counts:
            held = postings[feature]
            if type(held) is list:
                held.remove(key)
                if len(held) == 1:
                    postings[feature] = held[0]
            else:
                del postings[feature]

    def holding(self, feature: str) -> list[tuple]:
        """Keys of the candidates whose counts hold `feature`."""
        held = self.postings.get(feature)
        if held is None:
            return []
        return held if type(held) is list else [held]


_FREQUENCIES = _Frequencies()


class _MemberVectors:
    """Truncated TF-IDF vectors of candidate members, keyed like _COUNTS_CACHE and kept for one
    generation of the candidate set (see _GENERATION_ARTICLES): a small, bounded approximation of
    rebuilding them under every article's IDF. The article's own vector always uses the current
    model. Cached vectors are still unit vectors with non-negative weights over a subset of the
    member's features, so _bound stays an upper bound."""

    def __init__(self) -> None:
        self.vectors: OrderedDict[tuple[int, datetime | None], Vector] = OrderedDict()
        # story -> (its member keys, sum of their vectors, its norm): most stories scored for one
        # article are scored again for the next with the same members, and summing ~100 member
        # vectors per article was the next largest cost once the vectors were kept.
        self.sums: OrderedDict[int, tuple[tuple, Vector, float]] = OrderedDict()
        self.options: ClusterOptions | None = None
        self.entered_at = 0  # _FREQUENCIES.entered when the generation began
        self.size_at = 0  # candidate count when the generation began

    def begin_choice(self, candidates: int, options: ClusterOptions) -> None:
        """Start a new generation (drop every vector) if the candidate set moved too far."""
        moved = _FREQUENCIES.entered - self.entered_at
        if (
            options != self.options
            or moved >= _GENERATION_ARTICLES
            or abs(candidates - self.size_at) > _GENERATION_DRIFT * self.size_at
        ):
            self.vectors.clear()
            self.sums.clear()
            self.options = options
            self.entered_at = _FREQUENCIES.entered
            self.size_at = candidates

    def get(self, key, counts: Counter[str], model: TfidfModel, options: ClusterOptions) -> Vector:
        vector = self.vectors.get(key)
        if vector is None:
            vector = truncate(model.vector(counts), options.max_features)
            self.vectors[key] = vector
            if len(self.vectors) > _COUNTS_CACHE_SIZE:
                self.vectors.popitem(last=False)
        else:
            self.vectors.move_to_end(key)
        return vector

    def story_sum(
        self, story_id: int, members: list[tuple], model: TfidfModel, options: ClusterOptions
    ) -> tuple[Vector, float]:
        """(sum of the members' vectors, its norm), summed in member order as before."""
        keys = tuple(key for key, _ in members)
        held = self.sums.get(story_id)
        if held is not None and held[0] == keys:
            self.sums.move_to_end(story_id)
            return held[1], held[2]
        if len(members) == 1:  # most stories: the member's own vector, not a copy of it
            total = self.get(members[0][0], members[0][1], model, options)
        else:
            total = {}
            for key, counts in members:
                for f, w in self.get(key, counts, model, options).items():
                    total[f] = total.get(f, 0.0) + w
        weights = total.values()
        norm = sum(map(mul, weights, weights)) ** 0.5  # sum(w * w for ...): the same float
        self.sums[story_id] = (keys, total, norm)
        self.sums.move_to_end(story_id)
        if len(self.sums) > _COUNTS_CACHE_SIZE:
            self.sums.popitem(last=False)
        return total, norm


_MEMBER_VECTORS = _MemberVectors()


def reset_caches() -> None:
    """Forget every kept count, frequency and vector (a fresh process's state): for benchmarks
    and evaluations that start over on a new database in the same process."""
    global _FREQUENCIES, _MEMBER_VECTORS
    _COUNTS_CACHE.clear()
    _FREQUENCIES = _Frequencies()
    _MEMBER_VECTORS = _MemberVectors()


@contextmanager
def _model(candidates: list, own: Counter[str], options: ClusterOptions) -> Iterator[TfidfModel]:
    """TfidfModel(options.vector).fit([*candidate counts, own]), from the running frequencies
    (the article's own features are counted in for the duration of the block)."""
    df = _FREQUENCIES.update(candidates)
    _FREQUENCIES.add(own, 1)
    try:
        model = TfidfModel(options.vector)
        model.df = df
        model.n_docs = len(candidates) + 1
        yield model
    finally:
        _FREQUENCIES.add(own, -1)


def _choose_story(article: Article, options: ClusterOptions) -> Story | None:
    """The story whose centroid is most similar to the article, if similar enough.

    Same rule as the offline clusterer (vnnews.stories.clustering): cosine to the sum of the
    story's member vectors. Only stories with a member sharing one of the article's features are
    scored; the others would score zero. Computing a member's vector costs a pass over all its
    features, so stories are scored best bound first and those whose bound cannot beat the best
    so far (or the threshold) are not scored at all: the chosen story is the same (see _bound).
    """
    candidates = _candidate_counts(article, options)
    if not candidates:
        return None
    own = _story_counts(article, options)
    with _model(candidates, own, options) as model:
        _MEMBER_VECTORS.begin_choice(len(candidates), options)
        vector = truncate(model.vector(own), options.max_features)
        # Each member's share of the article's weight (sum of squares over the features they
        # share), from the postings: only candidates sharing a feature are touched.
        shared: dict[tuple, float] = {}
        for f, w in vector.items():
            square = w * w
            for key in _FREQUENCIES.holding(f):
                shared[key] = shared.get(key, 0.0) + square
        members: dict[int, list[tuple]] = {}  # story -> (key, counts) of members, in order
        story_of: dict[tuple, int] = {}
        bounds: dict[int, list[float]] = {}  # story -> [sum of member bounds, members]
        for pk, story_id, counts, changed in candidates:
            key = (pk, changed)
            members.setdefault(story_id, []).append((key, counts))
            story_of[key] = story_id
            if counts:
                bounds.setdefault(story_id, [0.0, 0])[1] += 1
        for key, square_sum in shared.items():
            bounds[story_of[key]][0] += square_sum**0.5
        sims: dict[int, float] = {}
        best = 0.0
        for story_id in sorted(bounds, key=lambda sid: _bound(bounds[sid]), reverse=True):
            limit = _bound(bounds[story_id])
            if limit == 0.0 or limit * (1 + 1e-9) + 1e-12 < max(best, options.threshold):
                break  # ordered by bound: no later story can win either
            sims[story_id] = _similarity(vector, story_id, members[story_id], model, options)
            best = max(best, sims[story_id])
    best_id, best_sim = None, 0.0
    for story_id in members:  # the first of equals wins, as when every story was scored
        sim = sims.get(story_id, 0.0)
        if sim > best_sim:
            best_id, best_sim = story_id, sim
    if best_id is None or best_sim < options.threshold:
        return None
    return Story.objects.filter(pk=best_id).first()


def _bound(state: list[float]) -> float:
    """An upper bound of a story's cosine to the article, from which features they share.
    A member's unit vector t has dot(v, t) <= |v restricted to the shared features|
    (Cauchy-Schwarz), and the sum T of k unit vectors with non-negative weights has |T| >= sqrt(k);
    so cos(v, T) = dot(v, T) / |T| <= sum of the members' bounds / sqrt(k)."""
    total, count = state
    return min(1.0, total / count**0.5) if count and total else 0.0


def _similarity(vector: Vector, story_id: int, members: list[tuple], model, options) -> float:
    """cos(vector, sum of the members' truncated TF-IDF vectors), as the clusterer computes it
    (member vectors and their sum from _MEMBER_VECTORS: under an IDF of this generation)."""
    total, norm = _MEMBER_VECTORS.story_sum(story_id, members, model, options)
    return cosine(vector, total) / norm if norm else 0.0


# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises story assignment.
_PG_LOCK_KEY = 0x766E6E6577730001


@contextmanager
def _one_assignment_at_a_time() -> Iterator[None]:
    """Worker processes assign stories one after another, each seeing the ones before it: two
    articles of a new event arriving together must not both start a story. The choice is made
    outside the write transaction (on SQLite that transaction locks the whole database, and
    comparing with 1,500 candidates inside it kept every other worker waiting), so this lock, not
    the database's, keeps them in order: a file lock beside the SQLite file, an advisory lock on
    PostgreSQL. Inside a caller's transaction (tests, a single-process import) nothing is taken."""
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_PG_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_LOCK_KEY])
    elif connection.vendor == "sqlite" and fcntl and name and "memory" not in name:
        with open(name + ".stories-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


@dataclass
class _Choice:
    fingerprint: int
    original: Article | None  # the near-identical earlier copy
    story: Story | None  # the story to join; None: start one


def _choose(article: Article, options: ClusterOptions) -> _Choice:
    """What assign_story will write; reads only."""
    fingerprint = simhash(fingerprint_text(article))
    original = _near_duplicate_of(article, fingerprint) if fingerprint else None
    if original is not None and original.duplicate_of_id == article.pk:
        original = None  # never make two articles copies of each other
    story = original.story if original is not None else _choose_story(article, options)
    return _Choice(fingerprint, original, story)


def _new_story(**fields) -> Story:
    # bulk_create skips post_save: the content version is bumped once per assignment instead.
    return Story.objects.bulk_create([Story(**fields)])[0]


def _write(article: Article, choice: _Choice) -> Story:
    original, story = choice.original, choice.story
    old_story_id = article.story_id
    with transaction.atomic():
        if original is not None and story is None:
            story = _new_story(title=original.title)
            Article.objects.filter(pk=original.pk).update(story=story)
            original.story = story
        elif story is None:
            story = _new_story(
                title=article.title, created_at=_when(article), updated_at=_when(article), size=0
            )
        article.simhash = choice.fingerprint
        article.duplicate_of = original
        article.story = story
        Article.objects.filter(pk=article.pk).update(
            simhash=choice.fingerprint, duplicate_of=original, story=story
        )
        if old_story_id != story.pk:
            if old_story_id:
                Story.objects.filter(pk=old_story_id, size__gt=0).update(size=F("size") - 1)
                Story.objects.filter(pk=old_story_id, size=0).delete()
            Story.objects.filter(pk=story.pk).update(size=F("size") + 1)
        latest = _when(article)
        Story.objects.filter(pk=story.pk, updated_at__lt=latest).update(updated_at=latest)
    return story


def assign_story(
    article: Article,
    options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS,
    *,
    reindex: bool = False,
    bump: bool = True,
) -> Article:
    """Set `article.simhash`, `duplicate_of` (a near-identical earlier copy, or None) and
    `story` (joined or newly created), write those fields and return the article.

    A near duplicate joins its original's story. Safe to call again after an update: the article
    is re-fingerprinted and may move to another story (the old story's size is decremented).

    The fields are written with update(), not save(): the search index (which leaves duplicates
    out) is refreshed only when the article became or stopped being a copy, or when the caller
    says it changed another indexed field the same way (`reindex`); the content version is bumped
    once (unless `bump` is False: the caller does it). A save() re-indexed the whole text and
    bumped the version twice per article.
    """
    was_copy = article.duplicate_of_id is not None
    with _one_assignment_at_a_time():
        story = _write(article, _choose(article, options))
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
    done = 0
    for article in (
        queryset.select_related("source").order_by("published", "id").iterator(chunk_size=200)
    ):
        assign_story(article)
        done += 1
        if progress is not None:
            progress(done)
    return done


def assign_batch_stories(batch: str, progress=None) -> int:
    """assign_stories for the articles an import batch created or changed (bulk import skips
    the per-article step). About 20 ms an article, so `vnnews import` does it only on request."""
    from vnnews.news.models import ImportRecord

    records = ImportRecord.objects.filter(
        batch=batch, outcome__in=[ImportRecord.Outcome.CREATED, ImportRecord.Outcome.UPDATED]
    )
    return assign_stories(Article.objects.filter(pk__in=records.values("article_id")), progress)
