"""Blocks in reading order, captions kept out of the text, related links and site blocks
dropped (with a record in `removed`)."""

from __future__ import annotations

import pytest

from vnnews.extract import extract

PARA = "Đoạn văn dài của bài báo, kể lại sự việc với nhiều chi tiết, số liệu và lời kể nhân chứng."


def body(*parts: str) -> str:
    inner = "".join(parts)
    return f'<html lang="vi"><body><nav><a href="/">Trang chủ</a></nav><article><h1>Tiêu đề thử nghiệm dài</h1>{inner}</article></body></html>'


def kinds(article) -> list[str]:
    return [b.kind for b in article.blocks]


def test_it_keeps_reading_order_across_block_kinds():
    article = extract(
        body(
            f"<p>{PARA}</p><h2>Tiểu mục một</h2><p>{PARA} Hai.</p>",
            "<blockquote><p>Câu trích dẫn quan trọng của nhân vật.</p></blockquote>",
            "<ul><li>Ý thứ nhất của danh sách</li><li>Ý thứ hai của danh sách</li></ul>",
            "<table><tr><th>Tỉnh</th><th>Số ca</th></tr><tr><td>Hà Nội</td><td>12</td></tr></table>",
            f"<p>{PARA} Ba.</p>",
        ),
        url="https://bao.vn/a/b.html",
    )
    assert kinds(article) == [
        "paragraph",
        "heading",
        "paragraph",
        "quote",
        "list",
        "table",
        "paragraph",
    ]
    heading = article.blocks[1]
    assert heading.text == "Tiểu mục một" and heading.level == 2
    assert article.blocks[4].items == ["Ý thứ nhất của danh sách", "Ý thứ hai của danh sách"]
    assert article.blocks[5].rows == [["Tỉnh", "Số ca"], ["Hà Nội", "12"]]
    assert "Câu trích dẫn" in article.text and "Hà Nội | 12" in article.text


@pytest.mark.parametrize(
    ("markup", "src", "caption", "credit"),
    [
        (
            '<figure><img src="/anh/1.jpg" alt="Ảnh một"><figcaption>Người dân xếp hàng. Ảnh: Lê Hiếu</figcaption></figure>',
            "https://bao.vn/anh/1.jpg",
            "Người dân xếp hàng.",
            "Lê Hiếu",
        ),
        (
            '<table class="tplCaption"><tr><td><img src="anh/2.jpg"></td></tr><tr><td><p class="Image">Cảnh đường phố đêm Noel.</p></td></tr></table>',
            "https://bao.vn/a/anh/2.jpg",
            "Cảnh đường phố đêm Noel.",
            "",
        ),
        (
            '<div align="center"><img data-src="//cdn.bao.vn/3.jpg" src="data:image/gif;base64,R0lGOD"></div><div align="center"><span>Hoa đào đem không khí Tết đến mọi nhà</span></div>',
            "https://cdn.bao.vn/3.jpg",
            "Hoa đào đem không khí Tết đến mọi nhà",
            "",
        ),
        (
            '<p><img src="/4.jpg"></p><p><em>Lực lượng chức năng kiểm tra hiện trường. (Ảnh: TTXVN)</em></p>',
            "https://bao.vn/4.jpg",
            "Lực lượng chức năng kiểm tra hiện trường.",
            "TTXVN",
        ),
    ],
    ids=["figure", "tplCaption", "centred-div", "italic-line"],
)
def test_images_carry_their_caption_and_the_text_does_not(markup, src, caption, credit):
    article = extract(
        body(f"<p>{PARA}</p>", markup, f"<p>{PARA} Kết.</p>"), url="https://bao.vn/a/b.html"
    )
    image = article.images[0]
    assert (image.src, image.caption, image.credit) == (src, caption, credit)
    assert caption not in article.text
    assert any(r.kind == "caption" for r in article.removed)


def test_icons_and_tracking_pixels_are_not_images():
    article = extract(
        body(
            f"<p>{PARA}</p>",
            '<img src="/images/icons/email.gif"><img src="/p.gif" width="1" height="1">',
        )
    )
    assert article.images == []


@pytest.mark.parametrize(
    "related",
    [
        '<p>Xem thêm: <a href="/x.htm">Giá xăng giảm mạnh từ chiều nay</a></p>',
        '<p><a href="/x.htm">Giá xăng giảm mạnh từ chiều nay</a></p>',
        '<div class="box-tinlienquan"><a href="/x.htm">Giá xăng giảm mạnh từ chiều nay</a></div>',
        '<div class="VCSortableInPreviewMode" type="RelatedOneNews"><a href="/x.htm">Giá xăng giảm mạnh từ chiều nay</a></div>',
        '<ul><li><a href="/x.htm">Giá xăng giảm mạnh từ chiều nay</a></li><li><a href="/y.htm">Tin khác nữa</a></li></ul>',
    ],
    ids=["xem-them", "bare-link", "box-tinlienquan", "VCSortable", "link-list"],
)
def test_it_drops_inline_related_teasers(related):
    article = extract(body(f"<p>{PARA}</p>", related, f"<p>{PARA} Kết.</p>"))
    assert "Giá xăng giảm mạnh" not in article.text
    assert PARA in article.text and "Kết." in article.text
    assert any(r.kind == "related" for r in article.removed)


@pytest.mark.parametrize(
    "marker",
    [
        "Có thể bạn quan tâm",
        "Tin khác",
        "Tin cùng chuyên mục",
        "Nên xem",
        "Xem thêm",
        "Related stories",
    ],
)
def test_it_cuts_the_site_blocks_after_the_article(marker):
    tail = f'<h3>{marker}</h3><p>Bài khác hoàn toàn không liên quan tới nội dung.</p><p><a href="/z">Tin Z</a></p>'
    article = extract(body(*(f"<p>{PARA} {i}.</p>" for i in range(4)), tail))
    assert marker not in article.text
    assert "Bài khác hoàn toàn" not in article.text
    assert f"{PARA} 3." in article.text


def test_it_drops_photo_file_names():
    article = extract(body(f"<p>{PARA}</p>", "<p>1230 3h5a6444jpg</p>", f"<p>{PARA} Kết.</p>"))
    assert "3h5a6444jpg" not in article.text
    assert any(r.kind == "filename" for r in article.removed)


def test_videos_become_video_blocks():
    article = extract(
        body(f"<p>{PARA}</p>", '<iframe src="https://www.youtube.com/embed/abc"></iframe>'),
        url="https://bao.vn/a.html",
    )
    assert [b.src for b in article.blocks if b.kind == "video"] == [
        "https://www.youtube.com/embed/abc"
    ]


def test_share_bars_and_comments_are_recorded_as_removed():
    article = extract(
        body(
            f"<p>{PARA}</p>",
            '<div class="share-buttons"><a href="#">Facebook</a><a href="#">Zalo</a></div>',
            '<div id="comments"><p>Bình luận của độc giả rất dài, nhiều ý kiến khác nhau về chuyện này.</p></div>',
        )
    )
    assert "Zalo" not in article.text and "Bình luận của độc giả" not in article.text
    assert {"share", "comment"} <= {r.kind for r in article.removed}


def test_site_hints_are_data_keyed_by_domain():
    from vnnews.extract import ExtractOptions

    page = (
        '<html lang="vi"><body><h1>Tiêu đề bài báo thử nghiệm</h1>'
        '<div class="tom-tat">Tóm tắt bài viết ngắn gọn, đủ dài để làm phần mở đầu của bài.</div>'
        f'<div class="khac"><p>{PARA} Khối khác dài hơn nữa.</p><p>{PARA} Vẫn khối khác.</p>'
        f"<p>{PARA} Thêm nữa.</p></div>"
        f'<div class="noi-dung"><p>{PARA} Nội dung.</p><div class="qc">Quảng cáo chen giữa</div></div>'
        "</body></html>"
    )
    hints = {"bao.vn": {"body": ".noi-dung", "sapo": ".tom-tat", "remove": ".qc"}}
    article = extract(page, url="https://m.bao.vn/a.html", options=ExtractOptions(site_hints=hints))
    assert article.sapo.startswith("Tóm tắt bài viết")
    assert article.text == f"{PARA} Nội dung."
    generic = extract(page, url="https://m.bao.vn/a.html", options=ExtractOptions(site_hints={}))
    assert "Khối khác" in generic.text
