"""Per-site care: page parts to prune before extraction and lines to drop after it, by host."""

from __future__ import annotations

from dataclasses import dataclass, field

# Share-button labels that some outlets print as lines of text above or below every article.
SHARE_LINES = frozenset({"Facebook", "Twitter", "WhatsApp", "Telegram", "Messenger", "LinkedIn", "Email",
                         "Print", "X", "فيسبوك", "تويتر", "واتساب", "تلغرام", "طباعة", "شارك", "مشاركة"})
# Blocks that WordPress themes put inside the article column: related posts, most read, share bars, tags.
COMMON_PRUNE = (
    "//*[contains(@class, 'most-read') or contains(@class, 'related-posts') or contains(@class, 'sharedaddy')"
    " or contains(@class, 'share-buttons') or contains(@class, 'post-tags') or contains(@id, 'most-read')]",
)


@dataclass(frozen=True)
class SiteRules:
    """What to prune (XPath, before extraction) and which whole lines to drop (after) for one site."""

    prune_xpath: tuple[str, ...] = COMMON_PRUNE
    drop_lines: frozenset[str] = field(default_factory=lambda: SHARE_LINES)


SITES: dict[str, SiteRules] = {
    # SY24 pages carry a share bar and a "خاص - SY24" byline line at the top of the article text.
    "sy-24.com": SiteRules(drop_lines=SHARE_LINES | {"خاص - SY24", "خاص – SY24"}),
    "sy24.net": SiteRules(drop_lines=SHARE_LINES | {"خاص - SY24", "خاص – SY24"}),
}
DEFAULT = SiteRules()


def site_rules(url_or_host: str) -> SiteRules:
    """Return the rules for the site of a URL or host (`www.` ignored), the common rules otherwise."""
    host = url_or_host.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    host = host.removeprefix("www.")
    return SITES.get(host, DEFAULT)
