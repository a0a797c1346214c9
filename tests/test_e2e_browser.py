"""End-to-end: the real site in Debian's headless Chromium, driven by Playwright.

Home, a section, the seed's article page (no boilerplate from the original page), search without
diacritics, "Xem thêm" loading more in place, the theme switch, keyboard skip link; screenshots
of the article page at desktop and phone width go to test-output/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from tests.conftest import ROOT
from tests.factories import (
    SEED_BOILERPLATE,
    SEED_CAPTIONS,
    make_article,
    make_section,
    make_seed_article,
    make_source,
    plain_static_files,  # noqa: F401  (autouse)
    seed_by_hand,
    seed_paragraphs,
)
from vnnews.news.models import Article, ArticleViewHour, Story
from vnnews.reader.links import article_path
from vnnews.text import normalize

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A reader's browser: the headless default says "HeadlessChrome", which the view counter skips.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
# Outlet images are hot-linked; with no network the test serves this stand-in for them.
PLACEHOLDER = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="750" viewBox="0 0 1200 750">'
    b'<rect width="1200" height="750" fill="#8a9bb0"/><circle cx="600" cy="330" r="120" '
    b'fill="#c9d3df"/><rect x="300" y="520" width="600" height="60" fill="#c9d3df"/></svg>'
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread; Django then refuses
    ORM calls there unless told they are plain synchronous code, which they are. Only for this
    module's tests, restored afterwards."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(django_db_setup, django_db_blocker, sync_orm_beside_playwright):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Chromium not found at {CHROMIUM} (scripts/ensure-test-deps installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(seed_text):
    politics = make_section("thoi-su", "Thời sự", position=1)
    make_section("kinh-te", "Kinh tế", position=2)
    seed = make_seed_article(seed_text, section=politics)
    outlet = make_source("hanoimoi.vn", "Hà Nội Mới")
    now = timezone.now()
    others = [
        make_article(
            f"Hà Nội khởi công dự án giao thông số {i}",
            sapo=f"Dự án số {i} giúp giảm ùn tắc ở cửa ngõ phía Nam Thủ đô.",
            section=politics,
            source=outlet,
            published=now - timezone.timedelta(minutes=i),
            lead_image=f"https://hanoimoi.vn/anh/{i}.jpg",
        )
        for i in range(30)
    ]
    # Something to show in "Có thể bạn quan tâm" (same story) and "Nên xem" (views this hour).
    story = Story.objects.create(title=seed.title)
    Article.objects.filter(pk__in=[seed.pk, others[3].pk]).update(story=story)
    hour = now.replace(minute=0, second=0, microsecond=0)
    for rank, article in enumerate(others[5:9]):
        ArticleViewHour.objects.create(article=article, hour=hour, count=40 - rank)
    return {"seed": seed, "others": others}


@pytest.fixture
def page(browser, live_server, site):
    context = browser.new_context(
        base_url=live_server.url, user_agent=USER_AGENT, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        elif route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER)
        else:
            route.abort()  # nothing else may leave the machine

    page.route("**/*", route)
    page.errors = errors
    yield page
    context.close()


def test_a_reader_browses_home_a_section_and_loads_more(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    items = page.locator("#moi-nhat > li")
    assert items.count() == 20
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "home-phone.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Xem thêm").first.click()
    # Locator waits, not wait_for_function: that evaluates a string, which our CSP forbids.
    items.nth(20).wait_for()
    page.locator("a.more").wait_for(state="detached")
    assert items.count() == 31  # 30 + the seed, appended in place
    assert urlsplit(page.url)[2:4] == ("/", "")  # loaded in place: still the home page
    assert page.locator("a.more").count() == 0
    page.get_by_role("navigation", name="Chuyên mục").get_by_role("link", name="Thời sự").click()
    page.wait_for_url("**/chuyen-muc/thoi-su/")
    assert page.locator("h1").inner_text() == "Thời sự"
    assert page.errors == []


def test_the_seed_article_page_reads_clean(page, site, seed_text):
    page.goto(article_path(site["seed"]))
    body = page.locator("body").inner_text()
    for paragraph in seed_paragraphs(seed_by_hand(seed_text)):
        assert normalize(paragraph) in body, paragraph[:60]
    captions = page.locator(".story-body figure figcaption").all_inner_texts()
    assert [c.splitlines()[0] for c in captions] == [normalize(c) for c in SEED_CAPTIONS]
    assert page.locator(".byline").inner_text() == "Hoàng Phúc - Lê Kiên"
    for clutter in SEED_BOILERPLATE:
        assert clutter not in body, clutter
    assert page.errors == []

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    boxes = page.locator("aside h2").all_text_contents()
    assert boxes == ["Có thể bạn quan tâm", "Nên xem", "Tin khác"]
    page.screenshot(path=str(SCREENSHOTS / "article-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "article-phone.png"))
    page.screenshot(path=str(SCREENSHOTS / "article-phone-full.png"), full_page=True)


def test_search_without_diacritics_finds_the_seed(page, site):
    page.goto("/")
    page.locator("#q").fill("dao duc toan")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/tim-kiem/?q=dao+duc+toan")
    results = page.locator("#ket-qua h3").all_inner_texts()
    assert results == [site["seed"].title]
    page.get_by_role("link", name=site["seed"].title).click()
    assert page.locator("h1").inner_text() == site["seed"].title


def test_keyboard_and_theme(page, site):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert skip.bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    page.wait_for_url("**#noi-dung")  # the fragment navigation can land after press() returns
    assert page.url.endswith("#noi-dung")
    toggle = page.locator("[data-theme-toggle]")
    assert toggle.is_visible()
    before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    theme = page.evaluate("document.documentElement.dataset.theme")
    assert theme in {"dark", "light"}
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == theme  # remembered
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != before
    if theme == "dark":
        page.goto(article_path(site["seed"]))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SCREENSHOTS / "article-phone-dark.png"))


def test_xem_them_is_a_plain_link_without_javascript(browser, live_server, site):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(live_server.url) else r.abort(),
    )
    page.goto("/chuyen-muc/thoi-su/")
    assert page.locator("[data-theme-toggle]").is_hidden()
    page.get_by_role("link", name="Xem thêm").click()
    page.wait_for_url("**/chuyen-muc/thoi-su/?trang=2")
    assert page.locator("ol.items > li").count() == 11
    context.close()
