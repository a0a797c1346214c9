"""The first two identity layers (design rule 7): a normalised canonical URL and a content hash.

Two addresses that differ only by tracking parameters, letter case of the host, a default port, a
fragment or the order of query parameters are the same article. Two texts that differ only by
Unicode composition, tone-mark placement, case or spacing hash the same.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from vnnews.text.normalize import _WORD, place_tone_marks

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


# Tone-mark placement is per syllable and a news corpus reuses a few thousand syllables, so a
# memo makes normalising an article ~6x faster than vnnews.text.normalize (same result; a test
# compares them on real articles). Imports of large archives are bound by this step.
_place = lru_cache(maxsize=200_000)(place_tone_marks)
_COMBINING = re.compile("[\u0300-\u036f]")
_BEYOND_LATIN = re.compile("[^\x00-\u036f\u1e00-\u1eff\u2000-\u206f]")


def _syllable(match: re.Match) -> str:
    word = match.group(0)
    return word if word.isascii() else _place(word)


# Syllables that normalize() leaves as they are. Most text is made only of those, and then the
# whole text can be checked with set operations (C speed) instead of a callback per syllable.
_CANONICAL: set[str] = set()
# normalize() turns every run of `_SPACES` characters into one space. Matching only the runs that
# change (two or more, or one unusual space) gives the same text without a match per space.
_SPACE_CLASS = r" \t\u00a0\u2000-\u200b\u202f\u205f\u3000"  # the class of normalize's _SPACES
_SPACE_RUNS = re.compile(rf"[{_SPACE_CLASS}]{{2,}}|[{_SPACE_CLASS[1:]}]")
_CANONICAL_MAX = 500_000


def normalize_cached(text: str) -> str:
    """Exactly `vnnews.text.normalize(text)`, memoised per syllable for bulk work."""
    if not text:
        return ""
    text = _SPACE_RUNS.sub(" ", unicodedata.normalize("NFC", text))
    unknown = set(_WORD.findall(text)).difference(_CANONICAL)
    if not unknown:
        return text
    if len(_CANONICAL) > _CANONICAL_MAX:
        _CANONICAL.clear()
    moved = []
    for word in unknown:
        if word.isascii() or _place(word) == word:
            _CANONICAL.add(word)
        else:
            moved.append(word)
    if len(moved) > 8:
        return _WORD.sub(_syllable, text)
    for word in moved:
        # Whole syllables only: the same letters inside a longer letter run are another word.
        text = re.sub(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", _place(word), text)
    return text


def fold_cached(text: str, *, normalized: bool = False) -> str:
    """Exactly `vnnews.text.fold(text)`, memoised per syllable for bulk work. `normalized=True`
    skips the normalisation step for text that already went through `normalize`."""
    text = text if normalized else normalize_cached(text)
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    if _BEYOND_LATIN.search(text):
        # Other scripts have combining marks outside U+0300..U+036F: take the exact, slow path.
        return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())
    return " ".join(_COMBINING.sub("", text).split())


def content_hash(title: str, text: str, *, normalized: bool = False) -> str:
    """SHA-256 over the folded title and body: case, marks, Unicode form and spacing do not
    count, so a re-encoded or re-spaced copy hashes the same as the original. `normalized=True`
    says both already went through `normalize` (same hash, less work)."""
    key = (
        fold_cached(title or "", normalized=normalized)
        + "\n"
        + fold_cached(text or "", normalized=normalized)
    )
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
