"""Invented Arabic news reports for the whole-pipeline tests, generated so that every one has distinct text.

The reports are ours: short accounts of invented incidents in Deir ez-Zor towns, built from a few
sentence patterns with varying places, sides, numbers and days, plus one sentence naming the report's
number, so no two texts share a content hash unless a test repeats one on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

PLACES = ("الميادين", "هجين", "البصيرة", "الشحيل", "ذيبان", "البوكمال", "العشارة", "القورية", "موحسن", "صبيخان")
SIDES = (
    ("قوات الدفاع الوطني", "مسلحين مجهولين"),
    ("الحرس الثوري الإيراني", "عناصر من تنظيم داعش"),
    ("قوات سوريا الديمقراطية", "مسلحين من أبناء العشائر"),
    ("الفرقة الرابعة", "خلية مسلحة"),
)
DAYS = ("الأحد", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت")
KILLED = ("عنصرين", "ثلاثة عناصر", "أربعة عناصر", "خمسة عناصر", "ستة عناصر", "سبعة عناصر")
FIRST_DAY = date(2025, 2, 1)


@dataclass(frozen=True)
class Report:
    """One invented article: its path on the site, title, publication day and paragraphs."""

    path: str
    title: str
    published: date
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The paragraphs, one per line, as the article extraction gives them back."""
        return "\n".join(self.paragraphs)


def report(number: int) -> Report:
    """The report with this number (the same number always gives the same report)."""
    place = PLACES[number % len(PLACES)]
    side1, side2 = SIDES[number % len(SIDES)]
    day = DAYS[number % len(DAYS)]
    killed = KILLED[number % len(KILLED)]
    injured = 2 + number % 9
    published = FIRST_DAY + timedelta(days=number % 28)
    paragraphs = (
        f"اندلعت اشتباكات عنيفة مساء {day} بين {side1} و{side2} في بلدة {place} بريف دير الزور الشرقي، "
        f"واستمرت قرابة {2 + number % 5} ساعات قبل أن يتدخل وجهاء المنطقة لوقفها.",
        f"وقال مصدر محلي لمراسلنا إن الاشتباكات أسفرت عن مقتل {killed} وإصابة {injured} آخرين بجروح متفاوتة، "
        "نقلوا إلى مشفى قريب.",
        f"وهذا التقرير رقم {number} من سلسلة تقارير ميدانية يعدها مراسلنا في المنطقة، "
        f"ويتابع فيها ما جرى في {place} والقرى المجاورة لها خلال الأسابيع الماضية.",
    )
    return Report(f"/news/{number:04d}-{published:%Y%m%d}", f"اشتباكات في {place} (تقرير {number})", published,
                  paragraphs)


def page_html(item: Report, lang: str = "ar", charset: str | None = "utf-8") -> str:
    """A realistic article page: navigation, the article, a side block and a footer."""
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}" dir="rtl"><head>{meta}<title>{escape(item.title)}</title>'
        f'<meta property="article:published_time" content="{item.published.isoformat()}T09:00:00+03:00">'
        '</head><body><nav><a href="/">الرئيسية</a> <a href="/news">أخبار</a></nav>'
        f'<main><article><h1>{escape(item.title)}</h1><div class="entry-content">{paragraphs}</div></article>'
        '<aside><h3>الأكثر قراءة</h3><ul><li><a href="/x">خبر آخر</a></li></ul></aside>'
        "</main><footer>جميع الحقوق محفوظة</footer></body></html>"
    )


def rss_feed(base: str, items: list[tuple[str, str]]) -> str:
    """An RSS 2.0 feed of (path, title) pairs on the site at `base`."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(base + path)}</link>"
        f"<guid>{escape(base + path)}</guid></item>"
        for path, title in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>موقع اختبار</title>'
        f"<link>{base}/</link><description>أخبار</description>{entries}</channel></rss>"
    )


def sitemap(base: str, paths: list[str]) -> str:
    """A plain sitemap urlset of paths on the site at `base`."""
    entries = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
