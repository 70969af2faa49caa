"""Place mentions of a document (gazetteer plus cue-named places) and the choice of one place per event."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from extraction.lexicon import Mention, is_strong_actor, word_map, word_set
from extraction.model import EventLocation
from extraction.normalize import ARABIC_LETTER
from extraction.text import Words, anchored_finditer

if TYPE_CHECKING:
    from extraction.gazetteer import Gazetteer, Place, PlaceContext, PlaceMatch

# Specificity of a kind of place: lower is more precise (a neighbourhood beats its city, a village its district).
DATELINE_PENALTY = 3  # "دمشق 28 ابريل (شينخوا)": where a report was filed, the loosest tie to an event
KIND_RANK = {
    "neighbourhood": 0,
    "base": 0,
    "airport": 0,
    "oilfield": 0,
    "crossing": 0,
    "village": 1,
    "town": 2,
    "city": 3,
    "road": 3,
    "subdistrict": 4,
    "district": 5,
    "desert": 5,
    "governorate": 6,
    "region": 6,
    "country": 7,
}
POINT_KINDS = frozenset(("neighbourhood", "base", "airport", "oilfield", "crossing", "village", "town", "city"))
_CUE_KIND = word_map("place_cue_kind")
_PERSON_TITLES = word_set("person_title")
_PLACE_ADJECTIVES = frozenset(  # "أبو الظهور الشرقي": part of a place name, not a nisba
    ("الشرقي", "الغربي", "الشمالي", "الجنوبي", "الاوسط", "الفوقاني", "التحتاني", "القبلي", "البحري", "الكبير", "الصغير")
)
_KUNYA = frozenset(("ابو", "ام"))  # "أبو عروة كنصفرة": a nom de guerre's second part is a nisba
_TAKEN_FROM_WORDS = frozenset(("من", *_CUE_KIND))  # "اختطافه من قرية X": where people were taken from
_CUE_CLITICS = re.compile(r"^(?:[وفبل]|بال|وال|فال)")
_CUE_PLACE_WORDS = tuple(word_map("place_name_cue"))
_CUE_PLACE = re.compile(
    r"(?<!\w)[وفبل]?(" + "|".join(map(re.escape, _CUE_PLACE_WORDS)) + r")\s+[(\"«]?\s*(\w+)(?:\s+(\w+))?"
)
_COMPOUND_HEADS = word_set("place_compound_head")
_DUAL_CUES = word_set("place_dual_cue")
_PAIR_SECOND = re.compile(r"\s+و(\w+)(?:\s+(\w+))?")  # after a quote too: "قريتي “X وY”"
_WITHIN_WINDOW = 4  # words after a place the gazetteer lacks in which the known place holding it may stand
_NOT_NAMES = word_set("place_not_name")
_ADDITION_WORDS = word_set("place_addition")
_PLURAL_KIND = word_map("place_list_plural_kind")
_PLURAL_HEAD = re.compile(r"(?<![\w])[وفبل]?(" + "|".join(map(re.escape, _PLURAL_KIND)) + r")\s+")
# "سيطرت على عدد من البلدات في ريف حلب وهي A، B، C": the places the plural noun announced, listed after "وهي"
_WHICH_ARE = re.compile(
    r"(?<!\w)[وفبل]?(?:ال)?(" + "|".join(map(re.escape, _PLURAL_KIND)) + r")(?!\w)"
    r"[^.؛:\n]{0,80}?\s(?:و?هي|و?هم)\s*[:،,]?\s*"
)
_FIRST_ITEM = re.compile(r"[\"«]?\s*(\w{2,})")  # two letters: "تل رفعت" opens a list too
_LIST_ITEM = re.compile(r"(?:\s*[،,]\s*|\s+(?=[\"«]?و))[\"«]?\s*(و\s\w{2,}|و?\w{2,})")  # a bare space only before "و"
_NOT_LIST_NAMES = word_set("place_list_not_name")
_MAX_LIST_ITEMS = 12
_MAX_PENDING = 2
_MAX_ITEM_RANK = 3  # cities and anything finer are items of a list; a region or governorate ends it
# up to three definite names, each after "و", between two places of a list ("والعسالي والقدم و")
UNKNOWN_AND_NAMES = re.compile(r"(?:\s*[،,]?\s*وال[^\W\d]{2,}){1,3}\s*[،,]?\s*(?:و\s?)?")
_AR_AND_NAME = re.compile(r"و(ال[^\W\d]{2,})")
_NEXT_WORD = re.compile(r"\s+(\w{2,})")
# ", Ein Issa and " between two known places: one to three capitalised words, then a comma or "and"
_ENGLISH_ITEM = re.compile(r"\s*,\s*((?:[A-Z][\w'’‑-]*)(?:\s+[A-Z][\w'’‑-]*){0,2})\s*(?:,\s*(?:and\s+)?|\s+and\s+)")
_CAPITAL = re.compile(r"[A-Z]")
_EN_NAME = r"(?:(?:al|el|ad|ar|as|ash|at|az|an)[-‑ ])?[A-Z][\w'’‑-]*(?:\s+(?:al-|el-)?[A-Z][\w'’‑-]*){0,2}"
_EN_PLURAL_HEADS = ("villages", "towns", "cities", "neighborhoods", "neighbourhoods", "districts", "hamlets")
_EN_PLURAL_HEAD = re.compile(  # "the villages of A, B and C": every item of the list is a place
    r"\b(" + "|".join(_EN_PLURAL_HEADS) + r")\s+of\s+"
    r"(" + _EN_NAME + r"(?:\s*,\s*(?:and\s+)?" + _EN_NAME + r"|\s+and\s+" + _EN_NAME + r"){1,11})"
)
_EN_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_EN_PLURAL_KIND = {"villages": "village", "hamlets": "village", "towns": "town", "cities": "city"}
_EN_PLURAL_WORDS = frozenset((*_EN_PLURAL_HEADS, "areas"))  # plural place words before "such as"
_WITHIN_GAP = 8  # characters between a list's end and the known place holding it ("بريف منبج")
_NEAR_WORDS = word_set("place_near")
_UNIT_MEMBERS = word_set("unit_member")
_UNIT_WORDS = word_set("unit_word")
_BESIDE_WORDS = word_set("place_beside")
_AREA_CUES = word_set("place_area_cue")
_ORIGIN_WORDS = word_set("place_origin")
_EACH_OF = frozenset(("كل", "كلا", "كلتا", "كلي", "both", "each"))
_STATIONED_WORDS = word_set("place_stationed")
_STATIONED_WINDOW = 6  # words before a place in which "المتمركزة في" makes it where the shooters stand
_DIRECTION_WORDS = word_set("place_direction")
_KIN_WORDS = word_set("place_kin")
_PLACE_PREPS = word_set("place_preposition")
_EXAMPLE_WORDS = word_set("place_example")
_DESTINATION_WORDS = word_set("place_destination")
_COUNTRYSIDE_WORDS = word_set("place_countryside")
_BETWEEN_WORDS = word_set("between_word")
_ROAD_WORDS = word_set("place_road")  # "طريق دمشق - عمان": the towns a road joins name the road, not where it was hit
_METONYM_WORDS = word_set("place_metonym")  # "حكومة دمشق": the government, not the city
_TRANSFER_STEMS = tuple(word_map("place_transfer_stem"))  # "نُقل إلى X", "أسعف إلى مشفى X": a destination
_ANAPHORS = {word: tuple(kinds.split("|")) if kinds else () for word, kinds in word_map("place_anaphor").items()}
_SAME_RE = re.compile(r"\s+(?:ذاتها|نفسها|ذاته|نفسه)(?!\w)")
_ANAPHOR_RE = re.compile(
    r"(?<!\w)(?:[وفبلك]|بال|وال|فال|لل|ول|وب)?(" + "|".join(map(re.escape, _ANAPHORS)) + r")(?!\w)"
)


@dataclass
class PlaceHit:
    """A place named in the text (normalised offsets), with the chosen gazetteer entry when there is one."""

    nstart: int
    nend: int
    surface: str
    place: Place | None
    kind: str
    origin: bool = False
    from_origin: bool = False  # "من مدينة X": where someone or something came from
    near: bool = False
    cue: str | None = None
    example: bool = False  # named after "مثل" (such as): an illustration, not where the event is
    penalty: int = 0  # 0 at the place, 1 near it, 2 origin/example/between, 3 a direction from it
    destination: bool = False  # after "إلى": where people were taken, not where they were seized
    within: Place | None = None  # for a place the gazetteer lacks: the known place the text puts it in or near
    home: bool = False  # only "أهالي"/"أبناء" make it an origin: where people who protest live, so where they protest
    beside: bool = False  # a place the gazetteer lacks, told as near a known one ("منطقة X قرب مدينة Y"): Y is used

    @property
    def rank(self) -> int:
        """Specificity rank (lower = more precise)."""
        return KIND_RANK.get(self.kind, 6)

    def location(self) -> EventLocation:
        """The EVENTS.md location of this place."""
        precision = 1 if self.kind in POINT_KINDS else (3 if self.rank >= 6 else 2)
        if self.near and precision == 1:
            precision = 2
        if self.place is None:
            outer = self.within  # "قرية X بريف درعا": the known place's admin levels and point, at precision 2
            return EventLocation(
                name=self.surface,
                name_ar=self.surface if ARABIC_LETTER.search(self.surface) else "",  # "Ein Issa": no Arabic name
                **(_point_of(outer) if outer is not None else {}),
                geo_precision=max(precision, 2) if outer is not None else precision,
                kind=self.kind,
                penalty=self.penalty,
            )
        p = self.place
        return EventLocation(
            name=p.name,
            name_ar=p.name_ar,
            **_point_of(p),
            geo_precision=precision,
            place_id=p.id,
            kind=p.kind,
            penalty=self.penalty,
            surface=_arabic_surface(self.surface),
        )


def _point_of(place: Place) -> dict[str, Any]:
    """A place's admin levels, P-code and coordinates, as EventLocation takes them."""
    return {
        "admin1": place.admin1,
        "admin2": place.admin2,
        "admin3": place.admin3,
        "pcode": place.pcode,
        "lat": place.lat,
        "lon": place.lon,
    }


def _nisba_after(words: Words, end: int) -> bool:
    """True when the word after `end` is a nisba ("الحريري", "الديري"): a person's family or town name."""
    following = words.next_words(end, 1)
    if not following:
        return False
    word = following[0][2]
    return len(word) > 4 and word.startswith("ال") and word.endswith("ي") and word not in _PLACE_ADJECTIVES


def _place_within(hits: list[PlaceHit], words: Words) -> None:
    """Give each place the gazetteer lacks the coarser known place just after it ("قرية X بريف درعا")."""
    for i, hit in enumerate(hits):
        if hit.place is not None:
            continue
        for later in hits[i + 1 :]:
            if words.distance(hit.nend, later.nstart) > _WITHIN_WINDOW:
                break
            if later.place is not None and KIND_RANK.get(later.place.kind, 6) > hit.rank:
                hit.within = later.place
                break


def _plural_list_items(text: str, norm: str, to_norm: Callable[[int], int], hits: list[PlaceHit]) -> list[PlaceHit]:
    """"قرى الياشلي والدندنية والفارات بريف منبج": the items of a plural-led list that the gazetteer lacks.

    Only lists that hold a known place, or stand just before one, count: the known place vouches for the rest.
    """
    found: list[PlaceHit] = []
    starts = {h.nstart: h for h in hits}
    heads = [(m.group(1), m.end()) for m in _PLURAL_HEAD.finditer(norm)]
    if " هي" in norm or "وهي" in norm or " هم" in norm or "وهم" in norm:  # "عدد من البلدات ... وهي A، B، C"
        heads += [(m.group(1), m.end()) for m in _WHICH_ARE.finditer(norm)]
    for plural, start in heads:
        kind = _PLURAL_KIND[plural]
        pos, items, known = start, 0, False
        unknown: list[tuple[int, int]] = []
        pending: list[tuple[int, int]] = []  # bare names ("وعكيدات") kept only when a sure item follows them
        in_quotes = norm.startswith('"', pos)  # "بلدات “حاس ومعرزيتا”": inside the quotes every item is a name
        while items < _MAX_LIST_ITEMS:
            item = _LIST_ITEM.match(norm, pos) if items else _FIRST_ITEM.match(norm, pos)
            if item is None:
                break
            start = item.start(1)
            if items and item.group(1).removeprefix("و") in _CUE_KIND:  # "مدن وقرى A وقرية B وC": a cue, then B
                cued = _FIRST_ITEM.match(norm, item.end(1))
                if cued is not None:
                    item, start = cued, cued.start(1)
            hit = starts.get(start) or starts.get(start + 1) or starts.get(start + 2)  # "والفارات", "و حزرما"
            if hit is not None:
                if hit.rank > _MAX_ITEM_RANK:
                    break  # "بلدات ريف حماة الغربي": a region is where the list is, not one of its items
                known, end = True, hit.nend
                unknown.extend(pending)
                pending = []
            else:
                name = item.group(1)
                joined = 1 if items and name.startswith("و") and (len(name) > 3 or name[1:] in _COMPOUND_HEADS) else 0
                joined += 1 if joined and name[1] == " " else 0  # "و حزرما": written apart
                bare = name[joined:]
                overlaps = any(h.nstart < item.end(1) and start < h.nend for h in hits)
                plural = name.removeprefix("و") in _PLURAL_KIND  # "بلدات وقرى A": the second head leads the list
                no_name = bare in _NOT_NAMES or bare in _NOT_LIST_NAMES or bare.isdigit()
                no_name = no_name or (len(bare) < 3 and bare not in _COMPOUND_HEADS)  # "وتل حديد": a head and its name
                if no_name or overlaps or plural:
                    break
                end = item.end(1)
                second = _NEXT_WORD.match(norm, end)
                follower = second.group(1) if second is not None else ""
                named = follower.startswith("ال") and follower not in _NOT_LIST_NAMES
                if bare in _COMPOUND_HEADS or named:  # "بيت الراس", "قبور القراجنة": a head and its name
                    if second is None:
                        break
                    end = second.end(1)
                if bare.startswith("ال") or in_quotes or (bare in _COMPOUND_HEADS and named):
                    unknown.extend(pending)
                    pending = []
                    unknown.append((start + joined, end))
                elif len(pending) < _MAX_PENDING:
                    pending.append((start + joined, end))
                else:
                    break
            in_quotes = in_quotes and not norm.startswith('"', end)
            pos = _after_quote(norm, end)
            items += 1
        after = next((h for h in hits if pos <= h.nstart <= pos + _WITHIN_GAP and h.place is not None), None)
        if pending and after is not None and (known or unknown) and (
            after.rank > _MAX_ITEM_RANK or _DIRECTION_WORDS.intersection(norm[pending[-1][1] : after.nstart].split())
        ):
            unknown.extend(pending)  # "قرى A و B بريف حماة", "... وC غربي السويداء": the place after vouches for them
            pending = []
        items -= len(pending)  # trailing bare words were never vouched for
        if pending:
            pos = pending[0][0]
            after = next((h for h in hits if pos <= h.nstart <= pos + _WITHIN_GAP and h.place is not None), None)
        if items < 2 or not (known or after is not None):
            continue
        for a, b in unknown:
            if any(h.nstart == a and h.nend == b for h in found):
                continue  # "قرى وبلدات A وB": both heads lead the same list
            surface = text[_src(text, norm, a, to_norm) : _src(text, norm, b, to_norm)].strip("()# ")
            found.append(PlaceHit(a, b, surface, None, kind, cue=plural))
    return found


def _arabic_list_items(
    text: str, norm: str, to_norm: Callable[[int], int], hits: list[PlaceHit], mentions: list[Mention]
) -> list[PlaceHit]:
    """"المزة والعسالي والقدم والقابون": names the gazetteer lacks, each joined by "و", between two known places."""
    known = sorted((h for h in hits if h.place is not None and h.rank <= _MAX_ITEM_RANK), key=lambda h: h.nstart)
    found: list[PlaceHit] = []
    for before, after in pairwise(known):
        gap = UNKNOWN_AND_NAMES.fullmatch(norm, before.nend, after.nstart)
        if gap is None or any(before.nend <= m.nstart < after.nstart for m in mentions):
            continue
        if any(before.nend <= h.nstart < after.nstart for h in hits):
            continue  # a plural-led list found these items already
        items = list(_AR_AND_NAME.finditer(norm, before.nend, after.nstart))
        if any(m.group(1) in _NOT_NAMES or m.group(1) in _NOT_LIST_NAMES for m in items):
            continue
        kind = before.kind if before.kind in ("neighbourhood", "village", "town") else "village"
        for m in items:
            surface = text[_src(text, norm, m.start(1), to_norm) : _src(text, norm, m.end(1), to_norm)]
            found.append(PlaceHit(m.start(1), m.end(1), surface, None, kind))
    return found


def _english_list_items(text: str, norm: str, to_norm: Callable[[int], int], hits: list[PlaceHit]) -> list[PlaceHit]:
    """A capitalised name the gazetteer lacks between two known places of an English list ("Derik, Ein Issa and")."""
    if _CAPITAL.search(text) is None:
        return []  # Arabic text: no English list
    known = [h for h in hits if h.place is not None and h.rank <= _MAX_ITEM_RANK]
    spans = sorted((_src(text, norm, h.nstart, to_norm), _src(text, norm, h.nend, to_norm)) for h in known)
    found: list[PlaceHit] = []
    for (_, end), (start, _) in pairwise(spans):
        item = _ENGLISH_ITEM.fullmatch(text, end, start)
        if item is None:
            continue
        a, b = item.start(1), item.end(1)
        found.append(PlaceHit(to_norm(a), to_norm(b), text[a:b], None, "town"))
    return found


def _english_plural_items(text: str, to_norm: Callable[[int], int], hits: list[PlaceHit]) -> list[PlaceHit]:
    """"the villages of A, B and C": each capitalised item of an English plural-led list is a place.

    A known name inside a longer item ("Hamra" of "Kfar Hamra") is dropped from `hits`: the item is the place.
    """
    if not any(f"{head} of " in text for head in _EN_PLURAL_HEADS):
        return []  # most texts: no "villages of", "towns of" ... at all (str.find is quick on Arabic)
    found: list[PlaceHit] = []
    for head in _EN_PLURAL_HEAD.finditer(text):
        kind = _EN_PLURAL_KIND.get(head.group(1), "neighbourhood")
        pos = head.start(2)
        for piece in _EN_SEPARATOR.split(head.group(2)):
            a = text.index(piece, pos)
            b = pos = a + len(piece)
            na, nb = to_norm(a), to_norm(b)
            inside = [h for h in hits if na <= h.nstart and h.nend <= nb and (h.nstart, h.nend) != (na, nb)]
            for h in inside:  # "Kfar Hamra": the gazetteer knew only a part of the item's name
                hits.remove(h)
            if any(h.nstart < nb and na < h.nend for h in hits):
                continue  # the gazetteer knows this item
            found.append(PlaceHit(na, nb, piece, None, kind))
    return found


_MEMBERS_WORDS = frozenset(("منها", "لاسيما", "سيما", "خاصه", "including", "as"))  # "as": "cities such as A"


def _members_of_places(words: Words, window: list[tuple[int, int, str]]) -> bool:
    """True when "منها"/"such as" follows a plural place word ("في عدة مدن، منها A وB"): the places it names."""
    for start, _, word in window[:3]:
        if word in _MEMBERS_WORDS:
            heads = [w for _, _, w in words.prev_words(start, 2)]
            return any(w in _PLURAL_KIND or w[1:] in _PLURAL_KIND or w in _EN_PLURAL_WORDS for w in heads)
    return False


def _after_quote(norm: str, pos: int) -> int:
    """Skip a closing quote right after a name."""
    return pos + 1 if norm.startswith('"', pos) else pos


def _second_of_pair(
    text: str, norm: str, to_norm: Callable[[int], int], end: int, cue_word: str, hits: list[PlaceHit]
) -> PlaceHit | None:
    """The second place after a dual cue word ("بلدتي X وY"), when the gazetteer does not know it."""
    m = _PAIR_SECOND.match(norm, end)
    if m is None or m.group(1) in _NOT_NAMES or len(m.group(1)) < 3 or m.group(1).isdigit():
        return None
    stop = m.end(2) if m.group(2) and m.group(1) in _COMPOUND_HEADS else m.end(1)
    if any(h.nstart < stop and m.start(1) < h.nend for h in hits):
        return None  # the gazetteer found it already
    surface = text[_src(text, norm, m.start(1), to_norm) : _src(text, norm, stop, to_norm)].strip("()# ")
    return PlaceHit(m.start(1), stop, surface, None, _CUE_KIND.get(cue_word, "village"), cue=cue_word)


def _load() -> Gazetteer | None:
    """The gazetteer, or None when it is not installed."""
    try:
        from extraction.gazetteer import load_gazetteer
    except ImportError:  # the gazetteer is optional: the extractor still works with cue-named places
        return None
    try:
        return load_gazetteer()
    except (OSError, KeyError, ValueError):
        return None


class PlaceFinder:
    """Finds places in a document and picks the most precise one for each event."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        """Use the given gazetteer or the packaged one."""
        self.gazetteer = gazetteer if gazetteer is not None else _load()

    def find(
        self, text: str, norm: str, to_norm: Callable[[int], int], words: Words, mentions: list[Mention]
    ) -> list[PlaceHit]:
        """Every place mention: gazetteer names, then cue-named places (حي X, قرية X) the gazetteer lacks."""
        hits: list[PlaceHit] = []
        named = [m for m in mentions if m.entry.category == "actor" and is_strong_actor(m)]
        actor_spans = [(m.nstart, m.nend) for m in named]
        actor_src = [(m.start, m.end) for m in named]
        if self.gazetteer is not None:
            matches = self.gazetteer.find(text)
            context = self.gazetteer.context(matches) if matches else None
            for index, match in enumerate(matches):
                a, b = to_norm(match.start), to_norm(match.end)
                before = [w for _, _, w in words.prev_words(a, 2)]
                if _PERSON_TITLES.intersection(before) or (len(before) > 1 and before[1] in _KUNYA):
                    continue  # "الناشط أبو عمر البوكمالي", "أبو عروة كنصفرة": a person's name, not a place
                if norm[a:b].split(" ", 1)[0] in _KUNYA and _nisba_after(words, b):
                    continue  # "أبو خالد الحريري": a nom de guerre and its nisba, not a village "أبو ..."
                inside_actor = any(s <= match.start and match.end <= e for s, e in actor_src)
                if inside_actor and not (before and before[0] in _PLACE_PREPS):
                    continue  # "مجلس دير الزور العسكري", "تابعة للفرقة 17": an actor, not a place
                cue = _cue_of(before)
                place = _pick_candidate(matches, index, cue, context, self.gazetteer)
                unit = place is not None and place.kind == "base" and norm[a:b].split(" ", 1)[0] in _UNIT_WORDS
                if unit and before and before[0] in _UNIT_MEMBERS:
                    continue  # "عناصر اللواء 93": the brigade's men, not its base
                kind = place.kind if place is not None else _CUE_KIND.get(cue or "", "village")
                hits.append(PlaceHit(a, b, match.surface, place, kind, cue=cue))
        for found in anchored_finditer(_CUE_PLACE, norm, _CUE_PLACE_WORDS, back=1):  # back: a clitic before the cue
            m = found
            if found.group(2) in _CUE_KIND:  # "محور قرية الفطيرة": the second cue word names the place
                m = _CUE_PLACE.match(norm, found.start(2)) or found
            cue_word, first, second = m.group(1), m.group(2), m.group(3)
            name_start = m.start(2)
            short_head = first in _COMPOUND_HEADS and bool(second)
            if (
                first in _NOT_NAMES
                or (len(first) < 3 and not short_head)
                or first.isdigit()
                or (len(first) == 4 and first[0] in "تي")
                or first.startswith(("لت", "لل"))  # "مزرعة لتربية الدواجن": a purpose, not a name
            ):
                continue
            end = m.end(2)
            if second and first in _COMPOUND_HEADS and second not in _NOT_NAMES:
                end = m.end(3)
            # overlap with the name only: the optional second word may begin the next place ("صيدا بريف درعا")
            known = next((h for h in hits if h.nstart <= name_start < h.nend or (m.start() <= h.nstart < end)), None)
            if known is not None:
                if cue_word in _DUAL_CUES and known.nstart <= name_start:  # "قريتي “جبالا وأرينبة”": the second too
                    second_hit = _second_of_pair(text, norm, to_norm, _after_quote(norm, known.nend), cue_word, hits)
                    if second_hit is not None:
                        hits.append(second_hit)
                continue
            if any(s <= name_start < e for s, e in actor_spans):
                continue
            src_a = _src(text, norm, m.start(1) if cue_word == "باديه" else name_start, to_norm)
            src_b = _src(text, norm, end, to_norm)
            surface = text[src_a:src_b].strip("()# ")
            hits.append(PlaceHit(name_start, end, surface, None, _CUE_KIND.get(cue_word, "village"), cue=cue_word))
            if cue_word in _DUAL_CUES:  # "قريتي X وY", "محوري X وY": the second of the pair is a place too
                second_hit = _second_of_pair(text, norm, to_norm, end, cue_word, hits)
                if second_hit is not None:
                    hits.append(second_hit)
        hits.extend(_plural_list_items(text, norm, to_norm, hits))
        hits.extend(_arabic_list_items(text, norm, to_norm, hits, mentions))
        hits.extend(_english_list_items(text, norm, to_norm, hits))
        hits.extend(_english_plural_items(text, to_norm, hits))
        hits.sort(key=lambda h: h.nstart)
        _place_within(hits, words)
        previous_end = -1
        previous_road: PlaceHit | None = None  # a town right after a road word, waiting for the road's other end
        roads: list[PlaceHit] = []
        for h in hits:
            window = words.prev_words(h.nstart, _STATIONED_WINDOW)
            # "قوات النظام المتمركزة في خان شيخون": where the gunners stand; only the first place after the word
            stationed = any(w in _STATIONED_WORDS and start >= previous_end for start, _, w in window)
            previous_end = h.nend
            before = [w for _, _, w in window[:3]]
            h.from_origin = bool(before) and (
                before[0] in _ORIGIN_WORDS
                or (len(before) > 1 and before[1] in _ORIGIN_WORDS and before[0] in _CUE_KIND)
            )
            if h.from_origin and _EACH_OF.intersection(before[1:3]):
                h.from_origin = False  # "طال القصف كلاً من مدينة X": each of the places hit, not where from
            kin = not _KIN_WORDS.isdisjoint(before[:3])
            h.origin = h.from_origin or kin
            h.near = not _NEAR_WORDS.isdisjoint(before[:2])
            h.example = not _EXAMPLE_WORDS.isdisjoint(before[:3]) and not _members_of_places(words, window)
            h.destination = any(
                w in _DESTINATION_WORDS and (i + 1 >= len(window) or window[i + 1][2] not in _ADDITION_WORDS)
                for i, (_, _, w) in enumerate(window[:3])
            )  # "بالإضافة إلى قريتي X": one more place of the same list, not where anyone was taken
            road = bool(before) and (
                before[0] in _ROAD_WORDS or (len(before) > 1 and before[0] == "الدولي" and before[1] in _ROAD_WORDS)
            )
            joined = previous_road is not None and norm[previous_road.nend : h.nstart].strip() in ("-", "–", "—")
            if road or joined:
                h.penalty = 2  # "طريق دمشق – السويداء": both ends name the road, which is the place
                if joined and previous_road is not None:
                    start = words.prev_words(previous_road.nstart, 1)[0][0]
                    surface = text[_src(text, norm, start, to_norm) : _src(text, norm, h.nend, to_norm)]
                    roads.append(PlaceHit(start, h.nend, surface, None, "road", within=previous_road.place))
                previous_road = h if road else None
                continue
            previous_road = None
            if before and before[0] in _METONYM_WORDS:
                h.penalty = 2  # "قوات حكومة دمشق": who rules there, not where it happened
            elif not _DIRECTION_WORDS.isdisjoint(before[:2]):
                h.penalty = 2  # "جنوب دير الزور": somewhere relative to the place, not at it
            elif (
                h.origin
                or stationed
                or h.example
                or not _BETWEEN_WORDS.isdisjoint(before[:3])
                or (h.destination and any(w.startswith(_TRANSFER_STEMS) for w in before[:4]))
            ):
                h.penalty = 2
            elif h.near:
                h.penalty = 1
            h.home = kin and not h.from_origin and h.penalty == 2 and not stationed and not h.example
        if roads:
            hits = sorted(hits + roads, key=lambda h: h.nstart)
        for hit, following in pairwise(hits):
            hit.beside = (
                hit.place is None
                and hit.cue in _AREA_CUES
                and not _BESIDE_WORDS.isdisjoint(w for _, _, w in words.prev_words(following.nstart, 2))
                and following.place is not None
                and words.distance(hit.nend, following.nstart) <= _WITHIN_WINDOW
            )
        return hits

    def choose(self, draft: Any, places: list[PlaceHit], state: Any, doc: Any) -> tuple[EventLocation | None, str]:
        """The most precise place of an event: its span, then anaphors, then its sentence, then the document."""
        trig = draft.triggers[0].pos
        reinforcement = draft.event_type == "reinforcement"
        if draft.event_type in ("arrest", "abduction"):
            places = [p for p in places if not p.destination]
            taken = [p for p in places if p.from_origin and _right_after(doc, draft, p)]
            if taken:  # "اختطافه من قرية X": where he was taken, not where his body was found
                return taken[0].location(), "span"
        in_span = [
            p for p in places if draft.lo <= p.nstart < draft.hi and not (reinforcement and p.origin) and not p.example
        ]
        earlier = [p for p in places if p.nstart < draft.hi and not p.from_origin]
        anaphor = self._anaphor(doc.norm[draft.lo : draft.hi], state, earlier, draft.lo)
        if in_span:
            best = _best(in_span, trig)
            if anaphor is not None and _loc_key(anaphor) < (best.penalty >= 2, best.rank, best.penalty):
                return anaphor, "anaphor"  # "وسط القرية" beats a region or a place only named as origin
            if best.penalty >= DATELINE_PENALTY:  # only the dateline in the span: the sentence's own place is better
                firm = [p for p in places if p.penalty < 2 and not p.example]
                if firm:
                    return _best(firm, trig).location(), "sentence"
            return best.location(), "span"
        if anaphor is not None:
            return anaphor, "anaphor"
        sentence = [p for p in places if not (reinforcement and p.origin) and not p.example]
        if sentence:
            return _best(sentence, trig).location(), "sentence"
        sentence_lo = draft.sentence_lo
        anaphor = self._anaphor(doc.norm[sentence_lo : draft.sentence_hi], state, earlier, sentence_lo)
        if anaphor is not None:
            return anaphor, "anaphor"
        if places:
            return _best(places, trig).location(), "sentence"
        if state.last_event_place is not None:
            return state.last_event_place, "discourse"
        history = [p for p in state.place_history if p.rank <= 5]
        if history:
            return history[-1].location(), "discourse"
        return None, "none"

    def _anaphor(
        self, span_text: str, state: Any, earlier: list[PlaceHit] | None = None, offset: int = 0
    ) -> EventLocation | None:
        """Resolve المدينة / البلدة / المنطقة / المكان to the place the text last named (this sentence first)."""
        if not any(word in span_text for word in _ANAPHORS):
            return None  # the regex needs one of these words: skip it when none is there
        m = _ANAPHOR_RE.search(span_text)
        if m is None:
            return None
        kinds = _ANAPHORS[m.group(1)]
        if kinds and kinds != ("governorate",):
            before = [p for p in earlier or [] if p.nstart < offset + m.start() and p.kind in kinds]
            if before:
                return before[-1].location()
        if _SAME_RE.match(span_text, m.end()) and state.event_places:
            counts = Counter(loc.key() for loc in state.event_places)
            best = max(state.event_places, key=lambda loc: counts[loc.key()])
            if not kinds or best.kind in kinds:
                return best  # "البلدة ذاتها": the town the article is about
        if not kinds:
            if state.last_event_place is not None:
                return state.last_event_place
            return state.place_history[-1].location() if state.place_history else None
        if kinds == ("governorate",) and state.place_history:
            last = state.place_history[-1]
            if last.place is not None and self.gazetteer is not None and last.place.admin1:
                for cand in self.gazetteer.by_name(last.place.admin1):
                    if cand.kind == "governorate":
                        return PlaceHit(0, 0, cand.name_ar, cand, cand.kind).location()
            return None
        for hit in reversed(state.place_history):
            if hit.kind in kinds:
                return hit.location()
        return None


def as_home(places: list[PlaceHit]) -> list[PlaceHit]:
    """"خرج أهالي قرى A وB في مظاهرات": for a protest, the people's villages are where it happened, not origins."""
    return [replace(p, origin=False, penalty=1 if p.near else 0) if p.home else p for p in places]


def _right_after(doc: Any, draft: Any, place: PlaceHit) -> bool:
    """True when only "من" and a place word stand between a trigger and the place ("اختطافه من قرية X");
    "اختطفت مدنياً من بلدة X" names where the victim is from, not where he was taken."""
    return any(
        t.mention.nend <= place.nstart
        and all(w in _TAKEN_FROM_WORDS for _, _, w in doc.words.between(t.mention.nend, place.nstart))
        for t in draft.triggers
    )


@lru_cache(maxsize=4096)
def _arabic_surface(surface: str) -> str | None:
    """The text's own Arabic words for a place, without a leading conjunction or preposition; None for other scripts."""
    words = surface.strip(" \"'“”«»()").split()
    if not words or not ARABIC_LETTER.match(words[0]):
        return None
    return " ".join(words)


def _src(text: str, norm: str, npos: int, to_norm: Callable[[int], int]) -> int:
    """Inverse of to_norm by search (only used for the few cue-named places)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        if to_norm(mid) < npos:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _cue_of(before: list[str]) -> str | None:
    """The place cue word (حي, قرية, مدينة, ريف ...) right before a name, without clitics."""
    return _cue_of_word(before[0]) if before else None


@lru_cache(maxsize=4096)
def _cue_of_word(word: str) -> str | None:
    """`_cue_of` for one word (cached: the same few words stand before place names again and again)."""
    bare = _CUE_CLITICS.sub("", word) if word not in _CUE_KIND else word
    if bare in _CUE_KIND or word in _CUE_KIND:
        return bare if bare in _CUE_KIND else word
    if bare in _COUNTRYSIDE_WORDS:
        return "ريف"
    return None


def _pick_candidate(
    matches: list[PlaceMatch], index: int, cue: str | None, context: PlaceContext | None, gazetteer: Gazetteer
) -> Place | None:
    """Pick among places of one name: the kind the cue asks for, then the text's context (`Gazetteer.choose`).

    None when the only places of that name are Who's On First villages far from everything else the text
    names: the text means a namesake the gazetteer lacks, and the name is kept without coordinates.
    """
    candidates = matches[index].candidates
    wanted = {
        "neighbourhood": ("neighbourhood",),
        "village": ("village", "town"),
        "town": ("town", "village", "city"),
        "city": ("city", "town"),
        "subdistrict": ("subdistrict",),
    }.get(_CUE_KIND.get(cue or "", ""), ())
    if cue == "ريف":
        wanted = ("governorate", "district", "city")
    pool = [place for place in candidates if place.kind in wanted] or list(candidates)
    if context is None:
        return pool[0]
    return gazetteer.choose(matches, index, context, pool, drop_far=True)


def _loc_key(location: EventLocation) -> tuple[bool, int, int]:
    """The same preference order as `_best`, for an already resolved location."""
    return (location.penalty >= 2, KIND_RANK.get(location.kind or "", 6), location.penalty)


def _best(hits: list[PlaceHit], trig: int) -> PlaceHit:
    """Most specific place; the country last, non-origin before origin; nearest to the trigger on ties."""
    return min(
        hits, key=lambda h: (h.kind == "country", h.penalty >= 2, h.beside, h.rank, h.penalty, abs(h.nstart - trig))
    )
