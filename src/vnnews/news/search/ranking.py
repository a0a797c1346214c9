"""The ranked page both full-text backends answer with: the count, then one page ordered by the
tiers of design rule 9. Each backend supplies its own match sub-select and column names."""

from __future__ import annotations

from collections.abc import Callable

from vnnews.news.search.terms import Query

# (column or column filter, terms) -> ("(SELECT id … matching …)", its one parameter)
Matching = Callable[[str, list[str]], tuple[str, str]]
# the query's folded words -> the same, for articles holding each adjacent two of them side by side
SideBySide = Callable[[list[str]], tuple[str, str]]


def ranked_page(
    cursor,
    query: Query,
    *,
    body: str,
    params: list,
    alias: str,
    matching: Matching,
    exact: str,
    side_by_side: SideBySide,
    title: str,
    limit: int,
    offset: int,
) -> tuple[list[int], int]:
    """`body` is "FROM <table> <alias> WHERE …" with `params`; `exact` and `title` name what
    `matching` searches for those tiers; `side_by_side` answers the words-side-by-side tier."""
    cursor.execute(f"SELECT count(*) {body}", params)
    total = cursor.fetchone()[0]
    if not total or offset >= total:
        return [], total
    # Tiers (design rule 9): exact-diacritic match first, then the words side by side as typed,
    # then all words in the title, then the newest.
    tiers: list[tuple[str, str]] = []
    if query.exact:
        tiers.append(matching(exact, query.exact))
    if query.pairs:  # two words or more
        tiers.append(side_by_side(query.folded))
    tiers.append(matching(title, query.folded))
    order: list[str] = []
    order_params: list = []
    for sql, param in tiers:
        order.append(f"{alias}.article_id IN {sql} DESC")
        order_params.append(param)
    order.append(f"{alias}.published_us DESC, {alias}.article_id DESC")
    cursor.execute(
        f"SELECT {alias}.article_id {body} ORDER BY {', '.join(order)} LIMIT %s OFFSET %s",
        params + order_params + [limit, offset],
    )
    return [row[0] for row in cursor.fetchall()], total
