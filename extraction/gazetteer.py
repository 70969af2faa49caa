"""Place gazetteer: loads extraction/data/gazetteer.tsv and finds place names in Arabic and English text.

    gazetteer = load_gazetteer()
    for match in gazetteer.find("قصفت الطائرات مواقع بدير الزور والميادين"):
        match.start, match.end, match.surface, match.candidates[0].id
    places = gazetteer.resolve(matches)      # one place per match, using the other mentions
    gazetteer.get("ocha:SY09"), gazetteer.by_name("Deir Ezzor"), gazetteer.parent(place)

The data file is rebuilt by `python -m extraction.build_gazetteer`; sources in data/SOURCES.md.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from extraction.lexicon import english_calendar_words, word_map, word_set
from extraction.normalize import ARABIC_LETTER, _replace_all, normalize_ar, normalize_keep_offsets, space_runs

GAZETTEER_PATH = Path(__file__).parent / "data" / "gazetteer.tsv"
BLOCKLIST_PATH = Path(__file__).parent / "data" / "places_blocklist.tsv"

# Point-like kinds come before area kinds of the same name; inside each group the order is "more specific first".
_POINT_KINDS = ("neighbourhood", "base", "airport", "oilfield", "crossing", "village", "town", "city")
_AREA_KINDS = ("subdistrict", "district", "governorate", "desert", "region", "country")
PLACE_KINDS = frozenset(_POINT_KINDS + _AREA_KINDS)
_KIND_RANK = {kind: rank for rank, kind in enumerate(_POINT_KINDS + _AREA_KINDS)}

# Words that, right before a name, say that a place follows (normalised, ta marbuta folded to ha).
CUE_WORDS = frozenset(normalize_ar(word) for word in word_set("gazetteer_cue"))
_LIST_HEADS = frozenset(normalize_ar(word) for word in word_set("place_list_head"))
_LIST_CLITICS = re.compile(r"^(?:[وف]?[بل]?(?:ال)?)(?=\w{3})")
_LIST_WINDOW, _LIST_ITEMS, _ITEM_WORDS = 200, 10, 3  # how far back, how many items, words per item
_LIST_GAP_CHARS = 6  # characters between two list items ("، و", " و")
_QUOTES_SPACE = ' "“”«»()'
_OPENING_MARKS = '"“«('
_ARABIC_PROCLITICS = re.compile(r"^([وف]?)([بلك]?)$")
_ELIDED_PROCLITICS = re.compile(r"^([وف]?)ل$")  # "للباب" = ل + الباب with the article's alef dropped
_CUE_PROCLITICS = re.compile(r"^[وف]?[بلك]?")  # compiled once: _cue_word_before runs per candidate name
# English articles: "surface" ones are also shown as part of a matched name ("al-Mayadin"), "key" ones only stripped.
_ARTICLE_USE = word_map("english_article")
_ENGLISH_ARTICLE = re.compile(r"^(?:" + "|".join(map(re.escape, _ARTICLE_USE)) + r")[ -]", re.IGNORECASE)
_ENGLISH_ARTICLES = frozenset(word for word, use in _ARTICLE_USE.items() if use == "surface")
_NEXT_CAPITALISED = re.compile(r" ([A-Z][a-z]+)")
# "Hama Tuesday", "Daraa Province": capitalised words that go on no place name
_NOT_NAME_WORDS = word_set("english_place_word") | english_calendar_words()


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: an admin unit, settlement, neighbourhood, base, field, crossing or area."""

    id: str
    name: str
    name_ar: str
    kind: str
    admin1: str | None
    admin2: str | None
    admin3: str | None
    pcode: str | None
    lat: float | None
    lon: float | None
    parent_id: str | None
    population: int | None


@dataclass(frozen=True)
class PlaceMatch:
    """A place name found in a text, with every place of that name, best first."""

    start: int
    end: int
    surface: str
    candidates: tuple[Place, ...]


_HYPHENS = "-\u2010\u2011\u2012–—\u2212_"  # "al‑Qamishli" is often written with a non-breaking hyphen


def _fold_char(ch: str) -> str:
    """Fold one already Arabic-normalised character for matching, always to exactly one character."""
    if ch.isspace() or ch in _HYPHENS:
        return " "
    if ch in "‘’`ʿʾ′´":
        return "'"
    if "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff":  # Latin letters with diacritics
        ch = unicodedata.normalize("NFD", ch)[0]
    low = ch.lower()
    return low if len(low) == 1 else ch


_SPACE_FOLD = str.maketrans(
    {
        **{chr(code): " " for code in range(0x3001) if chr(code).isspace()},
        **{c: " " for c in _HYPHENS},
        **{c: "'" for c in "‘’`ʿʾ′´"},
    }
)
# the same table as pairs: str.replace for the few characters present is far faster than translate on Arabic
_SPACE_FOLD_PAIRS = tuple((chr(code), str(new)) for code, new in _SPACE_FOLD.items() if chr(code) != new)
# characters whose folding needs _fold_char: Latin letters with diacritics, dotted capital I, capital sigma
_SLOW_CHARS = re.compile("[\u00c0-\u024f\u1e00-\u1eff\u0130\u03a3]")
_SPACE_RUN = re.compile("^ +| {2,}")  # single spaces between words stay as they are


def _match_text(text: str) -> tuple[str, list[int]]:
    """Normalise `text` for matching (one space between words) and map each character back to `text`.

    Every character is folded by `_fold_char`; a translate table does the same for the usual characters.
    """
    norm, offsets = normalize_keep_offsets(text)
    slow = _SLOW_CHARS.search(norm) is not None
    folded = "".join(_fold_char(ch) for ch in norm) if slow else _replace_all(norm, _SPACE_FOLD_PAIRS).lower()
    if "  " not in folded and not folded.startswith(" "):
        return folded, offsets  # nothing for _SPACE_RUN to fold: skip its walk over the whole text
    pieces: list[str] = []
    kept: list[int] = []
    position = 0
    for start, end in space_runs(folded, leading=True):  # the spans of _SPACE_RUN.finditer(folded)
        keep_to = start + 1 if start > 0 else start  # one space between words, none at the start
        pieces.append(folded[position:keep_to])
        kept.extend(offsets[position:keep_to])
        position = end
    pieces.append(folded[position:])
    kept.extend(offsets[position:])
    return "".join(pieces), kept


_KEY_FOLD = str.maketrans({**{c: " " for c in _HYPHENS}, **{c: "'" for c in "‘’`ʿʾ′´"}})
_LATIN_EXTENDED = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def name_key(name: str) -> str:
    """The matching key of a name: normalised, lower-cased, hyphens as spaces, one space between words.

    Same result as folding the name the way `find` folds a text, but without tracking offsets (fast at load).
    """
    text = normalize_ar(name).translate(_KEY_FOLD)
    folded = "".join(_fold_char(ch) for ch in text) if _LATIN_EXTENDED.search(text) else text.lower()
    return " ".join(folded.split())


def english_key(name: str) -> str:
    """The key of an English name without a leading article ("al-Mayadin" -> "mayadin")."""
    key = name_key(name)
    stripped = _ENGLISH_ARTICLE.sub("", key, count=1)
    return stripped if len(stripped) >= 3 else key


@lru_cache(maxsize=16384)  # asked for every candidate match of every text, of the same few thousand keys
def _is_arabic(key: str) -> bool:
    """True when the key is written in Arabic letters."""
    return bool(ARABIC_LETTER.search(key))


# Among points of equal population: named sites first, then the larger settlement (an admin seat is a town).
_POINT_ORDER = {
    kind: rank
    for rank, kind in enumerate(("neighbourhood", "base", "airport", "oilfield", "crossing", "city", "town", "village"))
}
# Hand-coded places first, then OpenSyria and GeoNames cities500, then Who's On First localities.
_SOURCE_TIER = {"raqib": 0, "ocha": 1, "geonames": 1, "wof": 2}


def _tier(place: Place) -> int:
    """How much we trust a place's source: 0 hand-coded, 1 OpenSyria / GeoNames cities500, 2 Who's On First."""
    return _SOURCE_TIER.get(place.id.split(":", 1)[0], 2)


def _rank(place: Place, main_name: bool = True) -> tuple[int, int, int, int, int, str]:
    """Sort key for the candidates of one name: points before areas; among points the larger population, the
    more trusted source, the place whose main name it is, named sites before settlements, larger settlements
    before smaller; the id only breaks what is left."""
    if place.kind in _AREA_KINDS:
        return (1, _KIND_RANK[place.kind], -(place.population or 0), 0, 0, place.id)
    kind = _POINT_ORDER.get(place.kind, len(_POINT_ORDER))
    return (0, -(place.population or 0), _tier(place), 0 if main_name else 1, kind, place.id)


_POINT_SET = frozenset(_POINT_KINDS)
_ANCHOR_SPREAD_KM = 25.0  # a mention whose places of that name all lie this close together pins the text down
_FAR_KM = 100.0  # a Who's On First village this far from every anchored place of the text is another village
_BEFORE_GAP = 20  # "X في ريف حماة" names the area after the place; an area named before counts as a bit farther


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in km (enough inside one country)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


@dataclass(frozen=True)
class PlaceContext:
    """What the other mentions of a text say: the places each names, and the mentions that pin a point down."""

    named: tuple[tuple[int, int, frozenset[str]], ...]  # per match: start, end, ids of the places it may name
    anchors: tuple[tuple[int, float, float], ...]  # match index, lat, lon of mentions with one clear point


def _ranker(key: str, primary: dict[str, str]) -> Callable[[Place], tuple[int, int, int, int, int, str]]:
    """`_rank` for the candidates of the name `key` (knowing whose main name it is)."""
    return lambda place: _rank(place, primary[place.id] == key)


def _optional_float(value: str) -> float | None:
    """Parse a float column that may be empty."""
    return float(value) if value else None


def _optional_int(value: str) -> int | None:
    """Parse an integer column that may be empty."""
    return int(float(value)) if value else None


def _split(value: str) -> list[str]:
    """Split a |-separated variant column."""
    return [part.strip() for part in value.split("|") if part.strip()]


class Gazetteer:
    """Places indexed by every Arabic and English name, with one Aho-Corasick automaton for finding them."""

    def __init__(self, rows: list[dict[str, str]], blocked_phrases: list[str] | None = None) -> None:
        """Index the rows of gazetteer.tsv; blocked phrases (group and outlet names) are consumed, never reported."""
        self._places: dict[str, Place] = {}
        self._chains: dict[str, frozenset[str]] = {}
        primary: dict[str, str] = {}  # place id -> key of its main Arabic name
        by_key: dict[str, set[str]] = {}
        cued: dict[str, set[str]] = {}  # key -> places for which that name needs a place cue
        keys: dict[str, str] = {}  # name -> its key (names repeat across places: compute each once)

        def key_of(name: str) -> str:
            key = keys.get(name)
            if key is None:
                key = keys[name] = english_key(name) if not _is_arabic(name) else name_key(name)
            return key

        for row in rows:
            place = Place(
                id=row["id"],
                name=row["name"],
                name_ar=row["name_ar"],
                kind=row["kind"],
                admin1=row["admin1"] or None,
                admin2=row["admin2"] or None,
                admin3=row["admin3"] or None,
                pcode=row["pcode"] or None,
                lat=_optional_float(row["lat"]),
                lon=_optional_float(row["lon"]),
                parent_id=row["parent_id"] or None,
                population=_optional_int(row["population"]),
            )
            self._places[place.id] = place
            primary[place.id] = key_of(place.name_ar)
            # cue names: Arabic ones need a place cue before them, English ones are never matched
            unmatched = set()
            for name in _split(row["cue_names"]) if row["cue_names"] else ():
                if _is_arabic(name):
                    cued.setdefault(key_of(name), set()).add(place.id)
                else:
                    unmatched.add(key_of(name))
            names = [place.name_ar, *_split(row["names_ar"]), place.name, *_split(row["names_en"])]
            if place.kind == "governorate":  # "Daraa province": the governorate, not its city
                names += [f"{name} province" for name in (place.name, *_split(row["names_en"])) if " " not in name]
            for name in names:
                key = key_of(name)
                if key.startswith("محافظه ") and place.kind != "governorate":
                    continue  # "محافظة إدلب" names the governorate, whatever a source lists for its city
                if key.startswith("مدينه ") and place.kind in _AREA_KINDS:
                    continue  # "مدينة إدلب" names the city, whatever a source lists for its district
                if key not in unmatched and len(key.replace(" ", "")) >= 3:
                    by_key.setdefault(key, set()).add(place.id)
        self._by_key: dict[str, tuple[Place, ...]] = {
            key: tuple(sorted((self._places[i] for i in ids), key=_ranker(key, primary))) for key, ids in by_key.items()
        }
        # a name that needs a cue for every place of that name, and names that need it for some places only:
        # without a cue those keys offer only the places that may be named alone
        self._cue_keys = {key for key, ids in cued.items() if key in by_key and by_key[key] <= ids}
        self._free: dict[str, tuple[Place, ...]] = {
            key: tuple(p for p in self._by_key[key] if p.id not in ids)
            for key, ids in cued.items()
            if key in by_key and key not in self._cue_keys
        }
        self._blocked = {
            key
            for key in (english_key(p) if not _is_arabic(p) else name_key(p) for p in blocked_phrases or [])
            if key not in self._by_key
        }
        self._automaton = ahocorasick.Automaton()
        for key in self._blocked:
            self._automaton.add_word(key, (key, False))
        for key in self._by_key:
            self._automaton.add_word(key, (key, False))
            if key.startswith("ال") and len(key) > 3:
                elided = key[1:]
                if elided not in self._by_key:
                    self._automaton.add_word(elided, (key, True))
        self._automaton.make_automaton()

    def __len__(self) -> int:
        """Number of places."""
        return len(self._places)

    def places(self) -> list[Place]:
        """All places, in file order."""
        return list(self._places.values())

    def get(self, place_id: str) -> Place | None:
        """The place with this id, if any."""
        return self._places.get(place_id)

    def parent(self, place: Place) -> Place | None:
        """The enclosing place (subdistrict, district, governorate, city), if known."""
        return self._places.get(place.parent_id) if place.parent_id else None

    def by_name(self, name: str) -> list[Place]:
        """Every place with this Arabic or English name (normalisation-aware), best first."""
        key = english_key(name) if not _is_arabic(name) else name_key(name)
        found = self._by_key.get(key)
        if found is None and _is_arabic(key) and not key.startswith("ال"):
            found = self._by_key.get("ال" + key)
        return list(found or ())

    def find(self, text: str, *, allow_common_words: bool = False) -> list[PlaceMatch]:
        """Find place names in `text`: whole words, clitic-aware, longest match first, non-overlapping, in order.

        Names flagged as common words ("السلام", "النصر") match only after a place cue such as
        قرية or حي, unless `allow_common_words` is set.
        """
        folded, offsets = _match_text(text)
        found: list[tuple[int, int, str]] = []  # (start in folded, end in folded, key)
        cue_only: list[tuple[int, int, str]] = []  # names refused only for want of a cue: a list may vouch for them
        for last, (key, elided) in self._automaton.iter(folded):
            length = len(key) - 1 if elided else len(key)
            start = last - length + 1
            end = last + 1
            if end < len(folded) and folded[end].isalnum():
                continue
            if start > 2 and folded[start - 3 : start].isalnum():
                continue  # more than a two-letter proclitic before the name: inside another word
            span_start = self._accept_start(text, folded, offsets, start, key, elided, allow_common_words)
            if span_start is not None:
                found.append((span_start, end, key))
            elif key in self._cue_keys and _is_arabic(key) and key in self._by_key:
                relaxed = self._accept_start(text, folded, offsets, start, key, elided, True)
                if relaxed is not None:
                    cue_only.append((relaxed, end, key))
        starts = {a for a, _, _ in found}
        found = [  # "Beit" of "Beit Jinn": part of a longer name the gazetteer lacks, unless a name follows
            (a, b, key)
            for a, b, key in found
            if _is_arabic(key) or b + 1 in starts or not _longer_english_name(text, offsets[b - 1] + 1)
        ]
        if self._free and not allow_common_words:  # names that only some places of that name may carry alone
            found = [
                (a, b, key + _UNCUED)
                if key in self._free and not _cue_before(folded, _word_start(folded, a))
                else (a, b, key)
                for a, b, key in found
            ]
        found.sort(key=lambda item: (-(item[1] - item[0]), item[0]))
        taken: list[tuple[int, int, str]] = []
        occupied = bytearray(len(folded))
        for item in found:
            if 1 not in occupied[item[0] : item[1]]:
                taken.append(item)
                occupied[item[0] : item[1]] = b"\x01" * (item[1] - item[0])
        taken.sort()
        if cue_only:
            taken = _vouched_by_list(folded, taken, cue_only)
        matches: list[PlaceMatch] = []
        for start, end, key in taken:
            if key in self._blocked:
                continue
            begin = offsets[start]
            finish = offsets[end - 1] + 1
            candidates = self._free[key[:-1]] if key.endswith(_UNCUED) else self._by_key[key]
            matches.append(PlaceMatch(begin, finish, text[begin:finish], candidates))
        return matches

    def resolve(self, matches: list[PlaceMatch]) -> list[Place]:
        """Pick one place per match from the other places of the same text (see `choose`)."""
        context = self.context(matches)
        return [self.choose(matches, index, context) or match.candidates[0] for index, match in enumerate(matches)]

    def context(self, matches: list[PlaceMatch]) -> PlaceContext:
        """The places each mention may name, and the mentions that pin a point down, for `choose`.

        A mention names its candidates and, for a countryside region or desert ("ريف حماة"), the governorate
        that region belongs to. A mention is an anchor when its first point candidate is clear: every other
        point of that name lies within 25 km of it or comes from a less trusted source.
        """
        named: list[tuple[int, int, frozenset[str]]] = []
        anchors: list[tuple[int, float, float]] = []
        for index, match in enumerate(matches):
            ids = {place.id for place in match.candidates}
            ids.update(p.parent_id for p in match.candidates if p.kind in ("region", "desert") and p.parent_id)
            named.append((match.start, match.end, frozenset(ids)))
            points = [p for p in match.candidates if p.kind in _POINT_SET and p.lat is not None and p.lon is not None]
            if not points:
                continue
            first = points[0]
            lat, lon, tier = first.lat or 0.0, first.lon or 0.0, _tier(first)
            if all(_tier(p) > tier or _km(lat, lon, p.lat or 0.0, p.lon or 0.0) <= _ANCHOR_SPREAD_KM for p in points):
                anchors.append((index, lat, lon))
        return PlaceContext(tuple(named), tuple(anchors))

    def choose(
        self,
        matches: list[PlaceMatch],
        index: int,
        context: PlaceContext,
        pool: list[Place] | tuple[Place, ...] | None = None,
        *,
        drop_far: bool = False,
    ) -> Place | None:
        """Choose the place of `matches[index]` among `pool` (default: its candidates, best first).

        1. A place whose enclosing city, sub-district, district or governorate another mention names wins
           ("قرية X في ريف حماة" is the X in Hama); the nearest such mention in the text decides, a mention
           after the name a little before one ahead of it, then how many of its enclosing places are named.
        2. Otherwise, unless the first candidate is a city or an area, the point nearest to the anchored
           places of the text (mentions whose place is clear) wins.
        3. Otherwise the candidate order of `find`: larger population, hand-coded before OpenSyria/GeoNames
           before Who's On First, the place whose main name it is, larger settlement before smaller.
        With `drop_far`, a Who's On First village nothing in the text supports, more than 100 km from every
        anchored place, is taken for a namesake the gazetteer lacks: None.
        """
        match = matches[index]
        pool = list(pool or match.candidates)
        if len(pool) == 1 and not (drop_far and _tier(pool[0]) == 2 and context.anchors):
            return pool[0]
        supported: list[tuple[int, int, Place]] = []
        for place in pool:
            chain = self._chain(place)
            gap: int | None = None
            named: set[str] = set()
            for other, (start, end, ids) in enumerate(context.named):
                common = chain & ids if other != index else None
                if common:
                    named |= common
                    apart = start - match.end if start >= match.end else match.start - end + _BEFORE_GAP
                    gap = apart if gap is None else min(gap, apart)
            if gap is not None:
                supported.append((gap, -len(named), place))
        if supported:
            best = min(item[:2] for item in supported)
            pool = [place for gap, count, place in supported if (gap, count) == best]
        first = pool[0]
        anchors = [
            (lat, lon)
            for other, lat, lon in context.anchors
            if other != index and matches[other].candidates is not match.candidates
        ]
        if not anchors:
            return first

        def distance(place: Place) -> float:
            if place.lat is None or place.lon is None:
                return math.inf
            return min(_km(place.lat, place.lon, lat, lon) for lat, lon in anchors)

        if len(pool) > 1 and first.kind in _POINT_SET and first.kind != "city":
            first = min((p for p in pool if p.kind in _POINT_SET), key=distance)
        if drop_far and not supported and all(_tier(p) == 2 for p in pool) and distance(first) > _FAR_KM:
            return None
        return first

    def _chain(self, place: Place) -> frozenset[str]:
        """Ids of the places that enclose `place` (its parent, the parent's parent ...), cached."""
        chain = self._chains.get(place.id)
        if chain is None:
            ids: list[str] = []
            parent = self.parent(place)
            while parent is not None and len(ids) < 8:
                ids.append(parent.id)
                parent = self.parent(parent)
            chain = self._chains[place.id] = frozenset(ids)
        return chain

    def _accept_start(
        self,
        text: str,
        folded: str,
        offsets: list[int],
        start: int,
        key: str,
        elided: bool,
        allow_common_words: bool,
    ) -> int | None:
        """Check the left edge of a candidate match; return where its surface starts, or None to reject."""
        word_start = _word_start(folded, start)
        prefix = folded[word_start:start]
        if _is_arabic(key):
            pattern = _ELIDED_PROCLITICS if elided else _ARABIC_PROCLITICS
            if not pattern.match(prefix):
                return None
            if key in self._cue_keys and not allow_common_words and not _cue_before(folded, word_start):
                return None
            return start
        if prefix:
            return None
        if not text[offsets[start]].isupper():  # English place names are capitalised
            return None
        return _extend_over_article(folded, start, text, offsets)


_UNCUED = "\x00"  # marks a found key whose name had no cue before it: only the places free of the cue rule count


_LIST_GAP = re.compile(r"[\s\"“”«»()،,]*(?:و\s+)?")  # what may stand between two items of a list


def _vouched_by_list(
    folded: str, taken: list[tuple[int, int, str]], cue_only: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Add names refused for want of a cue that continue a list after a name taken ("كنصفرة وسفوهن")."""
    taken = sorted(taken)
    changed = True
    while changed:
        changed = False
        for a, b, key in cue_only:
            if any(x < b and a < y for x, y, _ in taken):
                continue  # overlaps a name taken already (or itself, once added)
            word = _word_start(folded, a)
            clitic = folded[word:a]
            if clitic not in ("", "و"):
                continue
            previous = max((y for _, y, _ in taken if y <= word), default=None)
            if previous is not None and word - previous <= _LIST_GAP_CHARS and _joins(folded, previous, word):
                taken.append((a, b, key))  # "كنصفرة وسفوهن": the known name before vouches for the next one
                taken.sort()
                changed = True
    return taken


def _joins(folded: str, end: int, start: int) -> bool:
    """True when only a list's comma or "و" joins the name ending at `end` to the word starting at `start`."""
    gap = folded[end:start]
    conjunction = "،" in gap or "," in gap or gap.strip().startswith("و") or folded.startswith("و", start)
    return conjunction and _LIST_GAP.fullmatch(gap) is not None


def _word_start(folded: str, start: int) -> int:
    """Where the word containing `start` begins (a proclitic before a name belongs to the word)."""
    while start > 0 and folded[start - 1].isalnum():
        start -= 1
    return start


def _cue_before(folded: str, word_start: int) -> bool:
    """True when the word before `word_start` is a place cue such as قرية or حي (with or without a proclitic),
    or when the name is an item of a list that such a cue opens ("بلدات البارة، وإحسم، وبلشون")."""
    return _cue_word_before(folded, word_start) or _listed_under_cue(folded, word_start)


def _listed_under_cue(folded: str, word_start: int) -> bool:
    """True when the name at `word_start` continues a comma list whose head is a settlement cue ("قرى A، B، C")."""
    rest = folded[max(0, word_start - _LIST_WINDOW) : word_start].rstrip(_QUOTES_SPACE)
    if rest.endswith(("،", ",")):
        rest = rest[:-1]
    elif not folded.startswith("و", word_start):
        return False  # a plain space before the name: a list goes on with a comma or "و"
    for _ in range(_LIST_ITEMS):
        head, comma, item = rest.rpartition("،") if "،" in rest else rest.rpartition(",")
        words = [w.strip(_QUOTES_SPACE) for w in item.split()]
        for index, word in enumerate(words):
            bare = _LIST_CLITICS.sub("", word)
            if (bare in _LIST_HEADS or word in _LIST_HEADS) and len(words) - index - 1 <= _ITEM_WORDS:
                return True
        if not comma or len(words) > _ITEM_WORDS:
            return False
        rest = head.rstrip(_QUOTES_SPACE)
    return False


def _cue_word_before(folded: str, word_start: int) -> bool:
    """True when the word right before `word_start` (past an opening quote) is a place cue."""
    while word_start > 0 and folded[word_start - 1] in _OPENING_MARKS:
        word_start -= 1
    end = word_start - 1
    if end <= 0 or folded[end] != " ":
        return False
    begin = end
    while begin > 0 and folded[begin - 1].isalnum():
        begin -= 1
    word = folded[begin:end]
    if word in CUE_WORDS:
        return True
    stripped = _CUE_PROCLITICS.sub("", word)
    return stripped in CUE_WORDS


def _longer_english_name(text: str, after: int) -> bool:
    """True when a capitalised word that is not a place or calendar word ("Province", "Tuesday") follows a name."""
    match = _NEXT_CAPITALISED.match(text, after)
    return match is not None and match.group(1).lower() not in _NOT_NAME_WORDS


def _extend_over_article(folded: str, start: int, text: str, offsets: list[int]) -> int:
    """Include a preceding English article ("al-", "ad-", "el ") in the surface of an English match.

    Written apart, only "al" and "el" are articles: "such as Qamishli", "at Tal Abyad" keep their English word.
    """
    if start >= 2 and folded[start - 1] == " ":
        begin = start - 1
        while begin > 0 and folded[begin - 1].isalpha():
            begin -= 1
        article = folded[begin : start - 1]
        if article in _ENGLISH_ARTICLES and (begin == 0 or not folded[begin - 1].isalnum()):
            joined = text[offsets[start - 1]] != " "  # "as-Suwayda": a hyphen joins the article to the name
            if joined or article in ("al", "el"):
                return begin
    return start


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read gazetteer.tsv rows (lines starting with # are the provenance header)."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_blocklist(path: Path) -> list[str]:
    """Read the phrases of places_blocklist.tsv (first column; # lines and the header skipped)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and not line.startswith(("#", "phrase\t"))]


@lru_cache(maxsize=4)
def load_gazetteer(path: Path = GAZETTEER_PATH, blocklist: Path = BLOCKLIST_PATH) -> Gazetteer:
    """Load the committed gazetteer and its blocklist once per path (cached)."""
    return Gazetteer(read_rows(path), read_blocklist(blocklist))
