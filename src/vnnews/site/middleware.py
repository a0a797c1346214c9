"""HTTP behaviour of every public response: security headers, validators with conditional GET,
cache headers, and a page cache on the embedded default (no extra server).

Order in settings.MIDDLEWARE (outermost first):

    SecurityHeadersMiddleware   CSP, Referrer-Policy, nosniff, Permissions-Policy on everything
    ConditionalGetMiddleware    weak ETag + Last-Modified + Cache-Control; 304 when they match
    PageCacheMiddleware         serves anonymous GETs of pages, feeds and API from the cache

so a cached page still gets validators and headers, and a 304 costs neither a view nor the cache
entry's body going out.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe

from vnnews.api import content_version

# Outlets' images are hot-linked from their own hosts (https), so img-src allows https: and data:
# (tiny placeholders); everything else comes from this site only. No 'unsafe-inline' anywhere:
# the reader's scripts and styles are files. frame-ancestors replaces X-Frame-Options (CSP3).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' https: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
REFERRER_POLICY = "strict-origin-when-cross-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"

# Content types whose responses are public documents we validate and cache.
_CACHEABLE_TYPES = (
    "text/html",
    "application/json",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "text/plain",
)
_PRIVATE_PREFIXES = ("/admin/",)


def _is_private_path(path: str) -> bool:
    return path.startswith(_PRIVATE_PREFIXES) or path.startswith(settings.STATIC_URL)


def _cacheable_type(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() in _CACHEABLE_TYPES


def _anonymous(request: HttpRequest) -> bool:
    """No session and no login: the page is the same for everyone. Decided from cookies, so it
    works before the session and auth middleware have run."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def weak_etag(content: bytes) -> str:
    """A weak validator from the body (RFC 9110 §8.8.3): W/ because the same page may be served
    byte-for-byte differently (compression by a proxy) while meaning the same."""
    return 'W/"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def max_age_for(request: HttpRequest, response: HttpResponse) -> int:
    """Short freshness for HTML (new articles arrive every few minutes), longer for feeds and
    sitemaps that readers poll."""
    kind = response.get("Content-Type", "").split(";")[0].strip()
    if kind == "text/html":
        return settings.VNNEWS_HTML_MAX_AGE
    return settings.VNNEWS_FEED_MAX_AGE


class ConditionalGetMiddleware:
    """ETag, Last-Modified and Cache-Control on public GET responses, and 304 Not Modified when
    the request's validators match (RFC 9110 §13.1, §13.2.2: If-None-Match wins over
    If-Modified-Since when both are sent)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in {"GET", "HEAD"} or response.status_code != 200:
            return response
        if response.streaming or _is_private_path(request.path):
            return response
        if not _cacheable_type(response):
            return response
        if not response.has_header("ETag"):
            response["ETag"] = weak_etag(response.content)
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(time.time())
        if not response.has_header("Cache-Control"):
            if _anonymous(request) and not response.cookies:
                response["Cache-Control"] = f"public, max-age={max_age_for(request, response)}"
            else:
                response["Cache-Control"] = "private, no-cache"
        return self._not_modified(request, response) or response

    @staticmethod
    def _not_modified(request: HttpRequest, response: HttpResponse) -> HttpResponse | None:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            if not _etag_matches(if_none_match, response["ETag"]):
                return None
        else:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
            modified = parse_http_date_safe(response["Last-Modified"])
            if since is None or modified is None or modified > since:
                return None
        # A 304 repeats the headers a 200 would have sent that describe the representation
        # (RFC 9110 §15.4.5), and has no body.
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Expires"):
            if response.has_header(header):
                not_modified[header] = response[header]
        return not_modified


class PageCacheMiddleware:
    """Whole-response cache for anonymous GETs, keyed by the content version and the URL.

    Any saved article bumps the version (vnnews.api.content_version), so a cached page never
    outlives a change by more than the version memo; the TTL (VNNEWS_PAGE_CACHE_SECONDS, 0 turns
    the cache off) bounds what changes without a save, such as "Nên xem" view counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def _key(self, request: HttpRequest) -> str:
        url = request.get_host() + request.get_full_path()
        digest = hashlib.blake2b(url.encode("utf-8"), digest_size=16).hexdigest()
        return f"vnnews:page:{content_version.current()}:{digest}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ttl = settings.VNNEWS_PAGE_CACHE_SECONDS
        if (
            ttl <= 0
            or request.method not in {"GET", "HEAD"}
            or _is_private_path(request.path)
            or not _anonymous(request)
        ):
            return self.get_response(request)
        store = caches[settings.VNNEWS_PAGE_CACHE_ALIAS]
        key = self._key(request)
        entry = store.get(key)
        if entry is not None:
            status, content, headers = entry
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._storable(response):
            # Validators are fixed now, so a hit answers with the same ETag and Last-Modified.
            response.headers.setdefault("ETag", weak_etag(response.content))
            response.headers.setdefault("Last-Modified", http_date(time.time()))
            headers = [(n, v) for n, v in response.items() if n.lower() != "x-cache"]
            store.set(key, (response.status_code, response.content, headers), ttl)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        cache_control = response.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control:
            return False
        return _cacheable_type(response) and "Cookie" not in response.get("Vary", "")
