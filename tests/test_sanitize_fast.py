"""The sanitiser's shortcuts give what its full checks give: str.isprintable() before the
control-character regex, and plain web addresses accepted without urlsplit."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import pytest

from vnnews import sanitize
from vnnews.sanitize import _CONTROL_OR_INVISIBLE, _SPACE_OR_INVISIBLE, clean_url


def test_every_character_the_control_regex_finds_is_not_printable():
    found = [chr(cp) for cp in range(sys.maxunicode + 1) if _CONTROL_OR_INVISIBLE.match(chr(cp))]
    assert "\u200b" in found and "\x85" in found
    assert not any(ch.isprintable() for ch in found)


@pytest.mark.parametrize(
    "text",
    [
        "plain", "a\u200bb", "line\none", "x\x85y\nz", "tab\there", "bom\ufeff", "nbsp\u00a0x",
        "Hà Nội\n\nđẹp", "\u2028sep", "priv\ue000", "cr\r\n", " \n", "a\n\n\nb", "<b>x</b>",
    ],
)  # fmt: skip
def test_is_plain_is_what_the_regex_alone_says(text):
    expected = not (
        _CONTROL_OR_INVISIBLE.search(text)
        or " \n" in text
        or "\n\n\n" in text
        or (("<" in text or "&" in text) and sanitize._MARKUP.search(text))
    )
    assert sanitize._is_plain(text) == expected


def _by_urlsplit(url: str) -> str:
    """clean_url without its shortcut (as it was)."""
    if not url:
        return ""
    url = url.strip()
    if _SPACE_OR_INVISIBLE.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    return url


URLS = [
    "https://vnexpress.net/a-1.html", "HTTP://Example.COM", "http://a", "https://x.vn?q=1",
    "https://x.vn#f", "http://x.vn/", "http://a:80/", "http://user@host/p", "http://[::1]/",
    "http://[::1/", "http://-x.vn/", "http://.", "http://", "http:///path", "ftp://x.vn/",
    "javascript:alert(1)", "//x.vn/a", "http://x.vn:abc/", "https://xn--bcher-kva.example/",
    "https://bücher.example/", "http://x.vn\\@evil.com/", "http:/x.vn", "https://x.vn/ a",
    "  https://x.vn/  ", "httpx://x.vn", "https://x_y.vn/", "HtTpS://x.vn",
]  # fmt: skip


@pytest.mark.parametrize("url", URLS)
def test_clean_url_is_what_urlsplit_says(url):
    assert clean_url(url) == _by_urlsplit(url)
