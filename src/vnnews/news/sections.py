"""Our unified Vietnamese section list, and the mapping of outlets' own categories onto it.

The list and the built-in aliases are data (data/sections.json). Aliases added in the admin
(SectionAlias rows, optionally per outlet) win over the built-in ones. Names are compared after
`fold` with "-" and "_" read as spaces, so "Xã hội", "xa-hoi" and "XA_HOI" are one key.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from vnnews.news.models import Section, SectionAlias, Source
from vnnews.text import fold

DATA = Path(__file__).parent / "data"
_SEPARATORS = re.compile(r"[-_/.,:;|>»›]+")


# An import asks for the keys of the same few category names and path segments on every item
# (~20 µs each, more than the rest of finding the section): remembered, within a bound.
@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """The comparison key for a section name or URL path segment."""
    return " ".join(_SEPARATORS.sub(" ", fold(name or "")).split())


@cache
def definitions() -> list[dict]:
    return json.loads((DATA / "sections.json").read_text(encoding="utf-8"))["sections"]


@cache
def builtin_aliases() -> dict[str, str]:
    """folded alias -> section slug (the slug and the name themselves are aliases too)."""
    table: dict[str, str] = {}
    for item in definitions():
        for alias in [item["slug"], item["name"], *item["aliases"]]:
            table.setdefault(name_key(alias), item["slug"])
    return table


def load_sections() -> int:
    """Create or update the Section rows from the data file; returns how many were created."""
    created = 0
    for position, item in enumerate(definitions(), start=1):
        _, was_created = Section.objects.update_or_create(
            slug=item["slug"], defaults={"name": item["name"], "position": position * 10}
        )
        created += was_created
    return created


def _candidates(names: list[str], url: str) -> list[str]:
    keys = [name_key(n) for n in names if n]
    # The first path segment of most Vietnamese news URLs is the section ("/kinh-doanh/...").
    path = urlsplit(url).path if url.startswith(("http://", "https://")) else ""
    segments = [s for s in path.split("/") if s]
    if len(segments) > 1:
        keys.append(name_key(segments[0]))
    return [k for k in keys if k]


def _word_runs(key: str) -> list[str]:
    words = key.split(" ")
    return [
        " ".join(words[start : start + size])
        for size in range(len(words), 0, -1)
        for start in range(len(words) - size + 1)
    ]


def resolve_section(
    names: list[str], url: str = "", source: Source | None = None, memo: dict | None = None
) -> Section | None:
    """Our Section for an article whose outlet calls its category one of `names` (each is tried
    in order, then the URL's first path segment), or None. An alias set for this outlet wins over
    one for all outlets, which wins over the built-in list. Bulk callers pass a `memo` dict kept
    for one run (sections and whether any custom alias exists are looked up once)."""
    memo = {} if memo is None else memo
    keys = _candidates(names, url)
    if not keys:
        return None
    if "sections:any_alias" not in memo:
        memo["sections:any_alias"] = SectionAlias.objects.exists()
    custom: dict[str, SectionAlias] = {}
    if memo["sections:any_alias"]:
        for alias in SectionAlias.objects.filter(name_key__in=keys).select_related("section"):
            if alias.source_id is None:
                custom.setdefault(alias.name_key, alias)
            elif source is not None and alias.source_id == source.pk:
                custom[alias.name_key] = alias
    builtin = builtin_aliases()
    for key in keys:
        if key in custom:
            return custom[key].section
        # "Kinh doanh - Tài chính" -> try its word runs too, longest first.
        for part in _word_runs(key):
            slug = builtin.get(part)
            if slug:
                return _section(slug, memo)
    return None


def _section(slug: str, memo: dict) -> Section | None:
    if ("section", slug) not in memo:
        section = Section.objects.filter(slug=slug).first()
        if section is None:
            load_sections()
            section = Section.objects.filter(slug=slug).first()
        memo[("section", slug)] = section
    return memo[("section", slug)]
