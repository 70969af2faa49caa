"""Invented news reports (written for these tests) and helpers that wrap them in pages, feeds and sitemaps."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Report:
    """An invented article: slug, title, date and paragraphs."""

    slug: str
    title: str
    date: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The paragraphs joined as extracted text is (one per line)."""
        return "\n".join(self.paragraphs)


MAYADIN = Report(
    "mayadin-clashes",
    "اشتباكات بين مجموعتين مسلحتين في مدينة الميادين",
    "2024-03-05",
    (
        "اندلعت اشتباكات عنيفة مساء الأحد بين مجموعتين مسلحتين في مدينة الميادين بريف دير الزور الشرقي، "
        "استمرت قرابة ساعتين قبل أن تتدخل وجهاء المدينة لوقفها.",
        "وقال مصدر محلي لمراسلنا إن الاشتباكات أسفرت عن مقتل عنصرين وإصابة أربعة آخرين بجروح متفاوتة، "
        "نقلوا إلى المشفى الوحيد في المدينة.",
        "وأضاف المصدر أن الخلاف بدأ على خلفية نزاع حول إدارة معبر نهري يربط ضفتي الفرات، "
        "وأن الطرفين استقدما تعزيزات إلى أطراف المدينة صباح الإثنين.",
    ),
)
HAJIN = Report(
    "hajin-drone",
    "مسيّرة تستهدف سيارة قرب بلدة هجين",
    "2024-03-06",
    (
        "استهدفت طائرة مسيّرة مجهولة سيارة مدنية على الطريق العام قرب بلدة هجين شرقي دير الزور صباح الثلاثاء، "
        "ما أدى إلى احتراقها بالكامل.",
        "وأفاد شهود عيان بأن السائق نجا من الاستهداف بعد أن ترك السيارة قبل دقائق من القصف، "
        "فيما أغلقت دورية محلية الطريق لساعات.",
        "ولم تتبنّ أي جهة الاستهداف حتى ساعة إعداد هذا التقرير، في حين تتكرر مثل هذه الحوادث في المنطقة منذ مطلع العام.",
    ),
)
BUSAYRAH = Report(
    "busayrah-arrests",
    "حملة مداهمات واعتقالات في بلدة البصيرة",
    "2024-03-07",
    (
        "شنّت قوة أمنية حملة مداهمات في بلدة البصيرة بريف دير الزور الشرقي فجر الأربعاء، "
        "واعتقلت سبعة شبان بتهمة التواصل مع خلايا مسلحة.",
        "وذكرت مصادر محلية أن الحملة شملت ثلاثة أحياء في البلدة وترافقت مع حظر تجوال استمر حتى الظهر، "
        "وأن عائلات المعتقلين لم تُبلَّغ بأماكن احتجازهم.",
        "ويأتي ذلك بعد أيام من هجوم استهدف نقطة عسكرية على أطراف البلدة وأدى إلى إصابة ثلاثة عناصر.",
    ),
)
ASHARA = Report(
    "ashara-mortar",
    "قذائف هاون تسقط على أحياء سكنية في العشارة",
    "2024-03-08",
    (
        "سقطت ثلاث قذائف هاون على أحياء سكنية في بلدة العشارة بريف دير الزور الشرقي ظهر الخميس، "
        "مصدرها الضفة المقابلة من نهر الفرات.",
        "وأسفر القصف عن إصابة امرأة وطفلها بجروح طفيفة، إضافة إلى أضرار مادية في منزلين ومحل تجاري، "
        "بحسب ما أفاد به ناشطون من البلدة.",
        "وردّت مجموعات محلية بإطلاق نار كثيف باتجاه مصدر القذائف، من دون ورود أنباء عن إصابات في الجهة المقابلة.",
    ),
)
SUWAR = Report(
    "suwar-market",
    "انفجار عبوة ناسفة في سوق بلدة الصور",
    "2024-03-09",
    (
        "انفجرت عبوة ناسفة مزروعة في دراجة نارية داخل سوق بلدة الصور بريف دير الزور الشمالي صباح الجمعة، "
        "في وقت كان السوق يشهد ازدحاماً.",
        "وقال مسعف من البلدة إن الانفجار أدى إلى مقتل مدني وإصابة خمسة آخرين، بينهم طفلان، "
        "نقلوا إلى مستوصف قريب ثم إلى مشفى في مدينة الحسكة.",
        "وطوّقت قوى الأمن المكان وفتحت تحقيقاً في الحادثة، فيما أغلق التجار محالهم حتى المساء.",
    ),
)
KISHMA = Report(
    "kishma-water",
    "احتجاج على انقطاع المياه في قرية الكشمة",
    "2024-03-10",
    (
        "خرج العشرات من أهالي قرية الكشمة بريف دير الزور الشرقي في وقفة احتجاجية يوم السبت، "
        "مطالبين بإصلاح محطة ضخ المياه المتوقفة منذ أسبوعين.",
        "وقال أحد المشاركين إن الأهالي يشترون المياه من الصهاريج بأسعار مرتفعة، "
        "وإن الوعود المتكررة بإصلاح المحطة لم تنفّذ حتى الآن.",
        "وانتهت الوقفة بعد ساعة من دون مواجهات، على أن يلتقي ممثلون عن الأهالي الجهات المسؤولة الأسبوع المقبل.",
    ),
)
ENGLISH = Report(
    "english-report",
    "Clashes reported near Deir ez-Zor",
    "2024-03-11",
    (
        "Clashes broke out on Sunday evening between two armed groups in the town of Mayadin in the eastern "
        "countryside of Deir ez-Zor, according to local sources.",
        "A local source said that two fighters were killed and four others were wounded in the fighting, "
        "which lasted for about two hours before local elders intervened.",
        "The dispute is said to have started over the control of a river crossing on the Euphrates.",
    ),
)
TURKISH = Report(
    "turkce-haber",
    "Deir ez-Zor kırsalında çatışma",
    "2024-03-12",
    (
        "Deir ez-Zor kırsalında pazar akşamı iki silahlı grup arasında çatışma çıktığı bildirildi, "
        "yerel kaynaklar iki kişinin öldüğünü söyledi.",
        "Çatışmanın Fırat nehri üzerindeki bir geçidin kontrolü yüzünden başladığı ileri sürüldü, "
        "bölgedeki gerginlik sürüyor ve yerel yetkililer açıklama yapmadı.",
    ),
)

ALL_ARABIC = (MAYADIN, HAJIN, BUSAYRAH, ASHARA, SUWAR, KISHMA)


def page_html(report: Report, charset: str | None = "utf-8", lang: str = "ar") -> str:
    """A realistic article page: navigation, header, the article, a most-read block and a footer."""
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in report.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}" dir="rtl"><head>{meta}<title>{escape(report.title)}</title>'
        f'<meta property="article:published_time" content="{report.date}T09:00:00+03:00"></head><body>'
        '<nav><a href="/">الرئيسية</a> <a href="/news">أخبار</a> <a href="/reports">تقارير</a></nav>'
        f'<main><article><h1>{escape(report.title)}</h1><div class="entry-content">{paragraphs}</div></article>'
        '<aside class="most-read"><h3>الأكثر قراءة</h3><ul><li><a href="/x">خبر آخر لا علاقة له</a></li></ul></aside>'
        "</main><footer>جميع الحقوق محفوظة</footer></body></html>"
    )


def rss_feed(base: str, items: list[tuple[str, Report]]) -> str:
    """An RSS 2.0 feed of (path, report) pairs."""
    entries = "".join(
        f"<item><title>{escape(r.title)}</title><link>{base}{path}</link>"
        f"<pubDate>{_rfc822(r.date)}</pubDate><guid>{base}{path}</guid></item>"
        for path, r in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>موقع اختبار</title>'
        f"<link>{base}/</link><description>أخبار</description>{entries}</channel></rss>"
    )


def atom_feed(base: str, items: list[tuple[str, Report]]) -> str:
    """An Atom feed of (path, report) pairs."""
    entries = "".join(
        f'<entry><title>{escape(r.title)}</title><link href="{base}{path}"/><id>{base}{path}</id>'
        f"<updated>{r.date}T09:00:00Z</updated><published>{r.date}T09:00:00Z</published></entry>"
        for path, r in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>اختبار</title>'
        f'<id>{base}/</id><updated>2024-03-10T00:00:00Z</updated>{entries}</feed>'
    )


def sitemap_index(base: str, children: list[tuple[str, str]]) -> str:
    """A sitemap index of (path, lastmod) pairs."""
    entries = "".join(f"<sitemap><loc>{base}{p}</loc><lastmod>{m}</lastmod></sitemap>" for p, m in children)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


def news_sitemap(base: str, items: list[tuple[str, Report]]) -> str:
    """A Google News sitemap of (path, report) pairs."""
    entries = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication><news:name>اختبار</news:name>"
        f"<news:language>ar</news:language></news:publication>"
        f"<news:publication_date>{r.date}T09:00:00+03:00</news:publication_date>"
        f"<news:title>{escape(r.title)}</news:title></news:news></url>"
        for path, r in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
    )


def plain_sitemap(base: str, items: list[tuple[str, str]]) -> str:
    """A plain urlset of (path, lastmod) pairs."""
    entries = "".join(f"<url><loc>{base}{p}</loc><lastmod>{m}</lastmod></url>" for p, m in items)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def wp_post(base: str, post_id: int, path: str, report: Report) -> dict[str, object]:
    """One post as the WordPress REST API returns it with `_fields=id,link,date_gmt,title,content`."""
    content = "".join(f"<p>{escape(p)}</p>" for p in report.paragraphs)
    return {
        "id": post_id,
        "link": f"{base}{path}",
        "date_gmt": f"{report.date}T06:00:00",
        "title": {"rendered": escape(report.title)},
        "content": {"rendered": content, "protected": False},
    }


def _rfc822(day: str) -> str:
    """An RFC 822 date for an ISO day, as RSS wants."""
    from datetime import date

    d = date.fromisoformat(day)
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{names[d.weekday()]}, {d.day:02d} {months[d.month - 1]} {d.year} 09:00:00 +0000"
