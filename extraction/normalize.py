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
