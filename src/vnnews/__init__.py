"""vnnews: Vietnamese news extraction, normalisation and a self-hosted reading site.

The small public API is importable without Django:

    from vnnews import extract, extract_text, Article, normalize, fold
"""

from __future__ import annotations

from typing import Any

from vnnews.text import fold, normalize

__version__ = "0.1.0"
__all__ = ["Article", "ExtractionError", "extract", "extract_text", "fold", "normalize"]


def __getattr__(name: str) -> Any:
    # The extraction engine loads lxml/selectolax; import it only when asked for.
    if name in {"Article", "ExtractionError", "extract", "extract_text"}:
        # import_module, not `from vnnews import extract`: the latter asks this very
        # __getattr__ for "extract" again and recurses until RecursionError.
        import importlib

        _extract_pkg = importlib.import_module("vnnews.extract")
        return getattr(_extract_pkg, name)
    raise AttributeError(name)
