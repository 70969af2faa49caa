"""Stage: attribution: who did a violent act, when its sentence names the hand only as a state or not at all."""

from __future__ import annotations

import re
from dataclasses import replace

from extraction.document import family
from extraction.lexicon import Lexicon, word_map, word_set
from extraction.model import VIOLENT_TYPES, Event, EventActor
from extraction.normalize import normalize_for_match

_DOER_ROLES = frozenset(("actor1", "assoc_actor_1"))
_STATE_FORCES = word_map("state_forces")  # "قصف النظام", "مسيّرة تركية": the state's armed forces did it
_WEAPON_DOERS = word_map("weapon_doer")
_UNKNOWN_HANDS = word_set("unknown_hand")  # actor ids of unnamed attackers ("مسلحون مجهولون")
_AIR_FORCES = word_map("air_forces")  # "غارات نفذتها روسيا": a state's air strike is its air force's
# acts only armed forces do: "سيطر النظام على"; a state that meets, agrees or is protested at stays the state
_FORCE_TYPES = VIOLENT_TYPES | {"takeover", "reinforcement", "arrest"}
_WEAPON = re.compile(r"(?<!\w)(?:[وبفل]|وب|بال|وبال|ال|وال)?(" + "|".join(map(re.escape, _WEAPON_DOERS)) + r")(?!\w)")


def _doer(event: Event) -> EventActor | None:
    """The event's named doer: its actor1 when that is not a civilian."""
    return next((a for a in event.actors if a.role == "actor1" and a.actor_type != "Civilians"), None)


def state_as_forces(events: list[Event], lexicon: Lexicon) -> None:
    """A state named as the doer of a violent act, takeover, deployment or arrest becomes its armed forces."""
    for event in events:
        if event.event_type not in _FORCE_TYPES:
            continue
        arm = _AIR_FORCES if event.event_type == "airstrike" else {}
        for i, actor in enumerate(event.actors):
            forces = lexicon.actors.get(arm.get(actor.id) or _STATE_FORCES.get(actor.id, ""))
            if actor.role in _DOER_ROLES and forces is not None and not any(a.id == forces.id for a in event.actors):
                surface = actor.surface or actor.name_ar
                event.actors[i] = replace(
                    actor,
                    id=forces.id,
                    name=forces.name,
                    name_ar=forces.name_ar,
                    actor_type=forces.actor_type,
                    surface=surface,
                )


def unknown_hands_act(events: list[Event]) -> None:
    """"قتل مسلحون مجهولون، اليوم، القيادي X": unidentified gunmen are the hand of a violent act, never its victim."""
    for event in events:
        if event.event_type not in VIOLENT_TYPES or any(a.role in _DOER_ROLES for a in event.actors):
            continue
        for i, actor in enumerate(event.actors):
            if actor.id in _UNKNOWN_HANDS and actor.role == "actor2":
                event.actors[i] = replace(actor, role="actor1")
                break


def protesters_protest(events: list[Event], lexicon: Lexicon) -> None:
    """Every protest is made by protesters: one whose text names none gets the generic protesters as actor1."""
    protesters = lexicon.actors.get("protesters")
    if protesters is None:
        return
    for event in events:
        if event.event_type != "protest" or any(a.id == protesters.id for a in event.actors):
            continue
        others = [  # an organiser ("نظم المجلس الوطني الكردي وقفة") marches with them; anyone else is protested at
            replace(a, role="associated" if a.actor_type == "Protesters" else "actor2") if a.role == "actor1" else a
            for a in event.actors
        ]
        first = EventActor(protesters.id, protesters.name, protesters.name_ar, "actor1", protesters.actor_type)
        event.actors = [first, *others]


def protests_share_target(events: list[Event]) -> None:
    """Protests that name no one they are against take the one target the article's other protests name.

    "خرجت مظاهرات ضد الهيئة ... وشملت المظاهرات مدن A وB": a wave of protests against one body is against it
    everywhere it is told; with two or more targets named, nothing is inferred.
    """
    protests = [e for e in events if e.event_type == "protest"]
    targets = {a.id: a for e in protests for a in e.actors if a.role == "actor2" and a.actor_type != "Civilians"}
    if len(targets) != 1:
        return
    target = next(iter(targets.values()))
    for event in protests:
        if not any(a.role == "actor2" or a.id == target.id for a in event.actors):
            event.actors.append(replace(target))


def _weapon_doer(event: Event, lexicon: Lexicon) -> EventActor | None:
    """"ألقت مروحيات براميل متفجرة": the one side that used the weapon the event's sentence names."""
    found = _WEAPON.search(normalize_for_match(event.evidence or "")[0].lower())
    actor = lexicon.actors.get(_WEAPON_DOERS[found.group(1)]) if found else None
    if actor is None or any(a.id == actor.id for a in event.actors):
        return None
    return EventActor(actor.id, actor.name, actor.name_ar, "actor1", actor.actor_type)


def attribute_doers(events: list[Event], lexicon: Lexicon) -> list[Event]:
    """States as doers become their forces; doerless violent events take the article's one doer of the same family."""
    state_as_forces(events, lexicon)
    protesters_protest(events, lexicon)
    protests_share_target(events)
    unknown_hands_act(events)
    doers: dict[str, dict[str, EventActor]] = {}
    for event in events:
        doer = _doer(event)
        if doer is not None and event.event_type in VIOLENT_TYPES:
            doers.setdefault(family(event.event_type), {})[doer.id] = doer
    for event in events:
        if event.event_type not in VIOLENT_TYPES or any(a.role in _DOER_ROLES for a in event.actors):
            continue
        by_weapon = _weapon_doer(event, lexicon)
        if by_weapon is not None:
            event.actors.insert(0, by_weapon)
            continue
        named = doers.get(family(event.event_type), {})
        if len(named) != 1:
            continue  # nobody, or several hands: the article does not say whose act this was
        doer = next(iter(named.values()))
        if any(a.id == doer.id for a in event.actors):
            continue  # the same actor is already the target: a doer of its own would be wrong
        event.actors.insert(0, replace(doer))
    return events
