"""`django-admin group_stories`: group the articles live ingestion stored into stories.

`--follow` is the grouper process that `vnnews run` and `vnnews worker` start beside their
workers (see news/story_grouper.py); without it, the waiting articles are grouped once."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from vnnews.news import story_grouper


class Command(BaseCommand):
    help = (
        "Gom các bài vừa tải vào sự kiện. --follow: chạy liên tục (tiến trình gom sự kiện mà "
        "`vnnews run` và `vnnews worker` tự khởi động; mỗi lúc chỉ một tiến trình gom)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true", help="chạy liên tục đến khi dừng")
        parser.add_argument("--idle", type=float, default=0.2,
                            help="giây chờ giữa hai lần hỏi khi không có bài chờ")  # fmt: skip

    def handle(self, *args, follow: bool, idle: float, **options):
        if not follow:
            with story_grouper.grouping_lock() as held:
                if not held:
                    self.stderr.write("Một tiến trình khác đang gom sự kiện; không làm gì.")
                    return
                done = story_grouper.group_pending()
            self.stdout.write(f"Đã gom {done} bài vào sự kiện.")
            return
        stop = threading.Event()
        # SIGTERM (the worker pool stopping) ends the loop after the article in hand.
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
        story_grouper.follow(stop, idle_seconds=idle)
