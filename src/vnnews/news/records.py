"""Import records: one row per item of an import or a live fetch, saying what became of it.

Written only through `news.store` (which re-exports `failed_record` and `recorded_items`); the
bulk helpers here let `vnnews import` skip work for items and addresses it has already seen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.utils import timezone

from vnnews.news.models import Article, ImportRecord, Tombstone
from vnnews.stories.identity import canonical_url

log = logging.getLogger("vnnews.store")
Outcome = ImportRecord.Outcome
ABSENT = "store:absent_urls"  # memo key: canonical URLs known to have no article nor tombstone


def recorded_items(origin: str, keys: list[str]) -> dict[str, tuple[str, str]]:
    """item_key -> (item_hash, outcome) of the items of `origin` already recorded: an import
    skips those stored with an unchanged raw hash without parsing them again."""
    rows = ImportRecord.objects.filter(
        origin=origin[:1000], item_key__in=[k[:2000] for k in keys]
    ).values_list("item_key", "item_hash", "outcome")
    return {key: (item_hash, outcome) for key, item_hash, outcome in rows}


def recorded_pairs(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """recorded_items for a chunk that spans files: (origin, item_key) -> (item_hash, outcome),
    in one query (keys and origins cut to their column sizes, as stored)."""
    wanted = {(origin[:1000], key[:2000]) for origin, key in pairs}
    if not wanted:
        return {}
    rows = ImportRecord.objects.filter(
        origin__in={origin for origin, _ in wanted}, item_key__in={key for _, key in wanted}
    ).values_list("origin", "item_key", "item_hash", "outcome")
    return {
        (origin, key): (item_hash, outcome)
        for origin, key, item_hash, outcome in rows
        if (origin, key) in wanted
    }


def absent_urls(urls: list[str], canonical: Iterable[str] = ()) -> set[str]:
    """The canonical forms of `urls`, and those of `canonical` (already canonical: the stored
    addresses an import's workers computed), that have neither an article nor a tombstone: two
    queries for a whole chunk instead of two per item."""
    wanted = set(canonical)
    for url in urls:
        try:
            wanted.add(canonical_url(url))
        except ValueError:
            continue
    taken = set(Article.objects.filter(url__in=wanted).values_list("url", flat=True))
    taken |= set(Tombstone.objects.filter(url__in=wanted).values_list("url", flat=True))
    return wanted - taken


def save_record(
    *,
    batch: str,
    origin: str,
    item_key: str,
    item_hash: str,
    url: str,
    outcome: str,
    stage: str = "",
    reason: str = "",
    article: Article | None = None,
    fresh: bool = False,
    defer: list | None = None,
) -> ImportRecord:
    """One record per (origin, item): a re-import or re-fetch updates it with the latest outcome.
    `fresh` says the caller knows there is no record yet (saves a query in bulk imports); with
    `defer` too, the new record is appended there unsaved for the caller to bulk-insert."""
    values = {
        "batch": batch[:100],
        "item_hash": item_hash[:64],
        "url": url[:2000],
        "outcome": outcome,
        "stage": stage[:40],
        "reason": reason,
        "article": article,
        "created_at": timezone.now(),
    }
    if fresh and defer is not None:
        # The caller saves these in one bulk insert at the end of its transaction.
        record = ImportRecord(origin=origin[:1000], item_key=item_key[:2000], **values)
        defer.append(record)
        return record
    record = None
    if not fresh:
        record = ImportRecord.objects.filter(origin=origin[:1000], item_key=item_key[:2000]).first()
    if record is None:
        return ImportRecord.objects.create(origin=origin[:1000], item_key=item_key[:2000], **values)
    for key, value in values.items():
        setattr(record, key, value)
    record.save()
    return record


def failed_record(
    *,
    batch: str,
    origin: str,
    item_key: str,
    stage: str,
    reason: str,
    url: str = "",
    item_hash: str = "",
    fresh: bool = False,
    defer: list | None = None,
) -> ImportRecord:
    log.warning("origin=%s item=%s url=%s stage=%s reason=%s", origin, item_key, url, stage, reason)
    return save_record(
        batch=batch,
        origin=origin,
        item_key=item_key,
        item_hash=item_hash,
        url=url,
        outcome=Outcome.FAILED,
        stage=stage,
        reason=reason,
        fresh=fresh,
        defer=defer,
    )
