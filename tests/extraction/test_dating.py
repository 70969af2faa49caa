"""The dating stage: every event carries a bounded range ending on or before publication."""

from datetime import date

from extraction import extract_events
from extraction.dating import bound_dates
from extraction.model import Event

PUBLISHED = date(2023, 6, 15)


def test_undated_event_gets_the_week_before_publication() -> None:
    events = extract_events("قُتل ثلاثة عناصر من قوات النظام في هجوم مسلح على حاجز في مدينة الميادين.", PUBLISHED)
    assert events, "the sentence reports an attack"
    assert all(e.date_start == date(2023, 6, 8) and e.date_end == PUBLISHED for e in events)
    assert all(e.date_precision == "week" and e.date_text is None for e in events)


def test_phrase_date_is_kept() -> None:
    events = extract_events(
        "قُتل ثلاثة عناصر من قوات النظام أمس الأربعاء في هجوم على حاجز في مدينة الميادين.", PUBLISHED
    )
    assert events
    assert events[0].date_start == events[0].date_end == date(2023, 6, 14)
    assert events[0].date_precision == "day"


def test_range_running_past_publication_is_clipped() -> None:
    event = Event("attack", date_start=date(2023, 6, 1), date_end=date(2023, 6, 30), date_precision="month")
    bound_dates([event], PUBLISHED)
    assert (event.date_start, event.date_end, event.date_precision) == (date(2023, 6, 1), PUBLISHED, "month")


def test_date_resolved_after_publication_falls_back_to_the_week() -> None:
    event = Event("attack", date_start=date(2023, 6, 18), date_end=date(2023, 6, 18), date_precision="day")
    bound_dates([event], PUBLISHED)
    assert (event.date_start, event.date_end, event.date_precision) == (date(2023, 6, 8), PUBLISHED, "week")


def test_no_publication_date_resolves_nothing() -> None:
    event = Event("attack")
    bound_dates([event], None)
    assert event.date_start is None and event.date_end is None and event.date_precision == "unknown"


def test_a_history_lesson_is_no_event() -> None:
    text = "يذكر أن مدينة حلب تعرضت لقصف عنيف عام 2016 أدى إلى دمار واسع."
    assert extract_events(text, PUBLISHED) == []
    assert extract_events(text, date(2016, 12, 20)), "told in its own year it is an event"
