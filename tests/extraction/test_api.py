"""The public API of extraction: extract_events, document_json, Event.to_json, EXTRACTOR_VERSION."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from needs import needs_shared

from extraction import EXTRACTOR_VERSION, Event, document_json, extract_events
from extraction.textnorm import content_hash

ARTICLE = (
    "مقتل عنصرين من قسد بهجوم في الشحيل\n\n"
    "قُتل عنصران من “قوات سوريا الديمقراطية” أمس الاثنين بهجوم شنته خلية لتنظيم داعش على حاجز في بلدة الشحيل.\n\n"
    "وتتهم قسد خلايا التنظيم بتنفيذ هجمات متكررة في المنطقة.\n"
)
EVENT_KEYS = {
    "event_type",
    "acled_event_type",
    "acled_sub_event_type",
    "actors",
    "location",
    "date_start",
    "date_end",
    "date_precision",
    "date_text",
    "fatalities",
    "fatalities_vague",
    "injured",
    "injured_vague",
    "evidence",
    "span",
    "confidence",
}


def test_version_names_code_and_dictionaries() -> None:
    """EXTRACTOR_VERSION is semver plus a short hash of the code and data files."""
    assert re.fullmatch(r"\d+\.\d+\.\d+\+dict\.[0-9a-f]{10}", EXTRACTOR_VERSION)


def test_document_json_has_the_events_md_fields() -> None:
    """One JSON line per document: document, content_hash, published, language, events."""
    doc = document_json("a/b/article.txt", ARTICLE, date(2024, 5, 14))
    assert doc["document"] == "a/b/article.txt"
    assert doc["content_hash"] == content_hash(ARTICLE)
    assert doc["published"] == "2024-05-14"
    assert doc["language"] == "ar"
    assert len(doc["events"]) == 1
    event = doc["events"][0]
    assert set(event) >= EVENT_KEYS
    assert event["event_type"] == "attack"
    assert event["acled_event_type"] == "Battles"
    assert event["fatalities"] == 2
    assert event["date_start"] == "2024-05-13"
    assert {a["role"] for a in event["actors"]} == {"actor1", "actor2"}
    assert event["location"]["name_ar"] == "الشحيل"
    assert 0.0 <= event["confidence"] <= 1.0


def test_evidence_span_points_into_the_text() -> None:
    """Every event's span gives back its evidence sentence from the original text."""
    for event in extract_events(ARTICLE, date(2024, 5, 14)):
        start, end = event.span
        assert ARTICLE[start:end] == event.evidence
        assert "الشحيل" in event.evidence


def test_seed_evidence_offsets_hold_on_real_articles() -> None:
    """Offsets stay exact on real articles with diacritics, tatweel and curly quotes."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(needs_shared("seeds").glob("*.txt"))]
    assert texts
    for text in texts:
        for event in extract_events(text, None):
            assert isinstance(event, Event)
            assert text[event.span[0] : event.span[1]] == event.evidence


def test_language_detection_and_other_languages() -> None:
    """English is detected; text in neither Arabic nor English yields no events."""
    english = "Two soldiers were killed yesterday when gunmen attacked a checkpoint in al-Mayadin."
    assert document_json("x", english, date(2024, 5, 14))["language"] == "en"
    assert extract_events("Zwei Soldaten wurden gestern in der Stadt getötet, sagten Anwohner.", None) == []


def test_nothing_relative_resolves_without_publication_date() -> None:
    """Without a publication date, أمس stays text only; with one it resolves."""
    text = "انفجرت سيارة مفخخة أمس في مدينة البوكمال."
    (without,) = extract_events(text, None)
    assert (without.date_start, without.date_precision, without.date_text) == (None, "unknown", "أمس")
    (with_date,) = extract_events(text, date(2024, 3, 20))
    assert with_date.date_start == date(2024, 3, 19)


def test_actor_name_ar_is_the_text_wording_with_its_article() -> None:
    """name_ar gives the actor as the text writes it, article included, conjunction left out."""
    doc = document_json("x", "وقصفت القوات الحكومية السورية بلدة كنصفرة.", date(2020, 1, 1))
    actor = doc["events"][0]["actors"][0]
    assert actor["name"] == "Syrian government forces"
    assert actor["name_ar"] == "القوات الحكومية السورية"
    assert actor["name_ar_canonical"] != actor["name_ar"]


def test_an_english_texts_actor_keeps_an_arabic_name_ar() -> None:
    """name_ar is Arabic: an English text's own words stay out of it, the dictionary's Arabic name stands in."""
    doc = document_json("x", "Russian warplanes struck the town of Maarat al-Numan on Sunday.", date(2019, 5, 5))
    actor = doc["events"][0]["actors"][0]
    assert actor["name"] == "Russian Air Force"
    assert actor["name_ar"] == actor["name_ar_canonical"] and re.search("[\u0600-\u06ff]", actor["name_ar"])


def test_the_version_follows_the_files_read_at_run_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The blocklist is read when extracting, so it changes the version; a gazetteer source file does not."""
    import extraction

    (tmp_path / "data").mkdir()
    (tmp_path / "extractor.py").write_text("x = 1\n", encoding="utf-8")
    blocklist = tmp_path / "data" / "places_blocklist.tsv"
    source = tmp_path / "data" / "places_syria.tsv"
    blocklist.write_text("phrase\twhat\n", encoding="utf-8")
    source.write_text("id\tname\n", encoding="utf-8")
    monkeypatch.setattr(extraction, "_PACKAGE", tmp_path)
    before = extraction._fingerprint()
    source.write_text("id\tname\nraqib:x\tX\n", encoding="utf-8")
    assert extraction._fingerprint() == before
    blocklist.write_text("phrase\twhat\nجامعة حمص\tuniversity\n", encoding="utf-8")
    assert extraction._fingerprint() != before
