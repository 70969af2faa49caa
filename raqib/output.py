"""What the command line prints: aligned tables and the summary of a run (shared by `raqib run` and the demo)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: Any = None, max_width: int = 60) -> None:
    """Print rows as an aligned text table."""
    out = out or sys.stdout

    def cell(value: Any) -> str:
        text = "NULL" if value is None else str(value).replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    out.write(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def print_run_summary(result: dict[str, Any]) -> None:
    """Print what one run did, per source and in total."""
    print(f"run {result['run_id']} (Prefect flow run {result['flow_run_id']})")
    print_table(("source", "discovered", "fetched", "new articles", "duplicates", "events", "failures"),
                [(r["source"], r.get("discovered", 0), r.get("fetched", 0), r.get("articles_new", 0),
                  r.get("duplicates", 0), r.get("events", 0), r.get("failures", 0)) for r in result["per_source"]])
    print(f"sources {result['sources']}, articles {result['articles_new']} new, duplicates skipped "
          f"{result['duplicates']}, events {result['events']}, failures {result['failures']}")
    for reason, count in sorted(result.get("failure_reasons", {}).items()):
        print(f"  failed: {reason}: {count}")
