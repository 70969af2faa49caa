"""Charset decoding (windows-1256 with and without declarations) and URL canonicalisation."""

from __future__ import annotations

import codecs

import pytest
from articles import HAJIN, MAYADIN, page_html

from connectors.charset import decode_body
from connectors.urls import canonicalise_url, host_key

ARABIC = "\n".join(MAYADIN.paragraphs)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (ARABIC.encode("cp1256"), "text/html; charset=windows-1256", "cp1256"),
        (ARABIC.encode("cp1256"), "text/html", "cp1256"),
        (ARABIC.encode("cp1256"), None, "cp1256"),
        (ARABIC.encode("cp1256"), "text/html; charset=iso-8859-1", "cp1256"),  # wrong Latin label
        (ARABIC.encode("iso8859_6", "ignore"), None, "iso8859_6"),
        (ARABIC.encode("utf-8"), "text/html; charset=windows-1256", "utf-8"),  # wrong Arabic label
        (ARABIC.encode("utf-8"), None, "utf-8"),
        (codecs.BOM_UTF8 + ARABIC.encode("utf-8"), "text/html; charset=windows-1256", "utf-8"),
        (codecs.BOM_UTF16_LE + ARABIC.encode("utf-16-le"), None, "utf-16-le"),
    ],
)
def test_decode_arabic(body: bytes, content_type: str | None, expected: str) -> None:
    """Arabic text comes back exactly, whatever the page declares."""
    text, codec = decode_body(body, content_type)
    assert codec == expected
    source = ARABIC if expected != "iso8859_6" else ARABIC.encode("iso8859_6", "ignore").decode("iso8859_6")
    assert text == source


def test_meta_charset_and_xml_declaration() -> None:
    """A <meta> charset or an XML encoding declaration is used when the header says nothing."""
    page = page_html(HAJIN, "windows-1256").encode("cp1256")
    text, codec = decode_body(page, "text/html")
    assert codec == "cp1256" and HAJIN.paragraphs[0] in text
    xml = '<?xml version="1.0" encoding="windows-1256"?><rss><title>خبر عاجل</title></rss>'.encode("cp1256")
    assert decode_body(xml, None)[0].endswith("<title>خبر عاجل</title></rss>")


def test_mixed_encoding_page_keeps_the_utf8_text() -> None:
    """A UTF-8 page with a few stray windows-1256 bytes keeps its UTF-8 text; the stray bytes become U+FFFD."""
    body = ARABIC.encode("utf-8") + " — ".encode() + "تعليق".encode("cp1256")
    text, codec = decode_body(body, "text/html; charset=utf-8")
    assert codec == "utf-8" and text.startswith(ARABIC) and "\ufffd" in text


def test_unknown_and_dangerous_labels_are_ignored() -> None:
    """Labels that are unknown or not text encodings (utf-7, base64) fall back to detection."""
    body = ARABIC.encode("utf-8")
    for label in ("utf-7", "base64", "x-nonsense", "zlib"):
        assert decode_body(body, f"text/html; charset={label}") == (ARABIC, "utf-8")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.Example.COM:443/a?utm_source=fb&b=2&a=1#top", "https://www.example.com/a?a=1&b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x?fbclid=1&gclid=2&mc_cid=3", "http://example.com:8080/x"),
        ("https://example.com/أخبار/مقال", "https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D9%85%D9%82%D8%A7%D9%84"),
        ("https://example.com/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/%D9%85%D9%82%D8%A7%D9%84",
         "https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D9%85%D9%82%D8%A7%D9%84"),
        ("https://example.com/a/./b/../c/%7Euser", "https://example.com/a/c/~user"),
        ("https://example.com/a%2Fb?q=%D8%AD%D9%84", "https://example.com/a%2Fb?q=%D8%AD%D9%84"),
        ("https://عنب.example/x", "https://xn--ngb7a0b.example/x"),
        ("  https://example.com/x?UTM_Campaign=y  ", "https://example.com/x"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("http://[::1]:80/x", "http://[::1]/x"),
    ],
)
def test_canonicalise(url: str, canonical: str) -> None:
    """Known spellings map to one canonical URL, and canonicalising is idempotent."""
    assert canonicalise_url(url) == canonical
    assert canonicalise_url(canonical) == canonical


def test_host_key() -> None:
    """The politeness unit is host and non-default port."""
    assert host_key("https://WWW.Example.com:443/a") == "www.example.com"
    assert host_key("http://127.0.0.1:8123/a") == "127.0.0.1:8123"
