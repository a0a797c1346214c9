"""An Article as plain text, Markdown, or safe HTML (for `vnnews extract --format ...`).

The fields come from untrusted pages, so each format is safe on its own terms: plain text holds no
markup rules at all; Markdown escapes the characters that would start markup (raw "<" included,
since Markdown passes raw HTML through); HTML is built with every value escaped and then run
through an nh3 allow-list anyway (design rule 6: sanitise last, by allow-list), so a slip in
the builder cannot let a script or a `javascript:` URL through.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

import nh3

from vnnews.extract.article import Article, Block

__all__ = ["to_html", "to_markdown", "to_text", "HTML_TAGS", "HTML_ATTRIBUTES"]

HTML_TAGS = {
    "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "a",
    "strong", "em", "blockquote", "ul", "ol", "li", "figure", "figcaption", "img", "table",
    "tbody", "tr", "td", "time", "small", "nav", "span",
}  # fmt: skip
HTML_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "loading"},
    "time": {"datetime"},
}
URL_SCHEMES = {"http", "https"}


def _date(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def _meta_line(article: Article) -> str:
    parts = [p for p in (article.section, _date(article.published), article.site_name) if p]
    return " · ".join(parts)


# --- plain text ---------------------------------------------------------------------------------


def _block_text(block: Block) -> str:
    if block.kind == "list":
        return "\n".join(
            f"{i}. {item}" if block.ordered else f"- {item}"
            for i, item in enumerate(block.items, 1)
        )
    if block.kind == "table":
        return "\n".join(" | ".join(row) for row in block.rows)
    if block.kind == "image":
        label = block.caption or block.alt
        return f"[Ảnh: {label}]" if label else ""
    if block.kind in ("video", "embed"):
        return f"[Video: {block.caption or block.src}]" if (block.caption or block.src) else ""
    if block.kind == "quote":
        return "“" + block.text + "”" if not block.text.startswith(("“", '"')) else block.text
    return block.text


def to_text(article: Article) -> str:
    """Readable plain text: title, date line, sapo, body in order (captions as [Ảnh: ...]), byline."""
    parts = [article.title, _meta_line(article), article.sapo]
    parts += [_block_text(b) for b in article.blocks]
    if not article.blocks and article.text:
        parts.append(article.text)
    parts.append(article.byline)
    return "\n\n".join(p for p in parts if p) + "\n"


# --- Markdown -----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])(?=\s|$)", re.M)


def _md(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_url(url: str) -> str:
    # Only http(s); parentheses and spaces would end the link early.
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _md_block(block: Block) -> str:
    if block.kind == "heading":
        return "#" * min(max(block.level or 2, 2), 6) + " " + _md(block.text)
    if block.kind == "quote":
        return "\n".join("> " + _md(line) for line in block.text.splitlines() or [""])
    if block.kind == "list":
        return "\n".join(
            f"{i}. {_md(item)}" if block.ordered else f"- {_md(item)}"
            for i, item in enumerate(block.items, 1)
        )
    if block.kind == "table" and block.rows:
        width = max(len(row) for row in block.rows)
        rows = [[_md(c) for c in row] + [""] * (width - len(row)) for row in block.rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)
    if block.kind == "image":
        src = _md_url(block.src)
        out = [f"![{_md(block.alt or block.caption)}]({src})"] if src else []
        if block.caption:
            out.append(f"*{_md(block.caption)}*")
        return "\n\n".join(out)
    if block.kind in ("video", "embed"):
        src = _md_url(block.src)
        label = _md(block.caption or "Video")
        return f"[{label}]({src})" if src else label
    return _md(block.text)


def to_markdown(article: Article) -> str:
    parts = []
    if article.title:
        parts.append("# " + _md(article.title))
    meta = _meta_line(article)
    if meta:
        parts.append("*" + _md(meta) + "*")
    if article.sapo:
        parts.append("**" + _md(article.sapo) + "**")
    parts += [_md_block(b) for b in article.blocks]
    if not article.blocks and article.text:
        parts += [_md(p) for p in article.text.split("\n\n")]
    if article.byline:
        parts.append("**" + _md(article.byline) + "**")
    source = _md_url(article.canonical_url or article.url)
    if source:
        parts.append(f"[Nguồn]({source})")
    return "\n\n".join(p for p in parts if p) + "\n"


# --- HTML ---------------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_block(block: Block) -> str:
    if block.kind == "heading":
        level = min(max(block.level or 2, 2), 6)
        return f"<h{level}>{_e(block.text)}</h{level}>"
    if block.kind == "quote":
        return f"<blockquote><p>{_e(block.text)}</p></blockquote>"
    if block.kind == "list":
        tag = "ol" if block.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + f"</{tag}>"
    if block.kind == "table":
        rows = "".join(
            "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in block.rows
        )
        return f"<table><tbody>{rows}</tbody></table>"
    if block.kind == "image":
        img = (
            f'<img src="{_e(block.src)}" alt="{_e(block.alt or block.caption)}" loading="lazy">'
            if block.src
            else ""
        )
        caption = block.caption + (f" ({block.credit})" if block.credit else "")
        cap = f"<figcaption>{_e(caption)}</figcaption>" if caption.strip() else ""
        return f"<figure>{img}{cap}</figure>" if img or cap else ""
    if block.kind in ("video", "embed"):
        label = _e(block.caption or "Video")
        return f'<p><a href="{_e(block.src)}">{label}</a></p>' if block.src else ""
    return f"<p>{_e(block.text)}</p>"


def to_html(article: Article, *, document: bool = True) -> str:
    """Sanitised HTML: an <article> fragment, or a whole page when `document` is true."""
    head = [f"<h1>{_e(article.title)}</h1>"] if article.title else []
    if article.published:
        head.append(
            f'<p><small><time datetime="{_e(article.published.isoformat())}">'
            f"{_e(_meta_line(article))}</time></small></p>"
        )
    elif _meta_line(article):
        head.append(f"<p><small>{_e(_meta_line(article))}</small></p>")
    if article.sapo:
        head.append(f"<p><strong>{_e(article.sapo)}</strong></p>")
    body = [_html_block(b) for b in article.blocks]
    if not article.blocks and article.text:
        body = [f"<p>{_e(p)}</p>" for p in article.text.split("\n\n")]
    foot = [f"<p><strong>{_e(article.byline)}</strong></p>"] if article.byline else []
    source = article.canonical_url or article.url
    if source:
        foot.append(f'<p><small><a href="{_e(source)}">Nguồn</a></small></p>')
    markup = (
        "<article><header>"
        + "".join(head)
        + "</header>"
        + "".join(b for b in body if b)
        + "<footer>"
        + "".join(foot)
        + "</footer></article>"
    )
    safe = nh3.clean(
        markup,
        tags=HTML_TAGS,
        attributes=HTML_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    if not document:
        return safe
    lang = _e(article.language or "vi")
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(article.title)}</title>\n</head>\n<body>\n{safe}\n</body>\n</html>\n"
    )
