"""Archive importers, one module per format. Each turns one file into a stream of `Item`s
without reading the whole file; `vnnews import` decides which importer reads which file."""

from __future__ import annotations

from pathlib import Path

from vnnews.news.importers import dantri, html, jsonl, text, warc
from vnnews.news.importers.base import Item

__all__ = ["Item", "importer_for"]

# Order matters: dantri-unc files are .txt too, so it is asked before plain-text dumps.
IMPORTERS = [warc, jsonl, html, dantri, text]


def importer_for(path: Path):
    """The importer module that reads `path`, or None for a file type we do not know."""
    for module in IMPORTERS:
        if module.matches(path):
            return module
    return None
