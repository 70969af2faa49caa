"""The event extractor: sentences -> triggers -> events with actors, place, date and toll -> merged per document."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from extraction.casualties import Casualties, count_casualties
from extraction.dates import DatePhrase, find_chained_dates, find_dates
from extraction.lexicon import Actor, Lexicon, Mention, Trigger, load_lexicon, requirement_regex, word_set
from extraction.model import VIOLENT_TYPES, Event, EventActor, EventLocation
from extraction.normalize import normalize_for_match
from extraction.places import PlaceFinder, PlaceHit, _loc_key
from extraction.text import Sentence, Words, anchored_finditer, detect_language, quoted_spans, split_sentences

SCOPED_CUES = frozenset(("accusation", "threat", "denial", "false_claim", "speculation", "conditional", "demand"))
CLAUSE_CUES = frozenset(("reset", "background", "consequence"))
ONE_SIDED = frozenset(("reinforcement", "arrest", "takeover", "protest", "defection"))
FAMILIES = ({"armed_clash", "attack"}, {"explosion", "airstrike", "shelling"})
_PUNCT_BOUNDARY = re.compile(r"[،,;:؛()]")
_AGENT_MARKERS = word_set("agent_marker")
_VICTIM_MARKERS = word_set("victim_marker")
_TARGET_PREPS = word_set("target_preposition")
_TARGETED = re.compile(r"(?<!\w)المستهدف|(?<!\w)مكان (?:الانفجار|الاستهداف|الهجوم|الغاره)")
_TARGETED_ANCHORS = ("المستهدف", "مكان ")
_SAME_AFTER = re.compile(r"\s+(?:ذاتها|نفسها|ذاته|نفسه)(?!\w)")
_CLITICS = re.compile(r"^(?:[وف]?[بل]|[وف])(?=\w{3})")
_SUMMARY_WORDS = word_set("summary_word")
_WITNESS_VERBS = word_set("witness_verb")
_BETWEEN = word_set("between_word")
_PASSIVE = word_set("passive_word")
_COUNTERPART = word_set("counterpart_word")  # "مع X": X is the other party of a one-sided act
_PARTITIVE = word_set("partitive_word")
_TARGET_NOUNS = word_set("target_noun")  # "سيارة تقل قياديين في X": X is hit, not the attacker
_ROLE_LINKERS = word_set("role_linker")
_KILLING_VERBS = word_set("casualty_assassination_verb")
_MILITIA_WORDS = tuple(word_set("militia_word"))
_DETAINED_PEOPLE = word_set("detained_person")
_DETAINED_WINDOW = 8  # words after an arrest word in which the people taken are named
_NEXT_DAY_WORDS = tuple(word_set("date_next_day_start"))  # "اليوم التالي", "the next day": always +1
# one-sided violence: a target named alone is never made the attacker (the attacker is simply unknown)
_NO_PROMOTION = frozenset(("attack", "airstrike", "explosion", "shelling"))


@dataclass
class _Trig:
    """A trigger hit that survived the modality checks."""

    mention: Mention
    trigger: Trigger

    @property
    def pos(self) -> int:
        """Start of the trigger in normalised text."""
        return self.mention.nstart


@dataclass
class _ActorHit:
    """An actor mention after anaphora resolution."""

    nstart: int
    nend: int
    actor: Actor
    via_pair: bool = False


@dataclass
class _Draft:
    """An event being built inside one sentence."""

    event_type: str
    triggers: list[_Trig]
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
    chain_day: dt.date | None = None  # the day a date told from the event before ("اليوم التالي") resolves to


@dataclass
class _DocState:
    """What the document has said so far: actors and places, for anaphora and defaults."""

    actor_history: list[Actor] = field(default_factory=list)
    last_event_place: EventLocation | None = None
    place_history: list[PlaceHit] = field(default_factory=list)
    event_places: list[EventLocation] = field(default_factory=list)
    last_event_day: date | None = None  # day of the last event with a one-day date, for "اليوم التالي"


class Extractor:
    """Extracts events from one document; dictionaries and gazetteer are loaded once and shared."""

    def __init__(self, lexicon: Lexicon | None = None, places: PlaceFinder | None = None) -> None:
        """Use the given (or the packaged) lexicon and place finder."""
        self.lexicon = lexicon or load_lexicon()
        self.places = places or PlaceFinder()

    def extract(self, text: str, published: date | None, language: str | None = None) -> list[Event]:
        """All events reported in `text` (Arabic or English), merged within the document."""
        lang = language or detect_language(text)
        if lang not in ("ar", "en"):
            return []
        norm, offsets = normalize_for_match(text)
        words = Words(norm)
        raw = self.lexicon.scan_normalized(norm, offsets, lang, (words.starts, words.ends))
        mentions = _resolve_overlaps(raw)
        to_norm = _OffsetMap(offsets)
        places = self.places.find(text, norm, to_norm, words, mentions)
        calendar_at: dict[str, list[int]] = {"month": [], "weekday": []}
        for m in raw:
            if m.entry.category == "calendar":
                calendar_at[m.entry.kind].append(m.nstart)
        dates = find_dates(norm, published, calendar_at, words.starts)
        chained = find_chained_dates(norm)
        if chained:
            dates = sorted(
                dates + [c for c in chained if not any(d.nstart < c.nend and c.nstart < d.nend for d in dates)],
                key=lambda d: d.nstart,
            )
        quotes = [(to_norm(a), to_norm(b)) for a, b in quoted_spans(text) if b - a > 40]
        doc = _Doc(self.lexicon, text, norm, offsets, words, mentions, places, dates, quotes, published, lang)
        doc.finder = self.places
        state = _DocState()
        events: list[Event] = []
        sentences = split_sentences(text)
        if all(s.is_title for s in sentences):  # a lone headline or sentence without a full stop is the text itself
            sentences = [replace(s, is_title=False) for s in sentences]
        previous: Sentence | None = None  # the last sentence that gave events
        for sentence in sentences:
            found = doc.sentence_events(sentence, to_norm, state)
            if found:
                events.extend(found)
                previous = sentence
            elif previous is not None and previous.paragraph == sentence.paragraph and events:
                more = doc.follow_up_injured(sentence, to_norm)  # "... . وأصيب ثالث بجروح خطيرة."
                if more:
                    events[-1].injured = (events[-1].injured or 0) + more
                    events[-1].injured_vague = False
                    if events[-1].fatalities is None and not events[-1].fatalities_vague:
                        events[-1].fatalities = 0
                previous = None
        merged = merge_events(events, self.lexicon)
        if not places:
            return merged
        return [e for e in merged if e.location is not None]


class _OffsetMap:
    """Maps source-text offsets to normalised-text offsets."""

    def __init__(self, offsets: list[int]) -> None:
        """Remember the normalised -> source map."""
        self.offsets = offsets

    def __call__(self, pos: int) -> int:
        """First normalised offset whose source offset is >= pos."""
        return bisect_left(self.offsets, pos)


@lru_cache(maxsize=256)
def _overlap_group(category: str, kind: str) -> str:
    """The group inside which overlapping mentions compete: the category, with casualty and a few cue kinds apart."""
    if category == "cue" and kind in ("killed", "injured", "zero_casualty", "vague"):
        return "casualty"
    if category == "cue" and kind in ("origin", "air", "mutual"):
        return "cue_" + kind
    return category


def _resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Longest match wins inside each category; triggers and places inside an actor name are dropped."""
    out: list[Mention] = []
    by_cat: dict[str, list[Mention]] = {}
    for m in mentions:
        by_cat.setdefault(_overlap_group(m.entry.category, m.entry.kind), []).append(m)
    size = max((m.nend for m in mentions), default=0) + 1
    for group in by_cat.values():
        group.sort(key=lambda m: (-(m.nend - m.nstart), m.entry.kind == "anaphor", m.nstart))
        occupied = bytearray(size)
        spans: dict[tuple[int, int], set[str]] = {}
        for m in group:
            same = spans.get((m.nstart, m.nend))
            if same is not None:  # one word, two meanings of the same category (not for actors)
                if m.entry.category != "actor" and m.entry.kind not in same:
                    same.add(m.entry.kind)
                    out.append(m)
                continue
            if occupied.find(1, m.nstart, m.nend) != -1:
                continue
            occupied[m.nstart : m.nend] = b"\x01" * (m.nend - m.nstart)
            spans[(m.nstart, m.nend)] = {m.entry.kind}
            out.append(m)
    actors = [m for m in out if m.entry.category == "actor" and m.entry.kind not in ("militia_anaphor",)]
    kept = []
    for m in out:
        if m.entry.category == "trigger" and any(
            a.nstart <= m.nstart and m.nend <= a.nend and (a.nend - a.nstart) > (m.nend - m.nstart) for a in actors
        ):
            continue
        kept.append(m)
    kept.sort(key=lambda m: m.nstart)
    return kept


class _Doc:
    """One document being processed."""

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
        self._punct = [m.start() for m in _PUNCT_BOUNDARY.finditer(norm)]  # once per document, not per sentence
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

    # ---- helpers over normalised offsets -------------------------------------------------------------------
    def _in(self, lo: int, hi: int, kind: str | None = None, category: str | None = None) -> list[Mention]:
        """Mentions inside [lo, hi) of a category and kind."""
        index = self._index.get((category, kind))
        if index is None:
            if category is not None:
                return []  # no mention of that category and kind in the document
            return [m for m in self._in(lo, hi) if m.entry.kind == kind]
        starts, mentions = index
        return mentions[bisect_left(starts, lo) : bisect_left(starts, hi)]

    def _targeted_in(self, lo: int, hi: int) -> list[int]:
        """Starts of "المستهدف" / "مكان الانفجار" in [lo, hi), as a search of the sentence alone would find them."""
        if lo > 0 and self.norm[lo - 1].isalnum():  # never at a sentence start; kept exact all the same
            return [m.start() + lo for m in _TARGETED.finditer(self.norm[lo:hi])]
        return [a for a, b in self._targeted if lo <= a and b <= hi]

    def _boundaries(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """Clause boundaries of [lo, hi): punctuation and clause words, as (offset, kind)."""
        out = [(p, "punct") for p in self._punct[bisect_left(self._punct, lo) : bisect_left(self._punct, hi)]]
        out += [(m.nstart, m.entry.kind) for m in self._in(lo, hi, category="cue") if m.entry.kind in CLAUSE_CUES]
        out.sort()
        return out

    def _clause(self, pos: int, bounds: list[tuple[int, str]], lo: int, hi: int) -> tuple[int, int, str]:
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

    def _chain_start(self, pos: int, lo: int) -> int:
        """Start of the clause chain of `pos`: the last reset word (حيث، بينما، وقد ...) before it, else `lo`."""
        starts = self._index.get(("cue", "reset"), ([], []))[0]
        i = bisect_left(starts, pos) - 1  # the last reset word before pos
        return starts[i] if i >= 0 and starts[i] >= lo else lo

    def _word_before(self, pos: int, n: int = 1) -> list[str]:
        """The n words before `pos`, nearest first."""
        return [w for _, _, w in self.words.prev_words(pos, n)]

    def follow_up_injured(self, sentence: Sentence, to_norm: _OffsetMap) -> int | None:
        """Injured told by a sentence that opens with an injury word and names no event ("وأصيب ثالث بجروح")."""
        lo, hi = to_norm(sentence.start), to_norm(sentence.end)
        if sentence.is_title or self._in(lo, hi, category="trigger"):
            return None
        first = self.words.next_words(lo, 2)
        opening = [m for m in self._in(lo, hi, category="cue") if m.entry.kind == "injured"]
        if not first or not opening or opening[0].nstart >= first[-1][1]:
            return None  # the injury word must open the sentence (its first two words)
        return count_casualties(self.norm, self.words, lo, hi, self._in(lo, hi), []).injured

    # ---- sentence processing -------------------------------------------------------------------------------
    def sentence_events(self, sentence: Sentence, to_norm: _OffsetMap, state: _DocState) -> list[Event]:
        """Events of one sentence; updates the document state (actor and place history)."""
        lo, hi = to_norm(sentence.start), to_norm(sentence.end)
        actor_hits = self._resolve_actors(lo, hi, state)
        sentence_places = [p for p in self.places if lo <= p.nstart < hi]
        bounds: list[tuple[int, str]] = []
        drafts: list[_Draft] = []
        if not sentence.is_title and self._in(lo, hi, category="trigger"):  # most sentences report nothing
            bounds = self._boundaries(lo, hi)
            triggers = self._live_triggers(lo, hi, bounds)
            drafts = self._group(triggers, lo, hi, bounds, sentence_places)
        events: list[Event] = []
        for i, draft in enumerate(drafts):
            draft.sentence = sentence
            draft.sentence_lo, draft.sentence_hi = lo, hi
            draft.lo = (
                self._chain_start(draft.triggers[0].pos, lo)
                if i == 0
                else self._clause(draft.triggers[0].pos, bounds, lo, hi)[0]
            )
            draft.hi = hi if i == len(drafts) - 1 else self._clause(drafts[i + 1].triggers[0].pos, bounds, lo, hi)[0]
            self._fill(draft, actor_hits, sentence_places, bounds, lo, hi, state)
            if all(t.trigger.form == "casualty" for t in draft.triggers) and not draft.casualties.killed:
                continue  # a death word alone ("جثث القتلى"), without a count of the dead, is not an event
            for event in self._finish(draft):
                events.append(event)
            if events and events[-1].date_precision == "day" and events[-1].date_start is not None:
                state.last_event_day = events[-1].date_start
            if draft.location is not None:
                state.last_event_place = draft.location
                state.event_places.append(draft.location)
        for hit in actor_hits:
            if hit.actor.strength != "anaphor" and hit.actor.actor_type != "Civilians":
                state.actor_history.append(hit.actor)
        state.place_history.extend(p for p in sentence_places if not p.from_origin)
        return events

    def _resolve_actors(self, lo: int, hi: int, state: _DocState) -> list[_ActorHit]:
        """Actor mentions of the sentence with militia, both-sides and latter anaphors resolved."""
        mentions = self._in(lo, hi, category="actor")
        strong = [m for m in mentions if m.entry.value.strength != "anaphor"]  # type: ignore[attr-defined]
        history = list(state.actor_history)
        hits: list[_ActorHit] = []
        for m in mentions:
            actor: Actor = m.entry.value  # type: ignore[assignment]
            if actor.id == "armed_men" and m.definite:
                continue  # "المسلحين": gunmen the text spoke of before, not a new actor
            if actor.strength != "anaphor":
                if self.norm.startswith(_MILITIA_WORDS, m.nstart):  # "ميليشيا الحرس الثوري" as one name
                    self.called_militia.add(actor.id)
                hits.append(_ActorHit(m.nstart, m.nend, actor))
                history.append(actor)
                continue
            named = [h for h in history if h.strength == "strong" and h.actor_type != "Civilians"]
            if actor.id == "militia_anaphor":
                following = [
                    s
                    for s in strong
                    if 0 <= s.nstart - m.nend <= 3
                    or (s.nstart - m.nend > 0 and self.words.distance(m.nend, s.nstart) <= 3)
                ]
                if following:  # "ميليشيا الدفاع الوطني": the name follows; the text calls that actor a militia
                    self.called_militia.add(following[0].entry.value.id)  # type: ignore[attr-defined]
                    continue
                militias = [h for h in named if h.actor_type in ("Political Militias", "Identity Militias")]
                if not militias:  # none of militia type: one the text itself called "ميليشيا X"
                    militias = [h for h in named if h.id in self.called_militia]
                if militias:
                    chosen = militias[-1]
                    if _SAME_AFTER.match(self.norm, m.nend):  # "الميليشيا ذاتها": the one the article is about
                        counts = Counter(a.id for a in militias)
                        chosen = max(reversed(militias), key=lambda a: counts[a.id])
                    hits.append(_ActorHit(m.nstart, m.nend, chosen))
            elif actor.id == "pair_anaphor" and self.last_pair is not None:
                for h in self.last_pair:
                    hits.append(_ActorHit(m.nstart, m.nend, h, via_pair=True))
            elif actor.id == "pair_anaphor":
                pair: list[Actor] = []
                for h in reversed(named):
                    if h not in pair:
                        pair.append(h)
                    if len(pair) == 2:
                        break
                for h in reversed(pair):
                    hits.append(_ActorHit(m.nstart, m.nend, h, via_pair=True))
            elif actor.id == "org_anaphor":
                rebels = [h for h in named if h.actor_type == "Rebel Groups"]
                if rebels:  # "التنظيم": the armed organisation named before (usually ISIS)
                    hits.append(_ActorHit(m.nstart, m.nend, rebels[-1]))
            elif actor.id == "cell_anaphor":
                if any(s.nstart - m.nend >= 0 and self.words.distance(m.nend, s.nstart) <= 3 for s in strong):
                    continue  # "خلية لتنظيم داعش": the name follows
                rebels = [h for h in named if h.actor_type == "Rebel Groups"]
                if rebels:
                    hits.append(_ActorHit(m.nstart, m.nend, rebels[-1]))
            elif actor.id == "latter_anaphor":
                before = self._word_before(m.nstart, 1)
                if before and (before[0].startswith("ال") or before[0].isdigit()):
                    continue  # adjective: "الهجمات الأخيرة"
                if named:
                    hits.append(_ActorHit(m.nstart, m.nend, named[-1]))
        return hits

    def _live_triggers(self, lo: int, hi: int, bounds: list[tuple[int, str]]) -> list[_Trig]:
        """Triggers of the sentence that report an event (not accusation, threat, denial, speculation, ...)."""
        cues = self._in(lo, hi, category="cue")
        out: list[_Trig] = []
        for m in self._in(lo, hi, category="trigger"):
            trig: Trigger = m.entry.value  # type: ignore[assignment]
            if trig.requires and not self._requirement_met(m, trig.requires, lo, hi):
                continue
            if self._modal(m, cues, bounds, lo, hi):
                continue
            out.append(_Trig(m, trig))
        specific = [
            t
            for t in out
            if t.trigger.form not in ("casualty", "generic")
            and t.trigger.event_type in VIOLENT_TYPES
            and t.trigger.event_type != "abduction"
        ]
        chains = [self._chain_start(t.pos, lo) for t in out]
        specific_chains = {self._chain_start(t.pos, lo) for t in specific}
        named = {(c, t.trigger.event_type) for t, c in zip(out, chains, strict=True) if t.trigger.form != "generic"}
        out = [  # "وصول التعزيزات": the specific noun of the same act carries the event
            t
            for t, c in zip(out, chains, strict=True)
            if not (
                t.trigger.form == "generic"
                and t.trigger.event_type not in VIOLENT_TYPES
                and (c, t.trigger.event_type) in named
            )
        ]
        chains = [self._chain_start(t.pos, lo) for t in out]
        if specific:  # "استهدفت طائرة مسيرة": the drone says how; "قُتل ... جراء قصف": the shelling is the event
            out = [
                t
                for t, c in zip(out, chains, strict=True)
                if t.trigger.form != "casualty" and not (t.trigger.form == "generic" and c in specific_chains)
            ]
        elif any(t.trigger.form != "casualty" for t in out):
            out = [t for t in out if t.trigger.form != "casualty"]
        fresh = {
            _family(t.trigger.event_type)
            for t in out
            if not t.mention.definite and t.trigger.event_type in VIOLENT_TYPES
        }
        if any(not t.mention.definite for t in out):  # "وفي رد على القصف، استهدفت ...": القصف only points back
            out = [t for t in out if not (t.mention.definite and _family(t.trigger.event_type) in fresh)]
        background_ends = [m.nend for m in cues if m.entry.kind == "background"]
        pointing_back = [  # "وعقب الغارات، استقدم ...": the definite strike after عقب/بعد is the one told before
            t
            for t in out
            if t.mention.definite
            and t.trigger.event_type in VIOLENT_TYPES
            and any(e <= t.mention.nstart and self._adjacent(e, t.mention.nstart) for e in background_ends)
        ]
        if pointing_back and len(pointing_back) < len(out):
            out = [t for t in out if t not in pointing_back]
        kept = {id(t.mention) for t in out}
        self.dropped_definite = [
            m.nstart
            for m in self._in(lo, hi, category="trigger")
            if m.definite and id(m) not in kept and m.entry.kind in VIOLENT_TYPES
        ]
        definite_violent = [
            m.nstart for m in self._in(lo, hi, category="trigger") if m.definite and m.entry.kind in VIOLENT_TYPES
        ] + self._targeted_in(lo, hi)  # "حول الموقع المستهدف"
        out = [
            t
            for t in out
            if t.trigger.event_type in VIOLENT_TYPES
            or not any(t.pos < v and self.words.distance(t.mention.nend, v) <= 4 for v in definite_violent)
        ]  # "طوق حول موقع الاستهداف"
        violent_ends = [t.mention.nend for t in out if t.trigger.event_type in VIOLENT_TYPES]
        first_violent = min(
            (m.nstart for m in self._in(lo, hi, category="trigger") if m.entry.kind in VIOLENT_TYPES), default=hi
        )
        out = [
            t
            for t in out
            if not (
                t.trigger.event_type == "reinforcement"
                and t.pos > first_violent
                and self.text[t.mention.start : t.mention.end].rstrip("ًٌٍ").endswith("ا")
            )
        ]
        return [
            t
            for t in out
            if t.trigger.event_type in VIOLENT_TYPES
            or not any(e <= t.pos and self.words.distance(e, t.pos) <= 3 for e in violent_ends)
        ]  # "استهدفت رتلاً": a target

    def _requirement_met(self, m: Mention, requires: tuple[str, ...], lo: int, hi: int) -> bool:
        """True when a required word (or, for "@actor", an actor name) follows the trigger within six words."""
        window = next((int(r[1:]) for r in requires if r.startswith("~")), 10)
        following = self.words.next_words(m.nend, window)
        if not following:
            return False
        if "@actor" in requires:
            limit = following[-1][1]
            if any(m.nend <= a.nstart < limit for a in self._in(lo, hi, category="actor")):
                return True
        return requirement_regex(requires).search(self.norm, m.nend, following[-1][1]) is not None

    def _modal(self, m: Mention, cues: list[Mention], bounds: list[tuple[int, str]], lo: int, hi: int) -> bool:
        """True when the trigger sits in the scope of an accusation, threat, denial, speculation, intent, ..."""
        resets = [c.nstart for c in cues if c.entry.kind == "reset"]
        after = self.words.next_words(m.nend, 1)
        before = self._word_before(m.nstart, 1)
        if (
            (after and after[0][2] in _SUMMARY_WORDS)
            or (before and before[0] == "او")
            or (after and after[0][2] == "او")
        ):
            return True  # "الهجمات الأخيرة", "اعتقالات أو تجاوزات": a summary or a generic mention
        c_start, c_end, _ = self._clause(m.nstart, bounds, lo, hi)
        for c in cues:
            kind = c.entry.kind
            if kind in SCOPED_CUES and c.nend <= m.nstart:
                if not any(c.nend <= r < m.nstart for r in resets):
                    return True
            elif kind in ("intent", "negation") and c.nend <= m.nstart:
                limit = 3 if kind == "intent" else 2
                following = self.words.next_words(c.nend, 1)
                if kind == "negation" and following and following[0][2] in _WITNESS_VERBS and c_start <= c.nstart:
                    return True  # "لم تشهد المدينة أي اشتباكات": the whole clause is negated
                if self.words.distance(c.nend, m.nstart) <= limit:
                    return True
            elif kind == "trend":
                if c.entry.value == "عمليات":
                    if c.nend <= m.nstart and self.words.distance(c.nend, m.nstart) == 0:
                        return True
                elif c_start <= c.nstart < c_end:
                    return True
        return False

    def _group(
        self, triggers: list[_Trig], lo: int, hi: int, bounds: list[tuple[int, str]], places: list[PlaceHit]
    ) -> list[_Draft]:
        """Group the triggers of a sentence into events: same or related type without new place/date = one event."""
        drafts: list[_Draft] = []
        for t in triggers:
            current = drafts[-1] if drafts else None
            c_start, c_end, _ = self._clause(t.pos, bounds, lo, hi)
            own_place = any(c_start <= p.nstart < c_end and not p.origin for p in places)
            own_date = any(c_start <= d.nstart < c_end for d in self.dates)
            if current is not None:
                same = t.trigger.event_type == current.event_type
                related = any(t.trigger.event_type in f and current.event_type in f for f in FAMILIES)
                if (same and not (own_place and own_date)) or (related and not own_place and not own_date):
                    current.triggers.append(t)
                    if t.trigger.event_type == "armed_clash" and current.event_type == "attack":
                        current.event_type = "armed_clash"
                    continue
            drafts.append(_Draft(t.trigger.event_type, [t]))
        return drafts

    # ---- filling one event ---------------------------------------------------------------------------------
    def _fill(
        self,
        draft: _Draft,
        actor_hits: list[_ActorHit],
        places: list[PlaceHit],
        bounds: list[tuple[int, str]],
        lo: int,
        hi: int,
        state: _DocState,
    ) -> None:
        """Actors, place, date and casualties of a draft event from its span, the sentence and the document."""
        first = draft.triggers[0]
        self._type_modifiers(draft, bounds, lo, hi)
        span_actors = [h for h in actor_hits if draft.lo <= h.nstart < draft.hi]
        if not [h for h in span_actors if h.actor.strength == "strong"]:
            sentence_actors = [h for h in actor_hits if h.actor.strength == "strong"]
            if sentence_actors:
                span_actors = span_actors + sentence_actors
        strong = [h for h in span_actors if h.actor.strength == "strong"]
        if strong:  # a country word right after the trigger names the agent ("مسيّرة تركية")
            attached = [
                h
                for h in span_actors
                if h.actor.strength == "weak"
                and any(
                    0 <= h.nstart - t.mention.nend <= 2 or self.words.distance(t.mention.nend, h.nstart) <= 1
                    for t in draft.triggers
                )
            ]
            span_actors = sorted(strong + attached, key=lambda h: h.nstart)
            draft.attached = {id(h) for h in attached}
        if draft.event_type in ONE_SIDED:
            span_actors = self._one_sided_actors(draft, span_actors, actor_hits)
        draft.actors = self._roles(draft, span_actors)
        if draft.event_type in ("arrest", "abduction") and not any(a.role == "actor2" for a in draft.actors):
            self._detained_civilians(draft)
        draft.pair_only = bool(span_actors) and all(h.via_pair for h in span_actors)
        assert self.finder is not None
        draft.location, draft.place_source = self.finder.choose(draft, places, state, self)
        draft.date = self._date(draft, bounds, lo, hi)
        if draft.date is not None and draft.date.follows is not None and state.last_event_day is not None:
            days = draft.date.follows
            if not self.norm.startswith(_NEXT_DAY_WORDS, draft.date.nstart) and any(
                t.pos >= draft.date.nend and self.words.distance(draft.date.nend, t.pos) <= 1 for t in draft.triggers
            ):
                days = -days  # "بعد يوم من استهداف ...": the strike named after the phrase came a day before
            draft.chain_day = state.last_event_day + timedelta(days=days)
        blocked = [(p.nstart, p.nend) for p in places] + [(d.nstart, d.nend) for d in self.dates if lo <= d.nstart < hi]
        blocked += [(h.nstart, h.nend) for h in actor_hits if h.actor.actor_type != "Civilians"]
        if draft.event_type in VIOLENT_TYPES:
            draft.casualties = count_casualties(
                self.norm, self.words, draft.lo, draft.hi, self._in(draft.lo, draft.hi), blocked
            )
        nouns = [t for t in draft.triggers if t.trigger.form not in ("past", "present")]
        definite = bool(nouns) and all(t.mention.definite for t in nouns)  # "انفجرت العبوة": the known bomb
        own_date = draft.date is not None and draft.lo <= draft.date.nstart < draft.hi
        draft.anaphoric = definite and draft.place_source != "span" and not own_date
        c_start = self._clause(first.pos, bounds, lo, hi)[0]
        subject_definite = any(c_start <= p < first.pos for p in self.dropped_definite) or any(
            m.definite and m.entry.kind == "air" for m in self._in(c_start, first.pos, category="cue")
        )  # "المسيّرة أطلقت صاروخين", "الطائرة استهدفت بصاروخين": the aircraft told above
        draft.remention = (definite or subject_definite) and not own_date
        chain_end = min((m.nstart for m in self._in(first.pos, hi, kind="reset", category="cue")), default=hi)
        chain_lo = self._chain_start(first.pos, lo)
        draft.own_place = any(
            max(draft.lo, chain_lo) <= p.nstart < min(draft.hi, chain_end) and p.penalty < 2 for p in places
        )
        draft.quoted = any(a <= first.pos < b for a, b in self.quotes)

    def _one_sided_actors(
        self, draft: _Draft, hits: list[_ActorHit], sentence_hits: list[_ActorHit]
    ) -> list[_ActorHit]:
        """Actors of a one-sided act: not those named after مع/ضد (the other party); defectors' group first."""
        kept = []
        trig = draft.triggers[0].pos
        for h in hits:
            before = self._word_before(h.nstart, 3)
            if not _COUNTERPART.isdisjoint(before):
                continue
            if h.via_pair and h.nstart > trig and before and before[0] in _PARTITIVE:
                h = _ActorHit(h.nstart, h.nend, h.actor, via_pair=False)  # "اعتقلت عشرين من الطرفين": victims
            kept.append(h)
        if draft.event_type in ("arrest", "abduction") and not any(
            h.nstart < trig or self._word_before(h.nstart, 1)[:1] != ["من"] for h in kept
        ):
            earlier = [
                h
                for h in sentence_hits
                if h.nstart < trig and h.actor.strength == "strong" and h.actor.actor_type != "Civilians"
            ]
            if earlier:
                kept.insert(0, earlier[-1])
        if draft.event_type == "defection" and not any(h.nstart < trig for h in kept):
            earlier = [h for h in sentence_hits if h.nstart < draft.lo and h.actor.strength == "strong"]
            if earlier:
                kept.insert(0, earlier[-1])
        return kept

    def _type_modifiers(self, draft: _Draft, bounds: list[tuple[int, str]], lo: int, hi: int) -> None:
        """Mutual fire makes an attack a clash; air words make shelling an air strike."""
        c_start, c_end, _ = self._clause(draft.triggers[0].pos, bounds, lo, hi)
        kinds = {m.entry.kind for m in self._in(c_start, c_end, category="cue")}
        if draft.event_type == "attack" and "mutual" in kinds:
            draft.event_type = "armed_clash"
        if draft.event_type == "shelling" and "air" in kinds:
            draft.event_type = "airstrike"
        generic = all(t.trigger.form in ("generic", "casualty") for t in draft.triggers)
        if draft.event_type == "attack" and generic and "air" in kinds:
            draft.event_type = "airstrike"  # "Turkish drones struck ...": the aircraft says how

    def _roles(self, draft: _Draft, hits: list[_ActorHit]) -> list[EventActor]:
        """actor1 = who did it, actor2 = target or other side, from 'بين X و Y', word order and markers."""
        trig = draft.triggers[0].pos
        ordered: list[tuple[Actor, str]] = []
        i, j = self.words.index_range(draft.lo, draft.hi)
        texts = self.words.texts
        between = None if _BETWEEN.isdisjoint(texts[i:j]) else next(k for k in range(i, j) if texts[k] in _BETWEEN)
        if between is not None and draft.event_type in ("armed_clash", "meeting", "attack"):
            after = [h for h in hits if h.nstart > self.words.starts[between]]
            distinct: list[Actor] = []
            for h in after:
                if h.actor not in distinct:
                    distinct.append(h.actor)
            if len(distinct) >= 2:
                self.last_pair = (distinct[0], distinct[1])
                ordered = [(distinct[0], "actor1"), (distinct[1], "actor2")]
                ordered += [(a, "associated") for a in distinct[2:]]
                others = [h.actor for h in hits if h.actor not in distinct]
                ordered += [(a, "associated") for a in others]
                return _dedupe(ordered)
        passive = not _PASSIVE.isdisjoint(texts[i : self.words.index_range(draft.lo, trig)[1]])
        firm_targets: set[int] = set()  # indexes in `ordered` of actors the text marks as hit: never promoted
        for h in sorted(hits, key=lambda h: h.nstart):
            before = [_bare(w) for w in self._word_before(h.nstart, 2)]
            firm = False
            if draft.event_type in ("armed_clash", "meeting", "defection", "reinforcement", "takeover", "protest"):
                role = "actor1" if not ordered else "actor2"
                if draft.event_type in ("reinforcement", "takeover", "protest") and ordered:
                    role = "associated"
                if draft.event_type in ("reinforcement", "takeover", "defection") and h.actor.actor_type == "Civilians":
                    role = "associated"  # "فرضت طوقاً ومنعت الأهالي": residents are affected, they deploy nothing
            elif id(h) in draft.attached:
                role = "actor1"
            elif draft.event_type in ("arrest", "abduction"):
                victim = h.actor.actor_type == "Civilians" or (h.nstart > trig and before[:1] == ["من"])
                role = "actor2" if victim or any(r == "actor1" for _, r in ordered) else "actor1"
            elif before and before[0] in _AGENT_MARKERS and before[1:2] != ["من"]:
                role = "actor1"  # "قتلت خلية لداعش": the agent word binds closer than the death verb before it
            elif h.actor.actor_type == "Civilians" or self._victim_of_casualty(h):
                role, firm = "actor2", True
            elif not _AGENT_MARKERS.isdisjoint(before):
                role = "actor1"
            elif self._after_target_noun(h.nstart):
                role, firm = "actor2", True
            elif h.nstart < trig:
                firm = passive or bool(before and before[0] in _TARGET_PREPS)
                role = "actor2" if firm else "actor1"
            elif not _VICTIM_MARKERS.isdisjoint(before):
                role = "actor2"
            elif (
                draft.triggers[0].trigger.form in ("past", "generic")
                and not draft.triggers[0].mention.definite
                and not any(r == "actor1" for _, r in ordered)
            ):
                role = "actor1"
            else:
                role = "actor2"
            if firm:
                firm_targets.add(len(ordered))
            ordered.append((h.actor, role))
        if not any(r == "actor1" for _, r in ordered):
            for i, (actor, _) in enumerate(ordered):
                if actor.actor_type != "Civilians" and not (draft.event_type in _NO_PROMOTION and i in firm_targets):
                    ordered[i] = (actor, "actor1")
                    break
        return _dedupe(ordered)

    def _detained_civilians(self, draft: _Draft) -> None:
        """"اعتقل ... شابين": people taken without a named group are civilians (actor2)."""
        civilians = self.lexicon.actors.get("civilians")
        if civilians is None:
            return
        for t in draft.triggers:
            following = self.words.next_words(t.mention.nend, _DETAINED_WINDOW)
            if any(_bare(w) in _DETAINED_PEOPLE and draft.lo <= a < draft.hi for a, _, w in following):
                draft.actors.append(EventActor(civilians.id, civilians.name, civilians.name_ar, "actor2", "Civilians"))
                return

    def _adjacent(self, end: int, start: int) -> bool:
        """True when no word (or only an English article: "after the shelling") lies between `end` and `start`."""
        between = self.words.distance(end, start)
        return between == 0 or (between == 1 and self._word_before(start, 1) == ["the"])

    def _after_target_noun(self, pos: int) -> bool:
        """True when a target noun (سيارة، مقرات، تقل، قياديين) stands before `pos`, past linker words only."""
        for word in self._word_before(pos, 4):
            bare = _bare(word)
            if word in _TARGET_NOUNS or bare in _TARGET_NOUNS:
                return True
            if not (word in _ROLE_LINKERS or bare in _ROLE_LINKERS or word.isdigit()):
                return False
        return False

    def _victim_of_casualty(self, hit: _ActorHit) -> bool:
        """True when a death or injury word stands shortly before the actor ("مقتل 3 عناصر من X")."""
        window = self.words.prev_words(hit.nstart, 4)
        if window:
            cues = [
                m
                for m in self._in(window[-1][0], hit.nstart, category="cue")
                if m.entry.kind in ("killed", "injured") and _bare(self.norm[m.nstart : m.nend]) not in _KILLING_VERBS
            ]  # "اغتال مسلحون": the killers follow the verb, not the victims
            if cues and not self._in(cues[-1].nend, hit.nstart, category="trigger"):
                return True  # "مقتل 3 عناصر من X", not "قتلوا بهجوم لخلايا X"
        after = self.words.next_words(hit.nend, 3)  # "4 عناصر من قسد قتلوا"
        return bool(after) and any(
            m.entry.kind in ("killed", "injured") for m in self._in(hit.nend, after[-1][1], category="cue")
        )

    def _date(self, draft: _Draft, bounds: list[tuple[int, str]], lo: int, hi: int) -> DatePhrase | None:
        """The event's date phrase: nearest in its own span, else one of the sentence outside background clauses."""
        trig = draft.triggers[0].pos
        trig_clause = self._clause(trig, bounds, lo, hi)
        own = [
            d
            for d in self.dates
            if draft.lo <= d.nstart < draft.hi
            and (
                self._clause(d.nstart, bounds, lo, hi)[2] != "background"
                or self._clause(d.nstart, bounds, lo, hi) == trig_clause
            )
        ]
        if own:
            return min(own, key=lambda d: abs(d.nstart - trig))
        shared = [
            d for d in self.dates if lo <= d.nstart < hi and self._clause(d.nstart, bounds, lo, hi)[2] != "background"
        ]
        if shared:
            return min(shared, key=lambda d: abs(d.nstart - trig))
        return None

    def _as_protesters(self, actor: EventActor, draft: _Draft) -> EventActor:
        """Civilians who demonstrate are protesters; name_ar keeps the text's word for them (المزارعين)."""
        if actor.actor_type != "Civilians" or actor.role != "actor1":
            return actor
        surface = next(
            (
                self.text[m.start : m.end]
                for m in self._in(draft.lo, draft.hi, category="actor")
                if m.entry.kind == "civilians"
            ),
            actor.name_ar,
        )
        return EventActor("protesters", "Protesters (Syria)", surface, "actor1", "Protesters")

    def _finish(self, draft: _Draft) -> list[Event]:
        """Turn a draft into events (one per side for one-sided acts of 'both sides')."""
        if draft.event_type in ONE_SIDED and len(draft.actors) == 2 and draft.pair_only:
            return [
                self._event(draft, [EventActor(a.id, a.name, a.name_ar, "actor1", a.actor_type)]) for a in draft.actors
            ]
        return [self._event(draft, draft.actors)]

    def _event(self, draft: _Draft, actors: list[EventActor]) -> Event:
        """Build the Event object with evidence, dates and confidence."""
        if draft.event_type == "protest":
            actors = [self._as_protesters(a, draft) for a in actors]
            protesters = self.lexicon.actors.get("protesters")
            if protesters is not None and not any(a.role == "actor1" for a in actors):
                # "تظاهر المئات": the verb itself says who acted, even when the text names no group
                actors = [EventActor(protesters.id, protesters.name, protesters.name_ar, "actor1", "Protesters")]
                actors += [a for a in draft.actors if a.role != "actor1"]
        sentence = draft.sentence
        assert sentence is not None
        event = Event(draft.event_type, actors=actors, location=draft.location)
        d = draft.date
        if d is not None:
            event.date_text = self.text[self.offsets[d.nstart] : self.offsets[d.nend - 1] + 1]
            if d.follows is not None:  # told from the event before: resolved only when that one has a day
                if draft.chain_day is not None:
                    event.date_start = event.date_end = draft.chain_day
                    event.date_precision = "day"
            elif self.published is not None or not d.relative:
                event.date_start, event.date_end, event.date_precision = d.start, d.end, d.precision
        c = draft.casualties
        event.fatalities, event.fatalities_vague = c.killed, c.killed_vague
        event.injured, event.injured_vague = c.injured, c.injured_vague
        event.civilian_fatalities = c.civilians
        event.evidence = self.text[sentence.start : sentence.end]
        event.span = (sentence.start, sentence.end)
        event.quoted = draft.quoted
        event.trigger = " ".join(self.text[t.mention.start : t.mention.end] for t in draft.triggers[:3])
        event.confidence = _confidence(draft, event)
        event.merge_dates = (d.start, d.end) if d is not None else None
        event.anaphoric = draft.anaphoric
        event.generic = all(t.trigger.form in ("generic", "casualty") for t in draft.triggers)
        event.own_date = d is not None and draft.lo <= d.nstart < draft.hi
        event.own_place = draft.own_place
        event.remention = draft.remention
        return event


@lru_cache(maxsize=4096)
def _bare(word: str) -> str:
    """The word without a leading conjunction or preposition (وبـ، فلـ), unless too little would be left."""
    return _CLITICS.sub("", word) or word


def _family(event_type: str) -> str:
    """The family an event type belongs to for grouping (fighting, remote violence, or the type itself)."""
    for family in FAMILIES:
        if event_type in family:
            return min(family)
    return event_type


def _dedupe(pairs: list[tuple[Actor, str]]) -> list[EventActor]:
    """One EventActor per actor, first role wins."""
    seen: set[str] = set()
    out: list[EventActor] = []
    for actor, role in pairs:
        if actor.id in seen:
            continue
        seen.add(actor.id)
        out.append(EventActor(actor.id, actor.name, actor.name_ar, role, actor.actor_type))
    return out


def _confidence(draft: _Draft, event: Event) -> float:
    """Confidence in [0, 1]: trigger strength, plus actors/place/date/toll found, minus fallbacks (README)."""
    score = max(t.trigger.weight for t in draft.triggers)
    score += 0.05 * min(len(draft.triggers) - 1, 2)
    score += 0.08 if event.actors else -0.1
    score += {"span": 0.08, "sentence": 0.04, "anaphor": 0.0, "discourse": -0.1}.get(draft.place_source, -0.2)
    score += 0.04 if draft.date is not None else 0.0
    score += 0.04 if event.fatalities is not None else 0.0
    score -= 0.1 if all(t.trigger.form == "casualty" for t in draft.triggers) else 0.0
    score -= 0.05 if draft.quoted else 0.0
    score -= 0.1 if draft.anaphoric else 0.0
    return round(min(max(score, 0.05), 0.99), 2)


# ---- merging mentions of one event ---------------------------------------------------------------------------
def _dates_compatible(a: Event, b: Event) -> bool:
    """Unknown dates are compatible with anything; otherwise the ranges must overlap."""
    da, db = a.merge_dates, b.merge_dates
    if da is None or db is None:
        return True
    return da[0] <= db[1] and db[0] <= da[1]


def _actors_compatible(a: Event, b: Event, lexicon: Lexicon) -> bool:
    """Same actors (for one-sided types: the same actor1, up to patron); unknown actors are compatible."""
    ids_a = {x.id for x in a.actors}
    ids_b = {x.id for x in b.actors}
    if not ids_a or not ids_b:
        return True
    if a.event_type in ONE_SIDED:
        first_a = next((x.id for x in a.actors if x.role == "actor1"), None)
        first_b = next((x.id for x in b.actors if x.role == "actor1"), None)
        if first_a and first_b:
            return first_a == first_b or first_a in lexicon.family(first_b) or first_b in lexicon.family(first_a)
    return bool(ids_a & ids_b)


def _mergeable(a: Event, b: Event, lexicon: Lexicon) -> bool:
    """True when b is another mention of event a."""
    if a.event_type != b.event_type or not _dates_compatible(a, b):
        return False
    same_place = a.location is not None and b.location is not None and a.location.key() == b.location.key()
    if b.remention and same_place:
        return True  # "المعارك" again at the same place: the same fighting, whoever the sentence names
    if b.remention and not b.own_date and _actors_compatible(a, b, lexicon):
        return True  # "وصول التعزيزات", "the fighting began": told above, wherever this sentence points
    if not _actors_compatible(a, b, lexicon):
        return False
    if b.anaphoric:
        return True
    if a.location is None or b.location is None:
        return a.location is None and b.location is None
    return a.location.key() == b.location.key()


def _continues(previous: Event | None, event: Event) -> bool:
    """True when an event without named actors or own date goes on telling the previous event ("واشتبكوا مع ...")."""
    if previous is None or event.own_date or event.fatalities:
        return False
    if (
        event.own_place
        and not event.remention
        and (previous.location is None or event.location is None or previous.location.key() != event.location.key())
    ):
        return False  # a new place told with an indefinite noun is a new event
    if event.generic and event.remention and previous.event_type in VIOLENT_TYPES and event.event_type in VIOLENT_TYPES:
        return True  # "قبل ساعات من الاستهداف": the strike told above
    known = {a.id for a in previous.actors}
    if any(a.actor_type != "Civilians" and a.id not in known for a in event.actors):
        return False  # a new actor: a new event
    return event.event_type == previous.event_type or any(
        event.event_type in f and previous.event_type in f for f in FAMILIES
    )


def _generic_duplicate(a: Event, b: Event) -> bool:
    """True when one of two violent events is only a generic 'attack' at the same place and time as the other."""
    if not (a.generic or b.generic) or a.event_type not in VIOLENT_TYPES or b.event_type not in VIOLENT_TYPES:
        return False
    same_place = a.location is not None and b.location is not None and a.location.key() == b.location.key()
    return same_place and a.merge_dates is not None and b.merge_dates is not None and _dates_compatible(a, b)


def merge_events(events: list[Event], lexicon: Lexicon) -> list[Event]:
    """Merge repeated mentions of one event; a re-mention (definite trigger, no own place/date) never stands alone."""
    out: list[Event] = []
    previous: Event | None = None
    last_violent: Event | None = None
    for event in events:
        target = next((e for e in out if _mergeable(e, event, lexicon)), None)
        if target is None and _continues(previous, event):
            target = previous
        if target is None and event.event_type in VIOLENT_TYPES and _continues(last_violent, event):
            target = last_violent
        if target is None:
            target = next((e for e in out if _generic_duplicate(e, event)), None)
            if target is not None and target.generic and not event.generic:
                target.event_type = event.event_type
                target.generic = False
        if target is None:
            if event.anaphoric and event.fatalities is None:
                continue
            out.append(event)
            previous = event
            last_violent = event if event.event_type in VIOLENT_TYPES else last_violent
            continue
        _absorb(target, event)
        previous = target
        last_violent = target if target.event_type in VIOLENT_TYPES else last_violent
    return out


def _absorb(target: Event, other: Event) -> None:
    """Fold another mention into the kept event: union of actors, max of tolls, better date and evidence."""
    known = {a.id for a in target.actors}
    adds = (
        other.actors
        if not target.actors or (not other.remention and target.event_type not in ONE_SIDED and len(target.actors) < 2)
        else []
    )
    for actor in adds:
        if actor.id not in known:
            target.actors.append(
                EventActor(
                    actor.id, actor.name, actor.name_ar, "associated" if target.actors else actor.role, actor.actor_type
                )
            )
            known.add(actor.id)
    if other.fatalities is not None and (target.fatalities is None or other.fatalities > target.fatalities):
        target.fatalities = other.fatalities
        target.fatalities_vague = False
        if not other.anaphoric:
            target.evidence, target.span = other.evidence, other.span
    elif target.fatalities is None and other.fatalities_vague:
        target.fatalities_vague = True
    if other.injured is not None and (target.injured is None or other.injured > target.injured):
        target.injured = other.injured
        target.injured_vague = False
    elif target.injured is None and other.injured_vague:
        target.injured_vague = True
    target.civilian_fatalities = target.civilian_fatalities or other.civilian_fatalities
    if target.date_text is None and other.date_text is not None:
        target.date_text, target.date_start, target.date_end = other.date_text, other.date_start, other.date_end
        target.date_precision = other.date_precision
        target.merge_dates = other.merge_dates
    if other.location is not None and (
        target.location is None
        or (target.location.penalty >= 1 and _loc_key(other.location) < _loc_key(target.location))
    ):
        target.location = other.location  # the follow-up names the exact place ("قرب قرية تل حبش")
    target.confidence = round(min(0.99, max(target.confidence, other.confidence) + 0.03), 2)


def events_json(events: list[Event]) -> list[dict[str, Any]]:
    """The JSON objects of a list of events."""
    return [e.to_json() for e in events]
