"""Template helpers for the reading site."""

from __future__ import annotations

import json
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vnnews.reader import dates
from vnnews.reader.links import article_path
from vnnews.reader.queries import BOX_SECONDS

register = template.Library()

# json_script cannot set type="application/ld+json"; escape the same characters it does so the
# data can never close the <script> element (https://html.spec.whatwg.org/#restrictions-for-contents-of-script-elements).
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ngay_gio(value) -> str:
    """'Thứ Sáu, 27/11/2026, 08:30 (GMT+7)'."""
    return dates.long_form(value)


@register.filter
def ngay_ngan(value) -> str:
    """'08:30 27/11/2026'."""
    return dates.short_form(value)


@register.filter
def json_ld(value) -> SafeString:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(data))


@register.filter
def duong_dan(article) -> str:
    """The reader URL of an article."""
    return article_path(article)


@lru_cache(maxsize=4096)
def _reversed(prefix: str, name: str, args: tuple[str, ...]) -> str:
    return reverse(name, args=list(args))


@register.simple_tag
def link(name: str, *args) -> str:
    """{% url name args %} remembered per process (URLs do not change while it runs): a page has
    about ten of them and reverse() costs ~50 µs each."""
    return _reversed(get_script_prefix(), name, tuple(str(a) for a in args))


@lru_cache(maxsize=256)
def _asset_url(path: str) -> str:
    return static(path)


@register.simple_tag
def asset(path: str) -> str:
    """{% static path %} remembered per process: fingerprinted names are fixed until a deploy,
    which starts new processes."""
    return _asset_url(path)


@receiver(setting_changed)
def _forget_urls(**kwargs) -> None:
    # Tests change STORAGES, STATIC_URL or ROOT_URLCONF; a server's settings never change.
    _reversed.cache_clear()
    _asset_url.cache_clear()


@register.simple_tag
def tag_url(tag: str) -> str:
    try:
        return _reversed(get_script_prefix(), "reader:tag", (tag,))
    except NoReverseMatch:  # a tag with "/" in it has no page of its own
        return ""


@register.simple_tag(takes_context=True)
def page_url(context, number: int, fragment: bool = False) -> str:
    """This page's URL with ?trang=number (and &phan=1 for the in-place "Xem thêm" fragment)."""
    query = context["request"].GET.copy()
    query["trang"] = str(number)
    query.pop("phan", None)
    if fragment:
        query["phan"] = "1"
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def section_nav(context) -> SafeString:
    """The section menu, rendered once per current section and content version (it is on every
    page and costs a {% url %} per section)."""
    from vnnews.reader.queries import boxed, sections

    current = getattr(context.get("section"), "slug", "")

    def render() -> SafeString:
        menu = {"sections": sections(), "current": current}
        return SafeString(get_template("reader/_section_nav.html").render(menu))

    return boxed(f"section-nav:{get_script_prefix()}:{current}", BOX_SECONDS, render)


@register.simple_tag
def list_items(items) -> SafeString:
    """A list's <li> teasers, each rendered once per process and content version (the same
    teaser is on the home page, its section, its outlet and search results)."""
    from vnnews.reader.fragments import teasers_html

    return teasers_html(items)


@register.simple_tag
def mini_list(items, ranked: bool = False) -> SafeString:
    """A side box's list of teasers (title and outlet), built here rather than by including a
    template per box: four boxes of up to eight items are on every article page."""
    from vnnews.reader.fragments import mini_items_html

    rows = mini_items_html(items)
    if ranked:
        return format_html('<ol class="mini ranked">\n{}\n</ol>', rows)
    return format_html('<ul class="mini">\n{}\n</ul>', rows)
