"""From a fetched page to an article: trafilatura text, title, date, language and the content hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import use_config

from connectors.charset import decode_body
from connectors.discovery.common import parse_date
from connectors.language import detect_language
from connectors.models import RawDocument
from connectors.sites import site_rules
from extraction.textnorm import content_hash, normalise_text

MIN_TEXT_CHARS = 200  # shorter extractions are teasers, captions or navigation, not articles
FULL_PASS_BELOW_CHARS = 1000  # a fast pass that finds less than this gets trafilatura's fallbacks too
MAX_TREE_SIZE = 300_000  # trafilatura's own bound on the extracted tree
# Trafilatura's time grows faster than linearly with the element count (20 000 elements: ~3 s, 50 000: ~23 s).
# News pages have a few thousand; a page beyond this bound is refused as "too_complex" instead of stalling a run.
MAX_ELEMENTS = 15_000
_UNSEEN = ("script", "style", "noscript", "svg", "template", "iframe", "object")
LANGUAGES = ("ar", "en")

_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
_CONFIG.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")  # a date guessed from body text is worse than none


@dataclass(frozen=True)
class Article:
    """The text of one article, ready for event extraction and the warehouse."""

    content_hash: str
    url: str
    final_url: str
    source: str
    title: str | None
    published: date | None
    language: str
    text: str
    fetched_at: datetime


@dataclass(frozen=True)
class Rejection:
    """A document that is not an article we keep, and why."""

    url: str
    reason: str


class TooComplex(Exception):
    """The page has more elements than extraction can handle in reasonable time."""


def parse_html(body: str) -> lxml.html.HtmlElement | None:
    """Parse HTML once, drop what is never shown, and refuse trees that are too large to extract quickly."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        tree = lxml.html.document_fromstring(body.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    for element in list(tree.iter(*_UNSEEN)):
        if element.getparent() is not None:
            element.drop_tree()
    for count, _ in enumerate(tree.iter(), 1):
        if count > MAX_ELEMENTS:
            raise TooComplex(f"more than {MAX_ELEMENTS} elements")
    return tree


def _extract_html(raw: RawDocument) -> tuple[str, str | None, date | None]:
    """Run trafilatura (precision first, no comments, no tables); return text, title and date.

    The fast pass skips trafilatura's fallback extractors, which cost about twice the main one;
    a page where it finds little text gets the full pass, so hard layouts lose nothing.
    """
    text, title, published = _trafilatura_pass(raw, fast=True)
    if len(text) < FULL_PASS_BELOW_CHARS:
        text, title, published = _trafilatura_pass(raw, fast=False)
    return text, title, published


def _trafilatura_pass(raw: RawDocument, fast: bool) -> tuple[str, str | None, date | None]:
    """One trafilatura extraction over a freshly parsed tree."""
    tree = parse_html(raw.body)
    if tree is None:
        return "", None, None
    rules = site_rules(raw.final_url or raw.url)
    result = trafilatura.bare_extraction(
        tree,
        url=raw.final_url or raw.url,
        fast=fast,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        with_metadata=True,
        config=_CONFIG,
        prune_xpath=list(rules.prune_xpath) or None,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if result is None:
        return "", None, None
    text = getattr(result, "text", None) or ""
    title = getattr(result, "title", None)
    published = parse_date(getattr(result, "date", None))
    return text, title if isinstance(title, str) and title.strip() else None, published


def clean_text(text: str, host: str) -> str:
    """Normalise white space and drop the lines a site repeats on every page (share buttons, bylines)."""
    drop = site_rules(host).drop_lines
    lines = [line for line in normalise_text(text).split("\n") if line not in drop]
    return "\n".join(lines)


def html_to_text(body: bytes, url: str) -> tuple[str, date | None]:
    """Article text and date of a saved HTML file (the `raqib extract` command); empty text when there is none."""
    text, _ = decode_body(body)
    doc = RawDocument("file", url, url, text, "text/html", datetime.now(UTC))
    result = to_article(doc)
    if isinstance(result, Rejection):
        return "", None
    return result.text, result.published


def to_article(raw: RawDocument) -> Article | Rejection:
    """Extract the article of a document, or say why there is none; never raises."""
    if not raw.body.strip():
        return Rejection(raw.url, "empty")
    try:
        if raw.content_type == "text/plain":
            text, title, published = raw.body, None, None
        else:
            text, title, published = _extract_html(raw)
    except TooComplex:
        return Rejection(raw.url, "too_complex")
    except Exception:  # trafilatura on hostile HTML: a rejection, not a crash
        return Rejection(raw.url, "extract_error")
    text = clean_text(text, urlsplit(raw.final_url or raw.url).netloc)
    if len(text) < MIN_TEXT_CHARS:
        return Rejection(raw.url, "no_article_text")
    language = detect_language(text)
    if language not in LANGUAGES:
        return Rejection(raw.url, "other_language")
    return Article(
        content_hash=content_hash(text),
        url=raw.url,
        final_url=raw.final_url,
        source=raw.source,
        title=title or raw.title_hint,
        # The page's own date markup first (a sitemap's lastmod, a common hint, is a modification date).
        published=published or raw.published_hint,
        language=language,
        text=text,
        fetched_at=raw.fetched_at,
    )
