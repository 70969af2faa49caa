"""Arabic orthographic normalisation shared by dictionaries, gazetteer and rules."""

from __future__ import annotations

import re

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "„": '"', "‘": "'", "’": "'"})


def normalize_ar(text: str) -> str:
    """Fold diacritics, tatweel, hamza/alef forms, ya/alef maqsura, ta marbuta and digits.

    The result has exactly the same length as the input's letters minus dropped marks, so
    callers that need offsets use `normalize_keep_offsets` instead.
    """
    text = _DIACRITICS.sub("", text)
    return text.translate(_ALEF).translate(_DIGITS).translate(_QUOTES)


def normalize_keep_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise `text` and return, for each output character, its offset in the input."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if _DIACRITICS.match(ch):
            continue
        out.append(ch.translate(_ALEF).translate(_DIGITS).translate(_QUOTES))
        offsets.append(i)
    return "".join(out), offsets


_MILITIA_FORMS = ("ميليشيات", "مليشيات", "ميلشيات", "مليشات", "ميليشيا", "مليشيا", "ميلشيا", "ملشيا")
_MILITIA_WORD = re.compile("|".join(sorted(_MILITIA_FORMS, key=len, reverse=True)))
_SPACE_LIKE = frozenset(" \t\n\r\f\v\u00a0\u200b\u200c\u200d\u200e\u200f\u2009\u202f_")


def militia_variants(phrase: str) -> list[str]:
    """Every common spelling of a phrase that contains ميليشيا/ميليشيات (singular and plural kept apart)."""
    match = _MILITIA_WORD.search(phrase)
    if match is None:
        return [phrase]
    plural = match.group(0).endswith("ات")
    forms = [f for f in _MILITIA_FORMS if f.endswith("ات") == plural]
    return [phrase[: match.start()] + form + phrase[match.end():] for form in forms]


def normalize_for_match(text: str) -> tuple[str, list[int]]:
    """Normalise for dictionary matching: `normalize_keep_offsets`, lower case, runs of space folded to one.

    Returns the matching text and, for each of its characters, the offset of the source character.
    """
    norm, offsets = normalize_keep_offsets(text)
    out: list[str] = []
    out_offsets: list[int] = []
    for ch, off in zip(norm, offsets, strict=True):
        if ch in _SPACE_LIKE or ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        else:
            low = ch.lower()
            ch = low if len(low) == 1 else ch
        out.append(ch)
        out_offsets.append(off)
    return "".join(out), out_offsets


def normalize_phrase(phrase: str) -> str:
    """Normalise one dictionary phrase the same way as `normalize_for_match` treats running text."""
    return normalize_for_match(phrase)[0].strip()
