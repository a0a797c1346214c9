"""extract(): HTML page -> Article. One orchestrator over small stages:

dom (guards, decode, parse) -> metadata (JSON-LD, meta, dates) -> strip chrome
-> content (find the body element) -> blocks (walk it) -> refine (captions, related links,
trailing site blocks) -> sapo and byline -> Article
"""

from __future__ import annotations

import logging

from vnnews.extract import blocks as blocks_mod
from vnnews.extract import boilerplate, byline, content, dom, metadata, refine, sapo, site_hints
from vnnews.extract.article import Article, Block, Removed
from vnnews.extract.errors import EmptyPageError, NoArticleError, NotHTMLError
from vnnews.extract.options import ExtractOptions

log = logging.getLogger(__name__)
_DEFAULT = ExtractOptions()
_PARAGRAPH_KINDS = ("paragraph", "heading", "quote", "list", "table")


def extract(
    page: bytes | str, url: str | None = None, options: ExtractOptions | None = None
) -> Article:
    """Extract the article from one HTML page. Raises an ExtractionError subclass on bad input."""
    opts = options or _DEFAULT
    text = dom.to_text(page, opts.max_bytes, opts.declared_encoding)
    tree = dom.parse(text)
    body = tree.body
    if body is None:
        raise NotHTMLError("page has no <body> after parsing")
    hints = site_hints.for_url(url, opts.site_hints)
    removed: list[Removed] = []
    base = url or ""

    meta = metadata.read(tree, url, opts.default_tz)
    is_vi = meta.language == "vi" or (not meta.language and sapo.is_vietnamese(meta.title))
    # Marked-up bylines are read before boilerplate stripping removes author boxes; pages whose
    # metadata names the authors (and are not Vietnamese, where print wins) skip the search.
    dom_byline = byline.from_dom(tree) if (is_vi or not meta.authors) else ""
    tree.strip_tags(boilerplate.JUNK_TAGS.split(", "))
    if hints.get("remove"):
        for node in body.css(hints["remove"]):
            text = node.text(strip=True)
            if text:
                removed.append(Removed("related", text[:200], "site hint"))
            node.remove()

    # The sapo is found before chrome stripping: its class names ("description", "summary")
    # sometimes look like boilerplate.
    sapo_node = None
    if hints.get("sapo"):
        sapo_node = tree.css_first(hints["sapo"])
    if sapo_node is None and is_vi:
        sapo_node = sapo.find_node(tree) or sapo.near_headline(meta.h1)
    elif sapo_node is None:
        # Other languages: only a standfirst named as such, right under the headline.
        sapo_node = sapo.near_headline(meta.h1, strict=True)
    if sapo_node is not None:
        sapo.clean_node(sapo_node)
    sapo_text = metadata.clean(sapo_node.text(separator=" ")) if sapo_node is not None else ""
    if sapo_node is not None:
        sapo_node.remove()

    content.strip_chrome(tree, body, removed, len(text))
    root, weights = content.find_body(tree, body, hints.get("body"))
    if not root.text(strip=True):
        raise EmptyPageError("page holds no visible text")

    skip = set()
    if meta.h1 is not None:
        skip.add(meta.h1.mem_id)
    walker = blocks_mod.Walk(
        url=base,
        max_depth=opts.max_depth,
        skip_ids=skip,
        protect=weights,
        protect_min=weights.get(root.mem_id, 0.0) * 0.3 or 1.0,
        include_tables=opts.include_tables,
        include_images=opts.include_images,
    )
    walker.walk(root)
    walker.flush()
    removed.extend(walker.removed)
    items, facts = refine.clean(walker.blocks, walker.facts, meta.title, removed)
    if sapo_text:
        # Some templates print the sapo twice (a header copy and one atop the body).
        keep = [i for i, b in enumerate(items) if b.text != sapo_text]
        items, facts = [items[i] for i in keep], [facts[i] for i in keep]

    # Sapo from the first paragraph when the page did not mark one up.
    if not sapo_text and items:
        for i, block in enumerate(items[:3]):
            if block.kind != "paragraph":
                continue
            if sapo.opens_like_sapo(block.text, meta.description, is_vi) or (
                i == 0 and facts[i].emphasis and len(block.text) > 80
            ):
                sapo_text = block.text
                del items[i], facts[i]
            break

    printed = ""
    if is_vi or dom_byline == "":
        printed, items, facts = refine.trailing_byline(items, facts, removed)
    printed = printed or dom_byline
    # Vietnamese outlets fill meta author with desk or CMS names ("SEO, Traffic Team",
    # "Công nghệ ChannelVN"); the printed byline is the reliable one there.
    printed_names = byline.names(printed) if printed else []
    authors = printed_names if (is_vi and printed_names) else meta.authors or printed_names

    body_text = "\n\n".join(_block_text(b) for b in items if b.kind in _PARAGRAPH_KINDS)
    if not body_text and not sapo_text:
        raise NoArticleError(f"no article body found in {url or 'page'}")
    lead = meta.lead_image or next((b.src for b in items if b.kind == "image"), "")
    return Article(
        title=meta.title,
        sapo=sapo_text,
        blocks=items,
        text=body_text,
        authors=authors,
        byline=printed,
        published=meta.published,
        updated=meta.updated,
        section=meta.section_path[-1] if meta.section_path else "",
        section_path=meta.section_path,
        tags=meta.tags,
        url=base,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        language=meta.language or ("vi" if is_vi else ""),
        lead_image=lead,
        removed=removed,
    )


def _block_text(block: Block) -> str:
    if block.kind == "list":
        return "\n".join(block.items)
    if block.kind == "table":
        return "\n".join(" | ".join(c for c in row if c) for row in block.rows)
    return block.text
