"""Per-site hints as data: site_hints.json maps a domain to CSS selectors ("body", "sapo",
"remove"). The generic extractor is the default; a hint only narrows where it looks."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_TABLE = Path(__file__).with_name("site_hints.json")


@lru_cache(maxsize=1)
def bundled() -> dict[str, dict[str, Any]]:
    with _TABLE.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return {k.lower(): v for k, v in data.items() if not k.startswith("_")}


def for_url(url: str | None, table: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    if not url:
        return {}
    table = bundled() if table is None else table
    host = (urlsplit(url).hostname or "").lower()
    while host:
        if host in table:
            return table[host]
        if "." not in host:
            break
        host = host.split(".", 1)[1]
    return {}
