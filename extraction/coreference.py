"""Stage: document-level coreference: mentions of one event merge into one event."""

from __future__ import annotations

from dataclasses import replace

from extraction.document import FAMILIES, ONE_SIDED
from extraction.lexicon import Lexicon
from extraction.model import VIOLENT_TYPES, Event, EventActor, EventLocation
from extraction.normalize import normalize_for_match
from extraction.places import KIND_RANK, _loc_key

# admin level that an area of this kind shares with every place inside it
_AREA_LEVEL = {
    "governorate": "admin1",
    "region": "admin1",
    "desert": "admin1",
    "district": "admin2",
    "subdistrict": "admin3",
}


def _dates_compatible(a: Event, b: Event) -> bool:
    """Unknown dates are compatible with anything; otherwise the ranges must overlap."""
    da, db = a.merge_dates, b.merge_dates
    if da is None or db is None:
        return True
    return da[0] <= db[1] and db[0] <= da[1]


def _actors_compatible(a: Event, b: Event, lexicon: Lexicon) -> bool:
    """Same actors (for one-sided types: the same actor1, up to patron); unknown actors are compatible."""
    ids_a = {x.id for x in a.actors if x.actor_type != "Civilians"}  # the victims do not tell two acts apart
    ids_b = {x.id for x in b.actors if x.actor_type != "Civilians"}
    if not ids_a or not ids_b:
        return True
    if a.event_type in ONE_SIDED:
        first_a = next((x.id for x in a.actors if x.role == "actor1"), None)
        first_b = next((x.id for x in b.actors if x.role == "actor1"), None)
        if first_a and first_b:
            return first_a == first_b or first_a in lexicon.family(first_b) or first_b in lexicon.family(first_a)
    return bool(ids_a & ids_b)


def contains(area: EventLocation | None, place: EventLocation | None) -> bool:
    """True when `area` is a coarse place (governorate, district, desert, the countryside of a city) holding `place`."""
    if area is None or place is None or area.key() == place.key() or place.penalty >= 2:
        return False  # a place named only as origin or between two others does not refine the event
    level = _AREA_LEVEL.get(area.kind or "")
    if level is None or KIND_RANK.get(place.kind or "", 6) >= KIND_RANK.get(area.kind or "", 6):
        return False
    if place.place_id is None:
        return True  # a village the gazetteer does not know, named in the same report
    return getattr(place, level) is not None and getattr(place, level) == getattr(area, level)


def _nested(a: Event, b: Event, lexicon: Lexicon) -> bool:
    """True when one event's place is a coarse area holding the other's, by the same hand, with tolls that agree."""
    if a.fatalities is not None and b.fatalities is not None and a.fatalities != b.fatalities:
        return False
    first_a = next((x.id for x in a.actors if x.role == "actor1"), None)
    first_b = next((x.id for x in b.actors if x.role == "actor1"), None)
    if first_a and first_b and first_a != first_b and first_a not in lexicon.family(first_b):
        return False
    return contains(a.location, b.location) or contains(b.location, a.location)


def _mergeable(a: Event, b: Event, lexicon: Lexicon, lists: dict[int, set[str]]) -> bool:
    """True when b is another mention of event a (`lists`: the place keys of every listed group)."""
    if a.event_type != b.event_type or not _dates_compatible(a, b):
        return False
    if a.list_group is not None and a.list_group == b.list_group:
        return False  # two places of one list are two events, whatever the trigger's article says
    same_place = a.location is not None and b.location is not None and a.location.key() == b.location.key()
    if b.remention and same_place:
        return True  # "المعارك" again at the same place: the same fighting, whoever the sentence names
    if b.remention and not b.own_date and _actors_compatible(a, b, lexicon) and not _elsewhere(a, b, lists):
        return True  # "وصول التعزيزات", "the fighting began": told above, wherever this sentence points
    if not _actors_compatible(a, b, lexicon):
        return False
    if b.anaphoric or _nested(a, b, lexicon):
        return True  # the lede's "in the western Deir ez-Zor desert" and the village the details name
    if a.location is None or b.location is None:
        return a.location is None and b.location is None
    return a.location.key() == b.location.key()


def _elsewhere(a: Event, b: Event, lists: dict[int, set[str]]) -> bool:
    """True when b is one of its own list of places, none of them a's place or inside it: a new event."""
    if not b.own_place or b.list_group is None or a.location is None or b.location is None:
        return False
    if b.spread:  # "طال القصف كلاً من A وB وC": the act told above reaches each new place of its own list
        return a.location.key() != b.location.key() and not contains(a.location, b.location)
    return a.location.key() not in lists[b.list_group] and not contains(a.location, b.location)


def _same_place(a: Event, b: Event) -> bool:
    """True when both events have a place and it is the same one."""
    return a.location is not None and b.location is not None and a.location.key() == b.location.key()


def _continues(previous: Event | None, event: Event, lists: dict[int, set[str]]) -> bool:
    """True when an event without named actors or own date goes on telling the previous event ("واشتبكوا مع ...")."""
    if previous is None or event.own_date or event.fatalities:
        return False
    if previous.list_group is not None and previous.list_group == event.list_group:
        return False  # the next place of the same list
    if (
        event.own_place
        and not event.remention
        and (previous.location is None or event.location is None or previous.location.key() != event.location.key())
    ):
        return False  # a new place told with an indefinite noun is a new event
    if _elsewhere(previous, event, lists):
        return False  # "ثم السيطرة على بلدتي A وB": a new list of places, definite noun or not
    if event.generic and event.remention and previous.event_type in VIOLENT_TYPES and event.event_type in VIOLENT_TYPES:
        return True  # "قبل ساعات من الاستهداف": the strike told above
    known = {a.id for a in previous.actors}
    if any(a.actor_type != "Civilians" and a.id not in known for a in event.actors):
        return False  # a new actor: a new event
    return event.event_type == previous.event_type or any(
        event.event_type in f and previous.event_type in f for f in FAMILIES
    )


def _toll_of(act: Event | None, event: Event, lexicon: Lexicon) -> bool:
    """True when an event told only by its dead or hurt, at no place of its own, gives the toll of the act before.

    "... jets struck X. A monitor reported that N died.": the strike's toll, not a new act.
    """
    return (
        act is not None
        and event.toll_only
        and not event.own_place
        and not event.own_date
        and _dates_compatible(act, event)
        and _actors_compatible(act, event, lexicon)
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
    lists: dict[int, set[str]] = {}
    for event in events:
        if event.list_group is not None and event.location is not None:
            lists.setdefault(event.list_group, set()).add(event.location.key())
    for event in events:
        mergeable = [e for e in out if _mergeable(e, event, lexicon, lists)]
        target = next((e for e in mergeable if _same_place(e, event)), mergeable[0] if mergeable else None)
        if target is None and last_violent is not None and _toll_of(last_violent, event, lexicon):
            if last_violent.fatalities is not None or last_violent.injured is not None:
                event = replace(event, fatalities=None, injured=None)  # a toll of its own already: keep it
            target = last_violent
        if target is None and _continues(previous, event, lists):
            target = previous
        if target is None and event.event_type in VIOLENT_TYPES and _continues(last_violent, event, lists):
            target = last_violent
        if target is None:
            target = next((e for e in out if _generic_duplicate(e, event)), None)
            if target is not None and target.generic and not event.generic:
                target.event_type = event.event_type
                target.generic = False
        if target is None:
            if event.anaphoric and event.fatalities is None and out:
                continue  # points back to an act told before and adds nothing; the first act told is kept
            if event.remention and event.list_group is not None and not event.actors:
                _inherit_doers(out, event)
            told_air = last_violent is not None and last_violent.event_type == "airstrike"
            if told_air and (event.remention or event.similar) and _bare(event):
                event.event_type = "airstrike"  # "وطال القصف قرى", "وشهدت B قصفاً مماثلاً": the air strikes told above
            out.append(event)
            previous = event
            last_violent = event if event.event_type in VIOLENT_TYPES else last_violent
            continue
        _absorb(target, event)
        previous = target
        last_violent = target if target.event_type in VIOLENT_TYPES else last_violent
    return _without_summaries(out, lexicon)


def _without_summaries(events: list[Event], lexicon: Lexicon) -> list[Event]:
    """Drop an event placed only at an area when two or more events of its type lie inside that area.

    "تظاهر الأهالي في بلدات محافظة X ... وشملت المظاهرات A وB وC": the lede sums up the events the article then lists
    one by one; its actors go to those that name no party beside their doer. An area event with a toll stays.
    """
    kept: list[Event] = []
    for event in events:
        inner = [
            other
            for other in events
            if other is not event
            and other.event_type == event.event_type
            and contains(event.location, other.location)
            and _dates_compatible(event, other)
            and _actors_compatible(event, other, lexicon)
        ]
        if len(inner) < 2 or event.fatalities or event.injured:
            kept.append(event)
            continue
        for other in inner:
            if not any(a.actor_type != "Civilians" and a.role != "actor1" for a in other.actors):  # no other party
                _absorb(other, replace(event, location=other.location, fatalities=None, injured=None))
    return kept


def _bare(event: Event) -> bool:
    """True for a shelling told by the bare word "قصف" ("القصف", "بالقصف", "قصفاً") alone, no weapon named."""
    word = normalize_for_match(event.trigger or "")[0].strip().lstrip("وفبل").removeprefix("ال")
    return event.event_type == "shelling" and word in ("قصف", "قصفا")


def _inherit_doers(out: list[Event], event: Event) -> None:
    """"القصف طال A وB": a re-mention that spreads to new places keeps the doers of the act told above."""
    antecedent = next((e for e in reversed(out) if e.event_type == event.event_type and e.actors), None)
    if antecedent is not None:
        event.actors = [replace(a) for a in antecedent.actors]


def _absorb(target: Event, other: Event) -> None:
    """Fold another mention into the kept event: union of actors, max of tolls, better date and evidence."""
    known = {a.id for a in target.actors}
    named = [a for a in target.actors if a.actor_type != "Civilians"]  # victims alone name nobody who acted
    adds = (
        other.actors
        if not named or (not other.remention and target.event_type not in ONE_SIDED and len(target.actors) < 2)
        else []
    )
    for actor in adds:
        if actor.id not in known:
            role = "associated" if named else actor.role
            if actor.role == "actor2" and not any(a.role == "actor2" for a in target.actors):
                role = "actor2"  # the victims told by the other mention are still the ones hit
            target.actors.append(EventActor(actor.id, actor.name, actor.name_ar, role, actor.actor_type))
            named.append(actor)
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
        or contains(target.location, other.location)
    ):
        target.location = other.location  # the follow-up names the exact place ("قرب قرية تل حبش")
        if other.list_group is not None:
            target.list_group = other.list_group  # now one place of that list: the list's other places stay apart
    target.confidence = round(min(0.99, max(target.confidence, other.confidence) + 0.03), 2)
