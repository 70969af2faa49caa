"""Stage: places listed together ("في A وB وC") give one event each; a toll split by place goes to each place."""

from __future__ import annotations

import re

from extraction.document import Document, Draft, ListedPlace
from extraction.lexicon import word_set
from extraction.places import UNKNOWN_AND_NAMES, PlaceHit

_FILLERS = word_set("place_list_filler")
_IN_ADDITION_TO = re.compile(r"(?<!\w)و?(?:بال|ب|ال)?اضافه\s+(?:الي|ل)(?!\w)")  # "A، بالإضافة إلى B": one more item
_TOKEN = re.compile(r"\w+")
_UNKNOWN_ITEM = re.compile(r"[\s\"“”«»]*[،,][\s\"“”«»]*[^\W\d]+(?: [^\W\d]+)?[\s\"“”«»]*[،,][\s\"“”«»و]*")
# the list's own last items, unknown to the gazetteer, between it and the trigger ("A، B، C” لقصف")
_TRAILING_ITEMS = re.compile(r"(?:[\s\"“”«»]*[،,][\s\"“”«»]*[^\W\dو][^\W\d]*(?: [^\W\d]+)?){0,3}[\s\"“”«»]*")
_PLURAL_HEADS = frozenset(word_set("place_list_plural_head"))
_UNKNOWN_AND_ITEMS = re.compile(  # optionally the rest of a name matched in part ("زغير جزيرة"), then unknown items
    r"(?: (?!و)[^\W\d]+(?=\s*[،,]?\s*و))?(?:\s*[،,]?\s*و\s?[^\W\d]+(?: (?!و)[^\W\d]+)?){0,3}\s*[،,]?\s*و?"
)
_NOT_ITEMS = word_set("place_list_not_item")
_NOT_NAMES = word_set("place_list_not_name") | word_set("place_not_name")
_ASIDE = re.compile(r"\([^()]{1,60}\)")
_INSTRUMENT_PREFIXES = frozenset(("ب", "بال", "وب", "وبال"))
_MAX_RANK = 3  # cities and anything finer; a governorate in a list is context, not a place of the event
_TOLL_WINDOW = 3  # words before a listed place in which its own count stands ("ستة في X")


def listed_places(doc: Document, draft: Draft, places: list[PlaceHit], boundaries: list[int]) -> list[ListedPlace]:
    """The list the event's place belongs to, when it has two or more places; else nothing (one item: the place).

    A list told before the trigger must not be cut from it by a clause boundary, unless it gives a toll for each
    place ("ستة في X واثنان في Y، جراء قصف"): "انتشرت دوريات في حيي A وB، واعتقلت عشرين" is one arrest.
    """
    if draft.location is None:
        return []
    borrowed = draft.place_source != "span"  # from the sentence around: the list is context, not the event's
    lo, hi = (draft.sentence_lo, draft.sentence_hi) if borrowed else (draft.lo, draft.hi)
    key = draft.location.key()
    # "وصلت تعزيزات إلى مدن A وB": when the event's own place is where they went, so are the others of its list
    to_destination = any(p.destination and p.location().key() == key for p in places if lo <= p.nstart < hi)
    candidates = sorted(
        (
            p
            for p in places
            if lo <= p.nstart < hi
            and p.penalty <= 1
            and not (p.example or p.origin or p.from_origin or (p.destination and not to_destination))
            and p.rank <= _MAX_RANK
        ),
        key=lambda p: p.nstart,
    )
    runs: list[list[PlaceHit]] = []
    for hit in candidates:
        if runs and _only_fillers(doc, runs[-1][-1].nend, hit.nstart, _plural_led(doc, runs[-1][0])):
            runs[-1].append(hit)
        else:
            runs.append([hit])
    run = next((r for r in runs if any(h.location().key() == key for h in r)), [])
    distinct = {h.location().key() for h in run}
    if len(distinct) < 2 or len(distinct) != len(run):
        return []
    if borrowed:
        return [ListedPlace(run[0], None)]
    tolls = [_own_count(doc, run[i - 1].nend if i else draft.lo, hit.nstart) for i, hit in enumerate(run)]
    if any(t is None for t in tolls):
        trigger = draft.triggers[0].pos
        word = doc.words.starts[doc.words.index_at(trigger)]  # "لقصف": the list ends before the word's prefix
        instrument = doc.norm[word:trigger] in _INSTRUMENT_PREFIXES  # "أحياء A وB، بالبراميل": what struck them
        asides = [(run[-1].nend + a, run[-1].nend + b) for a, b in _asides(doc.norm[run[-1].nend : trigger])]
        if (
            trigger > run[-1].nend
            and not instrument
            and any(
                run[-1].nend <= b < trigger
                and not _TRAILING_ITEMS.fullmatch(doc.norm[b:word])
                and not any(a <= b < z for a, z in asides)  # "واللطامنة (نحو 40 كم عن حماة) ببراميل"
                for b in boundaries
            )
        ):
            return [ListedPlace(run[0], None)]  # the list is context: its first place stands for it
        tolls = [None] * len(run)  # a total for several places is no place's toll
    return [ListedPlace(hit, toll) for hit, toll in zip(run, tolls, strict=True)]


def _asides(text: str) -> list[tuple[int, int]]:
    """Spans of the short bracketed asides of a text ("(35 كم إلى الشمال من حماة)")."""
    return [m.span() for m in _ASIDE.finditer(text)] if "(" in text else []


def _plural_led(doc: Document, first: PlaceHit) -> bool:
    """True when a plural place word leads the list ("أحياء A وB", "قرى A وB", "كل من A وB"): every item is a place."""
    before = doc.word_before(first.nstart, 4)  # nearest first
    if before[:2] == ["من", "كل"]:
        return True
    if before[:1] == ["منها"]:  # "في عدة مدن، منها A وB": the towns the plural word announced
        return any(word in _PLURAL_HEADS or word[1:] in _PLURAL_HEADS for word in before[1:])
    return any(word in _PLURAL_HEADS or word[1:] in _PLURAL_HEADS for word in before[:1])


def _only_fillers(doc: Document, lo: int, hi: int, plural_led: bool = False) -> bool:
    """True when a conjunction and nothing but list words and numbers stand between two places."""
    if hi - lo > 40 + (40 if plural_led else 0):
        return False
    gap = doc.norm[lo:hi]
    if "(" in gap:  # "كفرزيتا (35 كم إلى الشمال من حماة) واللطامنة": what an aside says of an item is no item
        gap = _ASIDE.sub(lambda m: " " * len(m.group()), gap)
    if plural_led and _UNKNOWN_AND_ITEMS.fullmatch(gap) and not any(
        w in _NOT_ITEMS for w in _TOKEN.findall(gap)
    ):
        return True  # "أحياء الشيخ سعيد والأنصاري والكلاسة": items the gazetteer lacks keep the list going
    for area in doc.places:  # "قرية A في ريف X، وقرية B": the area holding an item does not end the list
        if lo <= area.nstart and area.nend <= hi and area.rank > _MAX_RANK and area.penalty < 2:
            gap = gap[: area.nstart - lo] + " " * (area.nend - area.nstart) + gap[area.nend - lo :]
    tokens = [(lo + m.start(), m.group()) for m in _TOKEN.finditer(_IN_ADDITION_TO.sub(" و ", gap))]
    if not ("،" in gap or "," in gap or any(t == "و" or t.startswith("و") or t == "and" for _, t in tokens)):
        return False  # "حي الكتف بمدينة البوكمال" names one place inside another, not two places
    if _UNKNOWN_ITEM.fullmatch(gap):
        return True  # "كفرنبودة، الزكاة، الصخر، اللطامنة": an item the gazetteer does not know keeps the list going
    if UNKNOWN_AND_NAMES.fullmatch(gap) and not doc.mentions_in(lo, hi):
        items = [w[1:] for w in _TOKEN.findall(gap) if w != "و"]
        if not any(w in _NOT_ITEMS or w in _NOT_NAMES for w in items):
            return True  # "المزة والحجر الأسود والعسالي والقدم والقابون": unknown names joined by "و" keep it going
    numbers = [m.nstart for m in doc.mentions_in(lo, hi, category="number")]
    for start, token in tokens:
        word = token[1:] if token.startswith("و") and len(token) > 1 else token
        if word in _FILLERS or token in _FILLERS or word.isdigit():
            continue
        if any(start <= n < start + len(token) for n in numbers):
            continue
        return False
    return True


def _own_count(doc: Document, lo: int, pos: int) -> int | None:
    """A number standing just before a listed place ("ستة في X", "واثنان في Y")."""
    window = [w for w in doc.words.prev_words(pos, _TOLL_WINDOW) if w[0] >= lo]
    for start, end, word in window:
        digits = word.lstrip("و")
        if digits.isdigit():
            return int(digits)
        for m in doc.mentions_in(start, end, category="number"):
            if m.entry.kind == "cardinal":
                return int(str(m.entry.value))
    return None
