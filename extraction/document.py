"""The document being read: its text, mention indexes and clause helpers, and the drafts built from it."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from extraction.casualties import Casualties
from extraction.dates import DatePhrase
from extraction.lexicon import Actor, Lexicon, Mention, Trigger
from extraction.model import EventActor, EventLocation
from extraction.places import PlaceFinder, PlaceHit
from extraction.text import Sentence, Words, anchored_finditer, char_positions

CLAUSE_CUES = frozenset(("reset", "background", "consequence"))
ONE_SIDED = frozenset(("reinforcement", "arrest", "takeover", "protest", "defection"))
FAMILIES = ({"armed_clash", "attack"}, {"explosion", "airstrike", "shelling"})
_PUNCT_BOUNDARY = re.compile(r"[،,;:؛()]")
_PUNCT_CHARS = "،,;:؛()"  # the characters of _PUNCT_BOUNDARY, found with str.find
_TARGETED = re.compile(r"(?<!\w)المستهدف|(?<!\w)مكان (?:الانفجار|الاستهداف|الهجوم|الغاره)")
_TARGETED_ANCHORS = ("المستهدف", "مكان ")
_CLITICS = re.compile(r"^(?:[وف]?[بل]|[وف])(?=\w{3})")


@dataclass
class Trig:
    """A trigger hit that survived the modality checks."""

    mention: Mention
    trigger: Trigger

    @property
    def pos(self) -> int:
        """Start of the trigger in normalised text."""
        return self.mention.nstart


@dataclass
class ActorHit:
    """An actor mention after anaphora resolution."""

    nstart: int
    nend: int
    actor: Actor
    via_pair: bool = False
    anaphor: bool = False  # resolved from الطرفين، الأخيرة، التنظيم ...: the words do not name the actor


@dataclass(frozen=True)
class ListedPlace:
    """One place of a list, with the toll the text gives for it alone (None when it gives none)."""

    hit: PlaceHit
    killed: int | None


@dataclass
class Draft:
    """An event being built inside one sentence."""

    event_type: str
    triggers: list[Trig]
    lo: int = 0
    hi: int = 0
    actors: list[EventActor] = field(default_factory=list)
    location: EventLocation | None = None
    place_source: str = "none"  # span | sentence | anaphor | discourse | none
    date: DatePhrase | None = None
    casualties: Casualties = field(default_factory=Casualties)
    sentence: Sentence | None = None
    anaphoric: bool = False
    quoted: bool = False
    pair_only: bool = False
    own_place: bool = False
    attached: set[int] = field(default_factory=set)
    sentence_lo: int = 0
    sentence_hi: int = 0
    remention: bool = False
    similar: bool = False  # "قصفاً مماثلاً", "a similar strike": the same kind of act as the one told before
    chain_day: dt.date | None = None  # the day a date told from the event before ("اليوم التالي") resolves to
    listed: list[ListedPlace] = field(default_factory=list)  # "في A وB وC": one event per place
    shells_place: bool = False  # a generic strike by a force that shells: shelling if it hit a settlement
    mutual: bool = False  # "بشكل متبادل": the wording itself says two sides fired


@dataclass
class DocState:
    """What the document has said so far: actors and places, for anaphora and defaults."""

    actor_history: list[Actor] = field(default_factory=list)
    last_event_place: EventLocation | None = None
    place_history: list[PlaceHit] = field(default_factory=list)
    event_places: list[EventLocation] = field(default_factory=list)
    last_event_day: date | None = None  # day of the last event with a one-day date, for "اليوم التالي"
    doers: dict[str, str] = field(default_factory=dict)  # event type -> id of the last event's doer of that type


class Document:
    """One document being processed: text, normalised text, mention indexes, places, dates and quotes."""

    def __init__(
        self,
        lexicon: Lexicon,
        text: str,
        norm: str,
        offsets: list[int],
        words: Words,
        mentions: list[Mention],
        places: list[PlaceHit],
        dates: list[DatePhrase],
        quotes: list[tuple[int, int]],
        published: date | None,
        lang: str,
    ) -> None:
        """Keep every index of the document."""
        self.lexicon = lexicon
        self.text = text
        self.norm = norm
        self.offsets = offsets
        self.words = words
        self.mentions = mentions
        # mentions by (category, kind), each in text order with its starts, so that `_in` is two bisections
        groups: dict[tuple[str | None, str | None], list[Mention]] = {(None, None): mentions}
        for m in mentions:
            groups.setdefault((m.entry.category, None), []).append(m)
            groups.setdefault((m.entry.category, m.entry.kind), []).append(m)
        self._index = {key: ([m.nstart for m in group], group) for key, group in groups.items()}
        self._punct = char_positions(norm, _PUNCT_CHARS)  # once per document, not per sentence
        self._targeted = [m.span() for m in anchored_finditer(_TARGETED, norm, _TARGETED_ANCHORS)]
        self.places = places
        self.dates = dates
        self.quotes = quotes
        self.published = published
        self.lang = lang
        self.finder: PlaceFinder | None = None
        self.last_pair: tuple[Actor, Actor] | None = None
        self.called_militia: set[str] = set()  # actors the text named as "ميليشيا X" (الميليشيا may mean them)
        self.dropped_definite: list[int] = []
        self.sentence_features: tuple[int, set[str]] | None = None  # (sentence start, features), for the model
        self.ongoing_verbs: list[int] | None = None  # starts of "تشهد/تتعرض ..." verbs, found on first use

    def mentions_in(self, lo: int, hi: int, kind: str | None = None, category: str | None = None) -> list[Mention]:
        """Mentions inside [lo, hi) of a category and kind."""
        index = self._index.get((category, kind))
        if index is None:
            if category is not None:
                return []  # no mention of that category and kind in the document
            return [m for m in self.mentions_in(lo, hi) if m.entry.kind == kind]
        starts, mentions = index
        return mentions[bisect_left(starts, lo) : bisect_left(starts, hi)]

    def targeted_in(self, lo: int, hi: int) -> list[int]:
        """Starts of "المستهدف" / "مكان الانفجار" in [lo, hi), as a search of the sentence alone would find them."""
        if lo > 0 and self.norm[lo - 1].isalnum():  # never at a sentence start; kept exact all the same
            return [m.start() + lo for m in _TARGETED.finditer(self.norm[lo:hi])]
        return [a for a, b in self._targeted if lo <= a and b <= hi]

    def boundaries(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """Clause boundaries of [lo, hi): punctuation and clause words, as (offset, kind)."""
        out = [(p, "punct") for p in self._punct[bisect_left(self._punct, lo) : bisect_left(self._punct, hi)]]
        out += [
            (m.nstart, m.entry.kind) for m in self.mentions_in(lo, hi, category="cue") if m.entry.kind in CLAUSE_CUES
        ]
        out.sort()
        return out

    def clause(self, pos: int, bounds: list[tuple[int, str]], lo: int, hi: int) -> tuple[int, int, str]:
        """The clause around `pos`: (start, end, kind of the boundary that opened it)."""
        start, kind = lo, "main"
        end = hi
        for b, k in bounds:
            if b <= pos:
                start, kind = b, k
            else:
                end = b
                break
        return start, end, kind

    def chain_start(self, pos: int, lo: int) -> int:
        """Start of the clause chain of `pos`: the last reset word (حيث، بينما، وقد ...) before it, else `lo`."""
        starts = self._index.get(("cue", "reset"), ([], []))[0]
        i = bisect_left(starts, pos) - 1  # the last reset word before pos
        return starts[i] if i >= 0 and starts[i] >= lo else lo

    def word_before(self, pos: int, n: int = 1) -> list[str]:
        """The n words before `pos`, nearest first."""
        return self.words.prev_texts(pos, n)

    def adjacent(self, end: int, start: int) -> bool:
        """True when no word (or only an English article: "after the shelling") lies between `end` and `start`."""
        between = self.words.distance(end, start)
        return between == 0 or (between == 1 and self.word_before(start, 1) == ["the"])


class OffsetMap:
    """Maps source-text offsets to normalised-text offsets."""

    def __init__(doc, offsets: list[int]) -> None:
        """Remember the normalised -> source map."""
        doc.offsets = offsets

    def __call__(doc, pos: int) -> int:
        """First normalised offset whose source offset is >= pos."""
        return bisect_left(doc.offsets, pos)


@lru_cache(maxsize=256)
def _overlap_group(category: str, kind: str) -> str:
    """The group inside which overlapping mentions compete: the category, with casualty and a few cue kinds apart."""
    if category == "cue" and kind in ("killed", "injured", "zero_casualty", "vague"):
        return "casualty"
    if category == "cue" and kind in ("origin", "air", "mutual"):
        return "cue_" + kind
    return category


def _longest_first(cluster: list[Mention]) -> list[Mention]:
    """Inside a run of overlapping mentions of one category: longest first, then the ones that fit around it."""
    cluster = sorted(cluster, key=lambda m: (-(m.nend - m.nstart), m.entry.kind == "anaphor", m.nstart))
    base = min(m.nstart for m in cluster)
    occupied = bytearray(max(m.nend for m in cluster) - base + 1)
    spans: dict[tuple[int, int], set[str]] = {}
    out: list[Mention] = []
    for m in cluster:
        same = spans.get((m.nstart, m.nend))
        if same is not None:  # one word, two meanings of the same category (not for actors)
            if m.entry.category != "actor" and m.entry.kind not in same:
                same.add(m.entry.kind)
                out.append(m)
            continue
        if occupied.find(1, m.nstart - base, m.nend - base) != -1:
            continue
        occupied[m.nstart - base : m.nend - base] = b"\x01" * (m.nend - m.nstart)
        spans[(m.nstart, m.nend)] = {m.entry.kind}
        out.append(m)
    return out


def resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Longest match wins inside each category; triggers and places inside an actor name are dropped."""
    out: list[Mention] = []
    by_cat: dict[str, list[Mention]] = {}
    for m in mentions:
        by_cat.setdefault(_overlap_group(m.entry.category, m.entry.kind), []).append(m)
    for group in by_cat.values():
        group.sort(key=lambda m: m.nstart)
        cluster: list[Mention] = []
        reach = -1
        for m in group:  # mentions that overlap nothing of their group (most of them) need no contest
            if cluster and m.nstart >= reach:
                out.extend(_longest_first(cluster) if len(cluster) > 1 else cluster)
                cluster = []
            cluster.append(m)
            reach = max(reach, m.nend) if len(cluster) > 1 else m.nend
        if cluster:
            out.extend(_longest_first(cluster) if len(cluster) > 1 else cluster)
    actors = sorted(
        (m for m in out if m.entry.category == "actor" and m.entry.kind not in ("militia_anaphor",)),
        key=lambda m: m.nstart,
    )
    starts = [a.nstart for a in actors]
    longest = max((a.nend - a.nstart for a in actors), default=0)
    kept = []
    for m in out:
        if (
            m.entry.category == "trigger"
            and m.entry.kind != "protest"  # "آلاف المتظاهرين خرجوا": the protesters are the protest's own word
            and _inside_longer(m, actors, starts, longest)
        ):
            continue
        kept.append(m)
    kept.sort(key=lambda m: m.nstart)
    return kept


def _inside_longer(m: Mention, actors: list[Mention], starts: list[int], longest: int) -> bool:
    """True when a longer actor name holds the mention (only actors starting up to `longest` before it can)."""
    i = bisect_right(starts, m.nstart) - 1
    while i >= 0 and starts[i] >= m.nstart - longest:
        a = actors[i]
        if m.nend <= a.nend and (a.nend - a.nstart) > (m.nend - m.nstart):
            return True
        i -= 1
    return False


@lru_cache(maxsize=4096)
def bare(word: str) -> str:
    """The word without a leading conjunction or preposition (وبـ، فلـ), unless too little would be left."""
    return _CLITICS.sub("", word) or word


def family(event_type: str) -> str:
    """The family an event type belongs to for grouping (fighting, remote violence, or the type itself)."""
    for family in FAMILIES:
        if event_type in family:
            return min(family)
    return event_type
