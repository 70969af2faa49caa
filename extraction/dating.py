"""Stage: every event gets a bounded date range that ends on or before the publication date."""

from __future__ import annotations

from datetime import date, timedelta

from extraction.model import Event

DEFAULT_WINDOW = timedelta(days=7)  # EVENTS.md: with no date phrase, the week up to publication
HISTORY = timedelta(days=365)  # an event only dated by a year this long before publication is background history


def _history(event: Event, published: date) -> bool:
    """True for "the city was shelled in 2016" in a later article: told as history, not reported as news."""
    return (
        event.date_start is not None
        and event.date_end is not None
        and (event.date_end - event.date_start).days > 31
        and published - event.date_end > HISTORY
    )


def bound_dates(events: list[Event], published: date | None) -> list[Event]:
    """Give undated events the week before publication and clip ranges that run past it; drop history lessons."""
    if published is None:
        return events  # nothing relative can be resolved; absolute dates stand as they are
    events = [e for e in events if not _history(e, published)]
    for event in events:
        start, end = event.date_start, event.date_end
        if start is None or end is None or start > published:
            # no usable phrase, or one resolved past publication (a weekday or month read forward)
            event.date_start, event.date_end = published - DEFAULT_WINDOW, published
            event.date_precision = "week"
        elif end > published:
            event.date_end = published  # "الشهر الجاري": the month so far
    return events
