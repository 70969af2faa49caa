"""Bounded fuzzing of everything that reads outside input: feeds, sitemaps, API pages, charsets, URLs, robots.txt."""

from __future__ import annotations

import os
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from connectors.article import Article, Rejection, to_article
from connectors.charset import decode_body
from connectors.compression import BadEncoding, BoundedDecoder, TooLarge
from connectors.discovery.rss import parse_feed
from connectors.discovery.sitemap import parse_sitemap
from connectors.discovery.wordpress import parse_posts, post_item
from connectors.models import RawDocument
from connectors.robots import RobotsRules
from connectors.urls import canonicalise_url

# RAQIB_FUZZ_EXAMPLES raises the bound for a longer fuzzing session (CI or by hand); 200 keeps the suite fast.
EXAMPLES = int(os.environ.get("RAQIB_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
XML_PIECES = st.sampled_from([
    b"<?xml version='1.0' encoding='windows-1256'?>", b"<rss version='2.0'>", b"<channel>", b"<item>", b"</item>",
    b"<link>", b"</link>", b"http://a.example/\xd9\x85", b"javascript:alert(1)", b"<title>", b"</title>",
    b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>", b"<link href='/x'/>", b"<urlset>", b"<url>",
    b"<loc>", b"</loc>", b"<sitemapindex>", b"<sitemap>", b"<lastmod>2024-13-45</lastmod>", b"<!DOCTYPE x [",
    b"<!ENTITY a 'aaaaaaaaaa'>", b"]>", b"&a;", b"<![CDATA[", b"]]>", b"\x00", b"\xff\xfe", b"\x1f\x8b", b"<",
    b"<news:publication_date>2024-03-05</news:publication_date>", b"<pubDate>Tue, 99 Foo 2024</pubDate>",
])
XML_BODIES = st.one_of(st.binary(max_size=2000), st.lists(XML_PIECES, max_size=40).map(b"".join))


@FUZZ
@given(XML_BODIES, st.sampled_from([None, "application/rss+xml", "text/html; charset=windows-1256", "x/y; charset=??"]))
@example(b"<rss><channel><item><title>\xd9\x85</ti", "application/rss+xml")
def test_parse_feed_never_raises(body: bytes, content_type: str | None) -> None:
    """Any bytes give a list of http(s) items or None."""
    items = parse_feed(body, content_type, "http://site.example/feed/")
    assert items is None or all(i.url.startswith(("http://", "https://")) for i in items)


@FUZZ
@given(XML_BODIES)
@example(b"\x1f\x8b" + b"\x00" * 20)
@example(b"<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><urlset><url><loc>&b;</loc></url></urlset>")
def test_parse_sitemap_never_raises(body: bytes) -> None:
    """Any bytes give a sitemap of http(s) entries or None."""
    result = parse_sitemap(body, "http://site.example/sitemap.xml", max_bytes=1_000_000)
    assert result is None or all(e.loc.startswith(("http://", "https://")) for e in result.entries)


@FUZZ
@given(st.one_of(st.binary(max_size=1000), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["link", "date_gmt", "title", "content", "rendered", "id"]), children, max_size=5),
    max_leaves=20,
).map(lambda v: repr(v).encode())))
@example(b"[" * 100_000)
def test_parse_posts_never_raises(body: bytes) -> None:
    """Any API answer gives posts or None, and each post an item or None."""
    posts = parse_posts(body, "application/json")
    for post in posts or []:
        post_item(post)


@FUZZ
@given(st.binary(max_size=3000), st.one_of(st.none(), st.text(max_size=60)))
@example(b"\xef\xbb\xbf\xff", "text/html; charset=utf-7")
@example(b"<meta charset='utf-16'>\xd9", None)
def test_decode_body_never_raises(body: bytes, content_type: str | None) -> None:
    """Any bytes and any header decode to text without an exception."""
    text, codec = decode_body(body, content_type)
    assert isinstance(text, str) and codec


@FUZZ
@given(st.one_of(st.text(max_size=200), st.builds(
    lambda scheme, host, path, query: f"{scheme}://{host}/{path}?{query}",
    st.sampled_from(["http", "HTTPS", "file", "ftp", ""]),
    st.text(max_size=30), st.text(max_size=60), st.text(max_size=60),
)))
@example("http://[::1")
@example("http://a:99999/")
@example("http://\udcff/")
def test_canonicalise_never_raises_and_is_idempotent_for_web_urls(url: str) -> None:
    """Canonicalisation always returns a string; for http(s) results, applying it again changes nothing."""
    once = canonicalise_url(url)
    assert isinstance(once, str)
    if once.startswith(("http://", "https://")) and once != url.strip():
        assert canonicalise_url(once) == once


@FUZZ
@given(st.binary(max_size=5000), st.sampled_from(["gzip", "deflate", "identity", "br"]))
def test_bounded_decoder_raises_only_its_own_errors(data: bytes, encoding: str) -> None:
    """Garbage compressed bodies give BadEncoding or TooLarge, nothing else, and never exceed the limit."""
    try:
        decoder = BoundedDecoder(encoding, 10_000)
        out = decoder.feed(data) + decoder.flush()
    except (BadEncoding, TooLarge):
        return
    assert len(out) <= 10_000


def test_bounded_decoder_stops_a_bomb_early() -> None:
    """A 50 MB gzip bomb is refused after about the limit of decoded bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(compressor.compress(bytes(1 << 20)) for _ in range(50)) + compressor.flush()
    decoder = BoundedDecoder("gzip", 1_000_000)
    try:
        decoder.feed(bomb)
    except TooLarge:
        assert decoder.produced <= 1_000_001
    else:
        raise AssertionError("bomb not refused")


@FUZZ
@given(st.text(max_size=500), st.text(max_size=40))
@example("User-agent: *\nCrawl-delay: 99999999999999999999\nDisallow: /", "/x")
def test_robots_never_raises(text: str, path: str) -> None:
    """Any robots.txt parses; the answers are booleans and a bounded delay."""
    rules = RobotsRules.from_text(text)
    assert isinstance(rules.allows("raqib/0.1", "http://a.example/" + path), bool)
    assert 0 <= rules.crawl_delay("raqib/0.1") <= 60


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=2000), st.lists(st.sampled_from(
    ["<div>", "</div>", "<p>", "</p>", "<article>", "قال مصدر محلي إن اشتباكات عنيفة اندلعت ", "<script>", "<!--",
     "<table>", "<td>", "&#0;", "&#xD800;", "\x00", "<h1>", "The fighting was in the town ", "<meta charset=x>"]),
    max_size=300).map("".join)))
def test_to_article_never_raises(body: str) -> None:
    """Any text as a page gives an article or a rejection."""
    doc = RawDocument("f", "http://a.example/1", "http://a.example/1", body, "text/html", datetime.now(UTC))
    assert isinstance(to_article(doc), Article | Rejection)


ENTITIES = '<!ENTITY a0 "dosdosdosdosdosdosdosdosdosdos">' + "".join(
    f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
)


def test_xml_entity_bombs_and_external_entities_are_inert(tmp_path: Path) -> None:
    """Billion-laughs feeds and sitemaps finish fast and small; external entities are never read."""
    feed = (f'<?xml version="1.0"?><!DOCTYPE rss [{ENTITIES}]><rss version="2.0"><channel><item><title>&a9;</title>'
            "<link>http://a.example/1</link></item></channel></rss>").encode()
    sitemap = (f'<?xml version="1.0"?><!DOCTYPE urlset [{ENTITIES}]><urlset><url><loc>http://a.example/&a9;</loc>'
               "</url></urlset>").encode()
    started = time.monotonic()
    items = parse_feed(feed, "application/rss+xml", "http://a.example/")
    assert items is not None and all(len(i.title_hint or "") < 1000 for i in items)
    parsed = parse_sitemap(sitemap, "http://a.example/")
    assert parsed is None or all(len(e.loc) < 1000 for e in parsed.entries)
    assert time.monotonic() - started < 5
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-7f3a", encoding="utf-8")
    dtd = f'<!DOCTYPE urlset [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    external = f'<?xml version="1.0"?>{dtd}<urlset><url><loc>http://a.example/&x;</loc></url></urlset>'.encode()
    read = parse_sitemap(external, "http://a.example/")
    assert read is None or all("SECRET" not in e.loc for e in read.entries)
    feed_dtd = f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    external_feed = (f'<?xml version="1.0"?>{feed_dtd}<rss version="2.0"><channel><item><title>&x;</title>'
                     "<link>http://a.example/1</link></item></channel></rss>").encode()
    assert all("SECRET" not in (i.title_hint or "") for i in parse_feed(external_feed, None, "http://a.example/") or [])
