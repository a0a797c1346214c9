"""Near duplicates: SimHash fingerprints over word shingles of folded text.

Layer three of identity (design rule 7): after the canonical URL and the exact content hash, two
articles whose 64-bit SimHash differ in only a few bits are copies of each other (a wire story
republished with a different headline, a page re-extracted with one more caption). We fold the text
first, so "Hà Nội" and "Ha Noi" or two tone-mark placements give the same shingles.

The fingerprint is returned as a *signed* 64-bit integer, because SQL BIGINT is signed: the unsigned
value would overflow the column for half of all texts. Hamming distance works on either form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from operator import methodcaller

from vnnews.stories.vectors import fold_words

_WORD = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class SimHashOptions:
    """How fingerprints are made and compared.

    shingle: words per shingle (3 keeps word order without being fragile to one changed word).
    max_distance: at most this many differing bits counts as a near duplicate; 3 of 64 bits is the
    threshold Manku et al. (WWW 2007) found for web pages.
    """

    shingle: int = 3
    max_distance: int = 3


DEFAULT_OPTIONS = SimHashOptions()


def words(text: str) -> list[str]:
    """Folded words (syllables, for Vietnamese) of `text`."""
    return _WORD.findall(fold_words(text))


def shingles(tokens: list[str], size: int) -> list[str]:
    """Overlapping runs of `size` words; a short text is one shingle."""
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    return list(map(" ".join, zip(*[tokens[i:] for i in range(size)], strict=False)))


def _hash64(feature: str) -> int:
    return int.from_bytes(_digest(feature.encode("utf-8")), "big")


def to_signed(value: int) -> int:
    """Unsigned 64-bit -> signed int64, for a BIGINT column."""
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def simhash(text: str, options: SimHashOptions = DEFAULT_OPTIONS) -> int:
    """Charikar's SimHash of `text` as a signed int64 (0 for a text without words).

    Repeated shingles count once each time they occur, so a paragraph repeated twice weighs more.
    """
    features = shingles(words(text), options.shingle)
    if not features:
        return 0
    # Bit b is set when more shingle hashes have it set than not. The hashes' bytes are counted
    # a byte position at a time: each byte value maps to its 8 bits spread into 16-bit lanes of
    # one integer (_SPREAD), and summing those (in C: sum over map) counts all 8 bits at once;
    # the Python loop over 64 bits per shingle cost ~2 ms an article, string columns ~1 ms.
    if len(features) >= 1 << 16:  # a lane would overflow: count bit by bit
        return _simhash_by_columns(features)
    digests = b"".join(map(_DIGEST, map(_EIGHT_BYTES, map(str.encode, features))))  # UTF-8
    spread, half = _SPREAD.__getitem__, len(features)
    value = 0
    for position in range(8):  # byte 0 holds bits 63..56 (big-endian)
        lanes = sum(map(spread, digests[position::8]))
        for bit in range(8):
            if 2 * ((lanes >> (16 * bit)) & 0xFFFF) > half:
                value |= 1 << (56 - 8 * position + bit)
    return to_signed(value)


def _digest(data: bytes) -> bytes:
    return _DIGEST(_EIGHT_BYTES(data))


# blake2b is stable across processes (unlike hash()), so fingerprints can be stored. Called
# through C (partial, methodcaller) in simhash's map: ~600 shingles an article.
_EIGHT_BYTES = partial(hashlib.blake2b, digest_size=8)
_DIGEST = methodcaller("digest")


# Byte value -> its bit b moved to bit 16 * b: a sum of these counts each bit in its own lane.
_SPREAD = [sum(((v >> b) & 1) << (16 * b) for b in range(8)) for v in range(256)]


def _simhash_by_columns(features: list[str]) -> int:
    """simhash's fingerprint counted column by column (any number of shingles)."""
    rows = [format(_hash64(feature), "064b") for feature in features]
    half = len(rows)
    value = 0
    for column in zip(*rows, strict=True):
        value = value << 1 | (2 * column.count("1") > half)
    return to_signed(value)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()


def is_near_duplicate(a: int, b: int, options: SimHashOptions = DEFAULT_OPTIONS) -> bool:
    return hamming(a, b) <= options.max_distance


def find_near_duplicate(
    fingerprint: int,
    candidates: Iterable[tuple[object, int]],
    options: SimHashOptions = DEFAULT_OPTIONS,
) -> object | None:
    """The key of the closest candidate within `options.max_distance` bits, or None.

    `candidates` are (key, fingerprint) pairs; a zero fingerprint (empty text) matches nothing.
    """
    if fingerprint == 0:
        return None
    best_key, best_distance = None, options.max_distance + 1
    for key, other in candidates:  # hamming() inlined: this runs over a week of articles
        if other:  # None or 0: no fingerprint
            distance = ((fingerprint ^ other) & _MASK64).bit_count()
            if distance < best_distance:
                best_key, best_distance = key, distance
    return best_key
