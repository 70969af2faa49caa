"""Turn page bytes into text: BOM, then the declared charset, then UTF-8, then a guess among Arabic encodings."""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:+-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:+-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9_.:+-]+)", re.IGNORECASE)
# Labels that browsers treat as another encoding (WHATWG): Latin-1 pages are read as windows-1252.
_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso-8859-6": "iso8859_6", "arabic": "iso8859_6", "windows-1256": "cp1256", "x-user-defined": "cp1252",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
# Encodings an Arabic news page without a declaration is plausibly written in.
ARABIC_CANDIDATES = ("cp1256", "iso8859_6", "cp1252")
# Share of undecodable bytes in a page declared UTF-8 that we still read as UTF-8 (mixed-encoding pages).
MIXED_UTF8_TOLERANCE = 0.02


def _codec_name(label: str | None) -> str | None:
    """Return a Python codec name for a charset label, or None for an unknown or unsafe label."""
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # UTF-7 and other stateful codecs are refused: they are never used for pages and hide markup.
    if name in ("utf-7", "rot-13") or name.startswith(("hex", "base64", "zlib", "bz2", "uu", "quopri")):
        return None
    return name


def declared_charset(content_type: str | None) -> str | None:
    """Return the codec named in a Content-Type header, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return _codec_name(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """Return the codec named in a <meta> tag or an XML declaration in the first 8 KB, if any."""
    head = body[:8192]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    name = _codec_name(match.group(1).decode("ascii", "replace"))
    # A page that says UTF-16 in ASCII bytes cannot be UTF-16 (WHATWG rule).
    return "utf-8" if name and name.startswith("utf-16") else name


def _is_arabic_letter(char: str) -> bool:
    """True for the letters and marks of the basic Arabic block."""
    return "\u0621" <= char <= "\u0652"


def _arabic_score(text: str) -> float:
    """Score how much a decoding looks like real Arabic or Latin text rather than mojibake."""
    good = bad = 0
    padded = f" {text} "
    for i in range(1, len(padded) - 1):
        char = padded[i]
        code = ord(char)
        neighbours = padded[i - 1] + padded[i + 1]
        if code < 0x80 or "\u0660" <= char <= "\u0669" or char in "،؛؟«»ـ“”‘’–—…\u00a0":
            good += 1
        elif _is_arabic_letter(char):
            # Arabic letters glued to Latin letters mean a Latin page read as Arabic.
            good += -1 if any(n.isascii() and n.isalpha() for n in neighbours) else 1
        elif "\u00c0" <= char <= "\u00ff" and char not in "×÷":
            # Accented Latin letters live inside Latin words, not in runs of their own.
            good += 1 if any(n.isascii() and n.isalpha() for n in neighbours) else -1
        elif code == 0xFFFD or code < 0x20 or 0x80 <= code < 0xA0:
            bad += 3
        else:
            bad += 1
    return (good - bad) / max(1, len(text))


def guess_arabic_encoding(body: bytes) -> str:
    """Pick the most plausible of the Arabic-page encodings for bytes that are not UTF-8."""
    sample = body[:50_000]
    best, best_score = "cp1256", float("-inf")
    for name in ARABIC_CANDIDATES:
        score = _arabic_score(sample.decode(name, "replace"))
        if score > best_score:
            best, best_score = name, score
    return best


def _utf8_error_share(body: bytes) -> float:
    """Return the share of bytes that are not valid UTF-8."""
    text = body.decode("utf-8", "replace")
    return text.count("\ufffd") / max(1, len(body))


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes to (text, codec name); never raises, undecodable bytes become U+FFFD."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace"), name
    for declared in (declared_charset(content_type), meta_charset(body)):
        if declared is None:
            continue
        if declared == "utf-8":
            try:
                return body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                if _utf8_error_share(body) <= MIXED_UTF8_TOLERANCE:
                    return body.decode("utf-8", "replace"), "utf-8"
                continue  # declared UTF-8 but clearly not: the declaration is wrong
        try:
            text = body.decode(declared)
        except (UnicodeDecodeError, LookupError):
            continue
        if not body.isascii() and _is_strict_utf8(body):
            # Real single-byte text is almost never valid UTF-8: the label is wrong (a common mistake).
            return body.decode("utf-8"), "utf-8"
        if declared == "cp1252" and _arabic_score(body[:50_000].decode("cp1256", "replace")) > _arabic_score(
            text[:50_000]
        ):
            continue  # a Latin label on Arabic bytes: trust the bytes
        return text, declared
    if _is_strict_utf8(body):
        return body.decode("utf-8"), "utf-8"
    name = guess_arabic_encoding(body)
    return body.decode(name, "replace"), name


def _is_strict_utf8(body: bytes) -> bool:
    """True when the bytes are valid UTF-8."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
