"""Find the element that holds the article body.

Every paragraph-like element with enough non-link text adds its length to all its ancestors
(one pass over `p`/`pre`/text-bearing blocks; the sums live in a dict keyed by node id). From
<body> we then step into the child that holds nearly all of its node's text, and stop when the
text splits across children: the result is the smallest element that still holds the article.
Known body containers (schema.org articleBody, site hints) win when they hold enough of it.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from vnnews.extract import boilerplate

# Body containers used by common CMSs and Vietnamese outlets; a match must still hold a good
# share of the page's paragraph text to be trusted.
KNOWN_BODY = (
    "[itemprop=articleBody], .fck_detail, .article__body, .detail-content, .singular-content,"
    " .dt-news__content, .the-article-body, #main-detail-body, .detail__content, .cms-body,"
    " .content-detail, .article-body, .article-content, .entry-content, .post-content,"
    " .story-body, .article__content, .post-body, .entry-body, .td-post-content,"
    " #article-body, .article-text, .news-content, .body-content, .detail-content-body,"
    " .knc-content, .maincontent, .content_detail, #ArticleContent, .ArticleContent"
)
_TEXT_HOLDERS = "p, pre, blockquote, h2, h3, h4, li, td, dd, div, section, article, font"
# Never stripped by name: the page itself, landmarks, and inline markup.
_KEEP_TAGS = boilerplate.INLINE_MARKUP | {"body", "html", "main", "article"}
# Containers worth a class/id check before scoring; inline elements and list items are left to
# the walk (halves the work on utility-class-heavy pages).
_NAMED_CONTAINERS = (
    ", ".join(
        f"{tag}[{attr}]"
        for tag in ("div", "section", "ul", "ol", "table", "figure", "dl")
        for attr in ("class", "id")
    )
    + ", header, footer, aside"
)
# Ancestor walks stop here, so hostile nesting (thousands of levels) stays linear.
_MAX_CLIMB = 100
_MAX_CHAIN = 400
# Boilerplate candidates examined per page (each costs a subtree text); real pages have < 500.
_MAX_CANDIDATES = 1500
_CANDIDATE_BUDGET = 200_000_000  # candidates x page characters
_PARA_TAGS = {"p", "pre", "blockquote", "h2", "h3", "h4", "li", "dd"}


def _link_text_len(node: LexborNode) -> int:
    total = 0
    for a in node.css("a"):
        total += len(a.text(deep=True, strip=True))
    return total


def weigh(root: LexborNode) -> dict[int, float]:
    """Paragraph text weight per ancestor node id."""
    weights: dict[int, float] = {}
    chains: dict[int, tuple[int, ...]] = {}
    for node in root.css(_TEXT_HOLDERS):
        tag = node.tag
        if tag in _PARA_TAGS:
            text = node.text(deep=True, strip=True)
        else:
            # Blocks like <div>text<br>text</div>: only their own text counts here, their
            # child elements are visited on their own.
            text = node.text(deep=False, strip=True)
        n = len(text)
        if n < 25:
            continue
        if tag == "li" and n < 80:
            continue
        # Link density only matters for short blocks; a long paragraph is prose with links.
        # (A block's own text — deep=False — holds no link text: links are child elements.)
        # Serialising a short paragraph and looking for "<a" is cheaper than a CSS query.
        if n < 400 and tag in _PARA_TAGS and "<a" in node.html:
            links = _link_text_len(node)
            if links > n * 0.5:
                continue
            n -= links
        # Commas and full stops mark running prose, as in Readability's scoring.
        weight = n + 20 * text.count(",") + 10 * text.count(". ")
        key = node.mem_id
        weights[key] = weights.get(key, 0.0) + weight
        parent = node.parent
        if parent is not None:
            for key in _chain(parent, chains):
                weights[key] = weights.get(key, 0.0) + weight
    return weights


def _chain(node: LexborNode, chains: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    """Ids of `node` and its ancestors, memoised: paragraphs share their containers, so each
    container's line to the root is walked once per page."""
    path: list[int] = []
    current: LexborNode | None = node
    found: tuple[int, ...] = ()
    while current is not None:
        key = current.mem_id
        cached = chains.get(key)
        if cached is not None:
            found = cached
            break
        path.append(key)
        if len(path) > _MAX_CHAIN:
            break  # hostile nesting: weigh only the nearest ancestors
        current = current.parent
    for key in reversed(path):
        found = (key, *found)
        chains[key] = found
    return found


def _class_id(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def descend(root: LexborNode, weights: dict[int, float], share: float = 0.8) -> LexborNode:
    node = root
    while True:
        total = weights.get(node.mem_id, 0.0)
        if total <= 0:
            return node
        best = None
        best_w = 0.0
        for child in node.iter(include_text=False):
            w = weights.get(child.mem_id, 0.0)
            if w > best_w:
                best, best_w = child, w
        if best is None or best_w < total * share:
            return node
        if best.tag in _PARA_TAGS:
            return node
        node = best


class _PageText:
    """The page's text length, measured only when a candidate is big enough to need it."""

    def __init__(self, body: LexborNode) -> None:
        self.body = body
        self.total = -1

    def holds_most(self, text: str) -> bool:
        """Whether `text` is over 40% of the page's text (a wrapper, not a box)."""
        if len(text) < 200:
            return False  # never the article, whatever the page
        if self.total < 0:
            self.total = len(self.body.text(strip=True)) or 1
        return len(text) > self.total * 0.4


def _inside_landmark(node: LexborNode) -> bool:
    parent = node.parent
    for _ in range(_MAX_CLIMB):
        if parent is None:
            break
        if parent.tag in ("article", "main") or "articleBody" in (
            parent.attributes.get("itemprop") or ""
        ):
            return True
        parent = parent.parent
    return False


def _detached(node: LexborNode, body_id: int) -> bool:
    parent = node.parent
    for _ in range(_MAX_CLIMB):
        if parent is None:
            return True
        if parent.mem_id == body_id:
            return False
        parent = parent.parent
    return False  # too deep to tell: treat as attached (removing it again is harmless)


def strip_chrome(
    tree: LexborHTMLParser, body: LexborNode, removed: list[Any], page_size: int = 0
) -> None:
    """Drop navigation, hidden elements and strongly named boilerplate before scoring."""
    from vnnews.extract.article import Removed

    page_text = _PageText(body)
    for node in body.css(boilerplate.CHROME_SELECTOR):
        if node.tag in ("body", "html"):
            continue
        text = node.text(strip=True)
        # Streaming renderers (Next.js) park the whole article in <div hidden> until scripts
        # move it: a "hidden" element that holds most of the page is the page.
        if page_text.holds_most(text):
            continue
        if text:
            removed.append(Removed("navigation", text[:200], f"<{node.tag}> chrome"))
        node.remove()
    # One pass over named elements; class/id strings repeat, so classify() is cached. Nodes are
    # unlinked with remove(), not destroyed: a descendant of an unlinked node may still come up
    # later in this list, and must stay valid memory.
    body_id = body.mem_id
    examined = 0
    # Each candidate costs a walk of its subtree, at most the whole page: bound the number of
    # candidates by page size so the pass stays near-linear even on hostile nesting.
    max_candidates = max(50, min(_MAX_CANDIDATES, _CANDIDATE_BUDGET // max(1, page_size)))
    # Hidden elements outside the article's landmarks are dialogs, templates and menus; inside
    # <main>/<article> they are usually collapsed parts of the article (tabs, "read more").
    for node in body.css(boilerplate.HIDDEN_SELECTOR):
        if node.css_first("article, main, h1, [itemprop=articleBody]") is not None:
            continue
        if _inside_landmark(node):
            continue
        text = node.text(strip=True)
        if page_text.holds_most(text):
            continue
        if text:
            removed.append(Removed("other", text[:200], f"hidden <{node.tag}>"))
        node.remove()
    for node in body.css(_NAMED_CONTAINERS):
        tag = node.tag
        if tag in _KEEP_TAGS:
            continue
        cid = _class_id(node)
        kind = boilerplate.classify(cid) if len(cid) > 1 else None
        if kind is None:
            if tag not in ("header", "footer", "aside"):
                continue
            kind = "navigation"
        if _detached(node, body_id):
            continue  # inside something removed already
        examined += 1
        if examined > max_candidates:
            break  # hostile pages (thousands of nested named boxes): leave the rest to the walk
        text = node.text(strip=True)
        # "widget", "menu", "tags": only chrome when it is mostly links.
        if (
            kind in boilerplate.WEAK
            and tag not in ("header", "footer", "aside")
            and len(text) > 150
            and _link_text_len(node) < len(text) * 0.4
        ):
            continue
        # A wrapper holding the article is not boilerplate whatever its name says.
        if node.css_first("article, main, h1, [itemprop=articleBody]") is not None:
            continue
        if tag not in ("footer", "aside") and page_text.holds_most(text):
            continue
        if text:
            removed.append(Removed(kind, text[:200], f"<{tag} {cid.strip()}>"))
        node.remove()


def _ancestor_ids(node: LexborNode) -> set[int]:
    ids = {node.mem_id}
    parent = node.parent
    while parent is not None:
        ids.add(parent.mem_id)
        parent = parent.parent
    return ids


def find_body(
    tree: LexborHTMLParser, body: LexborNode, hint: str | None = None
) -> tuple[LexborNode, dict[int, float]]:
    weights = weigh(body)
    total = weights.get(body.mem_id, 0.0)
    if hint:
        node = tree.css_first(hint)
        if node is not None and weights.get(node.mem_id, 0.0) > 0:
            return node, weights
    chosen = descend(body, weights)
    # HTML5 landmarks: when the descent stopped above the page's <main>/<article> and that
    # landmark holds a fair share of the prose, the rest is page furniture (footers with
    # testimonials, teaser grids); descend from the landmark instead.
    chosen_w = weights.get(chosen.mem_id, 0.0)
    landmark = None
    landmark_w = 0.0
    for node in chosen.css("main, article, [role=main]"):
        w = weights.get(node.mem_id, 0.0)
        if w > landmark_w:
            landmark, landmark_w = node, w
    if landmark is not None and landmark.mem_id != chosen.mem_id and landmark_w >= 0.45 * chosen_w:
        chosen = descend(landmark, weights)
    best_known = None
    best_w = 0.0
    chosen_id = chosen.mem_id
    chosen_line = _ancestor_ids(chosen)
    for node in body.css(KNOWN_BODY):
        w = weights.get(node.mem_id, 0.0)
        # Only a container on the chosen element's line (inside it, or wrapping it): a
        # same-named box elsewhere is usually a teaser grid styled like the article.
        if w > best_w and (node.mem_id in chosen_line or chosen_id in _ancestor_ids(node)):
            best_known, best_w = node, w
    if best_known is not None and total > 0 and best_w >= 0.6 * weights.get(chosen.mem_id, 0.0):
        # Prefer the named container when it holds most of what the scorer found; it is often
        # tighter (no author box or tags) and sometimes wider (short paragraphs split by images).
        return best_known, weights
    return chosen, weights
