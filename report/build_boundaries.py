"""Build report/data/boundaries.json: Syria's admin0/admin1 outlines and Deir ez-Zor's districts, simplified.

Run once at build time (`python -m report.build_boundaries [SHARED_DATA_DIR]`); the output is committed with the
package so the report never reads ../shared at run time. Shared borders are cut at junctions and each border chain
is simplified once, so neighbouring governorates keep meeting exactly (no slivers between fills).
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Ring = list[Point]

DATA_DIR = Path(__file__).parent / "data"
OUTPUT = DATA_DIR / "boundaries.json"
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
COS_LAT = math.cos(math.radians(34.8))  # longitude degrees are shorter than latitude degrees at Syria's latitude
COARSE_TOLERANCE = 0.006  # degrees: under a pixel on a 900 px country map
FINE_TOLERANCE = 0.002  # degrees: for the Deir ez-Zor inset
INSET_PCODE = "SY09"
INSET_NEIGHBOURS = {"SY04", "SY08", "SY09", "SY11"}  # Deir ez-Zor and the governorates around it
ATTRIBUTION = (
    "Boundaries: UNCS / UN OCHA, via HDX (cod-ab-syr, v02, 2020-12-17), CC BY 3.0 IGO; simplified. The boundaries "
    "and names shown and the designations used do not imply official endorsement or acceptance by the United Nations."
)
NAMES_ATTRIBUTION = "Governorate names and aliases: OpenSyria data-geography (CC BY 4.0)."


def polygons_of(geometry: dict[str, Any]) -> list[list[Ring]]:
    """Return a GeoJSON (Multi)Polygon as a list of polygons, each a list of rings of (lon, lat)."""
    coords = geometry["coordinates"]
    polys = [coords] if geometry["type"] == "Polygon" else coords
    return [[[(float(x), float(y)) for x, y in ring] for ring in poly] for poly in polys]


def segment_distance(p: Point, a: Point, b: Point) -> float:
    """Distance from p to the segment a-b, in latitude degrees (longitude scaled)."""
    px, py, ax, ay, bx, by = p[0] * COS_LAT, p[1], a[0] * COS_LAT, a[1], b[0] * COS_LAT, b[1]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def douglas_peucker(chain: list[Point], tolerance: float) -> list[Point]:
    """Simplify an open chain, keeping both ends and at least one interior vertex when it has any."""
    if len(chain) <= 2:
        return chain
    keep = {0, len(chain) - 1}
    stack = [(0, len(chain) - 1)]
    while stack:
        first, last = stack.pop()
        best, best_at = -1.0, -1
        for i in range(first + 1, last):
            d = segment_distance(chain[i], chain[first], chain[last])
            if d > best:
                best, best_at = d, i
        if best_at > 0 and (best > tolerance or (first == 0 and last == len(chain) - 1 and len(keep) == 2)):
            keep.add(best_at)
            stack += [(first, best_at), (best_at, last)]
    return [chain[i] for i in sorted(keep)]


def find_junctions(rings: list[Ring]) -> set[Point]:
    """Vertices where three or more border chains meet (more than two distinct neighbours)."""
    neighbours: dict[Point, set[Point]] = defaultdict(set)
    for ring in rings:
        for a, b in itertools.pairwise(ring):
            neighbours[a].add(b)
            neighbours[b].add(a)
    return {p for p, ns in neighbours.items() if len(ns) > 2}


def simplify_ring(ring: Ring, junctions: set[Point], done: dict[tuple[Point, ...], list[Point]],
                  tolerance: float) -> Ring:
    """Simplify one closed ring chain by chain, reusing the result for chains shared with other rings."""
    open_ring = ring[:-1] if ring[0] == ring[-1] else ring
    cuts = [i for i, p in enumerate(open_ring) if p in junctions]
    if not cuts:  # an island: cut it in two so each half keeps an interior vertex
        cuts = [0, len(open_ring) // 2]
    start = cuts[0]
    rotated = open_ring[start:] + open_ring[:start]
    cut_set = [*sorted((c - start) % len(open_ring) for c in cuts), len(open_ring)]
    rotated.append(rotated[0])
    result: list[Point] = []
    for a, b in itertools.pairwise(cut_set):
        chain = rotated[a:b + 1]
        key = tuple(chain)
        reverse_key = tuple(reversed(chain))
        if key in done:
            simple = done[key]
        elif reverse_key in done:
            simple = list(reversed(done[reverse_key]))
        else:
            simple = douglas_peucker(chain, tolerance)
            done[key] = simple
        result.extend(simple[:-1])
    result.append(result[0])
    return result


def rounded(ring: Ring, digits: int) -> list[list[float]]:
    """Round a ring's coordinates and drop repeated points."""
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def simplify_layers(layers: dict[str, list[dict[str, Any]]], tolerance: float, digits: int) -> dict[str, Any]:
    """Simplify every polygon of every layer with shared chains simplified once."""
    all_rings = [ring for features in layers.values() for f in features for poly in f["polygons"] for ring in poly]
    junctions = find_junctions(all_rings)
    done: dict[tuple[Point, ...], list[Point]] = {}
    out: dict[str, Any] = {}
    for name, features in layers.items():
        out[name] = [
            {**{k: v for k, v in f.items() if k != "polygons"},
             "polygons": [[rounded(simplify_ring(ring, junctions, done, tolerance), digits) for ring in poly]
                          for poly in f["polygons"]]}
            for f in features
        ]
    return out


def load_aliases(shared: Path) -> dict[str, list[str]]:
    """Governorate spellings by OCHA p-code, from OpenSyria data-geography."""
    aliases: dict[str, list[str]] = {}
    for gov in json.loads((shared / "opensyria_geography" / "governorates.json").read_text(encoding="utf-8")):
        pcode = gov["externalIds"]["ochaPcode"]
        names = [gov["name"]["en"], gov["name"]["ar"], *(a["value"] for a in gov["aliases"])]
        aliases[pcode] = list(dict.fromkeys(names))
    return aliases


def build(shared: Path) -> dict[str, Any]:
    """Read the shared boundary files and return the report's boundary data."""
    folder = shared / "boundaries"
    adm0 = json.loads((folder / "syr_adm0.geojson").read_text(encoding="utf-8"))
    adm1 = json.loads((folder / "syr_adm1.geojson").read_text(encoding="utf-8"))
    adm2 = json.loads((folder / "syr_adm2.geojson").read_text(encoding="utf-8"))
    aliases = load_aliases(shared)
    country = [{"pcode": "SY", "polygons": polygons_of(f["geometry"])} for f in adm0["features"]]
    governorates = []
    for f in adm1["features"]:
        p = f["properties"]
        names = [p["adm1_name"], p["adm1_ref_name"], p["adm1_name_ar"], *aliases.get(p["adm1_pcode"], [])]
        governorates.append({
            "pcode": p["adm1_pcode"], "name": aliases.get(p["adm1_pcode"], [p["adm1_name"]])[0],
            "name_ar": p["adm1_name_ar"], "aliases": list(dict.fromkeys(names)),
            "center": [p["center_lon"], p["center_lat"]], "polygons": polygons_of(f["geometry"])})
    districts = [
        {"pcode": f["properties"]["adm2_pcode"], "name": f["properties"]["adm2_name"],
         "name_ar": f["properties"]["adm2_name_ar"], "polygons": polygons_of(f["geometry"])}
        for f in adm2["features"] if f["properties"]["adm1_pcode"] == INSET_PCODE]
    layers = {"admin0": country, "admin1": governorates, "inset_admin2": districts}
    coarse = simplify_layers({"admin0": country, "admin1": governorates}, COARSE_TOLERANCE, 3)
    fine = simplify_layers(layers, FINE_TOLERANCE, 4)
    return {
        "attribution": ATTRIBUTION, "names_attribution": NAMES_ATTRIBUTION,
        "tolerance_degrees": {"coarse": COARSE_TOLERANCE, "fine": FINE_TOLERANCE},
        "coarse": coarse,
        "fine": {"admin1": [g for g in fine["admin1"] if g["pcode"] in INSET_NEIGHBOURS],
                 "inset_admin2": fine["inset_admin2"]},
    }


def main(argv: list[str]) -> int:
    """Write the boundary file from the shared data folder (default ../shared/data)."""
    shared = Path(argv[0]) if argv else DEFAULT_SHARED
    data = build(shared)
    DATA_DIR.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
