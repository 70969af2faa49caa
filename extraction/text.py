"""Sentence splitting with offsets, title detection, word positions and language detection."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from operator import add

from extraction.lexicon import word_set
from extraction.normalize import normalize_for_match

_SENTENCE_END = re.compile(r"[.!?؟؛]+[\"'”»“)\]]*(?=\s|$)|\n+")
_SENTENCE_END_CHARS = (".", "!", "?", "؟", "؛", "\n")  # every match of _SENTENCE_END starts with one of them
# UTF-8 byte classes for counting Arabic letters (U+0621-U+064A) without a regex: x, y = lead bytes D8, D9;
# a, b = the continuation bytes that make a letter after them; every other byte is z.
_UTF8_CLASSES = bytes(
    ord("x")
    if b == 0xD8
    else ord("y")
    if b == 0xD9
    else ord("a")
    if 0xA1 <= b <= 0xBF
    else ord("b")
    if b <= 0x8A and b >= 0x80
    else ord("z")
    for b in range(256)
)
_NOT_LATIN = bytes(b for b in range(256) if not (0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A))
_WORD = re.compile(r"\w+")
_EN_STOPWORDS = word_set("english_function_word")
_QUOTE_MARK = re.compile("[“«”»]")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the source text: [start, end) offsets, its paragraph number and whether it looks like a title."""

    start: int
    end: int
    paragraph: int
    is_title: bool


def split_sentences(text: str, *, join_wrapped: bool = False) -> list[Sentence]:
    """Split text at sentence punctuation and line breaks, keeping offsets into `text`.

    With `join_wrapped`, the line breaks of a hard-wrapped text (lines cut at a width, mid-sentence) are spaces.
    """
    if join_wrapped:
        text = unwrap_lines(text)
    sentences: list[Sentence] = []
    paragraph = 0
    pos = 0
    for match in anchored_finditer(_SENTENCE_END, text, _SENTENCE_END_CHARS):
        _add_sentence(text, pos, match.end() if "\n" not in match.group(0) else match.start(), paragraph, sentences)
        if "\n" in match.group(0):
            paragraph += 1
        pos = match.end()
    _add_sentence(text, pos, len(text), paragraph, sentences)
    return sentences


def unwrap_lines(text: str) -> str:
    """The text with the line breaks that cut a sentence made spaces (same length, so offsets hold).

    A text is hard-wrapped when at least three of its lines end in a word no sentence ends with ("في", "the");
    then every single line break after a line without a closing mark is a space, unless that line is short
    (under half the usual wrapped line: a title or a paragraph's last line).
    """
    if text.count("\n") < _MIN_WRAPPED:
        return text
    lines = text.split("\n")
    cut = [len(line) for line in lines if _ends_mid_sentence(line)]
    if len(cut) < _MIN_WRAPPED:
        return text
    width = sorted(cut)[len(cut) // 2]
    out = list(text)
    pos = 0
    for line, following in pairwise(lines):
        pos += len(line)
        body = line.rstrip()
        if body and following.strip() and body[-1] not in _CLOSING_MARKS and len(line) * 2 >= width:
            out[pos] = " "
        pos += 1
    return "".join(out)


def _ends_mid_sentence(line: str) -> bool:
    """True when a line's last word is one no sentence ends with (a preposition, article or conjunction)."""
    words = line.rsplit(None, 1)
    return bool(words) and len(words[-1]) <= _LONGEST_NEVER_LAST and _folded(words[-1]) in _NEVER_LAST


@lru_cache(maxsize=4096)
def _folded(word: str) -> str:
    """A word as the normalised text spells it (the last words of lines repeat: cached)."""
    return normalize_for_match(word)[0]


_MIN_WRAPPED = 3
_CLOSING_MARKS = '.!?؟؛:"”»|'
_NEVER_LAST = word_set("never_last_word")
_LONGEST_NEVER_LAST = max(map(len, _NEVER_LAST))


def _add_sentence(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    """Trim white space and append a sentence unless it is empty."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    body = text[start:end]
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    whole_line = (
        text[line_start:start].strip() == "" and text[end : line_end if line_end >= 0 else len(text)].strip() == ""
    )
    is_title = whole_line and body[-1] not in '.!?؟؛:"”»' and len(_WORD.findall(body)) <= 16
    out.append(Sentence(start, end, paragraph, is_title))


def detect_language(text: str) -> str:
    """Return "ar", "en" or "other" from the share of Arabic and Latin letters (and English function words)."""
    text = text[:3000]  # the opening of an article is enough to tell its language
    raw = text.encode("utf-8", "surrogatepass")
    classes = raw.translate(_UTF8_CLASSES)  # counted on bytes: a regex over Arabic text is ten times slower
    arabic = classes.count(b"xa") + classes.count(b"yb")  # U+0621-U+063F = D8 A1-BF, U+0640-U+064A = D9 80-8A
    latin = len(raw.translate(None, _NOT_LATIN))
    if arabic >= 20 and arabic >= latin:
        return "ar"
    if latin >= 20:
        words = [w.lower() for w in _WORD.findall(text)]
        stop = sum(1 for w in words if w in _EN_STOPWORDS)
        if words and stop / len(words) >= 0.08:
            return "en"
    return "other"


class Words:
    """Word positions of a (normalised) text, to count words between two offsets."""

    def __init__(self, norm: str) -> None:
        """Index every word of `norm`."""
        # Split at spaces; a piece is one word, or one word with a mark before or after it ("الزور،", '"الدفاع'),
        # and only the rare other pieces go through the regex, which walks Arabic text slowly. isalnum() of every
        # character is \w except for "_", hence the checks on the mark.
        texts: list[str] = []
        starts: list[int] = []
        start = 0
        for piece in norm.split(" "):
            if piece.isalnum():
                texts.append(piece)
                starts.append(start)
            elif len(piece) > 1 and piece[-1] != "_" and piece[:-1].isalnum():
                texts.append(piece[:-1])
                starts.append(start)
            elif len(piece) > 1 and piece[0] != "_" and piece[1:].isalnum():
                texts.append(piece[1:])
                starts.append(start + 1)
            elif piece:
                for m in _WORD.finditer(piece):
                    texts.append(m.group(0))
                    starts.append(start + m.start())
            start += len(piece) + 1
        self.texts = texts
        self.starts = starts
        self.ends: list[int] = list(map(add, starts, map(len, texts)))

    @property
    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of every word."""
        return list(zip(self.starts, self.ends, strict=True))

    def index_at(self, pos: int) -> int:
        """Index of the word that contains or precedes `pos`."""
        return max(bisect_right(self.starts, pos) - 1, 0)

    def distance(self, a_end: int, b_start: int) -> int:
        """Number of whole words lying between offset `a_end` and offset `b_start`."""
        if b_start <= a_end:
            return 0
        first = bisect_left(self.starts, a_end)
        last = bisect_right(self.ends, b_start)
        return max(last - first, 0)

    def next_words(self, pos: int, count: int) -> list[tuple[int, int, str]]:
        """Up to `count` words that start at or after `pos`."""
        i = bisect_right(self.starts, pos - 1)
        starts, ends, texts = self.starts, self.ends, self.texts
        return [(starts[j], ends[j], texts[j]) for j in range(i, min(i + count, len(starts)))]

    def index_range(self, lo: int, hi: int) -> tuple[int, int]:
        """Indices [i, j) of the words that start in [lo, hi) (the words of `between`)."""
        return bisect_right(self.starts, lo - 1), bisect_right(self.starts, hi - 1)

    def between(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """Words that start in [lo, hi)."""
        i = bisect_right(self.starts, lo - 1)
        j = bisect_right(self.starts, hi - 1)
        starts, ends, texts = self.starts, self.ends, self.texts
        return [(starts[k], ends[k], texts[k]) for k in range(i, j)]

    def prev_words(self, pos: int, count: int) -> list[tuple[int, int, str]]:
        """Up to `count` words that end at or before `pos`, nearest first."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and self.ends[i] > pos:
            i -= 1  # only the last word starting at or before pos can reach past it
        first = max(i - count + 1, 0)
        return [(self.starts[k], self.ends[k], self.texts[k]) for k in range(i, first - 1, -1)]

    def prev_texts(self, pos: int, count: int) -> list[str]:
        """The texts of `prev_words(pos, count)`, nearest first, sliced without building the tuples."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and self.ends[i] > pos:
            i -= 1
        if i < 0:
            return []
        first = max(i - count + 1, 0)
        return self.texts[i : first - 1 if first else None : -1]


def anchored_finditer(
    regex: re.Pattern[str], text: str, anchors: tuple[str, ...], back: int = 0
) -> list[re.Match[str]]:
    """The matches of `regex.finditer(text)`, trying the regex only at each anchor's occurrences (and up to `back`
    characters before them). Exact when every match starts there and none is empty; str.find is far faster than
    letting the regex engine walk an Arabic text character by character."""
    candidates: set[int] = set()
    for anchor in anchors:
        pos = text.find(anchor)
        while pos >= 0:
            candidates.update(range(max(pos - back, 0), pos + 1))
            pos = text.find(anchor, pos + 1)
    out: list[re.Match[str]] = []
    last_end = 0
    for start in sorted(candidates):
        if start < last_end:
            continue
        m = regex.match(text, start)
        if m is not None:
            out.append(m)
            last_end = m.end()
    return out


# "أنقرة - واصل ...", "بيروت (رويترز) - ...", "DAMASCUS (Reuters) — ...": a short place and agency before a dash
_DATELINE = re.compile(
    r"[ \t]*(?:[^\W\d][\w'’.]*(?:[ \t]+|[ \t]*[،,][ \t]*)){0,3}[^\W\d][\w'’.]*"  # one to four words ("DAMASCUS, Syria")
    r"(?:[ \t]*[،,]?[ \t]*\d{1,2}[ \t]+[^\W\d]+(?:[ \t]+\d{4})?)?"  # a date ("28 ابريل 2016")
    r"(?:(?:[ \t]*\([^()\n]{1,30}\))?[ \t]*[-–—][ \t]"  # an agency in brackets, then the dash
    r"|(?<=\d)[ \t]*\([^()\n]{1,30}\)[ \t])"  # or, after a date, the agency alone: "دمشق 28 ابريل 2016 (شينخوا)"
)


_DATELINE_MARKS = ("-", "–", "—", "(")
_DATELINE_REACH = 90  # characters: four words, a date and an agency


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the datelines that open paragraphs: where the report was filed from, not who acted."""
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    # the regex walks Arabic slowly: only paragraphs with a dash or a bracket near their start can open with one
    starts = [p for p in starts if any(text.find(mark, p, p + _DATELINE_REACH) != -1 for mark in _DATELINE_MARKS)]
    return [m.span() for m in (_DATELINE.match(text, p) for p in starts) if m is not None]


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks (“…”, «…»), used to mark evidence that is reported speech."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for pos in char_positions(text, "“«”»"):  # the matches of _QUOTE_MARK, without its walk over the text
        if text[pos] in "“«":
            stack.append(pos)
        elif stack:
            spans.append((stack.pop(), pos + 1))
    return spans


def char_positions(text: str, chars: str) -> list[int]:
    """Sorted offsets of every occurrence of any of `chars` (what finditer of their character class finds);
    str.find per character is far faster than a character-class regex walking an Arabic text."""
    out: list[int] = []
    for char in chars:
        pos = text.find(char)
        while pos != -1:
            out.append(pos)
            pos = text.find(char, pos + 1)
    out.sort()
    return out
