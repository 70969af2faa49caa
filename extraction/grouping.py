"""Stage: group the live triggers of one sentence into draft events."""

from __future__ import annotations

from extraction.document import FAMILIES, Document, Draft, Trig
from extraction.places import PlaceHit


def group_triggers(
    doc: Document, triggers: list[Trig], lo: int, hi: int, bounds: list[tuple[int, str]], places: list[PlaceHit]
) -> list[Draft]:
    """Group the triggers of a sentence into events: same or related type without new place/date = one event."""
    drafts: list[Draft] = []
    for t in triggers:
        current = drafts[-1] if drafts else None
        c_start, c_end, _ = doc.clause(t.pos, bounds, lo, hi)
        own_place = any(c_start <= p.nstart < c_end and not p.origin for p in places)
        own_date = any(c_start <= d.nstart < c_end for d in doc.dates)
        if current is not None:
            same = t.trigger.event_type == current.event_type
            related = any(t.trigger.event_type in f and current.event_type in f for f in FAMILIES)
            if (same and not (own_place and own_date)) or (related and not own_place and not own_date):
                current.triggers.append(t)
                if t.trigger.event_type == "armed_clash" and current.event_type == "attack":
                    current.event_type = "armed_clash"
                continue
        drafts.append(Draft(t.trigger.event_type, [t]))
    return drafts
