"""Stable ACLED event numbers: event_id_cnty is 'SYR' + a number given once per event and kept across re-extractions.

An event's own id (event_id) hashes its position in the article, so a re-extraction that finds one more event earlier
in the text gives every later event a new id. The number must not follow: before a re-extraction replaces an
article's events, the old ones are read, and each new event takes the number of the old event it matches (same id;
else same type and evidence offsets; else same type and evidence sentence; else same type, date, place and actors).
Unmatched new events get fresh numbers from a high-water mark that never goes down, so no number is given twice.
The row's `changed_at` (ACLED's `timestamp`) moves only when the event's fingerprint (what it says) changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pyarrow as pa

from warehouse.rows import TS, Row, insert_rows

NUMBER_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("number", pa.int64()), ("fingerprint", pa.string()), ("changed_at", TS),
])

# v_event_fingerprints (migration 004) computed over every event before the join, so numbering one batch cost
# time in proportion to the whole warehouse. The same fingerprint, for the wanted events only; a test checks
# that the two agree. Actor ids and number rows too are read for the wanted events only.
_STORED_TEMPLATE = """
WITH wanted AS (
    SELECT event_id FROM {events} WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))
),
named AS (
    SELECT event_id, list({'role': role, 'name': name, 'type': actor_type} ORDER BY position) AS actors
    FROM {event_actors}
    WHERE event_id IN (SELECT event_id FROM wanted)
    GROUP BY event_id
),
fingerprints AS (
    SELECT e.event_id, e.content_hash, e.event_type, e.span_start, e.span_end, e.evidence, e.date_start,
           e.location_id, e.event_index,
           md5(CAST({'type': e.event_type, 'acled': e.acled_event_type, 'sub': e.acled_sub_event_type,
                     'start': e.date_start, 'end': e.date_end, 'precision': e.date_precision,
                     'killed': e.fatalities, 'vague': e.fatalities_vague, 'place': e.location_id,
                     'location': e.location_name, 'admin1': e.admin1, 'admin2': e.admin2, 'admin3': e.admin3,
                     'lat': e.lat, 'lon': e.lon, 'geo': e.geo_precision, 'evidence': e.evidence,
                     'actors': n.actors} AS VARCHAR)) AS fingerprint
    FROM {events} AS e
    JOIN wanted USING (event_id)
    LEFT JOIN named AS n USING (event_id)
),
actor_ids AS (
    SELECT event_id, list_sort(list(DISTINCT actor_id) FILTER (WHERE actor_id IS NOT NULL)) AS ids
    FROM {event_actors}
    WHERE event_id IN (SELECT event_id FROM wanted)
    GROUP BY event_id
),
numbers AS (
    SELECT * FROM {event_numbers} WHERE event_id IN (SELECT event_id FROM wanted)
)
SELECT f.content_hash, f.event_id, f.event_type, f.span_start, f.span_end, f.evidence, f.date_start, f.location_id,
       coalesce(a.ids, []) AS actor_ids,
       n.number, n.fingerprint AS stored_fingerprint, n.changed_at, f.fingerprint, f.event_index
FROM fingerprints AS f
LEFT JOIN actor_ids AS a USING (event_id)
LEFT JOIN numbers AS n USING (event_id)
ORDER BY f.content_hash, f.event_index
"""


def _stored_sql(events: str, event_actors: str, event_numbers: str) -> str:
    """The stored-events query over the given tables."""
    return (
        _STORED_TEMPLATE.replace("{events}", events)
        .replace("{event_actors}", event_actors)
        .replace("{event_numbers}", event_numbers)
    )


_STORED_SQL = _stored_sql("events", "event_actors", "event_numbers")
# A first load's own rows, read from the batch instead of the stored tables: never numbered before.
_BATCH_SQL = _stored_sql("_batch_events", "_batch_event_actors", "(SELECT * FROM event_numbers LIMIT 0)")


@dataclass(frozen=True)
class StoredEvent:
    """One stored event with what matching needs, its current fingerprint and its number row (if any)."""

    content_hash: str
    event_id: str
    event_type: str
    span_start: int | None
    span_end: int | None
    evidence: str | None
    date_start: date | None
    location_id: str | None
    actor_ids: tuple[str, ...]
    number: int | None
    stored_fingerprint: str | None
    changed_at: datetime | None
    fingerprint: str


def stored_events(
    con: duckdb.DuckDBPyConnection, hashes: Iterable[str], sql: str | None = None
) -> dict[str, list[StoredEvent]]:
    """Return the stored events of these articles, by content hash, in article order."""
    wanted = sorted(set(hashes))
    found: dict[str, list[StoredEvent]] = {}
    if not wanted:
        return found
    for row in con.execute(sql or _STORED_SQL, [wanted]).fetchall():
        event = StoredEvent(
            content_hash=row[0], event_id=row[1], event_type=row[2], span_start=row[3], span_end=row[4],
            evidence=row[5], date_start=row[6], location_id=row[7], actor_ids=tuple(row[8]), number=row[9],
            stored_fingerprint=row[10], changed_at=row[11], fingerprint=row[12],
        )
        found.setdefault(event.content_hash, []).append(event)
    return found


# How a new event is recognised as an old one, strictest first; a key with a missing part never matches.
_MATCH_KEYS: tuple[Callable[[StoredEvent], tuple[Hashable, ...]], ...] = (
    lambda e: (e.event_id,),
    lambda e: (e.event_type, e.span_start, e.span_end),
    lambda e: (e.event_type, e.evidence),
    lambda e: (e.event_type, e.date_start, e.location_id, e.actor_ids),
)


def match_events(old: list[StoredEvent], new: list[StoredEvent]) -> dict[str, StoredEvent]:
    """Pair each new event (by event_id) with at most one old event of the same article, strictest key first."""
    free = list(old)
    matched: dict[str, StoredEvent] = {}
    for key in _MATCH_KEYS:
        for event in new:
            if event.event_id in matched:
                continue
            wanted = key(event)
            if any(part is None for part in wanted):
                continue
            for candidate in free:
                if key(candidate) == wanted:
                    matched[event.event_id] = candidate
                    free.remove(candidate)
                    break
    return matched


def batch_events(
    con: duckdb.DuckDBPyConnection, events: pa.Table, event_actors: pa.Table
) -> dict[str, list[StoredEvent]]:
    """A first load's events as stored_events gives them, read from the batch's own rows, not the growing tables."""
    hashes = events.column("content_hash").to_pylist()
    con.register("_batch_events", events)
    con.register("_batch_event_actors", event_actors)
    try:
        return stored_events(con, hashes, _BATCH_SQL)
    finally:
        con.unregister("_batch_events")
        con.unregister("_batch_event_actors")


def _allocate(con: duckdb.DuckDBPyConnection, count: int) -> list[int]:
    """Take `count` fresh numbers above the high-water mark and raise the mark."""
    if count == 0:
        return []
    row = con.execute("SELECT last_number FROM event_number_state").fetchone()
    last = int(row[0]) if row else 0
    if row is None:
        con.execute("INSERT INTO event_number_state VALUES (?)", [last + count])
    else:
        con.execute("UPDATE event_number_state SET last_number = ?", [last + count])
    return list(range(last + 1, last + count + 1))


def number_events(
    con: duckdb.DuckDBPyConnection,
    hashes: Iterable[str],
    previous: Mapping[str, list[StoredEvent]],
    at: datetime,
    current: Mapping[str, list[StoredEvent]] | None = None,
) -> int:
    """Give every event of these articles its number (call inside the writing transaction); return how many were new.

    `previous` holds the articles' events as they were before being replaced (empty for first loads); `current`
    their events now, when the caller has them (else read from the stored tables).
    """
    if current is None:
        current = stored_events(con, hashes)
    rows: list[Row] = []
    unnumbered: list[Row] = []
    for digest, events in current.items():
        matches = match_events([e for e in previous.get(digest, []) if e.number is not None], events)
        for event in events:
            old = matches.get(event.event_id)
            fingerprint: str | None
            if old is not None:
                number, fingerprint, changed = old.number, old.fingerprint, old.changed_at
            else:  # its own row, if it had one (a batch loaded again, events re-inserted under the same id)
                number, fingerprint, changed = event.number, event.stored_fingerprint, event.changed_at
            row: Row = {"event_id": event.event_id, "number": number, "fingerprint": event.fingerprint,
                        "changed_at": changed if changed is not None and fingerprint == event.fingerprint else at}
            (rows if number is not None else unnumbered).append(row)
    for row, number in zip(unnumbered, _allocate(con, len(unnumbered)), strict=True):
        row["number"] = number
    rows += unnumbered
    if rows:
        con.execute("DELETE FROM event_numbers WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
                    [[r["event_id"] for r in rows]])
        insert_rows(con, "event_numbers", rows, NUMBER_SCHEMA)
    return len(unnumbered)
