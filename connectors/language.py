"""Language by script: Arabic-script share → "ar", Latin with English function words → "en", else "other"."""

from __future__ import annotations

import re

# Letters that Persian, Kurdish and Urdu use and Arabic does not: their share marks a non-Arabic text.
_NON_ARABIC_LETTERS = frozenset("پچژگڕڵۆێەٹڈڑں")
_ENGLISH_WORDS = frozenset(
    {"the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "by", "as", "at", "from",
     "are", "were", "has", "have", "had", "said", "he", "it", "its", "be", "an", "this"}
)
_WORD = re.compile(r"[A-Za-z]+")


def _is_arabic_script(char: str) -> bool:
    """True for letters of the Arabic script blocks."""
    return (
        "\u0600" <= char <= "\u06ff"
        or "\u0750" <= char <= "\u077f"
        or "\u08a0" <= char <= "\u08ff"
        or "\ufb50" <= char <= "\ufdff"
        or "\ufe70" <= char <= "\ufeff"
    )


def detect_language(text: str, sample_chars: int = 20_000) -> str:
    """Return "ar", "en" or "other" for a text, from letter scripts and common English words."""
    sample = text[:sample_chars]
    arabic = latin = other = foreign_arabic = 0
    for char in sample:
        if not char.isalpha():
            continue
        if _is_arabic_script(char):
            arabic += 1
            if char in _NON_ARABIC_LETTERS:
                foreign_arabic += 1
        elif char.isascii() or "\u00c0" <= char <= "\u024f":
            latin += 1
        else:
            other += 1
    letters = arabic + latin + other
    if letters == 0:
        return "other"
    if arabic / letters >= 0.5:
        return "other" if foreign_arabic / arabic > 0.01 else "ar"
    if latin / letters >= 0.5:
        words = [w.lower() for w in _WORD.findall(sample)]
        english = sum(1 for w in words if w in _ENGLISH_WORDS)
        return "en" if words and english / len(words) >= 0.08 else "other"
    return "other"
