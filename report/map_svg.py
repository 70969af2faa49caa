"""The map: Syria's governorates, one circle per place sized by deaths and coloured by type, and a Deir ez-Zor inset."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from report.geo import Projection, boundaries, bounds_of, fitted_height, polygon_path, resolve_governorate
from report.load import Incident
from report.theme import esc, plural, type_colour, type_label, type_order

MAP_WIDTH = 760.0
INSET_WIDTH = 440.0
VALLEY_HEIGHT = 400.0
CITY_HEIGHT = 300.0
CITY_CENTRE = (40.14, 35.333)  # lon, lat of Deir ez-Zor city
CITY_SPAN = 0.07  # latitude degrees shown in the city inset: about 8 km
INSET_PCODE = "SY09"
MIN_RADIUS, MAX_RADIUS = 3.5, 24.0  # pixels on the country map
MIN_INSET_SPAN = 0.14  # latitude degrees: about 15 km, enough for Deir ez-Zor city's neighbourhoods


@dataclass
class Place:
    """Every located incident at one point."""

    name: str
    name_ar: str | None
    admin1: str | None
    lon: float
    lat: float
    incidents: list[Incident] = field(default_factory=list)

    @property
    def deaths(self) -> int:
        """Deaths over the place's incidents."""
        return sum(i.fatalities or 0 for i in self.incidents)

    @property
    def area_only(self) -> bool:
        """Whether every incident here is placed only by its governorate or region (precision 3)."""
        return all(i.geo_precision is not None and i.geo_precision >= 3 for i in self.incidents)

    @property
    def main_type(self) -> str:
        """The most frequent event type here (ties go to the more violent type)."""
        counts = Counter(i.event_type for i in self.incidents)
        return min(counts, key=lambda t: (-counts[t], type_order(t)))

    def tooltip(self) -> str:
        """Text for the mark's title."""
        counts = Counter(i.event_type for i in self.incidents)
        kinds = ", ".join(f"{type_label(t)} {n}" for t, n in sorted(counts.items(), key=lambda kv: type_order(kv[0])))
        arabic = f" ({self.name_ar})" if self.name_ar else ""
        return (f"{self.name}{arabic}: {plural(len(self.incidents), 'incident')}, "
                f"{plural(self.deaths, 'death')}. {kinds}")


def group_places(incidents: list[Incident]) -> list[Place]:
    """One place per distinct point (coordinates rounded to about 10 m)."""
    places: dict[tuple[float, float], Place] = {}
    for inc in incidents:
        if inc.latitude is None or inc.longitude is None:
            continue
        key = (round(inc.latitude, 4), round(inc.longitude, 4))
        if key not in places:
            name = inc.location or inc.location_ar or f"{key[0]}, {key[1]}"
            places[key] = Place(name, inc.location_ar, inc.admin1, key[1], key[0])
        places[key].incidents.append(inc)
    return sorted(places.values(), key=lambda p: (-p.deaths, -len(p.incidents), p.name))


def radius(deaths: int, top: int, shrink: float = 1.0) -> float:
    """Circle radius: area grows with deaths up to the deadliest place (at least 50), a visible minimum at zero."""
    return (MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(deaths / max(top, 50))) * shrink


def place_marks(places: list[Place], proj: Projection, css_class: str, top: int, shrink: float = 1.0) -> str:
    """Circles for the places, biggest first so small ones stay clickable on top."""
    marks = []
    for p in sorted(places, key=lambda p: -p.deaths):
        if not proj.contains(p.lon, p.lat):
            continue
        x, y = proj.point(p.lon, p.lat)
        css = css_class + (" area-only" if p.area_only else "")
        colour = type_colour(p.main_type)
        marks.append(
            f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="{radius(p.deaths, top, shrink):.1f}" '
            f'fill="{colour}" color="{colour}" data-place="{esc(p.name)}" data-deaths="{p.deaths}" '
            f'data-incidents="{len(p.incidents)}"><title>{esc(p.tooltip())}</title></circle>')
    return "".join(marks)


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two (x0, y0, x1, y1) boxes overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(places: list[Place], proj: Projection, limit: int, top: int, shrink: float = 1.0) -> str:
    """Names of the busiest places, beside their mark where they hit no other label or mark, else left out."""
    visible = [p for p in places if proj.contains(p.lon, p.lat)]
    marks: dict[tuple[str, float, float], tuple[float, float, float, float]] = {}
    for p in visible:
        x, y = proj.point(p.lon, p.lat)
        r = radius(p.deaths, top, shrink)
        marks[p.name, p.lon, p.lat] = (x - r, y - r, x + r, y + r)
    taken: list[tuple[float, float, float, float]] = []
    labels: list[str] = []
    for p in sorted(visible, key=lambda p: (-(p.deaths + 2 * len(p.incidents)), p.name)):
        if len(labels) >= limit:
            break
        x, y = proj.point(p.lon, p.lat)
        r = radius(p.deaths, top, shrink) + 3
        w = 7.2 * len(p.name)
        others = [box for key, box in marks.items() if key != (p.name, p.lon, p.lat)]
        # right, left, above, below: the first spot inside the map that hits nothing
        for tx, ty, anchor, box in ((x + r, y + 4, "start", (x + r, y - 8, x + r + w, y + 5)),
                                    (x - r, y + 4, "end", (x - r - w, y - 8, x - r, y + 5)),
                                    (x, y - r - 3, "middle", (x - w / 2, y - r - 15, x + w / 2, y - r - 2)),
                                    (x, y + r + 11, "middle", (x - w / 2, y + r, x + w / 2, y + r + 13))):
            inside = box[0] >= 2 and box[2] <= proj.width - 2 and box[1] >= 2 and box[3] <= proj.height - 2
            if inside and not any(overlaps(box, t) for t in taken + others):
                taken.append(box)
                labels.append(f'<text class="place-label" x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">'
                              f'{esc(p.name)}</text>')
                break
    return "".join(labels)


def scale_bar(proj: Projection, x: float, y: float) -> str:
    """A kilometre scale bar of a round length."""
    km_per_px = 111.32 / proj.scale
    target = km_per_px * 110
    length_km = next(n for n in (1, 2, 5, 10, 20, 50, 100, 200, 500) if n >= target / 2.2 or n == 500)
    px = length_km / km_per_px
    return (f'<g class="scale-bar"><path d="M{x:.1f},{y - 4:.1f}V{y:.1f}H{x + px:.1f}V{y - 4:.1f}"/>'
            f'<text x="{x + px / 2:.1f}" y="{y - 7:.1f}" text-anchor="middle">{length_km} km</text></g>')


def country_map(places: list[Place], highlight: str | None, inset: Projection | None, top: int) -> str:
    """The whole-country SVG."""
    data = boundaries()["coarse"]
    west, south, east, north = bounds_of([p for f in data["admin0"] for p in f["polygons"]])
    proj = Projection(west, south, east, north, MAP_WIDTH, fitted_height(west, south, east, north, MAP_WIDTH))
    busy = {resolve_governorate(p.admin1) for p in places}
    shapes, names = [], []
    for gov in data["admin1"]:
        css = "gov" + (" gov-busy" if gov["pcode"] in busy else "") + (" gov-selected" if gov["pcode"] == highlight
                                                                       else "")
        shapes.append(f'<path class="{css}" d="{polygon_path(gov["polygons"], proj)}">'
                      f'<title>{esc(gov["name"])} ({esc(gov["name_ar"])})</title></path>')
        hidden = {"SY01", "SY14"} | ({INSET_PCODE} if inset else set())  # too small to name, or named by the frame
        if gov["pcode"] not in hidden:
            cx, cy = proj.point(*gov["center"])
            names.append(f'<text class="gov-label" x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle">'
                         f'{esc(gov["name"])}</text>')
    outline = "".join(f'<path class="country" d="{polygon_path(f["polygons"], proj)}"/>' for f in data["admin0"])
    zoom = frame(proj, inset, "Deir ez-Zor (see the inset)") if inset else ""
    labelled = [p for p in places if inset is None or not inset.contains(p.lon, p.lat)]
    return (f'<svg class="map" id="map" viewBox="0 0 {proj.width:.0f} {proj.height:.0f}" role="img" '
            f'aria-labelledby="map-title"><title id="map-title">Map of incidents in Syria by place</title>'
            f'<g class="govs">{"".join(shapes)}</g>{outline}<g class="gov-labels">{"".join(names)}</g>{zoom}'
            f'<g class="marks">{place_marks(places, proj, "place", top)}</g>'
            f'<g class="labels">{place_labels(labelled, proj, 14, top)}</g>'
            f'{scale_bar(proj, 20, proj.height - 14)}</svg>')


def box_around(points: list[tuple[float, float]], width: float, height: float, min_span: float) -> Projection:
    """A box with the pixel aspect width:height around the points, padded, at least min_span degrees tall."""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    mid_lon, mid_lat = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    stretch = math.cos(math.radians(mid_lat))
    aspect = width / height
    span_lat = max(min_span, (max(lats) - min(lats)) * 1.35, (max(lons) - min(lons)) * stretch * 1.35 / aspect)
    span_lon = span_lat * aspect / stretch
    return Projection(mid_lon - span_lon / 2, mid_lat - span_lat / 2, mid_lon + span_lon / 2, mid_lat + span_lat / 2,
                      width, height, margin=0.0)


def city_projection() -> Projection:
    """The fixed box around Deir ez-Zor city."""
    return box_around([CITY_CENTRE], INSET_WIDTH, CITY_HEIGHT, CITY_SPAN)


def inset_projections(places: list[Place]) -> tuple[Projection | None, Projection | None]:
    """The valley box around the Deir ez-Zor places and, when the city's neighbourhoods would crowd it, a city box."""
    inside = [p for p in places if resolve_governorate(p.admin1) == INSET_PCODE]
    if not inside:
        return None, None
    city = city_projection()
    in_city = [p for p in inside if city.contains(p.lon, p.lat)]
    valley = box_around([(p.lon, p.lat) for p in inside], INSET_WIDTH, VALLEY_HEIGHT, MIN_INSET_SPAN)
    crowded = len(in_city) >= 2 and len(in_city) < len(inside) and valley.north - valley.south > 3 * CITY_SPAN
    return valley, (city if crowded else None)


def frame(outer: Projection, inner: Projection, label: str, named: bool = True) -> str:
    """The outline of a zoomed area drawn on a wider map, with its name written above it when named."""
    x0, y0 = outer.point(inner.west, inner.north)
    x1, y1 = outer.point(inner.east, inner.south)
    text = (f'<text class="frame-label" x="{x0 + 3:.1f}" y="{y0 - 5:.1f}">{esc(label)}</text>' if named else "")
    return (f'<g class="inset-frame"><rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}">'
            f'<title>{esc(label)}</title></rect>{text}</g>')


def inset_map(places: list[Place], proj: Projection, svg_id: str, title: str, zoom: Projection | None,
              top: int) -> str:
    """A zoom on Deir ez-Zor: governorates and districts at finer detail, places named where room allows."""
    fine = boundaries()["fine"]
    govs = "".join(f'<path class="gov{" gov-busy" if g["pcode"] == INSET_PCODE else ""}" '
                   f'd="{polygon_path(g["polygons"], proj)}"><title>{esc(g["name"])}</title></path>'
                   for g in fine["admin1"])
    districts = "".join(f'<path class="district" d="{polygon_path(d["polygons"], proj)}">'
                        f'<title>{esc(d["name"])} district ({esc(d["name_ar"])})</title></path>'
                        for d in fine["inset_admin2"])
    inside = [p for p in places if proj.contains(p.lon, p.lat)]
    labelled = [p for p in inside if zoom is None or not zoom.contains(p.lon, p.lat)]
    zoom_frame = frame(proj, zoom, "Deir ez-Zor city: see the city inset", named=False) if zoom else ""
    return (f'<svg class="map inset" id="{svg_id}" viewBox="0 0 {proj.width:.0f} {proj.height:.0f}" role="img" '
            f'aria-label="{esc(title)}"><rect class="sea" width="100%" height="100%"/>{govs}'
            f'<g class="districts">{districts}</g>'
            f'<g class="marks">{place_marks(inside, proj, "place-inset", top, 0.8)}</g>{zoom_frame}'
            f'<g class="labels">{place_labels(labelled, proj, 30, top, 0.8)}</g>'
            f'{scale_bar(proj, 16, proj.height - 14)}</svg>')


def round_number(value: float) -> int:
    """Value rounded down to one significant digit (at least 1)."""
    if value < 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return int(value // magnitude * magnitude)


def size_legend(top: int) -> str:
    """Circles for a few round death counts up to the deadliest place."""
    full = max(top, 50)
    steps = sorted({0, round_number(full / 10), round_number(full / 3), round_number(full)})
    items, x = [], 6.0
    for deaths in steps:
        r = radius(deaths, top)
        x += r
        items.append(f'<circle cx="{x:.1f}" cy="34" r="{r:.1f}"/><text x="{x:.1f}" y="{34 + r + 13:.1f}" '
                     f'text-anchor="middle">{deaths}</text>')
        x += r + 16
    return (f'<svg class="size-legend" viewBox="0 0 {x:.0f} 84" width="{x:.0f}" height="84" role="img" '
            f'aria-label="Circle size by deaths">{"".join(items)}</svg>')


def map_section(incidents: list[Incident], highlight: str | None) -> str:
    """The map block: country map, insets when Deir ez-Zor has events, legends and a note on unlocated incidents."""
    places = group_places(incidents)
    top = max((p.deaths for p in places), default=0)
    valley, city = inset_projections(places)
    types = sorted({i.event_type for i in incidents}, key=type_order)
    legend = "".join(f'<li><span class="swatch" style="background:{type_colour(t)}"></span>{esc(type_label(t))}</li>'
                     for t in types)
    if any(p.area_only for p in places):
        legend += '<li><span class="swatch area-only"></span>hollow: only the governorate or region is known</li>'
    unlocated = sum(1 for i in incidents if i.latitude is None or i.longitude is None)
    note = (f'<p class="note">{plural(unlocated, "incident")} without coordinates {"is" if unlocated == 1 else "are"}'
            f' not on the map.</p>' if unlocated else "")
    insets = ""
    if valley:
        insets = (f'<figure class="inset-box"><figcaption>Deir ez-Zor and the Euphrates valley</figcaption>'
                  f'{inset_map(places, valley, "inset", "Deir ez-Zor: places in detail", city, top)}</figure>')
    if city:
        insets += (f'<figure class="inset-box"><figcaption>Deir ez-Zor city: neighbourhoods</figcaption>'
                   f'{inset_map(places, city, "inset-city", "Deir ez-Zor city: neighbourhoods", None, top)}</figure>')
    insets_html = f'<div class="insets">{insets}</div>' if insets else ""
    return (f'<div class="maps{" with-inset" if insets else ""}"><figure class="map-box">'
            f'<figcaption>{plural(len(places), "place")}, circle area by deaths, colour by the most frequent '
            f'type</figcaption>{country_map(places, highlight, valley, top)}</figure>{insets_html}</div>'
            f'<div class="legend"><ul class="type-legend">{legend}</ul><div class="size-box"><span>Deaths</span>'
            f'{size_legend(top)}</div></div>{note}')
