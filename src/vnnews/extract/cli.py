"""`vnnews extract FILE|URL|-`: one page in, one clean article out (JSON, text, Markdown or HTML).

Files and standard input always work; a URL is fetched (httpx, size and time capped) only when
the network allows it, with a clear message otherwise. HTML goes through `extract`, plain text
(a `.txt` file, or input with no markup) through `extract_text`. Every failure is one line on
stderr naming the input, and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from vnnews.extract.article import Article
from vnnews.extract.encoding import decode_page
from vnnews.extract.errors import ExtractionError, PageTooLargeError
from vnnews.extract.render import to_html, to_markdown, to_text
from vnnews.extract.text_dump import extract_text

MAX_BYTES = 15 * 1024 * 1024
_HTML_HINT = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|meta|title|article|div|p|section|main)[\s>/]", re.I
)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
FORMATS = ("json", "text", "markdown", "html")


class CommandError(Exception):
    """A failure to report on stderr (exit status 1)."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="Cách dùng: ")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vnnews extract",
        description=(
            "Trích xuất bài báo sạch (tiêu đề, sapo, thân bài, ảnh và chú thích, tác giả, ngày\n"
            "đăng) từ một trang HTML hoặc một bản văn bản thô của trình thu thập."
        ),
        epilog=(
            "Ví dụ:\n"
            "  vnnews extract bai.html --url https://laodongthudo.vn/bai.html\n"
            "  vnnews extract trang.txt --format text\n"
            "  curl -s https://vnexpress.net/... | vnnews extract - --format markdown\n\n"
            "Mã thoát: 0 thành công, 1 không trích xuất được (lý do in ra stderr), 2 sai cú pháp."
        ),
        formatter_class=_Formatter,
        add_help=False,
    )
    parser._positionals.title = "đối số"
    parser._optionals.title = "tuỳ chọn"
    parser.add_argument(
        "source",
        metavar="FILE|URL|-",
        help="tệp HTML/văn bản (.gz được), địa chỉ http(s)://, hoặc - để đọc từ stdin",
    )
    parser.add_argument(
        "--url", help="địa chỉ gốc của trang, để giải các liên kết và ảnh tương đối"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="định dạng đầu ra: json (mặc định), text, markdown hoặc html (đã làm sạch)",
    )
    parser.add_argument("--encoding", help="bảng mã khai báo của trang (mặc định: tự nhận biết)")
    parser.add_argument(
        "--text",
        action="store_true",
        help="coi đầu vào là văn bản thô (như tệp .txt) dù có thẻ HTML",
    )
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="thời gian chờ tối đa khi tải URL (giây)"
    )
    parser.add_argument("-h", "--help", action="help", help="hiện trợ giúp này rồi thoát")
    return parser


def _read_source(source: str, timeout: float) -> tuple[bytes, str | None, str | None]:
    """(bytes, declared charset, URL it came from)."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        return data, None, None
    if re.match(r"^https?://", source, re.I):
        return _fetch(source, timeout)
    path = Path(source)
    if not path.is_file():
        raise CommandError("không tìm thấy tệp" if not path.exists() else "không phải là tệp")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise CommandError(f"không đọc được tệp ({error.strerror})") from error
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except (OSError, EOFError) as error:
            raise CommandError(f"tệp gzip hỏng ({error})") from error
    return data, None, None


def _fetch(url: str, timeout: float) -> tuple[bytes, str | None, str | None]:
    try:
        import httpx
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise CommandError("thiếu thư viện httpx để tải URL") from error
    from vnnews import __version__

    headers = {"User-Agent": f"vnnews/{__version__} (vnnews extract)"}
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise CommandError(f"máy chủ trả lời HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise CommandError(f"trang lớn hơn giới hạn {MAX_BYTES} byte")
                chunks.append(chunk)
            match = _CHARSET.search(response.headers.get("content-type", ""))
            return b"".join(chunks), match.group(1) if match else None, str(response.url)
    except httpx.TimeoutException as error:
        raise CommandError(f"hết thời gian chờ khi tải ({timeout:g} giây)") from error
    except httpx.HTTPError as error:
        raise CommandError(
            f"không tải được (mạng không cho phép hoặc máy chủ không trả lời: {error})"
        ) from error


def _looks_like_text_dump(source: str, data: bytes, forced: bool) -> bool:
    if forced:
        return True
    name = source.lower().removesuffix(".gz")
    if name.endswith((".txt", ".text")):
        return True
    return not _HTML_HINT.search(data[:65536])


def run(
    source: str, url: str | None, encoding: str | None, as_text: bool, timeout: float
) -> Article:
    data, declared, fetched_url = _read_source(source, timeout)
    if len(data) > MAX_BYTES:
        raise PageTooLargeError(f"đầu vào lớn hơn giới hạn {MAX_BYTES} byte")
    base = url or fetched_url
    if _looks_like_text_dump(source, data, as_text):
        return extract_text(decode_page(data, encoding or declared), url=base)
    from vnnews.extract import ExtractOptions, extract

    options = ExtractOptions(declared_encoding=encoding or declared)
    return extract(data, url=base, options=options)


def render(article: Article, fmt: str) -> str:
    if fmt == "text":
        return to_text(article)
    if fmt == "markdown":
        return to_markdown(article)
    if fmt == "html":
        return to_html(article)
    return json.dumps(article.to_dict(), ensure_ascii=False, indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    name = "stdin" if args.source == "-" else args.source
    try:
        article = run(args.source, args.url, args.encoding, args.text, args.timeout)
    except ExtractionError as error:
        print(f"vnnews extract: {name}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except CommandError as error:
        print(f"vnnews extract: {name}: {error}", file=sys.stderr)
        return 1
    out = render(article, args.format)
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:  # `vnnews extract ... | head` is fine
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
