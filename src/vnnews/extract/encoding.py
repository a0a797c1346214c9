"""Page bytes -> NFC text, whatever the page declares or lies about.

Order of evidence (after the WHATWG encoding sniffing order, https://html.spec.whatwg.org/#determining-the-character-encoding):

1. a byte-order mark;
2. valid UTF-8 that is not plain ASCII: UTF-8, whatever the declarations say. Random bytes in a
   legacy code page are almost never valid UTF-8, while a page declaring iso-8859-1 that is
   really UTF-8 is common on Vietnamese sites;
3. the HTTP charset (`declared`), then <meta charset> / <meta http-equiv="Content-Type">;
4. detection (charset-normalizer) when nothing is declared.

Declarations can still lie between single-byte code pages: a windows-1258 or legacy TCVN3/VNI
page declared (or read) as iso-8859-1 decodes without error into mojibake. So each single-byte
candidate is scored by how Vietnamese its text looks (share of words with letters only
Vietnamese uses: ă đ ơ ư and the U+1EA0-U+1EF9 block); a candidate that scores clearly better
than the declared one wins. VISCII (no Python codec) is decoded from a table when declared.
Legacy TCVN3/VNI are only tried when the page asks for one of their fonts or declares Vietnamese
(lang="vi"), because their tables turn any Latin-1 text into Vietnamese-looking letters.

windows-1258 stores tones as combining marks after the letter (Python's cp1258 codec keeps them
decomposed), so the output is NFC-normalised, as every output here is.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from vnnews.extract.errors import NotHTMLError
from vnnews.extract.legacy_charsets import LEGACY_DECODERS, LEGACY_LABELS, font_hint

__all__ = ["decode_page", "vietnamese_score"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# File signatures of binary formats that arrive where a page was expected.
_MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"GIF8", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"PK\x03\x04", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "RIFF"),
    (b"\x7fELF", "ELF"),
    (b"OggS", "Ogg"),
    (b"ID3", "MP3"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([\w.:-]{1,40})""", re.I)
_LANG_VI = re.compile(rb"""\blang\s*=\s*["']?vi\b|content-language["'][^>]{0,80}\bvi\b""", re.I)
_WORD = re.compile(r"[^\W\d_]{1,16}")
_TAG = re.compile(r"<[^>]{0,2000}>")
# Letters only Vietnamese uses (among Latin scripts).
_VIET_ONLY = set("ăâđêôơưĂÂĐÊÔƠƯĩĨũŨ") | {chr(c) for c in range(0x1EA0, 0x1EFA)}
# Letters a Vietnamese word can hold: ASCII letters plus every Vietnamese letter.
_VIET_ALPHABET = (
    set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    | _VIET_ONLY
    | set("àáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ")
)
# WHATWG maps these labels to windows-1252, which is what browsers really use for them.
_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "cp819"}
_TONE_MARKS = set("\u0300\u0301\u0303\u0309\u0323")
_SAMPLE = 256 * 1024
_VISCII_CONTROLS = {0x02, 0x05, 0x06, 0x14, 0x19, 0x1E}
_SCORE_WORDS = 3000
_MIN_SCORE = 0.12  # share of Vietnamese-only words needed before overriding a declaration


def check_binary(data: bytes, declared: str | None = None) -> None:
    """Raise NotHTMLError for bytes that are a binary format, not a text page."""
    head = data[:1024]
    for magic, name in _MAGIC:
        if head.startswith(magic):
            raise NotHTMLError(f"input looks like {name} data, not a text page")
    sample = data[:8192]
    allowed = {27}
    if b"viscii" in data[:16384].lower() or "viscii" in (declared or "").lower():
        allowed |= _VISCII_CONTROLS  # six VISCII capitals live on C0 control bytes (RFC 1456)
    controls = sum(1 for b in sample if (b < 9 or 13 < b < 32) and b not in allowed)
    if controls > max(2, len(sample) * 0.05):
        raise NotHTMLError("input looks binary (control bytes), not a text page")


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) / 2
    for count, codec in ((odd_nul, "utf-16-le"), (even_nul, "utf-16-be")):
        if count > half * 0.6:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return data.decode(codec, errors="replace")
    return None


def _normal_label(label: str | None) -> str | None:
    """A Python codec name (or "tcvn3"/"vni") for a charset label, None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in LEGACY_LABELS:
        return LEGACY_LABELS[label]
    if label in _WINDOWS_1252:
        return "cp1252"
    if label in ("x-user-defined", "binary", "none"):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return name


def _declared_labels(data: bytes, declared: str | None) -> list[str]:
    labels = []
    for label in (declared, *_meta_labels(data)):
        name = _normal_label(label)
        if name and name not in labels:
            labels.append(name)
    return labels


def _meta_labels(data: bytes) -> list[str]:
    return [m.group(1).decode("ascii", "ignore") for m in _META_CHARSET.finditer(data[:16384])]


def _decode(data: bytes, name: str) -> str | None:
    if name in LEGACY_DECODERS:
        return LEGACY_DECODERS[name](data)
    if name.startswith(("utf-16", "utf-32")) and not data.startswith(b"<\x00"):
        # A meta tag claiming UTF-16 in an ASCII-compatible page is a lie (WHATWG: treat as UTF-8).
        return None
    try:
        return data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf8(data: bytes) -> str | None:
    """The text if `data` is UTF-8 (tolerating a cut last character and rare bad bytes)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8", errors="replace")
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    sample = text[:_SAMPLE]
    multibyte = len(sample) - len(sample.encode("ascii", "ignore")) - bad
    # A few broken bytes in an otherwise UTF-8 page (a bad include, a cut): still UTF-8.
    if multibyte >= 20 and bad * 20 <= multibyte:
        return text
    return None


def vietnamese_score(text: str) -> float:
    """How Vietnamese a decoding looks: share of words with Vietnamese-only letters, minus the
    share of words holding letters Vietnamese never uses (mojibake such as "Vieät", "ViÖt")."""
    visible = _TAG.sub(" ", text[:_SAMPLE])
    words = _WORD.findall(visible)[:_SCORE_WORDS]  # a few thousand words decide it
    if not words:
        return 0.0
    good = bad = 0
    for word in words:
        if any(ch not in _VIET_ALPHABET for ch in word) or _tone_count(word) > 1:
            bad += 1  # a Vietnamese syllable carries at most one tone mark
        elif any(ch in _VIET_ONLY for ch in word):
            good += 1
    return (good - bad) / len(words)


def _tone_count(word: str) -> int:
    if word.isascii():
        return 0
    return sum(1 for ch in unicodedata.normalize("NFD", word) if ch in _TONE_MARKS)


def _detect(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data[:_SAMPLE]).best()
    return _normal_label(best.encoding) if best is not None else None


def decode_page(data: bytes, declared: str | None = None) -> str:
    """Decode a fetched page (HTML or text) to NFC text.

    `declared` is the charset from the HTTP Content-Type header, if any. Raises NotHTMLError
    for binary input. Never fails on a wrong or unknown declaration.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise NotHTMLError(f"expected bytes, got {type(data).__name__}")
    if not data:
        return ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _nfc(data[len(bom) :].decode(codec, errors="replace"))
    utf16 = _utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if utf16 is not None:
        data_text = utf16
        check_binary(data_text.encode("utf-8", errors="replace"))
        return _nfc(data_text)
    check_binary(data, declared)
    if data.isascii():
        return data.decode("ascii")
    text = _utf8(data)
    if text is not None:
        return _nfc(text)
    return _nfc(_choose_single_byte(data, declared))


def _choose_single_byte(data: bytes, declared: str | None) -> str:
    labels = [name for name in _declared_labels(data, declared) if name != "utf-8"]
    legacy = font_hint(data)
    is_vietnamese = legacy is not None or bool(_LANG_VI.search(data[:_SAMPLE]))
    candidates = list(labels)
    if not candidates:
        detected = _detect(data)
        if detected and detected != "utf-8":
            candidates.append(detected)
    # Vietnamese single-byte alternatives a lying or missing declaration may hide.
    for name in (
        "cp1258",
        legacy,
        "tcvn3" if is_vietnamese else None,
        "vni" if is_vietnamese else None,
    ):
        if name and name not in candidates:
            candidates.append(name)
    candidates.append("cp1252")

    decoded: list[tuple[str, str, float]] = []
    for name in candidates:
        text = _decode(data, name)
        if text is None:
            continue
        decoded.append((name, text, vietnamese_score(_nfc(text[:_SAMPLE]))))
    if not decoded:
        return data.decode("cp1252", errors="replace")
    first_name, first_text, first_score = decoded[0]
    best = max(decoded, key=lambda item: item[2])
    if best[2] >= _MIN_SCORE and best[2] > first_score + 0.1:
        return best[1]
    return first_text


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)
