"""Bylines: Vietnamese outlets print the author at the end of the body ("Hoàng Phúc - Lê Kiên",
"Theo VnExpress", "Nguồn: TTXVN"), right-aligned or bold; many sites also mark it up
(`.author`, `[rel=author]`, `[itemprop=author]`)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from vnnews.text.normalize import normalize

_SOURCE = re.compile(
    r"^\s*(Theo|Nguồn|Nguồn tin|Source|By|Bài và ảnh|Bài, ảnh|Ảnh)\s*[:：]?\s+(.+)$", re.I
)
_NAME_WORD = r"[A-ZĐÀ-Ỹ][\wÀ-ỹ.'’]*"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}"
_NAMES = re.compile(rf"^\s*{_NAME}(?:\s*(?:[-–,/&]|\s+và\s+|\s+and\s+)\s*{_NAME}){{0,5}}\s*$")
_SPLIT = re.compile(r"\s*(?:[-–,/&;]|\s+và\s+|\s+and\s+)\s*")
_ROLE = re.compile(r"\s*\((?:[^()]{0,40})\)\s*$")
SELECTOR = (
    "[itemprop=author] [itemprop=name], [itemprop=author], [rel=author], .author-name,"
    " .author, .byline, .article__author, .detail-author, .author-info .name, .tacgia,"
    " .dt-news__author, .article-author, p.author, .author_mail, .the-article-credit"
)


def looks_like_byline(text: str, strong_hint: bool) -> bool:
    """A short trailing line that names people or a source."""
    text = text.strip()
    if not text or len(text) > 80:
        return False
    if _SOURCE.match(text) and len(text) < 60:
        return True
    if not strong_hint and len(text) > 40:
        return False
    core = _ROLE.sub("", text).strip(" .")
    if core.isupper() and len(core.split()) <= 6:
        return True
    return bool(_NAMES.match(core)) and (strong_hint or " - " in core or len(core.split()) <= 4)


def names(byline: str) -> list[str]:
    text = _ROLE.sub("", byline.strip()).strip(" .")
    m = _SOURCE.match(text)
    if m:
        word = m.group(1).lower()
        if word in ("theo", "nguồn", "nguồn tin", "source"):
            return []  # "Theo VnExpress" names the source, not an author
        text = m.group(2)
    out = []
    for part in _SPLIT.split(text):
        part = part.strip(" .")
        sm = _SOURCE.match(part)
        if sm and sm.group(1).lower() in ("theo", "nguồn", "nguồn tin", "source"):
            continue
        if part and len(part) <= 40:
            out.append(normalize(part.title() if part.isupper() else part))
    return out


def from_dom(tree: LexborHTMLParser) -> str:
    for node in tree.css(SELECTOR):
        text = " ".join(node.text(separator=" ").split())
        if 2 < len(text) < 80:
            return normalize(text)
    return ""
