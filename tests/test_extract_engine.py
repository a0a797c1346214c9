"""extract() as a whole: bad input gives a clear ExtractionError, never a crash or a hang; the
package stays Django-free."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnnews.extract import (
    Article,
    EmptyPageError,
    ExtractionError,
    ExtractOptions,
    NotHTMLError,
    PageTooLargeError,
    extract,
)

ARTICLE = """<html lang="vi"><head><title>Tiêu đề bài - Báo Thử</title></head><body>
<nav><a href="/">Trang chủ</a><a href="/xa-hoi">Xã hội</a></nav>
<article><h1>Tiêu đề bài</h1>
<p>Đoạn một nói về chuyện dài dòng, có dấu phẩy, có nhiều chữ để thành một đoạn văn thật sự.</p>
<p>Đoạn hai cũng dài như vậy, kể tiếp câu chuyện, thêm chi tiết, thêm số liệu và trích dẫn.</p>
</article><footer>Bản quyền thuộc về Báo Thử</footer></body></html>"""


def test_importing_extract_does_not_import_django():
    code = "import sys, vnnews.extract; assert 'django' not in sys.modules, 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_it_extracts_a_simple_article_from_bytes_and_str():
    for page in (ARTICLE, ARTICLE.encode("utf-8")):
        article = extract(page, url="https://example.vn/a.html")
        assert isinstance(article, Article)
        assert article.title == "Tiêu đề bài"
        assert "Đoạn một" in article.text and "Đoạn hai" in article.text
        assert "Trang chủ" not in article.text
        assert "Bản quyền" not in article.text
        assert article.language == "vi"


@pytest.mark.parametrize(
    ("page", "error", "reason"),
    [
        (b"", EmptyPageError, "empty"),
        ("   \n ", EmptyPageError, "empty"),
        (b"%PDF-1.7 \x00\x01\x02", NotHTMLError, "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", NotHTMLError, "PNG"),
        (bytes(range(256)) * 10, NotHTMLError, "binary"),
        ("just some words without markup", NotHTMLError, "no HTML"),
        ("<html><body></body></html>", EmptyPageError, "no visible text"),
        (12345, NotHTMLError, "expected bytes or str"),
    ],
)
def test_it_refuses_bad_input_with_a_named_reason(page, error, reason):
    with pytest.raises(error, match=reason):
        extract(page)


def test_it_refuses_pages_over_the_size_limit():
    with pytest.raises(PageTooLargeError, match="over the limit"):
        extract(ARTICLE.encode(), options=ExtractOptions(max_bytes=100))
    with pytest.raises(PageTooLargeError):
        extract(ARTICLE, options=ExtractOptions(max_bytes=100))


def test_it_survives_deeply_nested_markup():
    page = "<html><body>" + "<div>" * 5000 + "<p>" + "chữ dài, " * 30 + "</p>" + "</div>" * 5000
    article = extract(page + "</body></html>")
    assert "chữ dài" in article.text


@pytest.mark.parametrize(
    "page",
    [
        "<html><body>" + "<div>" * 60000 + "x" + "</div>" * 60000 + "</body></html>",
        "<html><body>" + "<div class='a'>chữ" * 60000 + "</body></html>",
    ],
    ids=["balanced", "never-closed"],
)
def test_it_refuses_hostile_nesting_quickly_instead_of_hanging(page):
    # Lexbor's tree builder is quadratic in depth; such pages are refused before parsing.
    with pytest.raises(ExtractionError, match="levels deep"):
        extract(page)


def test_sloppy_unclosed_paragraphs_are_not_mistaken_for_nesting():
    page = "<html><body><article>" + "<p>Đoạn văn có dấu phẩy, đủ dài để đọc.<br>" * 6000
    assert "Đoạn văn" in extract(page + "</article></body></html>").text


def test_it_survives_truncated_markup():
    article = extract(ARTICLE[: ARTICLE.index("Đoạn hai") + 40])
    assert "Đoạn một" in article.text


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000)))
def test_fuzzed_input_gives_an_article_or_an_extraction_error(page):
    try:
        result = extract(page)
    except ExtractionError:
        return
    assert isinstance(result, Article)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<div>",
                "</div>",
                "<p>",
                "<table><tr><td>",
                "<figure>",
                "<img src=x>",
                "<br>",
                "chữ, ",
                "<a href=/b>",
                "</a>",
                "<ul><li>",
                "<h2>",
                "</h2>",
                "<blockquote>",
                "<figcaption>",
            ]
        ),
        max_size=300,
    )
)
def test_fuzzed_markup_soup_never_crashes(parts):
    with contextlib.suppress(ExtractionError):
        extract("<html><body>" + "".join(parts) + "</body></html>")


def test_the_top_level_api_calls_the_extractor():
    code = (
        "from vnnews import extract, extract_text, Article\n"
        "a = extract('<html><body><p>' + 'chữ dài, có dấu phẩy. ' * 10 + '</p></body></html>')\n"
        "assert isinstance(a, Article) and a.text.startswith('chữ dài')\n"
        "import vnnews.extract as pkg\n"
        "assert pkg.extract('<p>' + 'chữ, ' * 40 + '</p>').text\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
