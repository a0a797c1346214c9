"""The address an imported HTML file declares (importers.html.declared_url)."""

from __future__ import annotations

import pytest

from vnnews.news.importers.html import declared_url


@pytest.mark.parametrize(
    ("head", "url"),
    [
        (b'<link rel="canonical" href="https://a.vn/1">', "https://a.vn/1"),
        (b"<LINK REL=Canonical HREF=https://a.vn/2>", "https://a.vn/2"),
        (b'<meta property="og:url" content="https://a.vn/3"><link rel=canonical href=/x>', "https://a.vn/3"),
        (b'<link rel=canonical href="https://a.vn/4"><meta property=og:url content="https://b.vn/">', "https://a.vn/4"),
        (b'<meta content="a>b" property="og:url" x="https://a.vn/5">', ""),  # tag ends at the first >
        (b'<script>var canonical = "https://a.vn/6";</script>', ""),
        (b'<link rel="canonical" href="">  <link rel="canonical" href="https://a.vn/7">', "https://a.vn/7"),
        (b'<linkx rel="canonical" href="https://a.vn/8">', ""),
    ],
)  # fmt: skip
def test_the_canonical_link_then_og_url(head, url):
    assert declared_url(b"<html><head>" + head + b"</head><body>x</body></html>") == url
