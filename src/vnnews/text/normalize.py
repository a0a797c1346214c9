"""One normalisation for everything we store and everything we search.

`normalize` gives NFC text with a single tone-mark placement, so "hoà" and "hòa", "thuỷ" and
"thủy" become the same string. We follow the traditional placement that most Vietnamese outlets
print ("hòa", "khỏe", "thủy"): in an open syllable with two vowels the mark sits on the first;
with a final consonant, or three vowels, it moves right ("hoàng", "khuyến", "ngoái").

`fold` is the search key: normalized, lower case, tone and vowel marks removed and đ/Đ mapped
to d (NFD does not decompose đ, so it needs an explicit rule). Indexing and querying both call it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain

# Combining tone marks (the five tones besides level tone).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# Vowels that carry a shape mark (circumflex, breve, horn): the tone sits on them when present.
_MARKED_VOWELS = set("ăâêôơưĂÂÊÔƠƯ")
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_WORD = re.compile(r"[^\W\d_]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def _split_tone(word: str) -> tuple[str, str | None, int]:
    """Return (word without tone, the tone mark, how many tone marks it had)."""
    letters: list[str] = []
    tone: str | None = None
    count = 0
    for ch in word:
        decomposed = unicodedata.normalize("NFD", ch)
        kept = []
        for part in decomposed:
            if part in _TONES:
                tone = part
                count += 1
            else:
                kept.append(part)
        letters.append(unicodedata.normalize("NFC", "".join(kept)))
    return "".join(letters), tone, count


def _tone_position(bare: str) -> int | None:
    """Index in `bare` (a toneless syllable) where the tone mark belongs, or None if unsure."""
    lower = bare.lower()
    start = 0
    # "qu" and "gi" (before another vowel) are onsets: their u/i is not part of the nucleus.
    if (
        lower.startswith("qu")
        and len(lower) > 2
        and lower[2] in _VOWELS
        or lower.startswith("gi")
        and len(lower) > 2
        and lower[2] in _VOWELS
    ):
        start = 2
    positions = [i for i in range(start, len(bare)) if bare[i] in _VOWELS]
    if not positions:
        return None
    if positions != list(range(positions[0], positions[-1] + 1)):
        return None  # two separate vowel groups: not a Vietnamese syllable, leave it alone
    marked = [i for i in positions if bare[i] in _MARKED_VOWELS]
    if marked:
        return marked[-1]  # "ươ" -> on ơ; otherwise the only marked vowel
    if len(positions) == 1:
        return positions[0]
    if len(positions) == 3:
        return positions[1]
    has_final = positions[-1] < len(bare) - 1
    return positions[1] if has_final else positions[0]


def place_tone_marks(word: str) -> str:
    """Put the tone mark of one syllable where the traditional orthography puts it."""
    bare, tone, count = _split_tone(word)
    if tone is None or count != 1:
        return word
    pos = _tone_position(bare)
    if pos is None:
        return word
    marked = unicodedata.normalize("NFC", bare[pos] + tone)
    return bare[:pos] + marked + bare[pos + 1 :]


_place = lru_cache(maxsize=200_000)(place_tone_marks)
# Syllables that normalize() leaves as they are. Most text is made only of those, so a whole text
# can be checked with set operations (C speed) instead of a Python callback per syllable.
_CANONICAL: set[str] = set()
_CANONICAL_MAX = 500_000
# Only runs of spaces that change (two or more, or one unusual space) need replacing.
_SPACE_CLASS = r" \t\u00a0\u2000-\u200b\u202f\u205f\u3000"
_SPACE_RUNS = re.compile(rf"[{_SPACE_CLASS}]{{2,}}|[{_SPACE_CLASS[1:]}]")
_COMBINING = re.compile("[\u0300-\u036f]")
# Other scripts have combining marks outside U+0300..U+036F: they take the exact, slower path.
_BEYOND_LATIN = re.compile("[^\x00-\u036f\u1e00-\u1eff\u2000-\u206f]")


def _syllable(match: re.Match) -> str:
    word = match.group(0)
    return word if word.isascii() else _place(word)


# The odd spaces of _SPACE_CLASS: a text without any of them and without two spaces in a row has
# nothing for _SPACE_RUNS to replace (checked with C substring searches, ~5x faster than the regex).
_ODD_SPACES = "\t\u00a0" + "".join(map(chr, range(0x2000, 0x200C))) + "\u202f\u205f\u3000"
# Whitespace-separated pieces ("Nội,", "2.000") whose syllables are all in _CANONICAL: splitting a
# text on whitespace costs less than finding its syllables, and pieces repeat as words do.
_CANONICAL_PIECES: set[str] = set()
_PIECES_MAX = 200_000  # ~20 MB at most


def _remember_pieces(pieces: set[str]) -> None:
    if len(_CANONICAL_PIECES) > _PIECES_MAX:
        _CANONICAL_PIECES.clear()
    _CANONICAL_PIECES.update(pieces)


def normalize(text: str) -> str:
    """NFC, one tone-mark placement, non-breaking and odd spaces made plain.

    Memoised per syllable: bulk imports call this on every field of every article."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if "  " in text or any(space in text for space in _ODD_SPACES):
        text = _SPACE_RUNS.sub(" ", text)
    # Syllables never span whitespace, so the new pieces hold every syllable not yet checked.
    pieces = set(text.split()).difference(_CANONICAL_PIECES)
    if not pieces:
        return text
    unknown = set(_WORD.findall(" ".join(pieces))).difference(_CANONICAL)
    if len(_CANONICAL) > _CANONICAL_MAX:
        _CANONICAL.clear()
    moved = []
    for word in unknown:
        if word.isascii() or _place(word) == word:
            _CANONICAL.add(word)
        else:
            moved.append(word)
    if not moved:
        _remember_pieces(pieces)
        return text
    # A stray combining mark after a moved tone could compose anew: NFC once more.
    return unicodedata.normalize("NFC", _WORD.sub(_syllable, text))


def fold(text: str, *, normalized: bool = False) -> str:
    """Search key: normalized, lower case, without tone or vowel marks, đ -> d.

    `normalized=True` skips the normalisation step for text that already went through it.
    Folding never looks across whitespace (lower() and combining marks act within a word), so it
    is done once per distinct word and remembered: removing the marks of a whole text costs more
    than looking its words up."""
    words = (text if normalized else normalize(text)).split()
    try:
        return " ".join(filter(None, map(_FOLDED_WORDS.__getitem__, words)))
    except KeyError:
        _learn_folds(words)
    try:  # every word is known now: the lookups in C again...
        return " ".join(filter(None, map(_FOLDED_WORDS.__getitem__, words)))
    except KeyError:  # ...unless another thread emptied the full memo meanwhile
        return " ".join(filter(None, map(_remembered_fold, words)))


def _remembered_fold(word: str) -> str:
    folded = _FOLDED_WORDS.get(word)
    return _fold_any_word(word) if folded is None else folded


# Word (of normalised text, without whitespace) -> its fold (maybe empty: only marks).
_FOLDED_WORDS: dict[str, str] = {}
_FOLDED_WORDS_MAX = 200_000  # ~30 MB at most


def _learn_folds(words: list[str]) -> None:
    new = set(words).difference(_FOLDED_WORDS)
    if len(_FOLDED_WORDS) + len(new) > _FOLDED_WORDS_MAX:
        _FOLDED_WORDS.clear()
        new = set(words)
    new = list(new)
    joined = "\n".join(new)
    if not _BEYOND_LATIN.search(joined):
        # Latin and Vietnamese only: NFD then dropping U+0300..U+036F, for all words at once.
        folded = _strip_latin_marks(joined)
        _FOLDED_WORDS.update(zip(new, folded.split("\n"), strict=True))
    else:
        # Other scripts have combining marks beyond U+036F: the exact path for their words.
        _FOLDED_WORDS.update((word, _fold_any_word(word)) for word in new)


def _strip_latin_marks(text: str) -> str:
    """Lower case, đ -> d, and the marks of U+0300..U+036F removed: the fold of text in Latin
    and Vietnamese letters (other scripts need _fold_word), whole texts at a time."""
    return _COMBINING.sub("", unicodedata.normalize("NFD", text.lower().replace("đ", "d")))


def _fold_any_word(word: str) -> str:
    if _BEYOND_LATIN.search(word):
        return _fold_word(word)
    return _strip_latin_marks(word)


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_lines(lines: list[str]) -> list[str]:
    """[normalize(line) for line in lines], for lines without a newline, in one call: normalize()
    never looks across a newline (NFC, spaces and tone marks all act within a line), so the
    joined text normalised once splits back into the same lines. Callers with thousands of short
    strings (an index learning new words) save the per-call overhead."""
    if not lines:
        return []
    out = normalize("\n".join(lines)).split("\n")
    if len(out) != len(lines):  # a line held a newline after all: no shortcut
        return [normalize(line) for line in lines]
    return out


# Characters besides ASCII (less the tab) that normalize() never changes nor lets change a
# neighbour: typographic punctuation and symbols. None is a letter, a digit, a space or a
# combining mark, and each is its own NFC and NFD and composes with nothing (tests check all
# this against unicodedata): in a text made of them and ASCII, every syllable is ASCII.
_INERT = (
    "\u00a1-\u00a9\u00ab\u00ac\u00ae-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7"
    "\u2010-\u2027\u2030-\u205e\u20a0-\u20c0"
)
_NOT_INERT = re.compile(f"[^\x00-\x08\n-\x7f{_INERT}]")


def is_plainly_normal(text: str) -> bool:
    """Whether `text` is its own normal form for a reason a few C scans can see: only ASCII and
    inert punctuation (see _INERT), no tab, no two spaces in a row. normalize() would find so
    too, syllable by syllable; most lines of English pages are such (a Vietnamese line fails at
    its first letter with a mark: the check costs it next to nothing)."""
    if text.isascii():  # O(1): CPython knows
        return "\t" not in text and "  " not in text
    return not _NOT_INERT.search(text) and "  " not in text


def normalize_many(texts: Iterable[str]) -> dict[str, str]:
    """{text: normalize(text)} for every one of `texts` (which may hold newlines), from one
    normalize_lines call over their distinct lines: normalize() never looks across a newline, and
    an article's fields repeat lines (its body text is its paragraphs again). One call over a
    whole article costs a fraction of one call per field. Texts, then lines, that are plainly
    normal (is_plainly_normal) are their own normal form without that call."""
    distinct = dict.fromkeys(texts)
    out = {}
    rest = []
    several_lines = []
    for text in distinct:
        if not text:
            out[text] = ""  # like normalize(): None and "" give ""
        elif "\n" in text:
            several_lines.append(text)
        elif is_plainly_normal(text):
            out[text] = text
        else:
            rest.append(text)
    # A text of several lines (an article's body: its paragraphs again) is plainly normal if
    # each line is: most are texts found so already (`out` maps those to themselves), looked up
    # instead of scanned again.
    for text in several_lines:
        if all(line in out or is_plainly_normal(line) for line in text.split("\n")):
            out[text] = text
        else:
            rest.append(text)
    if not rest:
        return out
    lines = [
        line
        for line in dict.fromkeys(chain.from_iterable(t.split("\n") for t in rest))
        if line not in out and not is_plainly_normal(line)  # (`out`: see above)
    ]
    normal = dict(zip(lines, normalize_lines(lines), strict=True))
    for text in rest:
        if "\n" in text:
            out[text] = "\n".join([normal.get(line, line) for line in text.split("\n")])
        else:
            out[text] = normal.get(text, text)
    return out


def fold_lines(lines: list[str], *, normalized: bool = False) -> list[str]:
    """[fold(line, normalized=normalized) for line in lines], for lines without a newline, in
    one call (see normalize_lines: lower(), NFD and the marks removed act within a line too)."""
    if not lines:
        return []
    if not normalized:
        lines = normalize_lines(lines)
    text = "\n".join(lines)
    if text.count("\n") != len(lines) - 1:
        return [fold(line, normalized=True) for line in lines]
    if not _BEYOND_LATIN.search(text):
        return _fold_latin_lines(text)
    # Lines in other scripts the exact way, one by one; all the others still together (one
    # stray symbol no longer sends a whole list of new words down the slow path).
    beyond = [_BEYOND_LATIN.search(line) is not None for line in lines]
    latin = [line for line, other in zip(lines, beyond, strict=True) if not other]
    folded = iter(_fold_latin_lines("\n".join(latin)) if latin else ())
    return [
        fold(line, normalized=True) if other else next(folded)
        for line, other in zip(lines, beyond, strict=True)
    ]


# Whitespace other than a newline (what str.split() splits on: re's \s is str.isspace()).
_SPACE_NOT_NEWLINE = re.compile(r"[^\S\n]")


def _fold_latin_lines(text: str) -> list[str]:
    """fold() of each line of `text` (Latin and Vietnamese letters only), together."""
    text = _strip_latin_marks(text)
    if not _SPACE_NOT_NEWLINE.search(text):
        return text.split("\n")  # one word a line (as when learning words): nothing to re-space
    return [" ".join(line.split()) for line in text.split("\n")]
