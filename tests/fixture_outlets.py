"""The fake outlets of the fixture news web: Vietnamese words, articles, page templates, feeds
and sitemaps, all generated from seeds (nothing random between runs). `tests.fixture_web` serves
them on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from typing import NamedTuple
from xml.sax.saxutils import escape

WORDS = [
    "Hà",
    "Nội",
    "thành",
    "phố",
    "người",
    "dân",
    "chính",
    "quyền",
    "kinh",
    "tế",
    "phát",
    "triển",
    "dự",
    "án",
    "đầu",
    "tư",
    "giáo",
    "dục",
    "học",
    "sinh",
    "bệnh",
    "viện",
    "bác",
    "sĩ",
    "giao",
    "thông",
    "đường",
    "sắt",
    "cao",
    "tốc",
    "Thủ",
    "tướng",
    "Quốc",
    "hội",
    "doanh",
    "nghiệp",
    "xuất",
    "khẩu",
    "nông",
    "dân",
    "mùa",
    "màng",
    "lũ",
    "lụt",
    "miền",
    "Trung",
    "Đà",
    "Nẵng",
    "TP",
    "HCM",
    "thể",
    "thao",
    "bóng",
    "đá",
    "đội",
    "tuyển",
    "Việt",
    "Nam",
    "văn",
    "hoá",
    "lễ",
    "hội",
    "du",
    "lịch",
    "khách",
    "quốc",
    "tế",
    "công",
    "nghệ",
    "khởi",
    "nghiệp",
    "ngân",
    "hàng",
    "lãi",
    "suất",
    "thị",
    "trường",
]
SECTIONS = [("thoi-su", "Thời sự"), ("kinh-doanh", "Kinh doanh"), ("the-thao", "Thể thao")]
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese NFC text as windows-1258, which keeps tone marks as combining
    characters after a base letter (â, ơ, ư ... are precomposed there, tones are not)."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        tones = "".join(c for c in decomposed if c in TONES)
        out.append((base + tones).encode("cp1258", errors="replace"))
    return b"".join(out)


def sentence(seed: int, length: int = 14) -> str:
    digest = hashlib.sha256(str(seed).encode()).digest()
    words = [WORDS[b % len(WORDS)] for b in digest[:length]]
    return " ".join(words).capitalize() + "."


class ArticleText(NamedTuple):
    """Real text for a fixture article (the benchmark's corpus mode); without one, an article's
    text is generated from its number."""

    title: str
    sapo: str
    paragraphs: tuple[str, ...]


@dataclass
class FixtureArticle:
    number: int
    section: str
    published: datetime
    revision: int = 0
    text: ArticleText | None = None

    @property
    def path(self) -> str:
        return f"/{self.section}/bai-viet-so-{self.number}-{self.number * 7 % 1000}.html"

    @property
    def title(self) -> str:
        if self.text is not None:
            return self.text.title
        return f"Bài số {self.number}: " + sentence(self.number, 8).rstrip(".")

    @property
    def sapo(self) -> str:
        if self.text is not None:
            return self.text.sapo
        return sentence(self.number * 31 + 1, 20)

    def paragraphs(self) -> list[str]:
        extra = [f"Cập nhật lần {self.revision}."] if self.revision else []
        if self.text is not None:
            return list(self.text.paragraphs) + extra
        body = [
            " ".join(sentence(self.number * 97 + i * 13 + k) for k in range(3)) for i in range(5)
        ]
        return body + extra


TEMPLATES = ("sapo-heading", "sapo-paragraph", "byline-end")


def _opened(event: threading.Event) -> threading.Event:
    event.set()
    return event


@dataclass
class Outlet:
    name: str
    template: str = "sapo-heading"
    charset: str = "utf-8"
    articles: list[FixtureArticle] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    slow_seconds: float = 3.0
    retry_after: str = "120"
    feed_delay: float = 0.0
    page_delay: float = 0.0
    feed_limit: int = 100
    crawl_delay: int | None = None
    # Cleared, article requests wait (up to a minute) until it is set again: a test can hold a
    # worker inside a fetch for as long as it needs, instead of hoping a delay is long enough.
    pages_open: threading.Event = field(default_factory=lambda: _opened(threading.Event()))
    held: int = 0  # article requests waiting on pages_open right now
    # Where published articles take their text from, in order; None generates it from numbers.
    texts: Iterator[ArticleText] | None = None

    def use_texts(self, texts: Iterable[ArticleText]) -> None:
        """Publish the given texts from now on, one per article, in order."""
        self.texts = iter(texts)

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def publish(
        self, count: int, start: int | None = None, when: datetime | None = None
    ) -> list[FixtureArticle]:
        with self.lock:
            first = (
                start
                if start is not None
                else (self.articles[-1].number + 1 if self.articles else 1)
            )
            when = when or datetime.now(UTC).replace(microsecond=0)
            new = [
                FixtureArticle(
                    n,
                    SECTIONS[n % len(SECTIONS)][0],
                    when - timedelta(minutes=i),
                    text=self._next_text(),
                )
                for i, n in enumerate(range(first, first + count))
            ]
            self.articles.extend(new)
            return new

    def _next_text(self) -> ArticleText | None:
        if self.texts is None:
            return None
        text = next(self.texts, None)
        if text is None:
            raise LookupError(f"{self.name}: no text left to publish")
        return text

    def article_urls(self) -> list[str]:
        return [self.base + a.path for a in self.articles]

    def wait_until_open(self) -> None:
        if self.pages_open.is_set():
            return
        with self.lock:
            self.held += 1
        try:
            self.pages_open.wait(60)
        finally:
            with self.lock:
                self.held -= 1

    def count_hit(self, path: str) -> None:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    # -- documents ---------------------------------------------------------------------------

    def etag(self) -> str:
        with self.lock:
            state = ",".join(f"{a.number}.{a.revision}" for a in self.articles)
        return '"' + hashlib.sha1(state.encode()).hexdigest()[:16] + '"'

    def rss(self, limit: int = 100) -> bytes:
        items = []
        for a in reversed(self.articles[-limit:]):
            items.append(
                f"<item><title>{escape(a.title)}</title><link>{self.base}{a.path}</link>"
                f'<guid isPermaLink="false">{self.name}-{a.number}</guid>'
                f"<category>{dict(SECTIONS)[a.section]}</category>"
                f"<description>{escape(a.sapo)}</description>"
                f"<pubDate>{format_datetime(a.published)}</pubDate></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.name)}</title><link>{self.base}/</link>"
            + "".join(items)
            + "</channel></rss>"
        ).encode()

    def atom(self) -> bytes:
        entries = "".join(
            f'<entry><title>{escape(a.title)}</title><link href="{a.path}"/>'
            f"<id>tag:{self.name},2026:{a.number}</id>"
            f"<updated>{a.published.isoformat()}</updated></entry>"
            for a in reversed(self.articles[-100:])
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:base="{self.base}/"><title>{escape(self.name)}</title>'
            f"<id>{self.base}/</id><updated>2026-01-01T00:00:00Z</updated>{entries}</feed>"
        ).encode()

    def sitemap_index(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/sitemap-articles.xml.gz</loc></sitemap>"
            "</sitemapindex>"
        ).encode()

    def sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}{a.path}</loc><lastmod>{a.published.isoformat()}</lastmod></url>"
            for a in self.articles
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )
        return gzip.compress(xml.encode())

    def news_sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}{a.path}</loc><news:news><news:publication>"
            f"<news:name>{escape(self.name)}</news:name><news:language>vi</news:language>"
            f"</news:publication><news:publication_date>{a.published.isoformat()}"
            f"</news:publication_date><news:title>{escape(a.title)}</news:title></news:news></url>"
            for a in self.articles[-1000:]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{urls}</urlset>"
        ).encode()

    def section_page(self, section: str) -> bytes:
        links = "".join(
            f'<article class="story"><h3><a href="{a.path}">{escape(a.title)}</a></h3></article>'
            for a in reversed(self.articles[-60:])
            if a.section == section
        )
        nav = "".join(f'<a href="/{slug}">{name}</a>' for slug, name in SECTIONS)
        html = (
            f"<!doctype html><html lang=vi><head><meta charset=utf-8><title>{self.name}</title>"
            f"</head><body><nav>{nav}<a href=/tag/bong-da>Bóng đá</a><a href=/video/clip-1.html>"
            f"Video</a></nav><main>{links}</main><footer><a href=/lien-he>Liên hệ</a>"
            f'<a href="https://facebook.com/x">fb</a></footer></body></html>'
        )
        return html.encode()

    def article_page(self, article: FixtureArticle) -> bytes:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs())
        figure = (
            f'<figure class="image"><img src="/img/{article.number}.jpg" alt="Ảnh minh hoạ">'
            f"<figcaption>Ảnh minh hoạ cho bài số {article.number}. Ảnh: PV</figcaption></figure>"
        )
        related = (
            '<div class="related"><h4>Tin liên quan</h4><ul>'
            + "".join(
                f'<li><a href="/thoi-su/bai-viet-so-{article.number + k}-1.html">'
                f"{escape(sentence(article.number + k * 1000, 6))}</a></li>"
                for k in (1, 2, 3)
            )
            + "</ul></div>"
        )
        published = article.published.astimezone(timezone(timedelta(hours=7))).isoformat()
        meta = (
            f'<meta property="og:title" content="{escape(article.title)}">'
            f'<meta property="article:published_time" content="{published}">'
            f'<meta name="description" content="{escape(article.sapo)}">'
            f'<link rel="canonical" href="{self.base}{article.path}">'
        )
        charset = self.charset
        if self.template == "sapo-heading":
            body = (
                f'<h1 class="title-detail">{escape(article.title)}</h1>'
                f'<span class="date">{published}</span>'
                f'<h2 class="sapo">{escape(article.sapo)}</h2>'
                f'<article class="fck_detail">{figure}{paragraphs}'
                f'<p class="author"><strong>Minh Anh</strong></p></article>{related}'
            )
        elif self.template == "sapo-paragraph":
            body = (
                f"<h1>{escape(article.title)}</h1>"
                f'<div class="detail-sapo"><p>{escape(article.sapo)}</p></div>'
                f'<div class="detail-content">{paragraphs[:200]}{figure}{paragraphs[200:]}</div>'
                f'<div class="author-info">Theo Hồng Nhung</div>{related}'
            )
        else:
            body = (
                f'<div class="article"><h1 class="article__title">{escape(article.title)}</h1>'
                f'<p class="article__sapo"><b>{escape(article.sapo)}</b></p>'
                f'<div class="article__body">{paragraphs}{figure}'
                f'<p style="text-align:right"><b>Trần Văn Bình</b></p></div>{related}</div>'
            )
        html = (
            f'<!doctype html><html lang="vi"><head><meta charset="{charset}">'
            f"<title>{escape(article.title)} - {escape(self.name)}</title>{meta}</head><body>"
            f'<header><nav><a href="/">Trang chủ</a><a href="/thoi-su">Thời sự</a></nav></header>'
            f"<main>{body}</main><footer>© {escape(self.name)}. Liên hệ quảng cáo.</footer>"
            "</body></html>"
        )
        return to_cp1258(html) if charset == "windows-1258" else html.encode()

    def find(self, path: str) -> FixtureArticle | None:
        with self.lock:
            for article in self.articles:
                if article.path == path:
                    return article
        return None
