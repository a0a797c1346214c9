"""`vnnews reextract`: rebuild every article from its archived raw page with the current
extraction engine. Nothing is fetched; articles whose content does not change stay as they are."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from vnnews.archive import read_record
from vnnews.news.in_lists import in_slices
from vnnews.news.models import Article, ImportRecord
from vnnews.news.store import ItemFailed, failed_record, run_extractor, store_article

Outcome = ImportRecord.Outcome


class Command(BaseCommand):
    help = (
        "Trích xuất lại mọi bài từ trang gốc đã lưu trong kho WARC bằng bộ trích xuất hiện tại "
        "(không tải lại gì), rồi báo số bài thay đổi."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", default="", help="chỉ các bài của nguồn có tên miền này")
        parser.add_argument("--limit", type=int, default=0, help="chỉ N bài đầu (0: tất cả)")
        parser.add_argument("--batch-size", type=int, default=100, help="số bài mỗi giao dịch")

    def handle(self, *args, **options):
        batch = "reextract-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        articles = Article.objects.filter(raw_page__isnull=False).select_related(
            "raw_page", "source"
        )
        if options["source"]:
            articles = articles.filter(source__domain=options["source"])
        ids = list(articles.order_by("pk").values_list("pk", flat=True))
        if options["limit"]:
            ids = ids[: options["limit"]]
        counts: Counter = Counter()
        failures: list[str] = []
        size = max(1, options["batch_size"])
        for chunk in in_slices(ids, size):
            with transaction.atomic():
                for article in articles.filter(pk__in=chunk):
                    outcome, reason = self._one(article, batch)
                    counts[outcome] += 1
                    if outcome == Outcome.FAILED:
                        failures.append(f"{article.url}: {reason}")
        self.stdout.write(
            f"Đã trích xuất lại {len(ids)} bài: thay đổi {counts[Outcome.UPDATED]}, "
            f"không đổi {counts[Outcome.UNCHANGED] + counts[Outcome.SKIPPED]}, lỗi {counts[Outcome.FAILED]}."
        )
        for line in failures[:50]:
            self.stdout.write(f"  {line}")

    def _one(self, article: Article, batch: str) -> tuple[str, str]:
        raw = article.raw_page
        common = {"batch": batch, "origin": "reextract", "item_key": article.url}
        try:
            try:
                url, _headers, body = read_record(raw.warc_path, raw.warc_offset)
            except (OSError, ValueError) as exc:
                raise ItemFailed(
                    "archive", f"không đọc được {raw.warc_path}@{raw.warc_offset}: {exc}"
                ) from None
            extracted = run_extractor(body, raw.url or url)
        except ItemFailed as exc:
            failed_record(**common, url=article.url, stage=exc.stage, reason=exc.reason)
            return Outcome.FAILED, exc.reason
        # A re-extraction is the newest reading of the same page, whatever dates it finds.
        extracted.updated = extracted.updated or article.updated
        record = store_article(extracted, source=article.source, raw_page=raw, **common)
        return record.outcome, record.reason
