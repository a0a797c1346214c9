"""extract_text(): a crawler's plain-text dump of a news page -> Article.

A dump is what is left of a page once the markup is gone: the headline, the sapo, the body
paragraphs, and everything the page had around them, flattened into lines — inline related
headlines, photo file names ("1230 3h5a6444jpg"), captions, the byline and the site's trailing
blocks ("Có thể bạn quan tâm", "Tin khác", teaser lists). Each line is classified:

    title      the first line, when it reads like a headline (short, no closing full stop)
    sapo       the lead paragraph after the title (or a first line opening with "(LĐTĐ)")
    filename   digits + file-name-ish ASCII tokens ("1240 image gallery 2", "dsc_0123.jpg")
    caption    the line right after a file name -> an image Block with that caption, no src
    related    short headline-like lines hanging off a paragraph (no blank line between), or a
               run of two or more of them: the site's inline "related news" links
    heading    a lone short headline-like line between paragraphs
    byline     short name line(s) at the end of the body ("Hoàng Phúc - Lê Kiên", "Theo Dân trí")
    site       a known trailing block header and everything after it (teasers, navigation)
    paragraph  everything else

Two layouts exist: paragraphs separated by blank lines (the seed page) and one paragraph or
sentence per line (the dantri-unc corpus). Attachment ("hanging off a paragraph") is only
meaningful in the first; the rules below say where they differ. Optional "# key = value"
header lines (doc_id, url, date) at the top are read as metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vnnews.extract.article import Article, Block, Removed
from vnnews.extract.dump_byline import authors_of, byline_of, byline_parts, printed_byline
from vnnews.extract.encoding import vietnamese_score
from vnnews.extract.errors import EmptyPageError, NotHTMLError, PageTooLargeError
from vnnews.text.dates import parse_vietnamese_datetime
from vnnews.text.normalize import normalize

__all__ = ["extract_text"]

MAX_CHARS = 15 * 1024 * 1024
_MAX_LINE = 20_000  # longer "lines" are cut: a paragraph is never that long, minified junk is

# Block headers after which the page's own content is over (lower case, no trailing colon).
HARD_HEADERS = frozenset(
    {
        "có thể bạn quan tâm", "nên xem", "tin khác", "phiên bản di động", "tin cùng chuyên mục",
        "cùng chuyên mục", "tin mới", "tin mới nhất", "tin mới cập nhật", "tin nổi bật",
        "đọc nhiều", "đọc nhiều nhất", "xem nhiều", "xem nhiều nhất", "tin đọc nhiều",
        "bình luận", "ý kiến bạn đọc", "ý kiến", "gửi bình luận", "viết bình luận",
        "tin tức liên quan", "tin bài liên quan", "bài viết liên quan", "tin nên đọc",
        "tin tiêu điểm", "tiêu điểm", "video nổi bật", "video đang được quan tâm",
        "chủ đề", "từ khóa", "từ khoá", "tags", "tag", "quảng cáo",
        "bạn có thể quan tâm", "có thể bạn muốn xem", "đừng bỏ lỡ", "tin mới hơn", "tin cũ hơn",
        "các tin khác", "những tin khác", "tin khác cùng chuyên mục", "trở lại đầu trang",
        "về đầu trang", "lên đầu trang", "đăng nhập", "đăng ký", "theo dõi chúng tôi trên",
    }
)  # fmt: skip
# Headers that may also sit inside the body, before a few related links, with body after them.
SOFT_HEADERS = frozenset(
    {"tin liên quan", "bài liên quan", "xem thêm", "đọc thêm", "xem tiếp", "mời xem thêm"}
)
_INLINE_RELATED = re.compile(
    r"^(?:>>+|»|\*|\+)?\s*(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|xem tiếp)\s*[:>»-]+\s*\S",
    re.I,
)
_HEADER_LINE = re.compile(r"^\s*#\s*([\w-]{1,30})\s*[=:]\s*(.*?)\s*$")
_IMAGE_EXT = r"(?:jpe?g|png|gif|webp|bmp|tiff?|avif|heic)"
_FILENAME = re.compile(
    rf"^(?:\d{{1,6}}\s+[a-z0-9_.\-]+(?:\s+[a-z0-9_.\-]+){{0,4}}|[\w\-.]{{1,80}}\.?{_IMAGE_EXT})$",
    re.I,
)
_ASCII_LOWER_FILE = re.compile(r"^[a-z0-9_.\- ]+$")
_OUTLET_PAREN = re.compile(r"^\s*\([^()]{2,30}\)\s*[-–—]?\s*\S")
_OUTLET_DASH = re.compile(r"^\s*[A-ZĐ][A-ZĐ.]{1,12}(?:\.VN)?\s*[-–—]\s*\S")
_FINAL = re.compile(r"[.!?…:;,]['\"”’»)\]]*$")
_WORDS = re.compile(r"\S+")
# A photo credit on its own line: "Ảnh: Nguyễn Tiến Đạt", "(Ảnh: TTXVN)"
_CREDIT_LINE = re.compile(
    r"^\(?\s*(?:ảnh|nguồn\s+ảnh|đồ\s+họa|đồ\s+hoạ|video|clip|photo)\s*:\s*([^()]{1,60})\)?\.?$",
    re.I,
)
# Share bars and counters flattened into lines.
_SHARE = re.compile(
    r"^(?:facebook|zalo|twitter|x|email|e-mail|in|in bài|gửi bài|lưu|lưu bài|copy link|sao chép liên kết"
    r"|google news|tweet|like|share|thích|chia sẻ|chia sẻ bài viết|bình luận\s*\(\d+\)|\d+\s*(?:bình luận|lượt xem"
    r"|lượt thích|chia sẻ))$",
    re.I,
)
_CREDIT = re.compile(
    r"\(\s*(?:ảnh|nguồn|photo|video|đồ họa|đồ hoạ|clip)\s*:[^()]{1,80}\)\s*\.?$", re.I
)
_PUNCT = "\"'“”‘’«»()[]{}.,:;!?…-–—"
_SENTENCE_BREAK = re.compile(r"[.!?…]['\"”’]?\s+[A-ZĐÀ-Ỹ\"“]")
_FULL_DATE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.+-Z]+)?|\b\d{1,2}:\d{2}\b"
    r"|\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}",
    re.I,
)
_DATE_WORDS = re.compile(
    r"\b(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật|cập\s+nhật|đăng|ngày|lúc|gmt|utc|sáng|chiều"
    r"|tối|trưa|am|pm)\b|[()|:,+-]",
    re.I,
)
_BREADCRUMB = re.compile(r"^[^.!?]{2,40}(?:\s+(?:>|»|›|/|\|)\s+[^.!?>»›/|]{2,40}){1,5}$")
_BREADCRUMB_SPLIT = re.compile(r"\s+(?:>|»|›|/|\|)\s+")


@dataclass
class _Line:
    text: str
    group: int  # index of the blank-line-separated group it belongs to
    first_in_group: bool


def _lines(text: str) -> tuple[dict[str, str], list[_Line]]:
    headers: dict[str, str] = {}
    out: list[_Line] = []
    group = 0
    new_group = True
    at_top = True
    for raw in text.splitlines():
        line = " ".join(raw[:_MAX_LINE].split())
        if not line:
            group += 1 if not new_group else 0
            new_group = True
            continue
        if at_top:
            m = _HEADER_LINE.match(line)
            if m:
                headers[m.group(1).lower()] = m.group(2)
                continue
            at_top = False
        out.append(_Line(line, group, new_group))
        new_group = False
    return headers, out


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def _ends_sentence(text: str) -> bool:
    return bool(_FINAL.search(text))


def _headline_like(text: str, max_words: int = 30) -> bool:
    """Short, starts like a headline, no closing punctuation."""
    n = _words(text)
    if n < 3 or n > max_words or _ends_sentence(text):
        return False
    if text.count(",") >= 3 or (":" in text and text.count(",") >= 2):
        return False  # an enumeration ("Tiền vệ: A (X), B (Y), C (Z)"), not a headline
    first = text.lstrip("\"'“‘«([").strip()[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def _is_filename(text: str) -> bool:
    if len(text) > 90 or not text.isascii():
        return False
    if not _FILENAME.match(text):
        return False
    # "1230 3h5a6444jpg", "1240 image gallery 2": lower case ASCII tokens, no sentence in it
    return bool(_ASCII_LOWER_FILE.match(text.lower())) and (
        text == text.lower() or re.search(rf"\.?{_IMAGE_EXT}$", text, re.I) is not None
    )


def _header_key(text: str) -> str:
    return text.strip().rstrip(":：>»").strip().lower()


def _pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent syllable pairs (most Vietnamese words are two syllables)."""
    words = [w.strip(_PUNCT).lower() for w in text.split()]
    words = [w for w in words if w]
    return set(zip(words, words[1:], strict=False))


def _similar(a: str, b: str) -> float:
    ta, tb = set(a.lower().split()), set(b.lower().split())
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _opens_with_outlet(text: str) -> bool:
    return bool(_OUTLET_PAREN.match(text) or _OUTLET_DASH.match(text))


def _check(text: str) -> None:
    if not isinstance(text, str):
        raise NotHTMLError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise PageTooLargeError(f"text is {len(text)} characters, over the limit of {MAX_CHARS}")
    if "\x00" in text[:8192]:
        raise NotHTMLError("text contains NUL characters: binary, not a text dump")
    if not text.strip():
        raise EmptyPageError("text is empty")


def extract_text(text: str, url: str | None = None) -> Article:
    """Segment a plain-text dump into an Article. Raises an ExtractionError subclass on bad input."""
    _check(text)
    headers, lines = _lines(text)
    if not lines:
        raise EmptyPageError("text holds no content lines")
    blank_style = len({line.group for line in lines}) >= max(3, len(lines) // 4)
    removed: list[Removed] = []
    # Share bars ("Facebook", "Zalo", "Bình luận (3)") can sit anywhere; they are never content.
    kept = [line for line in lines if not _SHARE.match(line.text)]
    if len(kept) < len(lines):
        removed += [
            Removed("share", line.text, "share bar") for line in lines if _SHARE.match(line.text)
        ]
        lines = kept
    if not lines:
        raise EmptyPageError("text holds only share buttons")

    # Page chrome before the headline: navigation words, a breadcrumb, a date line.
    i = 0
    published = None
    section_path: list[str] = []
    while i < min(len(lines) - 1, 8):
        text = lines[i].text
        when = _date_line(text)
        if when is not None:
            published = published or when
        elif _BREADCRUMB.match(text):
            section_path = [p.strip() for p in _BREADCRUMB_SPLIT.split(text) if p.strip()]
        elif _words(text) <= 2 and not _ends_sentence(text) and _chrome(lines[i + 1].text):
            removed.append(Removed("navigation", text, "before the headline"))
        else:
            break
        i += 1

    # Title and sapo.
    title = sapo = ""
    first = lines[i].text
    if not _CREDIT.search(first) and (
        _headline_like(first, max_words=40)
        or (len(lines) > i + 1 and _words(first) <= 25 and not first.endswith("."))
    ):
        title = first
        i += 1
    # A date (or "Cập nhật ...") line, or a stray header ("Bình luận"), between headline and sapo.
    while i < len(lines) - 1 and title:
        when = _date_line(lines[i].text)
        if when is not None:
            published = published or when
        elif _header_key(lines[i].text) in HARD_HEADERS:
            removed.append(Removed("navigation", lines[i].text, "site header above the body"))
        else:
            break
        i += 1
    if i < len(lines) and _is_filename(lines[i].text):
        pass  # a picture right under the title: no sapo to take
    elif i < len(lines) and (
        (title and not _headline_like(lines[i].text) and _words(lines[i].text) >= 8)
        or _opens_with_outlet(lines[i].text)
    ):
        sapo = lines[i].text
        i += 1
    body_start = i

    # The end of the page's own content: the first hard header after the body has begun.
    # A header before any paragraph ("Bình luận" under the headline) is page chrome, not the end.
    end = len(lines)
    seen_paragraph = bool(sapo)
    for j in range(body_start, len(lines)):
        if _header_key(lines[j].text) in HARD_HEADERS and seen_paragraph:
            end = j
            break
        seen_paragraph = seen_paragraph or (
            _words(lines[j].text) >= 12 and _ends_sentence(lines[j].text)
        )
    site_blocks = _site_blocks(lines[end:])

    # Byline: the last run of byline lines before `end` with no real paragraph after it.
    byline_lines: list[str] = []
    tail: list[Removed] = []  # what follows the body, recorded after it in reading order
    k = end - 1
    while k >= body_start and byline_parts(lines[k].text):
        k -= 1
    if k + 1 < end:
        byline_lines = [part for line in lines[k + 1 : end] for part in byline_parts(line.text)]
        end = k + 1
    else:
        # A byline followed only by short non-paragraph lines (share bars, "Tags") still ends it.
        for j in range(end - 1, max(body_start, end - 6) - 1, -1):
            if byline_of(lines[j].text) is not None and all(
                _words(line.text) < 8 and not _ends_sentence(line.text)
                for line in lines[j + 1 : end]
            ):
                byline_lines = [lines[j].text]
                tail.append(
                    Removed(
                        "other",
                        _clip(" | ".join(x.text for x in lines[j + 1 : end])),
                        "after byline",
                    )
                )
                end = j
                break

    blocks = _segment(lines, body_start, end, title, sapo, blank_style, removed)
    removed.extend(tail)
    removed.extend(site_blocks)
    authors = authors_of(byline_lines)
    printed = printed_byline(byline_lines)
    paragraphs = [b.text for b in blocks if b.kind in ("paragraph", "heading")]
    if headers.get("date"):
        published = _header_date(headers["date"]) or published
    return Article(
        title=normalize(title),
        sapo=normalize(sapo),
        blocks=blocks,
        text="\n\n".join(paragraphs),
        authors=authors,
        byline=normalize(printed),
        published=published,
        url=url or headers.get("url", ""),
        canonical_url=headers.get("url", ""),
        # Vietnamese-only letters (ă đ ơ ư, U+1EA0-U+1EF9) in a fair share of words: Vietnamese.
        language="vi" if vietnamese_score(text[:20000]) > 0.05 else "",
        section=section_path[-1] if section_path else "",
        section_path=section_path,
        removed=removed,
    )


def _segment(
    lines: list[_Line],
    start: int,
    end: int,
    title: str,
    sapo: str,
    blank_style: bool,
    removed: list[Removed],
) -> list[Block]:
    blocks: list[Block] = []
    title_pairs = _pairs(title)
    j = start
    prev_kind = "sapo" if sapo else "title"
    while j < end:
        line = lines[j]
        text = line.text
        key = _header_key(text)
        if _is_filename(text):
            removed.append(Removed("filename", text, "image file name"))
            caption = ""
            if (
                j + 1 < end
                and not _is_filename(lines[j + 1].text)
                and _words(lines[j + 1].text) <= 80
            ):
                nxt = lines[j + 1]
                # The caption sits right under the file name (same group when blank lines are used).
                if not blank_style or not nxt.first_in_group:
                    caption = nxt.text
                    removed.append(Removed("caption", caption, "line after an image file name"))
                    j += 1
            blocks.append(Block("image", caption=normalize(caption)))
            prev_kind = "image"
            j += 1
            continue
        if key in SOFT_HEADERS:
            run = j + 1
            while run < end and _headline_like(lines[run].text):
                run += 1
            removed.append(
                Removed("related", _clip(" | ".join(x.text for x in lines[j:run])), "related links")
            )
            j = run
            continue
        if key in HARD_HEADERS:  # only before the first paragraph (see extract_text)
            removed.append(Removed("navigation", text, "site header above the body"))
            j += 1
            continue
        credit = _CREDIT_LINE.match(text)
        if credit:
            if blocks and blocks[-1].kind == "image" and not blocks[-1].credit:
                blocks[-1].credit = normalize(credit.group(1).strip())
            removed.append(Removed("caption", text, "photo credit"))
            j += 1
            continue
        if _INLINE_RELATED.match(text):
            removed.append(Removed("related", text, "inline related link"))
            j += 1
            continue
        if _CREDIT.search(text) and _words(text) <= 30 and not _SENTENCE_BREAK.search(text):
            # "... (Ảnh: Reuters)": a photo caption that lost its picture
            blocks.append(Block("image", caption=normalize(text)))
            removed.append(Removed("caption", text, "caption with a photo credit"))
            prev_kind = "image"
            j += 1
            continue
        if title and _similar(text, title) >= 0.6 and not _ends_sentence(text):
            removed.append(Removed("teaser", text, "repeats the title"))
            j += 1
            continue
        if _headline_like(text):
            run = j
            while (
                run < end and _headline_like(lines[run].text) and not _is_filename(lines[run].text)
            ):
                if blank_style and run > j and lines[run].first_in_group:
                    break
                run += 1
            attached = (
                blank_style and not line.first_in_group and prev_kind in ("paragraph", "sapo")
            )
            after_sapo = prev_kind == "sapo" and (not blank_style or not line.first_in_group)
            if run - j >= 2 or attached or after_sapo:
                for x in lines[j:run]:
                    if not blank_style and title_pairs & _pairs(x.text):
                        # One sentence per line: a run that speaks of the title's subject is
                        # a photo gallery's captions, not links to other stories.
                        blocks.append(Block("image", caption=normalize(x.text)))
                        removed.append(Removed("caption", x.text, "gallery caption"))
                        prev_kind = "image"
                    else:
                        removed.append(Removed("related", x.text, "inline related headline"))
                j = run
                continue
            if not blank_style and _words(text) >= 10:
                # One sentence per line: a long headline-like line is a photo caption.
                blocks.append(Block("image", caption=normalize(text)))
                removed.append(Removed("caption", text, "caption-like line"))
                prev_kind = "image"
            else:
                blocks.append(Block("heading", text=normalize(text), level=2))
                prev_kind = "heading"
            j += 1
            continue
        blocks.append(Block("paragraph", text=normalize(text)))
        prev_kind = "paragraph"
        j += 1
    return blocks


def _site_blocks(lines: list[_Line]) -> list[Removed]:
    """One Removed per trailing block: its header and the teasers under it."""
    sections: list[list[str]] = []
    for line in lines:
        key = _header_key(line.text)
        if not sections or key in HARD_HEADERS or key in SOFT_HEADERS:
            sections.append([])
        sections[-1].append(line.text)
    kind = {"phiên bản di động": "navigation"}
    return [
        Removed(kind.get(_header_key(sec[0]), "related"), _clip(" | ".join(sec)), "site block")
        for sec in sections
    ]


def _chrome(text: str) -> bool:
    """Navigation, a breadcrumb or a date line: what sits above a headline."""
    return _words(text) <= 3 or bool(_BREADCRUMB.match(text)) or _date_line(text) is not None


def _date_line(text: str):
    """The date of a short line that is only a date ("Thứ Sáu, 27/11/2026 - 08:30"), else None."""
    if _words(text) > 12 or not _FULL_DATE.search(text):
        return None
    rest = _FULL_DATE.sub(" ", text)
    rest = _DATE_WORDS.sub(" ", rest)
    if len(re.findall(r"[^\W\d_]{2,}", rest)) > 3:
        return None  # a sentence that happens to hold a date
    return parse_vietnamese_datetime(text)


def _header_date(value: str):
    value = value.strip()
    if re.fullmatch(r"\d{8}", value):  # "20210407"
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return parse_vietnamese_datetime(value)


def _clip(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
