"""`vnnews reindex`: rebuild the search index from the articles table."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

# A batch is written with one statement per table, one parameter an article: SQLite's stock limit
# on parameters is 32,766.
MAX_BATCH = 10_000


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm từ toàn bộ bài báo (sau khi nhập hàng loạt hoặc sửa CSDL)"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help=f"số bài đọc và ghi mỗi lượt, 1 đến {MAX_BATCH} (mặc định 500)",
        )

    def handle(self, *args, batch_size: int = 500, **options) -> None:
        from vnnews.news.search import reindex

        if not 1 <= batch_size <= MAX_BATCH:
            raise CommandError(f"--batch-size phải từ 1 đến {MAX_BATCH}")
        started = time.monotonic()
        count = reindex(batch_size=batch_size)
        elapsed = time.monotonic() - started
        self.stdout.write(f"Đã lập chỉ mục {count} bài trong {elapsed:.1f} giây.")
