"""The first two identity layers (design rule 7): a normalised canonical URL and a content hash.

Two addresses that differ only by tracking parameters, letter case of the host, a default port, a
fragment or the order of query parameters are the same article. Two texts that differ only by
Unicode composition, tone-mark placement, case or spacing hash the same.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from vnnews.text.normalize import fold

# Query keys that only say how the reader arrived (campaigns, click ids, share widgets).
# Zalo adds zarsrc/gidzl to every shared link; Facebook fbclid; Google gclid/_ga/_gl.
_TRACKING_KEYS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "zarsrc",
    "gidzl",
    "_ga",
    "_gl",
    "mc_cid",
    "mc_eid",
    "mkt_tok",
    "ref_src",
    "cmpid",
    "spm",
    "fb_action_ids",
    "fb_action_types",
    "fb_source",
    "share",
    "sharetype",
}
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "_hs", "vero_", "oly_")
# AMP copies: ".../amp", "?amp", "?amp=1", "?outputType=amp". The article is the same page; an
# "amp." host is left alone because it may serve other paths than the main site.
_AMP_QUERY_KEYS = {"amp", "outputtype"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACES = re.compile(r"\s+")


def _is_tracking(key: str) -> bool:
    lower = key.lower()
    return lower in _TRACKING_KEYS or lower.startswith(_TRACKING_PREFIXES)


def _is_amp_marker(key: str, value: str) -> bool:
    lower = key.lower()
    if lower == "amp":
        return value.lower() in {"", "1", "true"}
    return lower == "outputtype" and value.lower() == "amp"


def canonical_url(url: str) -> str:
    """The one spelling of `url` we store: http(s) only, lower-case scheme and host, no default
    port, no user info, no fragment, no tracking parameters, remaining query sorted.

    Raises ValueError for anything that is not an absolute http(s) URL with a host."""
    if not isinstance(url, str):
        raise ValueError(f"URL phải là chuỗi, không phải {type(url).__name__}")
    url = _SPACES.sub("", url.strip())
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"URL không hợp lệ {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"chỉ nhận URL http/https, không nhận {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError(f"URL không có tên máy chủ: {url!r}")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        host = host.lower()
    netloc = host if ":" not in host else f"[{host}]"  # IPv6 literal
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"

    # Re-quote the path so "%C3%A1" and "á" are one spelling (RFC 3986 section 6.2.2).
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    if path.endswith("/amp") or path.endswith("/amp/"):
        trimmed = path[: path.rfind("/amp")]
        path = trimmed or "/"

    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key) and not _is_amp_marker(key, value)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote), ""))


def content_hash(title: str, text: str, *, normalized: bool = False) -> str:
    """SHA-256 over the folded title and body: case, marks, Unicode form and spacing do not
    count, so a re-encoded or re-spaced copy hashes the same as the original. `normalized=True`
    says both already went through `normalize` (same hash, less work)."""
    key = fold(title or "", normalized=normalized) + "\n" + fold(text or "", normalized=normalized)
    return content_digest(key)


def content_digest(key: str) -> str:
    """content_hash of a title and body already folded into its key (fold(title) + "\\n" +
    fold(text)): for a caller that folded them for something else too."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# Second-level registries under which Vietnamese (and a few other) outlets register names.
_SECOND_LEVEL = {
    "com",
    "net",
    "org",
    "gov",
    "edu",
    "ac",
    "co",
    "info",
    "name",
    "pro",
    "int",
    "health",
}


def site_domain(url: str) -> str:
    """The outlet's registrable domain: "https://ione.vnexpress.net/x" -> "vnexpress.net",
    "https://www.dantri.com.vn/x" -> "dantri.com.vn". Empty for non-http(s) URLs."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    labels = parts.hostname.lower().rstrip(".").split(".")
    if len(labels) <= 2 or labels[-1].isdigit():
        return ".".join(labels)
    keep = 3 if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])
