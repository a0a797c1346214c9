"""SQLite FTS5 backend (the embedded default). https://www.sqlite.org/fts5.html

`search_fts` (rowid = article id) holds the folded and exact keys; the tokenizer keeps
diacritics (`remove_diacritics 0`) because folding is ours (design rule 9). `search_searchentry`
holds date, section and outlet, so ranking and filtering read only small rows. Each ranking tier
is an uncorrelated `IN (SELECT rowid … MATCH …)` that SQLite evaluates once into a lookup table.

Words side by side are FTS5 phrases ("dao duc" "duc toan": each adjacent two of the query's
words, in the title or in one paragraph of the body), read from the word positions the index
keeps anyway: a column of glued pairs tripled the cost of indexing an article. No column sizes
(`columnsize=0`): they only serve bm25() and the other ranking functions, which are not used.
"""

from __future__ import annotations

from vnnews.news.search.ranking import ranked_page
from vnnews.news.search.terms import Document, Query

TABLE = "search_fts"
ENTRY = "search_searchentry"

TABLES = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title_f, body_f, title_x, body_x, "
    "tokenize = 'unicode61 remove_diacritics 0', columnsize = 0)"
]
INDEXES: list[str] = []  # FTS5 keeps its own
CREATE = TABLES + INDEXES
DROP = [f"DROP TABLE IF EXISTS {TABLE}"]


def _all(terms: list[str]) -> str:
    # Every term must be present (implicit AND); each is a quoted string of word characters.
    return " ".join(f'"{term}"' for term in terms)


def index(cursor, doc: Document) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [doc.article_id])
    cursor.execute(
        f"INSERT INTO {TABLE} (rowid, title_f, body_f, title_x, body_x) "
        "VALUES (%s, %s, %s, %s, %s)",
        [doc.article_id, doc.title_f, doc.body_f, doc.title_x, doc.body_x],
    )
    cursor.execute(
        f"INSERT OR REPLACE INTO {ENTRY} (article_id, published_us, section_id, source_id) "
        "VALUES (%s, %s, %s, %s)",
        [doc.article_id, doc.published_us, doc.section_id, doc.source_id],
    )


def index_many(cursor, docs: list[Document]) -> None:
    """`index` for a whole import chunk: one DELETE and two executemany (the rows are the same)."""
    if not docs:
        return
    ids = [doc.article_id for doc in docs]
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})", ids)
    cursor.executemany(
        f"INSERT INTO {TABLE} (rowid, title_f, body_f, title_x, body_x) "
        "VALUES (%s, %s, %s, %s, %s)",
        [(d.article_id, d.title_f, d.body_f, d.title_x, d.body_x) for d in docs],
    )
    cursor.executemany(
        f"INSERT OR REPLACE INTO {ENTRY} (article_id, published_us, section_id, source_id) "
        "VALUES (%s, %s, %s, %s)",
        [(d.article_id, d.published_us, d.section_id, d.source_id) for d in docs],
    )


def remove(cursor, article_id: int) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [article_id])
    cursor.execute(f"DELETE FROM {ENTRY} WHERE article_id = %s", [article_id])


def clear(cursor) -> None:
    cursor.execute(f"DELETE FROM {TABLE}")
    cursor.execute(f"DELETE FROM {ENTRY}")


def after_bulk(cursor) -> None:
    """After a rebuild: merge FTS5's segment b-trees into one (faster queries) and refresh the
    planner's statistics. https://www.sqlite.org/fts5.html#the_optimize_command"""
    cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
    cursor.execute(f"ANALYZE {ENTRY}")


def _matching(column_filter: str, terms: list[str]) -> tuple[str, str]:
    sql = f"(SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)"
    return sql, "{" + column_filter + "} : (" + _all(terms) + ")"


def _side_by_side(words: list[str]) -> tuple[str, str]:
    sql = f"(SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)"
    phrases = " ".join(f'"{a} {b}"' for a, b in zip(words, words[1:], strict=False))
    return sql, "{title_f body_f} : (" + phrases + ")"


def search(
    cursor, query: Query, *, section_id: int | None, source_id: int | None, limit: int, offset: int
) -> tuple[list[int], int]:
    hits, hits_param = _matching("title_f body_f", query.folded)
    where = [f"e.article_id IN {hits}"]
    params: list = [hits_param]
    if section_id is not None:
        where.append("e.section_id = %s")
        params.append(section_id)
    if source_id is not None:
        where.append("e.source_id = %s")
        params.append(source_id)
    body = f"FROM {ENTRY} e WHERE " + " AND ".join(where)
    return ranked_page(
        cursor,
        query,
        body=body,
        params=params,
        alias="e",
        matching=_matching,
        exact="title_x body_x",
        side_by_side=_side_by_side,
        title="title_f",
        limit=limit,
        offset=offset,
    )
