"""Bounded fuzzing of the event extractor and of the article extraction with Arabic-heavy input.

Properties: no exception; every event's span lies inside the text and its evidence is exactly that slice;
counts of killed and injured are non-negative or null; an article's hash is the hash of its text. Inputs
that once broke a property are kept as explicit examples and regression tests below.
`RAQIB_FUZZ_EXAMPLES` raises the bound for a longer session.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from connectors.article import Article, Rejection, to_article
from connectors.models import RawDocument
from extraction import extract_events
from extraction.textnorm import content_hash, normalise_text

EXAMPLES = int(os.environ.get("RAQIB_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

WORDS = [
    "اشتباكات", "عنيفة", "اندلعت", "قصف", "مدفعي", "غارة", "جوية", "مسيّرة", "استهدفت", "انفجار", "لغم", "عبوة",
    "ناسفة", "مقتل", "قتل", "إصابة", "جرح", "جرحى", "قتلى", "اعتقال", "اعتقلت", "خطف", "اختطاف", "مظاهرة",
    "تعزيزات", "عنصرين", "مدنيين", "طفلين", "عشرات", "ثلاثة", "خمسة", "أحد عشر", "مئة", "ألف", "بين", "في", "على",
    "قرب", "شرقي", "بريف", "مدينة", "بلدة", "قرية", "الميادين", "دير الزور", "هجين", "البوكمال", "الرقة", "حلب",
    "قسد", "داعش", "الحرس الثوري", "قوات النظام", "الدفاع الوطني", "الفرقة الرابعة", "التحالف الدولي", "روسيا",
    "يوم", "الأحد", "الإثنين", "أمس", "اليوم", "مساء", "فجر", "الماضي", "آذار", "مارس", "كانون الثاني", "شباط",
    "وقال", "مصدر", "محلي", "إن", "أن", "بحسب", "نفى", "لم", "يسفر", "عن", "أي", "احتمال", "قد", "هجوم",
    "the", "clashes", "killed", "in", "Deir ez-Zor", "SDF", "two", "fighters", "were", "wounded", "on", "Monday",
]
NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(str),
    st.integers(min_value=0, max_value=99999).map(lambda n: str(n).translate(str.maketrans("0123456789",
                                                                                             "٠١٢٣٤٥٦٧٨٩"))),
    st.sampled_from(["-3", "1.5", "٣,٥", "10-15", "1e9", "٫", "٬", "00", "½"]),
)
DATES = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(
        lambda d: f"{d.day}/{d.month}/{d.year}"),
    st.tuples(st.integers(0, 40), st.sampled_from(["آذار", "مارس", "نيسان", "كانون الأول", "شباط"]),
              st.integers(0, 3000)).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.sampled_from(["31/2/2024", "0/0/0", "29 شباط 2023", "99/99/9999", "2024-13-45", "يوم الأحد الماضي",
                     "قبل ثلاثة أيام", "منتصف الشهر الماضي", "مطلع العام"]),
)
PUNCTUATION = st.sampled_from(["،", ".", "؛", "!", "؟", ":", "\"", "«", "»", "“", "”", "(", ")", "-", "\n", "\n\n",
                               " ", "  ", "\t", "\u200f", "\u200c", "\u200d", "\ufeff", "ـ", "…", "'", "/"])
LONG_WORDS = st.one_of(
    st.integers(50, 3000).map(lambda n: "ا" * n),
    st.integers(50, 500).map(lambda n: "قـ" * n),
    st.integers(10, 200).map(lambda n: "مقتل" * n),
)
ARABIC_LETTERS = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=40)
PIECES = st.one_of(st.sampled_from(WORDS), NUMBERS, DATES, PUNCTUATION, LONG_WORDS, ARABIC_LETTERS,
                   st.text(max_size=10))
TEXTS = st.lists(PIECES, max_size=120).map(" ".join)
PUBLISHED = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)))
LANGUAGES = st.sampled_from([None, "ar", "en", "fr", ""])


def check_events(text: str, published: date | None, language: str | None) -> None:
    """Extract events and check every property of each."""
    for event in extract_events(text, published, language):
        start, end = event.span
        assert 0 <= start <= end <= len(text), (event.span, len(text))
        assert event.evidence == text[start:end]
        for count in (event.fatalities, event.injured):
            assert count is None or (isinstance(count, int) and count >= 0), count
        if event.date_start and event.date_end:
            assert event.date_start <= event.date_end
        json.dumps(event.to_json(), ensure_ascii=False)  # the warehouse stores this form


@FUZZ
@given(TEXTS, PUBLISHED, LANGUAGES)
@example("اندلعت اشتباكات في الميادين أسفرت عن مقتل -3 عناصر", date(2024, 3, 5), None)
@example("«قال مصدر: \"قتل ٣ مدنيين في قصف على هجين يوم 31/2/2024\"", None, "ar")
@example("مقتل" * 200 + " في دير الزور", date(2024, 1, 1), None)
def test_extract_events_keeps_its_promises(text: str, published: date | None, language: str | None) -> None:
    check_events(text, published, language)


HTML_PIECES = st.one_of(
    st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<article>", "</article>", "<h1>", "</h1>", "<br>",
                     "<script>var a='</p>';</script>", "<!--", "-->", "<table><tr><td>", "</td></tr></table>",
                     "<meta charset=\"windows-1256\">", "<html lang=\"ar\" dir=\"rtl\">", "<title>", "</title>",
                     "&amp;", "&#1605;", "&#x0;", "&#xD800;", "&nbsp;", "<![CDATA[", "]]>", "<nav>", "</nav>",
                     "<meta property=\"article:published_time\" content=\"2024-02-30T99:00\">", "\x00", "\ufffd"]),
    st.lists(st.sampled_from(WORDS), min_size=5, max_size=60).map(" ".join),
    PUNCTUATION,
    LONG_WORDS,
)
PAGES = st.lists(HTML_PIECES, max_size=150).map("".join)


@settings(max_examples=max(EXAMPLES // 2, 50), deadline=None, suppress_health_check=list(HealthCheck))
@given(PAGES, st.sampled_from(["text/html", "text/plain", "application/xhtml+xml"]))
@example("<p>" + "اندلعت اشتباكات عنيفة في دير الزور " * 10 + "</p>" + "<div>" * 5000, "text/html")
def test_to_article_keeps_its_promises(body: str, content_type: str) -> None:
    raw = RawDocument("fuzz", "http://127.0.0.1/a", "http://127.0.0.1/a", body, content_type,
                      datetime(2025, 1, 1, tzinfo=UTC))
    result = to_article(raw)
    if isinstance(result, Rejection):
        assert re.fullmatch(r"[a-z_]{3,40}", result.reason), result.reason
        return
    assert isinstance(result, Article)
    assert result.content_hash == content_hash(result.text)
    assert normalise_text(result.text) == result.text
    assert result.language in ("ar", "en") and len(result.text) >= 200
    check_events(result.text, result.published, result.language)


@pytest.mark.parametrize("text", [
    "",  # nothing at all
    "\u200f\u200f\u200f",  # only direction marks
    "مقتل",  # a trigger with nothing around it
    "قتل ٠ وأصيب ٠",  # zero in Arabic-Indic digits
])
def test_edge_texts(text: str) -> None:
    check_events(text, date(2024, 3, 5), None)
