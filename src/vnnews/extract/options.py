"""Options for the HTML extractor: one object with defaults, passed as an argument (never read
from the environment — the core stays configuration-free, see docs/design.md rule 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExtractOptions:
    # Pages above this many bytes are refused with PageTooLargeError (issue 2: default 15 MB).
    max_bytes: int = 15 * 1024 * 1024
    # Deeper subtrees are flattened to text instead of walked, so hostile nesting cannot hang us.
    max_depth: int = 120
    # Zone used when a page prints a time without one (Vietnamese outlets print local time).
    default_tz: str = "Asia/Ho_Chi_Minh"
    include_tables: bool = True
    include_images: bool = True
    # Per-site hints: domain -> {"body": css, "sapo": css, "remove": css, ...}. None means the
    # bundled table (site_hints.json); pass {} to run the generic extractor only.
    site_hints: dict[str, dict[str, Any]] | None = None
    # Declared charset (e.g. from an HTTP Content-Type header) for byte input.
    declared_encoding: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
