"""vnnews.extract: a page (HTML bytes/str, or crawler plain text) becomes a clean Article.

No Django, no network, no environment: options are passed as an ExtractOptions argument.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from vnnews.extract.article import Article, Block, Removed
from vnnews.extract.engine import extract
from vnnews.extract.errors import (
    EmptyPageError,
    ExtractionError,
    NoArticleError,
    NotHTMLError,
    PageTooLargeError,
)
from vnnews.extract.options import ExtractOptions

__all__ = [
    "Article",
    "Block",
    "EmptyPageError",
    "ExtractOptions",
    "ExtractionError",
    "NoArticleError",
    "NotHTMLError",
    "PageTooLargeError",
    "Removed",
    "extract",
    "extract_text",
]


def __getattr__(name: str) -> Any:
    # extract_text lives in text_dump (written separately); load it only when asked for.
    if name == "extract_text":
        from vnnews.extract.text_dump import extract_text

        return extract_text
    raise AttributeError(name)


class _CallableModule(types.ModuleType):
    """`from vnnews import extract` finds this package (a submodule named like the function
    shadows vnnews.__getattr__), so the package itself calls through to extract()."""

    def __call__(
        self, page: bytes | str, url: str | None = None, options: ExtractOptions | None = None
    ) -> Article:
        return extract(page, url, options)


sys.modules[__name__].__class__ = _CallableModule
