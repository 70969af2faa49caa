"""Date phrases (Arabic and English) found in normalised text and resolved against the publication date."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from extraction.lexicon import _rows, word_map, word_set
from extraction.normalize import ARABIC_LETTER, normalize_phrase

# Relative dates of an article without a publication date are resolved against this stand-in, only so that the
# phrases of one document can be compared with each other (merging); they are never printed.
STAND_IN_REFERENCE = date(2001, 6, 15)


@dataclass(frozen=True)
class DatePhrase:
    """A date phrase: normalised-text offsets, the resolved range and precision, and whether it is relative."""

    nstart: int
    nend: int
    start: date
    end: date
    precision: str  # day | week | month_part | month | range
    relative: bool
    # days from the date of the event told just before ("اليوم التالي" = +1); None for dates of the calendar
    follows: int | None = None


def _day_range(value: str) -> tuple[int, int]:
    """Day range of a month part: "1-10" -> (1, 10)."""
    first, last = value.split("-")
    return int(first), int(last)


_PARTS = {word: _day_range(value) for word, value in word_map("date_month_part").items()}
_TIME_OF_DAY = r"(?:(?:فجر|صباح|ظهر|عصر|مساء|ليل|ليله|منتصف ليل)\s+(?:يوم\s+)?)?"
_UNITS = {word: int(value) for word, value in word_map("date_unit").items()}
_PLURAL_UNITS = word_set("date_plural_unit")
_RELATIVE = {word: int(value) for word, value in word_map("date_relative").items()}  # month offset: -1 last, 0 this
# "قبل أيام": days back to the start and the end of the range; "خلال الأيام الماضية": days back from the reference
_VAGUE_AGO = {word: _day_range(value) for word, value in word_map("date_vague_ago").items()}
_RECENT_SPAN = {word: int(value) for word, value in word_map("date_recent_span").items()}
_CURRENT = frozenset(word for word, offset in _RELATIVE.items() if offset == 0)


@lru_cache(maxsize=1)
def _calendar() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Month names, weekday names and number words from the data files (normalised)."""
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for row in _rows("calendar.tsv"):
        target = months if row["kind"] == "month" else weekdays
        target[normalize_phrase(row["word"])] = int(row["value"])
    numbers: dict[str, int] = {}
    for row in _rows("numbers.tsv"):
        if row["kind"] in ("cardinal", "ordinal") and len(row["word"]) > 2:
            numbers[normalize_phrase(row["word"])] = int(row["value"])
    return months, weekdays, numbers


def _alternation(words: dict[str, int]) -> str:
    """A regex alternation of the words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _arabic_alternation(words: Iterable[str]) -> str:
    """A regex alternation of the Arabic words, in file order."""
    return "|".join(re.escape(w) for w in words if ARABIC_LETTER.search(w))


def _month_end(year: int, month: int) -> int:
    """Last day of a month."""
    return calendar.monthrange(year, month)[1]


def _shift_month(ref: date, offset: int) -> tuple[int, int]:
    """(year, month) `offset` months from the month of `ref`."""
    index = ref.year * 12 + ref.month - 1 + offset
    return index // 12, index % 12 + 1


def _month_part(year: int, month: int, part: tuple[int, int]) -> tuple[date, date]:
    """First and last day of part of a month."""
    last = min(part[1], _month_end(year, month))
    return date(year, month, part[0]), date(year, month, last)


def _recent_year(ref: date, month: int, day: int = 1, strictly_before_month: bool = False) -> int:
    """The year that puts month/day closest before (or at) the reference date."""
    if strictly_before_month:
        return ref.year if month < ref.month else ref.year - 1
    return ref.year if (month, day) <= (ref.month, ref.day) else ref.year - 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    """A date, or None when the day does not exist."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


Handler = Callable[[re.Match[str], date], tuple[date, date, str, bool] | None]


def _patterns() -> list[tuple[re.Pattern[str], Handler, tuple[str, ...]]]:
    """The date patterns and their resolvers, most specific first."""
    months, weekdays, numbers = _calendar()
    month = f"(?P<month>{_alternation(months)})"
    month2 = f"(?:\\s*[/(]\\s*(?:{_alternation(months)})\\s*\\)?)?"
    weekday = f"(?P<weekday>{_alternation(weekdays)})"
    num = f"(?P<num>\\d{{1,2}}|{_alternation(numbers)})"
    prev = f"(?P<prev>{_arabic_alternation(_RELATIVE)})"
    part = f"(?P<part>{_arabic_alternation(_PARTS)})"
    pre = r"(?<!\w)[وفبل]?(?:ال)?"

    def to_int(text: str) -> int:
        return int(text) if text.isdigit() else numbers.get(text, 0)

    def absolute_day(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        day = to_int(m.group("num"))
        mon = months[m.group("month")]
        year_text = m.group("year")
        if year_text:
            found = _safe_date(int(year_text), mon, day)
            return (found, found, "day", False) if found else None
        year = _recent_year(ref, mon, day)
        found = _safe_date(year, mon, day)
        return (found, found, "day", True) if found else None

    def numeric(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        found = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        return (found, found, "day", False) if found else None

    def part_of_named_month(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        mon = months[m.group("month")]
        year_text = m.group("year")
        strict = bool(m.group("prev")) and m.group("prev") not in _CURRENT
        year = int(year_text) if year_text else _recent_year(ref, mon, 1, strictly_before_month=strict)
        start, end = _month_part(year, mon, _PARTS[m.group("part")])
        return start, end, "month_part", not year_text

    def named_month(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        mon = months[m.group("month")]
        year_text = m.group("year")
        year = int(year_text) if year_text else _recent_year(ref, mon, 1)
        return date(year, mon, 1), date(year, mon, _month_end(year, mon)), "month", not year_text

    def offset_of(word: str) -> int:
        return 0 if word in _CURRENT else -1

    def part_of_relative_month(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        year, mon = _shift_month(ref, offset_of(m.group("prev")))
        start, end = _month_part(year, mon, _PARTS[m.group("part")])
        return start, end, "month_part", True

    def day_of_relative_month(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        year, mon = _shift_month(ref, offset_of(m.group("prev")))
        found = _safe_date(year, mon, to_int(m.group("num")))
        return (found, found, "day", True) if found else None

    def relative_month(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        year, mon = _shift_month(ref, offset_of(m.group("prev")))
        return date(year, mon, 1), date(year, mon, _month_end(year, mon)), "month", True

    def relative_week(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        monday = ref - timedelta(days=ref.weekday())
        if m.group("prev") in _CURRENT:
            return monday, ref, "week", True
        return monday - timedelta(days=7), monday - timedelta(days=1), "week", True

    def yesterday(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        back = 2 if m.group("first") else 1
        day = ref - timedelta(days=back)
        return day, day, "day", True

    def today(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        return ref, ref, "day", True

    def on_weekday(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        back = (ref.weekday() - weekdays[m.group("weekday")]) % 7
        if back == 0 and m.group("prev"):
            back = 7
        day = ref - timedelta(days=back)
        return day, day, "day", True

    def ago(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        unit = m.group("unit")
        count_text = m.group("count")
        vague = count_text in (None, "عده", "بضعه", "few", "several") and unit in _PLURAL_UNITS
        if vague:  # "قبل أيام" / "منذ أسابيع": an open range back from the reference date
            back = _VAGUE_AGO.get(unit, (180, 30))
            return ref - timedelta(days=back[0]), ref - timedelta(days=back[1]), "range", True
        count = 1
        if count_text and count_text not in ("a", "one"):
            count = to_int(count_text) or 1
        days = count * _UNITS[unit]
        if days <= 2:
            day = ref - timedelta(days=days)
            return day, day, "day", True
        center = ref - timedelta(days=days)
        if days <= 21:
            return center - timedelta(days=3), center + timedelta(days=3), "week", True
        return center - timedelta(days=15), center + timedelta(days=15), "range", True

    def within_recent(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        span = _RECENT_SPAN[m.group("unit")]
        return ref - timedelta(days=span), ref, "range", True

    def year_only(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        year = int(m.group("year"))
        return date(year, 1, 1), date(year, 12, 31), "range", False

    def last_year(m: re.Match[str], ref: date) -> tuple[date, date, str, bool] | None:
        year = ref.year - 1 if m.group("prev") not in _CURRENT else ref.year
        return date(year, 1, 1), date(year, 12, 31), "range", True

    en_month = month
    specs: list[tuple[str, Handler]] = [
        (r"(?<!\d)(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)", numeric),
        (r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)", numeric),
        (
            pre
            + _TIME_OF_DAY
            + r"(?:(?:يوم|في|بتاريخ)\s+)?(?:ال)?"
            + num
            + r"\s+(?:من\s+)?(?:شهر\s+)?"
            + month
            + month2
            + r"(?:\s+(?:من\s+)?(?:عام\s+|العام\s+|سنه\s+)?(?P<year>\d{4}))?(?:\s+(?:ال)?"
            + prev
            + ")?(?!\\w)",
            absolute_day,
        ),
        (
            r"(?<!\w)(?:on\s+)?" + en_month + r"\s+(?P<num>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?(?!\w)",
            absolute_day,
        ),
        (
            pre + part + r"\s+(?:شهر\s+)?" + month + month2 + r"(?:\s+(?:من\s+)?(?:عام\s+|العام\s+)?(?P<year>\d{4}))?"
            r"(?:\s+(?:ال)?" + prev + ")?(?!\\w)",
            part_of_named_month,
        ),
        (
            r"(?<!\w)(?P<part>early|mid|late)[\s-]+" + en_month + r"(?:\s+(?P<year>\d{4}))?(?P<prev>)(?!\w)",
            part_of_named_month,
        ),
        (
            pre + r"شهر\s+" + month + month2 + r"(?:\s+(?:من\s+)?(?:عام\s+|العام\s+)?(?P<year>\d{4}))?(?!\w)",
            named_month,
        ),
        (r"(?<!\w)" + month + r"\s+(?P<year>\d{4})(?!\d)", named_month),
        (pre + _TIME_OF_DAY + part + r"\s+(?:ال)?شهر\s+(?:ال)?" + prev + r"(?!\w)", part_of_relative_month),
        (
            r"(?<!\w)(?P<part>early|mid|late|the beginning of|the end of)[\s-]+(?:this|last)?\s*month(?P<prev>)(?!\w)",
            lambda m, ref: part_of_relative_month(m, ref),
        ),
        (
            r"(?<!\w)(?P<part>earlier)\s+this\s+month",
            lambda m, ref: (date(ref.year, ref.month, 1), ref, "month_part", True),
        ),
        (
            pre
            + _TIME_OF_DAY
            + r"(?:(?:يوم|في)\s+)?(?:ال)?"
            + num
            + r"\s+(?:من\s+)?(?:ال)?شهر\s+(?:ال)?"
            + prev
            + r"(?!\w)",
            day_of_relative_month,
        ),
        (pre + r"شهر\s+(?:ال)?" + prev + r"(?!\w)", relative_month),
        (
            r"(?<!\w)(?P<prev>last|this)\s+month(?!\w)",
            lambda m, ref: relative_month(m, ref) if m.group("prev") == "this" else _previous_month(ref),
        ),
        (pre + r"(?:اسبوع)\s+(?:ال)?" + prev + r"(?!\w)", relative_week),
        (r"(?<!\w)(?P<prev>last|this)\s+week(?!\w)", relative_week),
        (
            pre + _TIME_OF_DAY + r"(?:يوم\s+)?(?:امس|البارحه)(?P<first>\s+(?:ال)?اول)?(?:\s+" + weekday + r")?(?!\w)",
            yesterday,
        ),
        (r"(?<!\w)(?:yesterday|last night)(?P<first>)(?!\w)", yesterday),
        (
            r"(?<!\w)[وفب]?(?:(?:فجر|صباح|ظهر|عصر|مساء|ليل|ليله)\s+)?(?:ال|لل)يوم(?:\s+"
            + weekday
            + r")?(?!\s+(?:ال)?(?:ثاني|ثالث|رابع|خامس|سادس|سابع|اول|تالي|نفسه|ذاته|التالي))(?!\w)",
            today,
        ),
        (r"(?<!\w)(?:today|this morning|this evening|tonight|earlier today)(?!\w)", today),
        (
            pre + _TIME_OF_DAY + r"(?:يوم\s+)?" + weekday + r"(?:\s+(?:ال)?(?P<prev>ماضي|فايت|فائت|منصرم))?(?!\w)",
            on_weekday,
        ),
        (r"(?<!\w)(?:on\s+|last\s+)?" + weekday + r"(?P<prev>)(?!\w)", on_weekday),
        (pre + r"(?:عام|سنه)\s+(?P<year>\d{4})(?!\d)", year_only),
        (
            r"(?<!\w)[وف]?(?:قبل|منذ)\s+(?:(?P<count>\d{1,2}|" + _alternation(numbers) + r"|عده|بضعه)\s+)?"
            r"(?P<unit>يومين|يوم|ايام|اسبوعين|اسبوع|اسابيع|شهرين|شهر|اشهر|شهور|سنه|عام)(?!\w)",
            ago,
        ),
        (
            r"(?<!\w)(?P<count>a|one|two|three|four|five|six|\d{1,2})\s+(?P<unit>days|day|weeks|week|months|month)\s+ago(?!\w)",
            ago,
        ),
        (
            r"(?<!\w)[وف]?خلال\s+(?:ال)?(?P<unit>ايام|اسابيع|اشهر)\s+(?:ال)?(?:قليله\s+)?(?:ال)?(?:ماضيه|اخيره|فايته)(?!\w)",
            within_recent,
        ),
        (r"(?<!\w)(?:in\s+)?the\s+past\s+(?:few\s+)?(?P<unit>days|weeks|months)(?!\w)", within_recent),
        (pre + r"(?:عام|سنه)\s+(?:ال)?" + prev + r"(?!\w)", last_year),
    ]
    month_words, weekday_words = _MONTHS_MARK, _WEEKDAYS_MARK
    anchors: list[tuple[str, ...]] = [
        ("/", "-"),
        ("-",),
        month_words,
        month_words,
        month_words,
        month_words,
        month_words,
        month_words,
        ("شهر",),
        ("month",),
        ("month",),
        ("شهر",),
        ("شهر",),
        ("month",),
        ("اسبوع",),
        ("week",),
        ("امس", "البارحه"),
        ("yesterday", "last night"),
        ("يوم",),
        ("today", "tonight", "this morning", "this evening"),
        weekday_words,
        weekday_words,
        ("عام", "سنه"),
        ("قبل", "منذ"),
        ("ago",),
        ("خلال",),
        ("past",),
        ("عام", "سنه"),
    ]
    assert len(anchors) == len(specs)
    return [(re.compile(regex), handler, words) for (regex, handler), words in zip(specs, anchors, strict=True)]


def _previous_month(ref: date) -> tuple[date, date, str, bool]:
    """The whole month before the reference date."""
    year, mon = _shift_month(ref, -1)
    return date(year, mon, 1), date(year, mon, _month_end(year, mon)), "month", True


_COMPILED: list[tuple[re.Pattern[str], Handler, tuple[str, ...]]] = []
_ANCHOR_WORDS: dict[tuple[str, ...], tuple[str, ...]] = {}  # month and weekday names, filled on first use
_WORD = re.compile(r"\w+")
_MONTHS_MARK: tuple[str, ...] = ("<month>",)
_WEEKDAYS_MARK: tuple[str, ...] = ("<weekday>",)
_RANGE_JOINER = re.compile(r"^\s*(?:و|وحتى|حتى|الى|ولغايه|لغايه|-|–|to|until|and|through)\s*(?:ال)?$")


def find_dates(
    norm: str,
    published: date | None,
    calendar_at: dict[str, list[int]] | None = None,
    word_starts: list[int] | None = None,
) -> list[DatePhrase]:
    """Every date phrase in normalised text, resolved (against a stand-in reference when `published` is None).

    Each pattern is tried only where one of its anchor words occurs, starting at that word or one of the four
    words before it; trying every pattern at every position of the text is several times slower.
    """
    if not _COMPILED:
        _COMPILED.extend(_patterns())
        months, weekdays, _ = _calendar()
        _ANCHOR_WORDS[_MONTHS_MARK] = tuple(months)
        _ANCHOR_WORDS[_WEEKDAYS_MARK] = tuple(weekdays)
    ref = published or STAND_IN_REFERENCE
    starts = word_starts if word_starts is not None else [m.start() for m in _WORD.finditer(norm)]
    found: list[DatePhrase] = []
    taken: list[tuple[int, int]] = []
    anchor_positions: dict[tuple[str, ...], list[int]] = {}  # several patterns share anchor words: find them once
    for regex, handler, anchors in _COMPILED:
        known = None
        if calendar_at is not None and anchors in (_MONTHS_MARK, _WEEKDAYS_MARK):
            known = calendar_at.get("month" if anchors is _MONTHS_MARK else "weekday", [])
        words = _ANCHOR_WORDS.get(anchors, anchors)
        if known is None:
            known = anchor_positions.get(words)
            if known is None:
                known = anchor_positions[words] = _anchor_positions(norm, words)
        for m in _matches_near_anchors(regex, norm, starts, words, known):
            start, end = m.start(), m.end()
            if end - start < 2 or any(start < t_end and end > t_start for t_start, t_end in taken):
                continue
            resolved = handler(m, ref)
            if resolved is None:
                continue
            taken.append((start, end))
            found.append(DatePhrase(start, end, *resolved))
    found.sort(key=lambda d: d.nstart)
    return _join_ranges(norm, found)


def _word_start(norm: str, pos: int) -> int:
    """Start of the word that contains `pos`."""
    while pos > 0 and norm[pos - 1].isalnum():
        pos -= 1
    return pos


def _anchor_positions(norm: str, anchors: tuple[str, ...]) -> list[int]:
    """Where the anchor words stand as words (or after up to three clitic letters); non-word anchors anywhere."""
    positions: list[int] = []
    for word in anchors:
        pos = norm.find(word)
        while pos >= 0:
            end = pos + len(word)
            whole = (end >= len(norm) or not norm[end].isalnum()) and (
                pos == 0 or not norm[pos - 1].isalnum() or pos - _word_start(norm, pos) <= 3
            )
            if whole or not word.isalnum():
                positions.append(pos)
            pos = norm.find(word, pos + 1)
    return positions


def _matches_near_anchors(
    regex: re.Pattern[str], norm: str, starts: list[int], anchors: tuple[str, ...], known: list[int] | None = None
) -> list[re.Match[str]]:
    """Matches of `regex` that start at one of the five words ending at an anchor word's occurrence."""
    positions = set(known if known is not None else _anchor_positions(norm, anchors))
    out: list[re.Match[str]] = []
    last_end = -1
    for pos in sorted(positions):
        k = bisect_right(starts, pos) - 1
        for begin in starts[max(k - 4, 0) : k + 1] if k >= 0 else [0]:
            if begin < last_end:
                continue
            m = regex.match(norm, begin)
            if m is not None and m.end() > pos:
                out.append(m)
                last_end = m.end()
                break
    return out


def _join_ranges(norm: str, phrases: list[DatePhrase]) -> list[DatePhrase]:
    """Join "X و/حتى Y" into one range phrase."""
    out: list[DatePhrase] = []
    for phrase in phrases:
        gap = norm[out[-1].nend : phrase.nstart] if out else ""
        if out and (_RANGE_JOINER.match(gap) or (not gap.strip() and norm[phrase.nstart] in "و")):
            first = out.pop()
            start, end = min(first.start, phrase.start), max(first.end, phrase.end)
            out.append(DatePhrase(first.nstart, phrase.nend, start, end, "range", first.relative or phrase.relative))
        else:
            out.append(phrase)
    return out


_NEXT_DAY = re.compile(
    r"(?<!\w)(?:(?:في|خلال|وفي)\s+)?(?:ال)?يوم\s+التالي(?!\w)|(?<!\w)(?:on\s+)?the\s+(?:next|following)\s+day(?!\w)"
    r"|(?<!\w)a\s+day\s+later(?!\w)"
)
_DAY_AFTER = re.compile(r"(?<!\w)(?:بعد\s+يوم\s+(?:واحد\s+)?من|a\s+day\s+after)(?!\w)")
_NEXT_DAY_ANCHORS = ("التالي", "next", "following", "later")
_DAY_AFTER_ANCHORS = ("بعد يوم", "day after")  # norm has single spaces


def find_chained_dates(norm: str) -> list[DatePhrase]:
    """Dates told from the event before: "اليوم التالي", "the next day" (+1); "بعد يوم من", "a day after" (±1).

    "a day after" gets follows=+1 here; the extractor turns it into -1 when the event it dates is named right
    after the phrase ("بعد يوم من استهداف ..." = the strike came one day before the event told before).
    """
    out = [
        DatePhrase(m.start(), m.end(), STAND_IN_REFERENCE, STAND_IN_REFERENCE, "day", True, 1)
        for regex, anchors in ((_NEXT_DAY, _NEXT_DAY_ANCHORS), (_DAY_AFTER, _DAY_AFTER_ANCHORS))
        if any(word in norm for word in anchors)  # "بعد" alone is everywhere: look for the whole phrase first
        for m in regex.finditer(norm)
    ]
    return sorted(out, key=lambda d: d.nstart)
