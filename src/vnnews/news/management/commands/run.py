"""`vnnews run`: everything on one machine — the reading site, the scheduler and the workers.

The scheduler here only enqueues: every tick it claims the feeds whose next check is due and
enqueues one poll task each (ingest_live.schedule_due_feeds), and it re-queues tasks left by dead
workers. All fetching and storing happens in the worker processes (django.tasks)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from vnnews.news import ingest_live
from vnnews.news.management.commands.worker import Stop, WorkerPool, install_stop_handlers
from vnnews.news.models import Source

log = logging.getLogger("vnnews.scheduler")


class Command(BaseCommand):
    help = (
        "Chạy tất cả trên một máy: trang đọc, bộ lập lịch kiểm tra kênh và các tiến trình xử lý "
        "nền. Lần đầu (chưa có nguồn nào) tự nạp danh sách nguồn mặc định."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=getattr(settings, "SERVE_BIND", "127.0.0.1:8000"),
                            help="địa chỉ:cổng của trang đọc")  # fmt: skip
        parser.add_argument("--workers", type=int, default=settings.WORKERS,
                            help="số tiến trình xử lý nền (mặc định VNNEWS_WORKERS)")  # fmt: skip
        parser.add_argument("--tick", type=float, default=2.0,
                            help="giây giữa hai lần lập lịch")  # fmt: skip
        parser.add_argument("--no-web", action="store_true", help="không chạy trang đọc")
        parser.add_argument("--no-defaults", action="store_true",
                            help="không tự nạp danh sách nguồn mặc định")  # fmt: skip
        parser.add_argument("--no-migrate", action="store_true", help="không tự nâng cấp CSDL")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not options["no_defaults"] and not Source.objects.exists():
            call_command("sources", "load-defaults", stdout=self.stdout)
        install_stop_handlers()
        web = None
        if not options["no_web"]:
            argv = [
                sys.executable,
                "-m",
                "vnnews.cli",
                "serve",
                "--bind",
                options["bind"],
                "--workers",
                "1",
            ]
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vnnews.site.settings"}
            web = subprocess.Popen(argv, env=env)
        pool = WorkerPool(max(1, options["workers"]))
        pool.start()
        self.stdout.write(
            f"vnnews đang chạy: trang đọc http://{options['bind']}, {options['workers']} tiến trình "
            "nền, lập lịch mỗi {:.0f} giây. Ctrl+C để dừng.".format(options["tick"])
        )
        last_reap = 0.0
        try:
            while True:
                enqueued = ingest_live.schedule_due_feeds()
                if enqueued:
                    log.info("event=feeds_enqueued count=%d", enqueued)
                if time.monotonic() - last_reap > 30:
                    ingest_live.reap_stale_tasks()
                    last_reap = time.monotonic()
                pool.supervise()
                if web is not None and web.poll() is not None:
                    log.error("event=web_server_exited code=%s", web.returncode)
                    raise Stop("web server exited")
                time.sleep(options["tick"])
        except (Stop, KeyboardInterrupt) as exc:
            self.stdout.write(f"Đang dừng ({exc or 'Ctrl+C'})…")
        finally:
            pool.stop()
            if web is not None and web.poll() is None:
                web.send_signal(signal.SIGTERM)
                try:
                    web.wait(10)
                except subprocess.TimeoutExpired:
                    web.kill()
