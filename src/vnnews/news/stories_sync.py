"""Put one stored article into the identity layers 3 and 4 (design rule 7): near duplicate and
story. The storage orchestrator calls `assign_story(article)` right after saving an article.

    from vnnews.news.stories_sync import assign_story
    assign_story(article)        # sets simhash, duplicate_of, story; saves those three fields

The matching itself is the Django-free core (vnnews.stories); this module only chooses the
candidates (articles published within the story window) and writes the result.
"""

from __future__ import annotations

import logging
import math
import threading
from bisect import bisect_left, bisect_right, insort
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter, mul

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
from vnnews.stories.near_duplicates import (
    DEFAULT_OPTIONS,
    find_near_duplicate,
    hamming,
    simhash,
)
from vnnews.stories.vectors import TfidfModel, Vector, cosine, features

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

# Candidates' vectors are kept for a "generation" of the candidate set, under the IDF of the
# choice that began it (or, for later entrants, that they entered at), instead of being rebuilt
# under each article's IDF (that rebuild was ~60% of a worker's time on real text). A generation
# ends once this many articles have entered the candidate set (by any worker) or its size moved
# by more than this fraction, so a member's IDF is at most that many articles out of date: with
# 1,500 candidates, 200 new articles move a document frequency by at most 200/1,500 of the
# collection and most by 0 or 1, while all 1,500 vectors are built once per 200 entrants. Every
# worker sees every entrant, so with 2 workers that is every 100 of its own choices: at 100, the
# rebuild was a fifth of a worker's time in bench_ingest. 100 and 200 gave the same partitions
# on all 8 vims-dev orders and 6 of 2,500 articles placed otherwise in bench/story_choice corpus.
_GENERATION_ARTICLES = 200
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
        "published": quote(meta.get_field("published").column),
    }
    for n in range(SIMHASH_BANDS):
        names[f"band{n}"] = quote(meta.get_field(f"simhash_band{n}").column)
    if connection.vendor == "sqlite":  # as stored, which is what the query compares
        names["changed"] = f"CAST({names['changed']} AS TEXT)"
        names["published"] = f"CAST({names['published']} AS TEXT)"
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


def _counts_for(keys: list[tuple[int, datetime | str | None]], options: ClusterOptions) -> dict:
    """Feature counts of the articles with these (pk, _changed_key) keys, from _COUNTS_CACHE;
    texts are loaded only for articles whose counts are not cached yet. An article deleted
    meanwhile is left out."""
    missing = {pk: changed for pk, changed in keys if (pk, changed) not in _COUNTS_CACHE}
    chunks = list(missing)
    for start in range(0, len(chunks), 500):
        chunk = chunks[start : start + 500]
        for other in Article.objects.filter(pk__in=chunk).only("pk", "title", "sapo", "text"):
            # Cached under the key the rows gave, whatever form another writer stored the time
            # in: a key rebuilt from the loaded value would miss and drop the candidate.
            _story_counts(other, options, key=(other.pk, missing[other.pk]))
    out = {}
    for key in keys:
        counts = _COUNTS_CACHE.get(key)
        if counts is not None:
            out[key] = counts
    return out


def _candidate_rows(article: Article, options: ClusterOptions, mark: int | None) -> list[tuple]:
    """(pk, story_id, last_changed key) of the articles the new one may join: originals that
    already have a story, published within the window, the newest MAX_STORY_CANDIDATES, newest
    first. Outside a transaction, from _CANDIDATE_ROWS (`mark`: the latest assignment's number,
    read before)."""
    if mark is None or connection.in_atomic_block:
        return _recent_rows(
            article,
            options.window,
            "{pk}, {story}, {changed}",
            "+{story} IS NOT NULL",
            MAX_STORY_CANDIDATES,
        )
    return _CANDIDATE_ROWS.candidates(article, options.window, mark)


class _CandidateRows:
    """The rows _candidate_rows reads (originals with a story, by publication time), kept
    between choices: reading 1,500 rows for every article was a tenth of a choice, and from one
    article to the next they differ by the one or two articles assigned meanwhile. Those are
    read by their assignment number (story_seq: every write of a story or duplicate_of has one,
    see _write), so the rows stay what the query would give. What changes an article without an
    assignment (deleting it, editing it by hand) is seen at the next full read: one every
    _GENERATION_ARTICLES candidates, as for the member vectors; and whenever the article's
    window leaves the range read, or the numbers went back (the database was emptied).

    Times are compared as the query compares them: as stored (text on SQLite), against the
    window's bounds adapted to the database."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple] = {}  # pk -> (pk, story_id, changed)
        self.published: dict[int, object] = {}  # pk -> published, as stored
        self.order: list[tuple] = []  # (published, pk) of the rows, ascending
        self.low = self.high = None  # every qualifying row published in [low, high] is held
        self.window: timedelta | None = None
        self.seen = 0  # the highest assignment number applied
        self.read_at = 0  # _FREQUENCIES.entered at the last full read

    def candidates(self, article: Article, window: timedelta, mark: int) -> list[tuple]:
        """(pk, story_id, changed) of the newest MAX_STORY_CANDIDATES rows within `window` of
        the article, newest first: what the query in _candidate_rows gives."""
        adapt = connection.ops.adapt_datetimefield_value
        when = _when(article)
        low, high = adapt(when - window), adapt(when + window)
        if (
            self.low is None
            or window != self.window
            or low < self.low
            or high > self.high
            or mark < self.seen
            or _FREQUENCIES.entered - self.read_at >= _GENERATION_ARTICLES
        ):
            self._read(article, window)
        else:
            self._catch_up()
        order = self.order
        first = bisect_left(order, (low,))
        last = bisect_right(order, (high, _AFTER_EVERY_PK))
        if first > 2 * MAX_STORY_CANDIDATES:  # forget what no later article's window reaches
            for _, pk in order[:first]:
                del self.rows[pk], self.published[pk]
            del order[:first]
            last -= first
            first, self.low = 0, low
        # One more than needed, in case the article is among them; in C (map), not a loop.
        picked = order[max(first, last - MAX_STORY_CANDIDATES - 1) : last]
        pks = list(map(_SECOND, reversed(picked)))
        if article.pk in self.rows and article.pk in pks:
            pks.remove(article.pk)
        del pks[MAX_STORY_CANDIDATES:]
        return list(map(self.rows.__getitem__, pks))

    def _read(self, article: Article, window: timedelta) -> None:
        """Read every row within twice the window: later articles' windows stay in range."""
        seen = _last_assignment()
        rows = _recent_rows(
            article, 2 * window, "{published}, {pk}, {story}, {changed}", "+{story} IS NOT NULL"
        )
        adapt, when = connection.ops.adapt_datetimefield_value, _when(article)
        self.rows = {row[1]: row[1:] for row in rows}
        self.published = {row[1]: row[0] for row in rows}
        self.order = sorted(row[:2] for row in rows)
        self.low, self.high = adapt(when - 2 * window), adapt(when + 2 * window)
        self.window, self.seen, self.read_at = window, seen, _FREQUENCIES.entered
        if article.pk is not None:  # the query leaves the article out; later ones may join it
            self._apply(_written_rows("{pk} = %s", article.pk), advance=False)

    def _catch_up(self) -> None:
        self._apply(_written_rows("{seq} > %s", self.seen), advance=True)

    def _apply(self, found: list[tuple], advance: bool) -> None:
        for pk, published, story_id, changed, duplicate_of, seq, _ in found:
            if self.rows.pop(pk, None) is not None:
                del self.order[bisect_left(self.order, (self.published.pop(pk), pk))]
            if story_id is not None and duplicate_of is None and published is not None:
                self.rows[pk] = (pk, story_id, changed)
                self.published[pk] = published
                insort(self.order, (published, pk))
            if advance and seq is not None:
                self.seen = max(self.seen, seq)


_CANDIDATE_ROWS = _CandidateRows()


def _written_rows(condition: str, param: int) -> list[tuple]:
    """(pk, published, story, changed, duplicate_of, story_seq, simhash) of the articles
    matching `condition` (in terms of {pk} and {seq}), times as stored (text on SQLite, as in
    _recent_rows). Plain SQL: it runs for every article, twice."""
    meta, quote = Article._meta, connection.ops.quote_name
    published, changed = (quote(meta.get_field(f).column) for f in ("published", "last_changed"))
    if connection.vendor == "sqlite":
        published, changed = f"CAST({published} AS TEXT)", f"CAST({changed} AS TEXT)"
    names = {"pk": quote(meta.pk.column), "seq": quote(meta.get_field("story_seq").column)}
    columns = [published, quote(meta.get_field("story").column), changed]
    columns += [quote(meta.get_field(f).column) for f in ("duplicate_of", "story_seq", "simhash")]
    sql = (
        f"SELECT {names['pk']}, {', '.join(columns)} FROM {quote(meta.db_table)} "
        f"WHERE {condition.format(**names)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return cursor.fetchall()


# Sorts after every (published, pk) of the same time: the end of a range of times.
_AFTER_EVERY_PK = float("inf")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


class _Frequencies:
    """The current candidate set and its document frequencies, updated by difference: from one
    article to the next the candidates are nearly the same, and counting every feature of 1,500
    articles again (what TfidfModel.fit does) was most of the cost of choosing a story. The
    counts are integers, so the result is exactly fit()'s. The set's rows, members by story and
    story by member are kept by the same differences: rebuilding those maps for every article
    (seven passes over 1,500 candidates) was a tenth of a worker's time."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple] = {}  # pk -> (pk, story_id, changed) of every member
        self.members: dict[tuple[int, datetime | None], Counter[str]] = {}  # key -> counts
        self.story_of: dict[int, int] = {}  # pk -> story
        # story -> its members' keys, a tuple replaced on change: a copy of the dict is a
        # snapshot that later moves leave alone.
        self.stories: dict[int, tuple] = {}
        self.df: Counter[str] = Counter()
        self.entered = 0  # members added since the process started: how far the set has moved

    def move_to(self, rows: list[tuple], options: ClusterOptions) -> tuple[list, list]:
        """Make the articles of these (pk, story_id, changed) rows the members (those whose
        counts can be had); returns (keys that left, keys that entered). The differences are
        found by set operations on the rows (in C); entrants are taken in pk order."""
        current, new = self.rows, dict(zip(map(_FIRST, rows), rows, strict=True))
        gone = current.items() - new.items()  # left, or changed story or version
        came = sorted(new.items() - current.items())
        left = []
        for pk, row in gone:
            key = (pk, row[2])
            del current[pk]
            self.add(self.members.pop(key), -1)
            self._leave(row, key)
            left.append(key)
        counts = _counts_for([(pk, row[2]) for pk, row in came], options)
        entered = []
        for pk, row in came:
            key = (pk, row[2])
            held = counts.get(key)
            if held is None:
                continue  # deleted meanwhile
            current[pk] = row
            self.members[key] = held
            self.add(held, 1)
            self.story_of[pk] = row[1]
            self.stories[row[1]] = self.stories.get(row[1], ()) + (key,)
            entered.append(key)
        self.entered += len(entered)
        return left, entered

    def _leave(self, row: tuple, key: tuple) -> None:
        del self.story_of[row[0]]
        rest = tuple(k for k in self.stories[row[1]] if k != key)
        if rest:
            self.stories[row[1]] = rest
        else:
            del self.stories[row[1]]

    def add(self, counts: Counter[str], step: int) -> None:
        df = self.df
        for feature in counts:
            value = df.get(feature, 0) + step
            if value:
                df[feature] = value
            else:
                del df[feature]


_FREQUENCIES = _Frequencies()


class _MemberVectors:
    """Truncated TF-IDF vectors of every candidate (by pk), and an inverted index of them,
    feature -> {pk: weight}, kept for one generation of the candidate set (see
    _GENERATION_ARTICLES): a small, bounded approximation of rebuilding them under every
    article's IDF. The article's own vector always uses the current model.

    A story's score is cos(v, T) with T the sum of its members' vectors t, and dot(v, T) is the
    sum of the members' dot(v, t): walking the article's ~200 features through the index gives
    the exact dot product with every candidate at once (what the bound of the shared features
    cost before), so no story's sum is compared feature by feature. Only stories of several
    members need |T| (one member: |t| = 1), kept per story while its members stay the same.
    Vectors are built when a candidate enters, all of them when a generation begins: ~8 a
    choice in one process (1,500 per 200 entrants); building them lazily, only for the stories
    scored, came to ~15 a choice with generations of 100."""

    def __init__(self) -> None:
        self.keys: dict[int, tuple] = {}  # pk -> the (pk, changed) key its vector was built for
        self.vectors: dict[int, Vector] = {}
        self.index: dict[str, dict[int, float]] = {}
        # story -> (its member keys, sum of their vectors, its norm)
        self.sums: dict[int, tuple[frozenset, Vector, float]] = {}
        self.options: ClusterOptions | None = None
        self.entered_at = 0  # _FREQUENCIES.entered when the generation began
        self.size_at = 0  # candidate count when the generation began

    def sync(
        self,
        frequencies: _Frequencies,
        left: list[tuple],
        entered: list[tuple],
        model: TfidfModel | None,
        options: ClusterOptions,
    ) -> None:
        """Follow the candidate set's move (`left`, `entered`); start a new generation (every
        vector built again under `model`) if it moved too far."""
        size = len(frequencies.members)
        if (
            options != self.options
            or frequencies.entered - self.entered_at >= _GENERATION_ARTICLES
            or abs(size - self.size_at) > _GENERATION_DRIFT * self.size_at
        ):
            self.keys.clear()
            self.vectors.clear()
            self.index.clear()
            self.sums.clear()
            self.options = options
            self.entered_at = frequencies.entered
            self.size_at = size
            left, entered = [], list(frequencies.members)
            # Every feature's IDF at once (one pass over the frequencies, in C): building 1,500
            # vectors otherwise computes most of them one call at a time.
            if model is not None:
                docs, log = 1 + model.n_docs, math.log
                model.idf_memo.update(
                    {feature: log(docs / (1 + seen)) + 1.0 for feature, seen in model.df.items()}
                )
        for key in left:
            self._remove(key)
        for key in entered:
            self.add(key, frequencies.members[key], model, options)

    def add(self, key: tuple, counts: Counter[str], model: TfidfModel, options) -> Vector:
        pk = key[0]
        if pk in self.keys:  # an earlier version of the article
            self._remove(self.keys[pk])
        vector = model.truncated_vector(counts, options.max_features) if counts else {}
        self.keys[pk] = key
        self.vectors[pk] = vector
        index = self.index
        for f, w in vector.items():
            held = index.get(f)
            if held is None:
                index[f] = {pk: w}
            else:
                held[pk] = w
        return vector

    def _remove(self, key: tuple) -> None:
        pk = key[0]
        if self.keys.get(pk) != key:
            return
        del self.keys[pk]
        index = self.index
        for f in self.vectors.pop(pk):
            held = index[f]
            del held[pk]
            if not held:
                del index[f]

    def dots(self, vector: Vector) -> dict[int, float]:
        """pk -> dot(vector, the candidate's vector), for every candidate sharing a feature."""
        dots: dict[int, float] = {}
        get, index = dots.get, self.index
        for f, w in vector.items():
            held = index.get(f)
            if held is not None:
                for pk, weight in held.items():
                    dots[pk] = get(pk, 0.0) + w * weight
        return dots

    def norm(self, story_id: int, keys: tuple) -> float:
        """|sum of the members' vectors| (members given by key, all indexed)."""
        members = frozenset(keys)
        held = self.sums.get(story_id)
        if held is not None and held[0] == members:
            return held[2]
        if held is not None and held[0] < members:  # the usual change: a member joined
            total, adding = held[1], members - held[0]
        else:
            total, adding = {}, members
        for pk, _ in adding:
            for f, w in self.vectors[pk].items():
                total[f] = total.get(f, 0.0) + w
        weights = total.values()
        norm = sum(map(mul, weights, weights)) ** 0.5
        self.sums[story_id] = (members, total, norm)
        return norm


_MEMBER_VECTORS = _MemberVectors()
# The caches above are this process's; worker threads take turns with them.
_STATE_LOCK = threading.RLock()


def reset_caches() -> None:
    """Forget every kept count, frequency and vector (a fresh process's state): for benchmarks
    and evaluations that start over on a new database in the same process."""
    global _FREQUENCIES, _MEMBER_VECTORS, _CANDIDATE_ROWS
    with _STATE_LOCK:
        _COUNTS_CACHE.clear()
        _CANDIDATE_ROWS = _CandidateRows()
        _FREQUENCIES = _Frequencies()
        _MEMBER_VECTORS = _MemberVectors()


@contextmanager
def _model(own: Counter[str], options: ClusterOptions) -> Iterator[TfidfModel]:
    """TfidfModel(options.vector).fit([*candidate counts, own]), from the running frequencies
    (the article's own features are counted in for the duration of the block)."""
    _FREQUENCIES.add(own, 1)
    try:
        model = TfidfModel(options.vector)
        model.df = _FREQUENCIES.df
        model.n_docs = len(_FREQUENCIES.members) + 1
        yield model
    finally:
        _FREQUENCIES.add(own, -1)


@dataclass
class _StoryScores:
    """A story choice against one snapshot of the candidates, kept so that it can be settled
    against what was assigned after the snapshot (see _settle)."""

    vector: Vector | None  # the article's; None: there were no candidates
    members: dict[int, tuple]  # story -> (pk, changed) keys of its candidate members
    story_of: dict[int, int]  # candidate pk -> story
    sims: dict[int, float]  # story -> cosine, for those reaching the threshold


def _story_scores(
    article: Article, options: ClusterOptions, mark: int | None = None
) -> _StoryScores:
    """Score the stories of the article's candidates (call with _STATE_LOCK held).

    Same rule as the offline clusterer (vnnews.stories.clustering): cosine to the sum of the
    story's member vectors (see _MemberVectors)."""
    left, entered = _FREQUENCIES.move_to(_candidate_rows(article, options, mark), options)
    if not _FREQUENCIES.members:
        _MEMBER_VECTORS.sync(_FREQUENCIES, left, entered, None, options)  # only leavers
        return _StoryScores(None, {}, {}, {})
    own = _story_counts(article, options)
    with _model(own, options) as model:
        _MEMBER_VECTORS.sync(_FREQUENCIES, left, entered, model, options)
        vector = model.truncated_vector(own, options.max_features)
    members, story_of = _FREQUENCIES.stories.copy(), _FREQUENCIES.story_of.copy()
    return _StoryScores(vector, members, story_of, _story_sims(vector, members, story_of, options))


def _story_sims(
    vector: Vector, members: dict[int, tuple], story_of: dict[int, int], options
) -> dict[int, float]:
    """story -> cos(vector, sum of its members' vectors), for the stories reaching the
    threshold. A story of k members with non-empty (unit, non-negative) vectors has |T| >=
    sqrt(k), so its norm is needed only if dot / sqrt(k) reaches the threshold."""
    story_dots: dict[int, float] = {}
    for pk, dot in _MEMBER_VECTORS.dots(vector).items():
        story_id = story_of[pk]
        story_dots[story_id] = story_dots.get(story_id, 0.0) + dot
    threshold, vectors = options.threshold, _MEMBER_VECTORS.vectors
    floor = threshold * (1 - 1e-9)
    sims = {}
    for story_id, dot in story_dots.items():
        keys = members[story_id]
        if len(keys) == 1:
            sim = dot
        else:
            if dot < floor * sum(1 for pk, _ in keys if vectors[pk]) ** 0.5:
                continue
            norm = _MEMBER_VECTORS.norm(story_id, keys)
            sim = dot / norm if norm else 0.0
        if sim >= threshold:
            sims[story_id] = sim
    return sims


def _best(sims: dict[int, float]) -> int | None:
    """The story of the highest score (the first of equals); sims hold only those reaching the
    threshold."""
    best_id, best_sim = None, 0.0
    for story_id, sim in sims.items():
        if sim > best_sim:
            best_id, best_sim = story_id, sim
    return best_id


# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises story assignment.
_PG_LOCK_KEY = 0x766E6E6577730001


@contextmanager
def _one_assignment_at_a_time() -> Iterator[None]:
    """Worker processes settle and write their story assignments one after another, each
    seeing the ones before it: two articles of a new event arriving together must not both
    start a story. The choice itself is made before, outside this lock, against a snapshot (see
    assign_story and _settle), and outside the write transaction (on SQLite that transaction
    locks the whole database); so this lock, not the database's, keeps the settling in order: a
    file lock beside the SQLite file, an advisory lock on PostgreSQL. Inside a caller's
    transaction (tests, a single-process import) nothing is taken."""
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
    scores: _StoryScores | None = None  # the story choice, when there is no original
    story: Story | None = None  # the story to join (set by _settle); None: start one


def _last_assignment() -> int:
    """The latest assignment's number (0: none yet); read before a snapshot of the candidates,
    every assignment written after it has a higher one (see _write)."""
    meta, quote = Article._meta, connection.ops.quote_name
    with connection.cursor() as cursor:  # not aggregate(): twice an article, this is cheaper
        cursor.execute(
            f"SELECT MAX({quote(meta.get_field('story_seq').column)}) FROM {quote(meta.db_table)}"
        )
        return cursor.fetchone()[0] or 0


def _choose(article: Article, options: ClusterOptions, mark: int | None = None) -> _Choice:
    """What assign_story will write, against a snapshot of the other articles taken after the
    assignment numbered `mark`; reads only."""
    fingerprint = simhash(fingerprint_text(article))
    original = _near_duplicate_of(article, fingerprint) if fingerprint else None
    if original is not None and original.duplicate_of_id == article.pk:
        original = None  # never make two articles copies of each other
    if original is not None:
        return _Choice(fingerprint, original)
    with _STATE_LOCK:
        return _Choice(fingerprint, None, _story_scores(article, options, mark))


def _assigned_since(article: Article, mark: int) -> list[tuple]:
    """(pk, story_id, simhash, duplicate_of_id, published as stored, changed key) of the other
    articles written by an assignment numbered above `mark`: typically none, or the one or two
    another worker assigned while this one was choosing. Only the story_seq index is used."""
    return [
        (pk, story_id, value, duplicate_of, published, changed)
        for pk, published, story_id, changed, duplicate_of, _, value in _written_rows(
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
    if original is not None:
        return _Choice(choice.fingerprint, original, None, original.story)
    when = _when(article)
    joining = [
        (pk, story_id, changed)
        for pk, story_id, _, duplicate_of, published, changed in rows
        if duplicate_of is None
        and story_id is not None
        and _within(published, when, options.window)
    ]
    with _STATE_LOCK:
        if scores is None or (scores.vector is None and joining):
            # No snapshot to settle (the snapshot's original is gone, or there were no
            # candidates at all): the whole choice, now. Rare, and quick with few candidates.
            scores = _story_scores(article, options)
            sims = scores.sims
        else:
            sims = _rescored(scores, rows, joining, options) if rows else scores.sims
    best = _best(sims)
    story = Story.objects.filter(pk=best).first() if best is not None else None
    return _Choice(choice.fingerprint, None, scores, story)


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
        when = _when(article)
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


def _rescored(
    scores: _StoryScores, rows: list[tuple], joining: list[tuple], options: ClusterOptions
) -> dict[int, float]:
    """The snapshot's story scores with the stories that `rows` joined or left scored again
    (call with _STATE_LOCK held; this runs under the assignment lock too, so it touches only
    those stories)."""
    moved = {row[0] for row in rows}
    affected = {story_id for _, story_id, _ in joining}
    affected |= {scores.story_of[pk] for pk in moved if pk in scores.story_of}
    if not affected:
        return scores.sims
    sims = {sid: sim for sid, sim in scores.sims.items() if sid not in affected}
    for story_id in affected:
        keys = [key for key in scores.members.get(story_id, ()) if key[0] not in moved]
        keys += [(pk, changed) for pk, sid, changed in joining if sid == story_id]
        sim = _similarity(scores.vector, keys, options) if keys else 0.0
        if sim >= options.threshold:
            sims[story_id] = sim
    return sims


def _similarity(vector: Vector, keys: list[tuple], options: ClusterOptions) -> float:
    """cos(vector, sum of these articles' vectors): the kept vectors where they are still the
    articles', the others built under the current frequencies."""
    counts = _counts_for(keys, options)
    kept, model, total = _MEMBER_VECTORS, None, {}
    for key in keys:
        member = kept.vectors.get(key[0]) if kept.keys.get(key[0]) == key else None
        if member is None:
            if key not in counts:
                continue  # deleted meanwhile
            if model is None:
                model = TfidfModel(options.vector)
                model.df = _FREQUENCIES.df
                model.n_docs = len(_FREQUENCIES.members) + 1
            member = model.truncated_vector(counts[key], options.max_features)
        for f, w in member.items():
            total[f] = total.get(f, 0.0) + w
    weights = total.values()
    norm = sum(map(mul, weights, weights)) ** 0.5
    return cosine(vector, total) / norm if norm else 0.0


def _new_story(**fields) -> Story:
    # bulk_create skips post_save: the content version is bumped once per assignment instead.
    return Story.objects.bulk_create([Story(**fields)])[0]


def _write(article: Article, choice: _Choice) -> Story:
    """Write the settled choice, numbered after every earlier assignment (under the assignment
    lock, so the numbers follow the order the assignments are written in)."""
    original, story, started = choice.original, choice.story, None
    old_story_id = article.story_id
    with transaction.atomic():
        seq = _last_assignment() + 1
        if original is not None and story is None:
            story = _new_story(title=original.title)
            Article.objects.filter(pk=original.pk).update(story=story, story_seq=seq)
            original.story = story
        elif story is None:  # born counting and dated by this article: no updates below
            started = _new_story(
                title=article.title, created_at=_when(article), updated_at=_when(article), size=1
            )
        story = started if story is None else story
        article.simhash = choice.fingerprint
        article.duplicate_of = original
        article.story = story
        article.story_seq = seq
        Article.objects.filter(pk=article.pk).update(
            simhash=choice.fingerprint, duplicate_of=original, story=story, story_seq=seq
        )
        if old_story_id != story.pk:
            if old_story_id:
                Story.objects.filter(pk=old_story_id, size__gt=0).update(size=F("size") - 1)
                Story.objects.filter(pk=old_story_id, size=0).delete()
            if story is not started:
                Story.objects.filter(pk=story.pk).update(size=F("size") + 1)
        if story is not started:
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
    # The choice (the costly part) runs outside the lock, against a snapshot; under the lock it
    # is only settled against the assignments written since, then written: workers choose in
    # parallel, yet each article still sees every one assigned before it.
    mark = _last_assignment()
    choice = _choose(article, options, mark)
    with _one_assignment_at_a_time():
        story = _write(article, _settle(article, choice, mark, options))
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
