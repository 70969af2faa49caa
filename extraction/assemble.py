"""Stage: turn a filled draft into Event objects, with evidence, dates and confidence."""

from __future__ import annotations

from dataclasses import replace

from extraction.document import ONE_SIDED, Document, Draft
from extraction.model import Event, EventActor
from extraction.roles import as_protesters, protesters_word

_SPREAD_WORDS = 6  # words from a trigger to the list it governs ("القصف المدفعي طال كلاً من مدينة A")


def finish_draft(doc: Document, draft: Draft) -> list[Event]:
    """Turn a draft into events: one per side for one-sided acts of 'both sides', one per place of a list."""
    if draft.event_type in ONE_SIDED and len(draft.actors) == 2 and draft.pair_only:
        return [
            build_event(doc, draft, [EventActor(a.id, a.name, a.name_ar, "actor1", a.actor_type)]) for a in draft.actors
        ]
    event = build_event(doc, draft, draft.actors)
    if not draft.listed:
        return [event]
    if len(draft.listed) == 1:
        event.location = draft.listed[0].hit.location()
        return [event]
    split_tolls = any(p.killed is not None for p in draft.listed)
    trigger_end = draft.triggers[0].mention.nend
    first = draft.listed[0].hit.nstart
    spread = first >= trigger_end and doc.words.distance(trigger_end, first) <= _SPREAD_WORDS
    return [
        replace(
            event,
            actors=list(event.actors),
            location=listed.hit.location(),
            fatalities=listed.killed if split_tolls else (0 if event.fatalities == 0 else None),
            fatalities_vague=False if split_tolls else event.fatalities_vague,
            injured=event.injured if split_tolls or event.injured == 0 else None,  # "no one was hurt" holds for each
            own_place=True,
            list_group=draft.triggers[0].pos,  # one draft per trigger position in a document
            spread=spread,
        )
        for listed in draft.listed
    ]


def build_event(doc: Document, draft: Draft, actors: list[EventActor]) -> Event:
    """Build the Event object with evidence, dates and confidence."""
    if draft.event_type == "protest":
        actors = [as_protesters(doc, a, draft) for a in actors]
        protesters = doc.lexicon.actors.get("protesters")
        if protesters is not None and not any(a.role == "actor1" for a in actors):
            # "تظاهر المئات": the verb itself says who acted, even when the text names no group
            word = protesters_word(doc, draft) or protesters.name_ar
            actors = [EventActor(protesters.id, protesters.name, word, "actor1", "Protesters")]
            actors += [a for a in draft.actors if a.role != "actor1"]
    sentence = draft.sentence
    assert sentence is not None
    event = Event(draft.event_type, actors=actors, location=draft.location)
    d = draft.date
    if d is not None:
        event.date_text = doc.text[doc.offsets[d.nstart] : doc.offsets[d.nend - 1] + 1]
        if d.follows is not None:  # told from the event before: resolved only when that one has a day
            if draft.chain_day is not None:
                event.date_start = event.date_end = draft.chain_day
                event.date_precision = "day"
        elif doc.published is not None or not d.relative:
            event.date_start, event.date_end, event.date_precision = d.start, d.end, d.precision
    c = draft.casualties
    event.fatalities, event.fatalities_vague = c.killed, c.killed_vague
    event.injured, event.injured_vague = c.injured, c.injured_vague
    event.civilian_fatalities = c.civilians
    event.evidence = doc.text[sentence.start : sentence.end]
    event.span = (sentence.start, sentence.end)
    event.quoted = draft.quoted
    event.trigger = " ".join(doc.text[t.mention.start : t.mention.end] for t in draft.triggers[:3])
    event.confidence = _confidence(draft, event)
    event.merge_dates = (d.start, d.end) if d is not None else None
    event.anaphoric = draft.anaphoric
    event.generic = all(t.trigger.form in ("generic", "casualty") for t in draft.triggers)
    event.toll_only = all(t.trigger.form == "casualty" for t in draft.triggers)
    event.similar = draft.similar
    event.own_date = d is not None and draft.lo <= d.nstart < draft.hi
    event.own_place = draft.own_place
    event.remention = draft.remention
    return event


def _confidence(draft: Draft, event: Event) -> float:
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
    score += 0.15 if draft.mutual else 0.0  # two sides firing at each other is a clash, whatever the other words
    return round(min(max(score, 0.05), 0.99), 2)
