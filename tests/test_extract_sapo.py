"""The sapo (lead paragraph) of Vietnamese articles: marked up, after the headline, or opened by
the outlet's tag; it never stays in the body text."""

from __future__ import annotations

import pytest

from vnnews.extract import extract

LEAD = "Sáng 01/8, Đại hội đại biểu Đảng bộ lần thứ II tiến hành phiên làm việc chính thức, có 180 đại biểu."
BODY = "".join(
    f"<p>Đoạn thân bài số {i} kể chi tiết sự việc, có số liệu, có trích dẫn và nhận định của chuyên gia.</p>"
    for i in range(5)
)


def vi_page(top: str) -> str:
    return f'<html lang="vi"><body><article><h1>Tiêu đề bài báo thử nghiệm</h1>{top}{BODY}</article></body></html>'


@pytest.mark.parametrize(
    ("top", "sapo"),
    [
        (f'<p class="sapo">{LEAD}</p>', LEAD),
        (f'<h2 class="detail-sapo">{LEAD}</h2>', LEAD),
        (f"<h2>{LEAD}</h2>", LEAD),
        (f'<div class="description">{LEAD}</div>', LEAD),
        (f"<p>(LĐTĐ) {LEAD}</p>", f"(LĐTĐ) {LEAD}"),
        (f"<p>(Dân trí) - {LEAD}</p>", f"(Dân trí) - {LEAD}"),
        (f"<p>TPO - {LEAD}</p>", f"TPO - {LEAD}"),
        (f"<p>VOV.VN - {LEAD}</p>", f"VOV.VN - {LEAD}"),
        (
            f"<p><strong>{LEAD} Thêm một câu nữa cho đủ dài.</strong></p>",
            f"{LEAD} Thêm một câu nữa cho đủ dài.",
        ),
    ],
    ids=[
        "p.sapo",
        "h2.detail-sapo",
        "h2-after-h1",
        "div.description",
        "LĐTĐ",
        "Dân trí",
        "TPO",
        "VOV",
        "bold-first",
    ],
)
def test_it_finds_the_sapo_and_keeps_it_out_of_the_body(top, sapo):
    article = extract(vi_page(top))
    assert article.sapo == sapo
    assert LEAD not in article.text
    assert "Đoạn thân bài số 0" in article.text


def test_it_drops_a_related_link_appended_to_the_sapo():
    top = f'<h2 class="sapo">{LEAD}<br><a href="/x.htm"><b>&gt;&gt; Công chức được nghỉ 9 ngày dịp Tết</b></a></h2>'
    article = extract(vi_page(top))
    assert article.sapo == LEAD
    assert "Công chức được nghỉ" not in article.text


def test_an_ordinary_first_paragraph_is_not_a_sapo():
    article = extract(vi_page(""))
    assert article.sapo == ""
    assert article.text.startswith("Đoạn thân bài số 0")


def test_english_pages_get_no_guessed_sapo():
    body = "".join(
        f"<p>Paragraph {i} of a long English story, with commas, and details.</p>" for i in range(5)
    )
    article = extract(
        f'<html lang="en"><body><h1>A headline here</h1><h2>{"Standfirst words " * 6}</h2>{body}</body></html>'
    )
    assert article.sapo == ""
