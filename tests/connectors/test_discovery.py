"""Discovery kinds against the test site: Atom, sitemap index with Google News, WordPress API, pages, folders."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from articles import (
    ASHARA,
    BUSAYRAH,
    HAJIN,
    KISHMA,
    MAYADIN,
    SUWAR,
    atom_feed,
    news_sitemap,
    page_html,
    plain_sitemap,
    sitemap_index,
    wp_post,
)
from needs import needs_shared
from testsite import ByQuery, Static, TestSite

from connectors import Discovery, Fetcher, SourceState, canonicalise_url, discover
from connectors.article import Article, to_article
from connectors.models import RawDocument, Source
from raqib.settings import Settings


def run_discover(settings: Settings, source: Source, state: SourceState | None = None) -> Discovery:
    """Discover one source with a fresh fetcher."""

    async def go() -> Discovery:
        async with Fetcher(settings) as fetcher:
            return await discover(source, fetcher, state or SourceState())

    return asyncio.run(go())


def test_atom_feed(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """Atom entries come out with their dates and titles, newest first."""
    base = test_site.base_url
    test_site.add("/atom.xml", Static(atom_feed(base, [("/a/1", MAYADIN), ("/a/2", HAJIN)]),
                                      content_type="application/atom+xml"))
    found = run_discover(make_settings(), Source("atom", "rss", test_site.url("/atom.xml")))
    assert [(i.url, i.published_hint, i.title_hint) for i in found.items] == [
        (f"{base}/a/2", date(2024, 3, 6), HAJIN.title),
        (f"{base}/a/1", date(2024, 3, 5), MAYADIN.title),
    ]


def test_malformed_feed_is_a_record(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """A broken feed gives reason bad_feed and no items; an HTML page where a feed should be also."""
    test_site.add("/bad.xml", Static(b"<rss><channel><item><title>\xd9\x85</ti", content_type="application/rss+xml"))
    test_site.add("/html", Static("<html><body><p>ليست خلاصة</p></body></html>"))
    settings = make_settings()
    for path in ("/bad.xml", "/html"):
        found = run_discover(settings, Source("bad", "rss", test_site.url(path)))
        assert found.items == []
        assert [r.reason for r in found.records] == ["bad_feed"]
        assert found.state.validators == {}


def build_sitemaps(site: TestSite, etag: str | None = '"idx-1"') -> None:
    """A sitemap index with a Google News sitemap, a posts sitemap and a broken one."""
    base = site.base_url
    site.add("/sitemap_index.xml", Static(sitemap_index(base, [
        ("/news-sitemap.xml", "2024-03-09"), ("/post-sitemap.xml", "2024-03-01"), ("/broken-sitemap.xml", "2024-03-02"),
    ]), content_type="application/xml", etag=etag))
    site.add("/news-sitemap.xml", Static(news_sitemap(base, [("/n/mayadin", MAYADIN), ("/n/hajin", HAJIN)]),
                                         content_type="application/xml"))
    site.add("/post-sitemap.xml", Static(plain_sitemap(base, [("/p/old-1", "2023-12-01"), ("/n/hajin?utm_source=x",
                                                                                            "2024-03-06")]),
                                         content_type="application/xml"))
    site.add("/broken-sitemap.xml", Static("<urlset><url><loc>http://x/", content_type="application/xml"))


def test_sitemap_index_with_news_sitemap(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """The index is followed; news titles and dates are kept; a broken child is a record; reruns are cheap."""
    build_sitemaps(test_site)
    base = test_site.base_url
    settings = make_settings()
    source = Source("sm", "sitemap", test_site.url("/sitemap_index.xml"))
    found = run_discover(settings, source)
    assert [(i.url, i.published_hint, i.title_hint) for i in found.items] == [
        (f"{base}/n/hajin", date(2024, 3, 6), HAJIN.title),
        (f"{base}/n/mayadin", date(2024, 3, 5), MAYADIN.title),
        (f"{base}/p/old-1", date(2023, 12, 1), None),
    ]
    reasons = {r.url.removeprefix(base): r.reason for r in found.records}
    assert reasons == {"/sitemap_index.xml": "ok", "/news-sitemap.xml": "ok", "/post-sitemap.xml": "ok",
                       "/broken-sitemap.xml": "bad_sitemap"}
    # Conditional GET on the index: 304, nothing else fetched.
    again = run_discover(settings, source, found.state)
    assert [r.reason for r in again.records] == ["not_modified"] and again.items == []
    # Without the index's ETag, children whose lastmod did not change are skipped; the broken one is retried.
    state = found.state.copy()
    state.validators.pop(source.url)
    before = len(test_site.requests)
    third = run_discover(settings, source, state)
    fetched = [p for p in test_site.paths()[before:] if p != "/robots.txt"]
    assert fetched == ["/sitemap_index.xml", "/broken-sitemap.xml"]
    assert third.items == []


def test_sitemap_recursion_is_bounded(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """An index that lists itself, or thousands of children, stops at the bound."""
    base = test_site.base_url
    test_site.add("/loop.xml", Static(sitemap_index(base, [("/loop.xml", "2024-01-01")] +
                                                    [(f"/child-{i}.xml", "2024-01-01") for i in range(200)]),
                                      content_type="application/xml"))
    settings = make_settings()
    found = run_discover(settings, Source("sm", "sitemap", test_site.url("/loop.xml"), options={"max_sitemaps": 5}))
    assert len(found.records) == 5
    assert test_site.count("/loop.xml") == 1


def build_wordpress(site: TestSite) -> list[dict[str, object]]:
    """A WordPress posts API with two pages (three posts, then two)."""
    base = site.base_url
    posts = [wp_post(base, i, f"/{r.slug}/", r) for i, r in enumerate((KISHMA, SUWAR, ASHARA, BUSAYRAH, HAJIN), 1)]
    headers = {"X-WP-Total": "5", "X-WP-TotalPages": "2"}
    site.add("/wp-json/wp/v2/posts", ByQuery("page", {
        "1": Static(json.dumps(posts[:3], ensure_ascii=False), content_type="application/json; charset=UTF-8",
                    headers=headers),
        "2": Static(json.dumps(posts[3:], ensure_ascii=False), content_type="application/json; charset=UTF-8",
                    headers=headers),
    }))
    return posts


def test_wordpress_api_two_pages(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """Both pages are read; the content comes with the listing, so article pages are never requested."""
    build_wordpress(test_site)
    settings = make_settings()
    source = Source("wp", "wordpress", test_site.base_url + "/", options={"per_page": 3})

    # As the ingest flow does: discovery with one fetcher, then plain URLs to another one (another batch task).
    found = run_discover(settings, source)

    async def fetch() -> list[RawDocument]:
        async with Fetcher(settings) as fetcher:
            docs, records = await fetcher.fetch_documents(source, [i.url for i in found.items])
            assert all(r.ok for r in records)
            return docs

    docs = asyncio.run(fetch())
    assert [r.reason for r in found.records] == ["ok", "ok"]
    assert len(found.items) == 5 and all(i.html for i in found.items)
    assert found.state.cursor == f"{KISHMA.date}T06:00:00"
    assert test_site.count("/kishma-water/") == 0, "API content must be used without fetching the page"
    reports = {f"/{r.slug}/": r for r in (KISHMA, SUWAR, ASHARA, BUSAYRAH, HAJIN)}
    for doc in docs:
        article = to_article(doc)
        report = reports[doc.url.removeprefix(test_site.base_url)]
        assert isinstance(article, Article)
        assert article.text.split("\n")[-3:] == list(report.paragraphs)
        assert article.title == report.title and str(article.published) == report.date
    # The next run asks only for posts after the cursor (less a day of overlap).
    before = len(test_site.requests_for("/wp-json/wp/v2/posts"))
    run_discover(settings, source, found.state)
    first = test_site.requests_for("/wp-json/wp/v2/posts")[before].path
    assert "after=2024-03-09T06%3A00%3A00" in first and "page=1" in first


def test_wordpress_failure_keeps_cursor(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """When page 2 fails, the cursor does not move, so the missed posts are asked for again next run."""
    posts = build_wordpress(test_site)
    test_site.add("/wp-json/wp/v2/posts", ByQuery("page", {
        "1": Static(json.dumps(posts[:3]), content_type="application/json", headers={"X-WP-TotalPages": "2"}),
        "2": Static("not json", content_type="application/json"),
    }))
    source = Source("wp", "wordpress", test_site.url("/wp-json/wp/v2/posts"), options={"per_page": 3})
    found = run_discover(make_settings(), source, SourceState(cursor="2024-01-01T00:00:00"))
    assert [r.reason for r in found.records] == ["ok", "bad_api"]
    assert len(found.items) == 3
    assert found.state.cursor == "2024-01-01T00:00:00"


def test_page_source(test_site: TestSite, make_settings: Callable[..., Settings]) -> None:
    """A page source is its own single item; known, it gives nothing."""
    test_site.add("/one", Static(page_html(MAYADIN)))
    source = Source("one", "page", test_site.url("/one?utm_campaign=z"))
    found = run_discover(make_settings(), source)
    assert [i.url for i in found.items] == [test_site.url("/one")]
    assert run_discover(make_settings(), source, SourceState(known_urls={test_site.url("/one")})).items == []
    asked: list[list[str]] = []

    def lookup(urls: list[str]) -> set[str]:
        asked.append(urls)
        return set(urls)

    # known through a lookup asked with the discovered URLs only, as the flow asks the warehouse
    assert run_discover(make_settings(), source, SourceState(lookup=lookup)).items == []
    assert asked == [[test_site.url("/one")]]


def test_directory_of_seed_texts_and_html(tmp_path: Path, make_settings: Callable[..., Settings]) -> None:
    """NNN_<hash>.txt files and saved pages are read from disk with the same document shape."""
    folder = tmp_path / "saved"
    folder.mkdir()
    seeds = sorted(needs_shared("seeds").glob("*.txt"))[:2]
    assert len(seeds) == 2
    for seed in seeds:
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "page.html").write_bytes(page_html(SUWAR, "windows-1256").encode("cp1256"))
    (folder / "empty.txt").write_text("")
    (folder / "image.png").write_bytes(b"\x89PNG")
    source = Source("dir", "directory", folder.as_uri())

    async def go() -> tuple[Discovery, list[RawDocument], list[str]]:
        async with Fetcher(make_settings()) as fetcher:
            found = await discover(source, fetcher, SourceState())
            docs, records = await fetcher.fetch_documents(source, [i.url for i in found.items])
            outside = await fetcher.fetch_documents(source, [(tmp_path / "x.txt").as_uri()])
            return found, docs, [r.reason for r in records] + [r.reason for r in outside[1]]

    found, docs, reasons = asyncio.run(go())
    assert len(found.items) == 4  # two seeds, one page, one empty file; the image is not listed
    assert sorted(reasons) == ["empty", "ok", "ok", "ok", "outside_directory"]
    texts = {Path(d.url).name: d for d in docs}
    for seed in seeds:
        doc = texts[seed.name]
        assert doc.content_type == "text/plain" and doc.body == seed.read_text(encoding="utf-8")
        article = to_article(doc)
        assert isinstance(article, Article) and article.language == "ar"
    page = to_article(texts["page.html"])
    assert isinstance(page, Article) and page.text.split("\n")[-3:] == list(SUWAR.paragraphs)
    known = SourceState(known_urls={canonicalise_url(i.url) for i in found.items})
    assert run_discover(make_settings(), source, known).items == []


def test_unknown_kind_and_missing_folder_are_records(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    """Bad sources give records, not exceptions."""
    found = run_discover(make_settings(), Source("x", "ftp", "ftp://example.org/"))
    assert [r.reason for r in found.records] == ["bad_kind"]
    found = run_discover(make_settings(), Source("d", "directory", str(tmp_path / "missing")))
    assert [r.reason for r in found.records] == ["not_found"]


def test_state_json_round_trip() -> None:
    """SourceState survives storage as JSON."""
    state = SourceState({"http://a/feed": {"etag": '"x"'}}, "2024-03-01T00:00:00", {"http://a/2", "http://a/1"},
                        {"http://a/3": 2})
    text = state.to_json()
    assert SourceState.from_json(text) == state
    assert SourceState.from_json(None) == SourceState()
    assert json.loads(text)["known_urls"] == ["http://a/1", "http://a/2"]
