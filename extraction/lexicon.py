"""Dictionaries (actors, triggers, cues, numbers, calendar) loaded from TSV files into one Aho-Corasick automaton."""

from __future__ import annotations

import csv
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from extraction.normalize import ARABIC_LETTER, militia_variants, normalize_for_match, normalize_phrase

DATA_DIR = Path(__file__).parent / "data"
LEXICON_FILES = ("actors.tsv", "triggers.tsv", "cues.tsv", "numbers.tsv", "calendar.tsv")
WORD_LISTS_FILE = "wordlists.tsv"  # closed word classes the rules compare words with (not in the automaton)

# Proclitics that may precede a dictionary word: conjunction, preposition, article ("لل" = ل + ال).
_AR_PREFIX = re.compile(r"^(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)$")


@dataclass(frozen=True)
class Actor:
    """One actor of the dictionary."""

    id: str
    name: str
    name_ar: str
    actor_type: str
    parent: str | None
    strength: str  # strong | weak | anaphor


@dataclass(frozen=True)
class Trigger:
    """One trigger word of an event type."""

    event_type: str
    form: str
    weight: float
    requires: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """What a dictionary key stands for: category (actor, trigger, cue, number, calendar) and the payload."""

    category: str
    kind: str  # actor id, event type, cue kind, number kind or calendar kind
    value: object
    open_end: bool
    lang: str


class Mention(NamedTuple):
    """A dictionary hit in a text: offsets into the matching text (`nstart`, `nend`) and into the source text.

    A named tuple, not a frozen dataclass: a document has hundreds of hits and a tuple is built five times faster.
    """

    nstart: int
    nend: int
    start: int
    end: int
    entry: Entry
    definite: bool


@dataclass
class Lexicon:
    """All dictionaries, with one automaton over every key."""

    actors: dict[str, Actor] = field(default_factory=dict)
    automaton: ahocorasick.Automaton = field(default_factory=ahocorasick.Automaton)
    version_hash: str = ""

    def family(self, actor_id: str) -> tuple[str, ...]:
        """The actor and its patrons up the parent chain."""
        chain: list[str] = []
        current: str | None = actor_id
        while current and current not in chain:
            chain.append(current)
            actor = self.actors.get(current)
            current = actor.parent if actor else None
        return tuple(chain)

    def scan(self, text: str, lang: str | None = None) -> tuple[str, list[int], list[Mention]]:
        """Find every dictionary word in `text` (whole words, clitic-aware); overlapping hits are all returned.

        With `lang`, only that language's entries are kept.
        """
        norm, offsets = normalize_for_match(text)
        return norm, offsets, self.scan_normalized(norm, offsets, lang)

    def scan_normalized(
        self,
        norm: str,
        offsets: list[int],
        lang: str | None = None,
        word_spans: tuple[list[int], list[int]] | None = None,
    ) -> list[Mention]:
        """`scan` over an already normalised text; `word_spans` = starts and ends of its \\w+ runs, when known."""
        starts, ends = word_spans if word_spans is not None else _word_spans(norm)
        found: list[Mention] = []
        prefix_ok = _PREFIX_OK
        size = len(norm)
        for last, (key, entries, open_end, key_definite) in self.automaton.iter(norm):
            nend = last + 1
            continues = nend < size and norm[nend].isalnum()
            if continues and not open_end:
                continue  # the key is the start of a longer word and none of its entries may go on
            nstart = nend - len(key)
            # \w runs are the isalnum runs here (normalisation turned "_" into a space): the word around the key
            if nstart == 0 or not norm[nstart - 1].isalnum():
                word_start = nstart  # the key starts a word: no clitic in front
            else:
                k = bisect_right(starts, nstart - 1) - 1
                word_start = starts[k] if k >= 0 and ends[k] >= nstart else nstart
            if nstart - word_start > 5:
                continue
            prefix = norm[word_start:nstart]
            for entry in entries:
                if continues and not entry.open_end:
                    continue
                if lang is not None and entry.lang != lang:
                    continue
                if entry.lang == "ar":
                    ok = prefix_ok.get(prefix)
                    if ok is None:
                        ok = prefix_ok[prefix] = _AR_PREFIX.match(prefix) is not None
                    if not ok:
                        continue
                elif prefix:
                    continue
                elif norm[max(word_start - 4, 0) : word_start] == "the " or _english_determined(norm, word_start):
                    prefix = "the"
                end_src = offsets[nend - 1] + 1
                if entry.open_end and continues:  # the mention covers the rest of the word
                    k = bisect_right(starts, nend) - 1
                    end_src = offsets[ends[k] - 1] + 1
                definite = key_definite or "ال" in prefix or prefix.endswith("لل") or prefix == "the"
                found.append(Mention(nstart, nend, offsets[word_start], end_src, entry, definite))
        return found


def _english_determined(norm: str, start: int) -> bool:
    """True when a determiner stands before an English word, alone or with one modifier between ("the deadly")."""
    before = norm[max(start - 32, 0) : start].split()[-2:]
    if not before:
        return False
    if before[-1] in _DETERMINERS:
        return True
    return len(before) == 2 and before[0] in _DETERMINERS and before[1].isalpha() and before[1] not in _NOT_MODIFIERS


_DETERMINERS = frozenset(("the", "this", "that", "these", "those", "its", "their"))
_NOT_MODIFIERS = frozenset(("of", "and", "or", "in", "on", "at", "to", "by", "for", "with", "from"))
_PREFIX_OK: dict[str, bool] = {}  # clitic prefix -> allowed before an Arabic dictionary word (a few dozen keys)
_WORD_RUN = re.compile(r"\w+")


def _word_spans(norm: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the word (\\w+) runs of a text."""
    spans = [m.span() for m in _WORD_RUN.finditer(norm)]
    return [a for a, _ in spans], [b for _, b in spans]


def is_strong_actor(mention: Mention) -> bool:
    """True when the mention is a named (strong) actor of the dictionary."""
    value = mention.entry.value
    return isinstance(value, Actor) and value.strength == "strong"


def _rows(name: str) -> list[dict[str, str]]:
    """Read a TSV data file, skipping its # provenance header."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#") and line.strip()]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _split(value: str | None) -> list[str]:
    """Split a |-separated column."""
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _keys(phrase: str) -> list[tuple[str, bool]]:
    """Matching keys of one phrase: (key, open_end); a leading ال is dropped so clitics like لل still match."""
    open_end = phrase.endswith("*")
    phrase = phrase.rstrip("*")
    keys: list[tuple[str, bool]] = []
    for variant in militia_variants(phrase):
        key = normalize_phrase(variant)
        if ARABIC_LETTER.search(key) and key.startswith("ال") and len(key) >= 5:
            key = key[2:]
        if key:
            keys.append((key, open_end))
            if " " not in key and key.endswith("ه") and len(key) >= 4:
                keys.append((key[:-1] + "ت", True))  # ta marbuta before a suffix: غارة -> غارتين، عبوته
    return keys


def _lang(phrase: str) -> str:
    """ar when the phrase has Arabic letters, else en."""
    return "ar" if ARABIC_LETTER.search(phrase) else "en"


def build_lexicon() -> Lexicon:
    """Read every data file and build the automaton."""
    lexicon = Lexicon()
    table: dict[str, list[Entry]] = {}

    def add(phrase: str, category: str, kind: str, value: object) -> None:
        for key, open_end in _keys(phrase):
            entry = Entry(category, kind, value, open_end, _lang(phrase))
            bucket = table.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    for row in _rows("actors.tsv"):
        actor = Actor(row["id"], row["name"], row["name_ar"], row["actor_type"], row["parent"] or None, row["strength"])
        lexicon.actors[actor.id] = actor
        for phrase in {actor.name_ar, *_split(row["aliases_ar"]), *_split(row["aliases_en"])}:
            add(phrase, "actor", actor.id, actor)
    for row in _rows("triggers.tsv"):
        trigger = Trigger(row["event_type"], row["form"], float(row["weight"]), tuple(_split(row.get("requires"))))
        add(row["pattern"], "trigger", row["event_type"], trigger)
    for row in _rows("cues.tsv"):
        add(row["pattern"], "cue", row["kind"], row["pattern"])
    for row in _rows("numbers.tsv"):
        add(row["word"], "number", row["kind"], int(row["value"]))
    for row in _rows("calendar.tsv"):
        add(row["word"], "calendar", row["kind"], int(row["value"]))
    for key, entries in table.items():
        payload = (key, tuple(entries), any(e.open_end for e in entries), key.startswith("ال"))
        lexicon.automaton.add_word(key, payload)
    lexicon.automaton.make_automaton()
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        digest.update((DATA_DIR / name).read_bytes())
    lexicon.version_hash = digest.hexdigest()[:8]
    return lexicon


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, built once per process."""
    return build_lexicon()


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, dict[str, str]]:
    """Every list of wordlists.tsv: list name -> {word: value}, in file order."""
    lists: dict[str, dict[str, str]] = {}
    for row in _rows(WORD_LISTS_FILE):
        lists.setdefault(row["list"], {})[row["word"]] = row["value"] or ""
    return lists


def word_map(name: str) -> dict[str, str]:
    """A word list of wordlists.tsv as {word: value} in file order; KeyError for an unknown list name."""
    return dict(_word_lists()[name])


@lru_cache(maxsize=1)
def english_calendar_words() -> frozenset[str]:
    """English month and weekday names of calendar.tsv, lower case."""
    return frozenset(row["word"].lower() for row in _rows("calendar.tsv") if row["word"].isascii())


def word_set(name: str) -> frozenset[str]:
    """The words of one list of wordlists.tsv; KeyError for an unknown list name."""
    return frozenset(_word_lists()[name])


@lru_cache(maxsize=512)
def requirement_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a `requires` list: any of its words, clitics allowed in front, `x*` words may go on."""
    parts = []
    for pattern in patterns:
        if pattern.startswith(("@", "~")):
            continue
        stem = re.escape(normalize_phrase(pattern.rstrip("*")))
        parts.append(stem + (r"\w*" if pattern.endswith("*") else ""))
    alternation = "|".join(parts) or "(?!)"
    return re.compile(r"(?<!\w)(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)(?:" + alternation + r")(?!\w)")


def word_matches(word: str, patterns: tuple[str, ...]) -> bool:
    """True when a normalised word (clitics allowed in front) equals a pattern or starts with a `x*` pattern."""
    return requirement_regex(patterns).fullmatch(word) is not None
