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
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from extraction.lexicon import word_map, word_set
from extraction.normalize import _replace_all, normalize_ar, normalize_keep_offsets

GAZETTEER_PATH = Path(__file__).parent / "data" / "gazetteer.tsv"
BLOCKLIST_PATH = Path(__file__).parent / "data" / "places_blocklist.tsv"

# Point-like kinds come before area kinds of the same name; inside each group the order is "more specific first".
_POINT_KINDS = ("neighbourhood", "base", "airport", "oilfield", "crossing", "village", "town", "city")
_AREA_KINDS = ("subdistrict", "district", "governorate", "desert", "region", "country")
PLACE_KINDS = frozenset(_POINT_KINDS + _AREA_KINDS)
_KIND_RANK = {kind: rank for rank, kind in enumerate(_POINT_KINDS + _AREA_KINDS)}

# Words that, right before a name, say that a place follows (normalised, ta marbuta folded to ha).
CUE_WORDS = frozenset(normalize_ar(word) for word in word_set("gazetteer_cue"))
_ARABIC_PROCLITICS = re.compile(r"^([وف]?)([بلك]?)$")
_ELIDED_PROCLITICS = re.compile(r"^([وف]?)ل$")  # "للباب" = ل + الباب with the article's alef dropped
# English articles: "surface" ones are also shown as part of a matched name ("al-Mayadin"), "key" ones only stripped.
_ARTICLE_USE = word_map("english_article")
_ENGLISH_ARTICLE = re.compile(r"^(?:" + "|".join(map(re.escape, _ARTICLE_USE)) + r")[ -]", re.IGNORECASE)
_ENGLISH_ARTICLES = frozenset(word for word, use in _ARTICLE_USE.items() if use == "surface")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")


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


def _fold_char(ch: str) -> str:
    """Fold one already Arabic-normalised character for matching, always to exactly one character."""
    if ch.isspace() or ch in "-–—_":
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
        **{c: " " for c in "-–—_"},
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
    for run in _SPACE_RUN.finditer(folded):
        start, end = run.span()
        keep_to = start + 1 if start > 0 else start  # one space between words, none at the start
        pieces.append(folded[position:keep_to])
        kept.extend(offsets[position:keep_to])
        position = end
    pieces.append(folded[position:])
    kept.extend(offsets[position:])
    return "".join(pieces), kept


_KEY_FOLD = str.maketrans({**{c: " " for c in "-–—_"}, **{c: "'" for c in "‘’`ʿʾ′´"}})
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


def _is_arabic(key: str) -> bool:
    """True when the key is written in Arabic letters."""
    return bool(_ARABIC_LETTER.search(key))


def _rank(place: Place) -> tuple[int, int, int, str]:
    """Sort key for candidates: points before areas, then larger population, then more specific kind."""
    rank = _KIND_RANK.get(place.kind, len(_KIND_RANK))
    is_area = 1 if place.kind in _AREA_KINDS else 0
    if is_area:
        return (1, rank, -(place.population or 0), place.id)
    return (0, -(place.population or 0), rank, place.id)


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
        by_key: dict[str, set[str]] = {}
        self._cue_keys: set[str] = set()
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
            # cue names: Arabic ones need a place cue before them, English ones are never matched
            unmatched = {english_key(n) for n in _split(row["cue_names"]) if not _is_arabic(n)}
            self._cue_keys.update(name_key(n) for n in _split(row["cue_names"]) if _is_arabic(n))
            names = [place.name_ar, *_split(row["names_ar"]), place.name, *_split(row["names_en"])]
            for name in names:
                key = english_key(name) if not _is_arabic(name) else name_key(name)
                if len(key.replace(" ", "")) >= 3 and key not in unmatched:
                    by_key.setdefault(key, set()).add(place.id)
        self._by_key: dict[str, tuple[Place, ...]] = {
            key: tuple(sorted((self._places[i] for i in ids), key=_rank)) for key, ids in by_key.items()
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
        for last, (key, elided) in self._automaton.iter(folded):
            length = len(key) - 1 if elided else len(key)
            start = last - length + 1
            end = last + 1
            if end < len(folded) and folded[end].isalnum():
                continue
            span_start = self._accept_start(text, folded, offsets, start, key, elided, allow_common_words)
            if span_start is not None:
                found.append((span_start, end, key))
        found.sort(key=lambda item: (-(item[1] - item[0]), item[0]))
        taken: list[tuple[int, int, str]] = []
        occupied = bytearray(len(folded))
        for item in found:
            if 1 not in occupied[item[0] : item[1]]:
                taken.append(item)
                occupied[item[0] : item[1]] = b"\x01" * (item[1] - item[0])
        taken.sort()
        matches: list[PlaceMatch] = []
        for start, end, key in taken:
            if key in self._blocked:
                continue
            begin = offsets[start]
            finish = offsets[end - 1] + 1
            matches.append(PlaceMatch(begin, finish, text[begin:finish], self._by_key[key]))
        return matches

    def resolve(self, matches: list[PlaceMatch]) -> list[Place]:
        """Pick one place per match, preferring places that fit the other places of the same text.

        A candidate gains when a city, district or governorate it lies in is itself mentioned
        ("حي الحميدية" next to "دير الزور" is Deir ez-Zor's al-Hamidiyah, not the Tartus town), and
        when its governorate is the one most other unambiguous mentions point to. Ties keep the
        candidate order of `find`.
        """
        votes: dict[str, float] = {}
        for match in matches:
            governorates = {place.admin1 for place in match.candidates if place.admin1}
            for admin1 in governorates:
                votes[admin1] = votes.get(admin1, 0.0) + 1.0 / len(governorates)
        chosen: list[Place] = []
        for index, match in enumerate(matches):
            elsewhere = {place.id for other, m in enumerate(matches) if other != index for place in m.candidates}
            ranked = [
                (self._ancestors_in(place, elsewhere), votes.get(place.admin1 or "", 0.0), -position, place)
                for position, place in enumerate(match.candidates)
            ]
            chosen.append(max(ranked, key=lambda item: item[:3])[3])
        return chosen

    def _ancestors_in(self, place: Place, ids: set[str]) -> int:
        """How many of the place's enclosing places are among `ids`."""
        count = 0
        parent = self.parent(place)
        while parent is not None:
            count += parent.id in ids
            parent = self.parent(parent)
        return count

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
        word_start = start
        while word_start > 0 and folded[word_start - 1].isalnum():
            word_start -= 1
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
        return _extend_over_article(folded, start)


def _cue_before(folded: str, word_start: int) -> bool:
    """True when the word before `word_start` is a place cue such as قرية or حي (with or without a proclitic)."""
    end = word_start - 1
    if end <= 0 or folded[end] != " ":
        return False
    begin = end
    while begin > 0 and folded[begin - 1].isalnum():
        begin -= 1
    word = folded[begin:end]
    if word in CUE_WORDS:
        return True
    stripped = re.sub(r"^[وف]?[بلك]?", "", word)
    return stripped in CUE_WORDS


def _extend_over_article(folded: str, start: int) -> int:
    """Include a preceding English article ("al-", "ad-", "el ") in the surface of an English match."""
    if start >= 2 and folded[start - 1] == " ":
        begin = start - 1
        while begin > 0 and folded[begin - 1].isalpha():
            begin -= 1
        if folded[begin : start - 1] in _ENGLISH_ARTICLES and (begin == 0 or not folded[begin - 1].isalnum()):
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
