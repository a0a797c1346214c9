"""Machine-readable outputs. Included at the site root, before the reader's pages, so the feed
paths under /chuyen-muc/ and /nguon/ are not taken for reader pages."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, re_path

from vnnews.api import feeds, sitemaps, views

app_name = "api"

urlpatterns = [
    path("api/v1/", views.index, name="index"),
    path("api/v1/articles", views.articles, name="articles"),
    path("api/v1/articles/<int:pk>", views.article, name="article"),
    path("api/v1/search", views.search, name="search"),
    path("api/v1/sections", views.sections, name="sections"),
    path("api/v1/sources", views.sources, name="sources"),
    re_path(r"^api/(?P<rest>.*)$", views.api_not_found),
    path("rss", feeds.LatestArticlesFeed(), name="rss"),
    path("atom", feeds.LatestArticlesAtom(), name="atom"),
    path("chuyen-muc/<slug:slug>/rss", feeds.SectionFeed(), name="section-rss"),
    path("chuyen-muc/<slug:slug>/atom", feeds.SectionAtom(), name="section-atom"),
    path("nguon/<str:domain>/rss", feeds.SourceFeed(), name="source-rss"),
    path("nguon/<str:domain>/atom", feeds.SourceAtom(), name="source-atom"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "api:sitemap-section"},
        name="sitemap-index",
    ),
    # Before sitemap-<section>.xml, which would otherwise take "news" for a section.
    path("sitemap-news.xml", sitemaps.news_sitemap, name="sitemap-news"),
    path(
        "sitemap-<section>.xml",
        sitemaps.section_sitemap,
        name="sitemap-section",
    ),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
]
