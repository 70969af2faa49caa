"""Normalisation, sentence offsets, dictionaries and date phrases, tested on their own."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from extraction.dates import find_dates
from extraction.lexicon import load_lexicon
from extraction.normalize import militia_variants, normalize_ar, normalize_for_match, normalize_keep_offsets
from extraction.text import dateline_spans, split_sentences, unwrap_lines


def test_normalize_folds_letter_forms_and_marks() -> None:
    """Hamza/alef forms, ta marbuta, alef maqsura, diacritics, tatweel and Arabic-Indic digits fold."""
    assert normalize_ar("إيرانـيّة ٤٧ مستشفى") == "ايرانيه 47 مستشفي"


@given(st.text(alphabet="اأإآبتةثجحخدذرسشىيءؤئًٌٍَُِّْـ ٠١٢ \n“”", max_size=60))
def test_offsets_point_back_to_source_characters(text: str) -> None:
    """Every normalised character maps to a source character that normalises to it."""
    norm, offsets = normalize_keep_offsets(text)
    assert len(norm) == len(offsets)
    for ch, off in zip(norm, offsets, strict=True):
        assert normalize_ar(text[off]) == ch
    folded, fold_offsets = normalize_for_match(text)
    assert len(folded) == len(fold_offsets)
    assert "  " not in folded


def test_militia_spellings_expand() -> None:
    """ميليشيا has its common spellings, plurals kept apart."""
    assert set(militia_variants("ميليشيا الدفاع الوطني")) >= {"مليشيا الدفاع الوطني", "ميلشيا الدفاع الوطني"}
    assert "مليشيات إيران" in militia_variants("ميليشيات إيران")


def test_dictionary_matching_is_clitic_aware() -> None:
    """One automaton finds actors behind و/ب/ل/ال clitics (للدفاع, لداعش) and not inside other words."""
    lexicon = load_lexicon()
    _, _, mentions = lexicon.scan("قتل عنصرين للدفاع الوطني وخلية لداعش في دائرة")
    actors = {m.entry.kind for m in mentions if m.entry.category == "actor"}
    assert {"ndf", "isis"} <= actors
    _, _, none = lexicon.scan("مداعشة")
    assert not [m for m in none if m.entry.kind == "isis"]


def test_sentences_keep_offsets_and_mark_titles() -> None:
    """Sentences are slices of the source text; a short line without a full stop is a title."""
    text = "عنوان الخبر\n\nاندلعت اشتباكات أمس. وقتل عنصران؟ نعم!"
    sentences = split_sentences(text)
    assert [text[s.start : s.end] for s in sentences] == ["عنوان الخبر", "اندلعت اشتباكات أمس.", "وقتل عنصران؟", "نعم!"]
    assert sentences[0].is_title and not sentences[1].is_title


def test_hard_wrapped_lines_join_into_sentences() -> None:
    """A text cut into lines mid-sentence is read as whole sentences; a list of headlines is left as it is."""
    wrapped = (
        "Heavy fighting broke out on Monday between government forces and\n"
        "rebel fighters in Saraqib to the north, where shells fell on\n"
        "the main market and killed five civilians, activists said. Troops\n"
        "also shelled the nearby village of Afes, a monitoring group said in\n"
        "a statement on its website.\n"
    )
    joined = split_sentences(wrapped, join_wrapped=True)
    assert len(wrapped) == len(unwrap_lines(wrapped))  # offsets hold
    assert [wrapped[s.start : s.end].split()[-1] for s in joined] == ["said.", "website."]
    assert not any(s.is_title for s in joined)
    assert len(split_sentences(wrapped)) == 6  # the plain split (the labellers' sentences) is unchanged
    headlines = "Clashes in Daraa\nShelling on Douma\nProtest in Suwayda\nStrike on Idlib\n"
    assert unwrap_lines(headlines) == headlines


def test_dates_resolve_against_publication() -> None:
    """Levantine and Gregorian months, ordinals, relative months and ranges."""
    ref = date(2024, 3, 20)
    cases = {
        "يوم 16 آذار": (date(2024, 3, 16), date(2024, 3, 16), "day"),
        "في الخامس من الشهر الجاري": (date(2024, 3, 5), date(2024, 3, 5), "day"),
        "أواخر الشهر الفائت": (date(2024, 2, 21), date(2024, 2, 29), "month_part"),
        "منتصف نوفمبر الفائت": (date(2023, 11, 11), date(2023, 11, 20), "month_part"),
        "في 3 كانون الأول": (date(2023, 12, 3), date(2023, 12, 3), "day"),
        "أمس الأول": (date(2024, 3, 18), date(2024, 3, 18), "day"),
        "قبل يومين": (date(2024, 3, 18), date(2024, 3, 18), "day"),
    }
    for phrase, (start, end, precision) in cases.items():
        found = find_dates(normalize_for_match(phrase)[0], ref)
        assert found, phrase
        assert (found[0].start, found[0].end, found[0].precision) == (start, end, precision), phrase


def test_day_of_week_is_not_misread() -> None:
    """لليوم الثالث على التوالي is not 'today', and a bare يوم is not a date."""
    assert find_dates(normalize_for_match("لليوم الثالث على التوالي")[0], date(2024, 3, 20)) == []
    assert find_dates(normalize_for_match("في يوم واحد")[0], date(2024, 3, 20)) == []


def test_datelines_open_paragraphs_only() -> None:
    """A place (and date, and agency) before a dash or after a date opens a paragraph; a bracket mid-text does not."""
    text = "أنقرة - قصفت الطائرات.\nحلب 3 مايو 2017 (شينخوا) قتل اثنان.\nقتل 3 مدنيين (بينهم طفل) في درعا."
    found = [text[a:b].strip() for a, b in dateline_spans(text)]
    assert found == ["أنقرة -", "حلب 3 مايو 2017 (شينخوا)"]
