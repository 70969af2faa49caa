"""Turning pipeline dicts (articles, EVENTS.md events, fetch records) into typed rows and Arrow tables."""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pyarrow as pa

Row = dict[str, Any]

_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_MAX_COUNT = 1_000_000  # a casualty figure above this is a parsing accident, not a number

TS = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema([
    ("content_hash", pa.string()), ("url", pa.string()), ("final_url", pa.string()), ("source", pa.string()),
    ("title", pa.string()), ("published", pa.date32()), ("language", pa.string()), ("text", pa.string()),
    ("fetched_at", TS), ("archive_path", pa.string()), ("run_id", pa.string()),
    ("extractor_version", pa.string()), ("events_run_id", pa.string()),
])
ARTICLE_URL_SCHEMA = pa.schema([
    ("url", pa.string()), ("content_hash", pa.string()), ("source", pa.string()), ("first_seen", TS),
    ("run_id", pa.string()),
])
FETCH_SCHEMA = pa.schema([
    ("fetch_id", pa.string()), ("url", pa.string()), ("source", pa.string()), ("stage", pa.string()),
    ("status", pa.int32()), ("ok", pa.bool_()), ("reason", pa.string()), ("bytes", pa.int64()),
    ("duration_ms", pa.float64()), ("fetched_at", TS), ("run_id", pa.string()),
])
EVENT_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("content_hash", pa.string()), ("event_index", pa.int32()),
    ("event_type", pa.string()), ("acled_event_type", pa.string()), ("acled_sub_event_type", pa.string()),
    ("date_start", pa.date32()), ("date_end", pa.date32()), ("date_precision", pa.string()),
    ("date_text", pa.string()), ("fatalities", pa.int32()), ("fatalities_vague", pa.bool_()),
    ("injured", pa.int32()), ("injured_vague", pa.bool_()), ("location_id", pa.string()),
    ("location_name", pa.string()), ("location_name_ar", pa.string()), ("admin1", pa.string()),
    ("admin2", pa.string()), ("admin3", pa.string()), ("pcode", pa.string()), ("lat", pa.float64()),
    ("lon", pa.float64()), ("geo_precision", pa.int32()), ("evidence", pa.string()), ("span_start", pa.int32()),
    ("span_end", pa.int32()), ("confidence", pa.float64()), ("extractor_version", pa.string()),
    ("run_id", pa.string()), ("raw", pa.string()),
])
EVENT_ACTOR_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("position", pa.int32()), ("actor_id", pa.string()), ("role", pa.string()),
    ("name", pa.string()), ("name_ar", pa.string()), ("actor_type", pa.string()), ("run_id", pa.string()),
    ("extractor_version", pa.string()),
])
ACTOR_SCHEMA = pa.schema([
    ("actor_id", pa.string()), ("name", pa.string()), ("name_ar", pa.string()), ("acled_actor_type", pa.string()),
    ("run_id", pa.string()), ("extractor_version", pa.string()),
])
LOCATION_SCHEMA = pa.schema([
    ("location_id", pa.string()), ("name", pa.string()), ("name_ar", pa.string()), ("admin1", pa.string()),
    ("admin2", pa.string()), ("admin3", pa.string()), ("pcode", pa.string()), ("lat", pa.float64()),
    ("lon", pa.float64()), ("kind", pa.string()), ("run_id", pa.string()), ("extractor_version", pa.string()),
])


def short_hash(*parts: object) -> str:
    """Return 16 hex characters of SHA-256 over the parts joined by a separator."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fold_arabic(text: str) -> str:
    """Fold Arabic spelling variants (marks, hamza forms, ta marbuta) and case, for comparing names."""
    text = _AR_MARKS.sub("", unicodedata.normalize("NFC", text)).translate(_AR_FOLD)
    return " ".join(text.casefold().split())


def utc(value: Any) -> datetime | None:
    """Return an aware UTC datetime (naive values are taken as UTC), parsing ISO strings."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise ValueError(f"not a timestamp: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_date(value: Any) -> date | None:
    """Return a date from a date, datetime or ISO string; anything unreadable becomes None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def as_count(value: Any) -> int | None:
    """Return a non-negative whole count, or None for missing, vague or absurd values."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or number < 0 or number > _MAX_COUNT or number != int(number):
        return None
    return int(number)


def as_float(value: Any, low: float = -math.inf, high: float = math.inf) -> float | None:
    """Return a finite float within [low, high], or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def as_int(value: Any) -> int | None:
    """Return an int from an int-like value, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_text(value: Any) -> str | None:
    """Return a stripped non-empty string, or None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def as_flag(value: Any) -> bool | None:
    """Return a bool, or None when missing."""
    return None if value is None else bool(value)


def json_text(value: Any) -> str:
    """Serialise to JSON, keeping Arabic readable and sets/dates/paths as lists/strings."""

    def fallback(obj: Any) -> Any:
        if isinstance(obj, set | frozenset):
            return sorted(obj, key=str)
        return str(obj)

    return json.dumps(value, ensure_ascii=False, default=fallback, sort_keys=True)


def article_row(article: Mapping[str, Any], run_id: str, extractor_version: str) -> Row:
    """Return the articles row for one pipeline article dict."""
    for key in ("content_hash", "url", "source", "text"):
        if not article.get(key):
            raise ValueError(f"article is missing {key}: {article.get('url') or article.get('content_hash')!r}")
    return {
        "content_hash": str(article["content_hash"]),
        "url": str(article["url"]),
        "final_url": as_text(article.get("final_url")),
        "source": str(article["source"]),
        "title": as_text(article.get("title")),
        "published": as_date(article.get("published")),
        "language": as_text(article.get("language")),
        "text": str(article["text"]),
        "fetched_at": utc(article.get("fetched_at")),
        "archive_path": as_text(article.get("archive_path")),
        "run_id": run_id,
        "extractor_version": extractor_version,
        "events_run_id": run_id,
    }


def fetch_row(record: Mapping[str, Any], run_id: str) -> Row:
    """Return the fetch_log row for one fetch record; its id makes a repeated load a no-op."""
    at = utc(record.get("at")) or datetime.now(UTC)
    source, url, stage = str(record["source"]), str(record["url"]), str(record.get("stage") or "fetch")
    reason = str(record.get("reason") or ("ok" if record.get("ok") else "unknown"))
    status = as_int(record.get("status"))
    return {
        "fetch_id": short_hash(source, url, stage, at.isoformat(), status, reason),
        "url": url,
        "source": source,
        "stage": stage,
        "status": status,
        "ok": bool(record.get("ok")),
        "reason": reason,
        "bytes": as_int(record.get("bytes")),
        "duration_ms": as_float(record.get("duration_ms")),
        "fetched_at": at,
        "run_id": run_id,
    }


def actor_id(name: str | None, name_ar: str | None) -> str:
    """Return the stable id of an actor: from its canonical name, else its folded Arabic name."""
    if name:
        return short_hash("actor", " ".join(name.casefold().split()))
    return short_hash("actor-ar", fold_arabic(name_ar or ""))


def location_id(loc: Mapping[str, Any]) -> str | None:
    """Return the stable id of a place: its p-code, else its names, admin levels and rounded coordinates."""
    pcode = as_text(loc.get("pcode"))
    if pcode:
        return short_hash("pcode", pcode)
    name, name_ar = as_text(loc.get("name")), as_text(loc.get("name_ar_canonical") or loc.get("name_ar"))
    lat, lon = as_float(loc.get("lat"), -90, 90), as_float(loc.get("lon"), -180, 180)
    if not (name or name_ar or lat is not None):
        return None
    return short_hash(
        "place", (name or "").casefold(), fold_arabic(name_ar or "") if not name else "",
        as_text(loc.get("admin1")), as_text(loc.get("admin2")), as_text(loc.get("admin3")),
        None if lat is None else round(lat, 3), None if lon is None else round(lon, 3),
    )


@dataclass
class EventRows:
    """Rows for the events, event_actors, actors and locations tables."""

    events: list[Row] = field(default_factory=list)
    event_actors: list[Row] = field(default_factory=list)
    actors: dict[str, Row] = field(default_factory=dict)
    locations: dict[str, Row] = field(default_factory=dict)


def _span(value: Any) -> tuple[int | None, int | None]:
    """Return (start, end) of an event's character span."""
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        return as_int(value[0]), as_int(value[1])
    return None, None


def add_event_rows(
    out: EventRows, content_hash: str, events: Iterable[Any], run_id: str, extractor_version: str
) -> None:
    """Append the rows of one article's events; a structurally broken event raises ValueError."""
    for index, event in enumerate(events):
        where = f"event {index} of article {content_hash}"
        if not isinstance(event, Mapping):
            raise ValueError(f"{where} is not an object: {event!r:.80}")
        event_type = as_text(event.get("event_type"))
        if not event_type:
            raise ValueError(f"{where} has no event_type")
        actors = event.get("actors") or []
        loc = event.get("location") or {}
        if not isinstance(actors, list) or not all(isinstance(a, Mapping) for a in actors):
            raise ValueError(f"{where}: actors must be a list of objects")
        if not isinstance(loc, Mapping):
            raise ValueError(f"{where}: location must be an object")
        span_start, span_end = _span(event.get("span"))
        event_id = short_hash(content_hash, index, event_type, span_start, span_end)
        loc_id = location_id(loc)
        lat, lon = as_float(loc.get("lat"), -90, 90), as_float(loc.get("lon"), -180, 180)
        out.events.append({
            "event_id": event_id, "content_hash": content_hash, "event_index": index, "event_type": event_type,
            "acled_event_type": as_text(event.get("acled_event_type")),
            "acled_sub_event_type": as_text(event.get("acled_sub_event_type")),
            "date_start": as_date(event.get("date_start")), "date_end": as_date(event.get("date_end")),
            "date_precision": as_text(event.get("date_precision")), "date_text": as_text(event.get("date_text")),
            "fatalities": as_count(event.get("fatalities")), "fatalities_vague": as_flag(event.get("fatalities_vague")),
            "injured": as_count(event.get("injured")), "injured_vague": as_flag(event.get("injured_vague")),
            "location_id": loc_id, "location_name": as_text(loc.get("name")),
            "location_name_ar": as_text(loc.get("name_ar")), "admin1": as_text(loc.get("admin1")),
            "admin2": as_text(loc.get("admin2")), "admin3": as_text(loc.get("admin3")),
            "pcode": as_text(loc.get("pcode")), "lat": lat, "lon": lon,
            "geo_precision": as_int(loc.get("geo_precision")), "evidence": as_text(event.get("evidence")),
            "span_start": span_start, "span_end": span_end, "confidence": as_float(event.get("confidence"), 0, 1),
            "extractor_version": extractor_version, "run_id": run_id, "raw": json_text(event),
        })
        if loc_id and loc_id not in out.locations:
            out.locations[loc_id] = {
                "location_id": loc_id, "name": as_text(loc.get("name")),
                "name_ar": as_text(loc.get("name_ar_canonical") or loc.get("name_ar")),
                "admin1": as_text(loc.get("admin1")), "admin2": as_text(loc.get("admin2")),
                "admin3": as_text(loc.get("admin3")), "pcode": as_text(loc.get("pcode")), "lat": lat, "lon": lon,
                "kind": as_text(loc.get("kind")), "run_id": run_id, "extractor_version": extractor_version,
            }
        for position, actor in enumerate(actors):
            name, name_ar = as_text(actor.get("name")), as_text(actor.get("name_ar"))
            if not (name or name_ar):
                continue
            a_id = actor_id(name, name_ar)
            actor_type = as_text(actor.get("actor_type"))
            out.event_actors.append({
                "event_id": event_id, "position": position, "actor_id": a_id, "role": as_text(actor.get("role")),
                "name": name, "name_ar": name_ar, "actor_type": actor_type, "run_id": run_id,
                "extractor_version": extractor_version,
            })
            if a_id not in out.actors:  # the dimension keeps the dictionary's Arabic name, events the text's
                out.actors[a_id] = {
                    "actor_id": a_id, "name": name, "name_ar": as_text(actor.get("name_ar_canonical")) or name_ar,
                    "acled_actor_type": actor_type,
                    "run_id": run_id, "extractor_version": extractor_version,
                }


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: list[Row] | pa.Table,
    schema: pa.Schema,
    keys: Sequence[str] = (),
) -> int:
    """Bulk-insert rows (or their Arrow table) at once, skipping rows whose keys exist already; return rows added."""
    if len(rows) == 0:
        return 0
    arrow = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=schema)
    view = f"_incoming_{table}"
    columns = ", ".join(schema.names)
    sql = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {view} AS n"
    if keys:
        match = " AND ".join(f"t.{k} = n.{k}" for k in keys)
        sql += f" WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {match})"
    con.register(view, arrow)
    try:
        result = con.execute(sql).fetchone()
    finally:
        con.unregister(view)
    return int(result[0]) if result else 0
