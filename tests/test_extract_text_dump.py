"""extract_text: plain-text crawler dumps become clean Articles (the seed page and other shapes)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from vnnews.extract.dump_byline import authors_of, byline_of
from vnnews.extract.errors import EmptyPageError, ExtractionError, NotHTMLError
from vnnews.extract.text_dump import extract_text
from vnnews.text.normalize import normalize

RELATED = [
    "Cần tính đến việc xây thêm sân bay quốc tế ở phía Nam Hà Nội",
    "Tập trung giải quyết các vụ án mà dư luận xã hội quan tâm",
    "Hà Nội sẽ kết hợp giữa “diện” và “điểm” trong công tác dân vận",
]
CAPTIONS = [
    "Phó Bí thư Thành ủy Hà Nội Đào Đức Toàn phát biểu chỉ đạo Đại hội",
    "Phó Bí thư Thành ủy Hà Nội Đào Đức Toàn tặng hoa chúc mừng Ban Chấp hành khoá mới",
]


@pytest.fixture
def seed(seed_text):
    return extract_text(seed_text)


def test_the_seed_title_is_its_first_line(seed):
    assert seed.title == "Tiếp tục làm tốt vai trò “cầu nối” giữa doanh nghiệp và chính quyền"


def test_the_seed_sapo_is_the_ldtd_paragraph(seed):
    assert seed.sapo.startswith("(LĐTĐ) Sáng 01/8, Đại hội đại biểu Đảng bộ")
    assert seed.sapo.endswith("trực thuộc Đảng bộ Các khu công nghiệp và chế xuất Hà Nội.")
    assert "(LĐTĐ)" not in seed.text


def test_the_seed_body_keeps_its_paragraphs_in_order(seed, seed_text):
    paragraphs = seed.text.split("\n\n")
    assert paragraphs[0].startswith("Trình bày báo cáo chính trị, ông Lê Quang Long")
    assert paragraphs[-1].startswith("Tin tưởng với tinh thần đoàn kết")
    assert len(paragraphs) == 10
    positions = [seed_text.index(p[:40]) for p in paragraphs]
    assert positions == sorted(positions)


def test_it_drops_the_inline_related_headlines(seed):
    for headline in RELATED:
        assert headline not in seed.text
        assert any(r.kind == "related" and r.text == headline for r in seed.removed)


def test_it_drops_image_file_names(seed):
    for name in ("1230 3h5a6444jpg", "1240 image gallery 2", "3h5a6444", "image gallery"):
        assert name not in seed.text
    assert [r.text for r in seed.removed if r.kind == "filename"] == [
        "1230 3h5a6444jpg",
        "1240 image gallery 2",
    ]


def test_captions_become_image_blocks_not_body(seed):
    assert seed.captions == [normalize(c) for c in CAPTIONS]
    for caption in CAPTIONS:
        assert caption not in seed.text
    images = seed.images
    assert len(images) == 2 and all(not image.src for image in images)
    kinds = [b.kind for b in seed.blocks]
    assert kinds.index("image") == 1  # after the first paragraph, where the photo was


def test_the_seed_byline_and_authors(seed):
    assert seed.byline == "Hoàng Phúc - Lê Kiên"
    assert seed.authors == ["Hoàng Phúc", "Lê Kiên"]
    assert "Hoàng Phúc" not in seed.text


def test_nothing_after_the_byline_reaches_the_body(seed):
    for junk in (
        "Có thể bạn quan tâm",
        "Nên xem",
        "Tây Hồ toả sáng",
        "Tin khác",
        "Xem thêm",
        "Phiên bản di động",
        "Thanh Trì",
    ):
        assert junk not in seed.text
    assert any(r.reason == "site block" and "Phiên bản di động" in r.text for r in seed.removed)


DANTRI_STYLE = """# doc_id = news_sport_999
# url = https://dantri.com.vn/the-thao/bai-viet-20201001125148091.htm
# date = 20201001
Tay vợt trẻ Việt Nam lần đầu vào chung kết giải quốc tế
Tay vợt 17 tuổi đã có trận đấu kéo dài gần ba giờ trước đối thủ hạt giống số một.
Trận đấu diễn ra dưới cái nắng gay gắt ở sân trung tâm.
Cậu bé vào chung kết bằng một cú thuận tay đẹp mắt ở loạt tie-break quyết định
Huấn luyện viên cho biết học trò đã chuẩn bị cho giải đấu suốt sáu tháng.
Kỹ năng giao bóng
Cú giao bóng của tay vợt trẻ đã được cải thiện đáng kể so với mùa trước.
Trận chung kết sẽ diễn ra vào chiều Chủ nhật.
Minh Anh
Theo Thể thao Văn hóa
"""


def test_it_reads_a_one_sentence_per_line_dump_with_headers():
    article = extract_text(DANTRI_STYLE)
    assert article.title == "Tay vợt trẻ Việt Nam lần đầu vào chung kết giải quốc tế"
    assert article.sapo.startswith("Tay vợt 17 tuổi")
    assert article.url == "https://dantri.com.vn/the-thao/bai-viet-20201001125148091.htm"
    assert article.published == datetime(2020, 10, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert article.authors == ["Minh Anh"]
    assert article.byline == "Minh Anh (Theo Thể thao Văn hóa)"
    # a long headline-like line among sentences is a caption; a short one a subheading
    assert article.captions == [
        "Cậu bé vào chung kết bằng một cú thuận tay đẹp mắt ở loạt tie-break quyết định"
    ]
    assert [b.text for b in article.blocks if b.kind == "heading"] == ["Kỹ năng giao bóng"]
    assert article.text.split("\n\n")[-1] == "Trận chung kết sẽ diễn ra vào chiều Chủ nhật."
    assert "Minh Anh" not in article.text and "doc_id" not in article.text


WITHOUT_TITLE = """Bệnh nhân được đưa vào viện trong tình trạng nguy kịch, các bác sĩ đã hội chẩn khẩn.
Nhân viên y tế chuyển bệnh nhân tới phòng hồi sức (Ảnh: Reuters).
Sau ba ngày điều trị, sức khỏe bệnh nhân đã ổn định và có thể ăn uống bình thường.
Vân Sơn
"""


def test_a_dump_that_starts_with_the_body_has_no_title():
    article = extract_text(WITHOUT_TITLE)
    assert article.title == "" and article.sapo == ""
    assert article.text.startswith("Bệnh nhân được đưa vào viện")
    assert article.captions == ["Nhân viên y tế chuyển bệnh nhân tới phòng hồi sức (Ảnh: Reuters)."]
    assert article.byline == "Vân Sơn"


INLINE_LINKS = """Giá xăng giảm lần thứ ba liên tiếp

(PLO)- Từ 15 giờ chiều nay, giá xăng RON 95 giảm 500 đồng mỗi lít theo quyết định của liên bộ.

Liên bộ Công Thương - Tài chính cho biết giá thế giới đã giảm mạnh trong kỳ điều hành vừa qua.

Xem thêm: Giá dầu thế giới lao dốc phiên đầu tuần

Tin liên quan
Giá điện có thể tăng từ tháng sau
Doanh nghiệp xăng dầu kêu lỗ

Quỹ bình ổn giá không được trích lập và chi sử dụng trong kỳ này.

DSC_0123.JPG
Người dân đổ xăng tại một cửa hàng ở quận 1.

Đây là lần giảm giá thứ ba kể từ đầu tháng, sau hai lần tăng liên tiếp trước đó.

PV

Tags
giá xăng
Đọc nhiều
Bài đọc nhiều nhất hôm nay có nội dung dài và kết thúc bằng dấu chấm như một đoạn văn.
"""


def test_it_drops_inline_link_blocks_and_keeps_the_body_around_them():
    article = extract_text(INLINE_LINKS)
    assert article.title == "Giá xăng giảm lần thứ ba liên tiếp"
    assert article.sapo.startswith("(PLO)- Từ 15 giờ chiều nay")
    assert article.text.split("\n\n") == [
        "Liên bộ Công Thương - Tài chính cho biết giá thế giới đã giảm mạnh trong kỳ điều hành vừa qua.",
        "Quỹ bình ổn giá không được trích lập và chi sử dụng trong kỳ này.",
        "Đây là lần giảm giá thứ ba kể từ đầu tháng, sau hai lần tăng liên tiếp trước đó.",
    ]
    assert article.captions == ["Người dân đổ xăng tại một cửa hàng ở quận 1."]
    assert article.byline == "PV" and article.authors == []
    related = " ".join(r.text for r in article.removed if r.kind == "related")
    assert "Giá điện có thể tăng" in related and "Giá dầu thế giới" in related


def test_a_lone_short_line_between_paragraphs_is_a_subheading():
    dump = (
        "Tiêu đề bài viết về giáo dục đại học\n\n"
        "Đoạn mở đầu giới thiệu nội dung chính của bài viết một cách ngắn gọn và rõ ràng.\n\n"
        "Đoạn thân bài thứ nhất trình bày bối cảnh của vấn đề đang được bàn luận.\n\n"
        "Những thay đổi trong tuyển sinh\n\n"
        "Đoạn thân bài thứ hai nói về các thay đổi cụ thể trong năm nay.\n"
    )
    article = extract_text(dump)
    assert [b.kind for b in article.blocks] == ["paragraph", "heading", "paragraph"]


@pytest.mark.parametrize(
    ("text", "error"),
    [("", EmptyPageError), ("   \n\n  ", EmptyPageError), ("abc\x00def", NotHTMLError)],
)
def test_bad_input_raises_a_clear_extraction_error(text, error):
    with pytest.raises(error) as info:
        extract_text(text)
    assert isinstance(info.value, ExtractionError) and str(info.value)


def test_the_corpus_dumps_segment_without_losing_the_body(shared_data):
    folder = shared_data / "corpus" / "dantri-unc"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    files = sorted(folder.glob("news_*.txt"))[::25]
    assert files
    short = []
    for path in files:
        raw = path.read_text(encoding="utf-8")
        article = extract_text(raw)
        assert article.url.startswith("https://dantri.com.vn/"), path.name
        assert article.published is not None, path.name
        kept = len(article.text) + len(article.sapo) + len(article.title)
        body = sum(len(x) for x in raw.splitlines() if not x.startswith("#"))
        # captions, bylines and teasers go, but the bulk of the article stays
        if kept < 0.6 * body:
            short.append(path.name)
    # photo stories (all text in captions) may lose more; they are rare
    assert len(short) <= len(files) // 20, short


def test_enumeration_lines_stay_in_the_body():
    dump = (
        "Danh sách đội tuyển Argentina dự Copa America\n"
        "Huấn luyện viên Gerardo Martino vừa công bố danh sách 23 cầu thủ cho giải đấu năm nay.\n"
        "Thủ môn: Mariano Andujar (Estudiantes), Nahuel Guzman (Tigres), Sergio Romero (MU)\n"
        "Tiền đạo: Sergio Aguero (Man City), Angel Di Maria (PSG), Lionel Messi (Barcelona)\n"
        "Đội tuyển sẽ tập trung vào cuối tháng này.\n"
    )
    article = extract_text(dump)
    assert "Thủ môn: Mariano Andujar" in article.text and "Tiền đạo: Sergio Aguero" in article.text


WITH_CHROME = """Trang chủ
Thời sự
Thời sự > Giao thông
Thứ Sáu, 27/11/2026 - 08:30
Hà Nội mở thêm ba tuyến buýt điện
Cập nhật: 27/11/2026 09:15 (GMT+7)
Từ tháng sau, người dân Thủ đô có thêm ba tuyến xe buýt điện nối trung tâm với các khu đô thị mới.

Các tuyến mới chạy từ 5 giờ sáng đến 22 giờ mỗi ngày, giá vé giữ nguyên như xe buýt thường.
"""


def test_page_chrome_above_the_headline_gives_section_and_date():
    article = extract_text(WITH_CHROME)
    assert article.title == "Hà Nội mở thêm ba tuyến buýt điện"
    assert article.sapo.startswith("Từ tháng sau")
    assert article.section_path == ["Thời sự", "Giao thông"] and article.section == "Giao thông"
    assert article.published == datetime(2026, 11, 27, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert (
        article.text
        == "Các tuyến mới chạy từ 5 giờ sáng đến 22 giờ mỗi ngày, giá vé giữ nguyên như xe buýt thường."
    )
    assert [r.text for r in article.removed if r.kind == "navigation"] == ["Trang chủ", "Thời sự"]


def test_a_short_title_is_not_taken_for_navigation():
    dump = "Bão số 9\nBão số 9 đã đổ bộ vào đất liền các tỉnh miền Trung chiều nay, gây mưa lớn.\nNhiều nơi mất điện.\n"
    article = extract_text(dump)
    assert article.title == "Bão số 9"


SHARE_AND_CREDITS = """Người dân miền Trung khẩn trương chống bão
Chia sẻ
Facebook
Zalo
Bình luận
Bão số 9 dự kiến đổ bộ vào các tỉnh từ Quảng Nam đến Bình Định trong đêm nay, gió giật cấp 12.

img_2041.jpg
Người dân chằng chống nhà cửa trước khi bão vào.
Ảnh: Nguyễn Tiến Đạt

Chính quyền các địa phương đã sơ tán hơn 10.000 hộ dân khỏi vùng nguy hiểm trong ngày hôm qua.

Bài và ảnh: Minh Anh
Bình luận (3)
"""


def test_share_bars_credits_and_labelled_bylines():
    article = extract_text(SHARE_AND_CREDITS)
    assert article.title == "Người dân miền Trung khẩn trương chống bão"
    assert article.sapo.startswith("Bão số 9 dự kiến đổ bộ")
    assert article.text == (
        "Chính quyền các địa phương đã sơ tán hơn 10.000 hộ dân khỏi vùng nguy hiểm trong ngày hôm qua."
    )
    image = article.images[0]
    assert image.caption == "Người dân chằng chống nhà cửa trước khi bão vào."
    assert image.credit == "Nguyễn Tiến Đạt"
    assert article.byline == "Bài và ảnh: Minh Anh" and article.authors == ["Minh Anh"]
    shared = [r.text for r in article.removed if r.kind == "share"]
    assert shared == ["Chia sẻ", "Facebook", "Zalo", "Bình luận (3)"]


BYLINES = [
    # (line, is a byline, authors)
    ("Hoàng Phúc - Lê Kiên", True, ["Hoàng Phúc", "Lê Kiên"]),
    ("Theo Dân trí", True, []),
    ("Nguồn: TTXVN", True, []),
    ("PV", True, []),
    ("Nhóm PV", True, []),
    ("TTXVN", True, []),
    ("Minh Anh (tổng hợp)", True, ["Minh Anh"]),
    ("Bài và ảnh: Minh Anh", True, ["Minh Anh"]),
    ("Vân Sơn, Hà An và Nguyễn Thị Hoa", True, ["Vân Sơn", "Hà An", "Nguyễn Thị Hoa"]),
    ("Hoàng", False, []),
    ("Hà Nội sẽ kết hợp giữa diện và điểm", False, []),
    ("Đây là một câu văn bình thường kết thúc bằng dấu chấm.", False, []),
]


@pytest.mark.parametrize(("line", "is_byline", "authors"), BYLINES)
def test_byline_lines_and_their_authors(line, is_byline, authors):
    assert (byline_of(line) is not None) == is_byline
    if is_byline:
        assert authors_of([line]) == authors


def test_language_is_vietnamese_only_for_vietnamese_text(seed):
    assert seed.language == "vi"
    english = extract_text(
        "Mexico's economy grew in the first quarter\n"
        "The national statistics institute said growth was driven by services and exports.\n"
    )
    assert english.language == ""
