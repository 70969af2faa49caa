"""Stage: fill a draft event's slots: type modifiers, actors, place, date and casualties."""

from __future__ import annotations

import re
from datetime import timedelta

from extraction.casualties import Casualties, count_casualties
from extraction.dates import DatePhrase
from extraction.document import ONE_SIDED, ActorHit, DocState, Document, Draft, OffsetMap, Trig
from extraction.lexicon import word_set
from extraction.listing import listed_places
from extraction.model import VIOLENT_TYPES, EventActor
from extraction.places import PlaceHit, as_home
from extraction.roles import add_detained_civilians, assign_roles, name_surfaces, one_sided_actors
from extraction.text import Sentence

_NEXT_DAY_WORDS = tuple(word_set("date_next_day_start"))
_AIR_ACTORS = word_set("air_actor")
_EXECUTED_BY = word_set("executed_by")  # "قصف ...، نفذته طائرة": the next clause tells who and how
# fire that may come from the ground: guns, mortars, rockets ("قصف إسرائيلي" alone is an air strike)
_GUNS = r"مدفع|هاون|راجم|دباب|قذائف|قذيفه|artillery|mortar|tank|howitzer|shell"
_GUN_FIRE = re.compile(_GUNS)  # fire from the ground that is not a missile
_GROUND_FIRE = re.compile(_GUNS + r"|صاروخ|صواريخ|rocket|missile")  # a gun or a missile
_MISSILE_AIR_ACTORS = word_set("missile_air_actor")  # "Israeli missile strikes hit the port": from the air
_SHELLING_ACTORS = word_set("shelling_actor")
_SETTLEMENTS = frozenset(("town", "village", "city", "neighbourhood"))
# acts whose doer, unnamed in the sentence, is the force the article follows
_CARRIED_ON = frozenset(("arrest", "reinforcement", "takeover"))
_REPEL = ("تصدت", "تصدي")  # the repel verbs, as the trigger list has them, normalised
_SPREAD_VERBS = word_set("spread_verb")  # "امتدت الاشتباكات إلى مركز المدينة": the fighting reached a new place
_NEW_EVENT_WORDS = word_set("new_event_adjective")  # "غارات مماثلة", "هجوم آخر": another act, not the one told
_DEMONSTRATIVES = word_set("demonstrative")  # "اليوم التالي", "the next day": always +1


def fill_draft(
    doc: Document,
    draft: Draft,
    actor_hits: list[ActorHit],
    places: list[PlaceHit],
    bounds: list[tuple[int, str]],
    lo: int,
    hi: int,
    state: DocState,
) -> None:
    """Actors, place, date and casualties of a draft event from its span, the sentence and the document."""
    first = draft.triggers[0]
    apply_type_modifiers(doc, draft, bounds, lo, hi)
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
                0 <= h.nstart - t.mention.nend <= 2 or doc.words.distance(t.mention.nend, h.nstart) <= 1
                for t in draft.triggers
            )
        ]
        span_actors = sorted(strong + attached, key=lambda h: h.nstart)
        draft.attached = {id(h) for h in attached}
    if draft.event_type in ONE_SIDED:
        span_actors = one_sided_actors(doc, draft, span_actors, actor_hits)
    draft.actors = assign_roles(doc, draft, span_actors)
    if (
        draft.event_type == "shelling"
        and any(a.role == "actor1" and a.id in _AIR_ACTORS for a in draft.actors)
        and _ground_fire(doc, draft, *doc.clause(first.pos, bounds, lo, hi)[:2]) is None
    ):
        draft.event_type = "airstrike"  # "قصف إسرائيلي استهدف محيط مصياف": no gun named, the air force struck
    if (
        draft.event_type == "attack"
        and all(t.trigger.form in ("generic", "casualty") for t in draft.triggers)
        and any(a.role == "actor1" and a.id in _SHELLING_ACTORS for a in draft.actors)
    ):
        draft.shells_place = True  # decided once the place is known: a town struck by the army is shelled
    name_surfaces(doc, draft.actors, span_actors + actor_hits)
    if draft.event_type in ("arrest", "abduction") and not any(a.role == "actor2" for a in draft.actors):
        add_detained_civilians(doc, draft)
    if draft.event_type in _CARRIED_ON and not any(a.role == "actor1" for a in draft.actors):
        # "واصلت فصائل المعارضة التقدم، وتمكنت من السيطرة على ...": the force named earlier in the sentence, else
        # the one the article named before
        earlier = [
            h.actor
            for h in actor_hits
            if h.nstart < first.pos and h.actor.strength == "strong" and h.actor.actor_type != "Civilians"
        ]
        doer = earlier[-1] if earlier else None
        if doer is None and draft.event_type in state.doers:  # "وتتركز الاعتقالات في ...": the arrests told above
            doer = doc.lexicon.actors.get(state.doers[draft.event_type])
        doer = doer or next((a for a in reversed(state.actor_history) if a.strength == "strong"), None)
        if doer is not None:  # "الحملة نتج عنها اعتقال 7 أشخاص": the campaign of the force named before
            draft.actors.insert(0, EventActor(doer.id, doer.name, doer.name_ar, "actor1", doer.actor_type))
            name_surfaces(doc, draft.actors[:1], [h for h in actor_hits if h.nstart < first.pos])
    organised = any(a.actor_type == "Protesters" and a.id != "protesters" for a in draft.actors)
    if draft.event_type == "protest" and not organised:
        # "the Kurdish National Council held rallies ... . Demonstrations were held in A, B": its rallies
        organiser = next(
            (a for a in reversed(state.actor_history) if a.actor_type == "Protesters" and a.id != "protesters"), None
        )
        if organiser is not None:
            draft.actors.append(
                EventActor(organiser.id, organiser.name, organiser.name_ar, "associated", organiser.actor_type)
            )
    draft.pair_only = bool(span_actors) and all(h.via_pair for h in span_actors)
    assert doc.finder is not None
    if draft.event_type == "protest":
        places = as_home(places)
    draft.location, draft.place_source = doc.finder.choose(draft, places, state, doc)
    draft.listed = listed_places(doc, draft, places, [b for b, _ in bounds])
    if draft.shells_place and draft.location is not None and draft.location.kind in _SETTLEMENTS:
        draft.event_type = "shelling"  # "استهدفت قوات النظام بلدة كنصفرة": the army's strike on a town
    draft.date = choose_date(doc, draft, bounds, lo, hi)
    if draft.date is not None and draft.date.follows is not None and state.last_event_day is not None:
        days = draft.date.follows
        if not doc.norm.startswith(_NEXT_DAY_WORDS, draft.date.nstart) and any(
            t.pos >= draft.date.nend and doc.words.distance(draft.date.nend, t.pos) <= 1 for t in draft.triggers
        ):
            days = -days  # "بعد يوم من استهداف ...": the strike named after the phrase came a day before
        draft.chain_day = state.last_event_day + timedelta(days=days)
    blocked = [(p.nstart, p.nend) for p in places] + [(d.nstart, d.nend) for d in doc.dates if lo <= d.nstart < hi]
    blocked += [(h.nstart, h.nend) for h in actor_hits if h.actor.actor_type != "Civilians"]
    if draft.event_type in VIOLENT_TYPES:
        draft.casualties = count_casualties(
            doc.norm, doc.words, draft.lo, draft.hi, doc.mentions_in(draft.lo, draft.hi), blocked
        )
    nouns = [t for t in draft.triggers if t.trigger.form not in ("past", "present") and not _instrument(doc, t)]
    definite = bool(nouns) and all(t.mention.definite for t in nouns)  # "انفجرت العبوة": the known bomb
    pointer = doc.word_before(first.pos, 1)
    definite = definite or (bool(pointer) and pointer[0] in _DEMONSTRATIVES)  # "هذه التظاهرات": told before
    own_date = draft.date is not None and draft.lo <= draft.date.nstart < draft.hi
    draft.anaphoric = definite and draft.place_source != "span" and not own_date
    c_start = doc.clause(first.pos, bounds, lo, hi)[0]
    subject_definite = any(c_start <= p < first.pos for p in doc.dropped_definite) or any(
        m.definite and m.entry.kind == "air" for m in doc.mentions_in(c_start, first.pos, category="cue")
    )  # "المسيّرة أطلقت صاروخين", "الطائرة استهدفت بصاروخين": the aircraft told above
    draft.remention = (definite or subject_definite) and not own_date and not _another_act(doc, first)
    draft.similar = any(w.startswith(("مماثل", "similar")) for _, _, w in doc.words.next_words(first.mention.nend, 2))
    chain_end = min((m.nstart for m in doc.mentions_in(first.pos, hi, kind="reset", category="cue")), default=hi)
    chain_lo = doc.chain_start(first.pos, lo)
    draft.own_place = any(
        max(draft.lo, chain_lo) <= p.nstart < min(draft.hi, chain_end) and p.penalty < 2 for p in places
    )
    draft.quoted = any(a <= first.pos < b for a, b in doc.quotes)


def _another_act(doc: Document, first: Trig) -> bool:
    """"غارات مماثلة", "another attack": another act; "امتدت الاشتباكات إلى X": the fighting at a new place."""
    before = doc.words.prev_words(first.pos, 2)  # nearest first
    after = doc.words.next_words(first.mention.nend, 3)
    if any(w in _NEW_EVENT_WORDS for _, _, w in before[:1] + after[:2]):
        return True
    return any(w in _SPREAD_VERBS for _, _, w in before + after)


def _ground_fire(doc: Document, draft: Draft, lo: int, hi: int) -> re.Match[str] | None:
    """A gun or missile word of the clause; for a force whose missiles come from the air, a gun word only."""
    missiles_fly = any(a.role == "actor1" and a.id in _MISSILE_AIR_ACTORS for a in draft.actors)
    return (_GUN_FIRE if missiles_fly else _GROUND_FIRE).search(doc.norm, lo, hi)


def _instrument(doc: Document, trig: Trig) -> bool:
    """True for a trigger noun that says with what ("بالمدفعية", "بالصواريخ"): definite, yet no re-mention."""
    start = doc.words.starts[doc.words.index_at(trig.pos)]
    return doc.norm[start : trig.pos].endswith(("بال", "وبال"))


def apply_type_modifiers(doc: Document, draft: Draft, bounds: list[tuple[int, str]], lo: int, hi: int) -> None:
    """Mutual fire makes an attack a clash; air words make shelling an air strike."""
    c_start, c_end, _ = doc.clause(draft.triggers[0].pos, bounds, lo, hi)
    kinds = {m.entry.kind for m in doc.mentions_in(c_start, c_end, category="cue")}
    if c_end < hi and _EXECUTED_BY.intersection(w for _, _, w in doc.words.next_words(c_end, 1)):
        next_end = doc.clause(c_end, bounds, lo, hi)[1]
        kinds |= {m.entry.kind for m in doc.mentions_in(c_end, next_end, category="cue")}  # "قصف، نفذته طائرة حربية"
    if draft.event_type == "attack" and "mutual" in kinds:
        draft.event_type = "armed_clash"
        draft.mutual = True
    if draft.event_type == "shelling" and "air" in kinds:
        draft.event_type = "airstrike"
    repelled = all(doc.norm[t.mention.nstart : t.mention.nend].endswith(_REPEL) for t in draft.triggers)
    if draft.event_type == "armed_clash" and "air" in kinds and repelled:
        draft.event_type = "airstrike"  # "التصدي لهجوم جوي": air defences meeting a strike, the strike is the event
    generic = all(t.trigger.form in ("generic", "casualty") for t in draft.triggers)
    if draft.event_type == "attack" and generic and "air" in kinds:
        draft.event_type = "airstrike"  # "Turkish drones struck ...": the aircraft says how
    elif draft.event_type == "attack" and generic and any(
        m.entry.kind in _AIR_ACTORS for m in doc.mentions_in(c_start, c_end, category="actor")
    ):
        draft.event_type = "airstrike"  # "استهدف الجيش الإسرائيلي منشأة": Israel and the coalition strike from the air


def choose_date(doc: Document, draft: Draft, bounds: list[tuple[int, str]], lo: int, hi: int) -> DatePhrase | None:
    """The event's date phrase: nearest in its own span, else one of the sentence outside background clauses."""
    trig = draft.triggers[0].pos
    trig_clause = doc.clause(trig, bounds, lo, hi)
    own = [
        d
        for d in doc.dates
        if draft.lo <= d.nstart < draft.hi
        and (
            doc.clause(d.nstart, bounds, lo, hi)[2] != "background"
            or doc.clause(d.nstart, bounds, lo, hi) == trig_clause
        )
    ]
    if own:
        return min(own, key=lambda d: abs(d.nstart - trig))
    shared = [d for d in doc.dates if lo <= d.nstart < hi and doc.clause(d.nstart, bounds, lo, hi)[2] != "background"]
    if shared:
        return min(shared, key=lambda d: abs(d.nstart - trig))
    return None


def follow_up_injured(doc: Document, sentence: Sentence, to_norm: OffsetMap) -> int | None:
    """Injured told by a sentence that opens with an injury word and names no event ("وأصيب ثالث بجروح")."""
    lo, hi = to_norm(sentence.start), to_norm(sentence.end)
    if sentence.is_title or doc.mentions_in(lo, hi, category="trigger") or not _opens_with(doc, lo, hi, "injured"):
        return None
    return count_casualties(doc.norm, doc.words, lo, hi, doc.mentions_in(lo, hi), []).injured


def follow_up_toll(doc: Document, sentence: Sentence, to_norm: OffsetMap) -> Casualties | None:
    """The toll of a sentence that opens with a consequence ("؛ أدت إلى استشهاد 3 مدنيين"): the event before's."""
    lo, hi = to_norm(sentence.start), to_norm(sentence.end)
    if sentence.is_title or not _opens_with(doc, lo, hi, "consequence"):
        return None
    if any(getattr(t.entry.value, "form", None) != "casualty" for t in doc.mentions_in(lo, hi, category="trigger")):
        return None  # the sentence names an act of its own
    toll = count_casualties(doc.norm, doc.words, lo, hi, doc.mentions_in(lo, hi), [])
    return toll if toll.killed is not None or toll.injured is not None else None


def _opens_with(doc: Document, lo: int, hi: int, kind: str) -> bool:
    """True when a cue of this kind stands among the sentence's first two words."""
    first = doc.words.next_words(lo, 2)
    opening = [m for m in doc.mentions_in(lo, hi, category="cue") if m.entry.kind == kind]
    return bool(first) and bool(opening) and opening[0].nstart < first[-1][1]
