"""RSS 2.0 and Atom 1.0 feeds (django.contrib.syndication): the whole site, each section, each
outlet. Items link to our article page; the outlet's original is the item's source link in the
description, and near-duplicate copies are left out so one story appears once."""

from __future__ import annotations

import io
import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from vnnews.api import content_version
from vnnews.api.links import article_path, section_path, source_path
from vnnews.news.models import Article, Section, Source

ITEMS = 50
SITE_NAME = "vnnews"
# XML 1.0 forbids C0 control characters except tab, newline and carriage return; a stray one in
# an outlet's text would otherwise make the whole feed a 500.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    return _XML_INVALID.sub("", value or "")


class _WrittenAtOnce:
    """The feed's XML built in memory and handed to the response in one piece. Written straight
    into the response (Django's default), each of its ~1,900 tags and texts went through
    HttpResponse.write and an encoder of its own: a fifth of a feed's CPU."""

    def write(self, outfile, encoding) -> None:
        buffer = io.StringIO()
        super().write(buffer, encoding)  # type: ignore[misc]
        # As the generator's own writer encodes: characters the encoding lacks become references.
        outfile.write(buffer.getvalue().encode(encoding, "xmlcharrefreplace"))


class _Atom(_WrittenAtOnce, Atom1Feed):
    pass


class _VietnameseRss(_WrittenAtOnce, Rss201rev2Feed):
    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)
        handler.addQuickElement("generator", SITE_NAME)


FEED_SECONDS = 300


def _newest(name: str, queryset) -> list[Article]:
    """A feed's items, the same for every reader: kept per process under the content version
    (a saved article changes it), so a feed polled by many readers costs one query."""
    return content_version.kept(f"feed:{name}", FEED_SECONDS, lambda: list(queryset[:ITEMS]))


def _articles():
    return (
        Article.objects.filter(duplicate_of__isnull=True)
        .select_related("section", "source")
        .defer("blocks", "text")
        .order_by("-published", "-id")
    )


class LatestArticlesFeed(Feed):
    feed_type = _VietnameseRss
    language = "vi"
    title = "vnnews — tin mới nhất"
    description = "Tin mới nhất từ các báo Việt Nam"

    def link(self) -> str:
        return "/"

    def items(self, obj=None):
        return _newest("site", _articles())

    def item_title(self, item: Article) -> str:
        return xml_text(item.title)

    def item_description(self, item: Article) -> str:
        # Plain text only: the sapo has no markup, and the syndication framework escapes it.
        return xml_text(item.sapo)

    def item_link(self, item: Article) -> str:
        return article_path(item)

    def item_guid(self, item: Article) -> str:
        return f"vnnews:article:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article):
        return item.published or item.first_seen

    def item_updateddate(self, item: Article):
        return item.updated or item.published or item.first_seen

    def item_author_name(self, item: Article) -> str:
        return xml_text(item.byline or ", ".join(item.authors or []) or item.source.name)

    def item_categories(self, item: Article) -> list[str]:
        names = [item.section.name] if item.section else []
        return [xml_text(n) for n in names + list(item.tags or []) if n]


class LatestArticlesAtom(LatestArticlesFeed):
    feed_type = _Atom
    subtitle = LatestArticlesFeed.description


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Section:
        return get_object_or_404(Section, slug=slug)

    def title(self, obj: Section) -> str:
        return f"vnnews — {obj.name}"

    def description(self, obj: Section) -> str:
        return f"Tin mới nhất chuyên mục {obj.name}"

    def link(self, obj: Section) -> str:
        return section_path(obj)

    def items(self, obj: Section):
        return _newest(f"section:{obj.pk}", _articles().filter(section=obj))


class SectionAtom(SectionFeed):
    feed_type = _Atom

    def subtitle(self, obj: Section) -> str:
        return self.description(obj)


class SourceFeed(LatestArticlesFeed):
    def get_object(self, request, domain: str) -> Source:
        return get_object_or_404(Source, domain=domain.lower())  # as the reader page does

    def title(self, obj: Source) -> str:
        return f"vnnews — {obj.name}"

    def description(self, obj: Source) -> str:
        return f"Tin mới nhất từ {obj.name} ({obj.domain})"

    def link(self, obj: Source) -> str:
        return source_path(obj)

    def items(self, obj: Source):
        return _newest(f"source:{obj.pk}", _articles().filter(source=obj))


class SourceAtom(SourceFeed):
    feed_type = _Atom

    def subtitle(self, obj: Source) -> str:
        return self.description(obj)
