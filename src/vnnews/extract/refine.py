"""After the walk: attach captions to their images, drop inline related links, file-name lines
and the site blocks that trail the article ("Có thể bạn quan tâm", "Tin khác", ...)."""

from __future__ import annotations

from vnnews.extract import boilerplate, byline
from vnnews.extract.article import Block, Removed
from vnnews.extract.blocks import Para, looks_like_filename


def clean(
    items: list[Block], facts: list[Para], title: str, removed: list[Removed]
) -> tuple[list[Block], list[Para]]:
    out: list[Block] = []
    out_facts: list[Para] = []
    title_key = title.strip().lower()
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
            prev = out[-1] if out else None
            if prev is not None and prev.kind == "image" and not prev.caption:
                if fact.caption_like or (fact.emphasis and len(text) < 300):
                    prev.caption = text
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
        if block.kind in ("paragraph", "heading") and len(text) <= 60:
            if title_key and text.strip().lower() == title_key:
                i += 1
                continue
            if boilerplate.is_trailing_marker(text):
                rest = sum(len(b.text) + sum(map(len, b.items)) for b in items[i + 1 :])
                done = sum(len(b.text) + sum(map(len, b.items)) for b in out)
                if rest < done:
                    dropped = " | ".join(b.text or " ".join(b.items) for b in items[i:])
                    removed.append(Removed("related", dropped[:200], f"site block '{text}'"))
                    break
                # A box in the middle: drop its heading and the links right after it.
                removed.append(Removed("related", text, "related box heading"))
                i += 1
                while i < n and (
                    items[i].kind == "list" or facts[i].links > len(items[i].text) * 0.5
                ):
                    i += 1
                continue
        out.append(block)
        out_facts.append(fact)
        i += 1
    return out, out_facts


def trailing_byline(
    items: list[Block], facts: list[Para], removed: list[Removed]
) -> tuple[str, list[Block], list[Para]]:
    """A byline among the last few paragraphs, returned and taken out of the body."""
    for back in range(1, min(4, len(items)) + 1):
        i = len(items) - back
        block, fact = items[i], facts[i]
        if block.kind == "image":
            continue
        if block.kind != "paragraph":
            break
        hint = fact.right or fact.emphasis or "author" in fact.cls.lower()
        if byline.looks_like_byline(block.text, hint):
            removed.append(Removed("byline", block.text, "byline at the end of the body"))
            return block.text, items[:i] + items[i + 1 :], facts[:i] + facts[i + 1 :]
        if len(block.text) > 120:
            break
    return "", items, facts
