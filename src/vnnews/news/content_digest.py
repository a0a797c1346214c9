"""The stored content hash, computed word by word.

`vnnews.stories.identity.content_hash(title, text, normalized=True)` folds the whole text
(lower case, đ -> d, marks dropped, whitespace collapsed) and hashes it. Folding never looks
across whitespace: lower() (final sigma included) decides within a run of non-space characters,
and a combining mark belongs to the character before it. So folding each word and joining with
single spaces gives the same key, and a news corpus repeats its vocabulary, so each distinct word
is folded once per process instead of once per article. That pays for text in other scripts
(fold's exact path walks every character in Python); Latin text folds faster whole, in C.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from vnnews.text import fold


@lru_cache(maxsize=200_000)
def _folded_word(word: str) -> str:
    return fold(word, normalized=True)


# Latin, its combining marks, Vietnamese precomposed letters and punctuation: fold()'s fast path.
_BEYOND_LATIN = re.compile("[^\x00-\u036f\u1e00-\u1eff\u2000-\u206f]")


def _folded(text: str) -> str:
    if not _BEYOND_LATIN.search(text):
        return fold(text, normalized=True)
    # A word that folds to nothing (a lone combining mark) must not leave a double space.
    return " ".join(f for f in map(_folded_word, text.split()) if f)


def content_digest(title: str, text: str) -> str:
    """Same value as identity.content_hash(title, text, normalized=True), for normalised text."""
    key = _folded(title or "") + "\n" + _folded(text or "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
