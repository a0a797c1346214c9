"""decode_page: BOMs, declared and lying charsets, windows-1258, TCVN3/VNI, binary refusal."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from vnnews.extract.encoding import decode_page, vietnamese_score
from vnnews.extract.errors import ExtractionError, NotHTMLError
from vnnews.extract.legacy_charsets import (
    decode_tcvn3,
    decode_vni,
    encode_tcvn3,
    encode_viscii,
    encode_vni,
)

TEXT = (
    "Tiếp tục làm tốt vai trò “cầu nối” giữa doanh nghiệp và chính quyền. "
    "Sáng 01/8, Đại hội đại biểu Đảng bộ các khu công nghiệp và chế xuất Hà Nội lần thứ II, "
    "nhiệm kỳ 2020-2025, tiến hành phiên làm việc chính thức; thu hút đầu tư vẫn đạt hơn "
    "1,9 tỷ USD, tăng 32% so với giai đoạn trước. Người lao động được chăm lo đời sống."
)
LOWER = TEXT.lower()  # TCVN3 has no codes for toned capitals
PLAIN = TEXT.replace("“", '"').replace("”", '"')  # VISCII has no room for curly quotes


def page(body: str, meta: str = "", head: str = "") -> str:
    return (
        f"<!doctype html><html{head}><head>{meta}<title>Tin</title></head>"
        f"<body><article><p>{body}</p></article></body></html>"
    )


def encode_cp1258(text: str) -> bytes:
    """windows-1258 as Vietnamese software writes it: â ê ô ă ơ ư đ precomposed, tones combining."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(p for p in parts if p in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def body_of(html: str) -> str:
    return html.split("<p>", 1)[1].split("</p>", 1)[0]


CASES = [
    # (name, bytes, declared charset, expected body)
    ("utf-8 declared", page(TEXT, '<meta charset="utf-8">').encode(), "utf-8", TEXT),
    ("utf-8 undeclared", page(TEXT).encode(), None, TEXT),
    ("utf-8 with BOM", codecs.BOM_UTF8 + page(TEXT).encode(), "iso-8859-1", TEXT),
    ("utf-16 with BOM", codecs.BOM_UTF16_LE + page(TEXT).encode("utf-16-le"), None, TEXT),
    # the common lie: HTTP or meta says Latin-1, bytes are UTF-8
    (
        "utf-8 declared latin-1",
        page(TEXT, '<meta charset="iso-8859-1">').encode(),
        "iso-8859-1",
        TEXT,
    ),
    (
        "utf-8 with http-equiv windows-1252",
        page(
            TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        ).encode(),
        None,
        TEXT,
    ),
    # windows-1258: combining tones must come out composed
    (
        "windows-1258 declared",
        encode_cp1258(page(TEXT, '<meta charset="windows-1258">')),
        None,
        TEXT,
    ),
    ("windows-1258 by HTTP", encode_cp1258(page(TEXT)), "windows-1258", TEXT),
    (
        "windows-1258 declared latin-1",
        encode_cp1258(page(TEXT, '<meta charset="iso-8859-1">')),
        None,
        TEXT,
    ),
    ("windows-1258 undeclared", encode_cp1258(page(TEXT)), None, TEXT),
    (
        "windows-1258 declared utf-8",
        encode_cp1258(page(TEXT, '<meta charset="utf-8">')),
        "utf-8",
        TEXT,
    ),
    # legacy Vietnamese 8-bit encodings, found by the fonts the page asks for
    (
        "TCVN3 with .VnTime font",
        encode_tcvn3(page(f'<font face=".VnTime">{LOWER}</font>', '<meta charset="iso-8859-1">')),
        None,
        f'<font face=".VnTime">{LOWER}</font>',
    ),
    (
        "VNI with VNI-Times font",
        encode_vni(page(f'<span style="font-family: VNI-Times">{TEXT}</span>')),
        "iso-8859-1",
        f'<span style="font-family: VNI-Times">{TEXT}</span>',
    ),
    ("TCVN3 declared lang=vi", encode_tcvn3(page(LOWER, head=' lang="vi"')), None, LOWER),
    ("VNI declared lang=vi", encode_vni(page(TEXT, head=' lang="vi"')), None, TEXT),
    ("TCVN3 by label", encode_tcvn3(page(LOWER)), "TCVN3", LOWER),
    ("VISCII by meta", encode_viscii(page(PLAIN, '<meta charset="VISCII">')), None, PLAIN),
    ("VISCII by HTTP", encode_viscii(page(PLAIN.upper())), "viscii", PLAIN.upper()),
]


@pytest.mark.parametrize(("name", "data", "declared", "expected"), CASES, ids=[c[0] for c in CASES])
def test_it_decodes_vietnamese_text_whatever_the_declaration(name, data, declared, expected):
    text = decode_page(data, declared)
    assert body_of(text) == nfc(expected)
    assert unicodedata.is_normalized("NFC", text)


OTHER_LANGUAGES = [
    ("french latin-1", "Les élèves où l'été était très chaud, à côté de la forêt.", "iso-8859-1"),
    ("german windows-1252", "Größere Übungen für Bären – „schön“ gesagt.", "windows-1252"),
    ("portuguese latin-1", "Não há ações nem informações sobre a nação.", "iso-8859-1"),
    ("russian windows-1251", "Новости дня: президент заявил о реформах.", "windows-1251"),
]


@pytest.mark.parametrize(
    ("name", "body", "charset"), OTHER_LANGUAGES, ids=[c[0] for c in OTHER_LANGUAGES]
)
def test_it_keeps_honest_declarations_of_other_languages(name, body, charset):
    data = page(body, f'<meta charset="{charset}">').encode(charset)
    assert body_of(decode_page(data)) == body
    assert body_of(decode_page(page(body).encode(charset), charset)) == body


def test_it_detects_an_undeclared_cyrillic_page():
    body = "Новости дня: президент заявил о реформах в экономике и образовании страны. " * 5
    text = decode_page(page(body).encode("windows-1251"))
    assert body_of(text) == body


def test_a_page_with_a_legacy_font_name_in_utf8_stays_utf8():
    # Old sites converted to Unicode often keep ".VnTime" in their font lists.
    html = page(TEXT, "<style>p{font-family:Arial,.VnTime,'VNI-Times'}</style>")
    assert body_of(decode_page(html.encode())) == TEXT


def test_it_tolerates_a_utf8_page_cut_in_the_middle_of_a_character():
    data = page(TEXT).encode()
    cut = data[: data.index("Người".encode()) + 3]  # "N", "g", then half of "ư"
    assert decode_page(cut).endswith("tăng 32% so với giai đoạn trước. Ng")


def test_unknown_or_hostile_labels_do_not_fail():
    data = page(TEXT).encode()
    for label in ("x-unknown", "utf-16", "", "  ", "binary", "utf-8; q=1"):
        assert body_of(decode_page(data, label)) == TEXT


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        bytes(range(256)) * 4,
    ],
    ids=["pdf", "png", "gzip", "all bytes"],
)
def test_it_refuses_binary_input(data):
    with pytest.raises(NotHTMLError):
        decode_page(data)
    assert issubclass(NotHTMLError, ExtractionError)


def test_empty_input_is_empty_text():
    assert decode_page(b"") == ""


def test_the_legacy_tables_round_trip_every_vietnamese_letter():
    letters = "".join(
        chr(c)
        for c in [*range(0xC0, 0x250), *range(0x1EA0, 0x1EFA)]
        if vietnamese_score(chr(c) + "a") > 0 or chr(c) in "àáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ"
    )
    assert "ệ" in letters and "Ữ" in letters and "đ" in letters
    assert decode_vni(encode_vni(letters)) == letters
    lower = letters.lower()
    assert decode_tcvn3(encode_tcvn3(lower)) == lower


def test_mojibake_scores_below_the_real_text():
    real = vietnamese_score(TEXT)
    assert real > 0.3
    assert vietnamese_score(encode_vni(TEXT).decode("latin-1")) < 0
    assert vietnamese_score(encode_tcvn3(LOWER).decode("cp1252", errors="replace")) < 0.05


KNOWN_MOJIBAKE = [
    # how legacy documents look when read as windows-1252, and what they say
    ("tcvn3", "Céng hoµ x· héi chñ nghÜa ViÖt Nam", "cộng hoà xã hội chủ nghĩa việt nam"),
    ("tcvn3", "§éc lËp - Tù do - H¹nh phóc", "Độc lập - tự do - hạnh phúc"),
    ("tcvn3", "tr\u00adêng häc", "trường học"),
    ("vni", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("vni", "Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
]


@pytest.mark.parametrize(("codec", "seen", "meant"), KNOWN_MOJIBAKE)
def test_known_legacy_mojibake_decodes_to_vietnamese(codec, seen, meant):
    data = seen.encode("cp1252")
    decoded = (decode_tcvn3 if codec == "tcvn3" else decode_vni)(data)
    # TCVN3 capitals came from a separate capitals font: compare without case there
    if codec == "tcvn3":
        assert decoded.lower() == meant.lower()
    else:
        assert decoded == meant


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_extract_reads_every_page_decode_page_reads(codec):
    # extract() once refused UTF-16 pages as "binary" before decode_page could see them.
    from vnnews.extract import extract

    body = "<p>Đây là một đoạn văn bản tiếng Việt đủ dài làm nội dung chính của bài báo.</p>" * 5
    page = f"<html><head><title>Tin</title></head><body><article><h1>Hà Nội mưa to</h1>{body}"
    article = extract((page + "</article></body></html>").encode(codec), url="https://x.vn/a")
    assert article.title == "Hà Nội mưa to"
    assert "tiếng Việt" in article.text
