"""Readable rule records (tests/extraction/rules/*.yaml) run against the real extractor and gazetteer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from extraction import extract_events
from extraction.scoring import fold_arabic, fold_english

RULES = Path(__file__).parent / "rules"


def _records() -> list[Any]:
    """Every rule record, with its file name for the test id."""
    out = []
    for path in sorted(RULES.glob("*.yaml")):
        for record in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append(pytest.param(record, id=f"{path.stem}:{record['name']}"))
    return out


def _same_name(expected: str, name: str | None, name_ar: str | None) -> bool:
    """Expected name equals (or is part of) the English or Arabic name, after folding."""
    en, ar = fold_english(expected), fold_arabic(expected)
    return bool((en and en in fold_english(name)) or (ar and ar in fold_arabic(name_ar)))


def _as_text(value: Any) -> Any:
    """Dates in YAML load as date objects; compare them as ISO strings."""
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.mark.parametrize("record", _records())
def test_rule(record: dict[str, Any]) -> None:
    """The record's expectations hold for the events extracted from its text."""
    published = record.get("published")
    events = [e.to_json() for e in extract_events(record["text"], published)]
    expect = record["expect"]
    if "events" in expect:
        assert len(events) == expect["events"], (record["comment"], events)
    if expect.get("events") == 0:
        return
    if "tolls_by_place" in expect:  # one event per listed place, each with its own toll (or null)
        tolls = {}
        for e in events:
            location = e["location"] or {}
            for name in expect["tolls_by_place"]:
                if _same_name(name, location.get("name"), location.get("name_ar")):
                    tolls[name] = e["fatalities"]
        assert tolls == expect["tolls_by_place"], (record["comment"], events)
    if "every_type" in expect:  # each event, not only the first, is of this type
        assert all(e["event_type"] == expect["every_type"] for e in events), (record["comment"], events)
    for role in ("actor1", "actor2"):
        if f"every_{role}" in expect:  # each event, not only the first, has this actor in this role
            for e in events:
                holders = [a for a in e["actors"] if a["role"] == role]
                named = any(_same_name(expect[f"every_{role}"], a["name"], a["name_ar"]) for a in holders)
                assert named, (record["comment"], e)
    wanted_type = expect.get("type")
    chosen = [e for e in events if e["event_type"] == wanted_type] if wanted_type else events
    assert chosen, (record["comment"], "no event of type", wanted_type, [e["event_type"] for e in events])
    event = chosen[0]
    actors = event["actors"]
    for name in expect.get("actors", []):
        assert any(_same_name(name, a["name"], a["name_ar"]) for a in actors), (record["comment"], name, actors)
    for role in ("actor1", "actor2"):
        if role in expect:
            assert any(a["role"] == role and _same_name(expect[role], a["name"], a["name_ar"]) for a in actors), (
                record["comment"],
                role,
                expect[role],
                actors,
            )
    if "no_actor1" in expect:  # one-sided violence whose attacker the text does not name
        assert any(a["role"] == "actor1" for a in actors) != expect["no_actor1"], (record["comment"], actors)
    if "place" in expect:
        location = event["location"] or {}
        assert _same_name(expect["place"], location.get("name"), location.get("name_ar")), (
            record["comment"],
            expect["place"],
            location,
        )
    if "admin1" in expect:  # a site the gazetteer lacks takes the admin levels of the known place holding it
        assert (event["location"] or {}).get("admin1") == expect["admin1"], (record["comment"], event["location"])
    if "precision" in expect:
        assert (event["location"] or {}).get("geo_precision") == expect["precision"], (
            record["comment"],
            event["location"],
        )
    for key in (
        "date_start",
        "date_end",
        "date_precision",
        "date_text",
        "fatalities",
        "fatalities_vague",
        "injured",
        "injured_vague",
    ):
        if key in expect:
            assert event[key] == _as_text(expect[key]), (record["comment"], key, event[key], expect[key])
