"""What is not article text: tag sets, class/id patterns and the Vietnamese phrases that open
related-news boxes and site blocks. Each pattern maps to a `Removed.kind`."""

from __future__ import annotations

import re
from functools import lru_cache

from vnnews.text.normalize import fold

# Dropped before anything else: never text a reader should see.
JUNK_TAGS = (
    "script, style, noscript, template, svg, canvas, link, button, input, select, textarea,"
    " option, object, embed:not([src*=youtube]), map, dialog, head"
)
# Always chrome around the article rather than the article itself.
CHROME_SELECTOR = (
    "nav, [role=navigation], [role=banner], [role=contentinfo], [role=complementary],"
    " form, label, [role=dialog],"
    " [role=alert], [aria-modal=true]"
)
# (kind, substrings, whole words): a class/id string matches a kind when it contains one of
# the substrings or, split on spaces, "-", "_" and ":", one of the words. Plain `in` tests and a
# set intersection keep this cheap on long utility-class strings ("mx-auto md:py-8 ...").
_CLASS_RULES: list[tuple[str, tuple[str, ...], frozenset[str]]] = [
    (
        "related",
        (
            "related",
            "relate-",
            "relate_",
            "relation",
            "tinlienquan",
            "lienquan",
            "lien-quan",
            "lien_quan",
            "more-stories",
            "more-news",
            "more-articles",
            "read-more",
            "readmore",
            "read-also",
            "read-next",
            "readnext",
            "recommend",
            "also-like",
            "suggest",
            "trending",
            "popular",
            "most-read",
            "mostread",
            "box-news",
            "box-tin",
            "tinkhac",
            "tin-khac",
            "other-news",
            "othernews",
            "cungchuyenmuc",
            "cung-chuyen-muc",
            "outbrain",
            "taboola",
        ),
        frozenset(),
    ),
    (
        "share",
        ("share", "social", "sociable", "addthis", "follow-us", "followus", "print-btn"),
        frozenset(),
    ),
    (
        "ad",
        (
            "advert",
            "adsbygoogle",
            "google-ad",
            "googlead",
            "ad-slot",
            "ad-unit",
            "adunit",
            "ad-container",
            "ad-wrapper",
            "ad-box",
            "ad-zone",
            "adslot",
            "sticky-ad",
            "sponsor",
            "quangcao",
            "banner",
        ),
        frozenset({"ad", "ads", "adv", "qc", "dfp", "gpt"}),
    ),
    (
        "navigation",
        ("breadcrumb",),
        frozenset(
            [
                "nav",
                "navbar",
                "menu",
                "pagination",
                "pager",
                "toc",
                "sidebar",
                "widget",
                "header",
                "masthead",
                "topbar",
                "toolbar",
                "skip",
            ]
        ),
    ),
    ("comment", ("comment", "disqus", "binhluan", "binh-luan", "feedback", "respond"), frozenset()),
    (
        "footer",
        ("author-bio", "authorbio", "about-author", "about-the-author", "tag-list", "taglist"),
        frozenset(
            [
                "footer",
                "copyright",
                "newsletter",
                "subscribe",
                "signup",
                "cookie",
                "consent",
                "gdpr",
                "modal",
                "popup",
                "overlay",
                "tags",
                "tag",
                "keywords",
                "keyword",
            ]
        ),
    ),
    ("other", ("sr-only", "screen-reader", "visually-hidden"), frozenset({"hidden", "hide"})),
]
# Content-like names protect an element from the rules above ("article-header-share" is chrome,
# "entry-content" never is).
_PROTECT = (
    "article-body",
    "article_body",
    "articlebody",
    "article-content",
    "article_content",
    "articlecontent",
    "article-text",
    "articletext",
    "entry-content",
    "entry_content",
    "post-content",
    "post_content",
    "post-body",
    "post_body",
    "story-body",
    "main-content",
    "main_content",
    "fck_detail",
    "detail-content",
    "content-detail",
    "content_detail",
)
_WORDS = re.compile(r"[\s_:-]+")
_RULES = [
    (kind, re.compile("|".join(map(re.escape, parts))) if parts else None, exact)
    for kind, parts, exact in _CLASS_RULES
]
_PROTECT_RE = re.compile("|".join(map(re.escape, _PROTECT)))
# Kinds whose class names are also used on content wrappers ("widget", "header", "tags").
WEAK = frozenset({"navigation", "footer", "other"})


@lru_cache(maxsize=8192)
def classify(class_id: str) -> str | None:
    """The Removed.kind for an element whose class+id string looks like boilerplate, else None."""
    low = class_id.lower()
    if not low.strip() or _PROTECT_RE.search(low):
        return None
    words = set(_WORDS.split(low))
    for kind, parts, exact in _RULES:
        if (parts is not None and parts.search(low)) or (exact and not exact.isdisjoint(words)):
            return kind
    return None


# Headings that open a box of other articles; everything from them to the end is site chrome.
_TRAILING = [
    "co the ban quan tam",
    "nen xem",
    "tin khac",
    "tin cung chuyen muc",
    "cung chuyen muc",
    "phien ban di dong",
    "tin moi nhat",
    "tin noi bat",
    "theo dong su kien",
    "xem them",
    "doc them",
    "tin tuc gan day",
    "tin gan day",
    "tin moi",
    "tin xem nhieu",
    "bai viet lien quan",
    "bai doc nhieu",
    "cac tin khac",
    "cac tin da dua",
    "tin da dua",
    "tin bai lien quan",
    "doc tiep",
    "chu de",
    "tu khoa",
    "doc nhieu",
    "xem nhieu",
    "tin lien quan",
    "bai lien quan",
    "ban co the quan tam",
    "binh luan",
    "y kien ban doc",
    "related articles",
    "related stories",
    "related posts",
    "related news",
    "you may also like",
    "you might also like",
    "more from",
    "recommended",
    "read next",
    "more stories",
    "leave a reply",
    "leave a comment",
    "comments",
    "share this",
    "share this article",
    "popular posts",
    "most popular",
    "most read",
]
# Lines that introduce one inline related link ("Xem thêm: ...").
_INLINE = [
    "xem them",
    "doc them",
    "tin lien quan",
    "bai lien quan",
    "read more",
    "see also",
    "related",
    "also read",
    "read also",
    ">> ",
    "click here",
]


def folded(text: str) -> str:
    return fold(text).strip(" :>»-–—.\u00a0")


_TRAILING_RE = re.compile("^(?:" + "|".join(map(re.escape, _TRAILING)) + ").{0,3}$")


def is_trailing_marker(text: str) -> bool:
    if len(text) > 60:
        return False
    return _TRAILING_RE.match(folded(text)) is not None


def is_inline_related(text: str) -> bool:
    if len(text) > 300:
        return False
    key = fold(text[:40]).lstrip(" >»")
    return any(key.startswith(m) for m in _INLINE[:4]) or text.lstrip().startswith(">>")
