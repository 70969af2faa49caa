"""List the sentences of text files with their character offsets, as the extractor splits them.

    python -m extraction.realnews.sentences FILE...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extraction.text import split_sentences


def sentence_rows(path: Path) -> list[tuple[str, int, int, str]]:
    """Return (file name, start, end, sentence) for every sentence of one file."""
    text = path.read_text(encoding="utf-8")
    return [(path.name, s.start, s.end, text[s.start : s.end]) for s in split_sentences(text)]


def main(argv: list[str]) -> int:
    """Print one tab-separated row per sentence: file, start, end, text; a file it cannot read is one error line."""
    parser = argparse.ArgumentParser(prog="python -m extraction.realnews.sentences",
                                     description="List the sentences of text files with their character offsets.")
    parser.add_argument("files", nargs="+", type=Path, help="UTF-8 text files")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            rows = sentence_rows(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            print(f"sentences: cannot read {path}: {reason}", file=sys.stderr)
            status = 1
            continue
        for file_name, start, end, sentence in rows:
            print(f"{file_name}\t{start}\t{end}\t{' '.join(sentence.split())}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
