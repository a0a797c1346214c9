"""The `vnnews` command: a thin shell over the library and Django's management commands.

Core subcommands (`extract`) run without Django. Every other subcommand is a Django management
command of the same name in `vnnews/news/management/commands/`.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

# name -> one-line help. A test checks every name here is documented in docs/cli.md and has --help.
SUBCOMMANDS: dict[str, str] = {
    "demo": "tạo CSDL, nhập kho bài mẫu và chạy trang đọc tại http://127.0.0.1:8000",
    "serve": "chạy trang đọc (máy chủ sản xuất)",
    "import": "nhập bài từ tệp HTML, WARC, JSONL, văn bản thô",
    "reextract": "trích xuất lại mọi bài từ trang gốc đã lưu (không tải lại)",
    "extract": "trích xuất một trang (tệp, URL hoặc -) ra JSON/văn bản/markdown/HTML",
    "migrate": "tạo hoặc nâng cấp cơ sở dữ liệu",
    "createsuperuser": "tạo tài khoản quản trị",
    "reindex": "dựng lại chỉ mục tìm kiếm từ toàn bộ bài báo",
    "sources": "quản lý nguồn tin: liệt kê kèm tình trạng, thêm, tắt/bật, nạp mặc định, OPML",
    "run": "chạy tất cả: trang đọc, lập lịch kiểm tra kênh và tiến trình nền (theo dõi báo)",
    "worker": "chỉ chạy tiến trình nền (thêm máy dùng chung PostgreSQL)",
}

CORE_COMMANDS = {"extract"}
# Commands that run their work with the cyclic GC on again themselves (see main()).
GC_QUIET_START = {"import"}


def usage() -> str:
    width = max(len(name) for name in SUBCOMMANDS)
    lines = [
        "vnnews — nền tảng tin tức tiếng Việt tự vận hành",
        "",
        "Cách dùng: vnnews <lệnh> [tuỳ chọn]   (vnnews <lệnh> --help để xem chi tiết)",
        "",
        "Lệnh:",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in SUBCOMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    if argv[0] in {"-V", "--version"}:
        from vnnews import __version__

        print(__version__)
        return 0
    command = argv[0]
    if command not in SUBCOMMANDS:
        print(f"vnnews: không có lệnh {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    if command in CORE_COMMANDS:
        from vnnews.extract.cli import main as extract_main

        return extract_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vnnews.site.settings")
    # Start-up (Django, its apps, the modules) allocates a few hundred thousand objects that live
    # as long as the process, and the cyclic GC traversed them again and again meanwhile; so did
    # the last collection at exit, over everything (together ~50 ms of an import's ~0.5 s of
    # start-up and shut-down). An import turns the GC back on as it begins (importers.runner,
    # after freezing them); here it is turned on again whatever happens, for callers of main()
    # in a long-lived process; and at exit everything is frozen (an atexit handler: it runs
    # before the handlers registered earlier, such as logging's flush, and after later ones),
    # which only spares that last traversal.
    quiet_start = command in GC_QUIET_START and gc.isenabled()
    if quiet_start:
        gc.disable()
        atexit.unregister(gc.freeze)  # one handler however often main() runs in the process
        atexit.register(gc.freeze)
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["vnnews", *argv])
    finally:
        if quiet_start:
            gc.enable()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
