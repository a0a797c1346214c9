"""`vnnews import PATH…`: bring archives in (HTML, WARC, JSONL, text dumps, dantri-unc)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from vnnews.news.importers.runner import DatabaseUnavailable, database_unavailable, run_import
from vnnews.news.sections import load_sections


class Command(BaseCommand):
    # Checks open the database; a missing one gets a clear message from handle() instead.
    requires_system_checks = []

    help = (
        "Nhập bài từ tệp hoặc thư mục (đọc đệ quy): HTML (.html/.htm/.html.gz), WARC (.warc/.warc.gz), "
        "JSON Lines (.jsonl/.jsonl.gz/.json), văn bản thô (.txt) và định dạng dantri-unc. "
        "Nhập lại không tạo bản trùng; dừng giữa chừng rồi chạy lại sẽ tiếp tục."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="tệp hoặc thư mục cần nhập")
        parser.add_argument(
            "--batch", default="", help="tên đợt nhập (mặc định: import-<thời điểm>)"
        )
        parser.add_argument(
            "--stories",
            action="store_true",
            help="sau khi nhập, gom các bài mới vào sự kiện và bản sao (khoảng 20 ms một bài)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            metavar="N",
            help="số tiến trình phụ chuẩn bị bài (trích xuất, chuẩn hoá) trong khi tiến trình "
            "chính ghi vào CSDL; 0: làm tất cả trong một tiến trình (mặc định: 2 nếu máy có "
            "từ 2 lõi)",
        )
        bar = parser.add_mutually_exclusive_group()
        bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                         help="luôn hiện thanh tiến độ trên stderr")  # fmt: skip
        bar.add_argument("--no-progress", dest="progress", action="store_false",
                         help="không hiện thanh tiến độ")  # fmt: skip

    def handle(self, *args, **options):
        batch = options["batch"] or "import-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        try:
            load_sections()
        except DatabaseError as exc:
            if database_unavailable(exc) and "locked" in str(exc).lower():
                raise CommandError(
                    f"cơ sở dữ liệu đang bị một tiến trình khác khoá ({exc}); "
                    "hãy chạy lại khi tiến trình đó ghi xong"
                ) from None
            raise CommandError(
                f"không mở được cơ sở dữ liệu ({exc}); kiểm tra VNNEWS_DATA_DIR/DATABASE_URL "
                "và chạy `vnnews migrate` trước"
            ) from None
        if options["workers"] is not None and options["workers"] < 0:
            raise CommandError("--workers phải là số không âm")
        try:
            summary = run_import(
                options["paths"],
                batch=batch,
                progress=options["progress"],
                stream=self.stderr._out,
                workers=options["workers"],
            )
        except DatabaseUnavailable as exc:
            for line in exc.summary.lines() if exc.summary else []:
                self.stdout.write(line)
            raise CommandError(exc.explain()) from None
        # cli.main starts `vnnews import` with the cyclic GC off; the import turns it on itself
        # once it has frozen what start-up made, and gives the setting back after. On from here
        # (--stories), or memory would grow with its cycles; not before the import, or the
        # first young collection would traverse all of start-up's objects, never collected yet.
        gc.enable()
        for line in summary.lines():
            self.stdout.write(line)
        if options["stories"]:
            # Imported only when asked for: story choice and its modules cost every other import
            # ~15-45 ms of start-up (with and without bytecode cached).
            from vnnews.news.stories_sync import assign_batch_stories

            done = assign_batch_stories(batch)
            self.stdout.write(f"Đã gom {done} bài vào sự kiện và bản sao.")
        # Fresh planner statistics: without them SQLite lists "newest first" 100x slower.
        from vnnews.news.db_maintenance import update_statistics

        update_statistics()
        if len(summary.missing) == len(options["paths"]):
            raise CommandError("không có tệp nào để nhập: " + ", ".join(summary.missing))
