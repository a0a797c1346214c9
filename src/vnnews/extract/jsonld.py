"""schema.org metadata from JSON-LD blocks (https://schema.org/NewsArticle): headline, dates,
authors, section, keywords, image, publisher and BreadcrumbList."""

from __future__ import annotations

import json
import re
from typing import Any

_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "webpage",
    "liveblogposting",
    "opinionnewsarticle",
    "techarticle",
    "scholarlyarticle",
    "report",
    "socialmediaposting",
    "posting",
}
_CONTROL = re.compile(r"[\x00-\x1f]")


def _load(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("<!--"):
        raw = raw[4:].rsplit("-->", 1)[0]
    try:
        return json.loads(raw)
    except ValueError:
        # Many CMSs print raw newlines and tabs inside JSON strings; json.loads refuses those.
        try:
            return json.loads(_CONTROL.sub(" ", raw))
        except ValueError:
            return None


def _walk(data: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            _walk(item, out, depth + 1)
    elif isinstance(data, dict):
        out.append(data)
        if "@graph" in data:
            _walk(data["@graph"], out, depth + 1)
        if isinstance(data.get("mainEntity"), (dict, list)):
            _walk(data["mainEntity"], out, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type", "")
    if isinstance(t, list):
        return {str(x).lower() for x in t}
    return {str(t).lower()}


def names(value: Any) -> list[str]:
    """Person or organisation names from an author/publisher value."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str) and name.strip():
            return [name]
        if isinstance(name, list):
            return [n for n in name if isinstance(n, str)]
        return []
    if isinstance(value, list):
        found: list[str] = []
        for v in value:
            found.extend(names(v))
        return found
    return []


def _image(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("url") or value.get("contentUrl") or "")
    if isinstance(value, list) and value:
        return _image(value[0])
    return ""


def read(scripts: list[str]) -> dict[str, Any]:
    """Merge what the page's JSON-LD says about its article and breadcrumb."""
    objects: list[dict[str, Any]] = []
    for raw in scripts:
        data = _load(raw)
        if data is not None:
            _walk(data, objects)
    result: dict[str, Any] = {}
    article = None
    for obj in objects:
        types = _types(obj)
        wanted = types & _ARTICLE_TYPES and ("headline" in obj or "datePublished" in obj)
        if wanted and (article is None or "webpage" in _types(article)):
            article = obj
        if "breadcrumblist" in types and "breadcrumb" not in result:
            items = obj.get("itemListElement") or []
            trail = []
            if isinstance(items, list):
                for it in sorted(
                    (i for i in items if isinstance(i, dict)),
                    key=lambda i: (
                        int(i.get("position") or 0)
                        if str(i.get("position") or "0").isdigit()
                        else 0
                    ),
                ):
                    name = it.get("name")
                    if not name and isinstance(it.get("item"), dict):
                        name = it["item"].get("name")
                    if isinstance(name, str) and name.strip():
                        trail.append(name.strip())
            result["breadcrumb"] = trail
    if article is not None:
        for key in ("headline", "datePublished", "dateModified", "articleSection", "description"):
            value = article.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, str) and value.strip():
                result[key] = value.strip()
        result["authors"] = names(article.get("author"))
        publisher = names(article.get("publisher"))
        if publisher:
            result["publisher"] = publisher[0]
        keywords = article.get("keywords")
        if isinstance(keywords, str):
            result["keywords"] = [k.strip() for k in keywords.split(",") if k.strip()]
        elif isinstance(keywords, list):
            result["keywords"] = [str(k).strip() for k in keywords if str(k).strip()]
        image = _image(article.get("image") or article.get("thumbnailUrl"))
        if image:
            result["image"] = image
        if isinstance(article.get("inLanguage"), str):
            result["inLanguage"] = article["inLanguage"]
    return result
