"""The one place that writes articles (design: `news` is the only orchestrator touching storage).

Every way in — `vnnews import`, live ingestion, `vnnews reextract` — ends in `store_article`:
normalise (NFC, one tone-mark placement) -> sanitise (allow-list, last) -> canonical URL ->
content hash -> tombstone check -> source and section -> create, update or leave the Article ->
one ImportRecord saying what happened. `ingest_page` puts a raw page in front of that: archive the
bytes to WARC, record a RawPage, extract, store. Neither raises for a bad item: a failure is an
ImportRecord with the stage and the reason, and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from itertools import chain
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from vnnews.archive import WarcArchive, response_record
from vnnews.extract.article import Article as Extracted
from vnnews.extract.article import Block
from vnnews.news.bulk import (
    PENDING,
    SAVED,
    decode_json,
    encode_json,
    flush_pending,
    insert_new,
)
from vnnews.news.models import Article, Image, ImportRecord, RawPage, Source, Tombstone
from vnnews.news.records import (  # noqa: F401 (re-exported for callers of the store)
    ABSENT,
    absent_urls,
    failed_record,
    recorded_items,
    recorded_pairs,
    save_record,
)
from vnnews.news.search.terms import INDEX_KEYS, content_keys
from vnnews.news.sections import resolve_section
from vnnews.sanitize import sanitize_article
from vnnews.stories.identity import canonical_url, content_digest, content_hash, site_domain
from vnnews.text.normalize import normalize_many

log = logging.getLogger("vnnews.store")

Outcome = ImportRecord.Outcome
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
LOCAL_DOMAIN = "local"  # Source for files imported without any address or outlet name


class ItemFailed(Exception):
    """One item cannot be stored; `stage` names the step (url, validate, archive, extract...)."""

    def __init__(self, stage: str, reason: str):
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


# -- text ------------------------------------------------------------------------------------


def normalize_article(article: Extracted) -> Extracted:
    """Every stored text field through vnnews.text.normalize, all in one call (normalize_many:
    the body text repeats the paragraph blocks, and one call per field costs more)."""
    blocks = article.blocks
    texts = [
        article.title, article.sapo, article.text, article.byline, article.section,
        article.site_name, *article.authors, *article.section_path, *article.tags,
        *[b.text for b in blocks], *[b.alt for b in blocks], *[b.caption for b in blocks],
        *[b.credit for b in blocks],
    ]  # fmt: skip
    for b in blocks:
        if b.items or b.rows:
            texts += (*b.items, *chain.from_iterable(b.rows))
    normal = normalize_many(texts)
    if list(normal) == list(normal.values()):
        # Every text is in normal form already (nearly every extracted page): the same copy,
        # without looking each field up again.
        return replace(
            article,
            blocks=list(blocks),
            authors=list(article.authors),
            section_path=list(article.section_path),
            tags=list(article.tags),
        )
    n = normal.__getitem__
    return replace(
        article,
        title=n(article.title),
        sapo=n(article.sapo),
        blocks=[_normalize_block(b, n) for b in article.blocks],
        text=n(article.text),
        authors=[n(a) for a in article.authors],
        byline=n(article.byline),
        section=n(article.section),
        section_path=[n(s) for s in article.section_path],
        tags=[n(t) for t in article.tags],
        site_name=n(article.site_name),
    )


def _normalize_block(b: Block, n) -> Block:
    # Most blocks are a paragraph already in normal form: no copy for them (dataclasses.replace
    # costs more than looking the normal forms up).
    text, alt, caption, credit = n(b.text), n(b.alt), n(b.caption), n(b.credit)
    items = [n(i) for i in b.items]
    rows = [[n(c) for c in row] for row in b.rows]
    if (text, alt, caption, credit, items, rows) == (
        b.text, b.alt, b.caption, b.credit, b.items, b.rows
    ):  # fmt: skip
        return b
    return replace(b, text=text, items=items, rows=rows, alt=alt, caption=caption, credit=credit)


_BLOCK_FIELDS = tuple(f for f in Block.__dataclass_fields__ if f != "kind")
# A Block's attributes as its __init__ sets them: all its fields, in their order.
_BLOCK_ATTRIBUTES = list(Block.__dataclass_fields__)
_NOTHING = ("", 0, [], False)


def block_dict(b: Block) -> dict:
    """Block.to_dict without dataclasses.asdict's deep copy (the dict is serialised right away):
    the kind, then only the fields that mean something for it."""
    data = {"kind": b.kind}
    values = b.__dict__
    if list(values) == _BLOCK_ATTRIBUTES:
        # Its own attributes, read in field order without a getattr each (every block of every
        # article passes here).
        for key, value in values.items():
            if value not in _NOTHING and key != "kind":
                data[key] = value
        return data
    for key in _BLOCK_FIELDS:
        value = getattr(b, key)
        if value not in _NOTHING:
            data[key] = value
    return data


def extraction_version() -> str:
    try:
        import vnnews.extract as engine

        return str(getattr(engine, "EXTRACTION_VERSION", "") or getattr(engine, "__version__", ""))
    except ImportError:
        return ""


# -- identity --------------------------------------------------------------------------------


def article_url(article: Extracted) -> str:
    """The address we store: the page's canonical link when it stays on the same outlet (a page
    may not claim another site's address), else the address it was fetched or imported from."""
    fetched = article.url or ""
    declared = article.canonical_url or ""
    if fetched.startswith("file://"):
        return canonical_url(declared) if site_domain(declared) else fetched
    if declared and (not fetched or site_domain(declared) == site_domain(fetched)):
        try:
            return canonical_url(declared)
        except ValueError:
            pass
    if not fetched:
        raise ItemFailed("url", "bài không có địa chỉ (url)")
    try:
        return canonical_url(fetched)
    except ValueError as exc:
        raise ItemFailed("url", str(exc)) from None


@cache
def outlet_names() -> dict[str, str]:
    data = Path(__file__).parent / "data" / "outlets.json"
    return json.loads(data.read_text(encoding="utf-8"))["outlets"]


def _first_id(model: type[models.Model], **equal: object) -> int | None:
    """The smallest id of the `model` rows whose columns equal `equal`, if any. Asked for each
    page or outlet first seen by an import, and almost always answered "none": plain SQL costs a
    fraction of building the same query with the ORM (~0.05 instead of ~0.5 ms)."""
    quote = connection.ops.quote_name
    pk = quote(model._meta.pk.column)
    where = " AND ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in equal)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk} FROM {quote(model._meta.db_table)} WHERE {where} ORDER BY {pk} LIMIT 1",
            list(equal.values()),
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _new_source(domain: str, site_name: str) -> Source:
    """An unsaved Source for `domain` (LOCAL_DOMAIN for files without an address), named from our
    table of outlets, else the page's site name, else the domain."""
    if domain == LOCAL_DOMAIN:
        name, home = site_name or "Tệp nhập", ""
    else:
        name, home = outlet_names().get(domain) or site_name or domain, f"https://{domain}/"
    return Source(domain=domain, name=name[:200], home_url=home)


def source_for(url: str, site_name: str = "") -> Source:
    """The Source of `url`'s outlet, created on first sight (see `_new_source` for its name)."""
    domain = site_domain(url)
    if not domain:
        domain = LOCAL_DOMAIN
    existing = _first_id(Source, domain=domain)
    if existing is not None:
        return Source.objects.get(pk=existing)
    # Not get_or_create: it would look the domain up a second time (an import of pages from
    # many outlets creates one per page).
    return _outlet_of(_new_source(domain, site_name), url)


def sources_ahead(prepared: list[Prepared], memo: dict) -> None:
    """Look up, in one query, the Source of each of a bulk chunk's new articles (`prepared`
    built ahead, with its domain), and put it in `memo` for `_store`; an outlet not there yet is
    put there unsaved, and `_store` creates it only when an article of it is stored
    (`_outlet_of`). An import of pages from many outlets (a web crawl, the WCXB pages: 633
    outlets in 711 pages) otherwise paid a lookup, a savepoint and an ORM create per new outlet,
    ~1.4 ms of the writer's time a page. Only new articles (addresses in memo[ABSENT])."""
    absent = memo.get(ABSENT, ())
    wanted: dict[str, Prepared] = {}
    for item in prepared:
        new_article = item.clean is not None and item.stored_url in absent
        if new_article and item.domain and ("source", item.domain) not in memo:
            wanted.setdefault(item.domain, item)
    if not wanted:
        return
    for source in Source.objects.filter(domain__in=list(wanted)):
        memo[("source", source.domain)] = source
        del wanted[source.domain]
    for domain, item in wanted.items():
        memo[("source", domain)] = _new_source(domain, item.clean.site_name)


def _outlet_of(source: Source, url: str) -> Source:
    """`source`, created now if it is unsaved (`source_for`, or `sources_ahead` found it
    missing), by one plain INSERT in a savepoint: a lost race (another process created it since
    the look-up) ends in the other copy. Whoever else creates outlets in the same import puts
    them in the memo (runner.Importer.source)."""
    if source.pk is not None:
        return source
    try:
        with transaction.atomic():
            insert_new(Source, [source])
    except IntegrityError:  # another process created it since
        return Source.objects.get(domain=source.domain)
    log.info("source=%s url=%s event=source_created", source.domain, url)
    return source


# -- articles --------------------------------------------------------------------------------


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        # Vietnamese outlets print local time without a zone.
        return value.replace(tzinfo=VIETNAM)
    return value


# Article.title's column size: the stored title is cut to it (and its search keys are of that).
_TITLE_CHARS = Article._meta.get_field("title").max_length


def _fields(article: Extracted, url: str, digest: str) -> dict:
    """Model fields from a normalised, sanitised Article, cut to the column sizes."""
    source_section = article.section or (article.section_path[-1] if article.section_path else "")
    return {
        "url": url,
        "source_section": source_section[:200],
        "title": article.title[:_TITLE_CHARS],
        "sapo": article.sapo,
        "blocks": [block_dict(b) for b in article.blocks],
        "text": article.text,
        "authors": article.authors,
        "byline": article.byline[:500],
        "published": _aware(article.published),
        "updated": _aware(article.updated),
        "tags": article.tags,
        "lead_image": article.lead_image if len(article.lead_image) <= 2000 else "",
        "language": (article.language or "vi")[:10],
        "content_hash": digest,
        "extraction_version": extraction_version()[:40],
    }


def _images(stored: Article, blocks: list[Block]) -> list[Image]:
    return [
        Image(
            article=stored,
            position=position,
            src=block.src,
            alt=block.alt[:1000],
            caption=block.caption,
            credit=block.credit[:300],
        )
        for position, block in enumerate(b for b in blocks if b.kind == "image")
        if len(block.src) <= 2000
    ]


def _replace_images(stored: Article, blocks: list[Block], *, new: bool = False) -> None:
    """The article's Image rows from its blocks. `new`: the article was inserted just now, so it
    has none to delete (the ORM's delete, collector and all, was ~1% of a live worker's CPU)."""
    if not new:
        stored.images.all().delete()
    images = _images(stored, blocks)
    if images:
        Image.objects.bulk_create(images)


def _content_hash(clean: Extracted) -> str:
    return content_hash(clean.title, clean.sapo + "\n" + clean.text, normalized=True)


def _clean(article: Extracted) -> tuple[Extracted, str]:
    """(clean article, stored URL) or ItemFailed."""
    url = article_url(article)
    if len(url) > 2000:
        raise ItemFailed("url", f"địa chỉ dài quá 2000 ký tự ({len(url)})")
    clean = sanitize_article(normalize_article(article))  # sanitise last (design rule 6)
    if not clean.text and clean.blocks:
        clean.text = "\n\n".join(
            b.text for b in clean.blocks if b.kind in {"paragraph", "heading", "quote"} and b.text
        )
    if not clean.title:
        raise ItemFailed("validate", "bài không có tiêu đề")
    if not (clean.text or clean.sapo):
        raise ItemFailed("validate", "bài không có nội dung")
    return clean, url


@dataclass
class Prepared:
    """What `store_article` computes before touching the database (`prepare`; ahead, in an
    import worker process, or in place): the clean article, the URL and content hash to store
    and its search keys (((title, sapo, text), Document), see search.terms.INDEX_KEYS); or the
    stage and reason of the failure. `url` is the address the item's record names."""

    url: str
    clean: Extracted | None = None
    stored_url: str = ""
    digest: str = ""
    index_keys: tuple | None = None
    # The model fields (`_fields`) built ahead too; `clean` then keeps only its image blocks
    # (the rest is in the fields), so less travels back from a worker.
    fields: dict | None = None
    stage: str = ""
    reason: str = ""
    archived: ArchivedPage | None = None  # raw pages only
    domain: str = ""  # the outlet's domain of `stored_url` (site_domain), when built ahead


def prepare(article: Extracted, *, ahead: bool = False) -> Prepared:
    """Everything `store_article` does before touching the database, the search keys of the
    stored title, sapo and text included. `ahead` (in an import worker process) builds the
    model fields too."""
    try:
        clean, url = _clean(article)
    except ItemFailed as exc:
        return Prepared(url=article.url or "", stage=exc.stage, reason=exc.reason)
    # The search keys and the content hash fold the same words: folded once, for both (the
    # stored title is cut to its column, the hash is of the whole: then folded apart). The keys
    # travel with the article to the index (search.terms.INDEX_KEYS).
    text = (clean.title[:_TITLE_CHARS], clean.sapo, clean.text)
    document, hash_key = content_keys(*text)
    if hash_key is None or len(clean.title) > _TITLE_CHARS:
        digest = _content_hash(clean)
    else:
        digest = content_digest(hash_key)  # the tests hold both to the same answers
    if not ahead:
        return Prepared(
            url=url, clean=clean, stored_url=url, digest=digest, index_keys=(text, document)
        )
    fields = _fields(clean, url, digest)
    # Sent back encoded: a new article goes into the database as it is (see bulk.EncodedJSON).
    fields["blocks"] = encode_json("blocks", fields["blocks"])
    return Prepared(
        url=url,
        # Nor what extraction removed (a debugging aid the store never reads): it was half of
        # what pickling `clean` cost.
        clean=replace(
            clean, blocks=[b for b in clean.blocks if b.kind == "image"], text="", removed=[]
        ),
        stored_url=url,
        digest=digest,
        index_keys=((fields["title"], fields["sapo"], fields["text"]), document),
        fields=fields,
        domain=site_domain(url) or LOCAL_DOMAIN,
    )


def _newer(incoming: Extracted, stored: Article) -> bool:
    """Whether `incoming` may replace `stored`: yes unless both carry a time and it is older."""
    new_time = _aware(incoming.updated or incoming.published)
    old_time = stored.updated or stored.published
    return not (new_time and old_time and new_time < old_time)


def _store(
    prepared: Prepared,
    source: Source | None,
    raw_page: RawPage | None,
    record: dict,
    memo: dict,
    group_later: bool = False,
) -> ImportRecord:
    clean, url, digest = prepared.clean, prepared.stored_url, prepared.digest
    # A bulk caller may have looked a whole chunk's addresses up at once (see `absent_urls`).
    known_absent = url in memo.get(ABSENT, ())
    if not known_absent and Tombstone.objects.filter(url=url).exists():
        return save_record(**record, outcome=Outcome.SKIPPED, reason="bài đã bị xoá (tombstone)")
    stored = None if known_absent else Article.objects.filter(url=url).order_by().first()
    if stored is not None and stored.content_hash == digest:
        if raw_page is not None and stored.raw_page_id != raw_page.pk:
            stored.raw_page = raw_page
            stored.save(update_fields=["raw_page"])
        return save_record(**record, outcome=Outcome.UNCHANGED, article=stored)
    if stored is not None and not _newer(clean, stored):
        return save_record(
            **record,
            outcome=Outcome.SKIPPED,
            reason="bản cũ hơn bản đã lưu (giữ bản mới nhất)",
            article=stored,
        )
    if source is None:
        domain_key = ("source", prepared.domain or site_domain(url) or LOCAL_DOMAIN)
        if domain_key not in memo:
            memo[domain_key] = source_for(url, clean.site_name)
        source = memo[domain_key] = _outlet_of(memo[domain_key], url)
    names = [*clean.section_path, clean.section] if clean.section_path else [clean.section]
    names = [n for n in reversed(names) if n]
    section = resolve_section(names, url, source, memo)
    fields = prepared.fields or _fields(clean, url, digest)
    if not (stored is None and _defers_new_articles(record, memo)):
        # Saved now (not by insert_new): the blocks as a list again.
        fields = {**fields, "blocks": decode_json(fields["blocks"])}
    now = timezone.now()
    if stored is None:
        stored = Article(
            **fields,
            source=source,
            section=section,
            raw_page=raw_page,
            first_seen=now,
            last_changed=now,
        )
        if prepared.index_keys is not None:
            setattr(stored, INDEX_KEYS, prepared.index_keys)
        memo.get(ABSENT, set()).discard(url)  # the same address may come again in the chunk
        if _defers_new_articles(record, memo):
            # Bulk: inserted with the rest of the chunk by `flush_pending`, record and all.
            memo[PENDING][url] = (stored, _images(stored, clean.blocks))
            return save_record(**record, outcome=Outcome.CREATED, article=stored)
        stored.story_waiting = group_later
        stored.save()
        outcome = Outcome.CREATED
        if any(b.kind == "image" for b in clean.blocks):
            _replace_images(stored, clean.blocks, new=True)
        memo.get(SAVED, {})[stored.pk] = stored
    else:
        for key, value in fields.items():
            setattr(stored, key, value)
        stored.section = section or stored.section
        stored.raw_page = raw_page or stored.raw_page
        stored.change_count += 1
        stored.last_changed = now
        if group_later:
            stored.story_waiting = True
        if prepared.index_keys is not None:
            setattr(stored, INDEX_KEYS, prepared.index_keys)
        stored.save(update_fields=_updated_fields(group_later))
        outcome = Outcome.UPDATED
        log.info(
            "source=%s url=%s event=article_changed count=%d",
            source.domain,
            url,
            stored.change_count,
        )
        _replace_images(stored, clean.blocks)
        memo.get(SAVED, {})[stored.pk] = stored
    return save_record(**record, outcome=outcome, article=stored)


# Columns others write while a store of the same article may run: the story grouper (story,
# story_seq, simhash, duplicate_of, story_waiting) and the reading site (view_count). An update
# leaves them as they are in the database rather than writing back what it read: on PostgreSQL
# (no write lock taken up front) it could otherwise undo an assignment made meanwhile, leaving
# an empty story and lowering the highest assignment number other processes read past.
_LEFT_TO_OTHERS = {"story", "story_seq", "simhash", "duplicate_of", "story_waiting", "view_count"}


@cache
def _fields_of_an_update() -> tuple[str, ...]:
    return tuple(
        field.name
        for field in Article._meta.concrete_fields
        if not field.primary_key and not field.generated and field.name not in _LEFT_TO_OTHERS
    )


def _updated_fields(group_later: bool) -> tuple[str, ...]:
    """What the store writes of an article it changes (`group_later`: it goes in line too)."""
    return (*_fields_of_an_update(), "story_waiting") if group_later else _fields_of_an_update()


def _defers_new_articles(record: dict, memo: dict) -> bool:
    """A bulk chunk (`begin_bulk`) with a new, deferred record: a new article then waits in the
    memo for `flush_pending` instead of being saved on its own."""
    return PENDING in memo and record["fresh"] and record["defer"] is not None


def _waits_for_bulk_insert(prepared: Prepared, record: dict, memo: dict) -> bool:
    """Whether `_store` will keep this article for `flush_pending`: a new article (an address
    known to be absent) in a chunk that defers them."""
    return _defers_new_articles(record, memo) and prepared.stored_url in memo.get(ABSENT, ())


def store_article(
    article: Extracted | None,
    *,
    source: Source | None,
    raw_page: RawPage | None,
    batch: str,
    origin: str,
    item_key: str,
    item_hash: str = "",
    memo: dict | None = None,
    fresh: bool = False,
    defer: list | None = None,
    prepared: Prepared | None = None,
    group_later: bool = False,
) -> ImportRecord:
    """Create, update or leave the Article for `article` and record the outcome. Never raises for
    a bad item: the ImportRecord then says FAILED with the stage and the reason.

    `group_later`: a new or changed article goes in line for the story grouper
    (news/story_grouper.py) in the same transaction (live ingestion).

    `prepared` is `prepare(article)` done ahead (by an import worker); `article` may then be None.

    Bulk callers pass one `memo` dict per run (outlets and section lookups are remembered in it)
    and `fresh=True` when they know the item has no import record yet. With `begin_bulk(memo)`
    and a `defer` list, new articles wait in the memo for one `flush_pending(memo)` per chunk."""
    record = {
        "batch": batch,
        "origin": origin,
        "item_key": item_key,
        "item_hash": item_hash,
        "url": "",
        "fresh": fresh,
        "defer": defer,
    }
    memo = {} if memo is None else memo
    if prepared is None:
        prepared = prepare(article)  # no database work: outside the savepoint
    record["url"] = prepared.url
    if prepared.clean is None:
        return failed_record(**record, stage=prepared.stage, reason=prepared.reason)
    if prepared.stored_url in memo.get(PENDING, ()):
        # The same address twice in one chunk: the first copy is written now, so this one is
        # compared with (and may update) a saved row like any other. A failure here is the
        # chunk's (the bulk caller redoes it item by item), not this item's.
        flush_pending(memo)
    try:
        if _waits_for_bulk_insert(prepared, record, memo):
            # Nothing is written for it now (it waits in the memo): no savepoint. Should the
            # first-sight outlet or section it creates fail, the chunk fails with it and the
            # bulk caller redoes the chunk item by item, with savepoints.
            return _store(prepared, source, raw_page, record, memo)
        # A savepoint per item: a failing item rolls back alone inside the caller's batch.
        with transaction.atomic():
            return _store(prepared, source, raw_page, record, memo, group_later)
    except ItemFailed as exc:
        return failed_record(**record, stage=exc.stage, reason=exc.reason)
    except Exception as exc:  # a database error must not stop the batch either
        log.exception("origin=%s item=%s url=%s stage=store", origin, item_key, record["url"])
        return failed_record(**record, stage="store", reason=f"{type(exc).__name__}: {exc}")


# -- raw pages -------------------------------------------------------------------------------


def archive() -> WarcArchive:
    return WarcArchive(Path(settings.ARCHIVE_DIR), max_bytes=settings.ARCHIVE_MAX_BYTES)


def save_raw_page(
    url: str,
    body: bytes,
    headers: dict | None = None,
    fetched_at: datetime | None = None,
    *,
    archived: ArchivedPage | None = None,
) -> RawPage:
    """Archive `body` to WARC and record where; an identical page already archived is reused.
    `archived`: its digest and WARC record built ahead (by an import worker)."""
    digest = archived.sha256 if archived else hashlib.sha256(body).hexdigest()
    existing = _first_id(RawPage, url=url[:2000], sha256=digest)
    if existing is not None:
        return RawPage.objects.get(pk=existing)
    if archived is not None:
        fetched_at = archived.fetched_at
        if archived.location is None:
            archived.location = archive().append_record(archived.record)
        path, offset = archived.location
    else:
        fetched_at = fetched_at or datetime.now(UTC)
        path, offset = archive().append(url, body, headers, fetched_at)
    content_type = next((v for k, v in (headers or {}).items() if k.lower() == "content-type"), "")
    page = RawPage(
        url=url[:2000],
        fetched_at=_aware(fetched_at),
        warc_path=path,
        warc_offset=offset,
        content_type=content_type[:200],
        sha256=digest,
        size=len(body),
    )
    # The same row and id as RawPage.objects.create (nothing listens to its post_save), in a
    # third of the CPU on SQLite: every page of an import or a live fetch has one.
    insert_new(RawPage, [page])
    return page


@dataclass
class ArchivedPage:
    """What archiving a raw page costs in CPU, done ahead: its SHA-256 and its gzipped WARC
    record (vnnews.archive.response_record) stamped `fetched_at`."""

    sha256: str
    record: bytes
    fetched_at: datetime
    # (WARC file, offset) once appended. A chunk rolled back and written again (item by item
    # after its bulk insert failed, or after a lost connection) points the page's row at that
    # record instead of appending a second copy: the archive is append-only, so it stays valid.
    location: tuple[str, int] | None = None

    @classmethod
    def build(
        cls,
        url: str,
        body: bytes,
        headers: dict | None,
        fetched_at: datetime | None,
        sha256: str = "",
    ) -> ArchivedPage:
        """`sha256`: the body's SHA-256 when the caller has it already (an import item's raw
        hash), else computed here."""
        fetched_at = fetched_at or datetime.now(UTC)
        record = response_record(url, body, headers, fetched_at)
        return cls(
            sha256=sha256 or hashlib.sha256(body).hexdigest(), record=record, fetched_at=fetched_at
        )


def run_extractor(body: bytes, url: str, declared_encoding: str | None = None) -> Extracted:
    """The current extraction engine on raw bytes; ItemFailed('extract', reason) on any failure.
    `declared_encoding`: the charset of the HTTP Content-Type header, if the page came with one."""
    try:
        from vnnews.extract import ExtractOptions, extract
    except ImportError as exc:
        raise ItemFailed("extract", f"chưa có bộ trích xuất: {exc}") from None
    options = ExtractOptions(declared_encoding=declared_encoding) if declared_encoding else None
    try:
        web_url = url if url.startswith(("http://", "https://")) else None
        article = extract(body, url=web_url, options=options)
    except ValueError as exc:  # ExtractionError and its kinds
        raise ItemFailed("extract", f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # an engine bug must not stop a batch
        log.exception("url=%s stage=extract", url)
        raise ItemFailed("extract", f"lỗi bộ trích xuất {type(exc).__name__}: {exc}") from None
    article.url = url
    return article


def ingest_page(
    url: str,
    body: bytes,
    *,
    headers: dict | None = None,
    fetched_at: datetime | None = None,
    source: Source | None = None,
    batch: str,
    origin: str,
    item_key: str | None = None,
    item_hash: str = "",
    memo: dict | None = None,
    fresh: bool = False,
    defer: list | None = None,
    prepared: Prepared | None = None,
    declared_encoding: str | None = None,
    group_later: bool = False,
) -> ImportRecord:
    """Archive, extract and store one fetched or imported page. Never raises for a bad page.
    `declared_encoding`: the charset the HTTP response declared (FetchResult.charset).
    `group_later`: see store_article.
    `prepared`: the page already extracted and prepared (`prepare(run_extractor(body, url))`,
    or a Prepared with stage "extract" saying why not), by an import worker."""
    item_key = item_key or url
    item_hash = item_hash or hashlib.sha256(body).hexdigest()
    common = {
        "batch": batch,
        "origin": origin,
        "item_key": item_key,
        "item_hash": item_hash,
        "url": url,
        "fresh": fresh,
        "defer": defer,
    }
    if not url.startswith("file://"):
        try:
            canonical_url(url)
        except ValueError as exc:
            return failed_record(**common, stage="url", reason=str(exc))
    try:
        with transaction.atomic():
            archived = prepared.archived if prepared is not None else None
            raw_page = save_raw_page(url, body, headers, fetched_at, archived=archived)
    except Exception as exc:
        log.exception("origin=%s url=%s stage=archive", origin, url)
        return failed_record(**common, stage="archive", reason=f"{type(exc).__name__}: {exc}")
    article = None
    if prepared is None:
        try:
            article = run_extractor(body, url, declared_encoding)
        except ItemFailed as exc:
            return failed_record(**common, stage=exc.stage, reason=exc.reason)
    elif prepared.stage == "extract":
        return failed_record(**common, stage=prepared.stage, reason=prepared.reason)
    return store_article(
        article,
        source=source,
        raw_page=raw_page,
        batch=batch,
        origin=origin,
        item_key=item_key,
        item_hash=item_hash,
        memo=memo,
        fresh=fresh,
        defer=defer,
        prepared=prepared,
        group_later=group_later,
    )
