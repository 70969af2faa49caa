# ruff: noqa: E501  (page fragments are HTML, whose lines are as long as the markup needs)
"""Generate N distinct, realistically sized WordPress-like article pages and their sitemaps from the demo articles."""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # the demo site builder lives in demo/, outside the installed packages
    sys.path.insert(0, str(PROJECT_ROOT))

from demo import build_site as site  # noqa: E402

URLS_PER_SITEMAP = 1000  # above this, one sitemap index with child sitemaps, as WordPress SEO plugins split them
SYRIA = timezone(timedelta(hours=3))
# Places of eastern Syria the demo articles name; a page's places are swapped among these (real names, invented events).
PLACES = (
    "الميادين", "البوكمال", "الصالحية", "ذيبان", "الشحيل", "العشارة", "القورية", "الطيبة", "موحسن",
    "البصيرة", "هجين", "الكشمة", "صبيخان", "السكرية", "الجلاء", "الهري", "محكان", "الزباري", "البوليل",
    "الطيانة", "درنج", "سويدان", "الحسينية", "حطلة", "مراط", "خشام", "الصور", "الشعيطات", "غرانيج", "أبو حمام",
)
PLACES_EN = ("al-Asharah", "Mahkan", "al-Mayadin", "Dhiban", "al-Shuhayl", "al-Quriyah", "Muhassan", "al-Busayrah",
             "Hajin", "al-Kishkiyah", "Subaykhan", "al-Tayyibah", "Diban", "al-Jalaa", "Abu Hamam", "Gharanij")
_DIGITS = re.compile(r"(?<![\d/.-])\d{1,3}(?![\d/.-])")
_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_PLACE_PATTERN = re.compile("|".join(sorted(map(re.escape, PLACES + PLACES_EN), key=len, reverse=True)))


@dataclass(frozen=True)
class GeneratedSite:
    """Where the pages are, their files in sitemap order, and the sitemap the sources file names."""

    root: Path
    pages: list[Path]
    published: list[datetime]
    languages: list[str]
    sitemap_files: int
    total_bytes: int


def source_articles() -> list[site.Article]:
    """The demo articles, read from their Markdown sources (utf-8 only: the generated site is utf-8)."""
    articles = [site.read_article(p) for p in sorted(site.ARTICLES_DIR.glob("*.md"))]
    return [replace(a, encoding="utf-8", amp=False) for a in articles]


def vary_numbers(text: str, rng: random.Random) -> str:
    """Change every small number in the text, keeping its order of magnitude."""
    def swap(match: re.Match[str]) -> str:
        value = int(match.group(0))
        return str(max(1, value + rng.randint(-value // 2 - 1, value // 2 + 2)))
    return _DIGITS.sub(swap, text.translate(_ARABIC_INDIC))


def vary_places(text: str, mapping: dict[str, str]) -> str:
    """Move the story elsewhere: each known place is replaced by its counterpart in `mapping`."""
    return _PLACE_PATTERN.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)


def variant(index: int, base: site.Article, donors: list[site.Article], rng: random.Random) -> site.Article:
    """One new article: the base's paragraphs with some of another's mixed in, new numbers, places and date."""
    paragraphs = list(base.paragraphs)
    for donor in rng.sample(donors, k=min(len(donors), rng.randint(1, 2))):
        extra = [p for p in donor.paragraphs if not p.startswith("## ")]
        picked = rng.sample(extra, k=min(len(extra), rng.randint(1, 3)))
        position = rng.randint(2, max(2, len(paragraphs)))
        paragraphs[position:position] = picked
    mapping: dict[str, str] = {}
    for names in (PLACES, PLACES_EN):
        shuffled = list(names)
        rng.shuffle(shuffled)
        mapping.update(zip(names, shuffled, strict=True))
    paragraphs = [vary_places(vary_numbers(p, rng), mapping) for p in paragraphs]
    published = datetime(2024, 1, 1, 6, 0, tzinfo=SYRIA) + timedelta(minutes=rng.randint(0, 700 * 24 * 60))
    comments = [replace(c, date=published + timedelta(hours=1 + n)) for n, c in enumerate(base.comments)]
    return replace(
        base,
        post_id=30000 + index,
        slug=f"{base.slug}-{index}",
        title=vary_places(vary_numbers(base.title, rng), mapping),
        published=published,
        paragraphs=paragraphs,
        comments=comments,
    )


def inline_styles(rng: random.Random) -> str:
    """The inline CSS block-library and plugin styles WordPress prints into every page's head."""
    rules = []
    for n in range(rng.randint(60, 260)):
        rules.append(f".wp-block-difaf-{n} .has-{n}-color{{color:#{rng.randrange(0x1000000):06x};margin:{n % 7}px {n % 5}px;"
                     f"font-size:var(--wp--preset--font-size--{('small', 'medium', 'large')[n % 3]});}}")
    return '<style id="wp-block-library-inline-css">\n' + "\n".join(rules) + "\n</style>"


def structured_data(article: site.Article) -> str:
    """The JSON-LD graph an SEO plugin adds to the head."""
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "headline": article.title, "datePublished": article.published.isoformat(),
         "author": {"@type": "Person", "name": article.author}, "articleSection": article.category,
         "keywords": article.tags, "inLanguage": article.lang, "mainEntityOfPage": article.url},
        {"@type": "Organization", "name": site.SITE_NAME, "url": f"{site.BASE}/",
         "logo": {"@type": "ImageObject", "url": f"{site.BASE}/wp-content/uploads/logo.png"}},
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "الرئيسية", "item": f"{site.BASE}/"},
            {"@type": "ListItem", "position": 2, "name": article.category},
        ]},
    ]}
    return '<script type="application/ld+json" class="yoast-schema-graph">' + json.dumps(graph, ensure_ascii=False) + "</script>"


def latest_widget(titles: list[tuple[str, str]]) -> str:
    """A "latest news" sidebar widget listing other pages of the site."""
    items = "\n".join(f'<li><a href="{site.BASE}/{path}">{site.esc(title)}</a></li>' for path, title in titles)
    return f'<section id="latest-4" class="widget widget_recent_entries"><h2 class="widget-title">آخر الأخبار</h2>\n<ul>\n{items}\n</ul>\n</section>'


def footer_scripts(article: site.Article, rng: random.Random) -> str:
    """The scripts themes and plugins print before </body>: settings objects and a lazy-loader."""
    settings = {"ajaxurl": f"{site.BASE}/wp-admin/admin-ajax.php", "postId": article.post_id,
                "nonce": f"{rng.randrange(16**10):010x}", "i18n": {"more": "المزيد", "close": "إغلاق"},
                "breakpoints": list(range(320, 1921, 80))}
    loader = ";".join(f"function d{n}(e){{var t=e.dataset.src{n};t&&(e.src=t,e.removeAttribute('data-src{n}'))}}"
                      for n in range(rng.randint(40, 120)))
    return (f'<script id="difaf-js-extra">var difafSettings = {json.dumps(settings, ensure_ascii=False)};</script>\n'
            f'<script id="difaf-lazy-js">{loader}</script>')


def article_html(article: site.Article, others: list[site.Article], latest: list[tuple[str, str]],
                 rng: random.Random) -> str:
    """A full page: the demo theme's article template plus the head styles, JSON-LD, widgets and scripts of a live site."""
    page = site.article_page(article, others)
    page = page.replace("</head>", inline_styles(rng) + "\n" + structured_data(article) + "\n</head>", 1)
    page = page.replace("</aside>\n</div>\n<footer", latest_widget(latest) + "\n</aside>\n</div>\n<footer", 1)
    return page.replace("</body>", footer_scripts(article, rng) + "\n</body>", 1)


def sitemap_xml(entries: list[tuple[str, datetime]]) -> str:
    """One urlset with each page's lastmod."""
    urls = "\n".join(f"<url><loc>{site.BASE}/{path}</loc><lastmod>{when.isoformat()}</lastmod></url>"
                     for path, when in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}\n</urlset>\n")


def sitemap_index_xml(children: list[tuple[str, datetime]]) -> str:
    """A sitemap index naming each child sitemap with its newest lastmod."""
    items = "\n".join(f"<sitemap><loc>{site.BASE}/{name}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>"
                      for name, when in children)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{items}\n</sitemapindex>\n")


def generate_site(root: Path, count: int, seed: int = 7) -> GeneratedSite:
    """Write `count` distinct article pages, robots.txt and the sitemap(s) under `root`."""
    rng = random.Random(seed)
    bases = source_articles()
    by_language = {lang: [a for a in bases if a.lang == lang] for lang in {a.lang for a in bases}}
    recent: list[site.Article] = []
    pages: list[Path] = []
    entries: list[tuple[str, datetime]] = []
    languages: list[str] = []
    texts: set[str] = set()
    total_bytes = 0
    for index in range(count):
        base = bases[index % len(bases)]
        donors = [a for a in by_language[base.lang] if a.post_id != base.post_id]
        article = variant(index, base, donors, rng)
        while "\n".join(article.paragraphs) in texts:  # rare: the same mix drawn twice; draw again
            article = variant(index, base, donors, rng)
        texts.add("\n".join(article.paragraphs))
        latest = [(a.path, a.title) for a in recent[-10:]]
        page = article_html(article, recent[-12:] or [article], latest, rng)
        path = root / article.path / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = page.encode("utf-8")
        path.write_bytes(data)
        total_bytes += len(data)
        pages.append(path)
        entries.append((article.path, article.published))
        languages.append(article.lang)
        recent = [*recent[-15:], article]
    (root / "robots.txt").write_text(site.ROBOTS.replace("sitemap.xml", "sitemap_index.xml"), encoding="utf-8")
    children: list[tuple[str, datetime]] = []
    if count <= URLS_PER_SITEMAP:
        (root / "sitemap_index.xml").write_text(sitemap_xml(entries), encoding="utf-8")
    else:
        for n, start in enumerate(range(0, count, URLS_PER_SITEMAP), 1):
            part = entries[start:start + URLS_PER_SITEMAP]
            name = f"post-sitemap{n}.xml"
            (root / name).write_text(sitemap_xml(part), encoding="utf-8")
            children.append((name, max(when for _, when in part)))
        (root / "sitemap_index.xml").write_text(sitemap_index_xml(children), encoding="utf-8")
    return GeneratedSite(root, pages, [when for _, when in entries], languages, 1 + len(children), total_bytes)
