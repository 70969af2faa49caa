"""Incidents: repeated reports merge, figures are the best supported (never summed), distinct events stay apart."""

from __future__ import annotations

import gc
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import warehouse
from warehouse.incidents import (
    Report,
    _candidate_pairs,
    _covered,
    _merge_windows,
    _neighbourhoods,
    _StoredIds,
    _unread,
    best_figure,
    cluster_reports,
    compatible,
    update_incidents,
)


def test_three_reports_of_one_clash_become_one_incident(loaded_db: Path) -> None:
    con = warehouse.connect_reader(loaded_db)
    try:
        row = con.execute(
            "SELECT incident_id, event_type, date_start, location, admin1, fatalities, fatalities_support, "
            "fatalities_min, fatalities_max, n_reports, n_sources, sources, actors FROM incidents "
            "WHERE event_type = 'armed_clash' AND location = 'al-Mayadin' AND date_start = DATE '2021-03-13'"
        ).fetchall()
        assert len(row) == 1
        incident_id, *rest = row[0]
        assert rest == ["armed_clash", date(2021, 3, 13), "al-Mayadin", "Deir ez-Zor", 4, 2, 4, 6, 3, 3,
                        ["aggregator-news", "euphrates-post", "sham-monitor"],
                        ["National Defence Forces", "Islamic Revolutionary Guard Corps"]]
        # Naive addition over the three reports would claim 14 deaths.
        summed = con.execute("SELECT sum(fatalities) FROM v_events WHERE incident_id = ?", [incident_id]).fetchone()
        assert summed == (14,)
        reports = con.execute("SELECT r.source, r.url, r.fatalities, e.location FROM incident_reports AS r "
                              "JOIN v_events AS e USING (event_id) WHERE r.incident_id = ? ORDER BY r.source",
                              [incident_id]).fetchall()
        assert reports == [
            ("aggregator-news", "https://aggregator.example/story/88812", 4, "al-Mayadin"),
            ("euphrates-post", "https://euphrates-post.example/2021/03/14/mayadin-clash", 4, "al-Mayadin"),
            ("sham-monitor", "https://sham-monitor.example/p/5521", 6, "Deir ez-Zor"),
        ]
        # The background killing in Ain Ali, told by two articles, is its own incident.
        assert con.execute("SELECT n_reports, fatalities, location FROM incidents WHERE event_type = 'attack'"
                           ).fetchall() == [(2, 1, "Ain Ali")]
    finally:
        con.close()


def test_different_events_stay_apart(loaded_db: Path) -> None:
    con = warehouse.connect_reader(loaded_db)
    try:
        clashes = con.execute("SELECT location, date_start, n_reports, fatalities FROM incidents "
                              "WHERE event_type = 'armed_clash' ORDER BY date_start, location").fetchall()
        assert clashes == [
            ("Hajin", date(2021, 3, 13), 1, 2),  # same day, other town and other actors
            ("al-Mayadin", date(2021, 3, 13), 3, 4),
            ("al-Mayadin", date(2021, 4, 2), 1, 1),  # same place and actors, three weeks later
        ]
        assert con.execute("SELECT count(*), count(DISTINCT incident_id) FROM v_events").fetchone() == (11, 8)
        assert con.execute("SELECT count(*) FROM v_events WHERE incident_id IS NULL").fetchone() == (0,)
    finally:
        con.close()


def test_refresh_is_repeatable_and_ids_are_stable(loaded_db: Path) -> None:
    con = warehouse.connect_writer(loaded_db)
    try:
        first = con.execute("SELECT incident_id, n_reports, fatalities FROM incidents ORDER BY ALL").fetchall()
        assert warehouse.refresh_incidents(con) == 8
        assert con.execute("SELECT incident_id, n_reports, fatalities FROM incidents ORDER BY ALL").fetchall() == first
    finally:
        con.close()


def _report(event_id: str, article: str, source: str, day: int, fatalities: int | None, place: str = "Hajin",
            precision: str = "day", geo: int = 1, actors: tuple[str, ...] = ("is", "sdf")) -> Report:
    """Build one report as incident matching sees it."""
    when = date(2021, 3, day)
    return Report(event_id, article, "armed_clash", None, None, when, when, precision, fatalities, None, None, place,
                  None, "Deir ez-Zor", "Abu Kamal", None, None, None, None, geo, source, f"https://{source}/{article}",
                  when, list(actors), list(actors), [])


def test_best_figure_prefers_most_outlets_then_precision() -> None:
    a = _report("e1", "a1", "outlet-a", 13, 5)
    b = _report("e2", "a2", "outlet-b", 13, 7)
    c = _report("e3", "a3", "outlet-c", 14, 7)
    assert best_figure([(r.fatalities, r) for r in (a, b, c)]) == (7, 2)
    vague = _report("e4", "a4", "outlet-d", 13, 9, precision="month", geo=3)
    assert best_figure([(r.fatalities, r) for r in (a, vague)]) == (5, 1)  # tie: the precise report wins
    assert best_figure([(None, a)]) == (None, 0)


def test_clusters_use_complete_linkage_and_never_join_one_article() -> None:
    # Daily clashes on the 10th, 11th and 12th: 10~11 and 11~12 are each one day apart, 10 and 12 are not.
    chain = [_report("e1", "a1", "s1", 10, 1), _report("e2", "a2", "s2", 11, 1), _report("e3", "a3", "s3", 12, 1)]
    groups = cluster_reports(chain)
    assert sorted(len(g) for g in groups) == [1, 2]
    # Two events of the same article are two events, even when they look alike.
    same_article = [_report("e1", "a1", "s1", 10, 1), _report("e2", "a1", "s1", 10, 2)]
    assert sorted(len(g) for g in cluster_reports(same_article)) == [1, 1]
    # Missing actors on one side still match; disjoint actors do not.
    loose = [_report("e1", "a1", "s1", 10, 1), _report("e2", "a2", "s2", 10, 1, actors=())]
    assert [len(g) for g in cluster_reports(loose)] == [2]
    other = [_report("e1", "a1", "s1", 10, 1), _report("e2", "a2", "s2", 10, 1, actors=("ndf",))]
    assert sorted(len(g) for g in cluster_reports(other)) == [1, 1]


def test_refreshing_only_a_runs_event_types_equals_a_full_rebuild(db_path: Path) -> None:
    from warehouse_samples import EXTRACTOR, fetch_records, sample_articles, sample_events

    con = warehouse.connect_writer(db_path)
    try:
        articles, events = sample_articles(), sample_events()
        records = fetch_records(articles)
        for n, source in enumerate(sorted({a["source"] for a in articles})):
            run_id = warehouse.start_run(con, f"flow-{n}", datetime.now(UTC), None)
            mine = [a for a in articles if a["source"] == source]
            warehouse.load_batch(con, run_id, source, mine, events, [r for r in records if r["source"] == source],
                                 EXTRACTOR)
            warehouse.refresh_incidents(con, search_index=False, run_id=run_id)
        columns = "* EXCLUDE (refreshed_at)"
        incremental = con.execute(f"SELECT {columns} FROM incidents ORDER BY incident_id").fetchall()
        links = con.execute("SELECT * FROM incident_reports ORDER BY incident_id, event_id").fetchall()
        # reports of one clash came in different runs and still merged into one incident
        assert len(incremental) == 8
        assert con.execute("SELECT max(n_sources) FROM incidents").fetchone() == (3,)
        warehouse.refresh_incidents(con, search_index=False)
        assert con.execute(f"SELECT {columns} FROM incidents ORDER BY incident_id").fetchall() == incremental
        assert con.execute("SELECT * FROM incident_reports ORDER BY incident_id, event_id").fetchall() == links
    finally:
        con.close()


def test_place_index_finds_every_compatible_pair_a_full_scan_finds() -> None:
    """Looking partners up by place and date gives the same pairs as comparing every two reports of a block."""
    rng = random.Random(7)
    places = [("Hajin", 1), ("al-Bahra", 1), ("Abu Kamal", 1), ("Deir ez-Zor", 3), ("Abu Kamal", 3)]
    reports = []
    for n in range(300):
        place, geo = rng.choice(places)
        day = rng.randint(1, 28)
        r = _report(f"e{n}", f"a{n // 2}", f"s{n % 5}", day, rng.choice([None, 1, 2]), place=place, geo=geo,
                    actors=rng.choice([("is",), ("sdf",), ("is", "sdf"), ()]),
                    precision=rng.choice(["day", "day", "week", "month"]))
        # rebuilt through the constructor, so that its day numbers follow the range
        if r.date_precision == "week":  # a short range: up to a week from the day
            r = replace(r, date_end=date(2021, 3, day) + timedelta(days=rng.randint(1, 7)))
        if r.date_precision == "month":  # a long range: the whole month
            r = replace(r, date_start=date(2021, 3, 1), date_end=date(2021, 3, 31))
        reports.append(r)
    brute = sorted((i, j) for i in range(len(reports)) for j in range(i + 1, len(reports))
                   if compatible(reports[i], reports[j]))
    assert sorted(_candidate_pairs(reports)) == brute
    assert len(brute) > 100  # the set is dense enough to test something
    spans = {r.last_day - r.first_day for r in reports}
    assert 0 in spans and 30 in spans and spans & set(range(1, 8))  # single days, short and long ranges


def test_place_index_partners_are_the_compatible_reports_whatever_their_actors() -> None:
    """A report's partners, looked up by place, dates and actors, are exactly the reports compatible with it."""
    rng = random.Random(11)
    places = [("Hajin", 1), ("al-Bahra", 1), ("Deir ez-Zor", 3)]
    actor_sets = [("is",), ("sdf",), ("ndf",), ("is", "sdf"), ("ndf", "irgc"), ("irgc",), ()]
    reports = []
    for n in range(300):
        place, geo = rng.choice(places)
        day = rng.randint(1, 20)
        r = _report(f"e{n}", f"a{n // 3}", f"s{n % 4}", day, None, place=place, geo=geo,
                    actors=rng.choice(actor_sets), precision=rng.choice(["day", "day", "week"]))
        if r.date_precision == "week":
            r = replace(r, date_end=date(2021, 3, day) + timedelta(days=rng.randint(1, 7)))
        reports.append(r)
    links = _neighbourhoods(reports)
    for i, r in enumerate(reports):
        assert links(i) == [j for j, b in enumerate(reports) if j != i and compatible(r, b)]
    # the actors decide: some reports of one place and day are apart only for naming other actors
    assert any(r.place_names == b.place_names and r.first_day == b.first_day and r.content_hash != b.content_hash
               and r.actor_set and b.actor_set and r.actor_set.isdisjoint(b.actor_set) for r in reports[:50]
               for b in reports)


def test_an_update_leaves_the_garbage_collector_as_it_found_it(loaded_db: Path, tmp_path: Path) -> None:
    """update_incidents pauses the cyclic collector while it works and restores its state, even on an error."""
    con = warehouse.connect_writer(loaded_db)
    try:
        assert gc.isenabled()
        update_incidents(con)
        assert gc.isenabled()
        gc.disable()
        try:
            update_incidents(con)
            assert not gc.isenabled()  # a caller's choice stands
        finally:
            gc.enable()
    finally:
        con.close()
    bare = duckdb.connect(str(tmp_path / "bare.duckdb"))  # no tables: the update fails on its first read
    try:
        with pytest.raises(duckdb.CatalogException):
            update_incidents(bare)
        assert gc.isenabled()
    finally:
        bare.close()


def test_stored_ids_answer_as_the_warehouse_and_remember(loaded_db: Path) -> None:
    """_StoredIds tells which incident ids are stored and asks about each id once (ids are given between writes)."""
    con = warehouse.connect_writer(loaded_db)
    try:
        ids = [str(r[0]) for r in con.execute("SELECT incident_id FROM incidents ORDER BY 1 LIMIT 3").fetchall()]
        stored = _StoredIds(con)
        assert stored([*ids, "incident-not-stored"]) == set(ids)
        con.execute("DELETE FROM incidents WHERE incident_id = ?", [ids[0]])
        assert stored([ids[0], "incident-not-stored"]) == {ids[0]}  # remembered, not asked again
        assert _StoredIds(con)([ids[0], ids[1]]) == {ids[1]}
    finally:
        con.close()


def test_unread_windows_are_the_wanted_days_not_read_yet() -> None:
    """A later search round reads only the days of its windows that no earlier window held."""
    rng = random.Random(5)
    start = date(2021, 1, 1)

    def windows(n: int) -> list[tuple[date, date]]:
        spans = []
        for _ in range(n):
            lo = start + timedelta(days=rng.randint(0, 200))
            spans.append((lo, lo + timedelta(days=rng.randint(0, 15))))
        return _merge_windows(spans)

    def days(spans: list[tuple[date, date]]) -> set[date]:
        return {lo + timedelta(days=d) for lo, hi in spans for d in range((hi - lo).days + 1)}

    for _ in range(200):
        wanted, read = windows(rng.randint(0, 6)), windows(rng.randint(0, 12))
        unread = _unread(wanted, read)
        assert days(unread) == days(wanted) - days(read)
        assert all(lo <= hi for lo, hi in unread) and unread == sorted(unread)


def test_a_span_is_covered_when_one_merged_window_holds_it() -> None:
    """_covered (a bisection) agrees with looking at every window."""
    rng = random.Random(9)
    start = date(2021, 1, 1)
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(0, 8)):
            lo = start + timedelta(days=rng.randint(0, 100))
            spans.append((lo, lo + timedelta(days=rng.randint(0, 10))))
        windows = _merge_windows(spans)
        lo = start + timedelta(days=rng.randint(-5, 110))
        span = (lo, lo + timedelta(days=rng.randint(0, 6)))
        assert _covered(span, windows) == any(w_lo <= span[0] and span[1] <= w_hi for w_lo, w_hi in windows)
