"""The fixture news web's optional real texts (what bench_ingest's corpus mode publishes): each
outlet serves its own texts in order, extraction reads them back, and outlets without texts
keep generating theirs from article numbers."""

from __future__ import annotations

import urllib.request

import pytest

from tests.fixture_web import ArticleText, FixtureWeb
from vnnews.extract import extract

TEXTS = [
    [
        ArticleText(
            "Hà Nội mở rộng tuyến buýt điện ra ngoại thành",
            "Từ tháng sau, ba tuyến buýt điện mới sẽ nối trung tâm với Đông Anh và Sóc Sơn.",
            (
                "Sở Giao thông vận tải cho biết các tuyến mới chạy từ 5h đến 22h mỗi ngày.",
                "Giá vé giữ nguyên như các tuyến buýt thường, người cao tuổi được miễn phí.",
            ),
        ),
        ArticleText(
            "Giá cà phê Tây Nguyên tăng phiên thứ ba liên tiếp",
            "Thương lái thu mua cà phê nhân xô ở Đắk Lắk với giá cao nhất từ đầu năm.",
            ("Nguồn cung khan hiếm khi nông dân giữ hàng chờ giá lên thêm.",),
        ),
    ],
    [
        ArticleText(
            "Đội tuyển bóng chuyền nữ giành vé dự giải châu Á",
            "Thắng 3-1 ở trận chung kết vòng loại, các cô gái Việt Nam góp mặt tại giải đấu.",
            ("Huấn luyện viên trưởng khen ngợi tinh thần thi đấu của các học trò.",),
        ),
    ],
]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def test_each_outlet_serves_its_own_texts_in_order():
    with FixtureWeb(outlets=2, articles=1, texts=TEXTS) as web:
        first, second = web.outlets
        first.publish(1)
        assert [a.title for a in first.articles] == [t.title for t in TEXTS[0]]
        assert [a.title for a in second.articles] == [TEXTS[1][0].title]
        for outlet, text in ((first, TEXTS[0][1]), (second, TEXTS[1][0])):
            article = next(a for a in outlet.articles if a.text == text)
            page = fetch(outlet.base + article.path)
            extracted = extract(page, outlet.base + article.path)
            assert extracted.title == text.title
            assert text.sapo in extracted.sapo
            for paragraph in text.paragraphs:
                assert paragraph in extracted.text
        assert text.title.encode() in fetch(second.base + "/rss/home.rss")


def test_an_outlet_out_of_texts_refuses_to_publish():
    with FixtureWeb(outlets=2, articles=1, texts=TEXTS) as web, pytest.raises(LookupError):
        web.outlets[1].publish(1)


def test_outlets_without_texts_still_generate_them():
    with FixtureWeb(outlets=1, articles=2) as web:
        titles = [a.title for a in web.outlets[0].articles]
        assert titles[0].startswith("Bài số 1: ") and titles[1].startswith("Bài số 2: ")
        assert all(a.text is None for a in web.outlets[0].articles)
