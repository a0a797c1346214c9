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
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.fixture_outlets import SECTIONS, TEMPLATES, ArticleText, Outlet, to_cp1258

__all__ = ["ArticleText", "FixtureWeb", "Outlet", "to_cp1258"]


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
                outlet.wait_until_open()
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
    """Start with `with FixtureWeb(outlets=3) as web:`; outlets are at web.outlets[i].base.

    texts: optional, one sequence of real article texts per outlet; outlet i publishes texts[i]
    in order (its first `articles` of them at once). Without it, text is generated.
    """

    def __init__(
        self,
        outlets: int = 3,
        articles: int = 5,
        host: str = "127.0.0.1",
        hosts: list[str] | None = None,
        texts: list[Iterable[ArticleText]] | None = None,
    ) -> None:
        self.outlets: list[Outlet] = []
        for i in range(outlets):
            template = TEMPLATES[i % len(TEMPLATES)]
            charset = "windows-1258" if i == 2 else "utf-8"
            outlet = Outlet(name=f"Báo Thử {i + 1}", template=template, charset=charset)
            if texts is not None:
                outlet.use_texts(texts[i])
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
