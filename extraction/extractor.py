"""The event extractor: named stages from a document's text to its merged events.

document -> sentences -> detection (live triggers) -> grouping (drafts) -> roles -> slots (place, date, toll)
         -> assemble (events) -> coreference (one event per real event) -> attribution (doers the sentence leaves
         unnamed) -> dating (a range on every event)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from datetime import date
from typing import Any

from extraction.assemble import finish_draft
from extraction.attribution import attribute_doers
from extraction.casualties import Casualties
from extraction.coreference import merge_events
from extraction.dates import find_chained_dates, find_dates
from extraction.dating import bound_dates
from extraction.detection import live_triggers
from extraction.document import DocState, Document, Draft, OffsetMap, resolve_overlaps
from extraction.grouping import group_triggers
from extraction.lexicon import Lexicon, Mention, load_lexicon
from extraction.model import VIOLENT_TYPES, Event
from extraction.normalize import normalize_for_match
from extraction.places import DATELINE_PENALTY, PlaceFinder, PlaceHit
from extraction.roles import resolve_actors
from extraction.sentence_model import SentenceModel, features, load_model
from extraction.slots import fill_draft, follow_up_injured, follow_up_toll
from extraction.text import Sentence, Words, dateline_spans, detect_language, quoted_spans, split_sentences


class Extractor:
    """Extracts events from one document; dictionaries and gazetteer are loaded once and shared."""

    def __init__(
        self, lexicon: Lexicon | None = None, places: PlaceFinder | None = None, *, use_model: bool = True
    ) -> None:
        """Use the given (or the packaged) lexicon and place finder; `use_model=False` runs the rules alone."""
        self.model = load_model() if use_model else None
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
        mentions = resolve_overlaps(raw)
        datelines = dateline_spans(text)
        if datelines:  # "أنقرة - ...": the capital a report was filed from is not its state acting
            mentions = [m for m in mentions if not _in_dateline(m, datelines, self.lexicon)]
        to_norm = OffsetMap(offsets)
        places = self.places.find(text, norm, to_norm, words, mentions)
        if places:  # "أحياء الشعار والمواصلات": a word read as a place is no cue word ("شعار", a slogan)
            mentions = _outside_places(mentions, places)
        for hit in places:  # "دمشق 28 ابريل (شينخوا)": where the report was filed, a place of last resort
            if any(to_norm(a) <= hit.nstart < to_norm(b) for a, b in datelines):
                hit.penalty = DATELINE_PENALTY
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
        doc = Document(self.lexicon, text, norm, offsets, words, mentions, places, dates, quotes, published, lang)
        doc.finder = self.places
        state = DocState()
        events: list[Event] = []
        sentences = split_sentences(text, join_wrapped=True)
        if all(s.is_title for s in sentences):  # a lone headline or sentence without a full stop is the text itself
            sentences = [replace(s, is_title=False) for s in sentences]
        if lang == "en" and _PHOTO_WORDS.search(text):  # "(AP Photo/...)", "File photo": a caption tells no event
            sentences = _captions_as_titles(text, sentences)
        previous: Sentence | None = None  # the last sentence that gave events
        for sentence in sentences:
            if previous is not None and previous.paragraph == sentence.paragraph and events:
                toll = follow_up_toll(doc, sentence, to_norm)  # "...؛ أدت إلى مقتل 3 مدنيين": the act before
                if toll is not None and events[-1].event_type in VIOLENT_TYPES:
                    _add_toll(events[-1], toll)
                    previous = None
                    continue
            found = sentence_events(doc, sentence, to_norm, state, self.model)
            if found:
                events.extend(found)
                previous = sentence
            elif previous is not None and previous.paragraph == sentence.paragraph and events:
                more = follow_up_injured(doc, sentence, to_norm)  # "... . وأصيب ثالث بجروح خطيرة."
                if more:
                    events[-1].injured = (events[-1].injured or 0) + more
                    events[-1].injured_vague = False
                    if events[-1].fatalities is None and not events[-1].fatalities_vague:
                        events[-1].fatalities = 0
                previous = None
        merged = attribute_doers(merge_events(events, self.lexicon), self.lexicon)
        if places:  # an event placed only in "Syria" is a summary of many, not one event
            merged = [e for e in merged if e.location is not None and e.location.kind != "country"]
        return bound_dates(merged, published)


def sentence_events(
    doc: Document, sentence: Sentence, to_norm: OffsetMap, state: DocState, model: SentenceModel | None
) -> list[Event]:
    """Events of one sentence; updates the document state (actor and place history)."""
    lo, hi = to_norm(sentence.start), to_norm(sentence.end)
    actor_hits = resolve_actors(doc, lo, hi, state)
    sentence_places = [p for p in doc.places if lo <= p.nstart < hi]
    bounds: list[tuple[int, str]] = []
    drafts: list[Draft] = []
    if not sentence.is_title and doc.mentions_in(lo, hi, category="trigger"):  # most sentences report nothing
        bounds = doc.boundaries(lo, hi)
        triggers = live_triggers(doc, lo, hi, bounds)
        drafts = group_triggers(doc, triggers, lo, hi, bounds, sentence_places)
    events: list[Event] = []
    for i, draft in enumerate(drafts):
        draft.sentence = sentence
        draft.sentence_lo, draft.sentence_hi = lo, hi
        draft.lo = (
            doc.chain_start(draft.triggers[0].pos, lo)
            if i == 0
            else doc.clause(draft.triggers[0].pos, bounds, lo, hi)[0]
        )
        draft.hi = hi if i == len(drafts) - 1 else doc.clause(drafts[i + 1].triggers[0].pos, bounds, lo, hi)[0]
        fill_draft(doc, draft, actor_hits, sentence_places, bounds, lo, hi, state)
        if all(t.trigger.form == "casualty" for t in draft.triggers) and not draft.casualties.killed:
            continue  # a death word alone ("جثث القتلى"), without a count of the dead, is not an event
        for event in finish_draft(doc, draft):
            if model is None or plausible(model, doc, event, lo, hi):
                events.append(event)
                doer = next((a.id for a in event.actors if a.role == "actor1" and a.actor_type != "Civilians"), None)
                if doer is not None:
                    state.doers[event.event_type] = doer
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


def _add_toll(event: Event, toll: Casualties) -> None:
    """Give an event the toll a following sentence tells, where it is larger than the one it has."""
    if toll.killed is not None and (event.fatalities is None or toll.killed > event.fatalities):
        event.fatalities, event.fatalities_vague = toll.killed, False
    if toll.injured is not None and (event.injured is None or toll.injured > event.injured):
        event.injured, event.injured_vague = toll.injured, False


def _captions_as_titles(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """Photo captions marked as titles (read for no event); a bare credit "(Name / AFP)" makes the line before one."""
    out = list(sentences)
    for i, sentence in enumerate(sentences):
        body = text[sentence.start : sentence.end]
        if not is_caption(body):
            continue
        out[i] = replace(sentence, is_title=True)
        if body.startswith("(") and i > 0 and sentences[i - 1].paragraph == sentence.paragraph:
            out[i - 1] = replace(sentences[i - 1], is_title=True)
    return out


def is_caption(sentence: str) -> bool:
    """True for an English photo caption: a photo credit in brackets, or a caption's opening words."""
    return _CAPTION.search(sentence) is not None


_PHOTO_WORDS = re.compile(r"photo|image|picture|getty", re.IGNORECASE)
_CAPTION = re.compile(
    r"\((?:AP Photo|Photo:|Photo by|[^()]{0,60}(?:AFP|Reuters|Getty|EPA|Anadolu)\s*(?:/|Photo|Images))"
    r"|^(?:Still image|File photo|File picture|In this (?:file )?(?:photo|picture|image)|A picture taken"
    r"|An image grab|Photo taken|Photo posted|Image:|Photo:)"
    r"|\bFile photo\.?$",
    re.IGNORECASE,
)


def _outside_places(mentions: list[Mention], places: list[PlaceHit]) -> list[Mention]:
    """The mentions less the cue words that start inside a place's name."""
    starts = sorted((p.nstart, p.nend) for p in places)
    firsts = [a for a, _ in starts]
    kept = []
    for m in mentions:
        if m.entry.category == "cue":
            i = bisect_right(firsts, m.nstart) - 1
            if i >= 0 and m.nstart < starts[i][1]:
                continue
        kept.append(m)
    return kept


def _in_dateline(mention: Mention, datelines: list[tuple[int, int]], lexicon: Lexicon) -> bool:
    """True for a country or capital actor word inside a paragraph's dateline."""
    if mention.entry.category != "actor":
        return False
    actor = lexicon.actors.get(mention.entry.kind)
    return actor is not None and actor.strength == "weak" and any(a <= mention.start < b for a, b in datelines)


MODEL_VETO_BELOW = 0.95  # the model may drop only events the rules are less sure of (measured on dev and the gate)


def plausible(model: SentenceModel, doc: Document, event: Event, lo: int, hi: int) -> bool:
    """The sentence model's check of a violent or protest event's sentence; other types and tolls always pass."""
    label = "violent" if event.event_type in VIOLENT_TYPES else "protest" if event.event_type == "protest" else None
    if label is None or (event.fatalities or 0) > 0 or event.confidence >= MODEL_VETO_BELOW:
        return True  # a stated toll or a sure reading of the rules makes an event concrete, whatever the wording
    if doc.sentence_features is None or doc.sentence_features[0] != lo:
        first, last = doc.words.index_range(lo, hi)
        doc.sentence_features = (lo, features(doc.words.texts[first:last], doc.mentions_in(lo, hi)))
    return model.accepts(label, doc.sentence_features[1])


def events_json(events: list[Event]) -> list[dict[str, Any]]:
    """The JSON objects of a list of events."""
    return [e.to_json() for e in events]
