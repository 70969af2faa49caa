"""Shipped boundaries, governorate names, and the simple projection the map uses."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

BOUNDARIES = Path(__file__).parent / "data" / "boundaries.json"
_ARABIC_FOLD = str.maketrans("أإآٱىة", "اااايه")
_DROP_WORDS = re.compile(r"\b(governorate|province|muhafazat)\b|محافظة")


@cache
def boundaries() -> dict[str, Any]:
    """The simplified boundary data (built by report/build_boundaries.py)."""
    data: dict[str, Any] = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    return data


def governorate_key(name: str) -> str:
    """A spelling-blind key for a governorate name: case, hyphens, spaces, hamza forms and 'Governorate' ignored."""
    text = unicodedata.normalize("NFKC", name).lower().translate(_ARABIC_FOLD)
    text = _DROP_WORDS.sub("", text)
    return re.sub(r"[\W_]+", "", text)


@cache
def _alias_index() -> dict[str, str]:
    """Governorate key to OCHA p-code, over every shipped spelling."""
    index: dict[str, str] = {}
    for gov in boundaries()["coarse"]["admin1"]:
        for alias in (gov["name"], gov["name_ar"], gov["pcode"], *gov["aliases"]):
            index.setdefault(governorate_key(alias), gov["pcode"])
    return index


def resolve_governorate(name: str | None) -> str | None:
    """The OCHA p-code of a governorate name in any known spelling, or None."""
    return _alias_index().get(governorate_key(name)) if name else None


def governorate_names() -> dict[str, tuple[str, str]]:
    """P-code to (English name, Arabic name)."""
    return {g["pcode"]: (g["name"], g["name_ar"]) for g in boundaries()["coarse"]["admin1"]}


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection of a lon/lat box into a width x height pixel box (north up, aspect kept)."""

    west: float
    south: float
    east: float
    north: float
    width: float
    height: float
    margin: float = 8.0

    @property
    def x_stretch(self) -> float:
        """Longitude shrink at the box's mean latitude."""
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        """Pixels per latitude degree, the largest that fits the box."""
        span_x = (self.east - self.west) * self.x_stretch
        span_y = self.north - self.south
        return min((self.width - 2 * self.margin) / span_x, (self.height - 2 * self.margin) / span_y)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """Pixel position of a lon/lat, centred in the box."""
        s = self.scale
        used_w = (self.east - self.west) * self.x_stretch * s
        used_h = (self.north - self.south) * s
        x = (self.width - used_w) / 2 + (lon - self.west) * self.x_stretch * s
        y = (self.height - used_h) / 2 + (self.north - lat) * s
        return x, y

    def contains(self, lon: float, lat: float) -> bool:
        """Whether a lon/lat is inside the projected box."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def fitted_height(west: float, south: float, east: float, north: float, width: float, margin: float = 8.0) -> float:
    """The height that gives a lon/lat box its true shape at the given width."""
    stretch = math.cos(math.radians((south + north) / 2))
    return (width - 2 * margin) * (north - south) / ((east - west) * stretch) + 2 * margin


def polygon_path(polygons: list[list[list[list[float]]]], proj: Projection) -> str:
    """An SVG path 'd' for a list of polygons (rings of [lon, lat]); even-odd fill handles holes."""
    parts = []
    for poly in polygons:
        for ring in poly:
            points = [proj.point(x, y) for x, y in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def bounds_of(polygons: list[list[list[list[float]]]]) -> tuple[float, float, float, float]:
    """West, south, east, north of a list of polygons."""
    xs = [p[0] for poly in polygons for ring in poly for p in ring]
    ys = [p[1] for poly in polygons for ring in poly for p in ring]
    return min(xs), min(ys), max(xs), max(ys)
