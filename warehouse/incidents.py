"""Incidents: reports of the same real-world event (other articles, other outlets) merged into one row.

Two events can be reports of one incident when they have the same type, compatible dates (ranges
overlap, or day-precise dates within one day), the same place or one's place is the other's
parent (admin names), and overlapping actors (or no actors on one side); two events of the same
article are never merged. Clusters grow by complete linkage: every pair inside an incident must be
compatible, so a chain of daily events in one town does not collapse into one incident.
Casualty figures are never summed: the figure reported by the most outlets wins, ties going to
the most precise, then the most recent report.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import duckdb
import pyarrow as pa

from warehouse.lake import transaction
from warehouse.rows import TS, Row, fold_arabic, insert_rows, short_hash

DAY_TOLERANCE = timedelta(days=1)
_SLACK_DAYS = DAY_TOLERANCE.days
_SHORT_DAYS = 7  # reports whose date range is at most this long are found by a bisected date scan
_WIDEN = timedelta(days=3)  # how much more than needed a re-clustering window reads when it must grow
# How far beyond the new events' dates an exact re-clustering may reach before it settles for their neighbourhood.
HORIZON = timedelta(days=14)
# An exact re-clustering may take in this many reports per new one (at least the floor) before it settles.
_BUDGET_PER_SEED = 3
_BUDGET_FLOOR = 300
_ROUNDS = 3  # window widenings before an exact re-clustering settles for the neighbourhood (each redoes the pairs)
_PRECISION_RANK = {"day": 0, "week": 1, "month_part": 2, "range": 3, "month": 4}
_NAME_PREFIX = re.compile(r"^(al|el|an|ar|as|ash|ad|adh|at|ath|az|ad)[- ]|^ال")

INCIDENT_SCHEMA = pa.schema([
    ("incident_id", pa.string()), ("event_type", pa.string()), ("acled_event_type", pa.string()),
    ("acled_sub_event_type", pa.string()), ("date_start", pa.date32()), ("date_end", pa.date32()),
    ("date_precision", pa.string()), ("location", pa.string()), ("location_ar", pa.string()),
    ("admin1", pa.string()), ("admin2", pa.string()), ("admin3", pa.string()), ("pcode", pa.string()),
    ("lat", pa.float64()), ("lon", pa.float64()), ("geo_precision", pa.int32()),
    ("actors", pa.list_(pa.string())), ("actors_ar", pa.list_(pa.string())), ("fatalities", pa.int32()),
    ("fatalities_support", pa.int32()), ("fatalities_min", pa.int32()), ("fatalities_max", pa.int32()),
    ("injured", pa.int32()), ("n_reports", pa.int32()), ("n_sources", pa.int32()),
    ("sources", pa.list_(pa.string())), ("first_reported", pa.date32()), ("last_reported", pa.date32()),
    ("refreshed_at", TS),
])
REPORT_SCHEMA = pa.schema([
    ("incident_id", pa.string()), ("event_id", pa.string()), ("content_hash", pa.string()),
    ("source", pa.string()), ("url", pa.string()), ("published", pa.date32()), ("fatalities", pa.int32()),
])

# The events wanted are chosen first and their actors read for them alone: joining every stored actor before
# the filter made each read cost as much as the whole history (0.08 s -> 0.025 s for 240 events in 100,000 articles).
_REPORTS_SQL = """
WITH e AS (SELECT * FROM events AS e WHERE {condition}),
ea AS (
    SELECT event_id, position, actor_id, name, name_ar FROM event_actors
    WHERE event_id IN (SELECT event_id FROM e)
)
SELECT e.event_id, e.content_hash, e.event_type, e.acled_event_type, e.acled_sub_event_type,
       e.date_start, coalesce(e.date_end, e.date_start), e.date_precision, e.fatalities, e.injured,
       e.location_id, e.location_name, e.location_name_ar, e.admin1, e.admin2, e.admin3, e.pcode,
       e.lat, e.lon, e.geo_precision, a.source, a.url, coalesce(a.published, CAST(a.fetched_at AS DATE)),
       coalesce(list(ea.actor_id ORDER BY ea.position) FILTER (WHERE ea.actor_id IS NOT NULL), []),
       coalesce(list(ea.name ORDER BY ea.position) FILTER (WHERE ea.name IS NOT NULL), []),
       coalesce(list(ea.name_ar ORDER BY ea.position) FILTER (WHERE ea.name_ar IS NOT NULL), [])
FROM e
JOIN articles AS a USING (content_hash)
LEFT JOIN ea USING (event_id)
GROUP BY ALL
ORDER BY e.event_id
"""


@dataclass(slots=True)
class Report:
    """One event as one article reported it, with what incident matching needs."""

    event_id: str
    content_hash: str
    event_type: str
    acled_event_type: str | None
    acled_sub_event_type: str | None
    date_start: date | None
    date_end: date | None
    date_precision: str | None
    fatalities: int | None
    injured: int | None
    location_id: str | None
    location: str | None
    location_ar: str | None
    admin1: str | None
    admin2: str | None
    admin3: str | None
    pcode: str | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    source: str
    url: str
    reported: date | None
    actor_ids: list[str]
    actor_names: list[str]
    actor_names_ar: list[str]
    place_names: frozenset[str] = frozenset()
    place_chain: frozenset[str] = frozenset()
    area_names: frozenset[str] = frozenset()
    filed_under: tuple[tuple[str, str], ...] = ()  # the keys a _PlaceIndex files this report under
    looks_up: tuple[tuple[str, str], ...] = ()  # the keys its possible partners are filed under
    # day numbers of the range, its slack and the actor set, computed once: compatible() runs millions of times
    first_day: int = 0
    last_day: int = 0
    day_precise: bool = False
    actor_set: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        """Precompute day numbers, the actor set and the folded names of the place (_place_sets)."""
        self.first_day = self.date_start.toordinal() if self.date_start else 0
        self.last_day = self.date_end.toordinal() if self.date_end else 0
        self.day_precise = self.date_precision == "day"
        self.actor_set = frozenset(self.actor_ids)
        self.place_names, self.place_chain, self.area_names, self.filed_under, self.looks_up = _place_sets(
            self.location_id, self.location, self.location_ar, self.admin3, self.admin2, self.admin1,
            self.geo_precision)

    @property
    def precision_key(self) -> tuple[int, int, int]:
        """Sort key: most precise date, then most precise place, then most recent report first."""
        recency = -(self.reported.toordinal() if self.reported else 0)
        geo = self.geo_precision if self.geo_precision is not None else 9
        return (_PRECISION_RANK.get(self.date_precision or "", 9), geo, recency)


@lru_cache(maxsize=65536)
def _place_key(name: str) -> str:
    """Fold a place name for comparison: Arabic variants, case, and a leading article (few names, many reports)."""
    folded = fold_arabic(name)
    return _NAME_PREFIX.sub("", folded).replace("-", " ").strip()


_PlaceSets = tuple[frozenset[str], frozenset[str], frozenset[str], tuple[tuple[str, str], ...],
                   tuple[tuple[str, str], ...]]


@lru_cache(maxsize=65536)
def _place_sets(location_id: str | None, location: str | None, location_ar: str | None, admin3: str | None,
                admin2: str | None, admin1: str | None, geo_precision: int | None) -> _PlaceSets:
    """The folded names of a place, of it and its admin parents, and of it as an area; its index keys.

    Computed once per distinct place: a dense history names a few places in thousands of reports.
    """
    names = frozenset(_place_key(n) for n in (location, location_ar) if n)
    admins = frozenset(_place_key(n) for n in (admin3, admin2, admin1) if n)
    chain = names | admins
    # A report placed only at an admin area (a governorate, a district) may cover any place inside it;
    # an exact place (precision 1) that shares its name with its district is the town, not the district.
    area = frozenset() if geo_precision == 1 else names & admins
    place_id = (("id", location_id),) if location_id else ()
    # _places_compatible(a, b) holds exactly when a key a looks up is one b is filed under
    filed_under = (*(("name", n) for n in sorted(names)), *(("chain", n) for n in sorted(chain)),
                   *(("area", n) for n in sorted(area)), *place_id)
    looks_up = (*(("name", n) for n in sorted(names)), *(("chain", n) for n in sorted(area)),
                *(("area", n) for n in sorted(chain)), *place_id)
    return names, chain, area, filed_under, looks_up


def _places_compatible(a: Report, b: Report) -> bool:
    """Tell whether two reports name the same place, or one names the other's parent area."""
    if a.location_id and a.location_id == b.location_id:
        return True
    if a.place_names & b.place_names:
        return True
    return bool(a.area_names & b.place_chain) or bool(b.area_names & a.place_chain)


def _actors_compatible(a: Report, b: Report) -> bool:
    """Tell whether two reports share an actor (or one of them names none)."""
    return not a.actor_set or not b.actor_set or not a.actor_set.isdisjoint(b.actor_set)


def compatible(a: Report, b: Report) -> bool:
    """Tell whether two reports from different articles can describe the same incident."""
    return a.event_type == b.event_type and _linkable(a, b) and _places_compatible(a, b)


def _linkable(a: Report, b: Report) -> bool:
    """compatible() but for type and place, which hold for the partners a _PlaceIndex of one block finds."""
    if a.content_hash == b.content_hash or not (a.first_day and b.first_day):
        return False
    slack = _SLACK_DAYS if a.day_precise and b.day_precise else 0  # day-precise dates may be a day apart
    if a.first_day > b.last_day + slack or b.first_day > a.last_day + slack:
        return False  # the date ranges do not touch
    return _actors_compatible(a, b)


def _block_key(report: Report) -> tuple[str, str]:
    """Reports can only match inside one block: same type and same governorate (or place name)."""
    area = report.admin1 or report.location or report.location_ar or ""
    return report.event_type, _place_key(area)


class _PlaceIndex:
    """The reports that can share a place, dates and actors with a report: same place id or name, or an area holding it.

    `_places_compatible` holds only between reports that share one of these keys, and dates must touch, so a
    lookup reads the reports of the same places and days instead of every report of the block's dates (a
    governorate with hundreds of events a day made those scans the bulk of a refresh). Reports of short date
    ranges are kept sorted by start under each key and found by bisection, single days apart from the rest (a
    lookup reaches a week back only for ranges that may last a week); the few long ones are checked all.
    The reports found are then cut to those naming none of the actors or one of the report's (a set intersection):
    in a dense governorate most reports of a place and day name other actors (220,000 of 280,000 candidates).
    """

    def __init__(self, reports: list[Report], members: Iterable[int]) -> None:
        """Index the given reports by place id, place name, names of their admin chain and area names."""
        self.reports = reports
        days: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        short: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        self.long: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        self.actorless: set[int] = set()
        self.by_actor: defaultdict[str, set[int]] = defaultdict(set)
        self.allowed: dict[frozenset[str], set[int]] = {}  # per actor set, the reports it may link with
        # filed in order of start, every key's lists of days and short ranges come out sorted for bisection
        for i in sorted(members, key=lambda i: reports[i].first_day):
            r = reports[i]
            span = r.last_day - r.first_day
            lists = days if span == 0 else short if span <= _SHORT_DAYS else self.long
            for key in r.filed_under:
                lists[key].append(i)
            if not r.actor_set:
                self.actorless.add(i)
            for actor in r.actor_set:
                self.by_actor[actor].add(i)
        # (longest span, each key's starts and members)
        self.sorted = [(0, {key: ([reports[i].first_day for i in found], found) for key, found in days.items()}),
                       (_SHORT_DAYS,
                        {key: ([reports[i].first_day for i in found], found) for key, found in short.items()})]

    def candidates(self, i: int) -> set[int]:
        """Indexes of the reports whose place, dates and actors may be compatible with report i's (i excluded)."""
        r = self.reports[i]
        slack = _SLACK_DAYS if r.day_precise else 0  # dates a day apart match only between day-precise reports
        first, last = r.first_day - slack, r.last_day + slack
        found: set[int] = set()
        for key in r.looks_up:
            for span, lists in self.sorted:
                if key in lists:
                    starts, members = lists[key]
                    found.update(members[bisect_left(starts, first - span) : bisect_right(starts, last)])
            if key in self.long:
                found.update(self.long[key])
        found.discard(i)
        if r.actor_set:
            allowed = self.allowed.get(r.actor_set)
            if allowed is None:
                allowed = self.allowed[r.actor_set] = self.actorless.union(
                    *(self.by_actor.get(actor, ()) for actor in r.actor_set))
            found &= allowed
        return found

    def partners(self, i: int) -> list[int]:
        """Indexes of the reports linkable with report i (_linkable holds), in no order.

        The candidates share a place key and an actor (or name none) by construction; the article and the exact
        dates are tested inline: a dense block tests hundreds of thousands of candidates, a call each cost a third.
        """
        reports = self.reports
        r = reports[i]
        content_hash, first, last, day_precise = r.content_hash, r.first_day, r.last_day, r.day_precise
        found = []
        for j in self.candidates(i):
            b = reports[j]
            slack = _SLACK_DAYS if day_precise and b.day_precise else 0
            if first <= b.last_day + slack and b.first_day <= last + slack and b.content_hash != content_hash:
                found.append(j)
        return found


def _candidate_pairs(reports: list[Report]) -> list[tuple[int, int]]:
    """Return compatible report pairs (indexes), closest dates first, within blocks, looked up by place."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, report in enumerate(reports):
        if report.date_start and report.date_end and report.place_names:
            blocks[_block_key(report)].append(i)
    scored: list[tuple[int, int, int, int, int]] = []
    for members in blocks.values():
        index = _PlaceIndex(reports, members)
        for i in members:
            a = reports[i]
            for j in index.partners(i):
                if j > i:  # each pair once
                    b = reports[j]
                    gap = abs(b.first_day - a.first_day)  # days between the starts
                    exact = 1 if a.place_names.isdisjoint(b.place_names) else 0
                    scored.append((gap, exact, -len(a.actor_set & b.actor_set), i, j))
    scored.sort()
    return [(i, j) for _, _, _, i, j in scored]


def cluster_reports(reports: list[Report]) -> list[list[int]]:
    """Group report indexes into incidents by complete linkage over compatible pairs."""
    pairs = _candidate_pairs(reports)
    neighbours: defaultdict[int, set[int]] = defaultdict(set)
    for i, j in pairs:
        neighbours[i].add(j)
        neighbours[j].add(i)
    cluster_of = list(range(len(reports)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(reports))}
    # the reports linked to every member of a cluster: a merge check costs the size of one cluster,
    # not the product of both (the product made a dense warehouse's refresh run for minutes)
    common: dict[int, set[int]] = {}
    for i, j in pairs:
        ci, cj = cluster_of[i], cluster_of[j]
        if ci == cj:
            continue
        linked_to_ci = common[ci] if ci in common else neighbours[ci]
        if all(y in linked_to_ci for y in members[cj]):
            linked_to_cj = common.pop(cj) if cj in common else neighbours[cj]
            common[ci] = linked_to_ci & linked_to_cj
            for x in members[cj]:
                cluster_of[x] = ci
            members[ci].extend(members.pop(cj))
    return [sorted(m) for m in members.values()]


def best_figure(values: Iterable[tuple[int | None, Report]]) -> tuple[int | None, int]:
    """Return the best-supported figure and how many reports gave it: most outlets, then reports, then precision."""
    by_value: dict[int, list[Report]] = defaultdict(list)
    for value, report in values:
        if value is not None:
            by_value[value].append(report)
    if not by_value:
        return None, 0

    def support(value: int) -> tuple[int, int, tuple[int, int, int]]:
        reports = by_value[value]
        best_precision = min(r.precision_key for r in reports)
        negated = (-best_precision[0], -best_precision[1], -best_precision[2])
        return len({r.source for r in reports}), len(reports), negated

    winner = max(by_value, key=lambda v: (support(v), -v))
    return winner, len(by_value[winner])


def incident_rows(reports: list[Report], group: list[int], refreshed_at: datetime,
                  incident_id: str | None = None) -> tuple[Row, list[Row]]:
    """Return the incidents row and its incident_reports rows for one cluster (its id derived, unless given)."""
    members = [reports[i] for i in group]
    by_time = sorted(members, key=lambda r: (r.reported or date.max, r.event_id))
    incident_id = incident_id or short_hash("incident", by_time[0].event_id)
    when = min(members, key=lambda r: (r.precision_key, r.event_id))
    where = min(members, key=lambda r: (r.geo_precision if r.geo_precision is not None else 9,
                                        r.location is None, r.precision_key, r.event_id))
    names: Counter[str] = Counter(n for r in members for n in dict.fromkeys(r.actor_names))
    names_ar: Counter[str] = Counter(n for r in members for n in dict.fromkeys(r.actor_names_ar))
    fatalities, support = best_figure((r.fatalities, r) for r in members)
    injured, _ = best_figure((r.injured, r) for r in members)
    figures = [r.fatalities for r in members if r.fatalities is not None]
    reported = [r.reported for r in members if r.reported]
    row: Row = {
        "incident_id": incident_id, "event_type": when.event_type,
        "acled_event_type": when.acled_event_type, "acled_sub_event_type": when.acled_sub_event_type,
        "date_start": when.date_start, "date_end": when.date_end, "date_precision": when.date_precision,
        "location": where.location, "location_ar": where.location_ar, "admin1": where.admin1,
        "admin2": where.admin2, "admin3": where.admin3, "pcode": where.pcode, "lat": where.lat, "lon": where.lon,
        "geo_precision": where.geo_precision,
        "actors": [n for n, _ in names.most_common()], "actors_ar": [n for n, _ in names_ar.most_common()],
        "fatalities": fatalities, "fatalities_support": support,
        "fatalities_min": min(figures) if figures else None, "fatalities_max": max(figures) if figures else None,
        "injured": injured, "n_reports": len(members), "n_sources": len({r.source for r in members}),
        "sources": sorted({r.source for r in members}),
        "first_reported": min(reported) if reported else None, "last_reported": max(reported) if reported else None,
        "refreshed_at": refreshed_at,
    }
    links = [{"incident_id": incident_id, "event_id": r.event_id, "content_hash": r.content_hash,
              "source": r.source, "url": r.url, "published": r.reported, "fatalities": r.fatalities}
             for r in by_time]
    return row, links


def load_reports(con: duckdb.DuckDBPyConnection, event_type: str | None = None) -> list[Report]:
    """Read the stored events (of one type, if given) with their articles and actors."""
    if event_type is None:
        return [Report(*row) for row in con.execute(_REPORTS_SQL.replace("{condition}", "TRUE")).fetchall()]
    return _reports_where(con, "e.event_type = ?", [event_type])


def _reports_where(con: duckdb.DuckDBPyConnection, condition: str, params: list[object]) -> list[Report]:
    """Read the reports whose events match an SQL condition on `e`, ordered by event id."""
    sql = _REPORTS_SQL.replace("{condition}", condition)
    return [Report(*row) for row in con.execute(sql, params).fetchall()]


def _merge_windows(windows: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Merge overlapping or touching date intervals."""
    merged: list[tuple[date, date]] = []
    for lo, hi in sorted(windows):
        if merged and lo <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _reach(report: Report) -> tuple[date, date]:
    """The dates any report compatible with this one must touch (its range and a day either side)."""
    assert report.date_start is not None and report.date_end is not None
    return report.date_start - DAY_TOLERANCE, report.date_end + DAY_TOLERANCE


def _unread(wanted: list[tuple[date, date]], read: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The parts of merged windows outside the windows read (both sorted): reports touching those were read."""
    out: list[tuple[date, date]] = []
    for lo, hi in wanted:
        for read_lo, read_hi in read:
            if read_hi < lo or read_lo > hi:
                continue
            if read_lo > lo:
                out.append((lo, read_lo - timedelta(days=1)))
            lo = max(lo, read_hi + timedelta(days=1))
            if lo > hi:
                break
        if lo <= hi:
            out.append((lo, hi))
    return out


def _covered(span: tuple[date, date], windows: list[tuple[date, date]]) -> bool:
    """Tell whether a date interval lies inside one of the merged windows (sorted and apart: only one can hold it)."""
    k = bisect_right(windows, (span[0], date.max)) - 1  # the last window starting on or before the interval
    return k >= 0 and span[1] <= windows[k][1]


# The search for linked reports reads of each event in its windows only what compatible() needs, for every type
# at once: the whole rows (article, figures, actor names) of the thousands of reports a dense history puts in a
# window cost about ten times more to read than these, and a read per type scanned the history tables once per
# type. The few reports the search keeps are read whole afterwards, in one query (_search_all). A semi join: a long
# report touching several windows is read once (a fifth of the rows of the growth pages' first read were repeats).
_LINKS_SQL = """
WITH x AS (
    SELECT x.event_id, x.content_hash, x.event_type, x.date_start, coalesce(x.date_end, x.date_start) AS date_end,
           x.date_precision, x.location_id, x.location_name, x.location_name_ar, x.admin1, x.admin2, x.admin3,
           x.geo_precision
    FROM events AS x SEMI JOIN _windows AS w
    ON x.event_type = w.event_type AND coalesce(x.date_end, x.date_start) >= w.lo AND x.date_start <= w.hi
    WHERE x.content_hash IN (SELECT content_hash FROM articles)
), ea AS (
    SELECT event_id, list(actor_id) FILTER (WHERE actor_id IS NOT NULL) AS ids FROM event_actors
    WHERE event_id IN (SELECT event_id FROM x) GROUP BY event_id
)
SELECT x.*, coalesce(ea.ids, []) FROM x LEFT JOIN ea USING (event_id)
"""


def _links_in_windows(con: duckdb.DuckDBPyConnection, windows: dict[str, list[tuple[date, date]]],
                      known: Container[str]) -> dict[str, list[Report]]:
    """Read, by type, the reports whose date range touches any of that type's windows, as far as linking needs.

    They carry no article, figures or actor names, and their actor ids in no order: they only decide which
    reports are re-clustered, and those are read whole afterwards. Reports already known (and a long one met
    again in a second window) are skipped.
    """
    spans = [(event_type, lo, hi) for event_type, merged in windows.items() for lo, hi in merged]
    con.register("_windows", pa.table({"event_type": pa.array([s[0] for s in spans], pa.string()),
                                       "lo": pa.array([s[1] for s in spans], pa.date32()),
                                       "hi": pa.array([s[2] for s in spans], pa.date32())}))
    try:
        rows = con.execute(_LINKS_SQL).fetchall()
    finally:
        con.unregister("_windows")
    found: defaultdict[str, list[Report]] = defaultdict(list)
    seen: set[str] = set()
    for (event_id, content_hash, event_type, start, end, precision, location_id, name, name_ar, admin1, admin2,
         admin3, geo, actor_ids) in rows:
        if event_id in known or event_id in seen:
            continue
        seen.add(event_id)
        found[event_type].append(Report(event_id, content_hash, event_type, None, None, start, end, precision, None,
                                        None, location_id, name, name_ar, admin1, admin2, admin3, None, None, None,
                                        geo, "", "", None, actor_ids, [], []))
    return found


def _neighbourhoods(reports: list[Report]) -> Callable[[int], list[int]]:
    """Return a function giving the indexes of the reports compatible with one report (same block, dates near)."""
    blocks: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(reports):
        blocks[_block_key(r)].append(i)
    indexes = {key: _PlaceIndex(reports, members) for key, members in blocks.items()}

    def linked(i: int) -> list[int]:
        r = reports[i]
        return sorted(indexes[_block_key(r)].partners(i))

    return linked


class _Search:
    """One type's search for the reports to re-cluster with its new ones, a round per window read (affected_reports)."""

    def __init__(self, seeds: list[Report], horizon: timedelta) -> None:
        """Start from the seeds: the first window read covers the dates they can link to."""
        self.blockable = [r for r in seeds if r.date_start and r.date_end and r.place_names]
        self.blocks = {_block_key(r) for r in self.blockable}
        self.loaded: dict[str, Report] = {}
        self.windows: list[tuple[date, date]] = []
        self.wanted = _merge_windows(_reach(r) for r in self.blockable)  # the dates to read next (none: settled)
        self.limits = _merge_windows((lo - horizon, hi + horizon) for lo, hi in self.wanted)
        self.budget = max(_BUDGET_FLOOR, _BUDGET_PER_SEED * len(self.blockable))
        self.first_round: dict[str, list[Report]] = {}
        # the links of reports whose reach lies inside the windows read: later rounds read no report that touches it,
        # so these stay whole (by index in `loaded`, whose order later rounds keep); a round redid them all
        self.complete: dict[int, list[int]] = {}
        self.rounds = 0
        self.exact = True
        self.found: set[str] = set()  # the event ids to re-cluster, once settled

    def absorb(self, read: list[Report]) -> None:
        """Take in the reports of the dates wanted, then settle or ask for wider windows."""
        for r in read:
            if r.event_id not in self.loaded and r.date_start and r.date_end and r.place_names \
                    and _block_key(r) in self.blocks:
                self.loaded[r.event_id] = r
        self.windows = _merge_windows([*self.windows, *self.wanted])
        self.wanted = []
        for r in self.blockable:
            self.loaded.setdefault(r.event_id, r)
        reports = list(self.loaded.values())
        links = _neighbourhoods(reports)
        computed = self.complete
        partial: dict[int, list[int]] = {}

        def linked(i: int) -> list[int]:  # the first round and the walk ask for the seeds' links both
            if i in computed:
                return computed[i]
            if i not in partial:
                partial[i] = links(i)
                if _covered(_reach(reports[i]), self.windows):
                    computed[i] = partial[i]
            return partial[i]

        index = {r.event_id: i for i, r in enumerate(reports)}
        if not self.rounds:
            self.first_round = {r.event_id: [reports[j] for j in linked(index[r.event_id])] for r in self.blockable}
        # only the links of reached reports are computed, not every pair in the windows
        reached = {index[r.event_id] for r in self.blockable}
        queue = list(reached)
        while queue and len(reached) <= self.budget:
            for j in linked(queue.pop()):
                if j not in reached:
                    reached.add(j)
                    queue.append(j)
        if len(reached) > self.budget:
            self._settle()
            return
        short = [_reach(reports[i]) for i in reached if not _covered(_reach(reports[i]), self.windows)]
        if not short:
            self.found = {reports[i].event_id for i in reached}
        elif self.rounds == _ROUNDS or not all(_covered(span, self.limits) for span in short):
            self._settle()
        else:  # read only the dates not read yet; a widened window takes a few days more, to need fewer rounds
            self.wanted = _unread(_merge_windows((lo - _WIDEN, hi + _WIDEN) for lo, hi in short), self.windows)
            self.rounds += 1

    def _settle(self) -> None:
        """Give up exactness: the seeds and the reports they link to directly (their old incidents join later)."""
        self.exact = False
        self.found = {r.event_id for r in self.blockable}
        self.found.update(r.event_id for near in self.first_round.values() for r in near)


def _search_all(con: duckdb.DuckDBPyConnection, seeds: dict[str, list[Report]],
                horizon: timedelta) -> dict[str, tuple[list[Report], bool]]:
    """affected_reports for each type's seeds at once: one read per round of windows, one of whole reports."""
    searches = {event_type: _Search(found, horizon) for event_type, found in seeds.items()}
    known = {r.event_id for found in seeds.values() for r in found}  # seeds are read whole already
    while wanted := {event_type: s.wanted for event_type, s in searches.items() if s.wanted}:
        known.update(e for s in searches.values() for e in s.loaded)
        read = _links_in_windows(con, wanted, known)
        for event_type in wanted:
            searches[event_type].absorb(read.get(event_type, []))
    settled = [s for s in searches.values() if not s.exact]
    if settled:  # a search that settled for the neighbourhood takes the whole old incidents of what it found
        old = _old_incidents(con, sorted(e for s in settled for e in s.found))
        holder = {e: incident_id for incident_id, members in old.items() for e in members}
        for s in settled:
            touched = {holder[e] for e in s.found if e in holder}
            s.found.update(e for incident_id in touched for e in old[incident_id])
    whole = {r.event_id: r for found in seeds.values() for r in found}
    missing = sorted({e for s in searches.values() for e in s.found} - whole.keys())
    if missing:
        whole.update((r.event_id, r) for r in _reports_where(con, "e.event_id IN (SELECT unnest(?::VARCHAR[]))",
                                                             [missing]))
    result: dict[str, tuple[list[Report], bool]] = {}
    for event_type, s in searches.items():
        found = {e: whole[e] for e in s.found if e in whole}
        for r in seeds[event_type]:  # seeds that cannot be blocked stay incidents of their own
            found.setdefault(r.event_id, r)
        result[event_type] = sorted(found.values(), key=lambda r: r.event_id), s.exact
    return result


def affected_reports(con: duckdb.DuckDBPyConnection, event_type: str, seeds: list[Report],
                     horizon: timedelta = HORIZON) -> tuple[list[Report], bool]:
    """Return the reports to re-cluster with the seeds, ordered by event id, and whether that set is exact.

    Reports only link inside one block and across touching dates, so the search reads a date window around
    the seeds and widens it until no member of the linked set could have a partner outside it: whole
    connected components, whose clustering does not depend on any other report, so the result equals a
    full rebuild's. In dense news (a town with clashes every day) a component can chain through all of
    history; once it reaches `horizon` beyond the seeds' dates, needs more than a few widenings or takes in
    more than a few reports per seed, the search stops, and the set is the seeds,
    the reports they link to directly, and the whole old incidents of those (not exact, but bounded by
    what the run added; old incidents further away stay as they are).
    """
    return _search_all(con, {event_type: seeds}, horizon)[event_type]


def _stable_ids(reports: list[Report], groups: list[list[int]], previous: dict[str, str],
                taken: Callable[[list[str]], set[str]]) -> list[str]:
    """Give each cluster the id of the old incident it shares most reports with, else one derived from its first.

    `previous` maps event id to its old incident id; `taken` tells which of some ids other incidents keep. An old
    id goes to one cluster only; a derived id that is taken gets a counter.
    """
    def first(group: list[int]) -> tuple[date, str]:
        return _first_reported(reports, group)

    ids: dict[int, str] = {}
    order = sorted(range(len(groups)), key=lambda g: first(groups[g]))
    rank = {g: n for n, g in enumerate(order)}
    # biggest overlaps claim their old id first, so a grown incident keeps it rather than a split-off report
    claims = sorted(((-n, old, g) for g in order
                     for old, n in Counter(previous[reports[i].event_id] for i in groups[g]
                                           if reports[i].event_id in previous).items()),
                    key=lambda c: (c[0], rank[c[2]], c[1]))
    used: set[str] = set()
    for _, old, g in claims:
        if g not in ids and old not in used:
            ids[g] = old
            used.add(old)
    fresh = [g for g in order if g not in ids]
    tries = 0
    while fresh:
        wanted = {g: short_hash("incident", first(groups[g])[1], *([tries] if tries else [])) for g in fresh}
        blocked = used | taken(sorted(wanted.values()))
        retry = []
        for g in fresh:
            if wanted[g] in blocked:
                retry.append(g)
            else:
                ids[g] = wanted[g]
                blocked.add(wanted[g])
                used.add(wanted[g])
        fresh, tries = retry, tries + 1
    return [ids[g] for g in range(len(groups))]


def _first_reported(reports: list[Report], group: list[int]) -> tuple[date, str]:
    """The date and event id of a cluster's earliest report (its derived id's seed)."""
    earliest = min(group, key=lambda i: (reports[i].reported or date.max, reports[i].event_id))
    return reports[earliest].reported or date.max, reports[earliest].event_id


class _StoredIds:
    """Tell which incident ids are stored, remembering answers: what is stored does not change while ids are given.

    Asked first for every cluster's derived id at once: a query per type cost a scan of the incidents each.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        """Start knowing nothing."""
        self.con = con
        self.known: dict[str, bool] = {}

    def __call__(self, wanted: list[str]) -> set[str]:
        """Which of these ids are stored (asking the warehouse only about ids not asked before)."""
        unknown = [w for w in wanted if w not in self.known]
        if unknown:
            stored = _stored_ids(self.con, unknown)
            self.known.update((w, w in stored) for w in unknown)
        return {w for w in wanted if self.known[w]}


def _cluster_rows(reports: list[Report], previous: dict[str, str], refreshed_at: datetime,
                  taken: Callable[[list[str]], set[str]],
                  groups: list[list[int]] | None = None) -> tuple[list[Row], list[Row]]:
    """Cluster the reports (unless their groups are given); return their incidents rows and incident_reports rows."""
    groups = cluster_reports(reports) if groups is None else groups
    ids = _stable_ids(reports, groups, previous, taken)
    incidents: list[Row] = []
    links: list[Row] = []
    for group, incident_id in zip(groups, ids, strict=True):
        row, group_links = incident_rows(reports, group, refreshed_at, incident_id)
        incidents.append(row)
        links.extend(group_links)
    return incidents, links


def _write_clusters(con: duckdb.DuckDBPyConnection, reports: list[Report], previous: dict[str, str],
                    refreshed_at: datetime) -> int:
    """Cluster the reports and insert their incidents and links; return the incidents written."""
    incidents, links = _cluster_rows(reports, previous, refreshed_at, lambda wanted: _stored_ids(con, wanted))
    insert_rows(con, "incidents", incidents, INCIDENT_SCHEMA)
    insert_rows(con, "incident_reports", links, REPORT_SCHEMA)
    return len(incidents)


def _old_incidents(con: duckdb.DuckDBPyConnection, event_ids: list[str]) -> dict[str, list[str]]:
    """Map each incident holding any of the events to all its event ids."""
    con.register("_events", pa.table({"e": pa.array(event_ids, pa.string())}))
    try:
        rows = con.execute(
            "SELECT incident_id, event_id FROM incident_reports WHERE incident_id IN "
            "(SELECT incident_id FROM incident_reports WHERE event_id IN (SELECT e FROM _events))").fetchall()
    finally:
        con.unregister("_events")
    found: defaultdict[str, list[str]] = defaultdict(list)
    for incident_id, event_id in rows:
        found[str(incident_id)].append(str(event_id))
    return dict(found)


def _delete_incidents(con: duckdb.DuckDBPyConnection, incident_ids: Iterable[str]) -> None:
    """Delete incidents and their report links."""
    ids = sorted(set(incident_ids))
    if ids:
        con.execute("DELETE FROM incident_reports WHERE incident_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        con.execute("DELETE FROM incidents WHERE incident_id IN (SELECT unnest(?::VARCHAR[]))", [ids])


def update_incidents(con: duckdb.DuckDBPyConnection, refreshed_at: datetime | None = None,
                     horizon: timedelta = HORIZON) -> int:
    """Cluster the events that have no incident yet, re-clustering only the incidents they can touch.

    The work follows what was added: for each new event, the reports of its type and block whose dates link
    to it (affected_reports). Where those links stay within `horizon` of the new dates the result equals a
    full rebuild's; incidents keep their ids where their reports stay together. Runs in the caller's
    transaction; returns the incidents written.

    Every type is searched, read and written at once, as if one type after another (incidents never mix types):
    each query scans history tables, and a query per type made a run's cost grow with history times types.
    """
    with _collector_paused():
        return _update_incidents(con, refreshed_at or datetime.now(UTC), horizon)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, restoring it after.

    An update builds tens of thousands of acyclic objects (reports, index lists, pairs); each batch of them made the
    collector walk every object the process holds (0.1 s of a 1.2 s update on the 100,000-article warehouse, more in
    a flow's process with its larger heap). Nothing it builds needs collecting before it returns.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _update_incidents(con: duckdb.DuckDBPyConnection, refreshed_at: datetime, horizon: timedelta) -> int:
    """update_incidents' work, with the collector paused."""
    seeds: defaultdict[str, list[Report]] = defaultdict(list)
    for r in _reports_where(con, "e.event_id NOT IN (SELECT event_id FROM incident_reports)", []):
        seeds[r.event_type].append(r)
    if not seeds:
        return 0
    affected = {event_type: reports for event_type, (reports, _) in _search_all(con, seeds, horizon).items()}
    old = _old_incidents(con, sorted(r.event_id for reports in affected.values() for r in reports))
    touched = _touched_incidents(affected, old)
    inside = {r.event_id for reports in affected.values() for r in reports}
    stray = {e: event_type for event_type, ids in touched.items() for incident_id in ids for e in old[incident_id]
             if e not in inside}
    if stray:  # an old incident reaching outside the set (say, after a re-extraction): take it whole
        for r in _reports_where(con, "e.event_id IN (SELECT unnest(?::VARCHAR[]))", [sorted(stray)]):
            affected[stray[r.event_id]].append(r)
        affected = {event_type: sorted(reports, key=lambda r: r.event_id) for event_type, reports in affected.items()}
        old = _old_incidents(con, sorted(r.event_id for reports in affected.values() for r in reports))
        touched = _touched_incidents(affected, old)
    _delete_incidents(con, old)
    # what a type's new ids must avoid: the stored incidents, those written for the types before it, and the
    # old incidents of the types after it (one type after another, those would still be stored)
    not_yet_deleted = {incident_id for ids in touched.values() for incident_id in ids}
    written_ids: set[str] = set()

    stored = _StoredIds(con)

    def taken(wanted: list[str]) -> set[str]:
        return stored(wanted) | (set(wanted) & (written_ids | not_yet_deleted))

    groups = {event_type: cluster_reports(reports) for event_type, reports in affected.items()}
    stored(sorted(short_hash("incident", _first_reported(affected[event_type], group)[1])
                  for event_type, type_groups in groups.items() for group in type_groups))
    incidents: list[Row] = []
    links: list[Row] = []
    for event_type in sorted(affected):
        not_yet_deleted -= touched[event_type]
        previous = {e: incident_id for incident_id in touched[event_type] for e in old[incident_id]}
        rows, type_links = _cluster_rows(affected[event_type], previous, refreshed_at, taken, groups[event_type])
        written_ids.update(row["incident_id"] for row in rows)
        incidents.extend(rows)
        links.extend(type_links)
    insert_rows(con, "incidents", incidents, INCIDENT_SCHEMA)
    insert_rows(con, "incident_reports", links, REPORT_SCHEMA)
    return len(incidents)


def _touched_incidents(affected: dict[str, list[Report]], old: dict[str, list[str]]) -> dict[str, set[str]]:
    """Map each type to the old incidents holding any of its reports."""
    holder = {e: incident_id for incident_id, members in old.items() for e in members}
    return {event_type: {holder[r.event_id] for r in reports if r.event_id in holder}
            for event_type, reports in affected.items()}


def _stored_ids(con: duckdb.DuckDBPyConnection, wanted: list[str]) -> set[str]:
    """Which of these incident ids are stored already."""
    rows = con.execute("SELECT incident_id FROM incidents WHERE incident_id IN (SELECT unnest(?::VARCHAR[]))",
                       [wanted]).fetchall()
    return {str(r[0]) for r in rows}


def rebuild_incidents(con: duckdb.DuckDBPyConnection, refreshed_at: datetime | None = None) -> int:
    """Re-cluster every event, one type at a time, keeping old ids where reports stay together; caller's transaction."""
    refreshed_at = refreshed_at or datetime.now(UTC)
    previous = {str(e): str(i) for e, i in con.execute("SELECT event_id, incident_id FROM incident_reports").fetchall()}
    con.execute("DELETE FROM incident_reports")
    con.execute("DELETE FROM incidents")
    written = 0
    # reports of different types never merge: memory is bounded by the largest type, not the warehouse
    for (event_type,) in con.execute("SELECT DISTINCT event_type FROM events ORDER BY 1").fetchall():
        written += _write_clusters(con, load_reports(con, event_type), previous, refreshed_at)
    return written


def refresh_incidents(con: duckdb.DuckDBPyConnection, search_index: bool = True, run_id: str | None = None) -> int:
    """Bring incidents up to date in one transaction; return the number of incidents written.

    With `run_id` (after a run's loads): incrementally, for the events that have no incident yet
    (update_incidents; the search index is already current, loads add to it). Without: a full rebuild of
    incidents and, with search_index (the default), of the full-text index too (its own transaction).
    """
    refreshed_at = datetime.now(UTC)
    with transaction(con):
        if run_id is not None:
            return update_incidents(con, refreshed_at)
        rebuilt = rebuild_incidents(con, refreshed_at)
    if search_index:
        from warehouse.search import refresh_search_index

        refresh_search_index(con)
    return rebuilt
