"""The small, fixed-width side of the search index. The text lives in the full-text table made
by this app's migrations (FTS5 on SQLite, tsvector on PostgreSQL); this row holds what ranking
and filters need, so a search never reads the wide article rows."""

from django.db import models


class SearchEntry(models.Model):
    article_id = models.BigIntegerField("bài báo", primary_key=True)
    published_us = models.BigIntegerField("xuất bản (µs từ 1970)", default=0)
    section_id = models.BigIntegerField("chuyên mục", null=True, blank=True)
    source_id = models.BigIntegerField("nguồn", null=True, blank=True)

    class Meta:
        verbose_name = "mục chỉ mục tìm kiếm"
        verbose_name_plural = "mục chỉ mục tìm kiếm"

    def __str__(self) -> str:
        return str(self.article_id)
