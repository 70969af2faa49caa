"""Text normalisation for content hashing and archive names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"[ \t\f\v\u00a0\u200b\u200c\u200d\u200e\u200f\u2000-\u200a\u202f\u205f\u3000]+")


def normalise_text(text: str) -> str:
    """Return the canonical form of article text that the content hash is taken over."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def content_hash(text: str) -> str:
    """Return 16 hex characters of SHA-256 over the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


def archive_name(sequence: int, digest: str) -> str:
    """Return the archive file name `NNN_<hash>.txt`; names come only from hashes."""
    if not re.fullmatch(r"[0-9a-f]{16}", digest):
        raise ValueError(f"not a content hash: {digest!r}")
    return f"{sequence:03d}_{digest}.txt"
