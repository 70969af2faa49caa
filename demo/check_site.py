"""Check the built demo site: pages parse, feed and sitemap parse, and trafilatura gets the body only.

Run `python demo/check_site.py` after `python demo/build_site.py`; it prints one line per page
and exits non-zero if anything fails (all failures are listed). `--fix-hashes` rewrites the
content_hash of every article in gold.json after the article texts changed.
"""

from __future__ import annotations

import html.parser
import json
import re
import sys
from pathlib import Path

import feedparser
import trafilatura
from build_site import ARTICLES_DIR, MOST_READ_IDS, SITE_DIR, Article, read_article
from lxml import etree
from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from extraction.textnorm import content_hash

DEMO_DIR = Path(__file__).resolve().parent
BOILERPLATE = [
    "الأكثر قراءة",
    "النشرة البريدية",
    "اشترك في نشرتنا",
    "اترك تعليقاً",
    "مواد ذات صلة",
    "الوسوم",
    "فيسبوك",
    "واتساب",
    "تلغرام",
    "جميع الحقوق محفوظة",
]


VOID_TAGS = {"meta", "link", "img", "input", "br", "hr", "source", "area", "base", "col", "embed", "wbr"}


class TagBalance(html.parser.HTMLParser):
    """Collects tags that close something other than the innermost open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a non-void element."""
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost element, which must be this one."""
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()


def decode_page(raw: bytes) -> str:
    """Decode by the page's own meta charset, as a browser would."""
    charset = "windows-1256" if b'charset="windows-1256"' in raw[:600] else "utf-8"
    return raw.decode(charset)


def page_problems(article: Article, articles: list[Article], page_path: Path) -> list[str]:
    """Everything wrong with one article page."""
    problems = []
    raw = page_path.read_bytes()
    text = decode_page(raw)
    if article.encoding == "windows-1256":
        try:
            raw.decode("utf-8")
            problems.append("meant to be windows-1256 but decodes as UTF-8")
        except UnicodeDecodeError:
            pass
    balance = TagBalance()
    balance.feed(text)
    balance.close()
    if balance.errors or balance.stack:
        problems.append(f"unbalanced markup: {(balance.errors or balance.stack)[:3]}")
    tree = lxml_html.fromstring(raw)
    if tree.xpath("string(//meta[@property='article:published_time']/@content)") != article.published.isoformat():
        problems.append("published_time meta missing or wrong")
    extracted = trafilatura.extract(text, favor_precision=True) or ""
    for para in article.paragraphs:
        body = para[3:] if para.startswith("## ") else para
        if not para.startswith("## ") and body not in extracted:
            problems.append(f"body paragraph missing from extraction: {body[:40]}…")
    for comment in article.comments:
        if comment.text[:30] in extracted:
            problems.append(f"comment leaks: {comment.text[:30]}")
    for word in BOILERPLATE:
        if word in extracted and word not in " ".join(article.paragraphs):
            problems.append(f"boilerplate leaks: {word}")
    for other in articles:
        if other.post_id != article.post_id and other.title in extracted:
            problems.append(f"another article's title leaks: {other.title[:30]}")
    words = sum(len(p.split()) for p in article.paragraphs)
    if not 250 <= words <= 600 and not article.is_english:
        problems.append(f"body has {words} words")
    return problems


def gold_check(gold: dict, articles: list[Article], extracted_by_path: dict[str, str]) -> list[str]:
    """Gold articles match the site, hashes match the text, and every evidence is quoted from it."""
    problems = []
    by_file = {a.path: a for a in articles}
    if {g["file"] for g in gold["articles"]} != set(by_file):
        problems.append("gold files differ from the site's articles")
    for entry in gold["articles"]:
        article = by_file.get(entry["file"])
        text = extracted_by_path.get(f"{entry['file']}index.html", "")
        if article is None:
            continue
        if entry["published"] != article.published.date().isoformat():
            problems.append(f"{entry['file']}: published differs")
        if entry.get("content_hash") != content_hash(text):
            problems.append(f"{entry['file']}: content_hash stale (run with --fix-hashes)")
        for event in entry["events"]:
            if event["evidence"] not in text:
                problems.append(f"{event['id']}: evidence not found in the extracted text")
    return problems


def fix_gold_hashes(gold_path: Path, extracted_by_path: dict[str, str]) -> None:
    """Rewrite each article's content_hash in place, keeping the file's hand layout."""
    source = gold_path.read_text(encoding="utf-8")

    def replace(match: re.Match[str]) -> str:
        text = extracted_by_path.get(f"{match.group(2)}index.html", "")
        return f'{match.group(1)}"content_hash": "{content_hash(text)}"'

    source = re.sub(r'("file": "([^"]+)",\s*)"content_hash": "[0-9a-f]*"', replace, source)
    gold_path.write_text(source, encoding="utf-8")


def main() -> int:
    """Run every check and print a summary."""
    articles = sorted((read_article(p) for p in ARTICLES_DIR.glob("*.md")), key=lambda a: a.published)
    failures = 0
    extracted_by_path: dict[str, str] = {}
    for article in articles:
        pages = [SITE_DIR / article.path / "index.html"]
        if article.amp:
            pages.append(SITE_DIR / "amp" / article.path / "index.html")
        for page in pages:
            problems = page_problems(article, articles, page)
            extracted_by_path[str(page.relative_to(SITE_DIR))] = trafilatura.extract(
                decode_page(page.read_bytes()), favor_precision=True) or ""
            words = sum(len(p.split()) for p in article.paragraphs)
            status = "ok" if not problems else "FAIL " + "; ".join(problems)
            print(f"{page.relative_to(SITE_DIR)}  {words} words  {status}")
            failures += bool(problems)
    amp_copies = [a for a in articles if a.amp]
    for article in amp_copies:
        main_text = extracted_by_path[f"{article.path}index.html"]
        amp_text = extracted_by_path[f"amp/{article.path}index.html"]
        if main_text != amp_text:
            print(f"FAIL amp copy of {article.path} extracts differently")
            failures += 1

    feed = feedparser.parse((SITE_DIR / "feed" / "index.xml").read_bytes())
    links = {e.link for e in feed.entries}
    expected = {a.url for a in articles}
    feed_ok = not feed.bozo and links == expected and all(e.get("published_parsed") for e in feed.entries)
    feed_ok = feed_ok and all(len(e.content) == 1 and e.content[0].value.count("<p>") == 1 for e in feed.entries)
    print(f"feed: {len(feed.entries)} entries, bozo={feed.bozo}  {'ok' if feed_ok else 'FAIL'}")
    failures += not feed_ok

    sitemap = etree.fromstring((SITE_DIR / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in sitemap.findall("s:url/s:loc", ns)]
    lastmods = sitemap.findall("s:url/s:lastmod", ns)
    amp_urls = {f"__BASE_URL__/amp/{a.path}" for a in amp_copies}
    sitemap_ok = set(locs) == expected | amp_urls and len(lastmods) == len(locs)
    print(f"sitemap: {len(locs)} urls  {'ok' if sitemap_ok else 'FAIL'}")
    failures += not sitemap_ok

    home = TagBalance()
    home.feed((SITE_DIR / "index.html").read_text(encoding="utf-8"))
    home_ok = not home.errors and not home.stack and len(lxml_html.fromstring(
        (SITE_DIR / "index.html").read_bytes()).xpath("//main//h2/a")) == len(articles)
    print(f"index.html  {'ok' if home_ok else 'FAIL'}")
    failures += not home_ok
    robots = (SITE_DIR / "robots.txt").read_text(encoding="utf-8")
    robots_ok = "Disallow: /wp-admin/" in robots and "Sitemap: __BASE_URL__/sitemap.xml" in robots
    print(f"robots.txt  {'ok' if robots_ok else 'FAIL'}")
    failures += not robots_ok

    gold_path = DEMO_DIR / "gold.json"
    if "--fix-hashes" in sys.argv:
        fix_gold_hashes(gold_path, extracted_by_path)
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold_problems = gold_check(gold, articles, extracted_by_path)
    for problem in gold_problems:
        print(f"FAIL gold: {problem}")
    events = sum(len(a["events"]) for a in gold["articles"])
    required = sum(e["required"] for a in gold["articles"] for e in a["events"])
    print(f"gold: {len(gold['articles'])} articles, {events} events ({required} required)  "
          f"{'ok' if not gold_problems else 'FAIL'}")
    failures += bool(gold_problems)
    most_read_ok = all(any(a.post_id == i for a in articles) for i in MOST_READ_IDS)
    failures += not most_read_ok
    print("all checks passed" if not failures else f"{failures} failing checks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
