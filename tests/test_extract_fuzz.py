"""Fuzzing the public extraction functions: whatever comes in, the answer is an Article (or a
datetime/None, or text) or an ExtractionError subclass with a message — never another exception,
never a hang. A per-example alarm turns a hang into a failure (a guard, not a timing check)."""

from __future__ import annotations

import contextlib
import signal
import unicodedata
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnnews.extract.article import Article
from vnnews.extract.encoding import decode_page
from vnnews.extract.errors import ExtractionError
from vnnews.extract.render import to_html, to_markdown, to_text
from vnnews.extract.text_dump import extract_text
from vnnews.text.dates import parse_vietnamese_datetime

try:
    from vnnews.extract import extract
except ImportError:  # pragma: no cover - the HTML engine is built alongside
    extract = None

HANG_GUARD_SECONDS = 20
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


@contextlib.contextmanager
def no_hang():
    def fail(signum, frame):
        raise AssertionError(f"no answer within {HANG_GUARD_SECONDS} s: a hang")

    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(HANG_GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcome(function, *args, **kwargs):
    with no_hang():
        try:
            return function(*args, **kwargs)
        except ExtractionError as error:
            assert str(error), f"{type(error).__name__} without a message"
            return error


WORDS = [
    "Hà Nội", "tin", "Đảng bộ", "khu công nghiệp", "ngày", "Sáng 01/8", "(LĐTĐ)", "Theo Dân trí",
    "Hoàng Phúc - Lê Kiên", "Có thể bạn quan tâm", "Tin khác", "1230 3h5a6444jpg", "ảnh",
    "27/11/2026 08:30", "<", ">", "&amp;", "<script>alert(1)</script>", "\u0301", "\u00a0", "“", "”", "…", ".", "\t", "PV",
]  # fmt: skip
vietnamese_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=60
).map(lambda parts: " ".join(parts))
dump_lines = st.lists(
    st.one_of(vietnamese_text, st.sampled_from(WORDS), st.just("")), max_size=40
).map("\n".join)

TAGS = ["div", "p", "article", "span", "h1", "h2", "figure", "figcaption", "img", "a", "table",
        "tr", "td", "ul", "li", "script", "style", "time", "meta", "br", "section", "iframe"]  # fmt: skip
ATTRS = ['class="content"', 'class="sapo"', 'class="author"', 'src="x.jpg"', 'href="/a"',
         'itemprop="author"', 'datetime="2026-11-27T08:30:00+07:00"', 'id="main"', ""]  # fmt: skip


@st.composite
def html_pages(draw, depth: int = 0):
    parts = []
    for _ in range(draw(st.integers(0, 6 if depth < 4 else 1))):
        kind = draw(st.integers(0, 3))
        if kind == 0 or depth >= 5:
            parts.append(draw(vietnamese_text))
        else:
            tag = draw(st.sampled_from(TAGS))
            attr = draw(st.sampled_from(ATTRS))
            inner = draw(html_pages(depth + 1))
            closing = draw(st.sampled_from([f"</{tag}>", "", "</div>"]))  # malformed too
            parts.append(f"<{tag} {attr}>{inner}{closing}")
    return "".join(parts)


documents = html_pages().map(
    lambda body: f"<html><head><title>Tin</title></head><body>{body}</body></html>"
)


def check_article(result) -> None:
    assert isinstance(result, (Article, ExtractionError)), type(result)
    if isinstance(result, Article):
        for value in (result.published, result.updated):
            assert value is None or value.tzinfo is not None
        assert isinstance(result.to_dict(), dict)


needs_engine = pytest.mark.skipif(extract is None, reason="the HTML engine is not on main yet")


@needs_engine
@FUZZ
@given(st.binary(max_size=3000))
def test_extract_survives_random_bytes(data):
    check_article(outcome(extract, data))


@needs_engine
@settings(FUZZ, max_examples=40)
@given(documents, st.sampled_from([None, "https://laodongthudo.vn/a.html", "not a url", ""]))
def test_extract_survives_malformed_html(page, url):
    check_article(outcome(extract, page, url=url))
    check_article(outcome(extract, page.encode("utf-8"), url=url))


@needs_engine
def test_extract_survives_deep_nesting():
    for page in ("<div>" * 20000 + "chữ" + "</div>" * 20000, "<p><b>" * 5000 + "x"):
        check_article(outcome(extract, page))


@FUZZ
@given(st.one_of(st.text(max_size=3000), dump_lines))
def test_extract_text_survives_any_text(text):
    result = outcome(extract_text, text)
    check_article(result)
    if isinstance(result, Article):
        assert result.title == "" or "\n" not in result.title
        # every rendering of whatever came out works, and the HTML holds no script
        assert "<script" not in to_html(result).lower()
        assert isinstance(to_markdown(result), str) and isinstance(to_text(result), str)


def test_extract_text_survives_huge_lines():
    check_article(outcome(extract_text, "Tiêu đề\n" + "chữ " * 50_000 + "\n" + "a\n" * 5_000))


@FUZZ
@given(
    st.binary(max_size=4000),
    st.sampled_from([None, "utf-8", "iso-8859-1", "windows-1258", "tcvn3", "bogus", ""]),
)
def test_decode_page_survives_random_bytes(data, declared):
    result = outcome(decode_page, data, declared)
    assert isinstance(result, (str, ExtractionError))
    if isinstance(result, str):
        assert unicodedata.is_normalized("NFC", result)


@FUZZ
@given(vietnamese_text, st.sampled_from(["utf-8", "utf-16", "cp1258", "cp1252", "latin-1"]))
def test_decode_page_round_trips_what_an_encoding_can_hold(text, codec):
    page = f"<html><head><meta charset='{codec}'></head><body><p>{text}</p></body></html>"
    try:
        data = page.encode(codec)
    except UnicodeEncodeError:
        return
    result = outcome(decode_page, data)
    if isinstance(result, str) and codec in ("utf-8", "utf-16"):
        assert result == unicodedata.normalize("NFC", page)


date_words = st.sampled_from(
    [
        "Thứ Sáu,",
        "27/11/2026",
        "08:30",
        "(GMT+7)",
        "ngày",
        "27",
        "tháng",
        "11",
        "năm",
        "2026",
        "Sáng",
        "01/8",
        "9/7/2018",
        "9:59:00",
        "AM",
        "PM",
        "giờ",
        "trước",
        "hôm qua",
        "Cập nhật lúc",
        "Fri, 27 Nov 2026",
        "+0700",
        "T",
        "-",
        "Z",
        "99",
        "00",
        "2026-11-27T08:30:00",
    ]  # fmt: skip
)


@FUZZ
@given(
    st.one_of(st.text(max_size=500), st.lists(date_words, max_size=12).map(" ".join)),
    st.sampled_from(
        [None, datetime(2026, 11, 27, 12, 0), datetime(1, 1, 1), datetime(9999, 12, 31)]
    ),
)
def test_parse_vietnamese_datetime_is_none_or_aware(text, reference):
    with no_hang():
        value = parse_vietnamese_datetime(text, reference=reference)
    assert value is None or (isinstance(value, datetime) and value.tzinfo is not None)
