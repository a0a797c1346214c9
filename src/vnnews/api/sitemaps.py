"""Sitemaps (django.contrib.sitemaps), a Google News sitemap and robots.txt.

The sitemaps protocol allows at most 50,000 URLs per file (sitemaps.org/protocol.html), so the
article sitemap is paginated at that size and /sitemap.xml is an index of all pages. The Google
News sitemap lists only articles published in the last two days, at most 1,000 (Google's limits
for news sitemaps), with the news:publication, news:publication_date and news:title tags.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_GET

from vnnews.api.feeds import xml_text
from vnnews.api.links import article_path, section_path
from vnnews.news.models import Article, Section

PROTOCOL_LIMIT = 50_000
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1_000
PUBLICATION_NAME = "vnnews"
PUBLICATION_LANGUAGE = "vi"


class ArticleSitemap(Sitemap):
    limit = PROTOCOL_LIMIT
    changefreq = "daily"

    def items(self):
        # Only what location() and lastmod() read (the reader's path needs id and title):
        # 50,000 rows with their bodies would be hundreds of megabytes.
        return (
            Article.objects.filter(duplicate_of__isnull=True)
            .only("id", "title", "published", "updated", "first_seen")
            .order_by("-published", "-id")
        )

    def location(self, item: Article) -> str:
        return article_path(item)

    def lastmod(self, item: Article):
        return item.updated or item.published or item.first_seen

    def get_latest_lastmod(self):
        # The index's <lastmod>: Django's default calls lastmod() on every item (a full
        # table read); two MAX() queries give the same answer from the indexes.
        latest = Article.objects.filter(duplicate_of__isnull=True).aggregate(
            updated=Max("updated"), published=Max("published")
        )
        return max((v for v in latest.values() if v is not None), default=None)


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return Section.objects.all()

    def location(self, item: Section) -> str:
        return section_path(item)


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap}


def _w3c(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


@require_GET
def section_sitemap(request: HttpRequest, section: str) -> HttpResponse:
    """One sitemap page. Articles are written directly from (id, title, dates) rows: Django's
    generic view builds a model object and a template context per URL, about ten times slower,
    which for a 50,000-URL page is the difference between ~1 s and ~10 s. The URLs and the
    pagination (?p=N, `limit` per page) are the same as Django's."""
    if section != "articles":
        return sitemap_views.sitemap(request, SITEMAPS, section=section)
    sitemap = ArticleSitemap()
    try:
        page = int(request.GET.get("p", "1"))
    except ValueError:
        raise Http404("Trang sitemap không hợp lệ") from None
    if page < 1 or (page > 1 and page > sitemap.paginator.num_pages):
        raise Http404("Không có trang sitemap này")
    start = (page - 1) * sitemap.limit
    rows = (
        Article.objects.filter(duplicate_of__isnull=True)
        .order_by("-published", "-id")
        .values_list("id", "title", "published", "updated", "first_seen")[
            start : start + sitemap.limit
        ]
    )
    base = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(content_type="application/xml; charset=utf-8")
    xml = SimplerXMLGenerator(response, "utf-8")
    xml.startDocument()
    xml.startElement("urlset", {"xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    for pk, title, published, updated, first_seen in rows.iterator(chunk_size=2000):
        xml.startElement("url", {})
        xml.addQuickElement("loc", base + article_path(_Row(pk, title)))
        modified = updated or published or first_seen
        if modified:
            xml.addQuickElement("lastmod", _w3c(modified))
        xml.addQuickElement("changefreq", sitemap.changefreq)
        xml.endElement("url")
    xml.endElement("urlset")
    xml.endDocument()
    return response


class _Row:
    """Just what article_path() reads."""

    __slots__ = ("pk", "title")

    def __init__(self, pk: int, title: str) -> None:
        self.pk, self.title = pk, title


@require_GET
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap: <urlset> with a <news:news> block per recent article."""
    since = timezone.now() - NEWS_WINDOW
    articles = (
        Article.objects.filter(duplicate_of__isnull=True, published__gte=since)
        .select_related("section", "source")
        .defer("blocks", "text", "sapo")
        .order_by("-published", "-id")[:NEWS_LIMIT]
    )
    response = HttpResponse(content_type="application/xml; charset=utf-8")
    xml = SimplerXMLGenerator(response, "utf-8")
    xml.startDocument()
    xml.startElement(
        "urlset",
        {
            "xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9",
            "xmlns:news": "http://www.google.com/schemas/sitemap-news/0.9",
        },
    )
    for article in articles:
        xml.startElement("url", {})
        xml.addQuickElement("loc", request.build_absolute_uri(article_path(article)))
        xml.startElement("news:news", {})
        xml.startElement("news:publication", {})
        xml.addQuickElement("news:name", PUBLICATION_NAME)
        xml.addQuickElement("news:language", PUBLICATION_LANGUAGE)
        xml.endElement("news:publication")
        # W3C datetime with offset, as the news sitemap spec asks.
        xml.addQuickElement(
            "news:publication_date", timezone.localtime(article.published).isoformat()
        )
        xml.addQuickElement("news:title", xml_text(article.title))
        xml.endElement("news:news")
        xml.endElement("url")
    xml.endElement("urlset")
    xml.endDocument()
    return response


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('api:sitemap-index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('api:sitemap-news'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
