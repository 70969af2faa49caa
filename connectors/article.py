"""From a fetched page to an article: trafilatura text, title, date, language and the content hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

import trafilatura
from trafilatura.settings import use_config

from connectors.discovery.common import parse_date
from connectors.language import detect_language
from connectors.models import RawDocument
from connectors.sites import site_rules
from raqib.textnorm import content_hash, normalise_text

MIN_TEXT_CHARS = 200  # shorter extractions are teasers, captions or navigation, not articles
MAX_TREE_SIZE = 300_000  # HTML elements; larger trees are refused by trafilatura rather than parsed slowly
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


def _extract_html(raw: RawDocument) -> tuple[str, str | None, date | None]:
    """Run trafilatura (precision first, no comments, no tables); return text, title and date."""
    rules = site_rules(raw.final_url or raw.url)
    result = trafilatura.bare_extraction(
        raw.body,
        url=raw.final_url or raw.url,
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


def to_article(raw: RawDocument) -> Article | Rejection:
    """Extract the article of a document, or say why there is none; never raises."""
    if not raw.body.strip():
        return Rejection(raw.url, "empty")
    try:
        if raw.content_type == "text/plain":
            text, title, published = raw.body, None, None
        else:
            text, title, published = _extract_html(raw)
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
        # A feed's or API's date is the publisher's own; a date read off the page is a guess.
        published=raw.published_hint or published,
        language=language,
        text=text,
        fetched_at=raw.fetched_at,
    )
