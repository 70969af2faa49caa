"""List the sentences of text files with their character offsets, as the extractor splits them."""

from __future__ import annotations

import sys
from pathlib import Path

from extraction.text import split_sentences


def sentence_rows(path: Path) -> list[tuple[str, int, int, str]]:
    """Return (file name, start, end, sentence) for every sentence of one file."""
    text = path.read_text(encoding="utf-8")
    return [(path.name, s.start, s.end, text[s.start : s.end]) for s in split_sentences(text)]


def main(argv: list[str]) -> int:
    """Print one tab-separated row per sentence: file, start, end, text."""
    for name in argv:
        for file_name, start, end, sentence in sentence_rows(Path(name)):
            print(f"{file_name}\t{start}\t{end}\t{' '.join(sentence.split())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
