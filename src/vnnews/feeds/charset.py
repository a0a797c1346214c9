"""Charsets that lie. Many Vietnamese feeds declare one encoding and send another: UTF-8 bytes
under an iso-8859-1 or windows-1252 declaration (mojibake like "Viá»‡t"), or windows-1258 bytes
under a UTF-8 one. Bytes that decode as UTF-8 are UTF-8 (a legacy 8-bit text with Vietnamese
letters almost never does); otherwise the declaration is trusted unless it says UTF-8, in which
case the legacy Vietnamese code page is the likely truth."""

from __future__ import annotations

import re
import unicodedata

_XML_DECL = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=[\"']([\w.:-]+)[\"']", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def declared_charset(body: bytes, content_type: str = "") -> str | None:
    match = _HEADER.search(content_type or "")
    if match:
        return match.group(1).lower()
    match = _XML_DECL.match(body[:200])
    return match.group(2).decode("ascii").lower() if match else None


def _strip_declared_encoding(body: bytes) -> bytes:
    match = _XML_DECL.match(body[:200])
    if not match:
        return body
    start, end = match.span(2)
    return body[:start] + b"utf-8" + body[end:]


def fix_charset(body: bytes, content_type: str) -> tuple[bytes, str]:
    """Return (UTF-8 bytes, content type saying so) when we can tell the true encoding."""
    mime = (content_type or "application/xml").split(";", 1)[0].strip()
    declared = declared_charset(body, content_type)
    try:
        body.decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False
    if is_utf8:
        return _strip_declared_encoding(body), f"{mime}; charset=utf-8"
    if declared in {None, "utf-8", "utf8"}:
        for guess in ("cp1258", "cp1252"):
            try:
                # windows-1258 keeps tone marks as combining characters: compose them (NFC).
                text = unicodedata.normalize("NFC", body.decode(guess))
            except UnicodeDecodeError:
                continue
            return _strip_declared_encoding(text.encode("utf-8")), f"{mime}; charset=utf-8"
        return body, content_type
    try:
        text = unicodedata.normalize("NFC", body.decode(declared))
    except (LookupError, UnicodeDecodeError):
        return body, content_type
    return _strip_declared_encoding(text.encode("utf-8")), f"{mime}; charset=utf-8"


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def decode_html(body: bytes, content_type: str = "") -> str:
    """Text of an HTML page: valid UTF-8 wins (see above), then the HTTP or <meta> charset, then
    windows-1258, the legacy Vietnamese code page. Always NFC."""
    try:
        return unicodedata.normalize("NFC", body.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    candidates = []
    match = _HEADER.search(content_type or "")
    if match:
        candidates.append(
            match.group(1).decode() if isinstance(match.group(1), bytes) else match.group(1)
        )
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for name in [*candidates, "cp1258"]:
        try:
            return unicodedata.normalize("NFC", body.decode(name))
        except (LookupError, UnicodeDecodeError):
            continue
    return unicodedata.normalize("NFC", body.decode("utf-8", errors="replace"))
