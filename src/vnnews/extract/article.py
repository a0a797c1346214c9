"""The extraction result: a plain, JSON-serialisable dataclass shared by every extractor."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

BlockKind = Literal["paragraph", "heading", "quote", "list", "table", "image", "video", "embed"]


@dataclass
class Block:
    """One piece of the body in reading order.

    - paragraph / heading / quote: `text` (heading has `level` 2..6)
    - list: `items` (and `ordered`)
    - table: `rows` (list of rows, each a list of cell texts)
    - image: `src` (absolute), `alt`, `caption`, `credit`
    - video / embed: `src` (absolute), `caption`
    """

    kind: BlockKind
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    rows: list[list[str]] = field(default_factory=list)
    src: str = ""
    alt: str = ""
    caption: str = ""
    credit: str = ""

    def to_dict(self) -> dict[str, Any]:
        # Only the fields that mean something for this kind, so stored JSON stays small.
        data = {"kind": self.kind}
        for key, value in asdict(self).items():
            if key != "kind" and value not in ("", 0, [], False):
                data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class Removed:
    """Something the extractor dropped, and why (for debugging): kind is one of
    related, caption, share, ad, navigation, teaser, filename, comment, footer, other."""

    kind: str
    text: str
    reason: str = ""


@dataclass
class Article:
    title: str = ""
    sapo: str = ""
    blocks: list[Block] = field(default_factory=list)
    text: str = ""  # paragraph-like blocks only: no captions, no sapo, no title
    authors: list[str] = field(default_factory=list)
    byline: str = ""  # as printed, e.g. "Hoàng Phúc - Lê Kiên", "Theo Dân trí"
    published: datetime | None = None  # always timezone-aware
    updated: datetime | None = None
    section: str = ""  # last breadcrumb item; `section_path` keeps the whole trail
    section_path: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    url: str = ""
    canonical_url: str = ""
    site_name: str = ""
    language: str = ""
    lead_image: str = ""
    removed: list[Removed] = field(default_factory=list)

    @property
    def captions(self) -> list[str]:
        return [b.caption for b in self.blocks if b.kind == "image" and b.caption]

    @property
    def images(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "image"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["blocks"] = [b.to_dict() for b in self.blocks]
        for key in ("published", "updated"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["blocks"] = [Block.from_dict(b) for b in data.get("blocks", [])]
        values["removed"] = [Removed(**r) for r in data.get("removed", [])]
        for key in ("published", "updated"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)
