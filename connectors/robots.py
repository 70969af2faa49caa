"""robots.txt rules for one host, on top of the standard library parser."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

MAX_CRAWL_DELAY = 60.0  # a site asking for more is still crawled, at this pace


@dataclass
class RobotsRules:
    """What one host's robots.txt allows; `mode` is "rules", "allow_all" or "deny_all"."""

    mode: str
    parser: RobotFileParser | None = None
    failure: str = "robots_unavailable"  # the reason given for pages refused because robots.txt could not be read

    @classmethod
    def from_text(cls, text: str) -> RobotsRules:
        """Parse robots.txt text."""
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        return cls("rules", parser)

    def allows(self, user_agent: str, url: str) -> bool:
        """True when `user_agent` may fetch `url`."""
        if self.mode == "allow_all":
            return True
        if self.mode == "deny_all" or self.parser is None:
            return False
        try:
            return self.parser.can_fetch(user_agent, url)
        except Exception:  # a rule the parser chokes on must not stop the crawl; be polite instead
            return False

    def crawl_delay(self, user_agent: str) -> float:
        """Return the Crawl-delay for `user_agent` in seconds (0 when none), capped."""
        if self.parser is None:
            return 0.0
        try:
            delay = self.parser.crawl_delay(user_agent)
        except (ValueError, TypeError):
            return 0.0
        try:
            return min(MAX_CRAWL_DELAY, max(0.0, float(delay))) if delay is not None else 0.0
        except (TypeError, ValueError):
            return 0.0
