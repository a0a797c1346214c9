"""`vnnews sources`: the outlets we follow — list with health, add, disable/enable, load the
default registry, import and export OPML."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from lxml import etree

from vnnews.feeds import KINDS
from vnnews.news.health import source_stats
from vnnews.news.models import Feed, Section, SectionAlias, Source
from vnnews.news.sections import builtin_aliases, load_sections, name_key

DEFAULTS = Path(__file__).resolve().parents[2] / "default_sources.json"


def domain_of(url_or_domain: str) -> str:
    text = url_or_domain.strip()
    host = urlsplit(text if "//" in text else f"//{text}").netloc.lower()
    return host[4:] if host.startswith("www.") else host


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m %H:%M") if value else "—"


class Command(BaseCommand):
    help = "Quản lý nguồn tin: liệt kê (kèm tình trạng), thêm, tắt/bật, nạp danh sách mặc định, nhập/xuất OPML."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="HÀNH_ĐỘNG")
        sub.required = True
        p = sub.add_parser("list", help="liệt kê nguồn tin và tình trạng")
        p.add_argument("--json", action="store_true", help="in JSON thay vì bảng")
        p.add_argument("--disabled", action="store_true", help="chỉ các nguồn đã tắt")
        p = sub.add_parser("add", help="thêm một nguồn tin (và các kênh của nó)")
        p.add_argument("home", help="trang chủ hoặc tên miền, ví dụ https://vnexpress.net/")
        p.add_argument("--name", default="", help="tên hiển thị")
        p.add_argument(
            "--feed", action="append", default=[], metavar="URL", help="địa chỉ kênh (lặp lại được)"
        )
        p.add_argument(
            "--kind", default="rss", choices=sorted(KINDS), help="loại kênh (mặc định rss)"
        )
        p.add_argument("--section", default="", help="chuyên mục gốc của các kênh này")
        p.add_argument("--interval", type=int, default=None, help="chu kỳ kiểm tra (giây)")
        p = sub.add_parser("disable", help="tắt một nguồn tin")
        p.add_argument("domain")
        p.add_argument("--reason", default="tắt bằng tay")
        p = sub.add_parser("enable", help="bật lại một nguồn tin (xoá đếm lỗi, bật lại các kênh)")
        p.add_argument("domain")
        p = sub.add_parser(
            "load-defaults", help="nạp danh sách nguồn mặc định (chạy lại không tạo trùng)"
        )
        p.add_argument("--file", default=str(DEFAULTS), help="tệp JSON khác")
        p = sub.add_parser("import-opml", help="nhập nguồn và kênh từ tệp OPML")
        p.add_argument("path")
        p = sub.add_parser("export-opml", help="xuất nguồn và kênh ra OPML")
        p.add_argument("path", nargs="?", default="-", help="tệp đích (mặc định: in ra màn hình)")

    def handle(self, *args, action: str, **options):
        handler = getattr(self, "do_" + action.replace("-", "_"))
        return handler(**options)

    # -- list ---------------------------------------------------------------------------------

    def do_list(self, json: bool = False, disabled: bool = False, **_):
        qs = Source.objects.filter(enabled=False) if disabled else Source.objects.all()
        stats = source_stats(qs)
        if json:
            import json as _json

            self.stdout.write(_json.dumps(stats, ensure_ascii=False, default=str, indent=1))
            return
        if not stats:
            self.stdout.write("Chưa có nguồn tin nào. Chạy: vnnews sources load-defaults")
            return
        header = f"{'tên miền':28} {'trạng thái':10} {'kênh':>7} {'thành công cuối':>15} {'bài hôm nay':>11} {'lỗi trích xuất':>14}  lỗi cuối"
        self.stdout.write(header)
        for s in stats:
            state = "bật" if s["enabled"] else "TẮT"
            error = ""
            if s["last_error"]:
                error = f"{_when(s['last_error_at'])} {s['last_error'][:70]}"
            if not s["enabled"] and s["disabled_reason"]:
                error = f"[{s['disabled_reason'][:60]}] {error}"
            self.stdout.write(
                f"{s['domain'][:28]:28} {state:10} {s['feeds_enabled']:>3}/{s['feeds_total']:<3} "
                f"{_when(s['last_success_at']):>15} {s['articles_today']:>11} "
                f"{s['extraction_failures']:>14}  {error}"
            )
        off = sum(not s["enabled"] for s in stats)
        self.stdout.write(f"\n{len(stats)} nguồn, {off} đang tắt.")

    # -- add / enable / disable ---------------------------------------------------------------

    def do_add(self, home, name="", feed=(), kind="rss", section="", interval=None, **_):
        domain = domain_of(home)
        if not domain or ("." not in domain and ":" not in domain):
            raise CommandError(f"không đọc được tên miền từ {home!r}")
        home_url = home if "//" in home else f"https://{domain}/"
        source, created = Source.objects.get_or_create(
            domain=domain, defaults={"name": name or domain, "home_url": home_url}
        )
        if name and source.name != name:
            source.name = name
            source.save(update_fields=["name"])
        added = 0
        for url in feed:
            if not url.startswith(("http://", "https://")):
                raise CommandError(f"địa chỉ kênh phải bắt đầu bằng http:// hoặc https://: {url!r}")
            defaults = {"source": source, "kind": kind, "source_section": section}
            if interval:
                defaults["interval_seconds"] = interval
            _, made = Feed.objects.get_or_create(url=url, defaults=defaults)
            added += made
        verb = "Đã thêm" if created else "Đã có"
        self.stdout.write(f"{verb} nguồn {source.name} ({domain}); thêm {added} kênh.")

    def _source(self, domain: str) -> Source:
        source = Source.objects.filter(domain=domain_of(domain)).first()
        if source is None:
            raise CommandError(f"không có nguồn tin {domain!r} (xem: vnnews sources list)")
        return source

    def do_disable(self, domain, reason="tắt bằng tay", **_):
        source = self._source(domain)
        Source.objects.filter(pk=source.pk).update(enabled=False, disabled_reason=reason[:300])
        self.stdout.write(f"Đã tắt {source.name} ({source.domain}): {reason}")

    def do_enable(self, domain, **_):
        source = self._source(domain)
        now = timezone.now()
        Source.objects.filter(pk=source.pk).update(enabled=True, disabled_reason="", error_count=0)
        Feed.objects.filter(source=source).update(enabled=True, error_count=0, next_check_at=now)
        self.stdout.write(
            f"Đã bật lại {source.name} ({source.domain}) và {source.feeds.count()} kênh."
        )

    # -- defaults -----------------------------------------------------------------------------

    @transaction.atomic
    def do_load_defaults(self, file=str(DEFAULTS), **_):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
            entries = data["sources"]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"không đọc được {file}: {exc}") from None
        load_sections()
        sections = {s.slug: s for s in Section.objects.all()}
        builtin = builtin_aliases()
        new_sources = new_feeds = 0
        for item in entries:
            source, created = Source.objects.get_or_create(
                domain=item["domain"],
                defaults={"name": item["name"], "home_url": item.get("home_url", "")},
            )
            new_sources += created
            for f in item.get("feeds", []):
                category = f.get("category", "") if f.get("section") else ""
                _, made = Feed.objects.get_or_create(
                    url=f["url"],
                    defaults={
                        "source": source,
                        "kind": f.get("kind", "rss"),
                        "source_section": category,
                    },
                )
                new_feeds += made
                slug = f.get("section")
                key = name_key(category)
                # The outlet's own name for a category becomes an alias when the built-in list
                # would not map it the same way ("kinhte" -> kinh-doanh).
                if slug in sections and key and builtin.get(key) != slug:
                    SectionAlias.objects.get_or_create(
                        source=source, name_key=key, defaults={"section": sections[slug]}
                    )
        self.stdout.write(
            f"Danh sách mặc định: {len(entries)} nguồn ({new_sources} mới), "
            f"{sum(len(i.get('feeds', [])) for i in entries)} kênh ({new_feeds} mới)."
        )

    # -- OPML ---------------------------------------------------------------------------------

    def do_import_opml(self, path, **_):
        try:
            tree = etree.parse(path, etree.XMLParser(resolve_entities=False, no_network=True))
        except (OSError, etree.XMLSyntaxError) as exc:
            raise CommandError(f"không đọc được OPML {path}: {exc}") from None
        sources = feeds = 0
        with transaction.atomic():
            for outline in tree.iter("outline"):
                url = outline.get("xmlUrl") or ""
                if not url.startswith(("http://", "https://")):
                    continue
                parent = outline.getparent()
                group = ""
                if parent is not None and parent.tag == "outline":
                    group = parent.get("text") or parent.get("title") or ""
                domain = domain_of(outline.get("htmlUrl") or url)
                name = group or outline.get("text") or outline.get("title") or domain
                source, created = Source.objects.get_or_create(
                    domain=domain,
                    defaults={
                        "name": name[:200],
                        "home_url": outline.get("htmlUrl") or f"https://{domain}/",
                    },
                )
                sources += created
                kind = outline.get("vnnewsKind") or "rss"
                _, made = Feed.objects.get_or_create(
                    url=url,
                    defaults={
                        "source": source,
                        "kind": kind if kind in KINDS else "rss",
                        "source_section": (outline.get("category") or "")[:200],
                    },
                )
                feeds += made
        self.stdout.write(f"Đã nhập {sources} nguồn mới, {feeds} kênh mới từ {path}.")

    def do_export_opml(self, path="-", **_):
        lines = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<opml version="2.0"><head><title>vnnews — nguồn tin</title></head><body>',
        ]
        for source in Source.objects.prefetch_related("feeds").order_by("name"):
            lines.append(
                f"  <outline text={quoteattr(source.name)} title={quoteattr(source.name)}"
                f" htmlUrl={quoteattr(source.home_url or 'https://' + source.domain + '/')}>"
            )
            for feed in source.feeds.order_by("url"):
                lines.append(
                    f'    <outline type="rss" text={quoteattr(feed.source_section or source.name)}'
                    f" xmlUrl={quoteattr(feed.url)} category={quoteattr(feed.source_section)}"
                    f" vnnewsKind={quoteattr(feed.kind)}/>"
                )
            lines.append("  </outline>")
        lines.append("</body></opml>")
        text = "\n".join(lines) + "\n"
        if path == "-":
            self.stdout.write(text, ending="")
        else:
            Path(path).write_text(text, encoding="utf-8")
            self.stdout.write(f"Đã xuất {Source.objects.count()} nguồn ra {path}.")
