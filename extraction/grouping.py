"""Stage: group the live triggers of one sentence into draft events."""

from __future__ import annotations

from extraction.document import FAMILIES, Document, Draft, Trig
from extraction.lexicon import word_set
from extraction.places import PlaceHit

_OTHER_ACT = word_set("other_act_connector")  # "..., كما سقطت قذائف على حرستا": another act, at its own place
_SUICIDE = tuple(word_set("suicide_word"))  # a suicide attack is one explosion


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
            other_act = own_place and other_act_between(doc, current.triggers[-1].pos, t.pos)
            # "a suicide bomber opened fire ... before blowing himself up": one suicide attack, an explosion
            pair = {t.trigger.event_type, current.event_type} == {"attack", "explosion"}
            suicide = pair and any(word in doc.norm[lo:hi] for word in _SUICIDE)
            if (
                (same and not (own_place and own_date) and not other_act)
                or (related and not own_place and not own_date)
                or suicide
            ):
                current.triggers.append(t)
                if t.trigger.event_type == "armed_clash" and current.event_type == "attack":
                    current.event_type = "armed_clash"
                if suicide:
                    current.event_type = "explosion"
                continue
        drafts.append(Draft(t.trigger.event_type, [t]))
    return drafts


def other_act_between(doc: Document, lo: int, hi: int) -> bool:
    """True when a connector that opens another act ("كما", "فيما", "meanwhile") stands in [lo, hi)."""
    return any(doc.norm[m.nstart : m.nend] in _OTHER_ACT for m in doc.mentions_in(lo, hi, kind="reset", category="cue"))
