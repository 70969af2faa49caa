"""Exports read back whole, `raqib sql` cannot change anything, Arabic search finds inflected forms."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import warehouse

V_EVENTS_COLUMNS = [
    "event_id", "event_date", "date_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2",
    "assoc_actor_2", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "fatalities",
    "source", "source_url", "notes",
]


def test_v_events_has_the_acled_columns_first(loaded_db: Path) -> None:
    columns, rows = warehouse.run_readonly_query(
        loaded_db, "SELECT * FROM v_events WHERE raqib_event_type = 'abduction'")
    assert columns[: len(V_EVENTS_COLUMNS)] == V_EVENTS_COLUMNS
    row = dict(zip(columns, rows[0], strict=True))
    assert row["event_type"] == "Violence against civilians"
    assert row["sub_event_type"] == "Abduction/forced disappearance"
    assert (row["actor1"], row["assoc_actor_1"], row["actor2"]) == (
        "Islamic Revolutionary Guard Corps", "Fatemiyoun Brigade", "Civilians")
    assert row["notes"] == "اختطفت دورية من الحرس الثوري ولواء فاطميون شابين"
    assert (row["location"], row["admin2"], row["location_ar"]) == ("al-Bukamal", "Abu Kamal", "البوكمال")
    assert row["other_actors"] is None
    _, sided = warehouse.run_readonly_query(
        loaded_db, "SELECT actor1, actor2, assoc_actor_2, other_actors FROM v_events WHERE location = 'Hajin' "
                   "AND raqib_event_type = 'armed_clash'")
    assert sided == [("Islamic State", "Syrian Democratic Forces", None, "Civilians")]


def test_parquet_export_reads_back_every_event(loaded_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    files = warehouse.export_tables(loaded_db, out, "parquet")
    names = {f.name for f in files}
    assert {"v_events.parquet", "events.parquet", "incidents.parquet", "incident_reports.parquet",
            "articles.parquet", "fetch_log.parquet"} <= names
    assert not list(out.glob(".*.tmp"))
    con = duckdb.connect()
    try:
        exported = con.execute(f"SELECT * FROM read_parquet('{out / 'v_events.parquet'}') ORDER BY event_id").fetchall()
        incidents = con.execute(f"SELECT actors, n_reports FROM read_parquet('{out / 'incidents.parquet'}') "
                                "ORDER BY n_reports DESC LIMIT 1").fetchone()
        arabic = con.execute(f"SELECT count(*) FROM read_parquet('{out / 'articles.parquet'}') "
                             "WHERE text LIKE '%الميادين%'").fetchone()
    finally:
        con.close()
    _, stored = warehouse.run_readonly_query(loaded_db, "SELECT * FROM v_events ORDER BY event_id")
    assert exported == stored and len(exported) == 11
    assert incidents == (["National Defence Forces", "Islamic Revolutionary Guard Corps"], 3)
    assert arabic == (3,)


def test_csv_export_writes_one_file_per_table(loaded_db: Path, tmp_path: Path) -> None:
    files = warehouse.export_tables(loaded_db, tmp_path / "csv", "csv")
    events_csv = tmp_path / "csv" / "v_events.csv"
    assert events_csv in files
    lines = events_csv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("event_id,event_date,date_precision,event_type,sub_event_type,actor1")
    assert "الحرس الثوري" in events_csv.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        warehouse.export_tables(loaded_db, tmp_path / "x", "xlsx")


@pytest.mark.parametrize("sql", [
    "INSERT INTO articles (content_hash, url, source, text) VALUES ('0000000000000000', 'u', 's', 't')",
    "DROP TABLE events",
    "DELETE FROM incidents",
    "UPDATE events SET fatalities = 100",
    "CREATE TABLE notes (x INTEGER)",
    "SELECT 1; DROP VIEW v_events",
    "ATTACH 'elsewhere.duckdb' AS other",
    "COPY events TO 'stolen.csv'",
    "SET enable_external_access = true",
])
def test_read_only_query_refuses_writes(loaded_db: Path, sql: str) -> None:
    with pytest.raises(warehouse.ReadOnlyQueryError, match="read-only"):
        warehouse.run_readonly_query(loaded_db, sql)
    assert warehouse.run_readonly_query(loaded_db, "SELECT count(*) FROM events")[1] == [(11,)]


def test_read_only_connection_cannot_write_even_past_the_statement_check(loaded_db: Path, tmp_path: Path) -> None:
    con = warehouse.connect_reader(loaded_db, sandbox=True)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DELETE FROM events")
        with pytest.raises(duckdb.Error, match="disabled by configuration"):
            con.execute(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")
        with pytest.raises(duckdb.Error, match="disabled by configuration"):
            con.execute(f"COPY (SELECT * FROM events) TO '{tmp_path / 'out.csv'}'")
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET enable_external_access = true")
        # Reading files is blocked too, so `raqib sql` cannot read the host's files.
        with pytest.raises(duckdb.Error, match="disabled by configuration"):
            con.execute("SELECT * FROM read_csv('/etc/hostname')")
    finally:
        con.close()
    assert not (tmp_path / "other.duckdb").exists() and not (tmp_path / "out.csv").exists()


def test_read_only_query_allows_reads_of_every_kind(loaded_db: Path) -> None:
    for sql in ("SELECT count(*) FROM incidents", "DESCRIBE v_events", "SHOW TABLES", "EXPLAIN SELECT * FROM events",
                "PRAGMA show_tables", "WITH x AS (SELECT 1 AS n) SELECT n FROM x", "FROM search('الميادين')"):
        columns, rows = warehouse.run_readonly_query(loaded_db, sql)
        assert columns and rows, sql


@pytest.mark.parametrize(("query", "expected_titles"), [
    # plural with article and diacritics vs singular; the stored text says "اشتباكات" / "الاشتباكات" / "الاشتباك"
    ("اشتباكٌ", {"اشتباكات بين الدفاع الوطني والحرس الثوري في الميادين", "مقتل أربعة عناصر في اشتباكات بالميادين",
                 "اشتباكات في ريف دير الزور", "تجدد الاشتباكات في الميادين", "اشتباكات الميادين",
                 "هجوم لداعش على قسد في هجين"}),
    # hamza on alef and a prefixed preposition+article: "بالميادين" in one text, "الميادين" in others
    ("الإشتباكات بالميادين", {"اشتباكات بين الدفاع الوطني والحرس الثوري في الميادين",
                              "مقتل أربعة عناصر في اشتباكات بالميادين", "تجدد الاشتباكات في الميادين",
                              "اشتباكات الميادين"}),
    # ta marbuta / ha: "الغارات" and "غارة"
    ("غاره روسيه", {"غارات روسية على بادية السخنة"}),
])
def test_search_finds_normalised_and_stemmed_forms(loaded_db: Path, query: str, expected_titles: set[str]) -> None:
    con = warehouse.connect_reader(loaded_db)
    try:
        hits = warehouse.search_articles(con, query, limit=50)
        sql_hits = con.execute("SELECT title FROM search(?)", [query]).fetchall()
    finally:
        con.close()
    titles = {h["title"] for h in hits}
    # The republished copy of the first article is one article, so it appears once.
    assert titles == expected_titles - {"اشتباكات بين الدفاع الوطني والحرس الثوري في الميادين"} or \
        titles == expected_titles - {"اشتباكات الميادين"}
    assert {t for (t,) in sql_hits} == titles
    assert all(h["score"] > 0 for h in hits)


def test_search_of_an_absent_word_finds_nothing(loaded_db: Path) -> None:
    con = warehouse.connect_reader(loaded_db)
    try:
        assert warehouse.search_articles(con, "زلزال") == []
        assert warehouse.search_articles(con, "   ") == []
    finally:
        con.close()


def test_summary_counts(loaded_db: Path) -> None:
    con = warehouse.connect_reader(loaded_db)
    try:
        summary = warehouse.warehouse_summary(con)
    finally:
        con.close()
    assert (summary["articles"], summary["duplicates"], summary["events"], summary["incidents"]) == (9, 1, 11, 8)
    assert summary["failures_by_reason"] == {"empty": 1, "http_404": 1, "http_503": 1, "timeout": 1}
    assert summary["failures_by_source"]["deirezzor24"] == {"http_404": 1, "timeout": 1}
    assert summary["sources"] == 4
