"""Read the warehouse's analyst views into plain report objects, with the --since / --admin1 filters applied."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from report.geo import governorate_key, resolve_governorate

EVENT_COLUMNS = (
    "event_id", "event_date", "raqib_event_type", "actor1", "actor2", "admin1", "admin2", "location", "location_ar",
    "latitude", "longitude", "geo_precision", "fatalities", "source", "source_url", "notes", "incident_id",
)
INCIDENT_COLUMNS = (
    "incident_id", "event_type", "date_start", "date_end", "location", "location_ar", "admin1", "admin2",
    "lat", "lon", "actors", "fatalities", "n_reports", "n_sources",
)


@dataclass(frozen=True)
class EventRow:
    """One extracted event (one report of something that happened)."""

    event_id: str
    event_date: date | None
    event_type: str
    actor1: str | None
    actor2: str | None
    admin1: str | None
    admin2: str | None
    location: str | None
    location_ar: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    fatalities: int | None
    source: str | None
    source_url: str | None
    evidence: str | None
    incident_id: str | None


@dataclass(frozen=True)
class SourceLink:
    """One article that reported an incident."""

    source: str
    url: str | None


@dataclass
class Incident:
    """One real-world happening, merged over the reports of every source; the unit of every count and chart."""

    incident_id: str
    event_type: str
    date_start: date | None
    date_end: date | None
    location: str | None
    location_ar: str | None
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    actors: list[str]
    fatalities: int | None
    n_reports: int
    n_sources: int
    pairs: set[tuple[str | None, str | None]] = field(default_factory=set)  # (actor1, actor2) as reported
    links: list[SourceLink] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything the page shows, already filtered."""

    incidents: list[Incident]
    events: list[EventRow]
    since: date | None
    admin1: str | None
    admin1_pcode: str | None
    warehouse_events: int  # before filtering, to tell "empty warehouse" from "filters matched nothing"


def existing_columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str] | None:
    """Column names of a table or view, or None when it does not exist."""
    try:
        rows = con.execute(f"DESCRIBE {relation}").fetchall()
    except duckdb.Error:
        return None
    return {str(r[0]) for r in rows}


def select_rows(con: duckdb.DuckDBPyConnection, relation: str, wanted: tuple[str, ...],
                aliases: dict[str, str] | None = None, where: str = "", params: list[Any] | None = None
                ) -> list[dict[str, Any]]:
    """Select the wanted columns (NULL for any the warehouse lacks) as dictionaries, optionally filtered."""
    have = existing_columns(con, relation)
    if have is None:
        return []
    aliases = aliases or {}
    parts = []
    for name in wanted:
        source = name if name in have else aliases.get(name)
        parts.append(f'"{source}" AS "{name}"' if source in have else f'NULL AS "{name}"')
    cursor = con.execute(f"SELECT {', '.join(parts)} FROM {relation}" + (f" WHERE {where}" if where else ""),
                         params or [])
    return [dict(zip(wanted, row, strict=True)) for row in cursor.fetchall()]


def as_int(value: Any) -> int | None:
    """An integer or None."""
    return None if value is None else int(value)


def as_float(value: Any) -> float | None:
    """A float or None."""
    return None if value is None else float(value)


def read_events(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> list[EventRow]:
    """Every event of v_events, or those one run added."""
    rows = select_rows(con, "v_events", EVENT_COLUMNS, {"raqib_event_type": "event_type", "notes": "evidence"},
                       *(("run_id = ?", [run_id]) if run_id else ()))
    return [EventRow(
        event_id=str(r["event_id"]), event_date=r["event_date"], event_type=str(r["raqib_event_type"] or "other"),
        actor1=r["actor1"], actor2=r["actor2"], admin1=r["admin1"], admin2=r["admin2"], location=r["location"],
        location_ar=r["location_ar"], latitude=as_float(r["latitude"]), longitude=as_float(r["longitude"]),
        geo_precision=as_int(r["geo_precision"]), fatalities=as_int(r["fatalities"]), source=r["source"],
        source_url=r["source_url"], evidence=r["notes"], incident_id=r["incident_id"],
    ) for r in rows]


def read_incident_rows(con: duckdb.DuckDBPyConnection, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The incidents table (or these incidents) by id (empty when the warehouse has none yet)."""
    rows = select_rows(con, "incidents", INCIDENT_COLUMNS, {"lat": "latitude", "lon": "longitude"},
                       *(("incident_id IN (SELECT unnest(?::VARCHAR[]))", [ids]) if ids is not None else ()))
    return {str(r["incident_id"]): r for r in rows}


def matches_filters(event: EventRow, since: date | None, pcode: str | None, admin1: str | None) -> bool:
    """Whether an event passes --since and --admin1 (an undated event never passes --since)."""
    if since is not None and (event.event_date is None or event.event_date < since):
        return False
    if admin1 is None:
        return True
    if event.admin1 is None:
        return False
    if pcode is not None:
        return resolve_governorate(event.admin1) == pcode
    return governorate_key(event.admin1) == governorate_key(admin1)


def most_common(values: list[Any]) -> Any:
    """The most frequent non-null value (first seen wins a tie), or None."""
    counts: dict[Any, int] = defaultdict(int)
    for v in values:
        if v is not None:
            counts[v] += 1
    return max(counts, key=lambda v: counts[v]) if counts else None


def build_incident(key: str, events: list[EventRow], row: dict[str, Any] | None) -> Incident:
    """Merge an incident's events, preferring the warehouse's incident row for the headline facts."""
    first = min(events, key=lambda e: (e.event_date or date.max, e.event_id))
    located = [e for e in events if e.latitude is not None and e.longitude is not None]
    place = min(located, key=lambda e: (e.geo_precision or 9, e.event_id)) if located else first
    sources = {e.source for e in events if e.source}
    actors = list(dict.fromkeys(a for e in events for a in (e.actor1, e.actor2) if a))
    incident = Incident(
        incident_id=key, event_type=most_common([e.event_type for e in events]) or "other",
        date_start=first.event_date, date_end=max((e.event_date for e in events if e.event_date), default=None),
        location=place.location, location_ar=place.location_ar, admin1=place.admin1, admin2=place.admin2,
        latitude=place.latitude, longitude=place.longitude, geo_precision=place.geo_precision, actors=actors,
        fatalities=max((e.fatalities for e in events if e.fatalities is not None), default=None),
        n_reports=len(events), n_sources=len(sources))
    if row is not None:
        incident.event_type = str(row["event_type"] or incident.event_type)
        incident.date_start = row["date_start"] or incident.date_start
        incident.date_end = row["date_end"] or incident.date_end
        if row["lat"] is not None and row["lon"] is not None:
            incident.latitude, incident.longitude = float(row["lat"]), float(row["lon"])
            incident.location, incident.location_ar = row["location"], row["location_ar"]
        incident.admin1 = row["admin1"] or incident.admin1
        incident.actors = [str(a) for a in row["actors"]] if row["actors"] else incident.actors
        incident.fatalities = as_int(row["fatalities"]) if row["fatalities"] is not None else incident.fatalities
        incident.n_reports = int(row["n_reports"] or incident.n_reports)
        incident.n_sources = int(row["n_sources"] or incident.n_sources)
    for e in sorted(events, key=lambda e: (e.source or "", e.source_url or "", e.event_id)):
        if e.actor1 or e.actor2:
            incident.pairs.add((e.actor1, e.actor2))
        link = SourceLink(e.source or "unknown source", e.source_url)
        if link not in incident.links:
            incident.links.append(link)
        if e.evidence and e.evidence.strip() and e.evidence.strip() not in incident.evidence:
            incident.evidence.append(e.evidence.strip())
    return incident


def group_incidents(events: list[EventRow], rows: dict[str, dict[str, Any]]) -> list[Incident]:
    """Group events into incidents (an event the warehouse has not grouped yet stands alone)."""
    groups: dict[str, list[EventRow]] = defaultdict(list)
    for e in events:
        groups[e.incident_id or f"event:{e.event_id}"].append(e)
    incidents = [build_incident(key, evs, rows.get(key)) for key, evs in groups.items()]
    incidents.sort(key=lambda i: (i.date_start or date.min, i.incident_id), reverse=True)
    return incidents


def load_report_data(con: duckdb.DuckDBPyConnection, since: date | None = None,
                     admin1: str | None = None, run_id: str | None = None) -> ReportData:
    """Read and filter the warehouse (or what one run added: a run's summary must not read all history)."""
    events = read_events(con, run_id)
    pcode = resolve_governorate(admin1) if admin1 else None
    kept = [e for e in events if matches_filters(e, since, pcode, admin1)]
    ids = sorted({e.incident_id for e in kept if e.incident_id}) if run_id else None
    incidents = group_incidents(kept, read_incident_rows(con, ids) if kept else {})
    return ReportData(incidents=incidents, events=kept, since=since, admin1=admin1, admin1_pcode=pcode,
                      warehouse_events=len(events))


def open_warehouse(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only through the warehouse package."""
    from warehouse import connect_reader

    return connect_reader(db_path)
