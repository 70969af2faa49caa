"""The twelve example queries of docs/SCHEMA.md run, read-only, against a loaded warehouse and return rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import warehouse

SCHEMA_MD = Path(__file__).resolve().parents[2] / "docs" / "SCHEMA.md"


def example_queries() -> list[str]:
    """Return the ```sql blocks of the 'Example queries' section."""
    text = SCHEMA_MD.read_text(encoding="utf-8")
    section = text.split("## Example queries", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


def test_there_are_twelve_examples() -> None:
    assert len(example_queries()) == 12


@pytest.mark.parametrize("number", range(1, 13))
def test_example_query_runs_and_returns_rows(loaded_db: Path, number: int) -> None:
    sql = example_queries()[number - 1]
    columns, rows = warehouse.run_readonly_query(loaded_db, sql)
    assert columns and rows, f"example {number} returned nothing"
    if number == 1:  # the March clash (3 reports, 4 dead, not 14) and the April one
        assert [(r[2], r[3], r[4]) for r in rows] == [("al-Mayadin", 4, 3), ("al-Mayadin", 1, 1)]
    if number == 8:
        assert [r[4:8] for r in rows] == [(4, 6, 4, 2)]


def test_every_table_and_view_is_documented(loaded_db: Path) -> None:
    text = SCHEMA_MD.read_text(encoding="utf-8")
    sections = {m.group(1): m.group(2) for m in re.finditer(r"### `(\w+)`\n(.*?)(?=\n##)", text, flags=re.DOTALL)}
    _, rows = warehouse.run_readonly_query(
        loaded_db,
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND NOT internal ORDER BY ALL")
    assert {t for t, _ in rows} <= set(sections)
    missing = [f"{t}.{c}" for t, c in rows if not re.search(rf"(?<![\w]){c}(?![\w])", sections[t])]
    assert missing == []
