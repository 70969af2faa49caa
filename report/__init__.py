"""The self-contained HTML report of the warehouse (map, timeline, actor matrix, incident table)."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from report.load import ReportData, load_report_data, open_warehouse
from report.page import render_page
from report.summary import render_markdown

__all__ = ["read_report_data", "summary_markdown", "write_report"]


def read_report_data(db: Path | str | duckdb.DuckDBPyConnection, since: date | None = None,
                     admin1: str | None = None, run_id: str | None = None) -> ReportData:
    """Read the filtered report data (of one run's events, with run_id) from a warehouse file or a connection."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return load_report_data(db, since=since, admin1=admin1, run_id=run_id)
    con = open_warehouse(Path(db))
    try:
        return load_report_data(con, since=since, admin1=admin1, run_id=run_id)
    finally:
        con.close()


def write_report(db_path: Path | str, out: Path, since: date | None = None, admin1: str | None = None) -> Path:
    """Write the HTML report of the warehouse at db_path to out (atomically) and return out."""
    html = render_page(read_report_data(db_path, since=since, admin1=admin1))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def summary_markdown(db_path: Path | str | duckdb.DuckDBPyConnection, since: date | None = None,
                     admin1: str | None = None, run_id: str | None = None) -> str:
    """A short markdown summary (headline numbers, types, deadliest incidents) for the flow's Prefect artifact."""
    return render_markdown(read_report_data(db_path, since=since, admin1=admin1, run_id=run_id))
