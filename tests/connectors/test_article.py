"""Article extraction: text, title, date, language, rejections, hostile HTML, and its cost beyond trafilatura."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import trafilatura
from articles import ENGLISH, HAJIN, MAYADIN, TURKISH, page_html
from needs import needs_shared

from connectors.article import Article, Rejection, html_to_text, to_article
from connectors.language import detect_language
from connectors.models import RawDocument
from extraction.textnorm import content_hash

PERSIAN = (
    "به گزارش منابع محلی، درگیری‌های شدیدی میان دو گروه مسلح در شهر میادین در شرق دیرالزور رخ داد. "
    "این درگیری‌ها دو ساعت ادامه پیدا کرد و چند نفر زخمی شدند. گروه‌ها پس از میانجیگری بزرگان شهر آتش‌بس کردند."
)
SORANI = (
    "بەپێی سەرچاوە ناوخۆییەکان، پێکدادانێکی توند لە نێوان دوو گرووپی چەکدار لە شاری میادین ڕوویدا. "
    "پێکدادانەکە دوو کاتژمێری خایاند و چەند کەسێک بریندار بوون، دواتر ڕیشسپییەکانی شار ناوبژیوانییان کرد."
)
FRENCH = (
    "Des affrontements ont éclaté dimanche soir entre deux groupes armés dans la ville de Mayadine, "
    "selon des sources locales. Deux combattants ont été tués et quatre autres blessés lors des combats."
)


def raw(body: str, url: str = "https://www.example.net/news/1", content_type: str = "text/html",
        title: str | None = None, published: date | None = None) -> RawDocument:
    """A document as the fetcher makes it."""
    return RawDocument("test", url, url, body, content_type, datetime(2024, 3, 10, tzinfo=UTC), title, published, "ar")


def test_article_fields() -> None:
    """Text, title, date, language and hash come out of a normal page."""
    article = to_article(raw(page_html(MAYADIN)))
    assert isinstance(article, Article)
    assert article.text.split("\n")[-3:] == list(MAYADIN.paragraphs)
    assert article.title == MAYADIN.title
    assert article.published == date(2024, 3, 5)
    assert article.language == "ar"
    assert article.content_hash == content_hash(article.text)
    assert article.source == "test" and article.fetched_at.year == 2024


def test_discovery_hints_fill_gaps() -> None:
    """Without title or date in the page, the discovery hints are used; the page's own date markup wins."""
    body = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in HAJIN.paragraphs) + "</article></body></html>"
    article = to_article(raw(body, title="عنوان من الخلاصة", published=date(2024, 3, 6)))
    assert isinstance(article, Article)
    assert article.title == "عنوان من الخلاصة" and article.published == date(2024, 3, 6)
    dated = to_article(raw(page_html(MAYADIN), published=date(2024, 3, 4)))
    assert isinstance(dated, Article) and dated.published == date(2024, 3, 5)


def test_rejections() -> None:
    """Empty bodies, pages without article text and other languages are rejected with their reason."""
    assert to_article(raw("   ")) == Rejection("https://www.example.net/news/1", "empty")
    nav_only = "<html><body><nav><a href='/'>الرئيسية</a><a href='/a'>أخبار</a></nav><p>قريباً</p></body></html>"
    assert to_article(raw(nav_only)) == Rejection("https://www.example.net/news/1", "no_article_text")
    turkish = to_article(raw(page_html(TURKISH, lang="tr")))
    assert isinstance(turkish, Rejection) and turkish.reason == "other_language"
    english = to_article(raw(page_html(ENGLISH, lang="en")))
    assert isinstance(english, Article) and english.language == "en"


def test_language_detection() -> None:
    """Arabic, English and the look-alikes that are neither."""
    assert detect_language(MAYADIN.text) == "ar"
    assert detect_language(ENGLISH.text) == "en"
    assert detect_language(PERSIAN) == "other"
    assert detect_language(SORANI) == "other"
    assert detect_language(FRENCH) == "other"
    assert detect_language("12345 !!! ...") == "other"
    assert detect_language(MAYADIN.text + " Reuters AFP") == "ar"


def test_seed_texts_as_plain_documents() -> None:
    """The sample articles (plain text) become Arabic articles; share-button lines are dropped."""
    seeds = sorted(needs_shared("seeds").glob("*.txt"))
    assert seeds
    for seed in seeds:
        article = to_article(raw(seed.read_text(encoding="utf-8"), url=seed.as_uri(), content_type="text/plain"))
        assert isinstance(article, Article), seed.name
        assert article.language == "ar"
        assert "Facebook" not in article.text.split("\n")


def test_hostile_html_never_raises() -> None:
    """Deep nesting, a giant flat page and garbage markup give rejections or articles, never exceptions, quickly."""
    deep = "<div>" * 50_000 + "<p>" + MAYADIN.paragraphs[0] + "</p>" + "</div>" * 50_000
    giant = "<html><body>" + "<p>كلمة</p>" * 200_000 + "</body></html>"
    garbage = "<<<>>><html><p>\x00\ufffd</p><script>" + "<" * 10_000
    for body, reason in ((deep, "no_article_text"), (giant, "too_complex"), (garbage, "no_article_text"),
                         ("<p>" * 100_000, "too_complex"), ("<!-- -->", "no_article_text")):
        started = time.monotonic()
        assert to_article(raw(body)) == Rejection("https://www.example.net/news/1", reason)
        assert time.monotonic() - started < 5


def test_article_text_is_trafilaturas_text() -> None:
    """Our work around trafilatura (cleaning, language, hash) keeps every word trafilatura found.

    What that work costs is measured by `make bench` (stage costs), never by a timed unit test.
    """
    for page in [raw(page_html(report)) for report in (MAYADIN, HAJIN)]:
        bare = trafilatura.bare_extraction(page.body, url=page.url, favor_precision=True, include_comments=False,
                                           include_tables=False, with_metadata=True)
        article = to_article(page)
        assert isinstance(article, Article)
        assert article.text.split() == (bare.text or "").split()
        assert article.content_hash == content_hash(article.text)


def test_html_to_text_for_saved_files() -> None:
    """A saved windows-1256 page gives its text and date; a page without an article gives empty text."""
    text, published = html_to_text(page_html(HAJIN, "windows-1256").encode("cp1256"), "file:///saved/hajin.html")
    assert text.split("\n")[-3:] == list(HAJIN.paragraphs) and published == date(2024, 3, 6)
    assert html_to_text(b"<html><body><p>x</p></body></html>", "file:///x.html") == ("", None)
