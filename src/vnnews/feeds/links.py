"""Link discovery on section pages, for outlets without a feed: article-like links on the same
site. Vietnamese news article URLs are long slugs, usually with a numeric id and often .html
("/thoi-su/ten-bai-viet-20260101123456789.htm", ".../ten-bai-1234567.html", "...-post812345.html"),
while navigation, tag, topic and video pages are short or live under known prefixes."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

from vnnews.feeds.charset import decode_html
from vnnews.feeds.entry import Entry, FeedError, FeedResult

EXCLUDED_SEGMENTS = {
    "tag", "tags", "the", "video", "videos", "clip", "tv", "podcast", "podcasts", "photo",
    "emagazine", "infographic", "tim-kiem", "search", "lien-he", "gioi-thieu", "tac-gia",
    "author", "topic", "chu-de", "su-kien", "rss", "login", "dang-nhap", "dang-ky", "account",
    "quang-cao", "static", "assets", "feed",
}  # fmt: skip
BOILERPLATE_ANCESTORS = {"nav", "header", "footer", "aside"}
ARTICLE_SUFFIX = re.compile(r"\.(html?|ldo|tpo|vov|vnp|chn|aspx)$", re.I)
LONG_NUMBER = re.compile(r"\d{5,}")


def _site(netloc: str) -> str:
    """www.x.vn, m.x.vn and x.vn are one site (ports kept: fixture outlets differ by port)."""
    host, sep, port = (
        netloc.lower().rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    )
    if not sep or not port.isdigit():
        host, port = netloc.lower(), ""
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    return f"{host}:{port}" if port else host


def looks_like_article(path: str) -> bool:
    segments = [s for s in path.split("/") if s]
    if not segments:
        return False
    if any(s.lower() in EXCLUDED_SEGMENTS for s in segments):
        return False
    last = segments[-1]
    words = ARTICLE_SUFFIX.sub("", last).count("-") + 1
    if ARTICLE_SUFFIX.search(last) and words >= 4:
        return True
    return bool(LONG_NUMBER.search(last)) and words >= 3


def _in_boilerplate(element: lxml.html.HtmlElement) -> bool:
    return any(ancestor.tag in BOILERPLATE_ANCESTORS for ancestor in element.iterancestors())


def discover_links(
    body: bytes, url: str, *, section: str = "", limit: int = 500, content_type: str = ""
) -> FeedResult:
    """Article-like links on the same site as `url`, in page order, without duplicates."""
    try:
        document = lxml.html.document_fromstring(decode_html(body, content_type))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise FeedError(url, f"not an HTML page: {exc}") from exc
    base_href = document.find(".//base[@href]")
    base = urljoin(url, base_href.get("href")) if base_href is not None else url
    site = _site(urlsplit(url).netloc)
    result = FeedResult(kind="section_page")
    seen: set[str] = set()
    for anchor in document.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        target = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(target)
        if parts.scheme not in {"http", "https"} or _site(parts.netloc) != site:
            continue
        if target in seen or not looks_like_article(parts.path) or _in_boilerplate(anchor):
            continue
        seen.add(target)
        title = " ".join(anchor.text_content().split()) or (anchor.get("title") or "")
        result.entries.append(Entry(url=target, title=title, guid=target, section=section))
        if len(result.entries) >= limit:
            break
    return result
