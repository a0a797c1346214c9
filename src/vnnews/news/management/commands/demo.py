"""`vnnews demo`: set up the database, import the bundled demo corpus, and serve the site."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from vnnews.news.importers.runner import DatabaseUnavailable, run_import
from vnnews.news.models import Article
from vnnews.news.sections import load_sections
from vnnews.news.stories_sync import assign_batch_stories


def demo_corpus() -> Path:
    """data/demo of the source tree (the demo runs from a checkout: `make demo`)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "data" / "demo"
        if candidate.is_dir() and (parent / "pyproject.toml").is_file():
            return candidate
    raise CommandError("không tìm thấy kho bài mẫu data/demo (chạy từ thư mục mã nguồn)")


class Command(BaseCommand):
    # The data folder may not exist yet, and the checks open the database: run them after mkdir.
    requires_system_checks = []

    help = (
        "Tạo/nâng cấp CSDL, nạp danh sách chuyên mục, nhập kho bài mẫu data/demo (bỏ qua bài đã "
        "nhập) rồi chạy trang đọc tại http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="chỉ chuẩn bị dữ liệu, không chạy máy chủ"
        )
        parser.add_argument(
            "--bind", default=settings.SERVE_BIND, help="địa chỉ:cổng (mặc định 127.0.0.1:8000)"
        )
        parser.add_argument("--corpus", default="", help="thư mục bài mẫu khác data/demo")

    def handle(self, *args, **options):
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        self.check()
        call_command("migrate", interactive=False, verbosity=0)
        load_sections()
        corpus = Path(options["corpus"]) if options["corpus"] else demo_corpus()
        self.stdout.write(f"Nhập kho bài mẫu {corpus} …")
        try:
            summary = run_import([corpus], batch="demo", stream=self.stderr._out)
        except DatabaseUnavailable as exc:
            raise CommandError(exc.explain()) from None
        for line in summary.lines(max_failed=10):
            self.stdout.write(line)
        grouped = assign_batch_stories("demo")  # a few seconds for the demo corpus, once
        if grouped:
            self.stdout.write(f"Đã gom {grouped} bài vào sự kiện và bản sao.")
        self.stdout.write(f"Có {Article.objects.count()} bài trong CSDL.")
        if options["no_serve"]:
            self.stdout.write(f"Trang đọc (khi chạy `vnnews serve`): http://{options['bind']}")
            return
        self.stdout.write(f"Mở http://{options['bind']}")
        call_command("serve", bind=options["bind"])
