"""Three invented Arabic news reports, as HTML pages and as plain text files, for the orchestration tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

from connectors.models import RawDocument


@dataclass(frozen=True)
class Report:
    """One invented report: slug, headline, date and paragraphs."""

    slug: str
    title: str
    published: date
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The report as plain text: headline, then paragraphs."""
        return "\n\n".join((self.title, *self.paragraphs)) + "\n"

    def html(self) -> str:
        """The report as a small news-site page with navigation and a footer around the article."""
        body = "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)
        return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{escape(self.title)} | شبكة الوادي الإخبارية</title>
<meta property="article:published_time" content="{self.published.isoformat()}T09:00:00+03:00">
</head><body>
<nav><a href="/">الرئيسية</a> | <a href="/news/">أخبار محلية</a> | <a href="/reports/">تقارير</a></nav>
<article><h1>{escape(self.title)}</h1>
<time datetime="{self.published.isoformat()}">{self.published.isoformat()}</time>
{body}
</article>
<footer>جميع الحقوق محفوظة لشبكة الوادي الإخبارية</footer>
</body></html>
"""


REPORTS = (
    Report(
        "checkpoint-attack-mayadin", "مقتل ثلاثة عناصر من قوات النظام بهجوم على حاجز قرب الميادين",
        date(2025, 5, 6),
        ("قُتل ثلاثة عناصر من قوات النظام وأصيب خمسة آخرون، فجر الثلاثاء، في هجوم شنّه مسلحون مجهولون "
         "على حاجز عسكري عند المدخل الغربي لمدينة الميادين بريف دير الزور الشرقي، بحسب ما أفادت مصادر محلية.",
         "وقالت المصادر إن المهاجمين استخدموا أسلحة رشاشة وقذائف صاروخية، ثم انسحبوا باتجاه البادية، "
         "فيما نقلت سيارات الإسعاف الجرحى إلى المشفى العسكري في مدينة دير الزور.",
         "وشهدت المنطقة خلال الأسابيع الماضية هجمات مماثلة استهدفت مواقع عسكرية وحواجز على الطريق "
         "الواصل بين الميادين والبوكمال، ولم تتبنَّ أي جهة الهجوم حتى ساعة إعداد هذا التقرير."),
    ),
    Report(
        "shelling-kafr-nabl", "مقتل مدنيَّين بقصف مدفعي على بلدة كفرنبل جنوبي إدلب",
        date(2025, 5, 8),
        ("قُتل مدنيان اثنان، بينهما طفل، وأصيب أربعة آخرون، يوم الخميس، جراء قصف مدفعي لقوات النظام "
         "استهدف الأحياء السكنية في بلدة كفرنبل بريف إدلب الجنوبي، وفق ما ذكر الدفاع المدني.",
         "وأوضح الدفاع المدني أن فرقه انتشلت الضحايا من تحت أنقاض منزل انهار جزئياً، ونقلت المصابين "
         "إلى مشفى قريب، مشيراً إلى أن القصف تجدد بعد ساعات على أطراف البلدة.",
         "ويأتي القصف ضمن تصعيد تشهده المنطقة منذ مطلع الشهر، دفع عشرات العائلات إلى النزوح نحو "
         "المخيمات القريبة من الحدود التركية."),
    ),
    Report(
        "clashes-dhiban", "اشتباكات بين قسد ومسلحين من العشائر في ذيبان توقع أربعة قتلى",
        date(2025, 5, 10),
        ("اندلعت اشتباكات عنيفة، مساء السبت، بين قوات سوريا الديمقراطية (قسد) ومسلحين من أبناء العشائر "
         "في بلدة ذيبان بريف دير الزور الشرقي، أسفرت عن مقتل أربعة مقاتلين من الطرفين وإصابة آخرين.",
         "وقال شهود من البلدة إن الاشتباكات بدأت بعد مداهمة نفذتها قسد لمنزل أحد وجهاء العشيرة، "
         "وامتدت إلى الشارع الرئيسي قبل أن تتوقف بوساطة من شيوخ المنطقة.",
         "وفرضت قسد حظر تجوال في البلدة حتى إشعار آخر، فيما أغلقت المحال التجارية أبوابها "
         "وسط حالة من التوتر والترقب."),
    ),
)


def write_text_site(folder: Path) -> list[Path]:
    """Write every report as a UTF-8 text file (a `directory` source reads these) and return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, report in enumerate(REPORTS, start=1):
        path = folder / f"{number:03d}_{report.slug}.txt"
        path.write_text(report.text, encoding="utf-8")
        paths.append(path)
    return paths


def raw_documents(source: str = "test-site") -> list[RawDocument]:
    """The reports as fetched HTML documents, as the fetcher would hand them to extraction."""
    fetched = datetime(2025, 5, 11, 6, 0, tzinfo=UTC)
    return [RawDocument(source, f"http://127.0.0.1/news/{r.slug}/", f"http://127.0.0.1/news/{r.slug}/",
                        r.html(), "text/html; charset=utf-8", fetched, r.title, r.published, "ar")
            for r in REPORTS]
