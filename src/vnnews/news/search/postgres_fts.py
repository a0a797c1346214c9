"""PostgreSQL full-text backend. https://www.postgresql.org/docs/current/textsearch.html

`search_document` holds tsvectors of the folded and exact keys of each article, each with a GIN
index: `document` (folded title + body) finds, `title_doc` and `exact` rank. Their lexemes are
the words a query is read into (terms._TOKEN: letters and digits, split at anything else), as
FTS5 splits them on SQLite, handed to `array_to_tsvector` as they are. PostgreSQL's own parser
(to_tsvector) made one lexeme of "-19", "2.000" or "vnexpress.net", which no query asks for, and
cost the server twice the CPU; no position is kept, none is read (phrases are `pairs`). Every
tier is an `IN (SELECT … @@ …)` answered from its GIN index, so no wide tsvector is read per hit.
Date, section and outlet sit on the same narrow row (and in `search_searchentry`, as on SQLite). No foreign key to news_article: TRUNCATE of
articles (test flushes) must not cascade here.
"""

from __future__ import annotations

from django.db import transaction

from vnnews.news.search.ranking import ranked_page

# _TOKEN: the one definition of a word, shared with the query side (terms.tokens).
from vnnews.news.search.terms import _TOKEN, Document, Query, pairs_of

TABLE = "search_document"
ENTRY = "search_searchentry"

TABLES = [
    # Only the tsvectors (built at insert from the keys): no text columns, and toasting from
    # 128 bytes keeps the big vectors out of line, so the heap rows a bitmap scan visits stay
    # small and many fit in a page.
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        article_id bigint PRIMARY KEY,
        published_us bigint NOT NULL DEFAULT 0,
        section_id bigint,
        source_id bigint,
        document tsvector NOT NULL,
        title_doc tsvector NOT NULL,
        exact tsvector NOT NULL,
        pairs tsvector NOT NULL
    ) WITH (toast_tuple_target = 128)""",
]
# Apart from the table, so that a rebuild (schema.rebuild_tables) creates them after loading it:
# each GIN index built once from all the rows, not updated row by row (a rebuild of 10,000
# articles: 62.7 s -> 56.7 s).
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {TABLE}_document_gin ON {TABLE} USING GIN (document)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_title_gin ON {TABLE} USING GIN (title_doc)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_exact_gin ON {TABLE} USING GIN (exact)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_pairs_gin ON {TABLE} USING GIN (pairs)",
]
CREATE = TABLES + INDEXES
DROP = [f"DROP TABLE IF EXISTS {TABLE}"]


def _all(terms: list[str]) -> str:
    """The tsquery text of every one of `terms`, read by the tsquery type itself (`%s::tsquery`),
    which takes each quoted lexeme as written: to_tsquery's parser would split "m²" or "co₂"
    differently from the words the vectors hold (`_lexemes`). Terms are word characters only
    (terms.tokens), so quoting them is safe; one too long for a lexeme is in no vector and is
    left out, as to_tsquery left it out."""
    kept = [term for term in terms if _fits(term)]
    return " & ".join(f"'{term}'" for term in kept)


# A tsvector of the lexemes in a string of words separated by single spaces (`_lexemes`).
_VECTOR = "array_to_tsvector(string_to_array(%s, ' '))"
_UPSERT_DOCUMENT = f"""INSERT INTO {TABLE}
    (article_id, published_us, section_id, source_id, document, title_doc, exact, pairs)
VALUES (%s, %s, %s, %s, {_VECTOR}, {_VECTOR}, {_VECTOR}, {_VECTOR})
ON CONFLICT (article_id) DO UPDATE SET published_us = EXCLUDED.published_us,
    section_id = EXCLUDED.section_id, source_id = EXCLUDED.source_id,
    document = EXCLUDED.document, title_doc = EXCLUDED.title_doc, exact = EXCLUDED.exact,
    pairs = EXCLUDED.pairs"""
# The narrow SearchEntry row too, so both backends hold the same rows (the admin, tests).
_UPSERT_ENTRY = f"""INSERT INTO {ENTRY} (article_id, published_us, section_id, source_id)
VALUES (%s, %s, %s, %s)
ON CONFLICT (article_id) DO UPDATE SET published_us = EXCLUDED.published_us,
    section_id = EXCLUDED.section_id, source_id = EXCLUDED.source_id"""


# A lexeme's limit (https://www.postgresql.org/docs/current/textsearch-limitations.html):
# to_tsvector skipped longer words, array_to_tsvector refuses them.
_MAX_LEXEME_BYTES = 2047
# Words of up to this many characters fit whatever their script (4 bytes a character at most).
_ALWAYS_FITS = _MAX_LEXEME_BYTES // 4


def _fits(word: str) -> bool:
    """Whether `word` is short enough for a lexeme."""
    return len(word) <= _ALWAYS_FITS or len(word.encode("utf-8")) <= _MAX_LEXEME_BYTES


def _lexemes(text: str) -> str:
    """The words of `text` as the query side reads them (_TOKEN), separated by single spaces.

    Taken word by word (between whitespace) from a table, through map() in C: an article's
    keys repeat a corpus's vocabulary, and _TOKEN over a whole long text cost the writer ~2 ms."""
    words = text.split()
    try:
        return " ".join(filter(None, map(_WORD_LEXEMES.__getitem__, words)))
    except KeyError:
        _learn(words)
    try:
        return " ".join(filter(None, map(_WORD_LEXEMES.__getitem__, words)))
    except KeyError:  # another thread emptied the full table meanwhile
        return " ".join(filter(None, map(_word_lexemes, words)))


# A whitespace-separated word -> its lexemes, separated by spaces ("" for none: "--").
_WORD_LEXEMES: dict[str, str] = {}
_WORD_LEXEMES_MAX = 200_000


def _learn(words: list[str]) -> None:
    new = set(words).difference(_WORD_LEXEMES)
    if len(_WORD_LEXEMES) + len(new) > _WORD_LEXEMES_MAX:
        _WORD_LEXEMES.clear()
    _WORD_LEXEMES.update((word, _word_lexemes(word)) for word in new)


def _word_lexemes(word: str) -> str:
    if word.isalnum() and len(word) <= _ALWAYS_FITS:
        return word  # letters and digits only (= one _TOKEN match), short enough in any script
    return " ".join(w for w in _TOKEN.findall(word) if _fits(w))


def _document_row(doc: Document) -> list:
    return [
        doc.article_id,
        doc.published_us,
        doc.section_id,
        doc.source_id,
        _lexemes(f"{doc.title_f} {doc.body_f}"),
        _lexemes(doc.title_f),
        _lexemes(f"{doc.title_x} {doc.body_x}"),
        _pair_lexemes(doc.pairs_f),
    ]


def _pair_lexemes(pairs: str) -> str:
    """`_lexemes` of a Document's pairs_f, whose glued pairs are two _TOKEN matches run together
    (letters and digits only), one space apart: only a pair too long for a lexeme must go. Not
    through the word table: pairs are too many distinct words for it (it was emptied again and
    again, and the writer spent ~0.8 ms a JSONL record)."""
    words = pairs.split(" ")
    if max(map(len, words)) <= _ALWAYS_FITS:
        return pairs
    return " ".join(w for w in words if w and _fits(w))


def _entry_row(doc: Document) -> list:
    return [doc.article_id, doc.published_us, doc.section_id, doc.source_id]


def index(cursor, doc: Document) -> None:
    cursor.execute(_UPSERT_DOCUMENT, _document_row(doc))
    cursor.execute(_UPSERT_ENTRY, _entry_row(doc))


def index_many(cursor, docs: list[Document]) -> None:
    """`index` for a whole import chunk (psycopg sends an executemany in one pipeline)."""
    if docs:
        cursor.executemany(_UPSERT_DOCUMENT, [_document_row(doc) for doc in docs])
        cursor.executemany(_UPSERT_ENTRY, [_entry_row(doc) for doc in docs])


def remove(cursor, article_id: int) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = %s", [article_id])
    cursor.execute(f"DELETE FROM {ENTRY} WHERE article_id = %s", [article_id])


def clear(cursor) -> None:
    cursor.execute(f"DELETE FROM {TABLE}")
    cursor.execute(f"DELETE FROM {ENTRY}")


def after_bulk(cursor) -> None:
    """After a rebuild: fresh planner statistics, and GIN pending lists merged into the index
    (with fastupdate, rows inserted since the last vacuum sit in a list every search scans)."""
    cursor.execute(f"ANALYZE {TABLE}")
    cursor.execute(f"ANALYZE {ENTRY}")
    for suffix in ("document_gin", "title_gin", "exact_gin", "pairs_gin"):
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [f"{TABLE}_{suffix}"])


def _matching(column: str, terms: list[str]) -> tuple[str, str]:
    sql = f"(SELECT article_id FROM {TABLE} WHERE {column} @@ %s::tsquery)"
    return sql, _all(terms)


def _side_by_side(words: list[str]) -> tuple[str, str]:
    # GIN keeps no word positions (a phrase query would recheck every candidate's vector): the
    # glued pairs column answers instead.
    return _matching("pairs", pairs_of(words))


def search(
    cursor, query: Query, *, section_id: int | None, source_id: int | None, limit: int, offset: int
) -> tuple[list[int], int]:
    # Date, section and outlet live on the document row itself: one narrow table, no join.
    where = ["d.document @@ %s::tsquery"]
    params: list = [_all(query.folded)]
    if section_id is not None:
        where.append("d.section_id = %s")
        params.append(section_id)
    if source_id is not None:
        where.append("d.source_id = %s")
        params.append(source_id)
    body = f"FROM {TABLE} d WHERE " + " AND ".join(where)
    with transaction.atomic(using=cursor.db.alias):
        # The planner prices a sequential scan of the document table without the cost of
        # de-toasting every vector it tests, and may pick it for common words: ten times slower
        # than the GIN bitmap scan. Only for this transaction.
        cursor.execute("SET LOCAL enable_seqscan = off")
        return ranked_page(
            cursor,
            query,
            body=body,
            params=params,
            alias="d",
            matching=_matching,
            exact="exact",
            side_by_side=_side_by_side,
            title="title_doc",
            limit=limit,
            offset=offset,
        )
