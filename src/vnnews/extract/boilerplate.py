"""What is not article text: tag sets, class/id patterns and the Vietnamese phrases that open
related-news boxes and site blocks. Each pattern maps to a `Removed.kind`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Dropped before anything else: never text a reader should see.
JUNK_TAGS = (
    "script, style, noscript, template, svg, canvas, link, button, input, select, textarea,"
    " option, object, embed:not([src*=youtube]), map, dialog, head"
)
# Inline markup: its class/id is styling, never a boilerplate box (a "hljs-comment" span is code,
# a "share-count" span is harmless). Both the cleaner and the block walk skip it by name.
INLINE_MARKUP = frozenset(
    ["span", "code", "a", "em", "strong", "b", "i", "small", "time", "abbr", "sup", "sub", "mark"]
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
HIDDEN_SELECTOR = "[style*='display:none'], [style*='display: none']"
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
        # Cookie banners, newsletter boxes, pop-ups, author bios: never article text.
        "footer",
        ("author-bio", "authorbio", "about-author", "about-the-author", "onetrust", "didomi"),
        frozenset(
            [
                "copyright",
                "newsletter",
                "subscribe",
                "subscription",
                "signup",
                "cookie",
                "cookies",
                "consent",
                "gdpr",
                "modal",
                "popup",
            ]
        ),
    ),
    (
        # Names also worn by wrappers of real content: only dropped when link-heavy.
        "navigation",
        ("tag-list", "taglist"),
        frozenset(["footer", "tags", "tag", "keywords", "keyword"]),
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
_KINDS = [kind for kind, _parts, _exact in _CLASS_RULES]
_NONE = len(_KINDS)
_RULES = [
    (re.compile("|".join(map(re.escape, parts))) if parts else None, exact)
    for _kind, parts, exact in _CLASS_RULES
]
_PROTECT_RE = re.compile("|".join(map(re.escape, _PROTECT)))
_ALL_EXACT = frozenset(word for _k, _p, exact in _CLASS_RULES for word in exact)
# Every substring rule contains one of these stems: tokens without any (nearly all of them) are
# settled by one short regex and one set test before the full rules run.
_STEM_RE = re.compile(
    "relat|lien|more|read|recommend|like|sugg|trend|popul|box|khac|other|chuyen|outbrain|taboola"
    "|share|social|sociab|addthis|follow|print|advert|adsby|google|ad-|adunit|sticky|sponsor"
    "|quangcao|banner|breadcrumb|comment|disqus|binh|feedback|respond|author|about|tag|sr-only"
    "|screen|visually|content|body|fck|detail|onetrust|didomi"
)
# Kinds whose class names are also used on content wrappers ("widget", "header", "tags").
WEAK = frozenset({"navigation", "other"})


@lru_cache(maxsize=65536)
def _token_rule(token: str) -> int:
    """Index of the first rule one class/id token matches; -1 when it names content."""
    words = token.replace("_", "-").replace(":", "-").split("-")
    if _STEM_RE.search(token) is None and _ALL_EXACT.isdisjoint(words):
        return _NONE
    if _PROTECT_RE.search(token):
        return -1
    for index, (parts, exact) in enumerate(_RULES):
        if (parts is not None and parts.search(token)) or not exact.isdisjoint(words):
            return index
    return _NONE


def classify(class_id: str) -> str | None:
    """The Removed.kind for an element whose class+id string looks like boilerplate, else None.

    Tokens ("entry-content", "share-bar") repeat across elements and pages, so the rules run
    once per distinct token and the answer is cached.
    """
    best = _NONE
    for token in class_id.lower().split():
        index = _token_rule(token)
        if index < 0:
            return None
        if index < best:
            best = index
    return None if best == _NONE else _KINDS[best]


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
    "more on this story",
    "read more",
    "see also",
    "das konnte sie auch interessieren",
    "das konnte dich auch interessieren",
    "mehr zum thema",
    "weitere artikel",
    "lesen sie auch",
    "auch interessant",
    "meistgelesen",
    "a lire aussi",
    "lire aussi",
    "sur le meme sujet",
    "articles similaires",
    "te puede interesar",
    "noticias relacionadas",
    "lee tambien",
    "leggi anche",
    "potrebbe interessarti",
    "les ook",
    "las ocksa",
    "relaterade artiklar",
    "a la une",
    "les plus lus",
    "les plus populaires",
    "dans l'actualite",
    "lo mas leido",
    "lo mas visto",
    "mais lidas",
    "mais lidos",
    "mehr aus",
    "top stories",
    "latest news",
    "latest stories",
    "trending now",
    "popular now",
    "editor's picks",
    "editors' picks",
    "more news",
    "more stories",
    "what to read next",
    "most viewed",
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


def quick_fold(text: str) -> str:
    """Lower case without marks, đ -> d: the same key as vnnews.text.fold for matching short
    marker phrases, in C-speed string operations (fold also re-places tone marks, which a
    mark-stripping key does not need)."""
    text = text.lower().replace("đ", "d")
    text = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.split())


def folded(text: str) -> str:
    return quick_fold(text).strip(" :>»-–—.\u00a0")


_TRAILING_RE = re.compile("^(?:" + "|".join(map(re.escape, _TRAILING)) + ").{0,3}$")


def is_trailing_marker(text: str) -> bool:
    if len(text) > 60:
        return False
    return _TRAILING_RE.match(folded(text)) is not None


_SITE_BLOCKS = re.compile(
    "^(?:co the ban quan tam|nen xem|tin khac|tin cung chuyen muc|cung chuyen muc|phien ban di dong"
    "|tin moi nhat|tin noi bat|doc nhieu|xem nhieu|tin xem nhieu|bai doc nhieu|tin tuc gan day"
    "|tin gan day|theo dong su kien|cac tin khac|tin da dua|binh luan|y kien ban doc).{0,3}$"
)


def is_site_block(text: str) -> bool:
    """Vietnamese site blocks that always close the article (nothing of it follows them)."""
    return len(text) <= 60 and _SITE_BLOCKS.match(folded(text)) is not None


def is_inline_related(text: str) -> bool:
    if len(text) > 300:
        return False
    key = quick_fold(text[:40]).lstrip(" >»")
    return any(key.startswith(m) for m in _INLINE[:4]) or text.lstrip().startswith(">>")
