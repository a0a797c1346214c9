"""`vnnews extract FILE|URL|-`: formats, stdin, URLs on a local server, errors on stderr."""

from __future__ import annotations

import gzip
import io
import json
import socket
import sys
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vnnews import cli as top_cli
from vnnews.extract.article import Article, Block
from vnnews.extract.cli import main
from vnnews.extract.render import HTML_TAGS, to_html, to_markdown, to_text

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Hà Nội mở thêm tuyến buýt điện</title>
<meta property="og:title" content="Hà Nội mở thêm tuyến buýt điện">
</head><body><article>
<h1>Hà Nội mở thêm tuyến buýt điện</h1>
<p>Từ tháng sau, người dân Thủ đô có thêm ba tuyến xe buýt điện nối trung tâm với các khu
đô thị mới ở phía tây thành phố, theo Sở Giao thông vận tải.</p>
<p>Các tuyến mới chạy từ 5 giờ sáng đến 22 giờ mỗi ngày, giá vé giữ nguyên như xe buýt
thường, và hành khách có thể thanh toán bằng thẻ ngân hàng hoặc ví điện tử.</p>
<p>Sở cho biết sẽ tiếp tục thay thế xe buýt chạy dầu bằng xe điện trong những năm tới để
giảm ô nhiễm không khí và tiếng ồn ở các tuyến phố đông đúc.</p>
</article></body></html>"""


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_extracts_the_seed_dump_to_json(capsys, seed_text, tmp_path):
    path = tmp_path / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    code, out, err = run_cli(capsys, str(path))
    assert code == 0, err
    data = json.loads(out)
    assert data["title"].startswith("Tiếp tục làm tốt vai trò")
    assert data["authors"] == ["Hoàng Phúc", "Lê Kiên"]
    assert "1230 3h5a6444jpg" not in data["text"]


def test_it_reads_html_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode())))
    code, out, err = run_cli(capsys, "-", "--format", "text", "--url", "https://hanoimoi.vn/a")
    assert code == 0, err
    assert out.startswith("Hà Nội mở thêm tuyến buýt điện")
    assert "giá vé giữ nguyên" in out


def test_plain_text_on_stdin_goes_through_the_dump_reader(capsys, monkeypatch, seed_text):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(seed_text.encode())))
    code, out, _ = run_cli(capsys, "-", "--format", "markdown")
    assert code == 0
    assert out.startswith("# Tiếp tục làm tốt vai trò")
    assert "Phiên bản di động" not in out


def test_it_reads_gzipped_files(capsys, tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(PAGE.encode()))
    code, out, err = run_cli(capsys, str(path))
    assert code == 0, err
    assert json.loads(out)["title"] == "Hà Nội mở thêm tuyến buýt điện"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"%PDF-1.7\n\x00\x01\x02binary", "NotHTMLError"), (b"", "EmptyPageError")],
    ids=["binary", "empty"],
)
def test_bad_input_is_one_line_on_stderr_naming_the_file(capsys, tmp_path, content, reason):
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    code, out, err = run_cli(capsys, str(path))
    assert code == 1 and out == ""
    assert str(path) in err and reason in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_file_is_a_clear_error(capsys, tmp_path):
    code, _, err = run_cli(capsys, str(tmp_path / "nope.html"))
    assert code == 1
    assert "nope.html" in err and "không tìm thấy tệp" in err


def test_help_is_vietnamese(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "Cách dùng: vnnews extract" in out and "tuỳ chọn" in out and "định dạng đầu ra" in out


def test_a_bad_format_is_a_usage_error(capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main([str(tmp_path / "x.html"), "--format", "pdf"])
    assert info.value.code == 2
    assert "lỗi" in capsys.readouterr().err


def test_the_vnnews_command_dispatches_extract(capsys, tmp_path, seed_text):
    path = tmp_path / "seed.txt"
    path.write_text(seed_text, encoding="utf-8")
    assert top_cli.main(["extract", str(path), "--format", "text"]) == 0
    assert capsys.readouterr().out.startswith("Tiếp tục làm tốt vai trò")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/missing":
            self.send_response(404)
            self.end_headers()
            return
        body = PAGE.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_it_fetches_a_reachable_url(capsys, local_server):
    code, out, err = run_cli(capsys, f"{local_server}/bai.html")
    assert code == 0, err
    data = json.loads(out)
    assert data["title"] == "Hà Nội mở thêm tuyến buýt điện"
    assert data["url"] == f"{local_server}/bai.html"


def test_an_http_error_is_reported(capsys, local_server):
    code, _, err = run_cli(capsys, f"{local_server}/missing")
    assert code == 1 and "HTTP 404" in err


def test_an_unreachable_url_is_a_clear_error(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = run_cli(capsys, f"http://127.0.0.1:{port}/x", "--timeout", "2")
    assert code == 1 and out == ""
    assert "không tải được" in err


HOSTILE = Article(
    title='<script>alert(1)</script>Tin "nóng"',
    sapo="Sapo <b>đậm</b> & rõ",
    blocks=[
        Block("paragraph", text="Đoạn <img src=x onerror=alert(1)> một."),
        Block("image", src="javascript:alert(1)", caption="Ảnh <i>đẹp</i>"),
        Block("image", src="https://example.vn/a.jpg", alt="mô tả", caption="Chú thích"),
        Block("heading", text="# Tiêu đề phụ", level=3),
        Block("list", items=["một", "hai"], ordered=True),
        Block("table", rows=[["A", "B"], ["1", "2"]]),
    ],
    byline="Hoàng Phúc - Lê Kiên",
    url="https://example.vn/bai",
)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_output_is_sanitised_by_allow_list():
    out = to_html(HOSTILE)
    parser = _Tags()
    parser.feed(out)
    names = {tag for tag, _ in parser.tags}
    assert "script" not in names and names <= HTML_TAGS | {"html", "head", "meta", "title", "body"}
    for _, attrs in parser.tags:
        assert not any(key.startswith("on") for key in attrs)
        assert not any("javascript:" in (value or "") for value in attrs.values())
    assert "&lt;script&gt;" in out  # shown as text, never run
    assert '<img src="https://example.vn/a.jpg" alt="mô tả"' in out
    assert "<figcaption>Chú thích</figcaption>" in out
    fragment = to_html(HOSTILE, document=False)
    assert fragment.startswith("<article>") and fragment.endswith("</article>")


def test_markdown_escapes_markup_and_keeps_structure():
    out = to_markdown(HOSTILE)
    assert out.startswith("# \\<script\\>alert(1)\\</script\\>Tin")
    assert "### \\# Tiêu đề phụ" in out
    assert "1. một\n2. hai" in out
    assert "| A | B |\n| --- | --- |\n| 1 | 2 |" in out
    assert "![mô tả](https://example.vn/a.jpg)" in out
    assert "javascript:" not in out


def test_plain_text_keeps_reading_order_with_captions_marked():
    out = to_text(HOSTILE)
    lines = [x for x in out.split("\n\n") if x]
    assert lines[0] == HOSTILE.title
    assert "[Ảnh: Chú thích]" in out and lines[-1].strip() == "Hoàng Phúc - Lê Kiên"
