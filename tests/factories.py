"""Small ORM factories for the reader and search tests, and the seed page as a stored article."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from vnnews.news.models import Article, Section, Source
from vnnews.text import normalize

_counter = itertools.count(1)

SEED_URL = "https://laodongthudo.vn/tiep-tuc-lam-tot-vai-tro-cau-noi-giua-doanh-nghiep-va-chinh-quyen-108254.html"
SEED_BYLINE = "Hoàng Phúc - Lê Kiên"
SEED_CAPTIONS = [
    "Phó Bí thư Thành ủy Hà Nội Đào Đức Toàn phát biểu chỉ đạo Đại hội",
    "Phó Bí thư Thành ủy Hà Nội Đào Đức Toàn tặng hoa chúc mừng Ban Chấp hành khoá mới",
]
# Text of the seed page that is not the article: inline related headlines, image file names,
# the teasers under "Có thể bạn quan tâm" / "Nên xem" / "Tin khác", and the page chrome.
SEED_BOILERPLATE = [
    "Cần tính đến việc xây thêm sân bay quốc tế ở phía Nam Hà Nội",
    "Tập trung giải quyết các vụ án mà dư luận xã hội quan tâm",
    "Hà Nội sẽ kết hợp giữa “diện” và “điểm” trong công tác dân vận",
    "1230 3h5a6444jpg",
    "1240 image gallery 2",
    "Phiên bản di động",
    "Tây Hồ toả sáng",
    "Thanh Trì: Triển khai cho vay ưu đãi gần 700 triệu đồng tháng 12",
    "Lần đầu tiên ngành Thuế thu đạt 1,7 triệu tỷ đồng",
    "Luật Thủ đô 2024: Cơ hội để Hà Nội phát triển thương mại văn hóa",
    "Triển lãm “Thiên Quang”",
    "xúc xích Cocktail",
    "Cập nhật giá vàng, tỷ giá sáng 23/12",
    "Tết sớm trên phố",
    "Quận Hai Bà Trưng: Sẵn sàng vận hành",
    "Triển lãm Quốc phòng Quốc tế Việt Nam 2024",
    "Quận Thanh Xuân diễn tập chữa cháy",
    "Hà Nội điều chỉnh bảng giá đất",
    "Quận Bắc Từ Liêm",
    "Cử tri kiến nghị về chính sách hỗ trợ giải phóng mặt bằng",
]
_FILE_NAME = re.compile(r"^\d+ [\w ]*(jpg|png|gallery \d+)$", re.I)


def make_section(slug: str = "", name: str = "", position: int = 100) -> Section:
    n = next(_counter)
    return Section.objects.create(
        slug=slug or f"chuyen-muc-{n}", name=name or f"Chuyên mục {n}", position=position
    )


def make_source(domain: str = "", name: str = "") -> Source:
    n = next(_counter)
    domain = domain or f"bao{n}.example.vn"
    return Source.objects.get_or_create(
        domain=domain, defaults={"name": name or f"Báo {n}", "home_url": f"https://{domain}/"}
    )[0]


def make_article(
    title: str = "",
    *,
    source: Source | None = None,
    section: Section | None = None,
    published: datetime | None = None,
    text: str = "",
    sapo: str = "",
    blocks: list[dict] | None = None,
    **fields,
) -> Article:
    n = next(_counter)
    source = source or make_source()
    title = normalize(title or f"Bài báo thử số {n}")
    text = normalize(text or f"Nội dung của bài báo thử số {n}.")
    if blocks is None:
        blocks = [{"kind": "paragraph", "text": p} for p in text.split("\n") if p]
    return Article.objects.create(
        url=fields.pop("url", f"https://{source.domain}/bai-{n}.html"),
        source=source,
        section=section,
        title=title,
        sapo=normalize(sapo),
        text=text,
        blocks=blocks,
        published=published or timezone.now() - timedelta(minutes=n),
        content_hash=fields.pop("content_hash", f"{n:064x}"),
        **fields,
    )


def mark_pending(article_id: int) -> None:
    """Put a stored article in line for the story grouper, as live ingestion's store does in
    the article's own write (`ingest_page(group_later=True)`)."""
    Article.objects.filter(pk=article_id).update(story_waiting=True)


def make_articles(count: int, **kwargs) -> list[Article]:
    now = timezone.now()
    return [make_article(published=now - timedelta(minutes=i), **kwargs) for i in range(count)]


def seed_by_hand(seed_text: str) -> dict:
    """The seed page read with what we know of its layout: the truth the page tests check
    against, and the article itself until the plain-text extractor lands."""
    lines = [line.strip() for line in seed_text.splitlines()]
    title = lines[0]
    sapo = next(line for line in lines if line.startswith("(LĐTĐ)"))
    end = lines.index(SEED_BYLINE)
    blocks: list[dict] = []
    body = lines[lines.index(sapo) + 1 : end]
    i = 0
    while i < len(body):
        line = body[i]
        if _FILE_NAME.match(line) and i + 1 < len(body):
            n = len([b for b in blocks if b["kind"] == "image"]) + 1
            blocks.append(
                {
                    "kind": "image",
                    "src": f"https://laodongthudo.vn/stores/news_dataimages/seed-{n}.jpg",
                    "alt": body[i + 1],
                    "caption": body[i + 1],
                    "credit": "Ảnh: Hoàng Phúc",
                }
            )
            i += 2
            continue
        if len(line) > 120:  # the short lines between paragraphs are related headlines
            blocks.append({"kind": "paragraph", "text": line})
        i += 1
    return {"title": title, "sapo": sapo, "blocks": blocks, "byline": SEED_BYLINE}


def seed_fields(seed_text: str) -> dict:
    try:
        from vnnews.extract import extract_text
    except ImportError:
        return seed_by_hand(seed_text)
    extracted = extract_text(seed_text, url=SEED_URL)
    blocks = [b.to_dict() for b in extracted.blocks]
    # Plain text carries no image addresses; give the figures one so the page shows them.
    for n, block in enumerate((b for b in blocks if b["kind"] == "image"), start=1):
        block.setdefault("src", f"https://laodongthudo.vn/stores/news_dataimages/seed-{n}.jpg")
    return {
        "title": extracted.title,
        "sapo": extracted.sapo,
        "blocks": blocks,
        "byline": extracted.byline,
    }


def seed_paragraphs(fields: dict) -> list[str]:
    return [b["text"] for b in fields["blocks"] if b["kind"] == "paragraph"]


def make_seed_article(seed_text: str, *, section: Section | None = None, **extra) -> Article:
    fields = seed_fields(seed_text)
    source = make_source("laodongthudo.vn", "Lao Động Thủ Đô")
    section = (
        section
        or Section.objects.get_or_create(
            slug="thoi-su", defaults={"name": "Thời sự", "position": 1}
        )[0]
    )
    return make_article(
        fields["title"],
        source=source,
        section=section,
        sapo=fields["sapo"],
        text="\n".join(seed_paragraphs(fields)),
        blocks=[
            {**b, "text": normalize(b.get("text", ""))} if b.get("text") else b
            for b in fields["blocks"]
        ],
        byline=fields["byline"],
        authors=["Hoàng Phúc", "Lê Kiên"],
        tags=["Đảng bộ", "Khu công nghiệp"],
        url=SEED_URL,
        published=extra.pop("published", timezone.make_aware(datetime(2020, 8, 1, 11, 30))),
        lead_image=next((b["src"] for b in fields["blocks"] if b["kind"] == "image"), ""),
        **extra,
    )


def use_memory_caches(settings, prefix: str) -> None:
    """Both caches in process memory (locations `<prefix>1`, `<prefix>2`), emptied, and the
    content version forgotten, so a test sees no answer cached by an earlier one."""
    from django.core.cache import caches

    from vnnews.api import content_version

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"{prefix}1",
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"{prefix}2",
        },
    }
    for alias in ("default", "pages"):
        caches[alias].clear()
    content_version.forget()


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Static URLs without collectstatic's manifest (tests never run collectstatic), no page
    cache (each test sees its own rows) and no views left waiting from an earlier test."""
    from vnnews.reader import view_counter

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.VNNEWS_PAGE_CACHE_SECONDS = 0
    view_counter._pending.clear()
    yield
    view_counter._pending.clear()
