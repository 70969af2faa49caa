"""End to end: the real ingestion flow under Prefect, over HTTP on 127.0.0.1, into a warehouse (tests/backend.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import warehouse
from raqib import archive, progress
from raqib.demo import DEFAULT_SITE, demo_sources, serve_site
from tests.backend import copy_db, db_in

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
GOLD = json.loads((ROOT / "demo" / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Run the demo site through the flow twice; keep both results and the warehouse."""
    from flows.ingest import ingest_flow

    work = tmp_path_factory.mktemp("e2e")
    db, arch = db_in(work), work / "archive"
    with serve_site(DEFAULT_SITE) as base_url:
        sources = work / "sources.toml"
        sources.write_text(demo_sources(base_url), encoding="utf-8")
        events: list[tuple[str, int, int]] = []
        with progress.listening(lambda *event: events.append(event)):
            first = ingest_flow(sources_file=str(sources), db=str(db), archive_dir=str(arch))
        snapshot = table_counts(db)
        second = ingest_flow(sources_file=str(sources), db=str(db), archive_dir=str(arch))
    return {"first": first, "second": second, "db": db, "archive": arch, "snapshot": snapshot, "events": events}


def table_counts(db: Path | str) -> dict[str, int]:
    """Row counts of the content tables."""
    con = warehouse.connect_reader(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in ("articles", "article_urls", "events")}
    finally:
        con.close()


def test_every_demo_article_lands_exactly_once(demo_run: dict) -> None:
    con = warehouse.connect_reader(demo_run["db"])
    hashes = {r[0] for r in con.execute("SELECT content_hash FROM articles").fetchall()}
    titles = [r[0] for r in con.execute("SELECT title FROM articles").fetchall()]
    con.close()
    assert len(hashes) == len(GOLD["articles"])
    assert len(titles) == len(set(titles))
    gold_hashes = {a["content_hash"] for a in GOLD["articles"] if a.get("content_hash")}
    assert gold_hashes <= hashes


def test_second_url_of_the_same_text_is_a_duplicate_not_a_row(demo_run: dict) -> None:
    first = demo_run["first"]
    assert first["duplicates"] >= 1
    con = warehouse.connect_reader(demo_run["db"])
    amp = con.execute("SELECT content_hash FROM article_urls WHERE url LIKE '%/amp/%'").fetchall()
    con.close()
    assert len(amp) == 1


def test_events_are_extracted_and_linked_to_articles(demo_run: dict) -> None:
    assert demo_run["first"]["events"] > len(GOLD["articles"])
    con = warehouse.connect_reader(demo_run["db"])
    orphans = con.execute("""SELECT count(*) FROM events e
        WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.content_hash = e.content_hash)""").fetchone()[0]
    with_evidence = con.execute("SELECT count(*) FROM v_events WHERE notes IS NOT NULL AND notes <> ''").fetchone()[0]
    total = con.execute("SELECT count(*) FROM v_events").fetchone()[0]
    con.close()
    assert orphans == 0
    assert total == demo_run["snapshot"]["events"] and with_evidence == total


def test_progress_events_add_up_to_the_summary(demo_run: dict) -> None:
    """What the flow emits for the live display agrees with its own summary, and every planned batch ends."""
    done: dict[str, int] = {}
    planned: dict[str, int] = {}
    for counter, finished, expected in demo_run["events"]:
        done[counter] = done.get(counter, 0) + finished
        planned[counter] = planned.get(counter, 0) + expected
    first = demo_run["first"]
    assert done["sources"] == planned["sources"] == first["sources"] == 2
    assert done["fetched"] == planned["fetched"] >= first["fetched"] > 0
    assert done["loaded"] == planned["loaded"] > 0
    assert done["extracted"] == first["articles_new"] + first["duplicates"]  # every text, before deduplication
    assert done.get("failures", 0) == first["failures"]


def test_second_run_adds_nothing(demo_run: dict) -> None:
    second = demo_run["second"]
    assert second["articles_new"] == 0 and second["events"] == 0
    assert table_counts(demo_run["db"]) == demo_run["snapshot"]


def test_archive_agrees_with_the_warehouse(demo_run: dict) -> None:
    con = warehouse.connect_reader(demo_run["db"])
    rows = con.execute("SELECT content_hash, text FROM articles").fetchall()
    con.close()
    files = archive.archived_hashes(demo_run["archive"])
    assert set(files) == {h for h, _ in rows}
    for digest, text in rows:
        assert files[digest].read_text(encoding="utf-8") == text
    numbers = sorted(int(p.name.split("_")[0]) for p in files.values())
    assert numbers == list(range(len(numbers)))


def test_runs_are_real_prefect_flow_runs(demo_run: dict) -> None:
    from prefect.client.orchestration import get_client

    con = warehouse.connect_reader(demo_run["db"])
    runs = con.execute("SELECT flow_run_id, status FROM runs ORDER BY started_at").fetchall()
    con.close()
    assert [r[0] for r in runs] == [demo_run["first"]["flow_run_id"], demo_run["second"]["flow_run_id"]]
    assert all(r[1] == "completed" for r in runs)

    async def states() -> list[str]:
        async with get_client() as client:
            return [(await client.read_flow_run(r[0])).state.type.value for r in runs]  # type: ignore[union-attr]

    assert asyncio.run(states()) == ["COMPLETED", "COMPLETED"]


def test_windows_1256_page_arrives_as_correct_arabic(demo_run: dict) -> None:
    page = DEFAULT_SITE / "2025" / "03" / "arrest-campaign-jora-qusour" / "index.html"
    assert b"windows-1256" in page.read_bytes()[:4096]
    con = warehouse.connect_reader(demo_run["db"])
    text = con.execute("SELECT text FROM articles WHERE url LIKE '%arrest-campaign-jora-qusour%'").fetchone()
    con.close()
    assert text is not None and "حملة" in text[0] and "\ufffd" not in text[0]


def test_extract_command_prints_events_json(tmp_path: Path) -> None:
    article = tmp_path / "001_0000000000000000.txt"
    article.write_text("اندلعت اشتباكات عنيفة، أمس الثلاثاء، بين عناصر من الدفاع الوطني وعناصر من الحرس الثوري "
                       "الإيراني في مدينة الميادين بريف دير الزور الشرقي، أسفرت عن مقتل ثلاثة عناصر.\n",
                       encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "raqib.cli", "extract", "--format", "jsonl", "--published",
                          "2025-03-05", str(article)], capture_output=True, text=True, check=True, timeout=120)
    doc = json.loads(out.stdout)
    assert doc["document"] == str(article) and doc["published"] == "2025-03-05"
    clash = doc["events"][0]
    assert clash["event_type"] == "armed_clash"
    assert clash["location"]["name_ar"] == "الميادين"
    assert clash["date_start"] == "2025-03-04" and clash["fatalities"] == 3


def test_reextract_replaces_events_of_older_extractor_versions(demo_run: dict, tmp_path: Path) -> None:
    from extraction import EXTRACTOR_VERSION
    from flows.reextract import reextract_flow

    db = db_in(tmp_path, "copy.duckdb")
    copy_db(demo_run["db"], db)
    con = warehouse.connect_writer(db)
    before = con.execute("SELECT content_hash, event_type, evidence FROM events ORDER BY ALL").fetchall()
    stale = con.execute("SELECT content_hash FROM articles ORDER BY content_hash LIMIT 3").fetchall()
    for (digest,) in stale:  # as if an older extractor had written these three articles' events
        con.execute("UPDATE articles SET extractor_version = '0.9-old' WHERE content_hash = ?", [digest])
        con.execute("DELETE FROM event_actors WHERE event_id IN (SELECT event_id FROM events WHERE content_hash = ?)",
                    [digest])
        con.execute("DELETE FROM events WHERE content_hash = ?", [digest])
    con.close()
    events: list[tuple[str, int, int]] = []
    with progress.listening(lambda *event: events.append(event)):
        result = reextract_flow(db=str(db))
    assert sum(done for counter, done, _ in events if counter == "extracted") == 3
    assert sum(done for counter, done, _ in events if counter == "events") == result["events"]
    assert result["articles"] == 3 and result["extractor_version"] == EXTRACTOR_VERSION
    con = warehouse.connect_reader(db)
    after = con.execute("SELECT content_hash, event_type, evidence FROM events ORDER BY ALL").fetchall()
    versions = con.execute("SELECT DISTINCT extractor_version FROM articles").fetchall()
    con.close()
    assert after == before
    assert versions == [(EXTRACTOR_VERSION,)]


def test_a_writer_out_of_memory_is_a_clear_refusal_and_loses_nothing(tmp_path: Path) -> None:
    """A memory limit too small: one refusal line with the remedy, exit 3, and the next run loads everything."""
    db = db_in(tmp_path)
    with serve_site(DEFAULT_SITE) as base_url:
        sources = tmp_path / "sources.toml"
        sources.write_text(demo_sources(base_url), encoding="utf-8")
        argv = [sys.executable, "-m", "raqib.cli", "run", "--sources", str(sources), "--db", str(db),
                "--archive", str(tmp_path / "archive")]
        env = {**os.environ, "RAQIB_WRITER_MEMORY_LIMIT": "1MB"}
        starved = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert starved.returncode == 3, starved.stderr[-2000:]
        refusal = "raqib run: the warehouse writer ran out of memory (limit 1MB): raise writer_memory_limit"
        assert any(line.startswith(refusal) for line in starved.stderr.splitlines()), starved.stderr[-2000:]
        assert "Traceback" not in starved.stderr
        env.pop("RAQIB_WRITER_MEMORY_LIMIT")
        again = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
    assert table_counts(db)["articles"] == len(GOLD["articles"])


def test_reextract_out_of_memory_ends_with_the_remedy_and_changes_nothing(demo_run: dict, tmp_path: Path) -> None:
    db = db_in(tmp_path, "copy.duckdb")
    copy_db(demo_run["db"], db)
    before = table_counts(db)
    env = {**os.environ, "RAQIB_WRITER_MEMORY_LIMIT": "1MB"}
    done = subprocess.run([sys.executable, "-m", "raqib.cli", "reextract", "--all", "--db", str(db)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr[-2000:]
    last = [line for line in done.stderr.splitlines() if line.startswith("raqib reextract: ")]
    assert last and last[-1].startswith("raqib reextract: the warehouse writer ran out of memory (limit 1MB)")
    assert table_counts(db) == before
