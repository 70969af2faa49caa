"""Killed and injured counts of one event from its words: digits, number words, duals, per-side sums, vague counts."""

from __future__ import annotations

from dataclasses import dataclass

from extraction.lexicon import Mention
from extraction.text import Words

_PLURAL_CUES = frozenset(("قتلي", "جرحي", "اصابات", "شهداء", "ضحايا", "جثث", "اصابه عناصر", "casualties", "deaths"))
_SINGULAR_CUES = frozenset(("قتيل", "جريح", "قتيلا", "جريحا", "مصاب", "مصابا"))
_STOP_WORDS = frozenset((
    "في", "على", "خلال", "جراء", "اثر", "بعد", "عقب", "برصاص", "بقصف", "باستهداف", "اثناء", "حيث", "بينما",
    "فيما", "منذ", "قبل", "داخل", "وسط", "قرب", "بالقرب", "in", "on", "near", "after", "during", "while", "when",
))
_PERSON_AFTER_NUMBER = 3  # words allowed between a death word and its number


@dataclass
class Casualties:
    """Killed and injured of one event; None = not stated, the flags = stated only vaguely."""

    killed: int | None = None
    killed_vague: bool = False
    injured: int | None = None
    injured_vague: bool = False
    civilians: bool = False

    @property
    def stated(self) -> bool:
        """True when the text says anything about victims."""
        return self.killed is not None or self.killed_vague or self.injured is not None or self.injured_vague


@dataclass(frozen=True)
class _Token:
    """One word with what the dictionaries say about it."""

    start: int
    end: int
    text: str
    number: int | None
    single: bool
    cue: str | None  # killed | injured | vague | None
    civilian: bool


def _tokens(norm: str, words: Words, lo: int, hi: int, mentions: list[Mention], blocked: list[tuple[int, int]]
            ) -> list[_Token]:
    """Annotate the words of [lo, hi) with numbers, person nouns and casualty cues."""
    numbers: dict[int, tuple[int, str]] = {}
    cues: dict[int, str] = {}
    civilians: set[int] = set()
    for m in mentions:
        if m.nstart < lo or m.nend > hi:
            continue
        if m.entry.category == "number" and m.entry.kind in ("cardinal", "dual", "single"):
            numbers.setdefault(m.nstart, (int(str(m.entry.value)), m.entry.kind))
        elif m.entry.category == "cue" and m.entry.kind in ("killed", "injured", "vague", "zero_casualty"):
            cues[m.nstart] = m.entry.kind
        elif m.entry.category == "actor" and m.entry.kind == "civilians":
            civilians.add(m.nstart)
    out: list[_Token] = []
    for start, end, text in words.next_words(lo, 10_000):
        if start >= hi:
            break
        if any(b0 <= start < b1 for b0, b1 in blocked):
            continue
        number: int | None = None
        single = False
        word_start = start
        hit = next((numbers[p] for p in range(start, end) if p in numbers), None)
        if text.isdigit() and len(text) <= 4:
            number = int(text)
        elif hit is not None:
            if hit[1] == "single":
                single = True
            else:
                number = hit[0]
        cue = next((cues[p] for p in range(word_start, end) if p in cues), None)
        civilian = any(p in civilians for p in range(start, end))
        out.append(_Token(start, end, text, number, single, cue, civilian))
    return out


def _count_after(tokens: list[_Token], i: int, other: str) -> tuple[int | None, bool, bool]:
    """Count victims after the death/injury word at token i: (count, vague, civilians)."""
    total: int | None = None
    vague = False
    civilians = False
    last_hit = i
    j = i + 1
    while j < len(tokens) and j - last_hit <= _PERSON_AFTER_NUMBER + 1:
        tok = tokens[j]
        if tok.cue == other or tok.cue == "zero_casualty":
            break
        if tok.text in _STOP_WORDS and total is not None:
            break
        civilians = civilians or tok.civilian
        if tok.number is not None and tok.number < 1000:
            joined = total is None or tokens[j - 1].text in ("و",) or tok.text.startswith("و") or _and_between(tokens, last_hit, j)
            if joined:
                total = (total or 0) + tok.number
                last_hit = j
        elif tok.single and total is None and j == i + 1:
            total = 1
            last_hit = j
            k = j + 1
            while k < len(tokens) and tokens[k].single and tokens[k].text.startswith("و"):
                total += 1
                last_hit = k
                k += 1
            j = k
            continue
        elif tok.cue == "vague" and total is None and j <= i + 2:
            vague = True
        j += 1
    return total, vague, civilians


def _and_between(tokens: list[_Token], a: int, b: int) -> bool:
    """True when a word starting with و lies between token a and token b."""
    return any(t.text.startswith("و") or t.text == "and" for t in tokens[a + 1:b + 1])


def count_casualties(norm: str, words: Words, lo: int, hi: int, mentions: list[Mention],
                     blocked: list[tuple[int, int]]) -> Casualties:
    """Killed and injured stated in the normalised span [lo, hi)."""
    result = Casualties()
    tokens = _tokens(norm, words, lo, hi, mentions, blocked)
    zero = any(t.cue == "zero_casualty" for t in tokens)
    both_vague = "قتلي وجرحي" in norm[lo:hi] or "قتلي او جرحي" in norm[lo:hi]
    for i, tok in enumerate(tokens):
        if tok.cue not in ("killed", "injured"):
            continue
        other = "injured" if tok.cue == "killed" else "killed"
        count, vague, civilians = _count_after(tokens, i, other)
        if count is None and i > 0 and tokens[i - 1].number is not None:
            count = tokens[i - 1].number  # "5 قتلى", "سقوط 3 جرحى"
        if count is None and i > 0 and tokens[i - 1].cue == "vague":
            vague = True
        if count is None and not vague:
            if tok.single or tok.text in _SINGULAR_CUES:
                count = 1
            elif tok.text.lstrip("وفبل") in _PLURAL_CUES or tok.text.endswith("ات"):
                vague = True
        if count is None and not vague and tok.cue == "killed" and tok.text in ("مقتله", "مصرعه", "حتفه", "حياته"):
            count = 1
        result.civilians = result.civilians or (civilians and tok.cue == "killed")
        if tok.cue == "killed":
            if count is not None:
                result.killed = max(result.killed or 0, count)
            elif vague:
                result.killed_vague = True
        else:
            if count is not None:
                result.injured = max(result.injured or 0, count)
            elif vague:
                result.injured_vague = True
    if both_vague:
        result.killed_vague = result.killed is None
        result.injured_vague = result.injured is None
    if result.killed is not None:
        result.killed_vague = False
    if result.injured is not None:
        result.injured_vague = False
    if zero:
        result.killed = 0 if result.killed is None and not result.killed_vague else result.killed
        result.injured = 0 if result.injured is None and not result.injured_vague else result.injured
    if result.killed is None and not result.killed_vague and (result.injured is not None or result.injured_vague):
        result.killed = 0  # injuries reported and no deaths: the text says nobody died
    return result
