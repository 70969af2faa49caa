"""Arabic orthographic normalisation shared by dictionaries, gazetteer and rules."""

from __future__ import annotations

import re
from functools import lru_cache

ARABIC_LETTER = re.compile("[\u0621-\u064a]")  # one Arabic letter, to tell a script apart
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "„": '"', "‘": "'", "’": "'"})
# "al‑Qamishli" (a non-breaking hyphen), "ʿAmudah" (an ayn mark): the plain hyphen, no mark at all in a Latin name
_LATIN_MARKS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "ʿ": "'", "ʾ": "'", "ʻ": "'", "ʼ": "'"})


def _replace_all(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """Apply one-character replacements; a chain of str.replace is far faster than str.translate on Arabic."""
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def normalize_ar(text: str) -> str:
    """Fold diacritics, tatweel, hamza/alef forms, ya/alef maqsura, ta marbuta and digits.

    The result has exactly the same length as the input's letters minus dropped marks, so
    callers that need offsets use `normalize_keep_offsets` instead.
    """
    text = _DIACRITICS.sub("", text)
    return _replace_all(text, _ONE_PAIRS)


# The three tables never feed each other, so one pass with their union is the same as three passes.
_ONE_TABLE: dict[int, str | int | None] = {**_ALEF, **_DIGITS, **_QUOTES, **_LATIN_MARKS}
_ONE_PAIRS = tuple((chr(k), v if isinstance(v, str) else chr(v or 0)) for k, v in _ONE_TABLE.items())
_KEPT_RUNS = re.compile("[^\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+")


@lru_cache(maxsize=4)
def normalize_keep_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise `text` and return, for each output character, its offset in the input.

    Cached: the dictionary scan and the gazetteer normalise the same article; callers must not change the list.
    """
    if not _DIACRITICS.search(text):
        return _replace_all(text, _ONE_PAIRS), _identity_offsets(len(text))
    folded = _replace_all(text, _ONE_PAIRS)  # one character for one, never a mark: offsets stay aligned
    identity = _identity_offsets(len(folded))
    pieces: list[str] = []
    offsets: list[int] = []
    for run in _KEPT_RUNS.finditer(folded):
        pieces.append(run.group(0))
        offsets.extend(identity[run.start() : run.end()])
    return "".join(pieces), offsets


_IDENTITY: list[int] = []  # 0, 1, 2, ...: shared, so that an article's offsets reuse its int objects
_IDENTITY_MAX = 200_000  # longer texts build their own list rather than keep a large one alive


def _identity_offsets(size: int) -> list[int]:
    """A new list(range(size)), sliced from a shared list: creating the ints is most of the cost of range."""
    if size > _IDENTITY_MAX:
        return list(range(size))
    if len(_IDENTITY) < size:
        _IDENTITY.extend(range(len(_IDENTITY), size))
    return _IDENTITY[:size]


def space_runs(text: str, leading: bool = False) -> list[tuple[int, int]]:
    """Spans of the runs of two or more spaces (with `leading`, also of one or more at the start): what
    re.finditer(" {2,}") (or "^ +| {2,}") finds, by str.find, which is far faster on Arabic than the regex."""
    runs: list[tuple[int, int]] = []
    size = len(text)
    pos = 0
    if leading and text.startswith(" "):
        pos = size - len(text.lstrip(" "))
        runs.append((0, pos))
    start = text.find("  ", pos)
    while start != -1:
        end = start + 2
        while end < size and text[end] == " ":
            end += 1
        runs.append((start, end))
        start = text.find("  ", end)
    return runs


_MILITIA_FORMS = ("ميليشيات", "مليشيات", "ميلشيات", "مليشات", "ميليشيا", "مليشيا", "ميلشيا", "ملشيا")
_MILITIA_WORD = re.compile("|".join(sorted(_MILITIA_FORMS, key=len, reverse=True)))
_SPACE_TABLE = {i: " " for i in range(0x3001) if chr(i).isspace() and i != 0x20}
_SPACE_TABLE.update({ord(c): " " for c in "\u200b\u200c\u200d\u200e\u200f\ufeff_#"})
_SPACE_PAIRS = tuple((chr(k), " ") for k in _SPACE_TABLE)
_DOUBLE_SPACE = re.compile(r" {2,}")


def militia_variants(phrase: str) -> list[str]:
    """Every common spelling of a phrase that contains ميليشيا/ميليشيات (singular and plural kept apart)."""
    match = _MILITIA_WORD.search(phrase)
    if match is None:
        return [phrase]
    plural = match.group(0).endswith("ات")
    forms = [f for f in _MILITIA_FORMS if f.endswith("ات") == plural]
    return [phrase[: match.start()] + form + phrase[match.end() :] for form in forms]


def _glued_numbers(norm: str) -> list[int]:
    """Offsets where a digit meets an Arabic letter ("قتل18"), found with str.find: a regex walks Arabic slowly."""
    cuts: set[int] = set()
    size = len(norm)
    for digit in "0123456789":
        i = norm.find(digit)
        while i != -1:
            if i > 0 and "\u0621" <= norm[i - 1] <= "\u064a":
                cuts.add(i)
            if i + 1 < size and "\u0621" <= norm[i + 1] <= "\u064a":
                cuts.add(i + 1)
            i = norm.find(digit, i + 1)
    return sorted(cuts)


def _split_at(norm: str, offsets: list[int], cuts: list[int]) -> tuple[str, list[int]]:
    """`norm` with a space inserted at each cut; the space maps to the source offset of the character after it."""
    pieces: list[str] = []
    out: list[int] = []
    pos = 0
    for cut in cuts:
        pieces.append(norm[pos:cut])
        out.extend(offsets[pos:cut])
        pieces.append(" ")
        out.append(offsets[cut])
        pos = cut
    pieces.append(norm[pos:])
    out.extend(offsets[pos:])
    return "".join(pieces), out


def normalize_for_match(text: str) -> tuple[str, list[int]]:
    """Normalise for dictionary matching: `normalize_keep_offsets`, lower case, runs of space folded to one.

    Returns the matching text and, for each of its characters, the offset of the source character.
    """
    norm, offsets = normalize_keep_offsets(text)
    lowered = norm.lower()
    if len(lowered) == len(norm):
        norm = lowered
    norm = _replace_all(norm, _SPACE_PAIRS)
    glued = _glued_numbers(norm)
    if glued:  # "قتل18 شخصاً": a number glued to a word is a word of its own
        norm, offsets = _split_at(norm, offsets, glued)
    if "  " not in norm:
        return norm, offsets
    pieces: list[str] = []
    out_offsets: list[int] = []
    pos = 0
    for run_start, run_end in space_runs(norm):  # keep the first space of a run, drop the rest
        pieces.append(norm[pos : run_start + 1])
        out_offsets.extend(offsets[pos : run_start + 1])
        pos = run_end
    pieces.append(norm[pos:])
    out_offsets.extend(offsets[pos:])
    return "".join(pieces), out_offsets


@lru_cache(maxsize=8192)
def normalize_phrase(phrase: str) -> str:
    """Normalise one dictionary phrase the same way as `normalize_for_match` treats running text."""
    return normalize_for_match(phrase)[0].strip()
