"""Arabic and English conflict-event extraction (see ../shared/EVENTS.md for the event model and JSON form)."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from extraction.extractor import Extractor
from extraction.model import Event, EventActor, EventLocation
from extraction.text import detect_language
from extraction.textnorm import content_hash

__all__ = ["EXTRACTOR_VERSION", "Event", "EventActor", "EventLocation", "document_json", "extract_events"]

_CODE_VERSION = "1.1.0"
_PACKAGE = Path(__file__).parent
# files that cannot change events
_NOT_OUTPUT = frozenset(("evaluate.py", "benchmark.py", "scoring.py", "build_gazetteer.py", "textnorm.py"))
_READ_AT_RUN = frozenset(("places_blocklist.tsv",))  # the other places_*.tsv only feed gazetteer.tsv


def _fingerprint() -> str:
    """Short hash over the extractor's code and data files, so that the version changes with either."""
    digest = hashlib.sha256()
    files = sorted(_PACKAGE.glob("*.py")) + sorted((_PACKAGE / "data").glob("*.tsv"))
    for path in files:
        if path.name in _NOT_OUTPUT or (path.name.startswith("places_") and path.name not in _READ_AT_RUN):
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


EXTRACTOR_VERSION = f"{_CODE_VERSION}+dict.{_fingerprint()}"


@lru_cache(maxsize=1)
def _extractor() -> Extractor:
    """The shared extractor (dictionaries and gazetteer loaded once per process)."""
    return Extractor()


def extract_events(text: str, published: date | None, language: str | None = None) -> list[Event]:
    """Events reported in an article; `published` resolves relative dates; language is detected when None."""
    return _extractor().extract(text, published, language)


def document_json(document: str, text: str, published: date | None) -> dict[str, Any]:
    """The one-line JSON object of EVENTS.md for one document."""
    language = detect_language(text)
    events = extract_events(text, published, language)
    return {
        "document": document,
        "content_hash": content_hash(text),
        "published": published.isoformat() if published else None,
        "language": language,
        "extractor_version": EXTRACTOR_VERSION,
        "events": [event.to_json() for event in events],
    }
