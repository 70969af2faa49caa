"""Realistic test data for the warehouse: invented Arabic reports of invented events, in pipeline form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from extraction.textnorm import content_hash

EXTRACTOR = "test-extractor-1"

NDF = {"name": "National Defence Forces", "name_ar": "الدفاع الوطني", "actor_type": "Political militia"}
IRGC = {"name": "Islamic Revolutionary Guard Corps", "name_ar": "الحرس الثوري", "actor_type": "External/Other forces"}
FATEMIYOUN = {"name": "Fatemiyoun Brigade", "name_ar": "لواء فاطميون", "actor_type": "External/Other forces"}
IS = {"name": "Islamic State", "name_ar": "داعش", "actor_type": "Rebel group"}
SDF = {"name": "Syrian Democratic Forces", "name_ar": "قسد", "actor_type": "Rebel group"}
SAA = {"name": "Syrian Arab Army", "name_ar": "قوات النظام", "actor_type": "State forces"}
RUSSIA = {"name": "Russian Air Force", "name_ar": "الطيران الروسي", "actor_type": "External/Other forces"}
MIL_SEC = {"name": "Military Security", "name_ar": "الأمن العسكري", "actor_type": "State forces"}
CIVILIANS = {"name": "Civilians", "name_ar": "مدنيين", "actor_type": "Civilians"}

MAYADIN = {"name": "al-Mayadin", "name_ar": "الميادين", "admin1": "Deir ez-Zor", "admin2": "al-Mayadin",
           "admin3": "al-Mayadin", "pcode": "C4546", "lat": 35.0194, "lon": 40.4517, "geo_precision": 1}
AIN_ALI = {"name": "Ain Ali", "name_ar": "عين علي", "admin1": "Deir ez-Zor", "admin2": "al-Mayadin",
           "admin3": "al-Mayadin", "pcode": None, "lat": 34.9892, "lon": 40.5586, "geo_precision": 2}
DEIR_GOV = {"name": "Deir ez-Zor", "name_ar": "دير الزور", "admin1": "Deir ez-Zor", "admin2": None, "admin3": None,
            "pcode": "SY09", "lat": 35.3359, "lon": 40.1408, "geo_precision": 3}
DEIR_CITY = {"name": "Deir ez-Zor city", "name_ar": "مدينة دير الزور", "admin1": "Deir ez-Zor",
             "admin2": "Deir ez-Zor", "admin3": "Deir ez-Zor", "pcode": "C4370", "lat": 35.3359, "lon": 40.1408,
             "geo_precision": 1}
HAJIN = {"name": "Hajin", "name_ar": "هجين", "admin1": "Deir ez-Zor", "admin2": "Abu Kamal", "admin3": "Hajin",
         "pcode": "C4599", "lat": 34.6961, "lon": 40.8325, "geo_precision": 1}
BUKAMAL = {"name": "al-Bukamal", "name_ar": "البوكمال", "admin1": "Deir ez-Zor", "admin2": "Abu Kamal",
           "admin3": "Abu Kamal", "pcode": "C4588", "lat": 34.4536, "lon": 40.9186, "geo_precision": 1}
SUKHNAH = {"name": "al-Sukhnah", "name_ar": "السخنة", "admin1": "Homs", "admin2": "Tadmor", "admin3": "al-Sukhnah",
           "pcode": "C2795", "lat": 34.8836, "lon": 38.8731, "geo_precision": 2}

ACLED = {
    "armed_clash": ("Battles", "Armed clash"),
    "attack": ("Violence against civilians", "Attack"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "abduction": ("Violence against civilians", "Abduction/forced disappearance"),
    "arrest": ("Strategic developments", "Arrests"),
}


def event(event_type: str, actors: list[tuple[dict[str, str], str]], location: dict[str, Any], start: str,
          end: str | None, precision: str, date_text: str, fatalities: int | None, evidence: str, text: str,
          injured: int | None = None, confidence: float = 0.8) -> dict[str, Any]:
    """Build one EVENTS.md event object whose evidence is a real sentence of the text."""
    begin = text.index(evidence)
    acled_type, acled_sub = ACLED[event_type]
    return {
        "event_type": event_type, "acled_event_type": acled_type, "acled_sub_event_type": acled_sub,
        "actors": [{**actor, "role": role} for actor, role in actors],
        "location": dict(location), "date_start": start, "date_end": end or start, "date_precision": precision,
        "date_text": date_text, "fatalities": fatalities, "fatalities_vague": False,
        "injured": injured, "injured_vague": False, "evidence": evidence,
        "span": [begin, begin + len(evidence)], "confidence": confidence,
    }


def article(source: str, url: str, title: str, published: date | None, text: str) -> dict[str, Any]:
    """Build one pipeline article dict (content hash from the project's own text hashing)."""
    return {
        "content_hash": content_hash(text), "url": url, "final_url": url, "source": source, "title": title,
        "published": published, "language": "ar", "text": text,
        "fetched_at": datetime(2021, 5, 10, 8, 0, tzinfo=UTC), "archive_path": None,
    }


A1_TEXT = (
    "اندلعت اشتباكات عنيفة مساء أمس السبت بين عناصر من ميليشيا الدفاع الوطني وعناصر من الحرس الثوري الإيراني "
    "في مدينة الميادين بريف دير الزور الشرقي.\n"
    "وأسفرت الاشتباكات عن مقتل ثلاثة عناصر من الدفاع الوطني وعنصر من الحرس الثوري، بحسب مصادر محلية.\n"
    "وكان عنصر من الحرس الثوري قد أطلق النار على عنصر في الدفاع الوطني في منطقة عين علي مطلع الشهر الفائت "
    "ما أدى إلى مقتله."
)
A2_TEXT = (
    "قُتل أربعة عناصر في اشتباكات دارت ليل السبت بين الدفاع الوطني والحرس الثوري وسط مدينة الميادين.\n"
    "وقالت مصادر للموقع إن الخلاف بدأ على حاجز عند مدخل المدينة.\n"
    "ويذكر أن عنصراً من الحرس الثوري قتل عنصراً من الدفاع الوطني قرب عين علي مطلع الشهر الماضي."
)
A3_TEXT = (
    "شهدت محافظة دير الزور أمس اشتباكات بين مجموعات من الدفاع الوطني وميليشيات إيرانية.\n"
    "وأفاد ناشطون بمقتل ستة مسلحين خلال الاشتباكات التي استمرت ساعات."
)
A4_TEXT = (
    "قصفت قوات النظام بقذائف الهاون صباح أمس بلدة هجين في ريف دير الزور الشرقي.\n"
    "وأدى القصف إلى مقتل مدنيين اثنين وإصابة خمسة آخرين بجروح."
)
A5_TEXT = (
    "تجددت الاشتباكات أمس الجمعة بين الدفاع الوطني والحرس الثوري في حي الجسر بمدينة الميادين.\n"
    "وقُتل عنصر من الدفاع الوطني وأصيب ثلاثة آخرون في الاشتباك."
)
A6_TEXT = (
    "شن الطيران الروسي أمس غارات جوية على مواقع لتنظيم داعش في بادية السخنة شرقي حمص.\n"
    "وأسفرت الغارات عن مقتل اثني عشر عنصراً من التنظيم."
)
A7_TEXT = (
    "اختطفت دورية من الحرس الثوري ولواء فاطميون شابين من أبناء مدينة البوكمال أمس الاثنين.\n"
    "واقتادت الدورية الشابين إلى جهة مجهولة."
)
A9_TEXT = (
    "شن الأمن العسكري حملة دهم واعتقالات في أحياء مدينة دير الزور أمس الإثنين.\n"
    "وطالت الحملة عشرات الشبان بتهمة التخلف عن الخدمة."
)
A10_TEXT = (
    "هاجمت خلية لتنظيم داعش نقطة لقوات قسد في بلدة هجين ليل السبت واندلعت اشتباكات بين الطرفين.\n"
    "وقتل عنصران من قسد في الهجوم."
)


def sample_articles() -> list[dict[str, Any]]:
    """Return the sample articles (A8 repeats A1's text under another outlet's URL)."""
    return [
        article("deirezzor24", "https://deirezzor24.example/news/1001",
                "اشتباكات بين الدفاع الوطني والحرس الثوري في الميادين", date(2021, 3, 14), A1_TEXT),
        article("euphrates-post", "https://euphrates-post.example/2021/03/14/mayadin-clash",
                "مقتل أربعة عناصر في اشتباكات بالميادين", date(2021, 3, 14), A2_TEXT),
        article("sham-monitor", "https://sham-monitor.example/p/5521", "اشتباكات في ريف دير الزور",
                date(2021, 3, 15), A3_TEXT),
        article("deirezzor24", "https://deirezzor24.example/news/1017", "قصف بالهاون على هجين", date(2021, 3, 21),
                A4_TEXT),
        article("euphrates-post", "https://euphrates-post.example/2021/04/03/mayadin-again",
                "تجدد الاشتباكات في الميادين", date(2021, 4, 3), A5_TEXT),
        article("sham-monitor", "https://sham-monitor.example/p/5702", "غارات روسية على بادية السخنة",
                date(2021, 4, 11), A6_TEXT),
        article("deirezzor24", "https://deirezzor24.example/news/1105", "اختطاف شابين في البوكمال", date(2021, 5, 4),
                A7_TEXT),
        article("aggregator-news", "https://aggregator.example/story/88812", "اشتباكات الميادين", date(2021, 3, 14),
                A1_TEXT),
        article("euphrates-post", "https://euphrates-post.example/2021/04/20/arrests", "حملة اعتقالات في دير الزور",
                date(2021, 4, 20), A9_TEXT),
        article("sham-monitor", "https://sham-monitor.example/p/5530", "هجوم لداعش على قسد في هجين",
                date(2021, 3, 14), A10_TEXT),
    ]


def sample_events() -> dict[str, list[dict[str, Any]]]:
    """Return the hand-made events of each sample article, keyed by content hash."""
    return {
        content_hash(A1_TEXT): [
            event("armed_clash", [(NDF, "actor1"), (IRGC, "actor2")], MAYADIN, "2021-03-13", None, "day",
                  "مساء أمس السبت", 4, "وأسفرت الاشتباكات عن مقتل ثلاثة عناصر من الدفاع الوطني وعنصر من الحرس الثوري",
                  A1_TEXT),
            event("attack", [(IRGC, "actor1"), (NDF, "actor2")], AIN_ALI, "2021-02-01", "2021-02-10", "month_part",
                  "مطلع الشهر الفائت", 1, "وكان عنصر من الحرس الثوري قد أطلق النار على عنصر في الدفاع الوطني",
                  A1_TEXT, confidence=0.6),
        ],
        content_hash(A2_TEXT): [
            event("armed_clash", [(NDF, "actor1"), (IRGC, "actor2")], MAYADIN, "2021-03-13", None, "day",
                  "ليل السبت", 4, "قُتل أربعة عناصر في اشتباكات دارت ليل السبت", A2_TEXT),
            event("attack", [(IRGC, "actor1"), (NDF, "actor2")], AIN_ALI, "2021-02-01", "2021-02-10", "month_part",
                  "مطلع الشهر الماضي", 1, "ويذكر أن عنصراً من الحرس الثوري قتل عنصراً من الدفاع الوطني", A2_TEXT),
        ],
        content_hash(A3_TEXT): [
            event("armed_clash", [(NDF, "actor1")], DEIR_GOV, "2021-03-14", None, "day", "أمس", 6,
                  "وأفاد ناشطون بمقتل ستة مسلحين", A3_TEXT, confidence=0.5),
        ],
        content_hash(A4_TEXT): [
            event("shelling", [(SAA, "actor1"), (CIVILIANS, "actor2")], HAJIN, "2021-03-20", None, "day", "صباح أمس",
                  2, "وأدى القصف إلى مقتل مدنيين اثنين", A4_TEXT, injured=5),
        ],
        content_hash(A5_TEXT): [
            event("armed_clash", [(NDF, "actor1"), (IRGC, "actor2")], MAYADIN, "2021-04-02", None, "day",
                  "أمس الجمعة", 1, "وقُتل عنصر من الدفاع الوطني وأصيب ثلاثة آخرون", A5_TEXT, injured=3),
        ],
        content_hash(A6_TEXT): [
            event("airstrike", [(RUSSIA, "actor1"), (IS, "actor2")], SUKHNAH, "2021-04-10", None, "day", "أمس", 12,
                  "وأسفرت الغارات عن مقتل اثني عشر عنصراً", A6_TEXT),
        ],
        content_hash(A7_TEXT): [
            event("abduction", [(IRGC, "actor1"), (FATEMIYOUN, "assoc_actor_1"), (CIVILIANS, "actor2")], BUKAMAL,
                  "2021-05-03", None, "day", "أمس الاثنين", None, "اختطفت دورية من الحرس الثوري ولواء فاطميون شابين",
                  A7_TEXT),
        ],
        content_hash(A9_TEXT): [
            event("arrest", [(MIL_SEC, "actor1"), (CIVILIANS, "actor2")], DEIR_CITY, "2021-04-19", None, "day",
                  "أمس الإثنين", None, "شن الأمن العسكري حملة دهم واعتقالات", A9_TEXT),
        ],
        content_hash(A10_TEXT): [
            event("armed_clash", [(IS, "actor1"), (SDF, "actor2"), (CIVILIANS, "associated")], HAJIN, "2021-03-13",
                  None, "day", "ليل السبت", 2,
                  "وقتل عنصران من قسد في الهجوم", A10_TEXT),
        ],
    }


def fetch_records(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one successful fetch per article plus a few failures (transient and permanent)."""
    at = datetime(2021, 5, 10, 8, 0, tzinfo=UTC)
    records = [{"source": a["source"], "url": a["url"], "status": 200, "ok": True, "reason": "ok",
                "bytes": len(a["text"].encode()), "duration_ms": 120.0, "stage": "fetch", "at": at}
               for a in articles]
    records += [
        {"source": "deirezzor24", "url": "https://deirezzor24.example/news/999", "status": 404, "ok": False,
         "reason": "http_404", "bytes": 312, "duration_ms": 80.0, "stage": "fetch", "at": at},
        {"source": "deirezzor24", "url": "https://deirezzor24.example/news/1200", "status": None, "ok": False,
         "reason": "timeout", "bytes": 0, "duration_ms": 15000.0, "stage": "fetch", "at": at},
        {"source": "sham-monitor", "url": "https://sham-monitor.example/p/5800", "status": 503, "ok": False,
         "reason": "http_503", "bytes": 0, "duration_ms": 300.0, "stage": "fetch", "at": at},
        {"source": "sham-monitor", "url": "https://sham-monitor.example/p/5801", "status": 200, "ok": False,
         "reason": "empty", "bytes": 900, "duration_ms": 200.0, "stage": "extract", "at": at},
    ]
    return records


def load_samples(con: Any, run_id: str) -> dict[str, int]:
    """Load every sample article as one batch per source, the way the ingest flow does; return summed counts."""
    from warehouse import load_batch

    articles = sample_articles()
    events = sample_events()
    records = fetch_records(articles)
    totals: dict[str, int] = {}
    for source in sorted({a["source"] for a in articles}):
        mine = [a for a in articles if a["source"] == source]
        counts = load_batch(con, run_id, source, mine, events, [r for r in records if r["source"] == source],
                            EXTRACTOR)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return totals


PLACES: list[dict[str, Any]] = [MAYADIN, HAJIN, BUKAMAL, DEIR_CITY, AIN_ALI, SUKHNAH]
ACTOR_PAIRS = [(NDF, IRGC), (IS, SDF), (SAA, CIVILIANS), (IRGC, CIVILIANS), (RUSSIA, IS)]
PLACE_WORDS = {"al-Mayadin": "الميادين", "Hajin": "هجين", "al-Bukamal": "البوكمال", "Deir ez-Zor city": "دير الزور",
               "Ain Ali": "عين علي", "al-Sukhnah": "السخنة"}


def synthetic_batch(batch: int, size: int) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Return `size` distinct generated reports (articles and events) for load and crash tests."""
    articles: list[dict[str, Any]] = []
    events: dict[str, list[dict[str, Any]]] = {}
    for k in range(size):
        n = batch * size + k
        place = PLACES[n % len(PLACES)]
        first, second = ACTOR_PAIRS[n % len(ACTOR_PAIRS)]
        killed = n % 7
        day = date(2021, 1 + n % 12, 1 + n % 28)
        sentence = (f"قُتل {killed} عناصر في اشتباكات بين {first['name_ar']} و{second['name_ar']} "
                    f"في {PLACE_WORDS[place['name']]} يوم {day.day} من الشهر.")
        text = f"{sentence}\nتقرير رقم {n} من شبكة الرصد المحلية."
        art = article("synthetic", f"https://synthetic.example/report/{n}", f"تقرير {n}", day, text)
        articles.append(art)
        events[art["content_hash"]] = [
            event("armed_clash", [(first, "actor1"), (second, "actor2")], place, day.isoformat(), None, "day",
                  f"يوم {day.day}", killed, sentence, text),
        ]
    return articles, events
