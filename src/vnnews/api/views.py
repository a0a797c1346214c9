"""JSON API v1: function views returning JsonResponse (design rule 11).

Every error is the same shape, {"error": {"status", "code", "message"}}, with a Vietnamese
message; bad query parameters are a 400 that names the parameter, never a 500.
"""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from vnnews.api import content_version
from vnnews.api.payloads import (
    ErrorPayload,
    Page,
    article_detail,
    article_summary,
    section_payload,
    source_payload,
)
from vnnews.news.models import Article, Section, Source, with_tag
from vnnews.text import normalize

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # deeper pages are a crawl; sitemaps list every article
_JSON = {"ensure_ascii": False}


class BadRequest(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def error_response(status: int, code: str, message: str) -> JsonResponse:
    body: ErrorPayload = {"error": {"status": status, "code": code, "message": message}}
    return JsonResponse(body, status=status, json_dumps_params=_JSON)


def not_found(message: str = "Không tìm thấy tài nguyên") -> JsonResponse:
    return error_response(404, "not_found", message)


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"Tham số {name} phải là số nguyên") from None
    if not low <= value <= high:
        raise BadRequest(name, f"Tham số {name} phải nằm trong khoảng {low}–{high}")
    return value


def _time_param(request: HttpRequest, name: str, end_of_day: bool = False) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        # A bare date means the whole day: from its start (since) or to its end (until).
        day = parse_date(raw)
        if day is not None:
            value = datetime.combine(day, time.max if end_of_day else time.min)
        else:
            value = parse_datetime(raw)
        if value is None:
            raise ValueError(raw)
    except ValueError:
        raise BadRequest(
            name,
            f"Tham số {name} phải là ngày giờ ISO 8601, ví dụ 2026-11-27 hoặc 2026-11-27T08:30",
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _absolute(request: HttpRequest):
    return request.build_absolute_uri


def _page_link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(request.path + "?" + urlencode(sorted(params.items())))


def _paged(request: HttpRequest, items: list, total: int, page: int, per_page: int) -> Page:
    absolute = _absolute(request)
    return {
        "count": total,
        "page": page,
        "per_page": per_page,
        "next": _page_link(request, page + 1) if page * per_page < total else None,
        "previous": _page_link(request, page - 1) if page > 1 else None,
        "results": [article_summary(a, absolute) for a in items],
    }


# What payloads.article_summary reads: loading only these columns (not the body, the raw-page
# link, hashes and counters, nor whole outlet and section rows) halves the cost of a list page.
SUMMARY_FIELDS = (
    "url",
    "title",
    "sapo",
    "published",
    "updated",
    "authors",
    "tags",
    "lead_image",
    "story_id",
    "section__slug",
    "section__name",
    "source__name",
    "source__domain",
)


def _listed() -> QuerySet[Article]:
    return (
        Article.objects.filter(duplicate_of__isnull=True)
        .select_related("section", "source")
        .only(*SUMMARY_FIELDS)
    )


def api_handler(view):
    """Turn BadRequest into a 400 JSON answer."""

    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return error_response(400, "bad_request", error.message)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


@api_handler
def articles(request: HttpRequest) -> JsonResponse:
    """Newest articles first, with filters: section, source, tag, q, since, until."""
    page = _int_param(request, "page", 1, 1, MAX_PAGE)
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    queryset = _listed()
    if slug := request.GET.get("section", "").strip():
        if not Section.objects.filter(slug=slug).exists():
            return not_found(f"Không có chuyên mục “{slug}”")
        queryset = queryset.filter(section__slug=slug)
    if domain := request.GET.get("source", "").strip():
        if not Source.objects.filter(domain=domain).exists():
            return not_found(f"Không có nguồn tin “{domain}”")
        queryset = queryset.filter(source__domain=domain)
    if tag := normalize(request.GET.get("tag", "").strip()):
        queryset = with_tag(queryset, tag)
    if q := normalize(request.GET.get("q", "").strip()):
        # Exact substring (with diacritics) in title or sapo; /search is the ranked,
        # diacritic-insensitive search.
        queryset = queryset.filter(Q(title__icontains=q) | Q(sapo__icontains=q))
    since = _time_param(request, "since")
    until = _time_param(request, "until", end_of_day=True)
    if since and until and since > until:
        raise BadRequest("since", "Tham số since phải trước until")
    if since:
        queryset = queryset.filter(published__gte=since)
    if until:
        queryset = queryset.filter(published__lte=until)
    queryset = queryset.order_by("-published", "-id")
    total = _kept_count((slug, domain, tag, q, since, until), queryset)
    items = list(queryset[(page - 1) * per_page : page * per_page])
    return JsonResponse(_paged(request, items, total, page, per_page), json_dumps_params=_JSON)


COUNT_SECONDS = 300


def _kept_count(filters: tuple, queryset: QuerySet[Article]) -> int:
    """COUNT(*) of a filtered list (a scan of every matching row: ~3 ms for a section of 20,000
    articles), kept per process under the content version, so it is exact: a save changes the
    version. Pages of the same list share it."""
    return content_version.kept(f"api-count:{filters!r}", COUNT_SECONDS, queryset.count)


@api_handler
def article(request: HttpRequest, pk: int) -> JsonResponse:
    """One article with its content blocks and images."""
    found = (
        Article.objects.select_related("section", "source")
        .prefetch_related("images")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        return not_found("Không tìm thấy bài báo")
    return JsonResponse(article_detail(found, _absolute(request)), json_dumps_params=_JSON)


def _search(query: str, section, source, page: int, per_page: int) -> tuple[list, int]:
    """The reader's ranked search when installed; a folded-substring fallback otherwise."""
    try:
        from vnnews.news.search import search
    except ImportError:  # pragma: no cover - the search app ships with vnnews
        search = None
    if search is not None:
        results = search(query, section=section, source=source, page=page, per_page=per_page)
        return list(results.articles), results.total
    queryset = _listed()
    for word in normalize(query).split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(sapo__icontains=word))
    if section is not None:
        queryset = queryset.filter(section=section)
    if source is not None:
        queryset = queryset.filter(source=source)
    total = queryset.count()
    return list(queryset[(page - 1) * per_page : page * per_page]), total


@api_handler
def search(request: HttpRequest) -> JsonResponse:
    """Ranked search, diacritics optional ("ha noi" finds "Hà Nội")."""
    query = request.GET.get("q", "").strip()
    if not query:
        raise BadRequest("q", "Thiếu tham số q (từ khoá tìm kiếm)")
    if len(query) > 200:
        raise BadRequest("q", "Từ khoá tìm kiếm dài quá 200 ký tự")
    page = _int_param(request, "page", 1, 1, MAX_PAGE)
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    section = source = None
    if slug := request.GET.get("section", "").strip():
        section = Section.objects.filter(slug=slug).first()
        if section is None:
            return not_found(f"Không có chuyên mục “{slug}”")
    if domain := request.GET.get("source", "").strip():
        source = Source.objects.filter(domain=domain).first()
        if source is None:
            return not_found(f"Không có nguồn tin “{domain}”")
    items, total = _search(query, section, source, page, per_page)
    body = {"query": query, **_paged(request, items, total, page, per_page)}
    return JsonResponse(body, json_dumps_params=_JSON)


@api_handler
def sections(request: HttpRequest) -> JsonResponse:
    absolute = _absolute(request)
    results = [
        section_payload(
            s,
            absolute,
            (
                reverse("api:section-rss", kwargs={"slug": s.slug}),
                reverse("api:section-atom", kwargs={"slug": s.slug}),
            ),
        )
        for s in Section.objects.all()
    ]
    return JsonResponse({"results": results}, json_dumps_params=_JSON)


@api_handler
def sources(request: HttpRequest) -> JsonResponse:
    absolute = _absolute(request)
    results = [
        source_payload(s, absolute, reverse("api:source-rss", kwargs={"domain": s.domain}))
        for s in Source.objects.all()
    ]
    return JsonResponse({"results": results}, json_dumps_params=_JSON)


def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown /api/ paths answer JSON, not the HTML 404 page."""
    return not_found("Không có địa chỉ API này; xem /api/v1/")


@require_GET
def index(request: HttpRequest) -> JsonResponse:
    absolute = _absolute(request)
    return JsonResponse(
        {
            "version": 1,
            "endpoints": {
                name: absolute(reverse(f"api:{name}"))
                for name in ("articles", "search", "sections", "sources")
            },
            "docs": "docs/api.md",
        },
        json_dumps_params=_JSON,
    )
