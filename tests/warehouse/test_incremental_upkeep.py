"""Incremental upkeep: the search index and the incidents after many small loads equal a rebuild from scratch."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import warehouse_samples as samples

import warehouse
from tests.backend import db_in, file_only
from warehouse.incidents import rebuild_incidents, update_incidents

WORDS = ["اشتباكات", "الاشتباك", "بالميادين", "للقوات", "قُتِلَ", "الإيرانية", "مسيّرة", "الطائرات", "عناصرها",
         "قصفت", "المدنيين", "وأصيب", "بجروح", "ميليشيا", "الحرس", "فاطميون", "هجين", "البوكمال", "دورية", "حاجز",
         "مقتل", "عبوة", "ناسفة", "انفجار", "صاروخ", "القصف", "المدفعي", "اختطاف", "اعتقالات", "التنظيم"]
PLACES = [samples.MAYADIN, samples.AIN_ALI, samples.DEIR_GOV, samples.DEIR_CITY, samples.HAJIN, samples.BUKAMAL,
          samples.SUKHNAH]
ACTORS = [samples.NDF, samples.IRGC, samples.IS, samples.SDF, samples.SAA, samples.CIVILIANS]
TYPES = ["armed_clash", "attack", "shelling"]


def generated(count: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Articles with 0-3 events each, packed into few places, types and days so that reports link."""
    rng = random.Random(seed)
    articles, events = [], {}
    for i in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 40))) + f". تقرير رقم {i}."
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 4))) or None
        published = date(2021, 3, 1) + timedelta(days=rng.randint(0, 20))
        row = samples.article(f"outlet-{rng.randint(0, 4)}", f"https://gen.example/{seed}/{i}", title or "",
                              published, text)
        row["title"] = title
        articles.append(row)
        evidence = text.split(".")[0]
        found = []
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            start = published - timedelta(days=rng.randint(0, 3))
            precision = rng.choice(["day", "day", "day", "week", "range"])
            end = start + timedelta(days=0 if precision == "day" else rng.randint(1, 6))
            actors = [(a, "actor1") for a in rng.sample(ACTORS, rng.randint(0, 2))]
            found.append(samples.event(rng.choice(TYPES), actors, rng.choice(PLACES), start.isoformat(),
                                       end.isoformat(), precision, "أمس", rng.choice([None, 1, 2, 3, 5]), evidence,
                                       text))
        events[row["content_hash"]] = found
    return articles, events


def load_in_batches(con: duckdb.DuckDBPyConnection, articles: list[dict[str, Any]],
                    events: dict[str, list[dict[str, Any]]], size: int, refresh: bool) -> None:
    """Load the articles `size` at a time, each batch its own run; refresh incidents incrementally after each."""
    for start in range(0, len(articles), size):
        run_id = warehouse.start_run(con, None, datetime.now(UTC), None)
        batch = articles[start:start + size]
        warehouse.load_batch(con, run_id, "gen", batch, events, [], samples.EXTRACTOR)
        if refresh:
            warehouse.refresh_incidents(con, search_index=False, run_id=run_id)


def partition(con: duckdb.DuckDBPyConnection) -> set[frozenset[str]]:
    """The incidents as sets of event ids."""
    rows = con.execute("SELECT list(event_id) FROM incident_reports GROUP BY incident_id").fetchall()
    return {frozenset(r[0]) for r in rows}


def incident_contents(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every incident row without its id and refresh time, keyed by its reports."""
    return sorted(con.execute(
        "SELECT list(r.event_id ORDER BY r.event_id), i.* EXCLUDE (incident_id, refreshed_at) "
        "FROM incidents AS i JOIN incident_reports AS r USING (incident_id) GROUP BY ALL").fetchall(), key=str)


@file_only("DuckDB's fts index cannot be built inside a lake; test_lake_backend.py compares the lake's search "
           "with the file's")
def test_incremental_search_index_scores_equal_duckdbs_fts_index(db_path: Path) -> None:
    """After loads in small batches, BM25 scores equal those of DuckDB's fts index built over the same text."""
    articles, _ = generated(120, seed=1)
    con = warehouse.connect_writer(db_path)
    try:
        load_in_batches(con, articles, {}, size=17, refresh=False)
        con.execute(
            "PRAGMA create_fts_index('article_search', 'content_hash', 'title_norm', 'text_norm', stemmer = 'arabic', "
            r"stopwords = 'none', ignore = '(\.|[^\p{L}\p{N}])+', strip_accents = 0, lower = 1, overwrite = 1)")
        queries = [*WORDS, "اشتباكات الميادين", "قصف المدنيين بجروح", "تقرير 7", "زلزال", "الحرس الثوري"]
        for query in queries:
            for conjunctive, macro in ((1, "search"), (0, "search_any")):
                ours = con.execute(f"SELECT content_hash, score FROM {macro}(?)", [query]).fetchall()
                reference = con.execute(
                    "SELECT content_hash, score FROM (SELECT content_hash, fts_main_article_search.match_bm25("
                    "content_hash, ar_search_text(?), conjunctive := ?) AS score FROM article_search) "
                    "WHERE score IS NOT NULL ORDER BY score DESC, content_hash", [query, conjunctive]).fetchall()
                # equal scores may sum in another order: compare by article, to a rounding error
                expected = dict(reference)
                assert {h for h, _ in ours} == set(expected), (query, macro)
                assert all(abs(score - expected[h]) < 1e-9 for h, score in ours), (query, macro)
        assert con.execute("SELECT count(*) FROM search('اشتباكات')").fetchone()[0] > 0  # type: ignore[index]
    finally:
        con.close()


def test_incremental_search_index_equals_a_rebuild(db_path: Path) -> None:
    """The index tables kept by each load are exactly what a full rebuild writes."""
    articles, _ = generated(80, seed=2)
    con = warehouse.connect_writer(db_path)
    try:
        load_in_batches(con, articles, {}, size=9, refresh=False)
        # a second load of the same articles adds nothing to the index
        load_in_batches(con, articles[:20], {}, size=20, refresh=False)
        tables = ("SELECT * FROM search_docs ORDER BY ALL", "SELECT * FROM search_terms ORDER BY ALL")
        incremental = [con.execute(sql).fetchall() for sql in tables]
        assert len(incremental[0]) == 80
        warehouse.refresh_search_index(con)
        assert [con.execute(sql).fetchall() for sql in tables] == incremental
        # a rebuild a few articles at a time (what keeps a large warehouse's rebuild inside the memory limit)
        warehouse.refresh_search_index(con, chunk=7)
        assert [con.execute(sql).fetchall() for sql in tables] == incremental
    finally:
        con.close()


def test_incremental_incidents_equal_a_full_rebuild(tmp_path: Path) -> None:
    """Incidents refreshed after each of many small loads equal one rebuild from scratch over the same events."""
    articles, events = generated(260, seed=3)
    incremental_con = warehouse.connect_writer(db_in(tmp_path, "incremental.duckdb"))
    scratch_con = warehouse.connect_writer(db_in(tmp_path, "scratch.duckdb"))
    try:
        random.Random(4).shuffle(articles)  # reports arrive out of date order, as outlets publish late
        load_in_batches(incremental_con, articles, events, size=13, refresh=True)
        load_in_batches(scratch_con, articles, events, size=len(articles), refresh=False)
        with warehouse.lake.transaction(scratch_con):
            rebuild_incidents(scratch_con)
        merged = [p for p in partition(scratch_con) if len(p) > 1]
        assert len(merged) > 20 and max(len(p) for p in merged) >= 4  # the data makes real incidents
        assert partition(incremental_con) == partition(scratch_con)
        assert incident_contents(incremental_con) == incident_contents(scratch_con)
        # nothing new: nothing to do, nothing changes
        before = incremental_con.execute("SELECT * FROM incidents ORDER BY incident_id").fetchall()
        with warehouse.lake.transaction(incremental_con):
            assert update_incidents(incremental_con) == 0
        assert incremental_con.execute("SELECT * FROM incidents ORDER BY incident_id").fetchall() == before
    finally:
        incremental_con.close()
        scratch_con.close()


def test_incidents_keep_their_ids_when_a_report_joins(db_path: Path) -> None:
    """An incident that gains an earlier-published report keeps its id; untouched incidents keep theirs."""
    articles, events = generated(150, seed=5)
    con = warehouse.connect_writer(db_path)
    try:
        load_in_batches(con, articles, events, size=150, refresh=True)
        before = {frozenset(members): incident_id for incident_id, members in con.execute(
            "SELECT incident_id, list(event_id) FROM incident_reports GROUP BY incident_id").fetchall()}
        target = con.execute(
            "SELECT i.incident_id, i.event_type, i.date_start, i.location, i.location_ar, i.admin1, i.admin2, "
            "i.admin3, i.pcode, i.lat, i.lon, i.geo_precision FROM incidents AS i "
            "WHERE n_reports >= 2 AND date_precision = 'day' ORDER BY n_reports DESC, incident_id LIMIT 1"
        ).fetchone()
        assert target is not None
        incident_id, event_type, day, *place = target
        location = dict(zip(("name", "name_ar", "admin1", "admin2", "admin3", "pcode", "lat", "lon", "geo_precision"),
                            place, strict=True))
        text = "تقرير متأخر عن الاشتباكات في المنطقة."
        late = samples.article("late-outlet", "https://late.example/1", "تقرير", day - timedelta(days=5), text)
        new_event = samples.event(event_type, [], location, day.isoformat(), None, "day", "أمس", None,
                                  text.rstrip("."), text)
        load_in_batches(con, [late], {late["content_hash"]: [new_event]}, size=1, refresh=True)
        after = {frozenset(members): iid for iid, members in con.execute(
            "SELECT incident_id, list(event_id) FROM incident_reports GROUP BY incident_id").fetchall()}
        grown = [members for members, iid in after.items() if iid == incident_id]
        assert len(grown) == 1 and con.execute(
            "SELECT count(*) FROM incident_reports WHERE incident_id = ? AND source = 'late-outlet'",
            [incident_id]).fetchone() == (1,)
        kept = [members for members in before if members in after]
        assert len(kept) >= len(before) - 3  # at most the incidents the new report touched changed
        assert all(after[members] == before[members] for members in kept)
    finally:
        con.close()


def test_a_chain_through_history_is_reclustered_only_near_the_new_report(db_path: Path) -> None:
    """Daily clashes in one town link into one chain; a new report re-clusters its neighbourhood, not the chain."""
    from itertools import combinations

    from warehouse.incidents import compatible, load_reports

    day0 = date(2021, 1, 1)
    articles, events = [], {}
    for n in range(120):
        text = f"اشتباكات في هجين اليوم رقم {n}."
        row = samples.article(f"outlet-{n % 3}", f"https://chain.example/{n}", "اشتباكات", day0 + timedelta(days=n),
                              text)
        articles.append(row)
        day = (day0 + timedelta(days=n // 2)).isoformat()  # two reports a day: each links to the days around it
        events[row["content_hash"]] = [samples.event("armed_clash", [], samples.HAJIN, day, None, "day", "اليوم",
                                                     1 + n % 2, text.rstrip("."), text)]
    late = articles.pop(60)
    con = warehouse.connect_writer(db_path)
    try:
        load_in_batches(con, articles, events, size=len(articles), refresh=True)
        before = {frozenset(m): i for i, m in con.execute(
            "SELECT incident_id, list(event_id) FROM incident_reports GROUP BY incident_id").fetchall()}
        run_id = warehouse.start_run(con, None, datetime.now(UTC), None)
        warehouse.load_batch(con, run_id, "gen", [late], events, [], samples.EXTRACTOR)
        with warehouse.lake.transaction(con):
            update_incidents(con, horizon=timedelta(days=2))
        after = {frozenset(m): i for i, m in con.execute(
            "SELECT incident_id, list(event_id) FROM incident_reports GROUP BY incident_id").fetchall()}
        reports = {r.event_id: r for r in load_reports(con)}
        assert sorted(e for m in after for e in m) == sorted(reports)  # every event in exactly one incident
        for members in after:  # complete linkage still holds everywhere
            assert all(compatible(reports[a], reports[b]) for a, b in combinations(sorted(members), 2))
        far = [m for m in before if all(abs((reports[e].date_start - date(2021, 1, 31)).days) > 10  # type: ignore[operator]
                                        for e in m)]
        assert far and all(after.get(m) == before[m] for m in far)  # the rest of the chain is untouched
    finally:
        con.close()


def test_the_incident_search_reads_reports_that_link_as_whole_ones_do(db_path: Path) -> None:
    """The search's reports (dates, places and actor ids, every type in one read) link exactly as whole reports do."""
    from warehouse.incidents import _links_in_windows, compatible, load_reports

    articles, events = generated(150, seed=6)
    con = warehouse.connect_writer(db_path)
    try:
        load_in_batches(con, articles, events, size=150, refresh=False)
        month = [(date(2021, 2, 1), date(2021, 4, 1))]  # every report of the generated dates
        read = _links_in_windows(con, dict.fromkeys(TYPES, month), set())
        for event_type in TYPES:
            whole = load_reports(con, event_type)
            thin = read[event_type]
            assert sorted(r.event_id for r in thin) == [r.event_id for r in whole]

            def pairs(reports: list[Any]) -> set[tuple[str, str]]:
                return {(a.event_id, b.event_id) for a in reports for b in reports if compatible(a, b)}

            assert pairs(thin) == pairs(whole) and len(pairs(whole)) > 20
        known = {r.event_id for r in read["attack"][:10]}  # reports the search holds already are not read again
        again = _links_in_windows(con, {"attack": month}, known)["attack"]
        assert sorted(r.event_id for r in again) == sorted({r.event_id for r in read["attack"]} - known)
    finally:
        con.close()
