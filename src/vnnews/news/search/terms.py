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
from operator import concat, itemgetter

from vnnews.text import fold, normalize
from vnnews.text.normalize import fold_lines, is_plainly_normal, normalize_lines

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


# Between two paragraphs of a document's folded body: a private-use character, which FTS5's
# unicode61 tokenizer indexes as a word of its own (categories L*, N* and Co are word characters)
# and a query never holds (terms are `_TOKEN` matches, letters and digits only). So a phrase
# ("da nang") never matches across paragraphs, as pairs never cross them. PostgreSQL's parser
# drops the character, and pairs are built from the lines it separates.
PARAGRAPH = "\ue000"
_PARAGRAPH_GAP = f" {PARAGRAPH} "


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
    body_f: str  # paragraphs separated by PARAGRAPH
    # The exact keys are asked only whether they hold a word (the exact tier), never for words
    # side by side: each distinct key once, in order of first use (a quarter smaller index, a
    # fifth less FTS5 insert time than every word in text order).
    title_x: str
    body_x: str
    # Kept beside the text so ranking and filters never read the (wide) article rows.
    published_us: int = 0  # microseconds since the epoch; 0 when unknown (sorts last)
    section_id: int | None = None
    source_id: int | None = None
    # pairs_f computed ahead (document_keys does when the database is PostgreSQL, in the
    # import's worker processes), or None
    glued_pairs: str | None = None

    @property
    def pairs_f(self) -> str:
        """Adjacent folded word pairs of title and body, none across a paragraph (see pairs_of):
        the index's phrase keys where the engine has no word positions (PostgreSQL)."""
        if self.glued_pairs is not None:
            return self.glued_pairs
        return _pairs_of_lines([self.title_f, *self.body_f.split(_PARAGRAPH_GAP)])


def epoch_us(value: datetime | None) -> int:
    return int(value.timestamp() * 1_000_000) if value else 0


# Indexing an article looks each of its words up in tables, through map() (C speed); a
# per-word Python call (as in exact_key/folded_key) costs more than the lookups themselves.
# raw word -> fold(word); -> its exact key: the same values the query-side functions give for
# that word. Both always hold the same words.
_FOLDED: dict[str, str] = {}
_EXACT: dict[str, str] = {}
_WORD_KEYS_MAX = 200_000
_RESETS = 0  # how many times the tables were emptied (see _learn)


def _learn(words: set[str]) -> None:
    """Table entries for the new ones of `words` (all of a text's words), in one normalize and
    one fold call (text.normalize_lines and fold_lines): the same as _exact_word and
    _folded_word give, word by word. Afterwards every one of `words` is in the tables."""
    global _RESETS
    new = words.difference(_FOLDED)
    if len(_FOLDED) + len(new) > _WORD_KEYS_MAX:
        # Bounded memory: start again, with all of this text's words. Counted first, so that a
        # content_keys running meanwhile in another thread knows _MOVED may have lost its words.
        _RESETS += 1
        _FOLDED.clear()
        _EXACT.clear()
        _MOVED.clear()
        new = words
    new = list(new)
    normal = normalize_lines(new)
    _FOLDED.update(zip(new, fold_lines(normal, normalized=True), strict=True))
    _EXACT.update(zip(new, map(str.lower, normal), strict=True))
    if normal != new:  # rare: the words of stored text are in normal form already
        _MOVED.update(word for word, exact in zip(new, normal, strict=True) if exact != word)


# Words of the tables that normalize() changes (not in normal form): a text holding one is not
# in normal form, and its content-hash key is not taken from these folds (see content_keys).
_MOVED: set[str] = set()


def _glued_pairs(folded_line: str) -> str:
    # pairs_of over one folded line's tokens, glued by map() in C.
    tokens = _TOKEN.findall(folded_line)
    return " ".join(map(concat, tokens, tokens[1:]))


def _pairs_of_lines(folded_lines: list[str]) -> str:
    return " ".join(filter(None, map(_glued_pairs, folded_lines)))


def _database_wants_pairs() -> bool:
    """Whether the default database's engine indexes glued pairs (PostgreSQL; FTS5 reads word
    positions instead). No query: the vendor is known from the settings."""
    from django.conf import settings

    if not settings.configured:
        return False
    from django.db import connections

    return connections["default"].vendor == "postgresql"


def _remembered_fold(word: str) -> str:
    folded = _FOLDED.get(word)
    return _folded_word(word) if folded is None else folded


def _remembered_exact(word: str) -> str:
    exact = _EXACT.get(word)
    return _exact_word(word) if exact is None else exact


def _line_words(line: str) -> tuple[bool, list[str]]:
    """(whether the line is plain, its words: lower-cased when it is). An ASCII word's fold and
    exact key are both its lower case (nothing to normalise, no marks, no đ): those lines need
    no table, and a str knows in O(1) whether it is ASCII (half the words of an English page,
    whole lines of figures and names in Vietnamese ones). So do lines of ASCII and typographic
    punctuation (’ “ — …; text.normalize.is_plainly_normal): most other lines of English pages;
    a Vietnamese line fails that check at its first letter with a mark."""
    if line.isascii() or is_plainly_normal(line):
        return True, line.lower().split()
    return False, line.split()


def _keys_of_lines(fold_of, exact_of, lines: list[tuple[bool, list[str]]]):
    """(the folded lines, the distinct exact keys of the first line and of the others) of
    `_line_words` lines: plain ones as they are, the others word by word through `fold_of` and
    `exact_of`."""
    folded = [" ".join(words if plain else map(fold_of, words)) for plain, words in lines]
    exact = [words if plain else map(exact_of, words) for plain, words in lines]
    return folded, _distinct(exact[:1]), _distinct(exact[1:])


def _distinct(keys) -> str:
    # dict.fromkeys: each key once, in order of first use, in C.
    return " ".join(dict.fromkeys(chain.from_iterable(keys)))


def document_keys(title: str, sapo: str, text: str) -> Document:
    """The text keys of an article (the same as folded_key and exact_key give; body_f line by
    line with PARAGRAPH between lines, the exact keys' distinct words); ids, date, section and
    outlet left for `document_for` or the caller to fill in (an import computes these keys
    ahead, in a worker process, before the article has an id)."""
    return _document_keys(title, sapo, text)[0]


def content_keys(title: str, sapo: str, text: str) -> tuple[Document, str | None]:
    """document_keys of a normalised article, and what its content hash digests
    (stories.identity.content_hash: the fold of the title, a newline, the fold of sapo and text),
    taken from the same folds, so the store folds each text once; None when these folds cannot
    give it: a word folding to nothing (content_hash drops it, the index keeps its place) or a
    word not in normal form (content_hash with normalized=True does not normalise it)."""
    resets = _RESETS
    document, title_f, folded_lines, words = _document_keys(title, sapo, text)
    body = " ".join(folded_lines)
    if "  " in title_f or "  " in body or title_f[:1] == " " or title_f[-1:] == " ":
        return document, None  # an empty fold between, before or after words
    if body[:1] == " " or body[-1:] == " " or "" in folded_lines:
        return document, None
    if _MOVED and not _MOVED.isdisjoint(words):
        return document, None
    if resets != _RESETS:  # another thread emptied the tables: _MOVED may have lost its words
        return document, None
    return document, title_f + "\n" + body


def _document_keys(title: str, sapo: str, text: str) -> tuple[Document, str, list[str], list]:
    """(document_keys, the folded title, the folded body lines, the words the tables keyed:
    those of the lines not plain, the only ones that may not be in normal form)."""
    body = "\n".join(part for part in (sapo, text) if part)
    # The title first, then the body's lines; lines without a word hold no pair, and add
    # nothing to the body keys.
    # (Empty lines, half of a body's "\n\n"-joined paragraphs, are skipped in C.)
    lines = [
        _line_words(title or ""),
        *filter(itemgetter(1), map(_line_words, filter(None, body.split("\n")))),
    ]
    words = list(chain.from_iterable(words for plain, words in lines if not plain))
    try:
        folded, title_x, body_x = _keys_of_lines(_FOLDED.__getitem__, _EXACT.__getitem__, lines)
    except KeyError:  # new words: learnt together, then the lookups in C find every word...
        _learn(set(words))
        try:
            folded, title_x, body_x = _keys_of_lines(_FOLDED.__getitem__, _EXACT.__getitem__, lines)
        except KeyError:  # ...unless another thread emptied the full tables meanwhile
            folded, title_x, body_x = _keys_of_lines(_remembered_fold, _remembered_exact, lines)
    title_f, folded_lines = folded[0], folded[1:]
    document = Document(
        article_id=0,
        title_f=title_f,
        # Each line has at least one word, so no paragraph is empty.
        body_f=_PARAGRAPH_GAP.join(folded_lines),
        title_x=title_x,
        body_x=body_x,
        # Where they are indexed, pairs are built here: ahead, by an import's workers.
        glued_pairs=_pairs_of_lines(folded) if _database_wants_pairs() else None,
    )
    return document, title_f, folded_lines, words


# Article attribute: ((title, sapo, text), document_keys of them), set by the store when it
# computed the keys already (with the content hash): used while the text is still that.
INDEX_KEYS = "index_keys"


def _keys_kept_on(article) -> Document | None:
    kept = getattr(article, INDEX_KEYS, None)
    if kept is None:
        return None
    text, document = kept
    return document if text == (article.title, article.sapo, article.text) else None


# The Article fields an index entry is made of (document_for) and the one that keeps an article
# out of the index: what a read of articles to index loads (QuerySet.only).
INDEXED_FIELDS = ("title", "sapo", "text", "published", "section", "source", "duplicate_of")


def document_for(article, keys: Document | None = None) -> Document:
    """What the index stores for `article`; `keys` from document_keys of its very title, sapo
    and text when the caller has them already (else those the store kept on it, if current)."""
    keys = (
        keys or _keys_kept_on(article) or document_keys(article.title, article.sapo, article.text)
    )
    return replace(
        keys,
        article_id=article.pk,
        published_us=epoch_us(article.published),
        section_id=article.section_id,
        source_id=article.source_id,
    )
