"""From a reader's query and an article's text to the keys the index holds.

Design rule 9: one folding function (vnnews.text.fold) for both indexing and querying, so
"ha noi", "Hà Nội" and "HÀ NỘI" meet on "ha noi". The unfolded, normalised lower-case text is
indexed too, so a query typed with diacritics can rank exact matches first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from vnnews.text import fold, normalize
from vnnews.text.normalize import fold_lines, normalize_lines

# Word characters only: quotes, operators and column filters of FTS5 / tsquery syntax can never
# reach the engine from a reader's query.
_TOKEN = re.compile(r"[^\W_]+")
MAX_TERMS = 16


# normalize() and fold() work syllable by syllable, so applying them word by word gives the same
# keys; caching each distinct word makes indexing a long article about ten times faster (a news
# corpus repeats its vocabulary endlessly).
@lru_cache(maxsize=200_000)
def _exact_word(word: str) -> str:
    return normalize(word).lower()


@lru_cache(maxsize=200_000)
def _folded_word(word: str) -> str:
    return fold(word)


def exact_key(text: str) -> str:
    """Normalised (NFC, one tone placement) lower-case text, diacritics kept."""
    return " ".join(_exact_word(word) for word in (text or "").split())


def folded_key(text: str) -> str:
    """vnnews.text.fold of the text (words joined by single spaces)."""
    return " ".join(_folded_word(word) for word in (text or "").split())


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)[:MAX_TERMS]


def pairs_of(words: list[str]) -> list[str]:
    # Phrase matching without word positions: a plain term lookup in any engine's index (GIN has
    # no positions, and a phrase recheck would read every candidate's vector).
    return [a + b for a, b in zip(words, words[1:], strict=False)]


def pairs_key(folded_text: str) -> str:
    """All adjacent word pairs of a folded text, line by line (no pair across paragraphs)."""
    return " ".join(
        pair for line in folded_text.split("\n") for pair in pairs_of(_TOKEN.findall(line))
    )


@dataclass(frozen=True)
class Query:
    """A parsed query: folded terms always; exact terms only when the reader typed diacritics."""

    folded: list[str]
    exact: list[str]

    @property
    def pairs(self) -> list[str]:
        """Adjacent folded words glued together ("dao duc toan" -> daoduc, ductoan): an article
        holding all of them has the words side by side, as typed."""
        return pairs_of(self.folded)

    @property
    def empty(self) -> bool:
        return not self.folded


def parse_query(text: str) -> Query:
    folded = tokens(folded_key(text))
    exact = tokens(exact_key(text))
    if len(exact) == len(folded):
        # Only the words typed with diacritics (or đ) must match exactly: "Ha Nội" asks for
        # "nội", and says nothing about how "ha" was written. No such word, no exact tier.
        exact = [x for x, f in zip(exact, folded, strict=True) if x != f]
    return Query(folded=folded, exact=exact)


@dataclass(frozen=True)
class Document:
    """What the index stores for one article."""

    article_id: int
    title_f: str
    body_f: str
    title_x: str
    body_x: str
    pairs_f: str = ""  # adjacent folded word pairs of title and body (see pairs_of)
    # Kept beside the text so ranking and filters never read the (wide) article rows.
    published_us: int = 0  # microseconds since the epoch; 0 when unknown (sorts last)
    section_id: int | None = None
    source_id: int | None = None


def epoch_us(value: datetime | None) -> int:
    return int(value.timestamp() * 1_000_000) if value else 0


# Indexing an article looks each of its words up once in one table, through map() (C speed);
# a per-word Python call (as in exact_key/folded_key) costs more than the lookups themselves.
# raw word -> (fold(word), its exact key, the tokens of its folded form), the same values the
# query-side functions give for that word.
_WORD_KEYS: dict[str, tuple[str, str, tuple[str, ...]]] = {}
_WORD_KEYS_MAX = 200_000


def _lines_keys(lines: list[list[str]]) -> list[list[tuple[str, str, tuple[str, ...]]]]:
    """The table entries of each line's words; the words not in the table yet are learnt all
    together (one normalize and one fold call for the whole text, see _learn)."""
    keys = [list(map(_WORD_KEYS.get, words)) for words in lines]
    unknown = [i for i, line in enumerate(keys) if None in line]
    if unknown:
        missing = {w for i in unknown for w, k in zip(lines[i], keys[i], strict=True) if k is None}
        if len(_WORD_KEYS) > _WORD_KEYS_MAX:
            _WORD_KEYS.clear()  # bounded memory; then every word of the text is missing
            missing, unknown = set(chain.from_iterable(lines)), range(len(lines))
        _learn(list(missing))
        for i in unknown:
            keys[i] = list(map(_WORD_KEYS.__getitem__, lines[i]))
    return keys


def _learn(words: list[str]) -> None:
    """Table entries for new words, all in one normalize and one fold call (text.normalize_lines
    and fold_lines): the same as _exact_word and _folded_word give, word by word."""
    normal = normalize_lines(words)
    folded = fold_lines(normal, normalized=True)
    for word, exact, fold_key in zip(words, normal, folded, strict=True):
        _WORD_KEYS[word] = (fold_key, exact.lower(), tuple(_TOKEN.findall(fold_key)))


_FOLDED, _EXACT, _TOKENS = itemgetter(0), itemgetter(1), itemgetter(2)


def _glued_pairs(keys: list[tuple[str, str, tuple[str, ...]]]) -> str:
    # pairs_of over one line's folded tokens, glued by map() in C.
    tokens = list(chain.from_iterable(map(_TOKENS, keys)))
    return " ".join(map(str.__add__, tokens, tokens[1:]))


def document_keys(title: str, sapo: str, text: str) -> Document:
    """The text keys of an article (the same as folded_key, exact_key and pairs_key give: title_f
    and the body lines for the pairs, no pair across paragraphs); ids, date, section and outlet
    left for `document_for` or the caller to fill in (an import computes these keys ahead, in a
    worker process, before the article has an id)."""
    body = "\n".join(part for part in (sapo, text) if part)
    # Empty lines (between paragraphs) hold no word and no pair.
    title_keys, *lines = _lines_keys(
        [(title or "").split(), *(line.split() for line in filter(None, body.split("\n")))]
    )
    words = list(chain.from_iterable(lines))
    pairs = map(_glued_pairs, [title_keys, *lines])
    return Document(
        article_id=0,
        title_f=" ".join(map(_FOLDED, title_keys)),
        body_f=" ".join(map(_FOLDED, words)),
        pairs_f=" ".join(filter(None, pairs)),
        title_x=" ".join(map(_EXACT, title_keys)),
        body_x=" ".join(map(_EXACT, words)),
    )


def document_for(article, keys: Document | None = None) -> Document:
    """What the index stores for `article`; `keys` from document_keys of its very title, sapo
    and text when the caller has them already."""
    keys = keys or document_keys(article.title, article.sapo, article.text)
    return replace(
        keys,
        article_id=article.pk,
        published_us=epoch_us(article.published),
        section_id=article.section_id,
        source_id=article.source_id,
    )
