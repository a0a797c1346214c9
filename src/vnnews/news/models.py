"""What vnnews stores: outlets, sections, articles with their images and raw pages, and a record
of every import or ingest attempt. Only orchestrators in this app write these rows."""

from __future__ import annotations

import json

from django.db import connection, models
from django.utils import timezone


class EncodedJSONText(str):
    """A JSON column's value already encoded as the column stores it (bulk.EncodedJSON, made
    ahead by an import worker): written as it is by the bulk insert, never encoded again."""


class LettersJSONEncoder(json.JSONEncoder):
    """JSON with Vietnamese letters written as they are, not as \\uXXXX escapes (json's default).
    On SQLite JSON is stored as text, where an escaped accented letter takes 6 bytes instead of
    2 or 3: an article's blocks took ~6.2 KB for ~3.7 KB of text. Values read back the same."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)

    def encode(self, o):
        # Encoding it again would store a JSON string holding the JSON, silently: a save path
        # that forgot bulk.decode_json must fail instead.
        if isinstance(o, EncodedJSONText):
            raise TypeError("a JSON value encoded ahead (bulk.EncodedJSON) must be decoded first")
        return super().encode(o)


SIMHASH_BANDS = 4


def _simhash_band(n: int) -> models.GeneratedField:
    """Bits 16n..16n+15 of the stored SimHash (a signed 64-bit value: both databases shift it
    arithmetically, so the bits are those of the unsigned fingerprint)."""
    return models.GeneratedField(
        expression=models.F("simhash").bitrightshift(16 * n).bitand(0xFFFF),
        output_field=models.IntegerField(null=True),
        db_persist=True,
        db_index=True,
        verbose_name=f"SimHash, dải {n}",
    )


class Section(models.Model):
    """One unified Vietnamese section list; outlets' own categories map onto it."""

    slug = models.SlugField("đường dẫn", max_length=64, unique=True)
    name = models.CharField("tên", max_length=100)
    position = models.PositiveSmallIntegerField("thứ tự", default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "chuyên mục"
        verbose_name_plural = "chuyên mục"

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """A news outlet. Politeness and health are state on this row (design rule 5)."""

    name = models.CharField("tên", max_length=200)
    domain = models.CharField("tên miền", max_length=200, unique=True)
    home_url = models.URLField("trang chủ", max_length=500, blank=True)
    enabled = models.BooleanField("đang theo dõi", default=True)
    # Health, shown in the admin and `vnnews sources`.
    last_success_at = models.DateTimeField("lần thành công cuối", null=True, blank=True)
    last_error_at = models.DateTimeField("lần lỗi cuối", null=True, blank=True)
    last_error = models.TextField("lỗi cuối", blank=True)
    error_count = models.PositiveIntegerField("số lỗi liên tiếp", default=0)
    disabled_reason = models.CharField("lý do tắt", max_length=300, blank=True)
    # Politeness shared by every worker process (ingest_live.claim_fetch_slot): the earliest
    # moment the next article fetch from this outlet may start. Each fetch moves it one
    # HOST_DELAY on, so N workers together keep one outlet's pace, not N times it.
    next_fetch_at = models.DateTimeField("lượt tải kế tiếp", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "nguồn tin"
        verbose_name_plural = "nguồn tin"

    def __str__(self) -> str:
        return self.name


class SectionAlias(models.Model):
    """An outlet's own category name (folded) mapped onto one of our sections."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, null=True, blank=True)
    name_key = models.CharField("tên gốc (đã chuẩn hoá)", max_length=200)
    section = models.ForeignKey(Section, on_delete=models.CASCADE, verbose_name="chuyên mục")

    class Meta:
        unique_together = [("source", "name_key")]
        verbose_name = "ánh xạ chuyên mục"
        verbose_name_plural = "ánh xạ chuyên mục"


class Feed(models.Model):
    """Where we discover an outlet's articles: RSS/Atom, a sitemap, or a section page to scan.
    Conditional-GET validators and the polling schedule live on the row (design rule 5)."""

    class Kind(models.TextChoices):
        RSS = "rss", "RSS/Atom"
        SITEMAP = "sitemap", "sitemap"
        NEWS_SITEMAP = "news_sitemap", "Google News sitemap"
        SECTION_PAGE = "section_page", "trang chuyên mục"

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="feeds", verbose_name="nguồn"
    )
    url = models.URLField("địa chỉ", max_length=2000, unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices, default=Kind.RSS)
    source_section = models.CharField("chuyên mục gốc", max_length=200, blank=True)
    enabled = models.BooleanField("đang theo dõi", default=True)
    etag = models.CharField("ETag", max_length=500, blank=True)
    last_modified = models.CharField("Last-Modified", max_length=100, blank=True)
    interval_seconds = models.PositiveIntegerField("chu kỳ (giây)", default=600)
    next_check_at = models.DateTimeField("kiểm tra tiếp lúc", default=timezone.now, db_index=True)
    last_checked_at = models.DateTimeField("kiểm tra lần cuối", null=True, blank=True)
    last_error = models.TextField("lỗi cuối", blank=True)
    error_count = models.PositiveIntegerField("số lỗi liên tiếp", default=0)

    class Meta:
        verbose_name = "kênh tin"
        verbose_name_plural = "kênh tin"

    def __str__(self) -> str:
        return self.url


class Story(models.Model):
    """A cluster of articles covering the same event, across outlets."""

    title = models.CharField("tiêu đề", max_length=1000)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    updated_at = models.DateTimeField("cập nhật", default=timezone.now, db_index=True)
    size = models.PositiveIntegerField("số bài", default=1)

    class Meta:
        verbose_name = "sự kiện"
        verbose_name_plural = "sự kiện"

    def __str__(self) -> str:
        return self.title


class RawPage(models.Model):
    """Where the original bytes of a page are archived (a WARC file and record offset)."""

    url = models.URLField("địa chỉ", max_length=2000)
    fetched_at = models.DateTimeField("lấy lúc", default=timezone.now)
    warc_path = models.CharField("tệp WARC", max_length=500)
    warc_offset = models.BigIntegerField("vị trí trong WARC")
    content_type = models.CharField("kiểu nội dung", max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("kích thước", default=0)

    class Meta:
        verbose_name = "trang gốc"
        verbose_name_plural = "trang gốc"
        indexes = [models.Index(fields=["url"])]

    def __str__(self) -> str:
        return self.url


class Article(models.Model):
    url = models.URLField("địa chỉ chuẩn", max_length=2000, unique=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="articles", verbose_name="nguồn"
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name="chuyên mục",
    )
    source_section = models.CharField("chuyên mục gốc", max_length=200, blank=True)
    title = models.CharField("tiêu đề", max_length=1000)
    sapo = models.TextField("sapo", blank=True)
    blocks = models.JSONField("khối nội dung", default=list, blank=True, encoder=LettersJSONEncoder)
    text = models.TextField("nội dung", blank=True)
    authors = models.JSONField("tác giả", default=list, blank=True, encoder=LettersJSONEncoder)
    byline = models.CharField("dòng tác giả", max_length=500, blank=True)
    published = models.DateTimeField("xuất bản", null=True, blank=True, db_index=True)
    updated = models.DateTimeField("cập nhật", null=True, blank=True)
    tags = models.JSONField("thẻ", default=list, blank=True, encoder=LettersJSONEncoder)
    lead_image = models.URLField("ảnh đại diện", max_length=2000, blank=True)
    language = models.CharField("ngôn ngữ", max_length=10, default="vi")
    content_hash = models.CharField("mã băm nội dung", max_length=64, db_index=True)
    simhash = models.BigIntegerField("SimHash", null=True, blank=True, db_index=True)
    # The SimHash in four 16-bit bands, each indexed and kept by the database. Two fingerprints
    # within 3 differing bits (the near-duplicate limit) agree on at least one band, so the
    # near-duplicate lookup asks the indexes for the articles sharing a band instead of reading
    # every article of the last week (stories_sync._near_duplicate_of).
    simhash_band0 = _simhash_band(0)
    simhash_band1 = _simhash_band(1)
    simhash_band2 = _simhash_band(2)
    simhash_band3 = _simhash_band(3)
    story = models.ForeignKey(
        Story,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name="sự kiện",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name="bản sao của",
    )
    # Number of the story assignment that last wrote story/duplicate_of (stories_sync._write, in
    # write order): a worker that chose against a snapshot finds what was assigned since by it.
    story_seq = models.BigIntegerField(
        "thứ tự gán sự kiện", null=True, blank=True, db_index=True, editable=False
    )
    # Stored by live ingestion and waiting for the story grouper (news/story_grouper.py). A
    # column of its own: marking story_seq instead could lower the highest assignment number,
    # which other processes read past.
    story_waiting = models.BooleanField("chờ gom sự kiện", default=False, editable=False)
    extraction_version = models.CharField("phiên bản trích xuất", max_length=40, blank=True)
    raw_page = models.ForeignKey(
        RawPage, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="trang gốc"
    )
    first_seen = models.DateTimeField("thấy lần đầu", default=timezone.now)
    last_changed = models.DateTimeField("thay đổi lần cuối", default=timezone.now)
    change_count = models.PositiveIntegerField("số lần thay đổi", default=0)
    view_count = models.PositiveIntegerField("lượt xem", default=0)

    class Meta:
        ordering = ["-published", "-id"]
        verbose_name = "bài báo"
        verbose_name_plural = "bài báo"
        indexes = [
            models.Index(fields=["section", "-published"]),
            models.Index(fields=["source", "-published"]),
            # Only the few waiting rows: the grouper reads them in store order.
            models.Index(
                fields=["id"], condition=models.Q(story_waiting=True), name="news_article_waiting"
            ),
        ]

    def __str__(self) -> str:
        return self.title


def with_tag(articles: models.QuerySet[Article], tag: str) -> models.QuerySet[Article]:
    """The articles among `articles` holding exactly `tag` in their tags list."""
    if connection.vendor == "postgresql":
        return articles.filter(tags__contains=[tag])
    # SQLite has no JSON containment lookup; json_each reads the stored list (escaped or not).
    return articles.extra(
        where=["EXISTS (SELECT 1 FROM json_each(news_article.tags) AS t WHERE t.value = %s)"],
        params=[tag],
    )


class Image(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="images", verbose_name="bài báo"
    )
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    src = models.URLField("địa chỉ ảnh", max_length=2000)
    alt = models.CharField("mô tả", max_length=1000, blank=True)
    caption = models.TextField("chú thích", blank=True)
    credit = models.CharField("nguồn ảnh", max_length=300, blank=True)

    class Meta:
        ordering = ["article", "position"]
        verbose_name = "ảnh"
        verbose_name_plural = "ảnh"


class ImportRecord(models.Model):
    """One attempt to bring one item in (from an archive file or a live fetch), with its outcome."""

    class Outcome(models.TextChoices):
        CREATED = "created", "tạo mới"
        UPDATED = "updated", "cập nhật"
        UNCHANGED = "unchanged", "không đổi"
        FAILED = "failed", "lỗi"
        SKIPPED = "skipped", "bỏ qua"

    batch = models.CharField("đợt", max_length=100, db_index=True)
    origin = models.CharField("tệp hoặc nguồn", max_length=1000)
    item_key = models.CharField("mục", max_length=2000)
    # SHA-256 of the raw item (file bytes, JSONL line, WARC body): a re-import skips items whose
    # origin, key and hash are already recorded, before any parsing.
    item_hash = models.CharField("mã băm mục", max_length=64, blank=True)
    url = models.URLField("địa chỉ", max_length=2000, blank=True)
    outcome = models.CharField("kết quả", max_length=20, choices=Outcome.choices)
    stage = models.CharField("bước lỗi", max_length=40, blank=True)
    reason = models.TextField("lý do", blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="bài báo"
    )
    created_at = models.DateTimeField("lúc", default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "bản ghi nhập"
        verbose_name_plural = "bản ghi nhập"
        indexes = [models.Index(fields=["origin", "item_key"])]


class ArticleViewHour(models.Model):
    """Views per article per hour, for "Nên xem" (most read in 24 h): counted server-side, with no
    cookie and no third party."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="view_hours")
    hour = models.DateTimeField("giờ", db_index=True)
    count = models.PositiveIntegerField("lượt xem", default=0)

    class Meta:
        unique_together = [("article", "hour")]
        verbose_name = "lượt xem theo giờ"
        verbose_name_plural = "lượt xem theo giờ"


class Tombstone(models.Model):
    """A deleted article's URL, so it is not ingested again (design rule 7)."""

    url = models.URLField("địa chỉ", max_length=2000, unique=True)
    deleted_at = models.DateTimeField("xoá lúc", default=timezone.now)
    reason = models.CharField("lý do", max_length=300, blank=True)

    class Meta:
        verbose_name = "bài đã xoá"
        verbose_name_plural = "bài đã xoá"
