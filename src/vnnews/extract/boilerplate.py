"""What is not article text: tag sets, class/id patterns and the Vietnamese phrases that open
related-news boxes and site blocks. Each pattern maps to a `Removed.kind`."""

from __future__ import annotations

import re

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
# Strong class/id signals matched in C by Lexbor before scoring; a match that holds most of the
# page's text is kept (it is then a wrapper like <body class="has-sidebar">).
STRONG_SELECTOR = (
    ", ".join(
        f"[{attr}*={word}]"
        for attr in ("class", "id")
        for word in (
            "comment",
            "sidebar",
            "related",
            "Related",
            "relate-",
            "share",
            "social",
            "newsletter",
            "cookie",
            "popup",
            "modal",
            "advert",
            "breadcrumb",
            "footer",
            "recommend",
            "tinlienquan",
            "tin-lien-quan",
            "tin_lien_quan",
            "most-read",
            "mostread",
            "most-popular",
            "trending",
            "subscribe",
            "signup",
            "promo",
            "banner",
            "masthead",
            "skip-link",
            "screen-reader",
            "sr-only",
            "visually-hidden",
        )
    )
    + ", header, footer, aside, .VCSortableInPreviewMode[type*=Related], [type=RelatedOneNews]"
)

_CLASS_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "related",
        re.compile(
            r"related|relate[-_]|relation|tinlienquan|lien[-_]?quan|more[-_]?(stories|news|articles)"
            r"|read[-_]?(more|also|next)|recommend|also[-_]?like|suggest|trending|popular|most[-_]?read"
            r"|box[-_]?(news|tin)|tin[-_]?khac|other[-_]?news|cung[-_]?chuyen[-_]?muc|outbrain|taboola",
            re.I,
        ),
    ),
    (
        "share",
        re.compile(r"share|social|sharing|sociable|addthis|follow[-_]?us|print[-_]?btn", re.I),
    ),
    (
        "ad",
        re.compile(
            r"(^|[\s_-])(ads?|adv|advert\w*|adsbygoogle|banner\w*|sponsor\w*|qc|quangcao|dfp|gpt)($|[\s_-])"
            r"|advertis|google[-_]?ad|ad[-_]?(slot|unit|container|wrapper|box|zone)|sticky-ad",
            re.I,
        ),
    ),
    (
        "navigation",
        re.compile(
            r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|pagination|pager|toc|sidebar|widget|header"
            r"|masthead|topbar|toolbar|skip)($|[\s_-])|breadcrumb",
            re.I,
        ),
    ),
    ("comment", re.compile(r"comment|disqus|binh[-_]?luan|feedback|respond", re.I)),
    (
        "footer",
        re.compile(
            r"(^|[\s_-])(footer|copyright|newsletter|subscribe|signup|cookie|consent|gdpr|modal"
            r"|popup|overlay|author[-_]?bio|about[-_]?author|tags?|tag[-_]?list|keywords?)($|[\s_-])",
            re.I,
        ),
    ),
    (
        "other",
        re.compile(
            r"(^|[\s_-])(hidden|hide|sr-only|screen-reader-text|visually-hidden)($|[\s_-])", re.I
        ),
    ),
]
# Content-like names protect an element from the rules above ("article-header-share" is chrome,
# "entry-content" never is).
_PROTECT = re.compile(
    r"article[-_]?(body|content|text)|entry[-_]?content|post[-_]?(body|content)|story[-_]?body"
    r"|main[-_]?content|fck_detail|detail[-_]?content|content[-_]?detail|articlebody",
    re.I,
)


# Kinds whose class names are also used on content wrappers ("widget", "header", "tags").
WEAK = frozenset({"navigation", "footer", "other"})


def classify(class_id: str) -> str | None:
    """The Removed.kind for an element whose class+id string looks like boilerplate, else None."""
    if not class_id or _PROTECT.search(class_id):
        return None
    for kind, pattern in _CLASS_RULES:
        if pattern.search(class_id):
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


def is_trailing_marker(text: str) -> bool:
    if len(text) > 60:
        return False
    key = folded(text)
    return any(key == m or (key.startswith(m) and len(key) - len(m) < 4) for m in _TRAILING)


def is_inline_related(text: str) -> bool:
    if len(text) > 300:
        return False
    key = fold(text[:40]).lstrip(" >»")
    return any(key.startswith(m) for m in _INLINE[:4]) or text.lstrip().startswith(">>")
