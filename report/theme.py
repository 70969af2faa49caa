"""Event-type colours and labels, number formatting and HTML escaping shared by every part of the page."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

# Fixed order: violent types first, so stacked bars keep the same layering in every chart.
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "armed_clash": ("Armed clash", "#c0392b"),
    "attack": ("Attack", "#8e1b5b"),
    "explosion": ("Explosion", "#e07b17"),
    "airstrike": ("Air/drone strike", "#1f5fa8"),
    "shelling": ("Shelling", "#7b4fb3"),
    "abduction": ("Abduction", "#a57a00"),
    "arrest": ("Arrest", "#23857b"),
    "reinforcement": ("Reinforcement", "#56687a"),
    "defection": ("Defection", "#a0522d"),
    "meeting": ("Meeting", "#3b8f22"),
    "takeover": ("Takeover", "#123f70"),
    "protest": ("Protest", "#c2185b"),
    "other": ("Other", "#8c8c8c"),
}


def type_label(event_type: str) -> str:
    """Readable name of an event type."""
    return EVENT_TYPES.get(event_type, (event_type.replace("_", " ").capitalize(), ""))[0]


def type_colour(event_type: str) -> str:
    """Colour of an event type (grey for a type the page does not know)."""
    return EVENT_TYPES.get(event_type, ("", EVENT_TYPES["other"][1]))[1]


def type_order(event_type: str) -> int:
    """Position of a type in legends and stacks."""
    keys = list(EVENT_TYPES)
    return keys.index(event_type) if event_type in EVENT_TYPES else len(keys)


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL when it is plain http(s), else None (never a javascript: or data: link from scraped data)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 incident', '3 incidents'."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
