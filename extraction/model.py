"""The event model of EVENTS.md: Event, EventActor and EventLocation, with their JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extraction.normalize import ARABIC_LETTER

ACLED_TYPES: dict[str, tuple[str, str]] = {
    "armed_clash": ("Battles", "Armed clash"),
    "attack": ("Battles", "Armed clash"),
    "explosion": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "abduction": ("Violence against civilians", "Abduction/forced disappearance"),
    "arrest": ("Strategic developments", "Arrests"),
    "reinforcement": ("Strategic developments", "Other"),
    "defection": ("Strategic developments", "Change to group/activity"),
    "meeting": ("Strategic developments", "Agreement"),
    "takeover": ("Strategic developments", "Non-violent transfer of territory"),
    "protest": ("Protests", "Peaceful protest"),
    "other": ("Strategic developments", "Other"),
}
VIOLENT_TYPES = frozenset(("armed_clash", "attack", "explosion", "airstrike", "shelling", "abduction"))


@dataclass
class EventActor:
    """An actor of an event with its role (actor1 = who did it, actor2 = the target or other side)."""

    id: str
    name: str
    name_ar: str
    role: str
    actor_type: str
    surface: str | None = None  # the words the text names the actor with, when it names it

    def to_json(self) -> dict[str, Any]:
        """The EVENTS.md actor object: name_ar as an Arabic text writes it, else the dictionary's."""
        return {
            "name": self.name,
            "name_ar": self.surface if self.surface and ARABIC_LETTER.search(self.surface) else self.name_ar,
            "name_ar_canonical": self.name_ar,
            "role": self.role,
            "actor_type": self.actor_type,
        }


@dataclass
class EventLocation:
    """Where an event happened; geo_precision 1 = exact place, 2 = near/part of a named area, 3 = region only."""

    name: str
    name_ar: str
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    pcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: int = 1
    place_id: str | None = None
    kind: str | None = None
    penalty: int = 0  # how loosely the text ties the event to this place (near, between, direction)
    surface: str | None = None  # the Arabic words the text names the place with ("الفارات" for Dalfar)

    def key(self) -> str:
        """Identity used when merging mentions of one event."""
        return self.place_id or self.name_ar or self.name

    def to_json(self) -> dict[str, Any]:
        """The EVENTS.md location object: name_ar as the text writes it, name_ar_canonical as the gazetteer does."""
        return {
            "name": self.name,
            "name_ar": self.surface or self.name_ar,
            "name_ar_canonical": self.name_ar,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "admin3": self.admin3,
            "pcode": self.pcode,
            "lat": self.lat,
            "lon": self.lon,
            "geo_precision": self.geo_precision,
            "kind": self.kind,
        }


@dataclass
class Event:
    """One event of a document, with the evidence sentence and its offsets in the document text."""

    event_type: str
    actors: list[EventActor] = field(default_factory=list)
    location: EventLocation | None = None
    date_start: date | None = None
    date_end: date | None = None
    date_precision: str = "unknown"
    date_text: str | None = None
    fatalities: int | None = None
    fatalities_vague: bool = False
    injured: int | None = None
    injured_vague: bool = False
    civilian_fatalities: bool = False
    evidence: str = ""
    span: tuple[int, int] = (0, 0)
    confidence: float = 0.5
    modality: str = "asserted"
    quoted: bool = False
    trigger: str = ""
    merge_dates: tuple[date, date] | None = field(
        default=None, repr=False
    )  # resolved range, also without publication date
    anaphoric: bool = field(default=False, repr=False)  # a re-mention (definite trigger, no own place or date)
    remention: bool = field(default=False, repr=False)  # definite trigger without its own date
    generic: bool = field(default=False, repr=False)  # only a generic word (هجوم، استهداف) or a death word
    toll_only: bool = field(default=False, repr=False)  # only death or injury words ("eight people were killed")
    similar: bool = field(default=False, repr=False)  # "قصف مماثل": the same kind of act as the one told before
    own_date: bool = field(default=False, repr=False)  # the date phrase is in the event's own clauses
    own_place: bool = field(default=False, repr=False)  # the place is named in the event's own clauses
    list_group: int | None = field(default=None, repr=False)  # events of one listed sentence ("في A وB") share it
    spread: bool = field(default=False, repr=False)  # its list of places follows its trigger closely ("طال القصف A وB")

    @property
    def acled(self) -> tuple[str, str]:
        """ACLED event type and sub-event type; attacks on civilians are violence against civilians."""
        if (
            self.event_type == "attack"
            and self.actors
            and all(a.actor_type == "Civilians" for a in self.actors if a.role == "actor2")
            and any(a.role == "actor2" for a in self.actors)
        ):
            return ("Violence against civilians", "Attack")
        return ACLED_TYPES[self.event_type]

    def to_json(self) -> dict[str, Any]:
        """The EVENTS.md event object (plus modality, civilian_fatalities, quoted and trigger)."""
        acled_type, acled_sub = self.acled
        return {
            "event_type": self.event_type,
            "acled_event_type": acled_type,
            "acled_sub_event_type": acled_sub,
            "actors": [a.to_json() for a in self.actors],
            "location": self.location.to_json() if self.location else None,
            "date_start": self.date_start.isoformat() if self.date_start else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "fatalities": self.fatalities,
            "fatalities_vague": self.fatalities_vague,
            "injured": self.injured,
            "injured_vague": self.injured_vague,
            "civilian_fatalities": self.civilian_fatalities,
            "evidence": self.evidence,
            "span": [self.span[0], self.span[1]],
            "confidence": round(self.confidence, 2),
            "modality": self.modality,
            "quoted": self.quoted,
            "trigger": self.trigger,
        }
