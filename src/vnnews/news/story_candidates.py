"""The candidate set of story choice, kept between choices, and its scoring (design rule 7).

Choosing a story for a new article compares it with the newest MAX_STORY_CANDIDATES originals
published within the story window. Reading and vectorising them for every article was nearly all
of the cost, so this module keeps, per process: the candidates' rows (brought up to date by
assignment number, `Article.story_seq`), their feature counts, the collection's document
frequencies, and the candidates' truncated TF-IDF vectors with an inverted index of them, by
difference from one article to the next. `stories_sync` (the orchestrator that writes) asks it for
a snapshot's scores (`story_scores`) and for the few stories to score again when settling
(`rescored`); the caches are this process's and `STATE_LOCK` guards them.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right, insort
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import compress
from operator import is_not, itemgetter, mul, truediv

from django.db import connection
from django.utils import timezone

from vnnews.news.in_lists import in_slices
from vnnews.news.models import SIMHASH_BANDS, Article
from vnnews.stories.clustering import ClusterOptions, document_text
from vnnews.stories.vectors import (
    TfidfModel,
    Vector,
    cosine,
    features,
    heaviest,
    l2_norm,
    tf_weights,
    unit_vector,
)

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


def article_time(article: Article) -> datetime:
    return article.published or article.first_seen or timezone.now()


def _changed_key(value: datetime) -> datetime | str:
    """An article's last_changed as recent_rows reads it from the database: the stored text on
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


def article_columns() -> dict[str, str]:
    """The article table's quoted names for the plain-SQL reads of this module (and of
    stories_sync and search.index_article): {table}, {pk}, {story}, {simhash}, {duplicate_of},
    {seq} (story_seq), {waiting} (story_waiting), {version} (change_count), {section},
    {source}, {band0}..{band3} (the SimHash bands),
    {published_column}, and {published} and {changed} as stored (text on SQLite, which is what
    the queries compare and the cache keys hold). Built once per database vendor."""
    vendor = connection.vendor
    names = _COLUMN_NAMES.get(vendor)
    if names is None:
        meta, quote = Article._meta, connection.ops.quote_name
        names = {
            "table": quote(meta.db_table),
            "pk": quote(meta.pk.column),
            "published_column": quote(meta.get_field("published").column),
        }
        for name, field in (("story", "story"), ("simhash", "simhash"), ("changed", "last_changed"),
                            ("published", "published"), ("duplicate_of", "duplicate_of"),
                            ("seq", "story_seq"), ("waiting", "story_waiting"),
                            ("version", "change_count"), ("section", "section"),
                            ("source", "source")):  # fmt: skip
            names[name] = quote(meta.get_field(field).column)
        for n in range(SIMHASH_BANDS):
            names[f"band{n}"] = quote(meta.get_field(f"simhash_band{n}").column)
        if vendor == "sqlite":
            names["changed"] = f"CAST({names['changed']} AS TEXT)"
            names["published"] = f"CAST({names['published']} AS TEXT)"
        _COLUMN_NAMES[vendor] = names
    return names


_COLUMN_NAMES: dict[str, dict[str, str]] = {}


def recent_rows(
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
    names = article_columns()
    when = article_time(article)
    sql = (
        "SELECT {columns} FROM {table} "
        "WHERE {published_column} >= %s AND {published_column} <= %s AND +{duplicate_of} IS NULL "
        "AND {condition} AND {pk} <> %s "
        "ORDER BY {published_column} DESC, {pk} DESC"
    ).format(columns=columns.format(**names), condition=condition.format(**names), **names)
    adapt = connection.ops.adapt_datetimefield_value
    params: list = [adapt(when - window), adapt(when + window), *condition_params, article.pk]
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _counts_for(keys: list[tuple[int, datetime | str | None]], options: ClusterOptions) -> dict:
    """Feature counts of the articles with these (pk, _changed_key) keys, from _COUNTS_CACHE;
    texts are loaded only for articles whose counts are not cached yet. An article deleted
    meanwhile is left out."""
    missing = {pk: changed for pk, changed in keys if (pk, changed) not in _COUNTS_CACHE}
    for chunk in in_slices(missing):
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
        return recent_rows(
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
    see stories_sync._write), so the rows stay what the query would give. What changes an
    article without an assignment (deleting it, editing it by hand) is seen at the next full
    read: one every _GENERATION_ARTICLES candidates, as for the member vectors; and whenever
    the article's window leaves the range read, or the numbers went back (the database was
    emptied); or when a choice's best story held such an article (stories_sync._members_gone).

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
        when = article_time(article)
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
        seen = last_assignment()
        rows = recent_rows(
            article, 2 * window, "{published}, {pk}, {story}, {changed}", "+{story} IS NOT NULL"
        )
        adapt, when = connection.ops.adapt_datetimefield_value, article_time(article)
        self.rows = {row[1]: row[1:] for row in rows}
        self.published = {row[1]: row[0] for row in rows}
        self.order = sorted(row[:2] for row in rows)
        self.low, self.high = adapt(when - 2 * window), adapt(when + 2 * window)
        self.window, self.seen, self.read_at = window, seen, _FREQUENCIES.entered
        if article.pk is not None:  # the query leaves the article out; later ones may join it
            self._apply(written_rows("{pk} = %s", article.pk), advance=False)

    def _catch_up(self) -> None:
        self._apply(written_rows("{seq} > %s", self.seen), advance=True)

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


def written_rows(condition: str, param: int) -> list[tuple]:
    """(pk, published, story, changed, duplicate_of, story_seq, simhash) of the articles
    matching `condition` (in terms of {pk} and {seq}), times as stored (text on SQLite, as in
    recent_rows). Plain SQL: it runs for every article, twice."""
    names = article_columns()
    sql = (
        "SELECT {pk}, {published}, {story}, {changed}, {duplicate_of}, {seq}, {simhash} "
        "FROM {table} WHERE {condition}"
    ).format(condition=condition.format(**names), **names)
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
        differing, equal = _differing(current, new)
        gone = [(pk, current[pk]) for pk in differing]  # left, or changed
        # Equal rows that are other objects (the candidate rows were read again) are held as
        # the new ones from now on, so that the next move finds them by identity.
        current.update({pk: new[pk] for pk in equal})
        came = sorted((pk, new[pk]) for pk in _differing(new, current)[0])
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


def _differing(these: dict[int, tuple], those: dict[int, tuple]) -> tuple[list, list]:
    """The keys of `these` whose row `those` does not hold (absent or another value), and those
    whose row it holds as another, equal object. The rows
    of members that stay are nearly always the very tuples held before (the kept candidate
    rows hand out the same objects), so they are told apart by identity first, in C; only the
    others are compared by value: comparing every row as the sets of items did cost more than
    the rest of a choice's move."""
    differing, equal = [], []
    for pk in compress(these, map(is_not, map(those.get, these), these.values())):
        (differing if those.get(pk) != these[pk] else equal).append(pk)
    return differing, equal


_FREQUENCIES = _Frequencies()


class _MemberVectors:
    """Truncated TF-IDF vectors of every candidate (by pk), and an inverted index of them, kept
    for one generation of the candidate set (see _GENERATION_ARTICLES): a small, bounded
    approximation of rebuilding them under every article's IDF. The article's own vector always
    uses the current model.

    A story's score is cos(v, T) with T the sum of its members' vectors t, and dot(v, T) is the
    sum of the members' dot(v, t): walking the article's ~200 features through the index gives
    the dot product with every candidate at once, so no story's sum is compared feature by
    feature. Only stories of several members need |T| (one member: |t| = 1), kept per story
    while its members stay the same.

    The candidates of a generation (all those there when it began) share its IDF, so their
    weights factor: t_f = tf_f * idf_f / |t|, with tf_f = 1 + log(count) the same in every
    generation. The index holds tf_f for their kept features, and dots() applies idf_f on the
    article's side and 1 / |t| per candidate. A new generation then only computes each
    candidate's kept features and norm again (the index changes only where the kept features
    did), instead of rebuilding 1,500 vectors and a 300,000-entry index: that rebuild was a
    fifth of a worker's time in bench_ingest. Candidates that enter during the generation have
    vectors under the IDF of the choice they entered at (`fresh`), indexed by weight as before.
    The vectors themselves are made on demand (`vector`), the same floats truncated_vector
    gives; the dot products agree with them up to rounding (the products are grouped
    differently)."""

    def __init__(self) -> None:
        self.keys: dict[int, tuple] = {}  # pk -> the (pk, changed) key its vector was built for
        self.options: ClusterOptions | None = None
        self.entered_at = 0  # _FREQUENCIES.entered when the generation began
        self.size_at = 0  # candidate count when the generation began
        # The generation's members: pk -> (kept features, their tf weights, |t|); the index
        # feature -> {pk: tf weight}; the generation's IDF; their vectors once asked for.
        self.kept: dict[int, tuple[list[str], list[float], float]] = {}
        self.index: dict[str, dict[int, float]] = {}
        self.idf: dict[str, float] = {}
        self.built: dict[int, Vector] = {}
        # pk -> (key, features, tf weights) as counted: the same in every generation.
        self.terms: dict[int, tuple[tuple, list[str], list[float]]] = {}
        # Members that entered since: pk -> vector, and feature -> {pk: weight}.
        self.fresh: dict[int, Vector] = {}
        self.fresh_index: dict[str, dict[int, float]] = {}
        self.empty: set[int] = set()  # members whose vector is empty
        # story -> (its member keys, sum of their vectors, its norm)
        self.sums: dict[int, tuple[frozenset, Vector, float]] = {}

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
        if options != self.options:
            self.__init__()
        elif (
            frequencies.entered - self.entered_at < _GENERATION_ARTICLES
            and abs(size - self.size_at) <= _GENERATION_DRIFT * self.size_at
        ):
            for key in left:
                self._remove(key)
            for key in entered:
                self.add(key, frequencies.members[key], model, options)
            return
        for key in left:
            self._remove(key)
        self.options, self.entered_at, self.size_at = options, frequencies.entered, size
        self.sums.clear()
        self.built.clear()
        if model is not None:
            self._begin(frequencies.members, model, options)

    def _begin(self, members: dict, model: TfidfModel, options: ClusterOptions) -> None:
        """Every member's vector under `model`, the new generation's IDF."""
        self.idf = model.memoise_all()
        for pk, key in list(self.keys.items()):  # none should be left; a version that changed
            if key not in members or pk in self.fresh:  # and those that entered: built anew
                self._remove(key)
        vector_options = options.vector
        if vector_options.min_df > 1 or not vector_options.sublinear_tf:
            for key, counts in members.items():  # the weights do not factor: plain vectors
                self.add(key, counts, model, options)
            return
        for key, counts in members.items():
            self._build(key, counts, options.max_features)

    def _build(self, key: tuple, counts: Counter[str], keep: int) -> None:
        """A generation member's kept features and norm under self.idf, and its postings."""
        pk = key[0]
        terms = self.terms.get(pk)
        if terms is None or terms[0] != key:  # its features and tf weights, in counted order
            terms = self.terms[pk] = (key, list(counts), tf_weights(counts))
        _, names, tfs = terms
        weights = list(map(mul, tfs, map(self.idf.__getitem__, names)))
        order = heaviest(weights, keep)
        if order is not None:
            names = list(map(names.__getitem__, order))
            tfs = list(map(tfs.__getitem__, order))
            weights = list(map(weights.__getitem__, order))
        before = self.kept.get(pk)
        self.keys[pk] = key
        self.kept[pk] = (names, tfs, l2_norm(weights))
        if not names:
            self.empty.add(pk)
        if before is None:
            _post(self.index, pk, names, tfs)
        elif before[0] != names:  # mostly the same features in another order: no postings
            was = set(before[0])
            if not was.issuperset(names):
                _unpost(self.index, pk, was.difference(names))
                gained = [(f, tf) for f, tf in zip(names, tfs, strict=True) if f not in was]
                _post(self.index, pk, *zip(*gained, strict=True))

    def add(self, key: tuple, counts: Counter[str], model: TfidfModel, options) -> None:
        """A member that entered during the generation: its vector under `model`."""
        pk = key[0]
        if pk in self.keys:  # an earlier version of the article
            self._remove(self.keys[pk])
        vector = model.truncated_vector(counts, options.max_features) if counts else {}
        self.keys[pk] = key
        self.fresh[pk] = vector
        if not vector:
            self.empty.add(pk)
        _post(self.fresh_index, pk, vector, vector.values())

    def _remove(self, key: tuple) -> None:
        pk = key[0]
        if self.keys.get(pk) != key:
            return
        del self.keys[pk]
        self.empty.discard(pk)
        vector = self.fresh.pop(pk, None)
        if vector is not None:
            _unpost(self.fresh_index, pk, vector)
        else:
            _unpost(self.index, pk, self.kept.pop(pk)[0])
            self.built.pop(pk, None)
            self.terms.pop(pk, None)

    def vector(self, pk: int) -> Vector:
        """The member's truncated TF-IDF vector (what truncated_vector gives)."""
        vector = self.fresh.get(pk)
        if vector is None:
            vector = self.built.get(pk)
            if vector is None:
                names, tfs, _ = self.kept[pk]
                vector = unit_vector(names, list(map(mul, tfs, map(self.idf.__getitem__, names))))
                self.built[pk] = vector
        return vector

    @property
    def vectors(self) -> dict[int, Vector]:
        """pk -> vector of every member (for tests and inspection)."""
        return {pk: self.vector(pk) for pk in self.keys}

    def dots(self, vector: Vector) -> dict[int, float]:
        """pk -> dot(vector, the candidate's vector), for every candidate sharing a feature."""
        sums: dict[int, float] = {}  # generation members: sum of (w * idf) * tf, before 1 / |t|
        dots: dict[int, float] = {}
        sums_get, dots_get, idf = sums.get, dots.get, self.idf
        index, fresh = self.index, self.fresh_index
        for f, w in vector.items():
            held = index.get(f)
            if held is not None:
                scaled = w * idf[f]
                for pk, weight in held.items():
                    sums[pk] = sums_get(pk, 0.0) + scaled * weight
            held = fresh.get(f)
            if held is not None:
                for pk, weight in held.items():
                    dots[pk] = dots_get(pk, 0.0) + w * weight
        # A member is either of the generation or fresh, never both: the keys do not overlap.
        norms = map(_NORM, map(self.kept.__getitem__, sums))
        dots.update(zip(sums, map(truediv, sums.values(), norms), strict=True))
        return dots

    def nonempty(self, keys: tuple) -> int:
        """How many of these members' vectors are not empty."""
        empty = self.empty
        return len(keys) if not empty else sum(1 for pk, _ in keys if pk not in empty)

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
            for f, w in self.vector(pk).items():
                total[f] = total.get(f, 0.0) + w
        weights = total.values()
        norm = sum(map(mul, weights, weights)) ** 0.5
        self.sums[story_id] = (members, total, norm)
        return norm


_NORM = itemgetter(2)


def _post(index: dict[str, dict[int, float]], pk: int, names, weights) -> None:
    for f, w in zip(names, weights, strict=True):
        held = index.get(f)
        if held is None:
            index[f] = {pk: w}
        else:
            held[pk] = w


def _unpost(index: dict[str, dict[int, float]], pk: int, names) -> None:
    for f in names:
        held = index[f]
        del held[pk]
        if not held:
            del index[f]


_MEMBER_VECTORS = _MemberVectors()
# The caches above are this process's; worker threads take turns with them.
STATE_LOCK = threading.RLock()


def forget_candidate_rows() -> None:
    """Read the candidate rows again at the next choice: something changed them without an
    assignment number (see stories_sync._best_existing)."""
    with STATE_LOCK:
        _CANDIDATE_ROWS.low = None


def reset_caches() -> None:
    """Forget every kept count, frequency and vector (a fresh process's state): for benchmarks
    and evaluations that start over on a new database in the same process."""
    global _FREQUENCIES, _MEMBER_VECTORS, _CANDIDATE_ROWS
    with STATE_LOCK:
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
class StoryScores:
    """A story choice against one snapshot of the candidates, kept so that it can be settled
    against what was assigned after the snapshot (see stories_sync._settle)."""

    vector: Vector | None  # the article's; None: there were no candidates
    members: dict[int, tuple]  # story -> (pk, changed) keys of its candidate members
    story_of: dict[int, int]  # candidate pk -> story
    sims: dict[int, float]  # story -> cosine, for those reaching the threshold


def story_scores(article: Article, options: ClusterOptions, mark: int | None = None) -> StoryScores:
    """Score the stories of the article's candidates (call with STATE_LOCK held).

    Same rule as the offline clusterer (vnnews.stories.clustering): cosine to the sum of the
    story's member vectors (see _MemberVectors)."""
    left, entered = _FREQUENCIES.move_to(_candidate_rows(article, options, mark), options)
    if not _FREQUENCIES.members:
        _MEMBER_VECTORS.sync(_FREQUENCIES, left, entered, None, options)  # only leavers
        return StoryScores(None, {}, {}, {})
    own = _story_counts(article, options)
    with _model(own, options) as model:
        _MEMBER_VECTORS.sync(_FREQUENCIES, left, entered, model, options)
        vector = model.truncated_vector(own, options.max_features)
    members, story_of = _FREQUENCIES.stories.copy(), _FREQUENCIES.story_of.copy()
    return StoryScores(vector, members, story_of, _story_sims(vector, members, story_of, options))


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
    threshold = options.threshold
    floor = threshold * (1 - 1e-9)
    sims = {}
    for story_id, dot in story_dots.items():
        keys = members[story_id]
        if len(keys) == 1:
            sim = dot
        else:
            if dot < floor * _MEMBER_VECTORS.nonempty(keys) ** 0.5:
                continue
            norm = _MEMBER_VECTORS.norm(story_id, keys)
            sim = dot / norm if norm else 0.0
        if sim >= threshold:
            sims[story_id] = sim
    return sims


def best_story(sims: dict[int, float]) -> int | None:
    """The story of the highest score (the first of equals); sims hold only those reaching the
    threshold."""
    best_id, best_sim = None, 0.0
    for story_id, sim in sims.items():
        if sim > best_sim:
            best_id, best_sim = story_id, sim
    return best_id


def last_assignment() -> int:
    """The latest assignment's number (0: none yet); read before a snapshot of the candidates,
    every assignment written after it has a higher one (see stories_sync._write)."""
    with connection.cursor() as cursor:  # not aggregate(): twice an article, this is cheaper
        cursor.execute("SELECT MAX({seq}) FROM {table}".format(**article_columns()))
        return cursor.fetchone()[0] or 0


def rescored(
    scores: StoryScores, rows: list[tuple], joining: list[tuple], options: ClusterOptions
) -> dict[int, float]:
    """The snapshot's story scores with the stories that `rows` joined or left scored again
    (call with STATE_LOCK held; this runs under the assignment lock too, so it touches only
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
        member = kept.vector(key[0]) if kept.keys.get(key[0]) == key else None
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
