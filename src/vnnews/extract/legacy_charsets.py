"""Pre-Unicode Vietnamese 8-bit encodings: TCVN3 (ABC), VNI-Windows and VISCII, as data.

Before Unicode, Vietnamese pages were written in a plain 8-bit code page (usually declared as
iso-8859-1, or not at all) and only looked right because the page asked for a matching font:
".VnTime", ".VnArial" ... for TCVN3, "VNI-Times", "VNI-Helve" ... for VNI. That font request is
the most reliable way to recognise them, so `font_hint` looks for it.

- TCVN3 (TCVN 5712:1993, "VN3"/ABC): one byte per lower-case letter in 0xA1-0xFE. Upper-case
  toned letters were drawn by a separate capitals font (".VnTimeH") from the same lower-case
  codes, so they decode to lower case here; only Ă Â Ê Ô Ơ Ư Đ have their own codes.
- VNI-Windows: an ASCII base letter followed by one byte for its marks (circumflex/breve and the
  tone together), e.g. "Vieät" = "Việt"; ơ, ư, đ and the toned i/ỵ are single bytes.

- VISCII (RFC 1456): a real charset with every precomposed letter, six of them on C0 control
  bytes. Python has no codec for it; pages declaring it are decoded with the table below.

Conversions read the bytes as Latin-1 (one code point per byte), then map; bytes 0x80-0x9F that
the tables do not use are read as windows-1252 (smart quotes, dashes).
"""

from __future__ import annotations

import re
import unicodedata

# --- TCVN3 ----------------------------------------------------------------------------------------

_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip


def _cp1252_c1() -> dict[int, str]:
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


_C1 = _cp1252_c1()
TCVN3_TABLE = str.maketrans({**_C1, **_TCVN3_BYTES})

# --- VNI-Windows --------------------------------------------------------------------------------

# Marks byte (as a Latin-1 character) for: (shape, tone) where shape is "", "^" (circumflex) or
# "(" (breve), and tone is "", "1" acute, "2" grave, "3" hook, "4" tilde, "5" dot below.
_VNI_MARKS_LOWER = {
    ("", "1"): "ù", ("", "2"): "ø", ("", "3"): "û", ("", "4"): "õ", ("", "5"): "ï",
    ("^", ""): "â", ("^", "1"): "á", ("^", "2"): "à", ("^", "3"): "å", ("^", "4"): "ã", ("^", "5"): "ä",
    ("(", ""): "ê", ("(", "1"): "é", ("(", "2"): "è", ("(", "3"): "ú", ("(", "4"): "ü", ("(", "5"): "ë",
}  # fmt: skip
# Upper-case letters take the upper-case form of the same marks byte (0xE1 -> 0xC1 ...).
_VNI_MARKS_UPPER = {key: value.upper() for key, value in _VNI_MARKS_LOWER.items()}
# Letters VNI writes as one byte: ơ ư đ and i/ỵ with a tone.
_VNI_SINGLE = {
    "ơ": "ô", "ư": "ö", "đ": "ñ", "Ơ": "Ô", "Ư": "Ö", "Đ": "Ñ",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î",
    "Í": "Í", "Ì": "Ì", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò", "Ỵ": "Î",
}  # fmt: skip
_TONES = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_SHAPES = {"\u0302": "^", "\u0306": "("}


def _vni_encode_letter(letter: str) -> str | None:
    """The VNI byte sequence (as Latin-1 text) for one Vietnamese letter, or None if plain."""
    if letter in _VNI_SINGLE:
        return _VNI_SINGLE[letter]
    parts = unicodedata.normalize("NFD", letter)
    base, marks = parts[0], parts[1:]
    shape = tone = ""
    horn = False
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in _SHAPES:
            shape = _SHAPES[mark]
        elif mark == "\u031b":
            horn = True
        else:
            return None
    if not shape and not tone and not horn:
        return None
    if horn:  # ơ/ư with a tone: the single-byte letter followed by the tone byte
        head = _VNI_SINGLE[unicodedata.normalize("NFC", base + "\u031b")]
    elif base.lower() == "i" and tone:
        return None  # toned i letters are all in _VNI_SINGLE
    else:
        head = base
    marks_table = _VNI_MARKS_UPPER if base.isupper() else _VNI_MARKS_LOWER
    if (shape, tone) == ("", ""):
        return head
    return head + marks_table[(shape, tone)]


def _vni_sequences() -> dict[str, str]:
    table: dict[str, str] = {"ñ": "đ", "Ñ": "Đ"}  # đ does not decompose under NFD
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1EA0, 0x1EFA)):
        letter = chr(code)
        if not letter.isalpha():
            continue
        base = unicodedata.normalize("NFD", letter)[0]
        if base.lower() not in "aeiouyd":
            continue
        encoded = _vni_encode_letter(letter)
        if encoded and encoded != letter:
            table.setdefault(encoded, letter)
    return table


VNI_SEQUENCES = _vni_sequences()
# Longest sequences first, so "oâ" + tone byte is not read as "o" + "â".
_VNI_PATTERN = re.compile(
    "|".join(re.escape(seq) for seq in sorted(VNI_SEQUENCES, key=len, reverse=True))
)


# --- VISCII (RFC 1456) -------------------------------------------------------------------------
# Bytes whose character differs from Latin-1; every other byte is its Latin-1 character.
_VISCII_BYTES: dict[int, str] = {
    0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ", 0x80: "Ạ", 0x81: "Ắ",
    0x82: "Ằ", 0x83: "Ặ", 0x84: "Ấ", 0x85: "Ầ", 0x86: "Ẩ", 0x87: "Ậ", 0x88: "Ẽ", 0x89: "Ẹ",
    0x8A: "Ế", 0x8B: "Ề", 0x8C: "Ể", 0x8D: "Ễ", 0x8E: "Ệ", 0x8F: "Ố", 0x90: "Ồ", 0x91: "Ổ",
    0x92: "Ỗ", 0x93: "Ộ", 0x94: "Ợ", 0x95: "Ớ", 0x96: "Ờ", 0x97: "Ở", 0x98: "Ị", 0x99: "Ỏ",
    0x9A: "Ọ", 0x9B: "Ỉ", 0x9C: "Ủ", 0x9D: "Ũ", 0x9E: "Ụ", 0x9F: "Ỳ", 0xA0: "Õ", 0xA1: "ắ",
    0xA2: "ằ", 0xA3: "ặ", 0xA4: "ấ", 0xA5: "ầ", 0xA6: "ẩ", 0xA7: "ậ", 0xA8: "ẽ", 0xA9: "ẹ",
    0xAA: "ế", 0xAB: "ề", 0xAC: "ể", 0xAD: "ễ", 0xAE: "ệ", 0xAF: "ố", 0xB0: "ồ", 0xB1: "ổ",
    0xB2: "ỗ", 0xB3: "Ỡ", 0xB4: "Ơ", 0xB5: "ộ", 0xB6: "ờ", 0xB7: "ở", 0xB8: "ị", 0xB9: "Ự",
    0xBA: "Ứ", 0xBB: "Ừ", 0xBC: "Ử", 0xBD: "ơ", 0xBE: "ớ", 0xBF: "Ư", 0xC4: "Ả", 0xC5: "Ă",
    0xC6: "ẳ", 0xC7: "ẵ", 0xCB: "Ẻ", 0xCE: "Ĩ", 0xCF: "ỳ", 0xD0: "Đ", 0xD1: "ứ", 0xD5: "ạ",
    0xD6: "ỷ", 0xD7: "ừ", 0xD8: "ử", 0xDB: "ỹ", 0xDC: "ỵ", 0xDE: "ỡ", 0xDF: "ư", 0xE4: "ả",
    0xE5: "ă", 0xE6: "ữ", 0xE7: "ẫ", 0xEB: "ẻ", 0xEE: "ĩ", 0xEF: "ỉ", 0xF0: "đ", 0xF1: "ự",
    0xF6: "ỏ", 0xF7: "ọ", 0xF8: "ụ", 0xFB: "ũ", 0xFC: "ủ", 0xFE: "ợ", 0xFF: "Ữ",
}  # fmt: skip
VISCII_TABLE = str.maketrans(_VISCII_BYTES)


def decode_viscii(data: bytes) -> str:
    return data.decode("latin-1").translate(VISCII_TABLE)


def encode_viscii(text: str) -> bytes:
    """Unicode -> VISCII bytes (for tests and fixtures)."""
    reverse = {v: k for k, v in _VISCII_BYTES.items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in reverse:
            out.append(reverse[ch])
        else:
            out += ch.encode("latin-1", errors="replace")
    return bytes(out)


def decode_tcvn3(data: bytes) -> str:
    return data.decode("latin-1").translate(TCVN3_TABLE)


def decode_vni(data: bytes) -> str:
    text = data.decode("latin-1")
    text = _VNI_PATTERN.sub(lambda m: VNI_SEQUENCES[m.group(0)], text)
    return text.translate(str.maketrans(_C1))


def encode_tcvn3(text: str) -> bytes:
    """Unicode -> TCVN3 bytes (for tests and fixtures). Toned capitals become lower case."""
    reverse = {v: k for k, v in _TCVN3_BYTES.items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in reverse:
            out.append(reverse[ch])
        elif ch.lower() in reverse and ch not in "ĂÂÊÔƠƯĐ":
            out.append(reverse[ch.lower()])
        else:
            out += ch.encode("cp1252", errors="replace")
    return bytes(out)


def encode_vni(text: str) -> bytes:
    """Unicode -> VNI-Windows bytes (for tests and fixtures)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        encoded = _vni_encode_letter(ch) if ch.isalpha() and not ch.isascii() else None
        out.append(encoded if encoded is not None else ch)
    return "".join(out).encode("cp1252", errors="replace")


# Fonts a legacy page asks for (CSS font-family, <font face>): the reliable tell.
_TCVN3_FONT = re.compile(
    rb"""[\s"',:=]\.vn(?:time|arial|avant|book|centur|courier|helvet|univers|bodoni|clarendon"""
    rb"""|cooper|free|monotype|shelley|swiss|aristote|black|brush|common|souvenir|lucida)""",
    re.I,
)
_VNI_FONT = re.compile(
    rb"\bvni[-_ ](?:times|helve|avo|aptima|book|centur|couri|univer|\w{3,})", re.I
)


def font_hint(data: bytes) -> str | None:
    """ "tcvn3" or "vni" if the page asks for a font of that encoding, else None."""
    tcvn = len(_TCVN3_FONT.findall(data))
    vni = len(_VNI_FONT.findall(data))
    if not tcvn and not vni:
        return None
    return "tcvn3" if tcvn >= vni else "vni"


LEGACY_DECODERS = {"tcvn3": decode_tcvn3, "vni": decode_vni, "viscii": decode_viscii}
# Charset labels such pages (rarely) declare.
LEGACY_LABELS = {
    "tcvn": "tcvn3",
    "tcvn3": "tcvn3",
    "tcvn-3": "tcvn3",
    "tcvn5712": "tcvn3",
    "tcvn-5712": "tcvn3",
    "tcvn5712-1": "tcvn3",
    "x-viet-tcvn": "tcvn3",
    "x-viet-tcvn5712": "tcvn3",
    "vn3": "tcvn3",
    "abc": "tcvn3",
    "vni": "vni",
    "vni-windows": "vni",
    "x-viet-vni": "vni",
    "viscii": "viscii",
    "csviscii": "viscii",
    "x-viet-viscii": "viscii",
    "viscii1.1-1": "viscii",
}
