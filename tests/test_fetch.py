"""The polite, guarded HTTP client (vnnews.fetch) against the fixture web on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.fixture_web import FixtureWeb
from tests.test_workers import wait_for
from vnnews.fetch import (
    BlockedAddress,
    BodyTooLarge,
    Fetcher,
    FetchOptions,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    RateLimited,
    RobotsDisallowed,
    RobotsUnavailable,
    TooManyRedirects,
    backoff_delay,
    parse_retry_after,
)
from vnnews.fetch.address_guard import is_allowed, resolve_checked
from vnnews.fetch.politeness import HostThrottle

LOCAL = frozenset({"127.0.0.1"})


@pytest.fixture(scope="module")
def web():
    with FixtureWeb(outlets=3, articles=3) as fixture:
        yield fixture


def fetcher(**overrides) -> Fetcher:
    options = dict(
        allow_hosts=LOCAL,
        min_host_delay=0.0,
        max_bytes=1_000_000,
        read_timeout=2.0,
        total_timeout=3.0,
    )
    options.update(overrides)
    return Fetcher(FetchOptions(**options))


def test_it_fetches_a_page_and_passes_the_charset_on(web):
    outlet = web.outlets[2]  # serves windows-1258
    with fetcher() as client:
        result = client.fetch(outlet.article_urls()[0])
    assert result.status == 200
    assert result.charset == "windows-1258"
    text = unicodedata.normalize("NFC", result.body.decode(result.charset))
    assert outlet.articles[0].title in text


def test_it_sends_an_honest_user_agent():
    options = FetchOptions(site_url="https://tin.example")
    assert options.agent.startswith("vnnews/")
    assert "(+https://tin.example)" in options.agent


def test_it_answers_not_modified_when_the_etag_still_matches(web):
    url = web.outlets[0].base + "/rss/home.rss"
    with fetcher() as client:
        first = client.fetch(url)
        second = client.fetch(url, etag=first.etag)
        web.outlets[0].publish(1)
        third = client.fetch(url, etag=first.etag)
    assert first.status == 200 and first.etag
    assert second.not_modified and second.body == b""
    assert third.status == 200 and third.etag != first.etag


def test_it_sends_if_modified_since(web):
    url = web.outlets[0].base + "/misbehave/last-modified"
    with fetcher() as client:
        first = client.fetch(url)
        second = client.fetch(url, last_modified=first.last_modified)
    assert first.status == 200 and second.not_modified


def test_it_follows_a_redirect_and_reports_the_final_url(web):
    outlet = web.outlets[0]
    with fetcher() as client:
        result = client.fetch(outlet.base + "/misbehave/to-article")
    assert result.url == outlet.article_urls()[0]
    assert result.redirects == [outlet.article_urls()[0]]


@pytest.mark.parametrize(
    ("path", "error", "reason"),
    [
        ("/misbehave/loop-a", TooManyRedirects, "redirect loop"),
        ("/misbehave/chain-1", TooManyRedirects, "more than 5 redirects"),
        ("/misbehave/to-private", BlockedAddress, "10.0.0.1"),
        ("/misbehave/to-metadata", BlockedAddress, "169.254.169.254"),
        ("/misbehave/to-ipv6-loopback", BlockedAddress, "::1"),
        ("/misbehave/to-localhost-name", BlockedAddress, "127.0.0.1"),
        ("/misbehave/big", BodyTooLarge, "cap"),
        ("/misbehave/big-declared", BodyTooLarge, "Content-Length"),
        ("/private/secret.html", RobotsDisallowed, "robots.txt"),
        ("/members/page.html", RobotsDisallowed, "robots.txt"),
        ("/does-not-exist", HTTPStatusError, "HTTP 404"),
        ("/misbehave/500", HTTPStatusError, "HTTP 500"),
    ],
)
def test_it_refuses_misbehaving_pages_with_a_named_reason(web, path, error, reason):
    url = web.outlets[1].base + path
    with fetcher() as client, pytest.raises(error) as caught:
        client.fetch(url)
    assert reason in caught.value.reason
    assert caught.value.url.startswith("http")


def test_it_refuses_a_private_redirect_before_connecting(web):
    outlet = web.outlets[1]
    connected: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        connected.append(host)
        return ["127.0.0.1"]

    with fetcher() as client, pytest.raises(BlockedAddress):
        client._resolver = resolver
        client.fetch(outlet.base + "/misbehave/to-metadata")
    # 169.254.169.254 is an IP literal: judged without DNS, and no request was sent to it.
    assert "169.254.169.254" not in connected


@pytest.mark.parametrize(
    ("answers", "blocked"),
    [
        (["10.1.2.3"], True),
        (["93.184.216.34", "127.0.0.1"], True),  # one bad answer in a round robin is enough
        (["::ffff:192.168.1.1"], True),  # IPv4-mapped IPv6
        (["fe80::1"], True),
        (["fc00::5"], True),
        (["224.0.0.1"], True),
        (["0.0.0.0"], True),
        (["100.64.0.1"], True),  # carrier-grade NAT, not global
        (["93.184.216.34"], False),
        (["2606:4700::1111"], False),
    ],
)
def test_it_judges_every_resolved_address(answers, blocked):
    def resolver(host: str, port: int) -> list[str]:
        return answers

    if blocked:
        with pytest.raises(BlockedAddress):
            resolve_checked("http://tin.example/", "tin.example", 80, frozenset(), resolver)
    else:
        assert (
            resolve_checked("http://tin.example/", "tin.example", 80, frozenset(), resolver)
            == answers[0]
        )


def test_the_allow_list_matches_the_written_host_not_what_it_resolves_to():
    assert is_allowed("127.0.0.1", LOCAL)
    assert is_allowed("127.0.0.7", frozenset({"127.0.0.0/8"}))
    assert not is_allowed("localhost", LOCAL)
    assert not is_allowed("evil.example", LOCAL)


def test_it_connects_to_the_checked_address_it_resolved(web):
    # "tin.example" exists only in our resolver: the request can succeed only if the connection is
    # pinned to the address the guard checked, with the name kept in the Host header.
    outlet = web.outlets[0]
    port = outlet.server.server_address[1]
    with fetcher(allow_hosts=frozenset({"tin.example"})) as client:
        client._resolver = lambda host, p: ["127.0.0.1"]
        result = client.fetch(f"http://tin.example:{port}/rss/home.rss")
    assert result.status == 200 and b"<rss" in result.body


@pytest.mark.parametrize(
    "url", ["ftp://tin.example/a", "file:///etc/passwd", "http://user:pw@tin.example/", "http:///x"]
)
def test_it_refuses_urls_it_should_not_fetch(url):
    with fetcher() as client, pytest.raises(InvalidURL):
        client.fetch(url)


def test_it_gives_up_on_a_slow_server():
    """The server holds the page until the client has given up: the read timeout has to fire,
    however slowly either side runs. (No robots.txt: it would be fetched on the same budget.)"""
    with FixtureWeb(outlets=1, articles=1) as own:
        outlet = own.outlets[0]
        outlet.pages_open.clear()
        try:
            with (
                fetcher(read_timeout=0.3, obey_robots=False) as client,
                pytest.raises(FetchTimeout) as caught,
            ):
                client.fetch(outlet.article_urls()[0])
            assert "timed out" in caught.value.reason  # the read timeout, not the total one
            # The request did reach the server, which still holds it.
            wait_for(lambda: outlet.held == 1, 30, "the server to hold the request")
        finally:
            outlet.pages_open.set()


def test_it_gives_up_on_a_server_that_drips_bytes(web):
    """Bytes keep coming (one per 0.2 s, far within the read timeout), so only the total
    timeout can stop it."""
    with (
        fetcher(read_timeout=30, total_timeout=0.5, obey_robots=False) as client,
        pytest.raises(FetchTimeout) as caught,
    ):
        client.fetch(web.outlets[1].base + "/misbehave/drip")
    assert "longer than" in caught.value.reason


def test_it_honours_retry_after_and_stops_asking_the_host():
    with FixtureWeb(outlets=1, articles=1) as own:
        outlet = own.outlets[0]
        with fetcher() as client:
            with pytest.raises(RateLimited) as caught:
                client.fetch(outlet.base + "/misbehave/429")
            assert caught.value.retry_after == 120
            hits_before = dict(outlet.hits)
            with pytest.raises(RateLimited):
                client.fetch(outlet.article_urls()[0])
        assert outlet.hits == hits_before  # the second request never reached the server


def test_it_reads_retry_after_as_an_http_date_on_503():
    with (
        FixtureWeb(outlets=1, articles=1) as own,
        fetcher() as client,
        pytest.raises(RateLimited) as caught,
    ):
        client.fetch(own.outlets[0].base + "/misbehave/503-date")
    assert caught.value.status == 503
    assert 60 < caught.value.retry_after <= 90


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (format_datetime(datetime(2026, 1, 1, 0, 2, tzinfo=UTC), usegmt=True), 120.0),
        (format_datetime(datetime(2025, 12, 31, tzinfo=UTC), usegmt=True), 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_it_parses_retry_after(header, seconds):
    assert parse_retry_after(header, now=datetime(2026, 1, 1, tzinfo=UTC)) == seconds


def test_backoff_doubles_and_is_capped():
    delays = [backoff_delay(n, base=10, cap=100, jitter=0) for n in range(0, 7)]
    assert delays == [0.0, 10, 20, 40, 80, 100, 100]


def test_the_throttle_spaces_requests_to_one_host_but_not_across_hosts():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = HostThrottle(concurrency=1, min_delay=2.0, clock=lambda: now[0], sleep=sleep)
    for host in ["a:80", "a:80", "b:80", "a:80"]:
        with throttle.request(host):
            pass
    assert slept == [2.0, 2.0]


def test_robots_txt_is_fetched_once_per_host():
    with FixtureWeb(outlets=1, articles=3) as own, fetcher() as client:
        outlet = own.outlets[0]
        for url in outlet.article_urls():
            client.fetch(url)
    assert outlet.hits.get("/robots.txt") == 1


def test_the_fetch_core_does_not_import_django():
    code = "import sys, vnnews.fetch, vnnews.feeds; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_retry_after_far_away_is_capped():
    when = datetime.now(UTC) + timedelta(days=30)
    assert parse_retry_after(format_datetime(when, usegmt=True)) > 6 * 3600  # the parser is honest
    assert FetchOptions().max_retry_after == 6 * 3600  # the client caps what it obeys


def test_it_honours_a_crawl_delay_from_robots_txt():
    with FixtureWeb(outlets=1, articles=1) as own, fetcher() as client:
        outlet = own.outlets[0]
        outlet.crawl_delay = 2  # urllib.robotparser reads whole seconds only
        client.fetch(outlet.article_urls()[0])
        netloc = outlet.base.split("//", 1)[1]
        assert client.throttle._host_delay[netloc] == 2


def test_a_host_that_cannot_be_reached_says_so_not_that_robots_forbids_it():
    # A port nobody listens on: robots.txt cannot be fetched, so nothing is fetched, and the
    # reason names the connection failure (RFC 9309: unreachable robots.txt = wait).
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with fetcher() as client, pytest.raises(RobotsUnavailable) as caught:
        client.fetch(f"http://127.0.0.1:{port}/thoi-su/bai-viet-12345.html")
    assert "cannot connect" in caught.value.reason and caught.value.retryable
