"""The ACLED form: ACLED's 31 columns in ACLED's order and value domains, stable event_id_cnty, the ACLED CSV export."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import warehouse_samples as samples

import warehouse
from connectors.models import Source
from extraction.textnorm import content_hash
from raqib.cli import main
from raqib.settings import SOURCE_SCALES
from tests.backend import copy_db, db_in

# ACLED's export columns, in order (ACLED Codebook 2024).
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
# ACLED's actor types with their old inter codes; interaction labels are built from these codes independently of SQL.
INTER_CODES = {"State forces": 1, "Rebel group": 2, "Political militia": 3, "Identity militia": 4, "Rioters": 5,
               "Protesters": 6, "Civilians": 7, "External/Other forces": 8}
INTERACTIONS = {  # ACLED's 44 interaction labels by code
    10 * a + b: (f"{x}-{y}" if b else f"{x} only")
    for x, a in INTER_CODES.items() for y, b in [*INTER_CODES.items(), ("", 0)] if b == 0 or a <= b
}
INTERACTIONS[78] = "External/Other forces-Civilians"  # the one label that does not follow code order
EVENT_TYPES = {"Battles": "Political violence", "Explosions/Remote violence": "Political violence",
               "Violence against civilians": "Political violence", "Protests": "Demonstrations",
               "Riots": "Demonstrations", "Strategic developments": "Strategic developments"}
SCALES = {"deirezzor24": "Subnational", "euphrates-post": "National", "sham-monitor": "Other",
          "aggregator-news": "New media"}
VAGUE_TEXT = "قُتل عدد من عناصر قوات النظام في هجوم على حاجز قرب مدينة البوكمال أمس الأحد.\nولم تُعرف هوية المهاجمين."
VIEWS = ("v_acled", "v_acled_incidents")


def expected_interaction(inter1: str | None, inter2: str | None, actor2: str | None) -> str | None:
    """ACLED's interaction label for two actor types, from the codes."""
    if inter1 is None:
        return None
    if actor2 is None:
        return INTERACTIONS[10 * INTER_CODES[inter1]]
    if inter2 is None:
        return None
    low, high = sorted((INTER_CODES[inter1], INTER_CODES[inter2]))
    return INTERACTIONS[10 * low + high]


@pytest.fixture
def acled_db(loaded_db: Path) -> Path:
    """The sample warehouse with scales for its outlets and one report with only a vague toll and no named attacker."""
    con = warehouse.connect_writer(loaded_db)
    try:
        warehouse.save_sources(con, [Source(name, "rss", f"https://{name}.example/feed/", "ar", True, {}, scale)
                                     for name, scale in SCALES.items()], None)
        run_id = warehouse.start_run(con, None, datetime(2021, 5, 11, tzinfo=UTC), None)
        art = samples.article("deirezzor24", "https://deirezzor24.example/news/1200", "هجوم على حاجز",
                              date(2021, 5, 10), VAGUE_TEXT)
        evidence = "قُتل عدد من عناصر قوات النظام في هجوم على حاجز قرب مدينة البوكمال"
        vague = samples.event("attack", [(samples.SAA, "actor2")], samples.BUKAMAL, "2021-05-09", None, "day",
                              "أمس الأحد", None, evidence, VAGUE_TEXT)
        vague.update(acled_event_type="Battles", acled_sub_event_type="Armed clash", fatalities_vague=True)
        warehouse.load_batch(con, run_id, "deirezzor24", [art], {art["content_hash"]: [vague]}, [], "test-extractor-1")
        warehouse.refresh_incidents(con)
    finally:
        con.close()
    return loaded_db


def rows_of(db: Path, sql: str) -> list[dict[str, Any]]:
    """Run a read-only query and return dicts."""
    columns, rows = warehouse.run_readonly_query(db, sql)
    return [dict(zip(columns, r, strict=True)) for r in rows]


@pytest.mark.parametrize("view", VIEWS)
def test_columns_are_acleds_in_acleds_order(acled_db: Path, view: str) -> None:
    columns, _ = warehouse.run_readonly_query(acled_db, f"SELECT * FROM {view} LIMIT 0")
    assert columns == ACLED_COLUMNS


@pytest.mark.parametrize("view", VIEWS)
def test_every_value_is_in_acleds_domain(acled_db: Path, view: str) -> None:
    rows = rows_of(acled_db, f"SELECT * FROM {view}")
    assert len(rows) == (12 if view == "v_acled" else 9)
    ids = [r["event_id_cnty"] for r in rows]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"SYR[1-9]\d*", i) for i in ids)
    for r in rows:
        assert isinstance(r["event_date"], date) and r["year"] == r["event_date"].year
        assert r["time_precision"] in (1, 2, 3)
        assert r["disorder_type"] == EVENT_TYPES[r["event_type"]]
        assert r["actor1"] is not None or r["disorder_type"] != "Political violence"
        assert r["inter1"] in INTER_CODES and (r["inter2"] in INTER_CODES or r["inter2"] is None)
        assert r["interaction"] == expected_interaction(r["inter1"], r["inter2"], r["actor2"])
        assert r["interaction"] in INTERACTIONS.values()
        targeted = r["event_type"] == "Violence against civilians" or (
            r["disorder_type"] == "Political violence" and r["event_type"] != "Battles" and r["inter2"] == "Civilians")
        assert r["civilian_targeting"] == ("Civilian targeting" if targeted else None)
        assert (r["iso"], r["region"], r["country"]) == (760, "Middle East", "Syria")
        assert r["geo_precision"] in (1, 2, 3) and r["location"] and r["admin1"]
        assert -90 <= r["latitude"] <= 90 and -180 <= r["longitude"] <= 180
        assert set(r["source"].split("; ")) <= set(SCALES)
        assert set(r["source_scale"].split("-")) <= set(SOURCE_SCALES)
        assert isinstance(r["fatalities"], int) and r["fatalities"] >= 0
        assert r["tags"] in (None, "fatalities=vague report")
        assert r["timestamp"] >= int(datetime(2021, 1, 1, tzinfo=UTC).timestamp())


def test_values_follow_the_codebook_for_known_reports(acled_db: Path) -> None:
    rows = {(r["event_type"], r["location"], str(r["event_date"]), r["source"]): r
            for r in rows_of(acled_db, "SELECT * FROM v_acled")}
    abduction = rows[("Violence against civilians", "al-Bukamal", "2021-05-03", "deirezzor24")]
    assert (abduction["actor1"], abduction["assoc_actor_1"], abduction["inter1"]) == (
        "Islamic Revolutionary Guard Corps", "Fatemiyoun Brigade", "External/Other forces")
    assert (abduction["interaction"], abduction["civilian_targeting"]) == ("External/Other forces-Civilians",
                                                                           "Civilian targeting")
    shelling = rows[("Explosions/Remote violence", "Hajin", "2021-03-20", "deirezzor24")]
    assert (shelling["interaction"], shelling["civilian_targeting"], shelling["fatalities"]) == (
        "State forces-Civilians", "Civilian targeting", 2)
    clash = rows[("Battles", "al-Mayadin", "2021-03-13", "euphrates-post")]
    assert (clash["interaction"], clash["time_precision"], clash["source_scale"]) == (
        "Political militia-External/Other forces", 1, "National")
    # "early last month", 1 to 10 February: the middle day, precision 3 (more than a week)
    attack = rows[("Violence against civilians", "Ain Ali", "2021-02-05", "euphrates-post")]
    assert attack["time_precision"] == 3 and attack["civilian_targeting"] == "Civilian targeting"
    arrest = rows[("Strategic developments", "Deir ez-Zor city", "2021-04-19", "euphrates-post")]
    assert (arrest["disorder_type"], arrest["interaction"], arrest["civilian_targeting"]) == (
        "Strategic developments", "State forces-Civilians", None)
    vague = rows[("Battles", "al-Bukamal", "2021-05-09", "deirezzor24")]
    assert (vague["actor1"], vague["inter1"], vague["actor2"], vague["interaction"]) == (
        "Unidentified Armed Group (Syria)", "Political militia", "Syrian Arab Army", "State forces-Political militia")
    assert (vague["fatalities"], vague["tags"]) == (0, "fatalities=vague report")


def test_incidents_have_one_row_with_the_best_supported_toll_and_all_outlets(acled_db: Path) -> None:
    rows = rows_of(acled_db, "SELECT * FROM v_acled_incidents WHERE location = 'al-Mayadin' ORDER BY event_date")
    march = rows[0]
    assert (str(march["event_date"]), march["fatalities"]) == ("2021-03-13", 4)  # 4, 4 and 6 reported: never 14
    # the first article's text was stored from the aggregator's copy (sources load in name order)
    assert march["source"] == "aggregator-news; euphrates-post; sham-monitor"
    assert march["source_scale"] == "Other-New media-National"
    reports = rows_of(acled_db, """
        SELECT v.event_id_cnty, v."timestamp" FROM v_acled AS v
        JOIN event_numbers AS n ON v.event_id_cnty = 'SYR' || n.number
        JOIN incident_reports AS r USING (event_id)
        JOIN incidents AS i USING (incident_id)
        WHERE i.location = 'al-Mayadin' AND i.date_start = DATE '2021-03-13'""")
    assert len(reports) == 3
    assert march["event_id_cnty"] == min((r["event_id_cnty"] for r in reports), key=lambda i: int(i[3:]))
    assert march["timestamp"] == max(r["timestamp"] for r in reports)


def test_acled_export_round_trips_through_duckdb(acled_db: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "acled"
    assert main(["export", "--format", "acled", "--out", str(out), "--db", str(acled_db)]) == 0
    assert capsys.readouterr().out.split() == [str(out / "v_acled.csv"), str(out / "v_acled_incidents.csv")]
    con = duckdb.connect()
    try:
        for view in VIEWS:
            path = out / f"{view}.csv"
            text = path.read_bytes().decode("utf-8")
            assert text.splitlines()[0] == ",".join(ACLED_COLUMNS)
            assert "الحرس الثوري" in text or view == "v_acled_incidents"
            assert re.search(r",\d\d (January|February|March|April|May) 2021,2021,", text)
            back = con.execute(f"SELECT * FROM read_csv('{path}', dateformat = '%d %B %Y')")
            back_types = [(d[0], str(d[1])) for d in back.description]
            back_rows = sorted(back.fetchall(), key=lambda r: r[0])
            stored = warehouse.connect_reader(acled_db)
            try:
                view_cursor = stored.execute(f"SELECT * FROM {view}")
                view_types = [(d[0], str(d[1])) for d in view_cursor.description]
                view_rows = sorted(view_cursor.fetchall(), key=lambda r: r[0])
            finally:
                stored.close()
            assert back_types == view_types
            assert back_rows == view_rows and len(back_rows) > 5
    finally:
        con.close()


def test_new_events_get_new_numbers_and_a_batch_loaded_twice_keeps_them(acled_db: Path) -> None:
    before = {r["event_id_cnty"] for r in rows_of(acled_db, "SELECT event_id_cnty FROM v_acled")}
    top = max(int(i[3:]) for i in before)
    con = warehouse.connect_writer(acled_db)
    try:
        articles, events = samples.synthetic_batch(0, 3)
        for _ in range(2):
            warehouse.load_batch(con, "run-x", "synthetic", articles, events, [], "test-extractor-1")
        numbers = con.execute("SELECT n.number FROM event_numbers AS n JOIN events AS e USING (event_id) "
                              "WHERE e.content_hash IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1",
                              [[a["content_hash"] for a in articles]]).fetchall()
        state = con.execute("SELECT last_number FROM event_number_state").fetchall()
    finally:
        con.close()
    assert [n for (n,) in numbers] == [top + 1, top + 2, top + 3]
    assert state == [(top + 3,)]
    after = {r["event_id_cnty"] for r in rows_of(acled_db, "SELECT event_id_cnty FROM v_acled")}
    assert before < after


def ids_by_event(db: Path) -> dict[tuple[str, str, str], tuple[str, int, str]]:
    """Return (content_hash, event_type, evidence) -> (event_id_cnty, timestamp, event_id) of every event."""
    con = warehouse.connect_reader(db)
    try:
        rows = con.execute("""
            SELECT e.content_hash, e.event_type, e.evidence, v.event_id_cnty, v."timestamp", e.event_id
            FROM v_acled AS v
            JOIN event_numbers AS n ON v.event_id_cnty = 'SYR' || n.number
            JOIN events AS e USING (event_id)""").fetchall()
    finally:
        con.close()
    found = {(h, t, ev): (i, ts, eid) for h, t, ev, i, ts, eid in rows}
    assert len(found) == len(rows)
    return found


@pytest.mark.slow
def test_event_id_cnty_survives_a_re_extraction(db_path: Path, tmp_path: Path) -> None:
    from extraction import EXTRACTOR_VERSION, extract_events
    from flows.reextract import reextract_flow

    articles = samples.sample_articles()
    real = {a["content_hash"]: [e.to_json() for e in extract_events(a["text"], a["published"], "ar")]
            for a in articles}
    assert sum(len(v) for v in real.values()) >= 8
    # An older extractor also saw a spurious first event in every article: each real event sat one place later,
    # so its event_id (which hashes the position) differs from the one the re-extraction will give it.
    older = {digest: [{"event_type": "other", "evidence": "spurious", "span": [0, 8]}, *events]
             for digest, events in real.items()}
    con = warehouse.connect_writer(db_path)
    try:
        run_id = warehouse.start_run(con, None, datetime(2021, 5, 10, tzinfo=UTC), None)
        for source in sorted({a["source"] for a in articles}):
            warehouse.load_batch(con, run_id, source, [a for a in articles if a["source"] == source], older, [],
                                 "0.9-old")
        warehouse.refresh_incidents(con)
    finally:
        con.close()
    before = ids_by_event(db_path)
    spurious = {v[0] for k, v in before.items() if k[2] == "spurious"}
    assert len(spurious) == len({content_hash(a["text"]) for a in articles})

    result = reextract_flow(db=str(db_path))
    assert result["articles"] == len(spurious) and result["extractor_version"] == EXTRACTOR_VERSION
    after = ids_by_event(db_path)
    kept = {k: v for k, v in before.items() if k[2] != "spurious"}
    assert set(after) == set(kept)
    for key, (cnty, stamp, event_id) in after.items():
        assert cnty == kept[key][0], key  # the same number for the same event ...
        assert stamp == kept[key][1], key  # ... and the same timestamp, since nothing it says changed
        assert event_id != kept[key][2], key  # although its event_id did change
    assert spurious.isdisjoint(v[0] for v in after.values())  # retired numbers are not given again

    copy = db_in(tmp_path, "copy.duckdb")
    copy_db(db_path, copy)  # once more, with nothing changed: every id stays
    reextract_flow(db=str(copy), everything=True)
    assert ids_by_event(copy) == after


def test_batch_fingerprints_equal_the_views(acled_db: Path) -> None:
    """Numbering reads fingerprints for a batch's events only; they must be v_event_fingerprints' own."""
    from warehouse.acled import stored_events

    con = warehouse.connect_reader(acled_db)
    try:
        view = dict(con.execute("SELECT event_id, fingerprint FROM v_event_fingerprints").fetchall())
        hashes = [str(r[0]) for r in con.execute("SELECT content_hash FROM articles").fetchall()]
        found = [e for events in stored_events(con, hashes).values() for e in events]
        assert len(found) == len(view) > 0
        assert all(e.fingerprint == view[e.event_id] for e in found)
    finally:
        con.close()


def test_first_loads_number_from_the_batch_as_from_the_stored_tables(acled_db: Path) -> None:
    """A first load reads its events' fingerprints from its own rows; they must be what the stored tables give."""
    con = warehouse.connect_reader(acled_db)
    try:
        view = dict(con.execute("SELECT event_id, fingerprint FROM v_event_fingerprints").fetchall())
        numbered = dict(con.execute("SELECT event_id, fingerprint FROM event_numbers").fetchall())
        numbers = [r[0] for r in con.execute("SELECT number FROM event_numbers ORDER BY number").fetchall()]
    finally:
        con.close()
    assert numbered == view and len(view) > 0  # every event numbered, each with the fingerprint of its stored rows
    assert numbers == list(range(1, len(numbers) + 1))  # given once each, no gap
