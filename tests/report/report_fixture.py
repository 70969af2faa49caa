"""A small warehouse built through the real warehouse API from invented Arabic reports about Deir ez-Zor and Raqqa."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import warehouse
from extraction.textnorm import content_hash

EXTRACTOR = "report-test-1"
SCRIPT_EVIDENCE = "انفجار عبوة ناسفة في حي الحميدية <script>alert('x')</script> وإصابة مدنيين"
BAD_PLACE = "<img src=x onerror=alert(1)>"


@dataclass(frozen=True)
class Place:
    """A place as the extractor would give it (coordinates from the project gazetteer)."""

    name: str
    name_ar: str
    admin1: str
    admin2: str
    lat: float | None
    lon: float | None
    precision: int = 1


MAYADIN = Place("al-Mayadin", "الميادين", "Deir ez-Zor", "al-Mayadin", 35.01982, 40.45154)
JORAH = Place("al-Jorah", "الجورة", "Deir ez-Zor", "Deir ez-Zor", 35.329, 40.108)
QUSOUR = Place("al-Qusour", "القصور", "Deir ez-Zor", "Deir ez-Zor", 35.33, 40.122)
HAMIDIYAH = Place("al-Hamidiyah", "الحميدية", "Deir ez-Zor", "Deir ez-Zor", 35.3395, 40.152)
HAJIN = Place("Hajin", "هجين", "Deir ez-Zor", "Abu Kamal", 34.69508, 40.83138)
KATTAF = Place("al-Kattaf", "الكتف", "Deir ez-Zor", "Abu Kamal", 34.455, 40.925)
DHIBAN = Place("Dhiban", "ذيبان", "Deir ez-Zor", "al-Mayadin", 35.01498, 40.51028)
BUSAYRAH = Place("al-Busayrah", "البصيرة", "Deir ez-Zor", "Deir ez-Zor", 35.15618, 40.42716)
RAQQA = Place("Raqqa", "الرقة", "Raqqa", "Raqqa", 35.95283, 39.00788)
BADIA = Place("Deir ez-Zor desert", "بادية دير الزور", "Deir ez-Zor", "", None, None, 3)


@dataclass(frozen=True)
class Story:
    """One invented article and the events the extractor would find in it."""

    source: str
    slug: str
    published: date
    text: str
    events: list[dict[str, Any]]


def event(kind: str, place: Place, day: date, killed: int | None, evidence: str,
          actor1: tuple[str, str] | None = None, actor2: tuple[str, str] | None = None) -> dict[str, Any]:
    """An event object in the EVENTS.md JSON form."""
    actors = [{"name": a[0], "name_ar": a[1], "role": role}
              for a, role in ((actor1, "actor1"), (actor2, "actor2")) if a]
    location: dict[str, Any] = {"name": place.name, "name_ar": place.name_ar, "admin1": place.admin1,
                                "admin2": place.admin2 or None, "geo_precision": place.precision}
    if place.lat is not None:
        location |= {"lat": place.lat, "lon": place.lon}
    return {"event_type": kind, "actors": actors, "location": location, "date_start": day.isoformat(),
            "date_end": day.isoformat(), "date_precision": "day", "date_text": None, "fatalities": killed,
            "fatalities_vague": False, "injured": None, "evidence": evidence, "span": [0, len(evidence)],
            "confidence": 0.8}


NDF = ("National Defence Forces", "الدفاع الوطني")
IRGC = ("Islamic Revolutionary Guard Corps", "الحرس الثوري")
SDF = ("Syrian Democratic Forces", "قسد")
REGIME = ("Syrian government forces", "قوات النظام")
MILITIAS = ("Iran-backed militias", "الميليشيات الإيرانية")
ISIS = ("Islamic State", "تنظيم الدولة")
CLASH_TEXT = "اندلعت اشتباكات عنيفة بين عناصر الدفاع الوطني والحرس الثوري في مدينة الميادين أسفرت عن مقتل 8 عناصر."

STORIES = [
    Story("deirezzor24", "mayadin-clash", date(2021, 3, 20),
          CLASH_TEXT + " وكان عنصر من الميليشيات قد قتل مدنياً في حي الجورة مطلع الشهر الجاري.",
          [event("armed_clash", MAYADIN, date(2021, 3, 19), 8, CLASH_TEXT, NDF, IRGC),
           event("attack", JORAH, date(2021, 3, 2), 1, "وكان عنصر من الميليشيات قد قتل مدنياً في حي الجورة.",
                 MILITIAS)]),
    Story("furatpost", "mayadin-fighting", date(2021, 3, 20),
          "قتل ثمانية عناصر في اشتباك بين الدفاع الوطني والحرس الثوري داخل الميادين يوم أمس.",
          [event("armed_clash", MAYADIN, date(2021, 3, 19), 8,
                 "قتل ثمانية عناصر في اشتباك بين الدفاع الوطني والحرس الثوري داخل الميادين يوم أمس.", NDF, IRGC)]),
    Story("deirezzor24", "hajin-shelling", date(2021, 2, 10),
          "قصفت قوات النظام بلدة هجين بقذائف المدفعية ما أدى إلى مقتل ثلاثة مدنيين.",
          [event("shelling", HAJIN, date(2021, 2, 9), 3,
                 "قصفت قوات النظام بلدة هجين بقذائف المدفعية ما أدى إلى مقتل ثلاثة مدنيين.", REGIME)]),
    Story("furatpost", "kattaf-strike", date(2021, 2, 16),
          "استهدفت طائرات مجهولة مواقع للميليشيات الإيرانية في حي الكتف بمدينة البوكمال ما أدى إلى مقتل 12 عنصراً.",
          [event("airstrike", KATTAF, date(2021, 2, 15), 12,
                 "استهدفت طائرات مجهولة مواقع للميليشيات الإيرانية في حي الكتف بمدينة البوكمال.",
                 ("Unidentified aircraft", "طائرات مجهولة"), MILITIAS)]),
    Story("sharqnews", "dhiban-arrests", date(2021, 3, 6),
          "شنت قسد حملة دهم واعتقالات في بلدة ذيبان طالت عدداً من الشبان.",
          [event("arrest", DHIBAN, date(2021, 3, 5), None,
                 "شنت قسد حملة دهم واعتقالات في بلدة ذيبان طالت عدداً من الشبان.", SDF)]),
    Story("sharqnews", "busayrah-protest", date(2021, 1, 21),
          "خرج العشرات من أهالي البصيرة في مظاهرة احتجاجاً على ممارسات قسد.",
          [event("protest", BUSAYRAH, date(2021, 1, 20), 0,
                 "خرج العشرات من أهالي البصيرة في مظاهرة احتجاجاً على ممارسات قسد.",
                 ("Protesters", "متظاهرون"), SDF)]),
    Story("deirezzor24", "qusour-ied", date(2021, 4, 3),
          "انفجرت عبوة ناسفة بسيارة عسكرية في حي القصور بمدينة دير الزور ما أدى إلى مقتل عنصرين من قوات النظام.",
          [event("explosion", QUSOUR, date(2021, 4, 2), 2,
                 "انفجرت عبوة ناسفة بسيارة عسكرية في حي القصور بمدينة دير الزور.", None, REGIME)]),
    Story("furatpost", "raqqa-clash", date(2021, 3, 29),
          "اشتبكت قسد مع خلايا تنظيم الدولة في مدينة الرقة وقتل أربعة من عناصرها.",
          [event("armed_clash", RAQQA, date(2021, 3, 28), 4,
                 "اشتبكت قسد مع خلايا تنظيم الدولة في مدينة الرقة وقتل أربعة من عناصرها.", SDF, ISIS)]),
    Story("sharqnews", "badia-abduction", date(2021, 1, 6),
          "اختطف مسلحون مجهولون راعيين في بادية دير الزور.",
          [event("abduction", BADIA, date(2021, 1, 5), None, "اختطف مسلحون مجهولون راعيين في بادية دير الزور.",
                 ("Unidentified gunmen", "مسلحون مجهولون"))]),
    Story("sharqnews", "hamidiyah-blast", date(2021, 4, 10), SCRIPT_EVIDENCE,
          [event("explosion", HAMIDIYAH, date(2021, 4, 9), 0, SCRIPT_EVIDENCE, None, REGIME)]),
]
HOSTS = {"deirezzor24": "deirezzor24.test", "furatpost": "furatpost.test", "sharqnews": "sharqnews.test"}


def story_url(story: Story) -> str:
    """The article URL (a reserved .test domain: never resolvable)."""
    return f"https://{HOSTS[story.source]}/news/{story.slug}"


def load_stories(db_path: Path | str, stories: list[Story], refresh: bool = True) -> None:
    """Load the stories through connect_writer, start_run, load_batch and (unless told not to) refresh_incidents."""
    con = warehouse.connect_writer(db_path)
    try:
        run_id = warehouse.start_run(con, "report-tests", datetime(2021, 4, 11, tzinfo=UTC), None)
        for source in sorted({s.source for s in stories}):
            mine = [s for s in stories if s.source == source]
            articles = [{"content_hash": content_hash(s.text), "url": story_url(s), "source": s.source,
                         "title": s.slug.replace("-", " "), "published": s.published, "language": "ar",
                         "text": s.text, "fetched_at": datetime(2021, 4, 11, tzinfo=UTC)} for s in mine]
            events = {content_hash(s.text): s.events for s in mine}
            warehouse.load_batch(con, run_id, source, articles, events, [], EXTRACTOR)
        if refresh:
            warehouse.refresh_incidents(con, search_index=False)
        warehouse.finish_run(con, run_id, "completed", {"events": sum(len(s.events) for s in stories)},
                             datetime(2021, 4, 11, 1, tzinfo=UTC))
    finally:
        con.close()


def located_points(stories: list[Story], keep: Any = None) -> set[tuple[float, float]]:
    """Distinct coordinates of the stories' located events (optionally only events passing keep)."""
    return {(round(e["location"]["lat"], 4), round(e["location"]["lon"], 4))
            for s in stories for e in s.events
            if "lat" in e["location"] and (keep is None or keep(e))}


# A wider set for the browser test's screenshot: one invented report per row, worded from a per-type template.
TEMPLATES = {
    "armed_clash": "اندلعت اشتباكات بين {a1} و{a2} في {place} أسفرت عن مقتل {n} عناصر.",
    "shelling": "قصفت {a1} {place} بقذائف الهاون ما أدى إلى مقتل {n} مدنيين.",
    "airstrike": "استهدفت غارة جوية مواقع {a2} قرب {place} وقتل فيها {n} عناصر.",
    "explosion": "انفجرت عبوة ناسفة في {place} استهدفت سيارة تابعة لـ{a2} وقتل {n} أشخاص.",
    "attack": "هاجم مسلحون يتبعون {a1} حاجزاً في {place} وقتل {n} من عناصره.",
    "arrest": "شنت {a1} حملة دهم واعتقالات في {place} طالت عدداً من الشبان.",
    "reinforcement": "وصلت تعزيزات عسكرية تابعة لـ{a1} إلى {place} قادمة من البادية.",
    "protest": "تظاهر العشرات من أهالي {place} احتجاجاً على ممارسات {a2}.",
    "abduction": "اختطف عناصر من {a1} شاباً من أهالي {place} واقتادوه إلى جهة مجهولة.",
}
HARABESH = Place("Harabesh", "هرابش", "Deir ez-Zor", "Deir ez-Zor", 35.321, 40.178)
JUBAYLAH = Place("al-Jubaylah", "الجبيلة", "Deir ez-Zor", "Deir ez-Zor", 35.334, 40.165)
HUWAYQAH = Place("al-Huwayqah", "الحويقة", "Deir ez-Zor", "Deir ez-Zor", 35.345, 40.13)
KHUSHAM = Place("Khusham", "خشام", "Deir ez-Zor", "Deir ez-Zor", 35.30088, 40.28916)
SUBAYKHAN = Place("Subaykhan", "سبيخان", "Deir ez-Zor", "al-Mayadin", 34.85305, 40.59987)
ASHARAH = Place("al-Asharah", "العشارة", "Deir ez-Zor", "al-Mayadin", 34.92133, 40.56007)
SUSAH = Place("al-Susah", "السوسة", "Deir ez-Zor", "Abu Kamal", 34.53366, 40.95819)
MUHASAN = Place("Muhasan", "موحسن", "Deir ez-Zor", "Deir ez-Zor", 35.23349, 40.3166)
TIBNI = Place("al-Tibni", "التبني", "Deir ez-Zor", "Deir ez-Zor", 35.6117, 39.8181)
ABUKAMAL = Place("Albu Kamal", "البوكمال", "Deir ez-Zor", "Abu Kamal", 34.45226, 40.91854)
TADMUR = Place("Tadmur", "تدمر", "Homs", "Tadmur", 34.5624, 38.28402)
TALL_ABYAD = Place("Tall Abyad", "تل أبيض", "Raqqa", "Tell Abyad", 36.69648, 38.95382)
TALL_TAMR = Place("Tall Tamr", "تل تمر", "Al-Hasakah", "Al-Hasakah", 36.65556, 40.37079)
TAFAS = Place("Tafas", "طفس", "Daraa", "Daraa", 32.73709, 36.06654)
RUSSIA = ("Russian forces", "القوات الروسية")
TURKEY = ("Turkish-backed factions", "الفصائل الموالية لتركيا")
TRIBES = ("Tribal fighters", "مقاتلو العشائر")
WIDE_ROWS: list[tuple[str, Place, date, int | None, tuple[str, str] | None, tuple[str, str] | None]] = [
    ("armed_clash", HARABESH, date(2021, 1, 8), 3, REGIME, ISIS),
    ("shelling", KHUSHAM, date(2021, 1, 12), 2, REGIME, SDF),
    ("attack", SUBAYKHAN, date(2021, 1, 15), 4, ISIS, SDF),
    ("reinforcement", ABUKAMAL, date(2021, 1, 18), None, MILITIAS, None),
    ("airstrike", TADMUR, date(2021, 1, 24), 9, RUSSIA, ISIS),
    ("explosion", ASHARAH, date(2021, 1, 27), 2, None, SDF),
    ("arrest", MUHASAN, date(2021, 2, 1), None, REGIME, None),
    ("armed_clash", TALL_TAMR, date(2021, 2, 3), 5, SDF, TURKEY),
    ("abduction", TIBNI, date(2021, 2, 5), None, MILITIAS, None),
    ("attack", JUBAYLAH, date(2021, 2, 20), 1, MILITIAS, None),
    ("armed_clash", SUSAH, date(2021, 2, 23), 6, SDF, ISIS),
    ("shelling", TALL_ABYAD, date(2021, 2, 26), 3, TURKEY, SDF),
    ("protest", HUWAYQAH, date(2021, 3, 1), 0, None, MILITIAS),
    ("airstrike", ABUKAMAL, date(2021, 3, 9), 7, None, MILITIAS),
    ("armed_clash", ASHARAH, date(2021, 3, 12), 2, TRIBES, SDF),
    ("attack", TAFAS, date(2021, 3, 15), 2, None, REGIME),
    ("explosion", HARABESH, date(2021, 3, 23), 3, None, REGIME),
    ("reinforcement", MAYADIN, date(2021, 3, 25), None, MILITIAS, None),
    ("armed_clash", SUBAYKHAN, date(2021, 4, 5), 4, ISIS, SDF),
    ("shelling", HAJIN, date(2021, 4, 7), 1, REGIME, None),
    ("arrest", DHIBAN, date(2021, 4, 8), None, SDF, None),
]


def wide_stories() -> list[Story]:
    """The unit-test stories plus one templated report per WIDE_ROWS row."""
    sources = sorted(HOSTS)
    out = list(STORIES)
    for n, (kind, place, day, killed, actor1, actor2) in enumerate(WIDE_ROWS):
        text = TEMPLATES[kind].format(a1=actor1[1] if actor1 else "مسلحين مجهولين",
                                      a2=actor2[1] if actor2 else "قوات النظام", place=place.name_ar, n=killed or 0)
        out.append(Story(sources[n % len(sources)], f"wide-{n}", day, text,
                         [event(kind, place, day, killed, text, actor1, actor2)]))
    return out
