"""A fake Vietnamese news web on 127.0.0.1 for tests and the ingest benchmark.

Each outlet is its own threaded HTTP server (its own port, so politeness applies per outlet) with
its own page template: sapo in a heading or a paragraph, images with captions, related-article
blocks, bylines at the end, one outlet serving windows-1258. Every outlet has RSS, Atom, a sitemap
index with a gzipped child, a Google News sitemap, a section page and robots.txt; the `misbehave`
paths answer slowly, with 429 + Retry-After, 304s, redirect loops, redirects to private addresses
(never followed by a correct client), a 50 MB page and a "feed" that is HTML.

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit
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


@dataclass
class FixtureArticle:
    number: int
    section: str
    published: datetime
    revision: int = 0

    @property
    def path(self) -> str:
        return f"/{self.section}/bai-viet-so-{self.number}-{self.number * 7 % 1000}.html"

    @property
    def title(self) -> str:
        return f"Bài số {self.number}: " + sentence(self.number, 8).rstrip(".")

    @property
    def sapo(self) -> str:
        return sentence(self.number * 31 + 1, 20)

    def paragraphs(self) -> list[str]:
        extra = [f"Cập nhật lần {self.revision}."] if self.revision else []
        body = [
            " ".join(sentence(self.number * 97 + i * 13 + k) for k in range(3)) for i in range(5)
        ]
        return body + extra


TEMPLATES = ("sapo-heading", "sapo-paragraph", "byline-end")


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
                FixtureArticle(n, SECTIONS[n % len(SECTIONS)][0], when - timedelta(minutes=i))
                for i, n in enumerate(range(first, first + count))
            ]
            self.articles.extend(new)
            return new

    def article_urls(self) -> list[str]:
        return [self.base + a.path for a in self.articles]

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


ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: vnnews\nDisallow: /private/\nDisallow: /members/\n"
PRIVATE_TARGETS = {
    "/misbehave/to-private": "http://10.0.0.1/admin",
    "/misbehave/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/misbehave/to-ipv6-loopback": "http://[::1]/",
    "/misbehave/to-localhost-name": "http://localhost/",
}
BIG_SIZE = 50 * 1024 * 1024


def make_handler(outlet: Outlet) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def redirect(self, location: str, status: int = 302) -> None:
            self.send(status, b"", "text/plain", {"Location": location})

        def do_GET(self) -> None:  # noqa: C901 - a routing table reads best as one function
            path = urlsplit(self.path).path
            outlet.count_hit(path)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.route(path)

        def route(self, path: str) -> None:
            if path == "/robots.txt":
                extra = (
                    f"Crawl-delay: {outlet.crawl_delay}\n".encode() if outlet.crawl_delay else b""
                )
                return self.send(200, ROBOTS + extra, "text/plain")
            if path in {"/rss/home.rss", "/atom.xml", "/news-sitemap.xml"}:
                if outlet.feed_delay:
                    time.sleep(outlet.feed_delay)
                etag = outlet.etag()
                if self.headers.get("If-None-Match") == etag:
                    return self.send(304, b"", "application/rss+xml", {"ETag": etag})
                body, ctype = {
                    "/rss/home.rss": (
                        lambda: outlet.rss(outlet.feed_limit),
                        "application/rss+xml; charset=utf-8",
                    ),
                    "/atom.xml": (outlet.atom, "application/atom+xml"),
                    "/news-sitemap.xml": (outlet.news_sitemap, "application/xml"),
                }[path]
                return self.send(200, body(), ctype, {"ETag": etag})
            if path == "/sitemap.xml":
                return self.send(200, outlet.sitemap_index(), "application/xml")
            if path == "/sitemap-articles.xml.gz":
                return self.send(200, outlet.sitemap(), "application/x-gzip")
            if path.strip("/") in dict(SECTIONS):
                return self.send(
                    200, outlet.section_page(path.strip("/")), "text/html; charset=utf-8"
                )
            article = outlet.find(path)
            if article is not None:
                if outlet.page_delay:
                    time.sleep(outlet.page_delay)
                ctype = f"text/html; charset={outlet.charset}"
                return self.send(200, outlet.article_page(article), ctype)
            if path.startswith("/misbehave/"):
                return self.misbehave(path)
            if path.startswith("/private/"):
                return self.send(200, b"secret", "text/plain")
            return self.send(404, "Không tìm thấy".encode(), "text/plain; charset=utf-8")

        def misbehave(self, path: str) -> None:
            if path == "/misbehave/slow":
                time.sleep(outlet.slow_seconds)
                return self.send(200, b"<html>cham</html>", "text/html")
            if path == "/misbehave/drip":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100")
                self.end_headers()
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
                return None
            if path == "/misbehave/429":
                return self.send(429, b"", "text/plain", {"Retry-After": outlet.retry_after})
            if path == "/misbehave/503-date":
                when = datetime.now(UTC) + timedelta(seconds=90)
                return self.send(
                    503, b"", "text/plain", {"Retry-After": format_datetime(when, usegmt=True)}
                )
            if path == "/misbehave/500":
                return self.send(500, b"loi", "text/plain")
            if path == "/misbehave/loop-a":
                return self.redirect("/misbehave/loop-b")
            if path == "/misbehave/loop-b":
                return self.redirect("/misbehave/loop-a")
            if path.startswith("/misbehave/chain-"):
                n = int(path.rsplit("-", 1)[1])
                return (
                    self.redirect(f"/misbehave/chain-{n + 1}")
                    if n < 20
                    else self.send(200, b"ok", "text/plain")
                )
            if path == "/misbehave/to-article" and outlet.articles:
                return self.redirect(outlet.articles[0].path, 301)
            if path in PRIVATE_TARGETS:
                return self.redirect(PRIVATE_TARGETS[path])
            if path == "/misbehave/big":
                return self.big(declare_length=False)
            if path == "/misbehave/big-declared":
                return self.big(declare_length=True)
            if path == "/misbehave/feed-is-html":
                return self.send(200, outlet.section_page("thoi-su"), "application/rss+xml")
            if path == "/misbehave/cp1258":
                text = "<html><head><meta charset=windows-1258></head><body><p>Người dân Hà Nội đón Tết Nguyên Đán</p></body></html>"
                return self.send(200, to_cp1258(text), "text/html; charset=windows-1258")
            if path == "/misbehave/last-modified":
                stamp = "Wed, 01 Jul 2026 08:00:00 GMT"
                if self.headers.get("If-Modified-Since") == stamp:
                    return self.send(304, b"", "text/plain", {"Last-Modified": stamp})
                return self.send(200, b"fresh", "text/plain", {"Last-Modified": stamp})
            return self.send(404, b"", "text/plain")

        def big(self, declare_length: bool) -> None:
            # 50 MB, streamed in chunks: a correct client stops reading at its cap.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if declare_length:
                self.send_header("Content-Length", str(BIG_SIZE))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<p>" + b"a" * 65_530 + b"</p>"
            sent = 0
            while sent < BIG_SIZE:
                self.wfile.write(chunk)
                sent += len(chunk)
            self.close_connection = True

    return Handler


class FixtureWeb:
    """Start with `with FixtureWeb(outlets=3) as web:`; outlets are at web.outlets[i].base."""

    def __init__(
        self,
        outlets: int = 3,
        articles: int = 5,
        host: str = "127.0.0.1",
        hosts: list[str] | None = None,
    ) -> None:
        self.outlets: list[Outlet] = []
        for i in range(outlets):
            template = TEMPLATES[i % len(TEMPLATES)]
            charset = "windows-1258" if i == 2 else "utf-8"
            outlet = Outlet(name=f"Báo Thử {i + 1}", template=template, charset=charset)
            outlet.publish(articles, start=i * 100_000 + 1)
            bind = hosts[i % len(hosts)] if hosts else host
            server = ThreadingHTTPServer((bind, 0), make_handler(outlet))
            server.daemon_threads = True
            outlet.server = server
            self.outlets.append(outlet)
        self._threads: list[threading.Thread] = []

    def start(self) -> FixtureWeb:
        for outlet in self.outlets:
            thread = threading.Thread(
                target=outlet.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for outlet in self.outlets:
            outlet.server.shutdown()
            outlet.server.server_close()

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # manual exploration: python tests/fixture_web.py
    with FixtureWeb() as web:
        for o in web.outlets:
            print(o.name, o.base + "/rss/home.rss")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
