"""Rendered pieces of HTML that many pages share, kept per process under the content version.

An article's teaser (the <li> of a list: image, title, sapo, outlet, time) is the same on the
home page, its section, its outlet, tags and search results; rendering it is most of what a list
page costs. Its one-line form in the side boxes is on thousands of article pages. Each process renders a teaser once per content version (vnnews.api.content_version:
any save changes the version, so a kept teaser is never older than the article it shows).
"""

from __future__ import annotations

import threading

from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vnnews.api import content_version
from vnnews.reader.links import article_path

TEASER_LIMIT = 10_000  # entries; all dropped at once beyond that

_teasers: dict[tuple[int, str, str, int], str] = {}
_lock = threading.Lock()


def _render_teaser(article) -> str:
    # The list template itself, for one item: a list's HTML is its items' HTML end to end.
    return get_template("reader/_items.html").render({"items": [article]})


def _render_mini(article) -> str:
    return format_html(
        '<li><a href="{}">{}</a> <span class="meta">{}</span></li>',
        article_path(article),
        article.title,
        article.source.name,
    )


_RENDER = {"teaser": _render_teaser, "mini": _render_mini}


def _kept(kind: str, items, joiner: str) -> SafeString:
    version = content_version.current()
    prefix = get_script_prefix()
    render = _RENDER[kind]
    parts = []
    for article in items:
        key = (version, prefix, kind, article.pk)
        html = _teasers.get(key)
        if html is None:
            html = render(article)
            with _lock:
                if len(_teasers) >= TEASER_LIMIT:
                    _teasers.clear()
                _teasers[key] = html
        parts.append(html)
    return SafeString(joiner.join(parts))


def teasers_html(items) -> SafeString:
    """The <li> teasers of `items`, in order (what reader/_items.html renders for them)."""
    return _kept("teaser", items, "")


def mini_items_html(items) -> SafeString:
    """The one-line <li> items of a side box ("Tin khác", "Nên xem"…): title and outlet."""
    return _kept("mini", items, "\n")


def forget() -> None:
    """Drop every kept fragment (tests)."""
    with _lock:
        _teasers.clear()
