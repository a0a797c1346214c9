"""Stored blocks -> what the article template renders.

Blocks hold plain text (the extraction contract), and the template autoescapes every field, so no
outlet markup ever reaches the page. Addresses are kept only when they are http(s): a stored
"javascript:" or "data:" URL is dropped rather than rendered.
"""

from __future__ import annotations

from typing import Any

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
