"""The reading site's pages. Every list is paginated with ?trang=N; with &phan=1 a view returns
only the next items (the fragment the "Xem thêm" script appends in place)."""

from __future__ import annotations

from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader

from vnnews.news.models import Article, Section, Source
from vnnews.news.search import search as run_search
from vnnews.reader import queries
from vnnews.reader.article_body import body_html, byline, prepare_blocks
from vnnews.reader.links import article_path, article_slug
from vnnews.reader.pagination import ListPage, page_number, page_of
from vnnews.reader.structured_data import news_article

PER_PAGE = 20


def _first_pages(name: str, queryset, number: int, per_page: int = PER_PAGE) -> ListPage:
    """A list's page; the first one (most of the traffic) is kept per process under the content
    version like the side boxes, so a busy list costs one query per process and change."""
    if number != 1:
        return page_of(queryset, number, per_page)
    return queries.boxed(
        f"list:{name}:{per_page}", queries.BOX_SECONDS, lambda: page_of(queryset, 1, per_page)
    )


def _section_by_slug(slug: str) -> Section:
    for known in queries.sections():
        if known.slug == slug:
            return known
    raise Http404("Không có chuyên mục này")


def _list_page(
    request, template: str, queryset, context: dict, per_page: int = PER_PAGE, name: str = ""
):
    number = page_number(request)
    page = (
        _first_pages(name, queryset, number, per_page)
        if name
        else page_of(queryset, number, per_page)
    )
    context = {**context, "page": page, "items": page.items}
    if request.GET.get("phan"):
        return render(request, "reader/_list_fragment.html", context)
    return render(request, template, context)


def home(request):
    page = _first_pages("home", queries.listed(), page_number(request))
    context = {"page": page, "items": page.items, "list_id": "moi-nhat"}
    if request.GET.get("phan"):
        return render(request, "reader/_list_fragment.html", context)
    if page.number == 1:
        context["by_section"] = queries.top_by_section()
        context["most_viewed"] = queries.most_viewed()
    return render(request, "reader/home.html", context)


def section(request, slug: str):
    current = _section_by_slug(slug)
    return _list_page(
        request,
        "reader/section.html",
        queries.listed().filter(section=current),
        {"section": current, "list_id": "chuyen-muc"},
        name=f"section:{current.pk}",
    )


def source(request, domain: str):
    outlet = get_object_or_404(Source, domain=domain.lower())
    return _list_page(
        request,
        "reader/source.html",
        queries.listed().filter(source=outlet),
        {"outlet": outlet, "list_id": "nguon"},
    )


def tag(request, tag: str):
    queryset = queries.tagged(tag)
    if not queryset.exists():
        raise Http404("Không có bài nào gắn thẻ này")
    return _list_page(request, "reader/tag.html", queryset, {"tag": tag, "list_id": "the"})


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    section_slug = request.GET.get("chuyen-muc", "")
    current = next((s for s in queries.sections() if s.slug == section_slug), None)
    domain = request.GET.get("nguon", "")
    outlet = Source.objects.filter(domain=domain.lower()).first() if domain else None
    number = page_number(request)
    results = run_search(
        query,
        section=current,
        source=outlet,
        page=number,
        per_page=PER_PAGE,
        fields=queries.TEASER_FIELDS,
    )
    context = {
        "query": query,
        "results": results,
        "section": current,
        "outlet": outlet,
        "sections": queries.sections(),
        "items": results.articles,
        "page": results,
        "list_id": "ket-qua",
    }
    if request.GET.get("phan"):
        return render(request, "reader/_list_fragment.html", context)
    return render(request, "reader/search.html", context)


def article(request, pk: int, slug: str = ""):
    item = queries.with_outlet_and_section(get_object_or_404(Article, pk=pk))
    if item.duplicate_of_id:
        # The same article from another outlet: readers get the one we show.
        return redirect(article_path(item.duplicate_of), permanent=True)
    if slug != article_slug(item.title):
        return redirect(article_path(item), permanent=True)
    # Views are counted by view_counter.ArticleViewMiddleware, outside the page cache.
    blocks = prepare_blocks(item)
    images = [b["src"] for b in blocks if b["kind"] == "image" and b["src"]]
    if item.lead_image and item.lead_image not in images:
        images.insert(0, item.lead_image)
    related = queries.related(item)
    shown = {a.pk for a in related}
    latest = queries.latest_in_section(item, exclude=shown)
    page_url = request.build_absolute_uri(article_path(item))
    written_by = byline(item)
    return render(
        request,
        "reader/article.html",
        {
            "article": item,
            "section": item.section,
            "blocks": blocks,
            "body_html": body_html(blocks),
            "byline": written_by,
            "og_image": images[0] if images else "",
            "page_url": page_url,
            "related": related,
            "latest": latest,
            "most_viewed": queries.most_viewed(exclude={item.pk}),
            "structured_data": news_article(
                item, page_url=page_url, images=images, byline=written_by
            ),
        },
    )


def page_not_found(request, exception=None):
    return render(request, "reader/404.html", {"path": request.path}, status=404)


def server_error(request):
    # No database, no context processors: whatever broke may break again.
    return HttpResponseServerError(loader.get_template("reader/500.html").render())
