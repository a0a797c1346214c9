"""Walk the body element and emit Blocks in reading order.

Block-level elements close the current paragraph; inline elements and text nodes add to it.
Each emitted paragraph carries a few facts (link share, caption-like class, emphasis, alignment)
that the later stages — captions, related links, byline — read instead of re-visiting the DOM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from vnnews.extract import boilerplate
from vnnews.extract.article import Block, Removed
from vnnews.extract.captions import split_credit
from vnnews.extract.textnorm import normalize_fast

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u2028\u2029]+")
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figure",
        "footer",
        "form",
        "header",
        "hgroup",
        "hr",
        "main",
        "nav",
        "ol",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "body",
        "html",
        "figcaption",
        "caption",
    ]
)
_LAYOUT_CELL = ", ".join(
    f"{c} {t}" for c in ("td", "th") for t in ("table", "p", "div", "ul", "h2", "h3")
)
_EMPHASIS = frozenset({"em", "i", "strong", "b"})
# Inline tags that never carry a caption or boilerplate class worth reading.
_PLAIN_INLINE = frozenset(
    [
        "u",
        "small",
        "sup",
        "sub",
        "code",
        "mark",
        "abbr",
        "time",
        "cite",
        "q",
        "s",
        "del",
        "ins",
        "kbd",
        "var",
    ]
)
# Not read for boilerplate classes in the walk (see boilerplate.INLINE_MARKUP).
_INLINE = boilerplate.INLINE_MARKUP | {"u", "font"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "object",
        "map",
        "head",
        "title",
        "meta",
        "link",
        "form-control",
        "-comment",
        "_comment",
        "dialog",
    ]
)
_CAPTION_CLASS = re.compile(
    r"caption|chu[-_]?thich|photo[-_]?desc|image[-_]?desc|img[-_]?desc|pic[-_]?desc|legend"
    r"|(^|\s)(image|photo|desc|note|credit|expNoEdit|Image|PhotoCMS_Caption)($|\s)",
    re.I,
)
_IMG_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-srcset", "src", "srcset")
_ICON = re.compile(r"/icons?/|spacer|pixel\.|blank\.gif|/emoji/|\bico_|logo", re.I)


@dataclass
class Para:
    """Facts about one emitted block that later stages use."""

    links: int = 0  # characters inside <a>
    caption_like: bool = False
    emphasis: bool = False  # whole text inside <em>/<i>/<strong>/<b>
    right: bool = False  # right-aligned (Vietnamese bylines)
    center: bool = False  # centred (captions under pictures on older Vietnamese sites)
    cls: str = ""


@dataclass
class Walk:
    url: str
    max_depth: int
    skip_ids: set[int] = field(default_factory=set)
    protect: dict[int, float] = field(default_factory=dict)
    protect_min: float = 0.0
    include_tables: bool = True
    include_images: bool = True
    blocks: list[Block] = field(default_factory=list)
    facts: list[Para] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    _buf: list[str] = field(default_factory=list)
    _links: int = 0
    _in_link: int = 0
    _emph_chars: int = 0
    _in_emph: int = 0
    _ctx: list[str] = field(default_factory=list)

    # -- paragraphs ---------------------------------------------------------------------------
    def flush(self, cls: str = "", right: bool = False, center: bool = False) -> None:
        if not self._buf:
            return
        raw = "".join(self._buf)
        self._buf = []
        links, emph = self._links, self._emph_chars
        self._links = self._emph_chars = 0
        for line in raw.split("\n"):
            text = " ".join(line.split())
            if not text:
                continue
            if not text.isascii():
                text = _norm(text)
            n = len(text)
            self.blocks.append(Block("paragraph", text=text))
            ctx = cls or (self._ctx[-1] if self._ctx else "")
            self.facts.append(
                Para(
                    links=min(links, n),
                    caption_like=bool(ctx and _CAPTION_CLASS.search(ctx)),
                    emphasis=emph >= n * 0.9,
                    right=right,
                    center=center,
                    cls=ctx,
                )
            )
            links = max(0, links - n)
            emph = max(0, emph - n)

    def add(self, block: Block, facts: Para | None = None) -> None:
        self.flush()
        self.blocks.append(block)
        self.facts.append(facts or Para())

    # -- elements -----------------------------------------------------------------------------
    def walk(self, node: LexborNode, depth: int = 0) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                value = child.text_content
                if value:
                    self._buf.append(value)
                    if self._in_link:
                        self._links += len(value.strip())
                    if self._in_emph:
                        self._emph_chars += len(value.strip())
                continue
            if tag in _SKIP or tag is None or tag.startswith("_") or tag.startswith("-"):
                continue
            if depth >= self.max_depth:
                self._buf.append(" " + child.text(separator=" ") + " ")
                continue
            self.element(child, tag, depth + 1)

    def element(self, node: LexborNode, tag: str, depth: int) -> None:
        # Inline markup first, without reading attributes: most elements in a body are these.
        if tag == "br":
            self._buf.append("\n")
            return
        if tag == "a":
            self._in_link += 1
            self.walk(node, depth)
            self._in_link -= 1
            return
        if tag in _EMPHASIS:
            self._in_emph += 1
            self.walk(node, depth)
            self._in_emph -= 1
            return
        if tag in _PLAIN_INLINE:
            self.walk(node, depth)
            return
        key = node.mem_id
        if key in self.skip_ids:
            return
        attrs = node.attributes
        cid = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()
        if cid and tag not in _INLINE:
            kind = boilerplate.classify(cid)
            if kind and self.drop(node, kind, key):
                text = node.text(strip=True)
                if text:
                    self.removed.append(Removed(kind, text[:200], f"class/id '{cid[:60]}'"))
                return
        if tag == "img":
            if self.include_images:
                self.image(node, attrs)
            return
        if tag in _HEADINGS:
            self.flush()
            text = _clean(node.text(separator=" "))
            if text:
                self.add(Block("heading", text=text, level=max(2, _HEADINGS[tag])), Para(cls=cid))
            for img in node.css("img"):
                self.image(img, img.attributes)
            return
        if tag == "p" or tag == "pre":
            self.paragraph(node, attrs, cid, depth)
            return
        if tag in ("ul", "ol"):
            self.flush()
            self.listing(node, tag, cid)
            return
        if tag == "table":
            self.flush()
            self.table(node, cid, depth)
            return
        if tag == "figure":
            self.flush()
            self.figure(node, cid, depth)
            return
        if tag == "blockquote":
            self.flush()
            self.quote(node, cid)
            return
        if tag in ("iframe", "video", "audio", "embed"):
            self.flush()
            src = attrs.get("src") or attrs.get("data-src") or ""
            if not src:
                source = node.css_first("source")
                src = source.attributes.get("src") or "" if source else ""
            if src and not src.startswith(("about:", "javascript:")):
                kind = "video" if tag == "video" or "youtu" in src or "vimeo" in src else "embed"
                self.add(Block(kind, src=urljoin(self.url, src.strip())))
            return
        if tag in _BLOCK_TAGS:
            self.paragraph(node, attrs, cid, depth)
            return
        # Inline or unknown element (span, font, u, ...): its text joins the current paragraph.
        self._ctx.append(cid) if cid else None
        self.walk(node, depth)
        self._ctx.pop() if cid else None

    def paragraph(self, node: LexborNode, attrs: dict, cid: str, depth: int) -> None:
        """A block element: its text becomes paragraphs of their own, aligned as the page says."""
        self.flush()
        align = _align(attrs)
        self._ctx.append(cid)
        self.walk(node, depth)
        self._ctx.pop()
        self.flush(cls=cid, right=align == "right", center=align == "center")

    def drop(self, node: LexborNode, kind: str, key: int) -> bool:
        """Whether a boilerplate-named element inside the body really is boilerplate."""
        weight = self.protect.get(key, 0.0)
        if weight >= self.protect_min:
            return False
        if kind not in boilerplate.WEAK:
            return True
        # Weak names ("widget", "header") inside the body: drop only when they hold no prose.
        return weight < 0.3 * len(node.text(strip=True))

    def image(self, node: LexborNode, attrs: dict) -> None:
        src = ""
        for name in _IMG_SRC_ATTRS:
            value = attrs.get(name)
            if value and not value.startswith("data:"):
                src = value.split(",")[0].strip().split(" ")[0] if "srcset" in name else value
                break
        if not src or _ICON.search(src):
            return
        for dim in ("width", "height"):
            value = (attrs.get(dim) or "").strip().rstrip("px")
            if value.isdigit() and int(value) < 60:
                return  # icons, spacers and tracking pixels
        self.add(
            Block(
                "image",
                src=urljoin(self.url, src.strip()),
                alt=_clean(attrs.get("alt") or ""),
                caption="",
            )
        )

    def listing(self, node: LexborNode, tag: str, cid: str) -> None:
        items = []
        links = 0
        total = 0
        for li in _list_items(node):
            text = _clean(li.text(separator=" "))
            if not text:
                continue
            items.append(text)
            total += len(text)
            for a in li.css("a"):
                links += len(a.text(strip=True))
            for img in li.css("img"):
                self.image(img, img.attributes)
        if not items:
            return
        if links > total * 0.6:
            self.removed.append(Removed("related", " | ".join(items)[:200], "list of links"))
            return
        self.add(Block("list", items=items, ordered=tag == "ol"), Para(links=links, cls=cid))

    def table(self, node: LexborNode, cid: str, depth: int) -> None:
        if node.css_first("img") is not None and node.css_first(_LAYOUT_CELL) is None:
            cells = [c for c in node.css("td, th")]
            if all(c.css_first("img") is not None or len(c.text(strip=True)) < 300 for c in cells):
                self.image_table(cells)
                return
        # (Lexbor's css_first also matches the node itself, so look inside the cells.)
        if not self.include_tables or node.css_first(_LAYOUT_CELL) is not None:
            # A layout table: walk its cells like any container.
            self._ctx.append(cid)
            self.walk(node, depth)
            self._ctx.pop()
            self.flush(cls=cid)
            return
        rows = []
        for tr in node.css("tr"):
            cells = [_clean(c.text(separator=" ")) for c in tr.iter() if c.tag in ("td", "th")]
            if any(cells):
                rows.append(cells)
        if rows:
            self.add(Block("table", rows=rows), Para(cls=cid))

    def image_table(self, cells: list[LexborNode]) -> None:
        """Pictures laid out in a table, each with a caption cell under it (VnExpress
        "tplCaption", Zing "pCaption", many older Vietnamese templates)."""
        self.flush()
        last: Block | None = None
        for cell in cells:
            imgs = cell.css("img")
            if imgs:
                for img in imgs:
                    before = len(self.blocks)
                    self.image(img, img.attributes)
                    if len(self.blocks) > before:
                        last = self.blocks[-1]
                continue
            text = _clean(cell.text(separator=" "))
            if not text:
                continue
            if last is not None:
                caption, credit = split_credit(text)
                last.caption = f"{last.caption} {caption}".strip()
                last.credit = last.credit or credit
                self.removed.append(Removed("caption", text[:200], "image table caption"))
            else:
                self.add(Block("paragraph", text=text), Para(caption_like=True))

    def figure(self, node: LexborNode, cid: str, depth: int) -> None:
        caption_node = node.css_first("figcaption")
        caption = _clean(caption_node.text(separator=" ")) if caption_node else ""
        credit = ""
        if caption_node is not None:
            cr = caption_node.css_first("[class*=credit], [class*=author], .copyright")
            if cr is not None:
                credit = _clean(cr.text(separator=" "))
                caption = caption.replace(credit, "").strip()
        start = len(self.blocks)
        for child in node.iter(include_text=False):
            if child.tag == "figcaption":
                continue
            if child.tag == "img":
                self.image(child, child.attributes)
            elif child.tag in (
                "iframe",
                "video",
                "blockquote",
                "table",
                "p",
                "div",
                "a",
                "picture",
                "span",
            ):
                self.element(child, child.tag, depth + 1)
        self.flush()
        images = [b for b in self.blocks[start:] if b.kind in ("image", "video", "embed")]
        if caption and not credit:
            caption, credit = split_credit(caption)
        if images:
            images[0].caption = caption
            images[0].credit = credit
        if caption:
            self.removed.append(Removed("caption", caption[:200], "figcaption"))

    def quote(self, node: LexborNode, cid: str) -> None:
        low = cid.lower()
        if any(s in low for s in ("twitter", "instagram", "tiktok", "facebook")):
            link = node.css("a")
            src = link[-1].attributes.get("href") if link else ""
            self.add(Block("embed", src=urljoin(self.url, src or ""), text=_clean(node.text())))
            return
        text = _clean(node.text(separator=" "))
        if text:
            self.add(Block("quote", text=text), Para(cls=cid))


def _list_items(node: LexborNode, depth: int = 0) -> list[LexborNode]:
    """The <li> children of a list, looking through lists nested directly in lists (invalid
    markup some CMSs emit: <ul><ul><li>)."""
    items: list[LexborNode] = []
    for child in node.iter(include_text=False):
        if child.tag == "li":
            items.append(child)
        elif child.tag in ("ul", "ol", "div") and depth < 4:
            items.extend(_list_items(child, depth + 1))
    return items


def _align(attrs: dict) -> str:
    align = (attrs.get("align") or "").lower()
    if align:
        return align
    style = (attrs.get("style") or "").replace(" ", "").lower()
    if "text-align:" in style:
        return style.split("text-align:", 1)[1].split(";", 1)[0]
    return ""


def _clean(text: str) -> str:
    text = " ".join((text or "").split())
    return _norm(text) if text and not text.isascii() else text


def _norm(text: str) -> str:
    return normalize_fast(text)


# "Ảnh: Bệnh viện cung cấp", "(Ảnh: TTXVN)", "Photo: Reuters" closing a caption.
