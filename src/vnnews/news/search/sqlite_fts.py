"""SQLite FTS5 backend (the embedded default). https://www.sqlite.org/fts5.html

One FTS5 table, `search_fts`, whose rowid is the article id. Columns hold folded and exact keys;
the tokenizer keeps diacritics (`remove_diacritics 0`) because folding is ours (design rule 9).
Results are joined to news_article so rows left behind by a bulk delete never show up.
"""

from __future__ import annotations

from vnnews.news.search.terms import Document, Query

TABLE = "search_fts"

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "title_f, body_f, title_x, body_x, tokenize = 'unicode61 remove_diacritics 0')"
]
DROP = [f"DROP TABLE IF EXISTS {TABLE}"]


def _all(terms: list[str]) -> str:
    # Every term must be present (implicit AND); each is a quoted string of word characters.
    return " ".join(f'"{term}"' for term in terms)


def index(cursor, doc: Document) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [doc.article_id])
    cursor.execute(
        f"INSERT INTO {TABLE} (rowid, title_f, body_f, title_x, body_x) VALUES (%s, %s, %s, %s, %s)",
        [doc.article_id, doc.title_f, doc.body_f, doc.title_x, doc.body_x],
    )


def remove(cursor, article_id: int) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [article_id])


def clear(cursor) -> None:
    cursor.execute(f"DELETE FROM {TABLE}")


def search(
    cursor, query: Query, *, section_id: int | None, source_id: int | None, limit: int, offset: int
) -> tuple[list[int], int]:
    match = "{title_f body_f} : (" + _all(query.folded) + ")"
    where = [f"{TABLE} MATCH %s", "a.duplicate_of_id IS NULL"]
    params: list = [match]
    if section_id is not None:
        where.append("a.section_id = %s")
        params.append(section_id)
    if source_id is not None:
        where.append("a.source_id = %s")
        params.append(source_id)
    body = f"FROM {TABLE} JOIN news_article a ON a.id = {TABLE}.rowid WHERE " + " AND ".join(where)
    cursor.execute(f"SELECT count(*) {body}", params)
    total = cursor.fetchone()[0]
    if not total or offset >= total:
        return [], total
    # Tiers (design rule 9): exact-diacritic match first, then all terms in the title, then the
    # newest. Each tier is one uncorrelated sub-select that SQLite evaluates once.
    order: list[str] = []
    order_params: list = []
    if query.exact:
        order.append(f"a.id IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s) DESC")
        order_params.append("{title_x body_x} : (" + _all(query.exact) + ")")
    order.append(f"a.id IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s) DESC")
    order_params.append("{title_f} : (" + _all(query.folded) + ")")
    order.append("a.published DESC, a.id DESC")
    cursor.execute(
        f"SELECT a.id {body} ORDER BY {', '.join(order)} LIMIT %s OFFSET %s",
        params + order_params + [limit, offset],
    )
    return [row[0] for row in cursor.fetchall()], total
