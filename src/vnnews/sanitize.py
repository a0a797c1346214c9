"""Allow-list sanitising, the last step before anything is stored (design rule 6).

An Article is plain text plus URLs, but its fields come from untrusted pages and dumps: a title
may carry `<script>`, a caption `<b>`, an image `javascript:` or `data:` URL. Text fields lose all
markup (nh3 with no tags allowed, then entities decoded once) and invisible control characters;
URL fields keep only absolute http(s) addresses. `sanitize_html` is for the few places that keep
markup (e.g. an outlet's embedded HTML shown by the reader): a small tag/attribute allow-list.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from urllib.parse import urlsplit

import nh3

from vnnews.extract.article import Article, Block

ALLOWED_TAGS = {
    "p", "br", "a", "b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark",
    "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "figure", "figcaption",
    "img", "table", "thead", "tbody", "tr", "th", "td", "caption", "pre", "code", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https"}
_TEXT_KINDS = frozenset({"paragraph", "heading", "quote"})  # blocks that are their text

# C0/C1 controls except tab and newline, zero-width characters and the BOM, bidi overrides
# (which can reverse how a title reads).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_MARKUP = re.compile(r"<[A-Za-z!/?][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]{2,8});")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")
# What clean_text changes inside a text, besides trimming its ends: a tag or entity (_MARKUP), a
# carriage return, a tab, an invisible character (_INVISIBLE), a space before a newline, three
# newlines in a row. Most texts, plain already, have none: a few C scans instead of four passes.
_CONTROL_OR_INVISIBLE = re.compile(
    "[\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_SPACE_OR_INVISIBLE = re.compile(
    "[\\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def _is_plain(text: str) -> bool:
    """Whether clean_text would only trim `text` (multiline) or re-space it (one line)."""
    return not (
        # str.isprintable() is a quicker scan than the regex and is false for every character
        # the regex finds (they are all controls or formats); the regex decides when it is false.
        (
            not (text.replace("\n", " ") if "\n" in text else text).isprintable()
            and _CONTROL_OR_INVISIBLE.search(text)
        )
        or " \n" in text
        or "\n\n\n" in text
        or (("<" in text or "&" in text) and _MARKUP.search(text))
    )


def clean_text(text: str, *, multiline: bool = True) -> str:
    """Plain text without markup, entities or invisible characters; lines trimmed, at most one
    empty line in a row. `multiline=False` folds everything onto one line (titles, names)."""
    if not text:
        return ""
    if _is_plain(text):
        return text.strip() if multiline else " ".join(text.split())
    return _clean_text_fully(text, multiline)


def _clean_text_fully(text: str, multiline: bool) -> str:
    """clean_text without the shortcut for plain text (the tests hold both to the same answers)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _MARKUP.search(text):
        # nh3 drops every tag (and the content of script/style), then escapes what is left;
        # unescape once so "&amp;" becomes "&" in stored plain text.
        text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
    text = _INVISIBLE.sub("", text).replace("\t", " ")
    if not multiline:
        return " ".join(text.split())
    text = _TRAILING.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


# An http(s) address whose host is plain letters, digits, dots and hyphens (no user, port or
# brackets), up to the path, query or fragment: urlsplit gives it that scheme and that host.
_PLAIN_WEB_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9][A-Za-z0-9.-]*(?:[/?#]|\Z)")


def clean_url(url: str) -> str:
    """`url` if it is an absolute http(s) address with a host, else the empty string."""
    if not url:
        return ""
    url = url.strip()
    if _SPACE_OR_INVISIBLE.search(url):  # \s: what str.isspace() accepts
        return ""
    if _PLAIN_WEB_URL.match(url):
        return url  # what urlsplit below accepts, without its Python-level parsing
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in URL_SCHEMES or not parts.hostname:
        return ""
    return url


def sanitize_html(markup: str) -> str:
    """Markup reduced to the allow-list: no scripts, styles, event handlers or non-http(s) URLs."""
    return nh3.clean(
        markup or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def _clean_block(block: Block) -> Block | None:
    if (
        block.kind in _TEXT_KINDS
        and (block.src, block.alt, block.caption, block.credit) == ("", "", "", "")
        and not (block.items or block.rows)
    ):
        # Most blocks are a paragraph of text and nothing else: one field to clean, most often
        # plain text already (clean_text's first case, inline: this runs for every block).
        text = block.text
        if text and _is_plain(text):
            text = text.strip()
        else:
            text = clean_text(text)
        if not text:
            return None
        return block if text == block.text else replace(block, text=text)
    src = clean_url(block.src)
    if block.kind in {"video", "embed"} and not src:
        return None  # a media block whose address we may not show is no block at all
    if block.kind == "image" and not src and not (block.caption or "").strip():
        # A plain-text dump (like the seed) keeps a photo's caption but not its address: the
        # caption is still part of the article and is shown as a figure without a picture.
        return None
    text = clean_text(block.text)
    items = [t for t in (clean_text(i) for i in block.items) if t]
    rows = [[clean_text(cell, multiline=False) for cell in row] for row in block.rows]
    alt = clean_text(block.alt, multiline=False)
    caption = clean_text(block.caption)
    credit = clean_text(block.credit, multiline=False)
    if (text, items, rows, src, alt, caption, credit) == (
        block.text, block.items, block.rows, block.src, block.alt, block.caption, block.credit
    ):  # fmt: skip
        cleaned = block  # most blocks are plain already: no copy (replace() costs more)
    else:
        cleaned = replace(
            block, text=text, items=items, rows=rows, src=src, alt=alt, caption=caption,
            credit=credit,
        )  # fmt: skip
    if cleaned.kind in _TEXT_KINDS and not cleaned.text:
        return None
    if cleaned.kind == "list" and not cleaned.items:
        return None
    return cleaned


def sanitize_article(article: Article) -> Article:
    """A copy of `article` with every text field plain and every URL http(s) or empty."""
    one_line = [clean_text(v, multiline=False) for v in article.authors]
    blocks = [c for b in article.blocks if (c := _clean_block(b)) is not None]
    return replace(
        article,
        title=clean_text(article.title, multiline=False),
        sapo=clean_text(article.sapo),
        blocks=blocks,
        text=clean_text(article.text),
        authors=[a for a in one_line if a],
        byline=clean_text(article.byline, multiline=False),
        section=clean_text(article.section, multiline=False),
        section_path=[
            s for s in (clean_text(p, multiline=False) for p in article.section_path) if s
        ],
        tags=[t for t in (clean_text(t, multiline=False) for t in article.tags) if t],
        url=clean_url(article.url) or (article.url if article.url.startswith("file://") else ""),
        canonical_url=clean_url(article.canonical_url),
        site_name=clean_text(article.site_name, multiline=False),
        language=clean_text(article.language, multiline=False)[:10],
        lead_image=clean_url(article.lead_image),
    )
