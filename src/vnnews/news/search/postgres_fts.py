"""PostgreSQL full-text backend. https://www.postgresql.org/docs/current/textsearch.html

`search_document` holds the folded and exact keys of each article; stored generated tsvector
columns use the 'simple' configuration (no stemming, no stop words: the folding is ours) and a
GIN index serves the match. No foreign key to news_article: TRUNCATE of articles (test flushes)
must not cascade here, and the join below hides rows a bulk delete left behind.
"""

from __future__ import annotations

from vnnews.news.search.terms import Document, Query

TABLE = "search_document"

CREATE = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        article_id bigint PRIMARY KEY,
        title_f text NOT NULL DEFAULT '',
        body_f text NOT NULL DEFAULT '',
        title_x text NOT NULL DEFAULT '',
        body_x text NOT NULL DEFAULT '',
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', title_f), 'A')
            || setweight(to_tsvector('simple', body_f), 'B')
        ) STORED,
        exact tsvector GENERATED ALWAYS AS (
            to_tsvector('simple', title_x || ' ' || body_x)
        ) STORED
    )""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_document_gin ON {TABLE} USING GIN (document)",
]
DROP = [f"DROP TABLE IF EXISTS {TABLE}"]


def _all(terms: list[str], weight: str = "") -> str:
    # Terms are word characters only (terms.tokens), so quoting them as lexemes is safe.
    suffix = f":{weight}" if weight else ""
    return " & ".join(f"'{term}'{suffix}" for term in terms)


def index(cursor, doc: Document) -> None:
    cursor.execute(
        f"""INSERT INTO {TABLE} (article_id, title_f, body_f, title_x, body_x)
        VALUES (%s, %s, %s, %s, %s)
        ON CONFLICT (article_id) DO UPDATE SET title_f = EXCLUDED.title_f,
            body_f = EXCLUDED.body_f, title_x = EXCLUDED.title_x, body_x = EXCLUDED.body_x""",
        [doc.article_id, doc.title_f, doc.body_f, doc.title_x, doc.body_x],
    )


def remove(cursor, article_id: int) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = %s", [article_id])


def clear(cursor) -> None:
    cursor.execute(f"DELETE FROM {TABLE}")


def search(
    cursor, query: Query, *, section_id: int | None, source_id: int | None, limit: int, offset: int
) -> tuple[list[int], int]:
    where = ["d.document @@ to_tsquery('simple', %s)", "a.duplicate_of_id IS NULL"]
    params: list = [_all(query.folded)]
    if section_id is not None:
        where.append("a.section_id = %s")
        params.append(section_id)
    if source_id is not None:
        where.append("a.source_id = %s")
        params.append(source_id)
    body = f"FROM {TABLE} d JOIN news_article a ON a.id = d.article_id WHERE " + " AND ".join(where)
    cursor.execute(f"SELECT count(*) {body}", params)
    total = cursor.fetchone()[0]
    if not total or offset >= total:
        return [], total
    # Tiers (design rule 9): exact-diacritic match first, title above body, newest first.
    order: list[str] = []
    order_params: list = []
    if query.exact:
        order.append("(d.exact @@ to_tsquery('simple', %s)) DESC")
        order_params.append(_all(query.exact))
    order.append("(d.document @@ to_tsquery('simple', %s)) DESC")
    order_params.append(_all(query.folded, "A"))
    order.append("a.published DESC NULLS LAST, a.id DESC")
    cursor.execute(
        f"SELECT a.id {body} ORDER BY {', '.join(order)} LIMIT %s OFFSET %s",
        params + order_params + [limit, offset],
    )
    return [row[0] for row in cursor.fetchall()], total
