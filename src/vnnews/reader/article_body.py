"""Stored blocks -> what the article template renders.

Blocks hold plain text (the extraction contract), and the template autoescapes every field, so no
outlet markup ever reaches the page. Addresses are kept only when they are http(s): a stored
"javascript:" or "data:" URL is dropped rather than rendered.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vnnews.text import normalize

KINDS = {"paragraph", "heading", "quote", "list", "table", "image", "video", "embed"}


def safe_url(value: Any) -> str:
    url = str(value or "").strip()
    if url.startswith("//"):
        url = "https:" + url
    return url if url.lower().startswith(("https://", "http://")) else ""


def _text(value: Any) -> str:
    return normalize(str(value or "")).strip()


def prepare_block(raw: dict[str, Any]) -> dict[str, Any] | None:
    kind = raw.get("kind")
    if kind not in KINDS:
        return None
    block: dict[str, Any] = {"kind": kind}
    if kind in {"paragraph", "quote"}:
        block["text"] = _text(raw.get("text"))
        return block if block["text"] else None
    if kind == "heading":
        block["text"] = _text(raw.get("text"))
        # h1 is the article title; outlets' deeper levels collapse to h3/h4 for a calm outline.
        block["level"] = min(max(int(raw.get("level") or 2), 2), 4)
        return block if block["text"] else None
    if kind == "list":
        block["items"] = [t for t in (_text(i) for i in raw.get("items") or []) if t]
        block["ordered"] = bool(raw.get("ordered"))
        return block if block["items"] else None
    if kind == "table":
        block["rows"] = [[_text(c) for c in row] for row in raw.get("rows") or [] if row]
        return block if block["rows"] else None
    block["src"] = safe_url(raw.get("src"))
    block["caption"] = _text(raw.get("caption"))
    if kind == "image":
        block["alt"] = _text(raw.get("alt")) or block["caption"]
        block["credit"] = _text(raw.get("credit"))
        return block if block["src"] or block["caption"] else None
    return block if block["src"] else None


def prepare_blocks(article) -> list[dict[str, Any]]:
    blocks = [b for b in (prepare_block(raw) for raw in article.blocks or []) if b]
    if not blocks and article.text:
        blocks = [{"kind": "paragraph", "text": p.strip()} for p in article.text.split("\n") if p]
    return blocks


def byline(article) -> str:
    return article.byline or ", ".join(article.authors or [])


def _figure(b: dict[str, Any]) -> str:
    img = (
        f'<img src="{escape(b["src"])}" alt="{escape(b.get("alt", ""))}" loading="lazy" '
        'decoding="async" referrerpolicy="no-referrer">'
        if b["src"]
        else ""
    )
    caption = ""
    if b.get("caption") or b.get("credit"):
        credit = f' <span class="credit">{escape(b["credit"])}</span>' if b.get("credit") else ""
        caption = f"<figcaption>{escape(b.get('caption', ''))}{credit}</figcaption>"
    return f"<figure>{img}{caption}</figure>"


def _media_link(b: dict[str, Any], label: str) -> str:
    caption = f": {escape(b['caption'])}" if b.get("caption") else ""
    return (
        f'<p class="media-link"><a href="{escape(b["src"])}" rel="noopener nofollow">'
        f"{label}{caption}</a></p>"
    )


def _block_html(b: dict[str, Any]) -> str:
    kind = b["kind"]
    if kind == "paragraph":
        return f"<p>{escape(b['text'])}</p>"
    if kind == "heading":
        level = b["level"] if b["level"] in (2, 3) else 4
        return f"<h{level}>{escape(b['text'])}</h{level}>"
    if kind == "quote":
        return f"<blockquote><p>{escape(b['text'])}</p></blockquote>"
    if kind == "list":
        tag = "ol" if b["ordered"] else "ul"
        items = "".join(f"<li>{escape(i)}</li>" for i in b["items"])
        return f"<{tag}>{items}</{tag}>"
    if kind == "table":
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in b["rows"]
        )
        return (
            '<div class="table-wrap" tabindex="0" role="region" aria-label="Bảng">'
            f"<table>{rows}</table></div>"
        )
    if kind == "image":
        return _figure(b)
    if kind == "video":
        return _media_link(b, "▶ Xem video")
    if kind == "embed":
        return _media_link(b, "Xem nội dung nhúng")
    return ""


def body_html(blocks: list[dict[str, Any]]) -> SafeString:
    """The article body's HTML from prepared blocks. Built here rather than by a template loop
    (the longest part of rendering an article page); every text and address goes through
    escape(), as the template's autoescaping did."""
    return mark_safe("\n  ".join(_block_html(b) for b in blocks))
