"""Parse a report page into elements (SVG included), failing on unbalanced tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr", "area", "base", "embed", "param",
        "track"}


@dataclass
class Element:
    """One parsed element: tag, attributes, its text (with descendants') and its ancestors' tags."""

    tag: str
    attrs: dict[str, str]
    parents: list[str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        """The element's class names."""
        return set(self.attrs.get("class", "").split())


class Collector(HTMLParser):
    """Collect every element of a page (SVG included) in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element."""
        element = Element(tag, {k: v or "" for k, v in attrs}, [e.tag for e in self.stack])
        if self.stack:
            self.stack[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed element (as in SVG)."""
        element = Element(tag, {k: v or "" for k, v in attrs}, [e.tag for e in self.stack])
        if self.stack:
            self.stack[-1].children.append(element)
        self.elements.append(element)

    def handle_endtag(self, tag: str) -> None:
        """Close an element; a mismatch is recorded as an error."""
        if tag in VOID:
            return
        if not self.stack or self.stack[-1].tag != tag:
            self.errors.append(f"unexpected </{tag}> with open {[e.tag for e in self.stack][-3:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        """Add text to every open element."""
        for element in self.stack:
            element.text += data


def parse_page(html: str) -> Collector:
    """Parse a page, failing on unbalanced tags."""
    collector = Collector()
    collector.feed(html)
    collector.close()
    assert not collector.errors, collector.errors[:5]
    assert not collector.stack, [e.tag for e in collector.stack]
    return collector
