"""Bylines in plain-text dumps: short name lines at the end of the body.

Vietnamese outlets print the author last, as names ("Hoàng Phúc - Lê Kiên"), a source ("Theo Dân
trí", "Nguồn: TTXVN"), a desk ("PV", "Nhóm PV", "Tổng hợp"), an agency abbreviation ("TTXVN") or a
label ("Bài và ảnh: Minh Anh"). Dumps sometimes glue the author and the source into one line
("Minh PhươngTheo Dailymail"). Names are Vietnamese personal names: 1-5 capitalised syllables.
"""

from __future__ import annotations

import re

from vnnews.text.normalize import normalize

__all__ = ["authors_of", "byline_of", "byline_parts", "printed_byline"]

_WORDS = re.compile(r"\S+")
_NAME_WORD = r"(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]*\.?|[A-ZĐ]\.(?:[A-ZĐ]\.)*[A-ZĐa-zđà-ỹ]*)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}"
_NAME_SEP = r"\s*(?:[-–—,/&]|\s+và\s+)\s*"
_NAMES = re.compile(rf"^{_NAME}(?:{_NAME_SEP}{_NAME}){{0,5}}$")
_SPLIT_NAMES = re.compile(_NAME_SEP)
_SOURCE = re.compile(r"^\(?\s*(theo|nguồn|nguồn tin|source)\s*:?\s+(.{2,60}?)\s*\)?\.?$", re.I)
_ROLE = re.compile(r"\s*\((?:[^()]{0,40})\)\s*$")
# "Bài và ảnh: Minh Anh", "Bài, ảnh: ...", "Bài: ...", "Tác giả: ...": people behind a label
_LABELLED = re.compile(
    r"^(?:bài\s+và\s+ảnh|bài\s*,\s*ảnh|bài|tác\s+giả|phóng\s+viên)\s*:\s*(.{2,70})$", re.I
)
# "Minh PhươngTheo Dailymail": a dump that lost the line break between author and source.
_GLUED_SOURCE = re.compile(r"^(.{2,40}?[a-zđà-ỹ])((?:Theo|Nguồn)\s+\S.{0,50})$")
_DESK = re.compile(
    r"^\(?(?:nhóm\s+)?(?:pv|ctv|btv|phóng viên|nhóm phóng viên|tổng hợp)\)?(?:\s*[/-]\s*\S+)?\.?$",
    re.I,
)
_UPPER_ABBREV = re.compile(r"^[A-ZĐ]{2,8}(?:[/-][A-ZĐ]{2,8})?\.?$")


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def byline_of(text: str) -> str | None:
    """The byline as printed if `text` is one, else None."""
    text = text.strip()
    if len(text) > 80 or _words(text) > 12:
        return None
    if _SOURCE.match(text) or _DESK.match(text):
        return text
    labelled = _LABELLED.match(text)
    if labelled:
        return text if byline_of(labelled.group(1)) is not None else None
    core = _ROLE.sub("", text).strip().rstrip(".").strip()
    if not core:
        return None
    if _UPPER_ABBREV.match(core):
        return text  # "PV", "TTXVN", "VOV"
    if _NAMES.match(core) and _words(core) <= 10:
        parts = [p for p in _SPLIT_NAMES.split(core) if p]
        if all(1 <= _words(p) <= 5 for p in parts) and (len(parts) > 1 or _words(core) >= 2):
            return text
    return None


def byline_parts(text: str) -> list[str]:
    """The byline line(s) in `text` (one line, or an author glued to "Theo ..."), else []."""
    if byline_of(text) is not None:
        return [text]
    m = _GLUED_SOURCE.match(text)
    if m and byline_of(m.group(1)) is not None and byline_of(m.group(2)) is not None:
        return [m.group(1), m.group(2)]
    return []


def authors_of(printed: list[str]) -> list[str]:
    """Person names in the byline lines (sources, desks and agencies are not people)."""
    names: list[str] = []
    for line in printed:
        core = _ROLE.sub("", line.strip()).strip().rstrip(".").strip()
        labelled = _LABELLED.match(core)
        if labelled:
            core = labelled.group(1).strip()
        if _SOURCE.match(core) or _DESK.match(core) or _UPPER_ABBREV.match(core):
            continue  # a source or a desk, not a person
        for part in _SPLIT_NAMES.split(core):
            part = part.strip(" .")
            if part and part not in names:
                names.append(normalize(part))
    return names


def printed_byline(lines: list[str]) -> str:
    """One string as printed: "A - B", or "A (Theo X)" when a source line follows the names."""
    if not lines:
        return ""
    people = [x for x in lines if not _SOURCE.match(x.strip())]
    sources = [x.strip().strip("()") for x in lines if _SOURCE.match(x.strip())]
    if people and sources:
        return f"{' - '.join(people)} ({'; '.join(sources)})"
    return " - ".join(lines)
