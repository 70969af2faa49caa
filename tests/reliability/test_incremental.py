"""Incremental runs lose nothing: what one run leaves for later is still fetched by the next ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import page_html, report, rss_feed
from harness import PrefectServer, assert_archive_agrees, query, run_args, run_raqib, serve_reports, write_sources
from testsite import Flaky, Static, TestSite

from tests.backend import db_in

pytestmark = pytest.mark.slow
PAGES, CAP = 30, 20


def test_items_over_the_per_run_cap_arrive_in_the_next_run(test_site: TestSite, prefect_server: PrefectServer,
                                                           tmp_path: Path) -> None:
    """A feed of 30 items with an ETag, 20 items per run at most: two runs store all 30."""
    reports = serve_reports(test_site, range(300, 300 + PAGES))
    feed = rss_feed(test_site.base_url, [(r.path, r.title) for r in reports])
    test_site.add("/feed.xml", Static(feed, content_type="application/rss+xml; charset=utf-8", etag='"v1"'))
    sources = write_sources(tmp_path / "sources.toml", [("capped", "rss", test_site.url("/feed.xml"))],
                            max_items_per_source=CAP)
    db, archive = db_in(tmp_path, "w.duckdb"), tmp_path / "archive"
    first = run_raqib(run_args(sources, db, archive), prefect_server)
    assert first.returncode == 0, first.stderr[-3000:]
    assert json.loads(first.stdout)["articles_new"] == CAP
    second = run_raqib(run_args(sources, db, archive), prefect_server)
    assert second.returncode == 0, second.stderr[-3000:]
    stored = {row[0] for row in query(db, "SELECT text FROM articles")}
    assert stored == {report(n).text for n in range(300, 300 + PAGES)}
    assert_archive_agrees(db, archive)


def test_a_page_that_failed_for_a_while_arrives_in_a_later_run(test_site: TestSite, prefect_server: PrefectServer,
                                                               tmp_path: Path) -> None:
    """A page answering 503 on every try of the first run is fetched again by the next run and lands."""
    reports = serve_reports(test_site, range(400, 405))
    flaky = reports[1]
    test_site.add(flaky.path, Flaky(2, Static(page_html(flaky)), status=503))  # two failures: both tries of run 1
    sources = write_sources(tmp_path / "sources.toml", [("flaky", "rss", test_site.url("/feed.xml"))], max_retries=1)
    db, archive = db_in(tmp_path, "w.duckdb"), tmp_path / "archive"
    first = run_raqib(run_args(sources, db, archive), prefect_server)
    assert first.returncode == 0, first.stderr[-3000:]
    assert json.loads(first.stdout)["failure_reasons"] == {"http_503": 1}
    assert len(query(db, "SELECT text FROM articles")) == 4
    second = run_raqib(run_args(sources, db, archive), prefect_server)
    assert second.returncode == 0, second.stderr[-3000:]
    result = json.loads(second.stdout)
    assert (result["articles_new"], result["failures"]) == (1, 0)
    assert {row[0] for row in query(db, "SELECT text FROM articles")} == {r.text for r in reports}
    assert test_site.count(flaky.path) == 3  # two failed tries, then one success; the stored pages are not asked again
    assert all(test_site.count(r.path) == 1 for r in reports if r is not flaky)
    assert_archive_agrees(db, archive)
