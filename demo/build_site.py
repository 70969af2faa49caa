# ruff: noqa: E501  (the page templates are HTML, whose lines are as long as the markup needs)
"""Build the static demo news site under demo/site/ from the articles in demo/articles/.

Run `python demo/build_site.py` from the project root (or anywhere: paths are relative to
this file). The output is committed as files; the demo server serves it as it is and
replaces the literal token __BASE_URL__ in every file with its own base URL.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml

DEMO_DIR = Path(__file__).resolve().parent
ARTICLES_DIR = DEMO_DIR / "articles"
SITE_DIR = DEMO_DIR / "site"
BASE = "__BASE_URL__"

SITE_NAME = "ضفاف الفرات"
SITE_TAGLINE = "شبكة إخبارية محلية تغطي دير الزور والبادية ووادي الفرات"
MENU = [
    ("الرئيسية", "/"),
    ("أخبار دير الزور", "/category/deir-ezzor/"),
    ("الميليشيات", "/category/militias/"),
    ("البادية", "/category/badia/"),
    ("تقارير", "/category/reports/"),
    ("English", "/category/english/"),
    ("من نحن", "/about-us/"),
]
CATEGORY_SLUGS = {
    "أخبار دير الزور": "deir-ezzor",
    "الميليشيات": "militias",
    "البادية": "badia",
    "تقارير": "reports",
    "English": "english",
}
LEVANTINE_MONTHS = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]
ENGLISH_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]
# Which articles the "most read" widget lists (by post id), as a WordPress plugin would.
MOST_READ_IDS = [10412, 10388, 10455, 10431, 10470, 10395]


@dataclass
class Comment:
    """One reader comment under an article."""

    name: str
    date: datetime
    text: str


@dataclass
class Article:
    """One article as read from its front-matter file."""

    post_id: int
    slug: str
    title: str
    published: datetime
    author: str
    category: str
    tags: list[str]
    lang: str
    encoding: str
    amp: bool
    paragraphs: list[str]
    comments: list[Comment] = field(default_factory=list)
    caption: str | None = None

    @property
    def path(self) -> str:
        """Permalink path without the base, e.g. 2025/03/slug/."""
        return f"{self.published:%Y/%m}/{self.slug}/"

    @property
    def url(self) -> str:
        """Absolute permalink with the base token."""
        return f"{BASE}/{self.path}"

    @property
    def first_paragraph(self) -> str:
        """The lead paragraph (the first body line that is not a sub-heading)."""
        return next(p for p in self.paragraphs if not p.startswith("## "))

    @property
    def excerpt(self) -> str:
        """A WordPress-style excerpt: the first 30 words of the lead and an ellipsis."""
        words = self.first_paragraph.split()
        return " ".join(words[:30]) + (" […]" if len(words) > 30 else "")

    @property
    def is_english(self) -> bool:
        """True for the English edition's articles."""
        return self.lang == "en"


def read_article(path: Path) -> Article:
    """Parse one `---` YAML front matter + body file."""
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("---\n", 2)
    meta: dict[str, Any] = yaml.safe_load(front)
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]
    comments = [Comment(c["name"], _as_datetime(c["date"]), c["text"].strip()) for c in meta.get("comments", [])]
    return Article(
        post_id=int(meta["id"]),
        slug=meta["slug"],
        title=meta["title"],
        published=_as_datetime(meta["published"]),
        author=meta["author"],
        category=meta["category"],
        tags=list(meta.get("tags", [])),
        lang=meta.get("lang", "ar"),
        encoding=meta.get("encoding", "utf-8"),
        amp=bool(meta.get("amp", False)),
        paragraphs=paragraphs,
        comments=comments,
        caption=meta.get("caption"),
    )


def _as_datetime(value: Any) -> datetime:
    """YAML gives datetimes for ISO stamps; accept strings too."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def esc(text: str) -> str:
    """HTML-escape text for element content and attributes."""
    return html.escape(text, quote=True)


def display_date(moment: datetime, english: bool = False) -> str:
    """The date as the theme prints it under the headline."""
    if english:
        return f"{ENGLISH_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"
    return f"{moment.day} {LEVANTINE_MONTHS[moment.month - 1]} {moment.year}"


def body_html(article: Article) -> str:
    """The entry-content paragraphs and sub-headings."""
    parts = []
    for para in article.paragraphs:
        if para.startswith("## "):
            parts.append(f"<h2>{esc(para[3:])}</h2>")
        else:
            parts.append(f"<p>{esc(para)}</p>")
    return "\n".join(parts)


def related(article: Article, articles: list[Article], count: int = 3) -> list[Article]:
    """Other articles sharing the most tags, newest first (a related-posts plugin's guess)."""
    others = [a for a in articles if a.post_id != article.post_id and a.is_english == article.is_english]
    others.sort(key=lambda a: (len(set(a.tags) & set(article.tags)), a.published), reverse=True)
    return others[:count]


def head_html(article: Article, charset: str, canonical: str) -> str:
    """The <head> of an article page, with the meta tags a WordPress SEO plugin writes."""
    iso = article.published.isoformat()
    tag_meta = "\n".join(f'<meta property="article:tag" content="{esc(t)}">' for t in article.tags)
    return f"""<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(article.title)} – {SITE_NAME}</title>
<meta name="description" content="{esc(article.excerpt)}">
<link rel="canonical" href="{canonical}">
<meta property="og:locale" content="{"en_US" if article.is_english else "ar_AR"}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(article.title)}">
<meta property="og:description" content="{esc(article.excerpt)}">
<meta property="og:url" content="{canonical}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="og:image" content="{BASE}/wp-content/uploads/{article.published:%Y/%m}/{article.slug}.jpg">
<meta property="article:published_time" content="{iso}">
<meta property="article:modified_time" content="{iso}">
<meta property="article:section" content="{esc(article.category)}">
{tag_meta}
<meta name="author" content="{esc(article.author)}">
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; الخلاصة" href="{BASE}/feed/">
<link rel="stylesheet" id="difaf-style-css" href="{BASE}/wp-content/themes/difaf/style.css?ver=2.4.1" media="all">
<meta name="generator" content="WordPress 6.7.2">
</head>"""


def header_html(english: bool) -> str:
    """Site header: top bar, branding and the main menu."""
    items = "\n".join(f'<li class="menu-item"><a href="{BASE}{href}">{esc(label)}</a></li>' for label, href in MENU)
    return f"""<div class="top-bar"><div class="container">
<span class="top-date">{"Euphrates news from the ground" if english else "أخبار الفرات من الميدان"}</span>
<ul class="social-links"><li><a href="https://www.facebook.com/difaf.euphrates">فيسبوك</a></li><li><a href="https://t.me/difaf_euphrates">تلغرام</a></li><li><a href="https://x.com/difaf_euphrates">إكس</a></li></ul>
</div></div>
<header id="masthead" class="site-header">
<div class="site-branding">
<p class="site-title"><a href="{BASE}/" rel="home">{SITE_NAME}</a></p>
<p class="site-description">{SITE_TAGLINE}</p>
</div>
<nav id="site-navigation" class="main-navigation" aria-label="القائمة الرئيسية">
<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">القائمة</button>
<ul id="primary-menu" class="menu">
{items}
</ul>
</nav>
<form role="search" method="get" class="search-form" action="{BASE}/"><label><span class="screen-reader-text">بحث عن:</span><input type="search" class="search-field" placeholder="بحث …" name="s"></label><button type="submit" class="search-submit">بحث</button></form>
</header>"""


def sidebar_html(article: Article | None, articles: list[Article]) -> str:
    """The sidebar: most-read list and newsletter box, both outside the article."""
    by_id = {a.post_id: a for a in articles}
    most_read = [by_id[i] for i in MOST_READ_IDS if i in by_id and (article is None or i != article.post_id)][:5]
    items = "\n".join(
        f'<li><a href="{a.url}">{esc(a.title)}</a> <span class="views">{1200 + (a.post_id % 97) * 31} مشاهدة</span></li>'
        for a in most_read
    )
    return f"""<aside id="secondary" class="widget-area" role="complementary">
<section id="most-read-2" class="widget widget_most_read">
<h2 class="widget-title">الأكثر قراءة</h2>
<ol class="most-read-list">
{items}
</ol>
</section>
<section id="newsletter-3" class="widget widget_newsletter">
<h2 class="widget-title">النشرة البريدية</h2>
<div class="newsletter-box">
<p>اشترك في نشرتنا البريدية الأسبوعية ليصلك ملخص أخبار دير الزور والبادية كل يوم خميس.</p>
<form class="newsletter-form" action="{BASE}/newsletter/subscribe" method="post">
<input type="email" name="email" placeholder="بريدك الإلكتروني" required>
<button type="submit">اشترك الآن</button>
</form>
<small>لن نشارك بريدك مع أي جهة، ويمكنك إلغاء الاشتراك في أي وقت.</small>
</div>
</section>
<section id="categories-2" class="widget widget_categories">
<h2 class="widget-title">الأقسام</h2>
<ul>
<li><a href="{BASE}/category/deir-ezzor/">أخبار دير الزور</a></li>
<li><a href="{BASE}/category/militias/">الميليشيات</a></li>
<li><a href="{BASE}/category/badia/">البادية</a></li>
<li><a href="{BASE}/category/reports/">تقارير</a></li>
</ul>
</section>
</aside>"""


def footer_html() -> str:
    """Site footer."""
    return f"""<footer id="colophon" class="site-footer">
<div class="footer-widgets">
<div class="footer-about"><h3>عن {SITE_NAME}</h3><p>{SITE_TAGLINE}. نعتمد على شبكة مراسلين محليين في المدينة والريف.</p></div>
<div class="footer-links"><ul><li><a href="{BASE}/about-us/">من نحن</a></li><li><a href="{BASE}/contact/">اتصل بنا</a></li><li><a href="{BASE}/privacy-policy/">سياسة الخصوصية</a></li></ul></div>
</div>
<div class="site-info">جميع الحقوق محفوظة © 2025 {SITE_NAME}. يعمل بواسطة ووردبريس.</div>
</footer>"""


def share_html(article: Article) -> str:
    """Share buttons, as a social-sharing plugin prints them."""
    link = article.url
    title = esc(article.title)
    label = "Share" if article.is_english else "شارك"
    return f"""<div class="share-buttons" aria-label="{label}">
<span class="share-label">{label}:</span>
<a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={link}" rel="nofollow noopener" target="_blank">فيسبوك</a>
<a class="share-twitter" href="https://twitter.com/intent/tweet?url={link}&amp;text={title}" rel="nofollow noopener" target="_blank">تويتر</a>
<a class="share-whatsapp" href="https://api.whatsapp.com/send?text={link}" rel="nofollow noopener" target="_blank">واتساب</a>
<a class="share-telegram" href="https://t.me/share/url?url={link}" rel="nofollow noopener" target="_blank">تلغرام</a>
</div>"""


def comments_html(article: Article) -> str:
    """The comments area: reader comments and the reply form."""
    items = []
    for n, comment in enumerate(article.comments, start=1):
        items.append(f"""<li id="comment-{article.post_id * 10 + n}" class="comment even depth-1">
<article class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{esc(comment.name)}</b> <span class="says">قال:</span></div>
<div class="comment-metadata"><time datetime="{comment.date.isoformat()}">{display_date(comment.date, article.is_english)} الساعة {comment.date:%H:%M}</time></div></footer>
<div class="comment-content"><p>{esc(comment.text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">رد</a></div>
</article>
</li>""")
    count = len(article.comments)
    title = f"{count} تعليقات على “{esc(article.title)}”" if count else "لا توجد تعليقات"
    listing = "\n".join(items)
    # An <aside>, as this theme prints it: trafilatura's comment finder looks only at div/section/list
    # containers, so the comments stay out of the extracted text even with include_comments=True.
    return f"""<aside id="comments" class="comments-area">
<h2 class="comments-title">{title}</h2>
<ol class="comment-list">
{listing}
</ol>
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">اترك تعليقاً</h3>
<form action="{BASE}/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</p>
<p class="comment-form-comment"><label for="comment">التعليق *</label><textarea id="comment" name="comment" rows="6" required></textarea></p>
<p class="comment-form-author"><label for="author">الاسم *</label><input id="author" name="author" type="text" required></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="إرسال التعليق"><input type="hidden" name="comment_post_ID" value="{article.post_id}"></p>
</form>
</div>
</aside>"""


def article_page(article: Article, articles: list[Article], amp: bool = False) -> str:
    """One full article page (or its AMP copy, which carries the same article body)."""
    english = article.is_english
    charset = "windows-1256" if article.encoding == "windows-1256" else "utf-8"
    cat_slug = CATEGORY_SLUGS[article.category]
    tags = " ".join(f'<a href="{BASE}/tag/{i}-{article.post_id}/" rel="tag">{esc(t)}</a>' for i, t in enumerate(article.tags))
    rel_items = "\n".join(
        f'<li><a href="{a.url}">{esc(a.title)}</a> <time datetime="{a.published.isoformat()}">'
        f"{display_date(a.published, english)}</time></li>"
        for a in related(article, articles)
    )
    caption = (
        f'<figure class="post-thumbnail"><img src="{BASE}/wp-content/uploads/{article.published:%Y/%m}/{article.slug}.jpg" '
        f'alt="{esc(article.title)}" width="800" height="450"><figcaption>{esc(article.caption)}</figcaption></figure>'
        if article.caption
        else ""
    )
    by = "By" if english else "بقلم"
    crumbs_home = "Home" if english else "الرئيسية"
    tags_label = "Tags:" if english else "الوسوم:"
    related_title = "Related" if english else "مواد ذات صلة"
    body_class = "amp-mode-page" if amp else f"post-template-default single single-post postid-{article.post_id}"
    lang, direction = ("en", "ltr") if english else ("ar", "rtl")
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}">
{head_html(article, charset, article.url)}
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">تخطي إلى المحتوى</a>
{header_html(english)}
<div id="content" class="site-content">
<div id="primary" class="content-area">
<main id="main" class="site-main">
<nav class="breadcrumbs" aria-label="breadcrumbs"><a href="{BASE}/">{crumbs_home}</a> » <a href="{BASE}/category/{cat_slug}/">{esc(article.category)}</a> » <span class="breadcrumb_last">{esc(article.title)}</span></nav>
<article id="post-{article.post_id}" class="post-{article.post_id} post type-post status-publish format-standard has-post-thumbnail category-{cat_slug}">
<header class="entry-header">
<span class="cat-links"><a href="{BASE}/category/{cat_slug}/" rel="category tag">{esc(article.category)}</a></span>
<h1 class="entry-title">{esc(article.title)}</h1>
<div class="entry-meta"><span class="byline">{by} <span class="author vcard"><a class="url fn n" href="{BASE}/author/{article.post_id % 7}/">{esc(article.author)}</a></span></span> <span class="posted-on"><time class="entry-date published" datetime="{article.published.isoformat()}">{display_date(article.published, english)}</time></span></div>
</header>
{caption}
<div class="entry-content">
{body_html(article)}
</div>
<footer class="entry-footer">
{share_html(article)}
<div class="tags-links">{tags_label} {tags}</div>
</footer>
</article>
<section class="related-posts"><h3 class="related-title">{related_title}</h3>
<ul>
{rel_items}
</ul>
</section>
{comments_html(article)}
</main>
</div>
{sidebar_html(article, articles)}
</div>
{footer_html()}
</div>
</body>
</html>
"""


def index_page(articles: list[Article]) -> str:
    """The home page: the newest articles with their excerpts."""
    cards = []
    for a in articles:
        cards.append(f"""<article class="post-{a.post_id} post type-post status-publish">
<header class="entry-header"><h2 class="entry-title"><a href="{a.url}" rel="bookmark">{esc(a.title)}</a></h2>
<div class="entry-meta"><time class="entry-date published" datetime="{a.published.isoformat()}">{display_date(a.published, a.is_english)}</time> <span class="author">{esc(a.author)}</span></div></header>
<div class="entry-summary"><p>{esc(a.excerpt)}</p></div>
<a class="more-link" href="{a.url}">{"Read more" if a.is_english else "اقرأ المزيد"}</a>
</article>""")
    listing = "\n".join(cards)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{SITE_NAME} – {SITE_TAGLINE}</title>
<link rel="canonical" href="{BASE}/">
<meta property="og:type" content="website">
<meta property="og:title" content="{SITE_NAME}">
<meta property="og:site_name" content="{SITE_NAME}">
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; الخلاصة" href="{BASE}/feed/">
<link rel="stylesheet" id="difaf-style-css" href="{BASE}/wp-content/themes/difaf/style.css?ver=2.4.1" media="all">
<meta name="generator" content="WordPress 6.7.2">
</head>
<body class="home blog">
<div id="page" class="site">
{header_html(False)}
<div id="content" class="site-content">
<div id="primary" class="content-area">
<main id="main" class="site-main">
<h1 class="page-title screen-reader-text">آخر الأخبار</h1>
{listing}
</main>
</div>
{sidebar_html(None, articles)}
</div>
{footer_html()}
</div>
</body>
</html>
"""


def rfc822(moment: datetime) -> str:
    """RFC 822 date in UTC, as WordPress writes pubDate."""
    return format_datetime(moment.astimezone(UTC), usegmt=False).replace("-0000", "+0000")


def feed_xml(articles: list[Article]) -> str:
    """RSS 2.0 with every article; content:encoded holds the lead paragraph only."""
    items = []
    for a in articles:
        items.append(f"""<item>
<title>{esc(a.title)}</title>
<link>{a.url}</link>
<dc:creator><![CDATA[{a.author}]]></dc:creator>
<pubDate>{rfc822(a.published)}</pubDate>
<category><![CDATA[{a.category}]]></category>
<guid isPermaLink="false">{BASE}/?p={a.post_id}</guid>
<description><![CDATA[{a.excerpt}]]></description>
<content:encoded><![CDATA[<p>{esc(a.first_paragraph)}</p>]]></content:encoded>
</item>""")
    newest = max(a.published for a in articles)
    listing = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel>
<title>{SITE_NAME}</title>
<atom:link href="{BASE}/feed/" rel="self" type="application/rss+xml" />
<link>{BASE}/</link>
<description>{SITE_TAGLINE}</description>
<lastBuildDate>{rfc822(newest)}</lastBuildDate>
<language>ar</language>
<sy:updatePeriod>hourly</sy:updatePeriod>
<sy:updateFrequency>1</sy:updateFrequency>
<generator>https://wordpress.org/?v=6.7.2</generator>
{listing}
</channel>
</rss>
"""


def sitemap_xml(articles: list[Article]) -> str:
    """A Google News sitemap: every article, plus the AMP copies (which the feed leaves out)."""
    entries = []
    for a in articles:
        urls = [a.url] + ([f"{BASE}/amp/{a.path}"] if a.amp else [])
        for url in urls:
            entries.append(f"""<url>
<loc>{url}</loc>
<lastmod>{a.published.isoformat()}</lastmod>
<news:news>
<news:publication><news:name>{SITE_NAME}</news:name><news:language>{a.lang}</news:language></news:publication>
<news:publication_date>{a.published.isoformat()}</news:publication_date>
<news:title>{esc(a.title)}</news:title>
</news:news>
</url>""")
    listing = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{listing}
</urlset>
"""


ROBOTS = f"""User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: {BASE}/sitemap.xml
"""

STYLE = """/* Theme: difaf 2.4.1 (demo) */
body { font-family: "Noto Naskh Arabic", Tahoma, sans-serif; margin: 0; color: #222; }
.site-header, .site-footer { background: #0d3b4f; color: #fff; padding: 1em; }
.site-header a, .site-footer a { color: #fff; }
.menu { list-style: none; display: flex; gap: 1em; padding: 0; }
.site-content { display: flex; gap: 2em; max-width: 1100px; margin: auto; }
.content-area { flex: 3; }
.widget-area { flex: 1; }
.entry-content p { line-height: 1.9; }
.share-buttons a { display: inline-block; padding: .3em .8em; background: #eee; }
.comments-area { border-top: 1px solid #ccc; margin-top: 2em; }
"""


def build(site_dir: Path = SITE_DIR) -> list[Article]:
    """Write the whole site; returns the articles, newest first."""
    articles = sorted((read_article(p) for p in sorted(ARTICLES_DIR.glob("*.md"))), key=lambda a: a.published,
                      reverse=True)
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    for article in articles:
        page = article_page(article, articles)
        target = site_dir / article.path / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        # strict: a character the legacy charset lacks is a build error, not a silent '?'
        target.write_bytes(page.encode(article.encoding, errors="strict"))
        if article.amp:
            amp_target = site_dir / "amp" / article.path / "index.html"
            amp_target.parent.mkdir(parents=True, exist_ok=True)
            amp_target.write_bytes(article_page(article, articles, amp=True).encode(article.encoding))
    (site_dir / "index.html").write_text(index_page(articles), encoding="utf-8")
    (site_dir / "feed").mkdir()
    (site_dir / "feed" / "index.xml").write_text(feed_xml(articles), encoding="utf-8")
    (site_dir / "sitemap.xml").write_text(sitemap_xml(articles), encoding="utf-8")
    (site_dir / "robots.txt").write_text(ROBOTS, encoding="utf-8")
    style = site_dir / "wp-content" / "themes" / "difaf" / "style.css"
    style.parent.mkdir(parents=True)
    style.write_text(STYLE, encoding="utf-8")
    return articles


if __name__ == "__main__":
    built = build()
    print(f"wrote {len(built)} articles to {SITE_DIR}")
