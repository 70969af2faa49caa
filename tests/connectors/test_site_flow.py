"""The whole connector flow against one hostile test site: discover, fetch, extract; then run it again."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

from articles import ALL_ARABIC, ASHARA, BUSAYRAH, ENGLISH, HAJIN, KISHMA, MAYADIN, SUWAR, TURKISH, page_html, rss_feed
from testsite import Endless, GzipBomb, Huge, NeverAnswer, Redirect, Static, TestSite, gzipped

from connectors import Discovery, Fetcher, FetchRecord, RawDocument, SourceState, canonicalise_url, discover
from connectors.article import Article, Rejection, to_article
from connectors.models import Source
from raqib.settings import Settings

GOOD_PAGES = {
    "/news/mayadin-clashes": MAYADIN,  # UTF-8, charset in header and page
    "/news/hajin-drone": HAJIN,  # also listed with utm_ parameters
    "/news/busayrah-1256-header": BUSAYRAH,  # windows-1256, charset only in the header
    "/news/ashara-1256-meta": ASHARA,  # windows-1256, charset only in <meta>
    "/news/suwar-1256-none": SUWAR,  # windows-1256, no charset anywhere
    "/news/kishma-gzip": KISHMA,  # UTF-8, gzip-compressed
}
EXPECTED_FAILURES = {
    "/broken/500": "http_500",
    "/broken/404": "http_404",
    "/broken/never": "timeout",
    "/broken/empty": "empty",
    "/broken/binary": "binary",
    "/broken/pdf": "binary",
    "/broken/loop": "redirect_loop",
    "/broken/huge": "too_large",
    "/broken/huge-streamed": "too_large",
    "/broken/endless": "too_large",
    "/broken/bomb": "too_large",
    "/broken/json": "not_html",
    "/private/secret": "robots",
}
HUGE = 60 * 1024 * 1024


def build_site(site: TestSite) -> None:
    """Serve the feed, the good pages and every kind of faulty page."""
    site.add("/robots.txt", Static("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    site.add("/news/mayadin-clashes", Static(page_html(MAYADIN)))
    site.add("/news/hajin-drone", Static(page_html(HAJIN)))
    site.add("/archive/2024/03/mayadin", Static(page_html(MAYADIN)))  # the same article under another path
    site.add(
        "/news/busayrah-1256-header",
        Static(page_html(BUSAYRAH, charset=None).encode("cp1256"), content_type="text/html; charset=windows-1256"),
    )
    site.add("/news/ashara-1256-meta",
             Static(page_html(ASHARA, "windows-1256").encode("cp1256"), content_type="text/html"))
    site.add("/news/suwar-1256-none", Static(page_html(SUWAR, charset=None).encode("cp1256"), content_type="text/html"))
    site.add("/news/kishma-gzip", gzipped(page_html(KISHMA)))
    site.add("/news/english", Static(page_html(ENGLISH, lang="en")))
    site.add("/news/turkish", Static(page_html(TURKISH, lang="tr")))
    site.add("/news/no-text", Static("<html><body><nav><a href='/'>الرئيسية</a></nav><p>قريباً</p></body></html>"))
    site.add("/private/secret", Static(page_html(MAYADIN)))
    site.add("/broken/500", Static("error", status=500))
    site.add("/broken/never", NeverAnswer())
    site.add("/broken/empty", Static(b""))
    site.add("/broken/binary", Static(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" + bytes(200), content_type="image/png"))
    site.add("/broken/pdf", Static(b"%PDF-1.4\n\x00\x01binary", content_type="text/html"))
    site.add("/broken/loop", Redirect("/broken/loop-b"))
    site.add("/broken/loop-b", Redirect("/broken/loop"))
    site.add("/broken/huge", Huge(HUGE))
    site.add("/broken/huge-streamed", Huge(HUGE, content_length=False))
    site.add("/broken/endless", Endless())
    site.add("/broken/bomb", GzipBomb(100 * 1024 * 1024))
    site.add("/broken/json", Static('{"a": 1}', content_type="application/json"))
    links = [(path, report) for path, report in GOOD_PAGES.items()]
    links.append(("/news/hajin-drone?utm_source=rss&utm_medium=feed&fbclid=abc", HAJIN))
    links += [("/news/english", ENGLISH), ("/news/turkish", TURKISH), ("/news/no-text", MAYADIN),
              ("/archive/2024/03/mayadin", MAYADIN)]
    links += [(path, MAYADIN) for path in EXPECTED_FAILURES]
    site.add("/feed/", Static(rss_feed(site.base_url, links), content_type="application/rss+xml; charset=utf-8",
                              etag='"feed-v1"'))


async def run_once(settings: Settings, source: Source, state: SourceState) -> tuple[Discovery, list[RawDocument],
                                                                                     list[FetchRecord]]:
    """Discover and fetch one source, as the ingest flow does."""
    async with Fetcher(settings) as fetcher:
        found = await discover(source, fetcher, state)
        documents, records = await fetcher.fetch_documents(source, [item.url for item in found.items])
    return found, documents, records


def test_whole_site(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """Every good article lands once with its exact Arabic text; every fault has its reason; a rerun adds nothing."""
    build_site(test_site)
    settings = make_settings()
    source = Source("testsite", "rss", test_site.url("/feed/"), language="ar")
    started = time.monotonic()
    found, documents, records = asyncio.run(run_once(settings, source, SourceState()))
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"run took {elapsed:.1f} s"

    # Discovery: one record, every listed URL once, tracking parameters gone.
    assert [r.reason for r in found.records] == ["ok"]
    urls = [item.url for item in found.items]
    assert len(urls) == len(set(urls)) == len(GOOD_PAGES) + 4 + len(EXPECTED_FAILURES)
    assert canonicalise_url(test_site.url("/news/hajin-drone")) in urls
    assert not any("utm_" in url or "fbclid" in url for url in urls)
    assert found.state.validators[source.url]["etag"] == '"feed-v1"'

    # Fetch: one record per URL, the right reason for each failure, no document for any of them.
    by_path = {r.url.removeprefix(test_site.base_url): r for r in records}
    assert len(records) == len(urls)
    for path, reason in EXPECTED_FAILURES.items():
        assert by_path[path].reason == reason, (path, by_path[path])
        assert not by_path[path].ok
    document_paths = {d.url.removeprefix(test_site.base_url) for d in documents}
    assert document_paths == set(GOOD_PAGES) | {"/news/english", "/news/turkish", "/news/no-text",
                                                "/archive/2024/03/mayadin"}

    # Politeness and limits, seen from the server.
    assert test_site.count("/private/secret") == 0, "robots.txt ban ignored"
    assert test_site.count("/robots.txt") == 1, "robots.txt is cached for the run"
    assert test_site.count("/broken/500") == settings.max_retries + 1, "a 500 is retried, then recorded"
    assert test_site.count("/broken/404") == 1, "a 404 is not retried"
    assert test_site.bytes_sent.get("/broken/huge", 0) < HUGE // 4, "60 MB page read although too large"
    assert test_site.bytes_sent.get("/broken/huge-streamed", 0) < HUGE // 4
    assert all(r.headers.get("user-agent") == settings.user_agent for r in test_site.requests)

    # Articles: exact text for every good page, each exactly once.
    results = {d.url.removeprefix(test_site.base_url): to_article(d) for d in documents}
    for path, report in GOOD_PAGES.items():
        article = results[path]
        assert isinstance(article, Article), (path, article)
        assert article.language == "ar"
        for paragraph in report.paragraphs:
            assert paragraph in article.text.split("\n"), (path, paragraph)
        assert "الأكثر قراءة" not in article.text and "جميع الحقوق" not in article.text
        assert article.title == report.title
        assert article.published is not None and article.published.isoformat() == report.date
    # Under a second path the same article has the same content hash: the warehouse keeps it once.
    hashes = Counter(a.content_hash for a in results.values() if isinstance(a, Article))
    copy = results["/archive/2024/03/mayadin"]
    assert isinstance(copy, Article)
    assert {h: n for h, n in hashes.items() if n > 1} == {copy.content_hash: 2}
    english = results["/news/english"]
    assert isinstance(english, Article) and english.language == "en"
    assert results["/news/turkish"] == Rejection(canonicalise_url(test_site.url("/news/turkish")), "other_language")
    no_text = results["/news/no-text"]
    assert isinstance(no_text, Rejection) and no_text.reason == "no_article_text"

    # The flow stores the documents, then settles the state: good and hopeless URLs become known,
    # passing failures are kept for retry.
    state = found.state.copy()
    state.settle(records)
    retried = {"/broken/500", "/broken/404", "/broken/never", "/broken/empty"}
    assert {u.removeprefix(test_site.base_url) for u in state.retry} == retried
    assert len(state.known_urls) == len(urls) - len(retried)

    # Second run, conditional: the feed answers 304; only the failed URLs are offered again.
    again, documents2, records2 = asyncio.run(run_once(settings, source, state))
    assert [r.reason for r in again.records] == ["not_modified"]
    assert {i.url.removeprefix(test_site.base_url) for i in again.items} == retried
    assert documents2 == [] and len(records2) == len(retried)
    assert test_site.requests_for("/feed/")[-1].headers.get("if-none-match") == '"feed-v1"'

    # Third run without validators and with the failures given up: the feed is read, nothing is new.
    state.settle(records2, max_runs=2)
    assert state.retry == {}
    third, documents3, _ = asyncio.run(run_once(settings, source, SourceState(known_urls=state.known_urls)))
    assert [r.reason for r in third.records] == ["ok"]
    assert third.items == [] and documents3 == []


def test_every_good_article_text_is_exact_in_order(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """The extracted text is exactly the written paragraphs (after the headline), in order, for each encoding."""
    build_site(test_site)
    source = Source("testsite", "rss", test_site.url("/feed/"))

    async def fetch() -> list[RawDocument]:
        async with Fetcher(make_settings()) as fetcher:
            docs, _ = await fetcher.fetch_documents(source, [test_site.url(p) for p in GOOD_PAGES])
        return docs

    documents = asyncio.run(fetch())
    assert len(documents) == len(GOOD_PAGES)
    for document in documents:
        report = GOOD_PAGES[document.url.removeprefix(test_site.base_url)]
        article = to_article(document)
        assert isinstance(article, Article)
        lines = article.text.split("\n")
        assert lines[-len(report.paragraphs):] == list(report.paragraphs)
    assert {r.text for r in ALL_ARABIC} >= {r.text for r in GOOD_PAGES.values()}
