"""The word lists are compared with normalised text: every Arabic word in them must already be normalised."""

from __future__ import annotations

from pathlib import Path

from extraction.normalize import normalize_for_match

WORDLISTS = Path(__file__).resolve().parents[2] / "extraction" / "data" / "wordlists.tsv"
# actor ids, not words of a text
ID_LISTS = frozenset(("state_forces", "air_forces", "air_actor", "missile_air_actor", "shelling_actor", "unknown_hand"))


def test_every_compared_word_is_normalised() -> None:
    """A word with ة, ى, ئ or أ would never equal a word of the normalised text ("عائلة" was such a word)."""
    notes: dict[str, str] = {}
    wrong: list[tuple[str, str]] = []
    for line in WORDLISTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and ":" in line:
            name, _, note = line[2:].partition(":")
            notes[name] = note
            continue
        if line.startswith("#") or "\t" not in line or line.startswith("list\t"):
            continue
        name, word = line.split("\t")[:2]
        if name in ID_LISTS or "normalised at load" in notes.get(name, ""):
            continue
        if normalize_for_match(word)[0] != word:
            wrong.append((name, word))
    assert wrong == []
