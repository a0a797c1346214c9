"""`vnnews serve`: the production server (gunicorn) after collecting static files."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def gunicorn_argv(
    bind: str, workers: int, threads: int, connections: int = 100, access_log: bool = True
) -> list[str]:
    """The gunicorn command line; bench/bench_serve.py measures this same one.

    gthread workers park idle keep-alive connections in a poller rather than in a thread, so a
    long keep-alive is cheap. They also accept greedily: without a cap on the connections one
    worker holds, a burst of keep-alive clients can all land on one worker while the other idles.
    """
    argv = [
        sys.executable, "-m", "gunicorn", "vnnews.site.wsgi:application",
        "--bind", bind, "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads),
        "--worker-connections", str(connections), "--keep-alive", "30", "--timeout", "60",
    ]  # fmt: skip
    if access_log:
        argv += ["--access-logfile", "-"]
    else:
        argv += ["--log-level", "warning"]
    return argv


class Command(BaseCommand):
    help = "Chạy trang đọc bằng gunicorn (sau khi gom tệp tĩnh) tại 127.0.0.1:8000 theo mặc định."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.SERVE_BIND,
                            help="địa chỉ:cổng để nghe (mặc định 127.0.0.1:8000)")  # fmt: skip
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS,
                            help="số tiến trình gunicorn")  # fmt: skip
        parser.add_argument("--threads", type=int, default=settings.SERVE_THREADS,
                            help="số luồng mỗi tiến trình")  # fmt: skip
        parser.add_argument("--no-collectstatic", action="store_true", help="không gom tệp tĩnh")

    def handle(self, *args, **options):
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        if options["workers"] < 1:
            raise CommandError("--workers phải ít nhất là 1")
        argv = gunicorn_argv(options["bind"], options["workers"], options["threads"])
        self.stdout.write(f"Trang đọc: http://{options['bind']}  (Ctrl+C để dừng)")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")
        os.execv(sys.executable, argv)  # gunicorn takes over this process (signals, Ctrl+C)
