"""Django admin for the newsroom: outlets, sections, feeds, articles and import records.

Labels come from the models' Vietnamese verbose names; lists have search and filters. Articles
are written by the importers and the ingestion pipeline (news.store), so their content fields
are read-only here; deleting an article leaves a tombstone so it is not ingested again.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from vnnews.news.models import (
    Article,
    Feed,
    Image,
    ImportRecord,
    RawPage,
    Section,
    SectionAlias,
    Source,
    Story,
    Tombstone,
)

admin.site.site_header = "Quản trị vnnews"
admin.site.site_title = "vnnews"
admin.site.index_title = "Tin tức"


class SectionAliasInline(admin.TabularInline):
    model = SectionAlias
    extra = 0
    autocomplete_fields = ["section"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_total"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="số bài", ordering="article_total")
    def article_total(self, obj):
        return obj.article_total


@admin.register(SectionAlias)
class SectionAliasAdmin(admin.ModelAdmin):
    list_display = ["name_key", "section", "source"]
    list_filter = ["section"]
    search_fields = ["name_key"]
    autocomplete_fields = ["section", "source"]


class FeedInline(admin.TabularInline):
    model = Feed
    extra = 0
    fields = ["url", "kind", "enabled", "next_check_at", "error_count"]
    readonly_fields = ["next_check_at", "error_count"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "enabled", "article_total", "last_success_at", "error_count"]
    list_filter = ["enabled"]
    search_fields = ["name", "domain"]
    readonly_fields = [
        "last_success_at",
        "last_error_at",
        "last_error",
        "error_count",
        "created_at",
    ]
    inlines = [FeedInline, SectionAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="số bài", ordering="article_total")
    def article_total(self, obj):
        return obj.article_total


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "url",
        "source",
        "kind",
        "enabled",
        "last_checked_at",
        "next_check_at",
        "error_count",
    ]
    list_filter = ["kind", "enabled", "source"]
    search_fields = ["url", "source__name", "source__domain"]
    autocomplete_fields = ["source"]
    readonly_fields = ["etag", "last_modified", "last_checked_at", "last_error", "error_count"]


class ImageInline(admin.TabularInline):
    model = Image
    extra = 0
    fields = ["position", "src", "caption", "credit"]
    readonly_fields = fields
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "section", "published", "change_count", "first_seen"]
    list_filter = ["section", "source", "language", ("published", admin.DateFieldListFilter)]
    search_fields = ["title", "sapo", "url", "byline"]
    date_hierarchy = "published"
    list_select_related = ["source", "section"]
    autocomplete_fields = ["section"]
    show_full_result_count = False  # COUNT(*) on a large table on every page is slow
    readonly_fields = [
        "original_link", "source", "source_section", "title", "sapo", "text", "authors", "byline",
        "published", "updated", "tags", "lead_image", "language", "content_hash", "simhash",
        "story", "duplicate_of", "extraction_version", "raw_page", "first_seen", "last_changed",
        "change_count", "view_count",
    ]  # fmt: skip
    exclude = ["url", "blocks"]
    inlines = [ImageInline]

    @admin.display(description="địa chỉ gốc")
    def original_link(self, obj):
        if obj.url.startswith(("http://", "https://")):
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, obj.url)
        return obj.url

    def delete_model(self, request, obj):
        Tombstone.objects.get_or_create(url=obj.url, defaults={"reason": f"xoá bởi {request.user}"})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for url in queryset.values_list("url", flat=True):
            Tombstone.objects.get_or_create(url=url, defaults={"reason": f"xoá bởi {request.user}"})
        super().delete_queryset(request, queryset)


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "outcome", "stage", "item_key", "origin", "short_reason", "batch"]
    list_filter = ["outcome", "stage", "batch"]
    search_fields = ["origin", "item_key", "url", "reason", "batch"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [
        "batch", "origin", "item_key", "item_hash", "url", "outcome", "stage", "reason", "article",
        "created_at",
    ]  # fmt: skip

    @admin.display(description="lý do")
    def short_reason(self, obj):
        return obj.reason[:120]

    def has_add_permission(self, request):
        return False


@admin.register(RawPage)
class RawPageAdmin(admin.ModelAdmin):
    list_display = ["url", "fetched_at", "content_type", "size", "warc_path"]
    search_fields = ["url", "sha256"]
    readonly_fields = [
        "url",
        "fetched_at",
        "warc_path",
        "warc_offset",
        "content_type",
        "sha256",
        "size",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "size", "updated_at"]
    search_fields = ["title"]


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    list_display = ["url", "deleted_at", "reason"]
    search_fields = ["url", "reason"]
