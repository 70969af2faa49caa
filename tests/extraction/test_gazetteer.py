"""Tests of the place gazetteer against the real committed data file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from needs import needs_shared

import extraction
from extraction import build_gazetteer
from extraction.gazetteer import (
    GAZETTEER_PATH,
    PLACE_KINDS,
    Gazetteer,
    Place,
    PlaceMatch,
    _fold_char,
    _match_text,
    _rank,
    load_gazetteer,
    name_key,
)
from extraction.normalize import normalize_ar


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    """The committed gazetteer, loaded once."""
    return load_gazetteer()


def surfaces(matches: list[PlaceMatch]) -> list[str]:
    """The matched text of each match."""
    return [m.surface for m in matches]


def test_clitic_forms_match_with_offsets_into_the_original_text(gazetteer: Gazetteer) -> None:
    text = "قصفت الطائرات مواقع بدير الزور والميادين وبالبوكمال فجر اليوم."
    matches = gazetteer.find(text)
    assert surfaces(matches) == ["دير الزور", "الميادين", "البوكمال"]
    for match in matches:
        assert text[match.start : match.end] == match.surface
    assert matches[0].start == text.index("بدير") + 1
    assert matches[1].start == text.index("والميادين") + 1
    assert matches[2].start == text.index("وبالبوكمال") + 2
    assert [m.candidates[0].id for m in matches] == ["geonames:170794", "geonames:173480", "geonames:174448"]


def test_offsets_survive_diacritics_tatweel_and_hamza_variants(gazetteer: Gazetteer) -> None:
    text = "وصلت تعزيزات إلى دَيْر الزّور ثم إلى الميـــادين واستقرت في ابو كمال"
    matches = gazetteer.find(text)
    assert surfaces(matches) == ["دَيْر الزّور", "الميـــادين", "ابو كمال"]
    assert [m.candidates[0].id for m in matches] == ["geonames:170794", "geonames:173480", "geonames:174448"]


def test_lam_with_elided_article_and_fa_prefix(gazetteer: Gazetteer) -> None:
    text = "توجه الرتل للميادين فالبوكمال"
    matches = gazetteer.find(text)
    assert [m.candidates[0].id for m in matches] == ["geonames:173480", "geonames:174448"]
    assert matches[1].surface == "البوكمال"


def test_whole_words_only(gazetteer: Gazetteer) -> None:
    # "حمصية" and "الميادينية" contain place names but are other words
    assert gazetteer.find("أكلة حمصية مشهورة") == []
    assert gazetteer.find("الساحة الميادينية") == []


def test_longest_match_wins(gazetteer: Gazetteer) -> None:
    text = "استهدفت طائرة مسيرة مطار دير الزور العسكري وحي الجورة في دير الزور"
    matches = gazetteer.find(text)
    assert surfaces(matches) == ["مطار دير الزور العسكري", "الجورة", "دير الزور"]
    assert matches[0].candidates[0].kind == "airport"
    assert matches[1].candidates[0].kind == "neighbourhood"
    region = gazetteer.find("في ريف دير الزور الشرقي")
    assert surfaces(region) == ["ريف دير الزور الشرقي"]
    assert region[0].candidates[0].kind == "region"


def test_candidates_put_the_city_before_its_namesake_district_and_subdistrict(gazetteer: Gazetteer) -> None:
    (match,) = gazetteer.find("في الميادين")
    kinds = [c.kind for c in match.candidates]
    assert kinds[0] == "city"
    assert kinds.index("subdistrict") < kinds.index("district")
    (governorate_match,) = gazetteer.find("محافظة دير الزور")
    assert governorate_match.candidates[0].kind == "governorate"


def test_parent_chain_from_neighbourhood_to_governorate(gazetteer: Gazetteer) -> None:
    (match,) = gazetteer.find("حي هرابش")
    place: Place | None = match.candidates[0]
    chain: list[str] = []
    while place is not None:
        chain.append(place.kind)
        place = gazetteer.parent(place)
    assert chain == ["neighbourhood", "city", "subdistrict", "district", "governorate"]
    neighbourhood = match.candidates[0]
    assert neighbourhood.admin1 == "Deir ez-Zor"
    assert neighbourhood.admin2 == "Deir ez-Zor"
    assert neighbourhood.lat is not None and 35.2 < neighbourhood.lat < 35.4


def test_towns_get_admin_levels_from_the_boundaries(gazetteer: Gazetteer) -> None:
    hajin = gazetteer.get("geonames:174506")
    assert hajin is not None
    assert (hajin.admin1, hajin.admin2, hajin.admin3) == ("Deir ez-Zor", "Abu Kamal", "Hajin")
    parent = gazetteer.parent(hajin)
    assert parent is not None and parent.pcode == "SY090201"


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Clashes broke out in al-Mayadin on Monday", "geonames:173480"),
        ("a drone hit a car near Mayadeen", "geonames:173480"),
        ("Militias in Mayadin", "geonames:173480"),
        ("shelling on Deir ez-Zor", "geonames:170794"),
        ("in Deir Ezzor city", "geonames:170794"),
        ("the Deir al-Zour countryside", "geonames:170794"),
        ("convoys reached Albu Kamal", "geonames:174448"),
        ("convoys reached Abu Kamal", "geonames:174448"),
        ("convoys reached Bukamal", "geonames:174448"),
    ],
)
def test_english_spellings(gazetteer: Gazetteer, text: str, place_id: str) -> None:
    matches = gazetteer.find(text)
    assert len(matches) == 1
    assert matches[0].candidates[0].id == place_id
    assert text[matches[0].start : matches[0].end] == matches[0].surface


def test_english_article_is_part_of_the_surface(gazetteer: Gazetteer) -> None:
    (match,) = gazetteer.find("Clashes broke out in al-Mayadin")
    assert match.surface == "al-Mayadin"


def test_lower_case_english_words_are_not_places(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("the hama of it") == []


def test_english_words_listed_as_common_are_never_places(gazetteer: Gazetteer) -> None:
    # "Sarin" is the English name of a sub-district but in English news it is the nerve agent
    assert gazetteer.get("ocha:SY020602") is not None
    assert gazetteer.find("Inspectors said Sarin was used. Hayat Tahrir al-Sham denied it.") == []


def test_common_words_need_a_place_cue(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("دعا الوزير إلى احترام الكرامة والحرية") == []
    cued = gazetteer.find("اقتحمت دورية بلدة الكرامة شرقي الرقة")
    assert surfaces(cued) == ["الكرامة", "الرقة"]
    assert cued[0].candidates[0].admin1 == "Raqqa"
    assert surfaces(gazetteer.find("وفي حي العمال")) == ["العمال"]
    assert gazetteer.find("نقابة العمال") == []
    assert surfaces(gazetteer.find("نقابة العمال", allow_common_words=True)) == ["العمال"]


def test_common_word_cue_may_carry_a_proclitic(gazetteer: Gazetteer) -> None:
    assert surfaces(gazetteer.find("وبقرية الكرامة")) == ["الكرامة"]


def test_by_name_and_get(gazetteer: Gazetteer) -> None:
    assert gazetteer.by_name("البوكمال")[0].id == "geonames:174448"
    assert gazetteer.by_name("أبو كمال")[0].id == "geonames:174448"
    assert gazetteer.by_name("al-Mayadin")[0].id == "geonames:173480"
    assert gazetteer.by_name("Deir ez-Zor")[0].kind == "city"
    assert gazetteer.by_name("no such place") == []
    deir = gazetteer.get("ocha:SY09")
    assert deir is not None and deir.kind == "governorate" and deir.name_ar == "دير الزور"
    assert gazetteer.get("raqib:does-not-exist") is None


def test_every_place_is_well_formed(gazetteer: Gazetteer) -> None:
    kinds = PLACE_KINDS
    places = gazetteer.places()
    assert len(places) > 700
    for place in places:
        assert place.kind in kinds, place.id
        assert place.name and place.name_ar, place.id
        if place.parent_id is not None:
            assert gazetteer.get(place.parent_id) is not None, place.id
        if place.kind != "country":
            assert place.admin1, place.id
        if place.lat is not None and place.lon is not None:
            assert 32.0 < place.lat < 37.6 and 35.4 < place.lon < 42.6, place.id


def test_load_is_cached(gazetteer: Gazetteer) -> None:
    assert load_gazetteer() is gazetteer


NAMES = ["دير الزور", "الميادين", "البوكمال", "هجين", "الباغوز", "حقل العمر", "Deir ez-Zor", "al-Mayadin"]
FILLER = ["قصف", "على", "و", "في", "الطريق", "مقتل", "3", "عناصر", ".", "،", "\n", "the", "road"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(NAMES + FILLER), min_size=1, max_size=25))
def test_matches_are_ordered_disjoint_and_exact(words: list[str]) -> None:
    gazetteer = load_gazetteer()
    text = " ".join(words)
    matches = gazetteer.find(text)
    previous_end = 0
    for match in matches:
        assert previous_end <= match.start < match.end <= len(text)
        assert text[match.start : match.end] == match.surface
        assert match.candidates
        previous_end = match.end
    assert len(matches) == sum(1 for word in words if word in NAMES)


def test_build_reproduces_the_committed_file(tmp_path: Path) -> None:
    needs_shared("data", "syria_localities")
    shared_data = needs_shared("data")
    out = tmp_path / "gazetteer.tsv"
    count = build_gazetteer.build(shared_data, GAZETTEER_PATH.parent, out)
    assert count == len(load_gazetteer())
    assert out.read_text(encoding="utf-8") == GAZETTEER_PATH.read_text(encoding="utf-8")


def test_group_and_outlet_names_are_not_places(gazetteer: Gazetteer) -> None:
    text = "أعلن مجلس دير الزور العسكري التابع لقوات سوريا الديمقراطية السيطرة على حقل العمر"
    matches = gazetteer.find(text)
    assert surfaces(matches) == ["حقل العمر"]
    assert matches[0].candidates[0].kind == "oilfield"
    assert gazetteer.find("نقل موقع دير الزور 24 عن مصادر") == []


def test_direction_words_are_place_cues(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("فتح الباب أمام المفاوضات") == []
    (match,) = gazetteer.find("اشتباكات شرقي الباب")
    assert match.candidates[0].id == "geonames:174018"


def test_resolve_prefers_places_inside_other_mentions(gazetteer: Gazetteer) -> None:
    matches = gazetteer.find("قصف حي الحميدية في مدينة دير الزور")
    hamidiyah, deir = gazetteer.resolve(matches)
    assert hamidiyah.id == "raqib:deir-hamidiyah"
    assert deir.id == "geonames:170794"
    (alone,) = gazetteer.resolve(gazetteer.find("في الحميدية"))
    assert alone.id == gazetteer.find("في الحميدية")[0].candidates[0].id


def test_resolve_uses_the_governorate_of_the_other_places(gazetteer: Gazetteer) -> None:
    matches = gazetteer.find("وصلت التعزيزات من الحسكة إلى الشدادي ثم إلى حي الصالحية")
    places = gazetteer.resolve(matches)
    assert places[-1].id == "raqib:hasakah-salihiyah"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="دير الزورأإآىةـَُِّ-–_’ÁāḤṣİabcXYZ \t\n", max_size=20))
def test_name_keys_fold_like_the_matcher(name: str) -> None:
    folded, offsets = _match_text(name)
    assert name_key(name) == folded.strip()
    assert len(offsets) == len(folded)


def test_compounds_match_joined_or_split(gazetteer: Gazetteer) -> None:
    joined = gazetteer.find("قصف على كفرنبل وديرالزور")
    split = gazetteer.find("قصف على كفر نبل ودير الزور")
    assert [m.candidates[0].id for m in joined] == [m.candidates[0].id for m in split]
    assert [m.candidates[0].id for m in joined] == ["geonames:168661", "geonames:170794"]


def _hand_file(directory: Path, rows: list[list[str]]) -> None:
    """Write a one-off places_*.tsv with the hand-file header."""
    lines = ["# test rows", "\t".join(build_gazetteer.HAND_COLUMNS), *("\t".join(row) for row in rows)]
    (directory / "places_test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_build_rejects_a_dangling_parent_and_places_outside_syria(tmp_path: Path) -> None:
    shared_data = needs_shared("data")
    row = ["raqib:t", "T", "تجربة", "", "", "village", "", "", "", "35.0", "40.0", "raqib:nowhere", "", "note"]
    _hand_file(tmp_path, [row])
    with pytest.raises(ValueError, match="unknown parent raqib:nowhere"):
        build_gazetteer.build(shared_data, tmp_path, tmp_path / "out.tsv")
    row[11] = ""
    row[9], row[10] = "48.85", "2.35"  # Paris
    _hand_file(tmp_path, [row])
    with pytest.raises(ValueError, match="outside the Syria box"):
        build_gazetteer.build(shared_data, tmp_path, tmp_path / "out.tsv")


def test_build_places_a_hand_coded_village_from_its_coordinates(tmp_path: Path) -> None:
    shared_data = needs_shared("data")
    row = ["raqib:t", "T", "تجربة", "", "", "village", "", "", "", "34.70", "40.83", "", "", "note"]
    _hand_file(tmp_path, [row])
    out = tmp_path / "out.tsv"
    build_gazetteer.build(shared_data, tmp_path, out)
    place = load_gazetteer(out).get("raqib:t")
    assert place is not None
    assert (place.admin1, place.admin2) == ("Deir ez-Zor", "Abu Kamal")
    assert place.parent_id is not None and place.parent_id.startswith("ocha:SY0902")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="دير الزورأإآىةـَُِّ-–_’ÁāḤṣİΣabcXYZ \t\n\u00a0", max_size=30))
def test_match_text_folds_each_character_and_keeps_offsets(text: str) -> None:
    folded, offsets = _match_text(text)
    assert len(folded) == len(offsets)
    assert all(a < b for a, b in itertools.pairwise(offsets))
    assert not folded.startswith(" ") and "  " not in folded
    for char, offset in zip(folded, offsets, strict=True):
        assert char == _fold_char(normalize_ar(text[offset]))
    # nothing but white space and marks is dropped
    kept = set(offsets)
    assert all(
        text[i].isspace() or text[i] in "-–_" or not normalize_ar(text[i]) for i in range(len(text)) if i not in kept
    )


# --- the Who's On First localities: merge, collision filter, choice among namesakes ---------------------------


def test_localities_for_the_whole_country_are_merged(gazetteer: Gazetteer) -> None:
    places = gazetteer.places()
    assert len(places) > 10000
    localities = [p for p in places if p.id.startswith("wof:")]
    assert len(localities) > 9000
    assert {p.admin1 for p in localities} >= {"Idlib", "Hama", "Daraa", "Latakia", "Deir ez-Zor", "Al-Hasakah"}
    for place in localities:
        parent = gazetteer.parent(place)
        assert parent is not None and parent.kind == "subdistrict", place.id  # placed by the spatial join
        governorate = gazetteer.get(f"ocha:{(parent.pcode or '')[:4]}")
        assert governorate is not None and (place.admin1, place.admin3) == (governorate.name, parent.name), place.id


def test_a_hand_coded_place_absorbs_its_locality_and_keeps_its_fields(gazetteer: Gazetteer) -> None:
    quriyah = gazetteer.get("raqib:quriyah")
    assert quriyah is not None and quriyah.kind == "town" and quriyah.admin1 == "Deir ez-Zor"  # hand-coded fields
    (match,) = gazetteer.find("في القورية")
    assert match.candidates[0].id == "raqib:quriyah"
    # no second entry of the same name within a few km: WOF's record became names of the hand-coded place
    assert not any(c.id.startswith("wof:") and c.admin2 == quriyah.admin2 for c in match.candidates)
    mayadin = [c for c in gazetteer.by_name("الميادين") if c.kind in ("city", "town", "village")]
    assert [c.id for c in mayadin] == ["geonames:173480"]  # cities500 and WOF share the GeoNames id


@pytest.mark.parametrize(
    "text",
    [
        "دخلت القوات المدينة وقال خالد إن الوضع تحت السيطرة",  # المدينة, خالد, تحت are localities too
        "وشهدت المنطقة حالات نزوح واسعة، والحمد لله",
        "أصيب شاب بجروح في الاشتباكات",
    ],
)
def test_localities_named_like_ordinary_words_do_not_fire_on_prose(gazetteer: Gazetteer, text: str) -> None:
    assert [m.surface for m in gazetteer.find(text) if any(c.id.startswith("wof:") for c in m.candidates)] == []


def test_gated_localities_match_after_a_place_cue(gazetteer: Gazetteer) -> None:
    collisions = build_gazetteer.read_collisions(GAZETTEER_PATH.parent / build_gazetteer.COLLISIONS_FILE)
    assert "جروح" in collisions and "خالد" in collisions
    (match,) = gazetteer.find("قصفت الطائرات قرية جروح")
    assert match.candidates[0].id.startswith("wof:")
    assert gazetteer.find("قرية المدينة") == []  # a cue word is never a name


def test_names_shared_with_a_known_place_need_a_cue_only_for_the_gated_locality(gazetteer: Gazetteer) -> None:
    # "القريا" is al-Quriyah's spelling variant from WOF and also a WOF village elsewhere, gated as a pattern of قري*
    alone = gazetteer.find("الغسانية")
    assert alone and alone[0].candidates[0].id == "geonames:168708"
    assert build_gazetteer.needs_cue("النصر", False, set()) == "short"
    assert build_gazetteer.needs_cue("تل الشيخ", True, set()) == "abandoned"
    assert build_gazetteer.needs_cue("العباس", False, {"عباس"}) == "collision"
    assert build_gazetteer.needs_cue("مريمين", False, set()) == "one_word"
    assert build_gazetteer.needs_cue("حير جاموس كبير", False, set()) is None


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("قصفت قوات النظام قرية مريمين في ريف حماة الشمالي", "Hama"),
        ("قصفت قوات النظام قرية مريمين بريف إدلب", "Idlib"),
    ],
)
def test_a_shared_village_name_resolves_to_the_governorate_the_text_names(
    gazetteer: Gazetteer, text: str, admin1: str
) -> None:
    matches = gazetteer.find(text)
    assert len(matches[0].candidates) >= 4  # مريمين: two in Aleppo, one in Idlib, one in Hama
    assert gazetteer.resolve(matches)[0].admin1 == admin1
    (event,) = extraction.extract_events(text + "، ما أدى إلى مقتل مدنيين اثنين.", None)
    assert event.location is not None and event.location.admin1 == admin1


def test_each_village_takes_the_area_named_next_to_it(gazetteer: Gazetteer) -> None:
    text = "قرية مريمين في ريف حماة وقرية تويم في ريف إدلب"
    places = gazetteer.resolve(gazetteer.find(text))
    assert [p.admin1 for p in places] == ["Hama", "Hama", "Idlib", "Idlib"]


@pytest.mark.parametrize(
    ("other", "admin2"),
    [("كفرنبل", "Jisr al-Shughur"), ("عفرين", "Afrin"), ("محردة", "Masyaf")],
)
def test_without_an_area_the_village_nearest_the_other_places_wins(
    gazetteer: Gazetteer, other: str, admin2: str
) -> None:
    places = gazetteer.resolve(gazetteer.find(f"قصف مدفعي على قرية مريمين و{other}"))
    assert places[0].admin2 == admin2


def test_a_namesake_far_from_everything_else_is_not_placed() -> None:
    # both WOF "الدردارة" are in Tartus; the article is about Tal Tamr: keep the name, never the Tartus namesake; the
    # village takes the town named next to it, at precision 2 (near a named place), as ACLED places it
    (event,) = extraction.extract_events("استهدفت الفصائل بقذائف الهاون قرية الدردارة قرب تل تمر شمال الحسكة.", None)
    location = event.location
    assert location is not None and location.name_ar == "الدردارة" and location.place_id is None
    assert location.admin1 == "Al-Hasakah" and location.admin3 == "Tal Tamer" and location.geo_precision == 2


def _row(place_id: str, name_ar: str, kind: str, lat: str, population: str = "") -> dict[str, str]:
    """A gazetteer.tsv row for a synthetic gazetteer."""
    row = dict.fromkeys(build_gazetteer.OUTPUT_COLUMNS, "")
    row.update(id=place_id, name=place_id, name_ar=name_ar, kind=kind, admin1="A", lat=lat, lon="38.0")
    row["population"] = population
    return row


@pytest.mark.parametrize("reverse", [False, True])
def test_a_tie_without_context_prefers_hand_coded_then_larger_not_file_order(reverse: bool) -> None:
    rows = [
        _row("wof:1", "قرية", "village", "35.0"),
        _row("wof:2", "قرية", "town", "36.0"),  # an admin seat (PPLA3) is a town
        _row("raqib:x", "قرية", "village", "34.0"),
        _row("wof:3", "بلدة", "village", "35.0"),
        _row("wof:4", "بلدة", "town", "36.0"),
    ]
    gazetteer = Gazetteer(rows[::-1] if reverse else rows)
    assert [p.id for p in gazetteer.by_name("قرية")] == ["raqib:x", "wof:2", "wof:1"]
    assert gazetteer.by_name("بلدة")[0].id == "wof:4"
    assert _rank(gazetteer.by_name("بلدة")[0]) < _rank(gazetteer.by_name("بلدة")[1])
