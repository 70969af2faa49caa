"""Hostile input through the whole flow: one real `raqib run` over a site that serves every kind of bad page.

Each bad page or feed must end as a row of `fetch_log` with a clear reason; the run still completes and
every good article lands. `raqib status` then shows the run and the failures by source and reason, and
archive names stay hashes whatever the URLs and titles say.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from corpus import page_html, report, rss_feed, sitemap
from harness import (
    ARCHIVE_FILE,
    PrefectServer,
    assert_archive_agrees,
    query,
    run_args,
    run_raqib,
    write_sources,
)
from testsite import Endless, GzipBomb, Huge, Static, TestSite, Trickle, gzip_bomb

from extraction.textnorm import content_hash
from tests.backend import ON_LAKE, catalog_file, data_folder, db_in

pytestmark = pytest.mark.slow
BOMB = 64 * 1024 * 1024  # inflated size of the gzip bomb (64 KiB on the wire)
GOOD = {f"/good/{n}": n for n in range(200, 204)}
FRENCH = ("Des affrontements ont éclaté dimanche soir entre deux groupes armés dans la ville de Mayadine, "
          "selon une source locale qui a requis l'anonymat. Les combats ont duré près de deux heures avant "
          "que des notables n'interviennent pour les arrêter. Deux combattants auraient été tués et quatre "
          "autres blessés, transportés vers le seul hôpital de la ville.")
TURKISH = ("Deyrizor'un doğusundaki Meyadin kentinde pazar akşamı iki silahlı grup arasında çatışma çıktı. "
           "Yerel bir kaynağa göre çatışmalar yaklaşık iki saat sürdü ve kent ileri gelenlerinin araya girmesiyle "
           "sona erdi. Çatışmalarda iki kişinin öldüğü, dört kişinin de yaralandığı bildirildi.")
# Expected reason for each hostile page (fetch or extraction stage).
HOSTILE = {
    "/bad/no-text": "no_article_text",
    "/bad/french": "other_language",
    "/bad/turkish": "other_language",
    "/bad/giant": "too_large",
    "/bad/giant-streamed": "too_large",
    "/bad/nested": "no_article_text",  # the parser stops descending long before 50 000 levels
    "/bad/bomb": "too_large",
    "/bad/endless": "too_large",
    "/bad/trickle": "timeout",
    "/bad/empty": "empty",
    "/bad/binary": "binary",
}
EXTRACT_REASONS = frozenset({"no_article_text", "other_language", "too_complex"})  # found after a good fetch
# Pages whose bytes are damaged but whose article is still readable: they land as articles.
DAMAGED = {
    "/odd/invalid-utf8": 210,  # stray bytes that are not UTF-8 inside a UTF-8 page
    "/odd/mixed-encoding": 211,  # a UTF-8 page with one windows-1256 paragraph
    "/odd/..%2F..%2Fescape?name=../../../tmp/x&t=<b>": 212,  # a hostile address and title
}
HOSTILE_TITLE = "../../../etc/passwd <script>alert(1)</script> | ; rm -rf / ; \u202e C:\\Windows\\x"


def foreign_page(text: str, lang: str) -> str:
    """A well-formed article page in another language."""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Article</title></head>'
            f"<body><article><h1>Article</h1><p>{text}</p><p>{text}</p></article></body></html>")


def damaged_pages() -> dict[str, bytes]:
    """The bodies of the damaged-but-readable pages."""
    invalid = page_html(report(210)).encode("utf-8").replace(b"<main>", b"<main><p>\xff\xfe\xc3(\x80</p>")
    mixed_report = report(211)
    html = page_html(mixed_report)
    mixed = html.encode("utf-8").replace(
        b"</article>", "<p>هذه فقرة بترميز آخر من صفحة قديمة.</p>".encode("cp1256") + b"</article>")
    evil = page_html(report(212)).replace(f"<title>{report(212).title}", f"<title>{HOSTILE_TITLE}")
    return {"/odd/invalid-utf8": invalid, "/odd/mixed-encoding": mixed,
            "/odd/..%2F..%2Fescape?name=../../../tmp/x&t=<b>": evil.encode("utf-8")}


def build_site(site: TestSite) -> None:
    """Good pages, hostile pages, a good feed, a malformed feed and a malformed sitemap."""
    for path, number in GOOD.items():
        site.add(path, Static(page_html(report(number))))
    site.add("/bad/no-text", Static("<html><body><nav><a href='/'>الرئيسية</a></nav><p>قريباً</p></body></html>"))
    site.add("/bad/french", Static(foreign_page(FRENCH, "fr")))
    site.add("/bad/turkish", Static(foreign_page(TURKISH, "tr")))
    site.add("/bad/giant", Huge(8 * 1024 * 1024))
    site.add("/bad/giant-streamed", Huge(8 * 1024 * 1024, content_length=False))
    site.add("/bad/nested", Static("<html><body>" + "<div>" * 50_000 + "<p>اشتباكات</p>" + "</div>" * 50_000
                                   + "</body></html>"))
    gzip_bomb(BOMB)  # made now, so that the server answers at once
    site.add("/bad/bomb", GzipBomb(BOMB))
    site.add("/bad/endless", Endless())
    site.add("/bad/trickle", Trickle(b"<p>\xd8\xa7", 0.2))
    site.add("/bad/empty", Static(b""))
    site.add("/bad/binary", Static(b"\x89PNG\r\n\x1a\n" + bytes(500), content_type="image/png"))
    for path, body in damaged_pages().items():
        site.add(path.split("?")[0], Static(body))
    paths = [*GOOD, *HOSTILE, *DAMAGED]
    site.add("/feed.xml", Static(rss_feed(site.base_url, [(p, "عنوان") for p in paths]),
                                 content_type="application/rss+xml; charset=utf-8"))
    site.add("/broken-feed.xml", Static(b"<?xml version='1.0'?><rss><channel><item><link>http://127.0.0.1/x</li",
                                        content_type="application/rss+xml"))
    site.add("/broken-sitemap.xml", Static(sitemap(site.base_url, ["/good/200"])[:-30] + "\xff<<<",
                                           content_type="application/xml"))
    site.add("/robots.txt", Static("User-agent: *\nAllow: /\n", content_type="text/plain"))


@dataclass
class HostileRun:
    """The site, the warehouse and archive after one run, and the run's JSON summary."""

    site: TestSite
    db: Path | str
    archive: Path
    work: Path
    result: dict[str, Any]


@pytest.fixture(scope="module")
def hostile_run(prefect_server: PrefectServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    """Run the flow once over the hostile site (three sources: a feed, a broken feed, a broken sitemap)."""
    work = tmp_path_factory.mktemp("hostile")
    with TestSite() as site:
        build_site(site)
        sources = write_sources(work / "sources.toml", [
            ("hostile", "rss", site.url("/feed.xml")),
            ("broken-feed", "rss", site.url("/broken-feed.xml")),
            ("broken-sitemap", "sitemap", site.url("/broken-sitemap.xml")),
        ], max_body_bytes=2 * 1024 * 1024, read_timeout=1.0, total_timeout=3.0, max_retries=0, concurrency=6)
        db, archive = db_in(work, "hostile.duckdb"), work / "archive"
        done = run_raqib(run_args(sources, db, archive), prefect_server)
        assert done.returncode == 0, done.stderr[-4000:]
        yield HostileRun(site, db, archive, work, json.loads(done.stdout))


def test_the_run_completes_and_good_articles_land(hostile_run: HostileRun, prefect_server: PrefectServer) -> None:
    assert query(hostile_run.db, "SELECT status FROM runs") == [("completed",)]
    assert prefect_server.flow_run_state(hostile_run.result["flow_run_id"]) == "COMPLETED"
    texts = {row[0] for row in query(hostile_run.db, "SELECT text FROM articles")}
    assert {report(n).text for n in GOOD.values()} <= texts
    assert len(texts) == len(GOOD) + len(DAMAGED)
    for number in DAMAGED.values():  # damaged bytes cost at most the damaged part, never the article
        assert any(all(p in text for p in report(number).paragraphs) for text in texts), number
    assert_archive_agrees(hostile_run.db, hostile_run.archive)


def test_every_hostile_page_has_its_reason(hostile_run: HostileRun) -> None:
    got = dict(query(hostile_run.db, "SELECT url, reason FROM fetch_log WHERE source = 'hostile' AND NOT ok"))
    base = hostile_run.site.base_url
    assert {url.removeprefix(base): reason for url, reason in got.items()} == HOSTILE
    expected = Counter(HOSTILE.values()) + Counter(["bad_feed", "bad_sitemap"])
    assert hostile_run.result["failure_reasons"] == dict(expected)


def test_malformed_feed_and_sitemap_are_logged(hostile_run: HostileRun) -> None:
    rows = query(hostile_run.db, "SELECT source, stage, reason FROM fetch_log WHERE source LIKE 'broken-%' "
                                 "ORDER BY source")
    assert rows == [("broken-feed", "discover", "bad_feed"), ("broken-sitemap", "discover", "bad_sitemap")]


def test_archive_names_come_only_from_hashes(hostile_run: HostileRun) -> None:
    """A URL with ../ and markup, and a title full of path tricks, never shape a file name or place."""
    rows = query(hostile_run.db, "SELECT url, title, text, archive_path FROM articles")
    hostile = [r for r in rows if "escape" in r[0]]
    assert len(hostile) == 1 and "..%2F" in hostile[0][0]
    archive = hostile_run.archive.resolve()
    for _, _, text, archive_path in rows:
        path = Path(archive_path)
        assert path.parent.resolve() == archive
        match = ARCHIVE_FILE.match(path.name)
        assert match and match.group(2) == content_hash(text)
    assert all(ARCHIVE_FILE.match(p.name) for p in archive.iterdir())
    # nothing written beside the warehouse but the warehouse itself, its writer note and the archive
    beside = ({catalog_file(hostile_run.db).name, data_folder(hostile_run.db).name} if ON_LAKE else
              {"hostile.duckdb", "hostile.duckdb.wal", "hostile.duckdb.writer",
               ".raqib"})  # the rate limiter's shared state (a lake's goes in the current folder)
    assert {p.name for p in hostile_run.work.iterdir()} <= {"sources.toml", "archive", *beside}


def status_table(output: str, heading: str) -> list[dict[str, str]]:
    """The rows of the text table printed under `heading` by `raqib status`, by column name."""
    lines = output.split(heading, 1)[1].splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", "+"} and line)
    header = [cell.strip() for cell in lines[rule - 1].split(" | ")]
    rows = []
    for line in lines[rule + 1:]:
        if line.startswith("("):
            break
        rows.append(dict(zip(header, (cell.strip() for cell in line.split(" | ")), strict=True)))
    return rows


@pytest.fixture(scope="module")
def status_output(hostile_run: HostileRun, prefect_server: PrefectServer) -> str:
    """What `raqib status` prints for the hostile run's warehouse."""
    done = run_raqib(["status", "--db", str(hostile_run.db)], prefect_server)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_status_shows_the_last_run(hostile_run: HostileRun, status_output: str) -> None:
    runs = status_table(status_output, "Last runs")
    result = hostile_run.result
    assert [(r["flow_run_id"], r["status"], r["new_articles"], r["failures"]) for r in runs] == [
        (result["flow_run_id"], "completed", str(len(GOOD) + len(DAMAGED)), str(len(HOSTILE) + 2))]


def test_status_shows_fetch_and_discovery_failures_by_source_and_reason(status_output: str) -> None:
    failures = status_table(status_output, "Open failures by source and reason")
    got = {(r["source"], r["reason"]): int(r["urls"]) for r in failures}
    fetch_stage = Counter(r for path, r in HOSTILE.items() if r not in EXTRACT_REASONS)
    assert {k: v for k, v in got.items() if k[1] not in EXTRACT_REASONS} == {
        **{("hostile", reason): count for reason, count in fetch_stage.items()},
        ("broken-feed", "bad_feed"): 1, ("broken-sitemap", "bad_sitemap"): 1}


def test_status_shows_extraction_failures_too(status_output: str) -> None:
    failures = status_table(status_output, "Open failures by source and reason")
    got = {(r["source"], r["reason"]): int(r["urls"]) for r in failures}
    expected = Counter(r for r in HOSTILE.values() if r in EXTRACT_REASONS)
    assert {k: v for k, v in got.items() if k[1] in EXTRACT_REASONS} == {
        ("hostile", reason): count for reason, count in expected.items()}
