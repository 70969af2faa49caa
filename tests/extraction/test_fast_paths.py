"""The word lists in data/wordlists.tsv, and the fast text paths checked against their plain regex definitions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extraction import document, places, roles, text
from extraction.lexicon import DATA_DIR, WORD_LISTS_FILE, _rows, word_map, word_set
from extraction.text import Words, anchored_finditer, detect_language

# Pieces that make the fast paths branch: Arabic words with clitics, cue and anchor words, punctuation, digits,
# diacritics and tatweel, underscores, several kinds of white space, Latin words.
_PIECES = st.sampled_from(
    [
        "قرية",
        "قريه",
        "حي",
        "وحي",
        "بلده",
        "محور",
        "مكان",
        "الانفجار",
        "المستهدف",
        "فالمستهدف",
        "تل",
        "عين",
        "دير الزور",
        "(",
        ")",
        "،",
        ".",
        "؟",
        "؛",
        "!",
        "?",
        '"',
        "»",
        "3",
        "١٢",
        "ـ",
        "َ",
        "_",
        " ",
        "  ",
        "\n",
        "\t",
        "the",
        "Army",
        "x_y",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)
_WORD = re.compile(r"\w+")


def test_word_lists_file_has_a_provenance_header() -> None:
    """The data file says what it is, its version, source and licence."""
    head = (DATA_DIR / WORD_LISTS_FILE).read_text(encoding="utf-8").splitlines()[:6]
    joined = "\n".join(head).lower()
    assert head[0].startswith("# ") and "version:" in joined and "source:" in joined and "licence:" in joined


def test_word_lists_rows_are_clean_and_unique() -> None:
    """No duplicate (list, word), no stray white space, every list announced by a '# name:' comment line."""
    rows = _rows(WORD_LISTS_FILE)
    pairs = [(row["list"], row["word"]) for row in rows]
    assert len(pairs) == len(set(pairs))
    assert all(word == word.strip() and word for _, word in pairs)
    announced = {
        line[2:].split(":", 1)[0]
        for line in (DATA_DIR / WORD_LISTS_FILE).read_text(encoding="utf-8").splitlines()
        if line.startswith("# ") and ":" in line
    }
    assert {name for name, _ in pairs} <= announced


def test_word_lists_are_loaded_by_the_rules() -> None:
    """The modules read their word lists from the data file; an unknown list name is an error, not an empty set."""
    assert "برصاص" in word_set("agent_marker")
    assert word_set("agent_marker") == roles._AGENT_MARKERS
    assert places._CUE_KIND["قريه"] == "village"
    assert places._ANAPHORS["the city"] == ("city", "town") and places._ANAPHORS["المكان"] == ()
    assert word_map("date_month_part")["منتصف"] == "11-20"
    with pytest.raises(KeyError):
        word_set("no_such_list")


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_words_match_the_word_regex(sample: str) -> None:
    """Words (split at spaces, regex only for mixed pieces) finds exactly the \\w+ runs."""
    words = Words(sample)
    found = list(_WORD.finditer(sample))
    assert words.spans == [m.span() for m in found]
    assert words.texts == [m.group(0) for m in found]
    assert words.starts == [m.start() for m in found] and words.ends == [m.end() for m in found]


@settings(max_examples=200, deadline=None)
@given(_TEXTS, st.integers(min_value=0, max_value=80), st.integers(min_value=1, max_value=4))
def test_prev_words_match_a_plain_scan(sample: str, pos: int, count: int) -> None:
    """prev_words: up to `count` words ending at or before `pos`, nearest first."""
    expected = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(sample) if m.end() <= pos][::-1][:count]
    assert Words(sample).prev_words(pos, count) == expected


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_anchored_finditer_matches_finditer(sample: str) -> None:
    """The anchored search finds the same matches as a full finditer, for each pattern that uses it."""
    cases = [
        (text._SENTENCE_END, text._SENTENCE_END_CHARS, 0),
        (places._CUE_PLACE, places._CUE_PLACE_WORDS, 1),
        (document._TARGETED, document._TARGETED_ANCHORS, 0),
    ]
    for regex, anchors, back in cases:
        fast = [(m.span(), m.groups()) for m in anchored_finditer(regex, sample, anchors, back)]
        assert fast == [(m.span(), m.groups()) for m in regex.finditer(sample)]


def _reference_language(sample: str) -> str:
    """detect_language written with letter regexes (the definition the byte counting must keep)."""
    head = sample[:3000]
    arabic = len(re.findall("[\u0621-\u064a]", head))
    latin = len(re.findall("[A-Za-z]", head))
    if arabic >= 20 and arabic >= latin:
        return "ar"
    if latin >= 20:
        words = [w.lower() for w in _WORD.findall(head)]
        stop = sum(1 for w in words if w in text._EN_STOPWORDS)
        if words and stop / len(words) >= 0.08:
            return "en"
    return "other"


_LANGUAGE_PARTS = ["قتل", "ـ", "ً", "ۀ", "؟", "٣", "ٹ", "the", "Army", "of", "é", " ", "\ud800"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LANGUAGE_PARTS), max_size=90))
def test_language_detection_counts_letters_like_the_regexes(parts: list[str]) -> None:
    """Byte-class counting of Arabic and Latin letters decides like the letter regexes (lone surrogates too)."""
    sample = "".join(parts)
    assert detect_language(sample) == _reference_language(sample)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_space_runs_match_the_space_regexes(sample: str) -> None:
    """space_runs (str.find) gives the spans of the regexes it replaces: " {2,}", and "^ +| {2,}" with leading."""
    from extraction import gazetteer, normalize

    assert normalize.space_runs(sample) == [m.span() for m in normalize._DOUBLE_SPACE.finditer(sample)]
    assert normalize.space_runs(sample, leading=True) == [m.span() for m in gazetteer._SPACE_RUN.finditer(sample)]


@settings(max_examples=200, deadline=None)
@given(_TEXTS, st.integers(min_value=0, max_value=80), st.integers(min_value=1, max_value=6))
def test_prev_texts_are_the_texts_of_prev_words(sample: str, pos: int, count: int) -> None:
    """prev_texts slices the texts prev_words gives, nearest first."""
    words = Words(sample)
    assert words.prev_texts(pos, count) == [w for _, _, w in words.prev_words(pos, count)]


@settings(max_examples=300, deadline=None)
@given(_TEXTS.map(lambda s: s.replace(".", "“").replace("!", "»").replace("?", "«").replace("؟", "”")))
def test_char_positions_match_the_character_class_regexes(sample: str) -> None:
    """char_positions finds what finditer of the punctuation and quote classes finds."""
    assert text.char_positions(sample, document._PUNCT_CHARS) == [
        m.start() for m in document._PUNCT_BOUNDARY.finditer(sample)
    ]
    assert text.char_positions(sample, "“«”»") == [m.start() for m in text._QUOTE_MARK.finditer(sample)]
