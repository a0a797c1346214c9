"""Caption helpers: the photo credit at the end of a caption, and the bare photo file names
("1230 3h5a6444jpg") some CMSs leave in the body as text."""

from __future__ import annotations

import re

_FILENAME = re.compile(r"^\s*[\w.-]*\d[\w.-]*\s+[\w.-]*(jpe?g|png|gif|webp)\s*$", re.I)
_CREDIT = re.compile(
    r"\s*\(?\b(Ảnh|Ảnh minh họa|Nguồn|Photo|Credit|Image)\s*[:：]\s*([^()]{2,60})\)?\s*$"
)


def split_credit(caption: str) -> tuple[str, str]:
    m = _CREDIT.search(caption)
    if not m or m.start() == 0:
        return caption, ""
    return caption[: m.start()].strip(), m.group(2).strip(" .")


def looks_like_filename(text: str) -> bool:
    return bool(_FILENAME.match(text))
