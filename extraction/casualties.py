"""Killed and injured counts of one event from its words: digits, number words, duals, per-side sums, vague counts."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple

from extraction.lexicon import Mention, word_set
from extraction.text import Words

_PLURAL_CUES = word_set("casualty_plural_cue")
_SINGULAR_CUES = word_set("casualty_singular_cue")
_STOP_WORDS = word_set("casualty_stop")
_ATTEMPT_WORDS = word_set("casualty_attempt")  # "محاولة اغتيال": the killing word names what was tried
_SUBSET_WORDS = word_set("casualty_subset")  # "بينهم ثلاثة أطفال": the victims named after are already counted
_PERSON_AFTER_NUMBER = 3
_BROKEN_PLURALS = word_set("casualty_broken_plural")
_PLURAL_VERBS = word_set("casualty_plural_verb")
_FILLERS = word_set("casualty_filler")
_DEATH_PRONOUNS = word_set("casualty_pronoun")  # "مقتله": his death, one victim
_INDEFINITE = word_set("english_indefinite")
_DUAL_VERBS = word_set("casualty_dual_verb")  # "ممرضان قتلا": two people
_INJURY_PRONOUNS = word_set("casualty_injury_pronoun")  # "إصابته": his wounding, one person hurt
_DUAL_PRONOUNS = word_set("casualty_dual_pronoun")  # "مقتلهما", "إصابتهما": the two of them
_GROUP_NOUNS = word_set("casualty_group_noun")  # "من عائلة واحدة": one family, not one victim
_IN_ADDITION = frozenset(("بالاضافه", "اضافه", "وبالاضافه", "علاوه", "فضلا"))  # "in addition to": one more group
_ONE_OF = frozenset(("احد", "احدي"))  # "أحد عناصر", "إحدى السيدات": one person of a group
_ONE_MORE = word_set("casualty_one_more")  # "وأصيب آخر", "وأصيب ثالث", "another": one more victim
_KILLING_VERBS = word_set("casualty_assassination_verb")  # "اغتال مسلحون مختار قرية": one victim
_UNIT_STEMS = tuple(word.removeprefix("ال") for word in word_set("unit_word"))  # "اللواء 93": a unit's number
_SINGULAR_VERBS = word_set("casualty_singular_verb")  # "عنصر من X قد قتل": one victim named before the verb
_NAMED_PERSONS = word_set("casualty_named_person")  # "مقتل الشاب علي": one victim, named
_COMPANIONS = word_set("casualty_companion")  # "... وزوجته": one more victim with the named one
_COMPANION_WINDOW = 8  # words after the named victim in which a companion is looked for
_ENGLISH_BACK = 6  # "Two members of the SDF were killed": the count stands up to six words before
_KILLING_OBJECT = 8  # words after a killing verb in which its object's count is looked for
_ZERO = re.compile(
    r"(?:دون|بدون|لم ت?ي?سفر عن|لا)\s+(?:ان [يت]سفر عن\s+)?(?:وقوع\s+|تسجيل\s+|سقوط\s+)?(?:اي\s+)?"
    r"(?:اصابات|ضحايا|خسائر بشريه|قتلي|اصابه)|no (?:one was|casualties|injuries|deaths)"
)  # words allowed between a death word and its number


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


class _Token(NamedTuple):
    """One word with what the dictionaries say about it (a named tuple: built for every word of a span)."""

    start: int
    end: int
    text: str
    number: int | None
    single: bool
    cue: str | None  # killed | injured | vague | None
    civilian: bool
    conj: bool  # the word carries the conjunction و ("وعنصرين", "واثنين")
    tail: int | None = None  # the last word of a number of several words ("خمسة عشر"): that number


def _tokens(
    norm: str, words: Words, lo: int, hi: int, mentions: list[Mention], blocked: list[tuple[int, int]]
) -> list[_Token]:
    """Annotate the words of [lo, hi) with numbers, person nouns and casualty cues."""
    first, last = words.index_range(lo, hi)
    starts = words.starts[first:last]
    numbers: dict[int, tuple[int, str, bool]] = {}  # word index -> (value, kind, has a clitic before it)
    cues: dict[int, str] = {}
    tails: dict[int, int] = {}
    civilians: set[int] = set()
    for m in mentions:
        if m.nstart < lo or m.nend > hi:
            continue  # callers pass the mentions of the span; this guards the others
        i = bisect_right(starts, m.nstart) - 1
        if i < 0:
            continue
        kind = m.entry.kind
        if m.entry.category == "number" and kind in ("cardinal", "dual", "single"):
            numbers.setdefault(i, (int(str(m.entry.value)), kind, m.nstart > starts[i]))
            last_word = bisect_right(starts, m.nend - 1) - 1
            if kind == "cardinal" and last_word > i:
                tails[last_word] = int(str(m.entry.value))
        elif m.entry.category == "cue" and kind in ("killed", "injured", "vague", "zero_casualty"):
            cues.setdefault(i, kind)
        elif m.entry.category == "actor" and kind == "civilians":
            civilians.add(i)
    mask = bytearray(hi - lo + 1)
    for b0, b1 in blocked:
        if b1 > lo and b0 < hi:
            mask[max(b0, lo) - lo : min(b1, hi) - lo] = b"\x01" * (min(b1, hi) - max(b0, lo))
    out: list[_Token] = []
    for i, (start, end, text) in enumerate(zip(starts, words.ends[first:last], words.texts[first:last], strict=True)):
        if mask.find(1, start - lo, min(end, hi) - lo) != -1:
            continue
        number: int | None = None
        single = False
        hit = numbers.get(i)
        conj = text.startswith("و") and (text[1:].isdigit() or (hit is not None and hit[2]))
        bare = text[1:] if conj and text[1:].isdigit() else text
        if bare.isdigit() and i > 0 and words.texts[first + i - 1].endswith(_UNIT_STEMS):
            continue  # "عناصر اللواء 93", "الفرقة 17": the number names the unit, it counts nobody
        if bare.isdigit() and len(bare) <= 4:
            number = int(bare)
        elif hit is not None:
            if hit[1] == "single":
                single = True
            else:
                number = hit[0]
        conj = conj or text in ("و", "and")
        if cues.get(i) == "vague":  # the "a" of "a number of" counts nobody
            number, single = None, False
        out.append(_Token(start, end, text, number, single, cues.get(i), i in civilians, conj, tails.get(i)))
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
        if tok.text in _FILLERS:  # "ما لا يقل عن 19", "نحو 15": approximations do not count as distance
            last_hit += 1
            j += 1
            continue
        if tok.cue == other or tok.cue == "zero_casualty":
            break
        if tok.text in _STOP_WORDS and total is not None:
            break
        civilians = civilians or tok.civilian
        if tok.number is not None and tok.number < 1000 and tokens[j - 1].text not in _GROUP_NOUNS:
            if total is None or _and_between(tokens, last_hit, j):
                total = (total or 0) + tok.number
                last_hit = j
        elif total is not None and tok.text.startswith("و") and tok.text[1:] in _ONE_MORE and j - last_hit <= 3:
            total += 1  # "قتل عنصران ... وآخر مدني": one more victim
            last_hit = j
        elif tok.single and total is not None and j == last_hit + 1:
            last_hit = j  # the noun of the counted group: "a shepherd"
        elif tok.single and total is not None and _and_between(tokens, last_hit, j) and j - last_hit <= 3:
            total += 1  # "قيادي ... ومرافقه", "a shepherd and his son"
            last_hit = j
        elif tok.single and total is None and j == i + 1:
            total = 1
            last_hit = j
            k = j + 1
            while k < len(tokens) and tokens[k].single and tokens[k].conj:
                total += 1
                last_hit = k
                k += 1
            j = k
            continue
        elif tok.cue == "vague" and total is None and j <= i + 2:
            vague = True
        j += 1
    return total, vague, civilians


def _named_person(tokens: list[_Token], j: int) -> bool:
    """True when a definite person noun or a kunya ("القيادي", "أبو") follows a death word: one named victim."""
    if j >= len(tokens) or tokens[j].number is not None:
        return False
    return tokens[j].text in _NAMED_PERSONS or tokens[j].text == "ابو"


def _companion(tokens: list[_Token], j: int) -> int:
    """1 when a companion killed with the named victim follows within a few words ("وزوجته", "مع مرافقه")."""
    for k in range(j, min(j + _COMPANION_WINDOW, len(tokens))):
        word = tokens[k].text
        if word in _STOP_WORDS or tokens[k].cue is not None:
            return 0
        if word in _COMPANIONS and (word.startswith("و") or (k > j and tokens[k - 1].text == "مع")):
            return 1
    return 0


def _one_person(tok: _Token) -> int | None:
    """1 when the word after a death word is an indefinite singular noun ("مهرب", "قائد"), else None."""
    word = tok.text
    if tok.number is not None or tok.cue is not None or tok.conj or word.startswith("ال") or len(word) < 3:
        return None
    if word in _BROKEN_PLURALS or word in _STOP_WORDS or not word.isalpha() or word.isascii():
        return None
    if word.endswith(("ين", "ون", "ات", "اء", "ي")):
        return None
    return 1


def _implied_single(tokens: list[_Token], i: int) -> tuple[int | None, bool]:
    """One victim implied around the death/injury word at i: "وأصيب آخر", "اغتال ... مختار", "عنصر ... قد قتل"."""
    tok = tokens[i]
    word = tok.text.lstrip("وف") if not tok.text.isascii() else tok.text
    if i + 1 < len(tokens) and tokens[i + 1].text in _ONE_MORE:
        return 1, False  # "وأصيب ثالث": a third person, one more
    if tok.text.isascii() and any(t.text in _ONE_MORE for t in tokens[max(i - 3, 0) : i]):
        return 1, False  # "Another member was injured"
    if word in _KILLING_VERBS:  # the object of an assassination is one person unless a count or plural follows
        for t in tokens[i + 1 : i + 1 + _KILLING_OBJECT]:
            if t.number is not None:
                return t.number, False
            if t.text in _BROKEN_PLURALS:
                return None, True
        return 1, False
    if word in _SINGULAR_VERBS:  # "وكان عنصر من اللواء الثامن قد قتل"
        back = tokens[max(i - 5, 0) : i]
        if any(t.number is not None for t in back):
            return None, False
        if any(t.single for t in back):
            return 1, False
    return None, False


def _and_between(tokens: list[_Token], a: int, b: int) -> bool:
    """True when a word starting with و lies between token a and token b."""
    return any(t.conj for t in tokens[a + 1 : b + 1])


def count_casualties(
    norm: str, words: Words, lo: int, hi: int, mentions: list[Mention], blocked: list[tuple[int, int]]
) -> Casualties:
    """Killed and injured stated in the normalised span [lo, hi)."""
    result = Casualties()
    worded = any(m.entry.category == "cue" and m.entry.kind in ("killed", "injured", "zero_casualty") for m in mentions)
    zero_phrase: bool | None = None  # searched once, only when needed
    if not worded:
        zero_phrase = _ZERO.search(norm, lo, hi) is not None
        if not zero_phrase and "قتلي" not in norm[lo:hi]:
            return result  # no death, injury or "no casualties" word: nothing to count
    tokens = _tokens(norm, words, lo, hi, mentions, blocked)
    zero = any(t.cue == "zero_casualty" for t in tokens) or (
        zero_phrase if zero_phrase is not None else _ZERO.search(norm, lo, hi) is not None
    )
    both_vague = "قتلي وجرحي" in norm[lo:hi] or "قتلي او جرحي" in norm[lo:hi]
    for i, tok in enumerate(tokens):
        if tok.cue not in ("killed", "injured"):
            continue
        if i > 0 and tokens[i - 1].text in _ATTEMPT_WORDS:
            continue  # "محاولة اغتيال قيادي": an attempt on a life, nobody counted dead
        other = "injured" if tok.cue == "killed" else "killed"
        count, vague, civilians = _count_after(tokens, i, other)
        if i + 1 < len(tokens) and tokens[i + 1].text in _ONE_OF and tokens[i + 1].number is None:
            count, vague = 1, False  # "قتل أحد عناصر الفصيل": one of them, not the plural after
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if (
            tok.text.isascii()
            and (count is None or not (tokens[i + 1].number if i + 1 < len(tokens) else None))
            and after not in _INDEFINITE
        ):  # English puts the count first: "Two soldiers were killed"
            window = tokens[max(i - _ENGLISH_BACK, 0) : i]
            back = [t for t in window if t.number is not None and t.text not in _INDEFINITE]
            if back:
                count, vague = back[-1].number, False
        if count is None and tok.number is not None and not tok.text.isascii():
            count = tok.number  # "سقوط شهيدين", "قتيلان": the dual noun is the count
        among = i > 1 and any(t.text in _SUBSET_WORDS for t in tokens[max(i - 8, 0) : i - 1])
        if count is None and i > 0 and tokens[i - 1].number is not None and not among:
            count = tokens[i - 1].number  # "5 قتلى", "سقوط 3 جرحى"; not "بينهم امرأتان قتلوا"
        if count is None and i > 0 and tokens[i - 1].tail is not None:
            count = tokens[i - 1].tail  # "خمسة عشر قتيلاً"
        if count is None and not vague and tok.text in _PLURAL_VERBS:  # "25 عنصراً من قوات النظام قتلوا"
            window = tokens[max(i - 6, 0) : i]
            back = [t for t in window if t.number is not None]
            subset = next((k for k in range(i - 1, max(i - 10, 0) - 1, -1) if tokens[k].text in _SUBSET_WORDS), None)
            if subset is not None:  # "خمسة مدنيين بينهم ثلاثة أطفال قتلوا": five, the three are among them
                back = [t for t in tokens[max(subset - 4, 0) : subset] if t.number is not None] or back
            if back:
                count = back[-1].number
        if count is None and tok.text.isascii():  # "Two soldiers were killed", "Two members of the SDF were killed"
            back = [t for t in tokens[max(i - _ENGLISH_BACK, 0) : i] if t.number is not None]
            if back:
                count = back[-1].number
        if count is None and not vague:
            count, vague = _implied_single(tokens, i)
        if count is None and i > 0 and tokens[i - 1].cue == "vague":
            vague = True
        if count is None and not vague:
            if tok.single or tok.text in _SINGULAR_CUES:
                count = 1
            elif tok.text.lstrip("وفبل") in _PLURAL_CUES or tok.text.endswith("ات"):
                vague = True
        if count is None and not vague and tok.cue == "killed" and tok.text in _DEATH_PRONOUNS:
            count = 1
        dual = tok.text.lstrip("وفبل") in _DUAL_PRONOUNS
        if count is None and not vague and tok.cue in ("killed", "injured") and dual:
            count = 2
        if count is None and not vague and tok.text.lstrip("وف") in _DUAL_VERBS:
            count = 2
        if count is None and not vague and tok.cue == "injured" and tok.text.lstrip("وفبل") in _INJURY_PRONOUNS:
            count = 1  # "ما أدى لإصابته": one person hurt
        if count is None and not vague and tok.cue == "killed" and _named_person(tokens, i + 1):
            count = 1 + _companion(tokens, i + 2)  # "اغتيال الناشط X مع زوجته": the named man and his wife
        if count is None and not vague and tok.cue == "killed" and i + 1 < len(tokens):
            count = _one_person(tokens[i + 1])  # "مقتل مهرب": one person named by a singular noun
            after = tokens[i + 1].text
            if (
                count is None
                and tokens[i + 1].number is None
                and (after in _BROKEN_PLURALS or (after.endswith(("ين", "ون")) and not tokens[i + 1].single))
            ):
                vague = True  # "مقتل جنود", "مقتل مدنيين": people, but how many is not said
        result.civilians = result.civilians or (civilians and tok.cue == "killed")
        # "ما أدى لمقتل 4 عناصر، بالإضافة لمقتل انتحاري": a second group of the same toll adds to the first
        added = i > 0 and (tokens[i - 1].text in _IN_ADDITION or (i > 1 and tokens[i - 2].text in _IN_ADDITION))
        if tok.cue == "killed":
            if count is not None:
                result.killed = (result.killed or 0) + count if added else max(result.killed or 0, count)
            elif vague:
                result.killed_vague = True
        else:
            if count is not None:
                result.injured = (result.injured or 0) + count if added else max(result.injured or 0, count)
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
