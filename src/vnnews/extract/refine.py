"""After the walk: attach captions to their images, drop inline related links, file-name lines
and the site blocks that trail the article ("Có thể bạn quan tâm", "Tin khác", ...)."""

from __future__ import annotations

import re

from vnnews.extract import boilerplate, byline
from vnnews.extract.article import Block, Removed
from vnnews.extract.blocks import Para
from vnnews.extract.captions import looks_like_filename, split_credit

_DATELINE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")


def is_dateline(text: str) -> bool:
    """A short line at the top of the body that only prints the date ("Thứ năm, 20/12/2012")."""
    if len(text) > 60 or not _DATELINE.search(text):
        return False
    letters = sum(ch.isalpha() for ch in _DATELINE.sub("", text))
    return letters < 25


def clean(
    items: list[Block], facts: list[Para], title: str, removed: list[Removed]
) -> tuple[list[Block], list[Para]]:
    out: list[Block] = []
    out_facts: list[Para] = []
    title_key = title.strip().lower()
    seen: set[str] = set()
    n = len(items)
    i = 0
    while i < n:
        block, fact = items[i], facts[i]
        text = block.text
        if block.kind == "paragraph":
            if looks_like_filename(text):
                removed.append(Removed("filename", text, "image file name"))
                i += 1
                continue
            if not out and is_dateline(text):
                removed.append(Removed("other", text, "dateline"))
                i += 1
                continue
            prev = out[-1] if out else None
            if prev is not None and prev.kind == "image" and not prev.caption:
                if fact.caption_like or ((fact.emphasis or fact.center) and len(text) < 300):
                    prev.caption, prev.credit = split_credit(text)
                    removed.append(Removed("caption", text[:200], "text under an image"))
                    i += 1
                    continue
            elif (
                fact.caption_like and len(text) < 300 and prev is not None and prev.kind == "image"
            ):
                removed.append(Removed("caption", text[:200], "second caption line"))
                i += 1
                continue
            if fact.links and fact.links >= len(text) * 0.6 and len(text) < 200:
                removed.append(Removed("related", text[:200], "link paragraph"))
                i += 1
                continue
            if fact.links and boilerplate.is_inline_related(text):
                removed.append(Removed("related", text[:200], "inline related link"))
                i += 1
                continue
        if (
            block.kind in ("paragraph", "heading")
            and title_key
            and len(out) < 3
            and text.strip().lower() == title_key
        ):
            i += 1  # the headline printed again at the top of the body
            continue
        if block.kind in ("paragraph", "heading") and boilerplate.is_trailing_marker(text):
            # Skip the box: its heading, then the links and teaser lines under it.
            j = i + 1
            while j < n and _teaser(items[j], facts[j]):
                j += 1
            prose_after = any(_prose(items[k], facts[k]) for k in range(j, min(n, j + 6)))
            rest = sum(len(b.text) + sum(map(len, b.items)) for b in items[i + 1 :])
            done = sum(len(b.text) + sum(map(len, b.items)) for b in out)
            hard = boilerplate.is_site_block(text)
            if (hard and rest < done) or not prose_after:
                dropped = " | ".join(b.text or " ".join(b.items) for b in items[i:])
                removed.append(Removed("related", dropped[:200], f"site block '{text}'"))
                break
            # A box in the middle of the article ("Lesen Sie auch", "Xem thêm"): the
            # article goes on after it.
            removed.append(Removed("related", text, "related box heading"))
            i = j
            continue
        if block.kind == "paragraph" and len(text) >= 20:
            if text in seen:
                # Printed twice (a caption under two renditions, a repeated call to action).
                removed.append(Removed("other", text[:200], "repeated paragraph"))
                i += 1
                continue
            seen.add(text)
        out.append(block)
        out_facts.append(fact)
        i += 1
    return out, out_facts


def _teaser(block: Block, fact: Para) -> bool:
    """A line inside a related box: a list, a link, or a short line."""
    if block.kind in ("list", "image"):
        return True
    size = len(block.text)
    return fact.links > size * 0.5 or size < 120


def _prose(block: Block, fact: Para) -> bool:
    return (
        block.kind == "paragraph" and len(block.text) >= 150 and fact.links < len(block.text) * 0.3
    )


def trailing_byline(
    items: list[Block], facts: list[Para], removed: list[Removed]
) -> tuple[str, list[Block], list[Para]]:
    """The byline among the last few paragraphs ("Nhóm PV" then "Theo Infonet" may be two
    lines), returned and taken out of the body."""
    found: list[int] = []
    for back in range(1, min(5, len(items)) + 1):
        i = len(items) - back
        block, fact = items[i], facts[i]
        if block.kind == "image":
            continue
        if block.kind != "paragraph":
            break
        cls = fact.cls.lower()
        hint = fact.right or fact.emphasis or "author" in cls or "source" in cls
        if byline.looks_like_byline(block.text, hint):
            found.append(i)
            if len(found) == 2:
                break
            continue
        if found or len(block.text) > 120:
            break
    if not found:
        return "", items, facts
    found.sort()
    printed = " - ".join(items[i].text for i in found)
    removed.append(Removed("byline", printed, "byline at the end of the body"))
    keep = [k for k in range(len(items)) if k not in found]
    return printed, [items[k] for k in keep], [facts[k] for k in keep]
