"""The `raqib` command line."""

from __future__ import annotations

import argparse
import atexit
import csv
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from raqib.checks import (
    BadInput,
    check_existing_warehouse,
    check_folder,
    check_output_file,
    check_readable_file,
    check_warehouse_to_write,
)
from raqib.output import print_run_summary, print_table
from raqib.prefect_server import ServerStartError, TemporaryServer, needs_temporary_server
from raqib.settings import DEFAULT_SOURCES, Settings, SettingsError, load_settings, prefect_home


def _date(text: str) -> date:
    """Parse YYYY-MM-DD for argparse."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _positive(text: str) -> int:
    """Parse a whole number above zero for argparse."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _db(text: str) -> Path | str:
    """Parse --db: a DuckDB file path, or a DuckLake URI kept as text (a path would fold its '//')."""
    return text if text.startswith("ducklake:") else Path(text)


DB_HELP = ("warehouse: a DuckDB file (default: raqib.duckdb) or a DuckLake, "
           "ducklake:postgres:CONNINFO or ducklake:sqlite:PATH")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command."""
    default_db = _db(os.environ.get("RAQIB_DB") or "raqib.duckdb")  # RAQIB_DB, as the settings read it
    parser = argparse.ArgumentParser(prog="raqib",
                                     description="Arabic conflict news into structured events in DuckDB.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the ingestion flow once over the sources file")
    run.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="sources TOML file (default: sources.toml)")
    run.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    run.add_argument("--archive", type=Path, default=None, help="text archive folder (default: archive/ by the db)")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")

    demo = sub.add_parser("demo", help="serve the demo news site on 127.0.0.1 and ingest it")
    demo.add_argument("--db", type=Path, default=Path("raqib.duckdb"), help="warehouse file (default: raqib.duckdb)")
    demo.add_argument("--archive", type=Path, default=None, help="text archive folder (default: archive/ by the db)")
    demo.add_argument("--site", type=Path, default=None, help="demo site folder (default: the shipped demo/site)")

    extract = sub.add_parser("extract", help="extract events from text or HTML files, without a warehouse")
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    extract.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    extract.add_argument("--published", type=_date, default=None, help="publication date YYYY-MM-DD for relative dates")

    sql = sub.add_parser("sql", help="run a read-only SQL query against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("--at-run", default=None, metavar="RUN_ID",
                     help="answer as the warehouse stood when that run finished (DuckLake only)")

    reextract = sub.add_parser("reextract", help="re-extract events of stored articles with the current extractor")
    reextract.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    reextract.add_argument("--all", action="store_true", help="re-extract every article, not only older versions")

    export = sub.add_parser("export", help="write every table and view to Parquet or CSV files, or the ACLED-form CSVs")
    export.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    export.add_argument("--format", choices=("parquet", "csv", "acled"), default="parquet",
                        help="acled: v_acled and v_acled_incidents as CSV in ACLED's own form")
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--at-run", default=None, metavar="RUN_ID",
                        help="write the warehouse as it stood when that run finished (DuckLake only)")

    search = sub.add_parser("search", help="full-text search over article text (Arabic stemming)")
    search.add_argument("query")
    search.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    search.add_argument("--limit", type=_positive, default=20)

    status = sub.add_parser("status", help="show the last runs and the failures by source and reason")
    status.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    status.add_argument("--runs", type=_positive, default=10)

    serve = sub.add_parser("serve", help="run the flows on their schedules in one long process")
    serve.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    serve.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    serve.add_argument("--archive", type=Path, default=None)

    report = sub.add_parser("report", help="write a self-contained HTML report of the warehouse")
    report.add_argument("--db", type=_db, default=default_db, help=DB_HELP)
    report.add_argument("--out", type=Path, default=Path("report.html"))
    report.add_argument("--since", type=_date, default=None)
    report.add_argument("--admin1", default=None, help="only events in this governorate")
    return parser


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> None:
    """Print query results as a table, CSV or JSON lines."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            print(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str))
    else:
        print_table(columns, rows)


def read_document(path: Path) -> tuple[str, date | None]:
    """Read a text or HTML file; HTML goes through the same article extraction as the flow."""
    raw = path.read_bytes()
    if path.suffix.lower() in (".html", ".htm") or raw.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
        from connectors.article import html_to_text

        text, published = html_to_text(raw, str(path))
        return text, published
    return raw.decode("utf-8", errors="replace"), None


def cmd_extract(args: argparse.Namespace) -> int:
    """Print events for each file, one JSON line per document."""
    for path in args.paths:  # every file is checked before the first is extracted
        check_readable_file(path)
    from extraction import document_json

    status = 0
    for path in args.paths:
        try:
            text, found_date = read_document(path)
        except OSError as exc:
            print(f"raqib extract: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        doc = document_json(str(path), text, args.published or found_date)
        if args.format == "jsonl":
            print(json.dumps(doc, ensure_ascii=False))
        else:
            rows = [(e["event_type"], ", ".join(a["name"] for a in e.get("actors", [])),
                     (e.get("location") or {}).get("name"), e.get("date_start"), e.get("fatalities"))
                    for e in doc["events"]]
            print(path)
            print_table(("type", "actors", "place", "date", "killed"), rows)
    return status


def check_ingest_inputs(sources: Path, db: Path, archive: Path | None) -> Settings:
    """Before Prefect starts: the sources file and RAQIB_* settings load, the warehouse and archive are usable."""
    settings = load_settings(sources, db_path=db, archive_dir=archive)
    check_warehouse_to_write(settings.db_path)
    check_folder(settings.archive_dir, "archive folder")
    return settings


@contextmanager
def temporary_api() -> Iterator[TemporaryServer | None]:
    """Prefect's temporary API server for this command when none is configured, started before the flow's imports.

    At the end, Prefect's queued logs and events are sent before the server stops.
    """
    if not needs_temporary_server():
        yield None
        return
    server = TemporaryServer()
    os.environ["PREFECT_API_URL"] = server.api_url  # read when Prefect is first imported, just after this
    try:
        yield server
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        if "prefect" in sys.modules:
            drain_prefect_queues()
        server.stop()


@contextmanager
def foreground_flow(api: TemporaryServer | None = None) -> Iterator[None]:
    """Run a flow in the foreground without Prefect's heartbeat thread, on `api` when given once it answers.

    The heartbeat thread sleeps in one-second steps and the flow's end waits for it: every run ended up to a second
    after its work (flow times fell on whole seconds). The operator watching the command sees a crash; served
    deployments keep the heartbeats that let a server notice one.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    updates: dict[Any, Any] = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    if api is not None:
        api.wait_ready(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")))
        updates[PREFECT_API_URL] = api.api_url  # also when Prefect was imported before (a test's process)
    with temporary_settings(updates=updates):
        yield


def cmd_run(args: argparse.Namespace) -> int:
    """Run the ingestion flow once and print its summary."""
    check_ingest_inputs(args.sources, args.db, args.archive)
    with temporary_api() as api:
        from prefect.exceptions import FailedRun

        from flows.ingest import ingest_flow
        from raqib import progress

        try:
            with progress.shown(progress.INGEST_STAGES), foreground_flow(api):
                result = ingest_flow(sources_file=str(args.sources), db=str(args.db),
                                     archive_dir=str(args.archive) if args.archive else None)
        except FailedRun as exc:  # e.g. another run holds the warehouse
            print(f"raqib run: {exc}", file=sys.stderr)
            return 3
    assert isinstance(result, dict)  # a flow that ends Failed raises instead of returning its state
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print_run_summary(result)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    """Run one read-only query and print its rows."""
    check_existing_warehouse(args.db)
    from warehouse import run_readonly_query

    columns, rows = run_readonly_query(args.db, args.query, at_run=args.at_run)
    print_rows(columns, rows, args.format)
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    """Re-extract stored articles whose events came from an older extractor."""
    check_existing_warehouse(args.db, write=True)
    with temporary_api() as api:
        from flows.reextract import reextract_flow
        from raqib import progress

        with progress.shown(progress.REEXTRACT_STAGES), foreground_flow(api):
            result = reextract_flow(db=str(args.db), everything=args.all)
    print(f"re-extracted {result['articles']} articles: {result['events']} events "
          f"(extractor {result['extractor_version']})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export every table and view."""
    check_existing_warehouse(args.db)
    check_folder(args.out, "output folder")
    from warehouse import export_tables

    for path in export_tables(args.db, args.out, args.format, at_run=args.at_run):
        print(path)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search article text."""
    check_existing_warehouse(args.db)
    from warehouse import connect_reader, search_articles

    con = connect_reader(args.db)
    try:
        hits = search_articles(con, args.query, limit=args.limit)
    finally:
        con.close()
    columns = list(hits[0].keys()) if hits else ["content_hash", "title", "score"]
    print_rows(columns, [tuple(h.values()) for h in hits], "table")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Show the last runs and failures by source and reason."""
    check_existing_warehouse(args.db)
    from warehouse import run_readonly_query

    columns, rows = run_readonly_query(args.db, f"""
        SELECT flow_run_id, strftime(started_at, '%Y-%m-%d %H:%M') AS started,
               round(epoch(ended_at) - epoch(started_at)) AS seconds, status,
               articles_new AS new_articles, duplicates, events, failures
        FROM runs ORDER BY started_at DESC LIMIT {int(args.runs)}""")
    print("Last runs")
    print_table(columns, rows)
    columns, rows = run_readonly_query(args.db, """
        WITH last AS (
            SELECT url, source, reason, ok,
                   row_number() OVER (PARTITION BY url, stage ORDER BY fetched_at DESC) AS n
            FROM fetch_log)
        SELECT source, reason, count(*) AS urls FROM last
        WHERE n = 1 AND NOT ok AND reason <> 'not_modified'
        GROUP BY ALL ORDER BY source, urls DESC""")
    print("\nOpen failures by source and reason (each URL's latest attempt)")
    print_table(columns, rows)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the deployments on their schedules."""
    check_ingest_inputs(args.sources, args.db, args.archive)
    from flows.deployments import serve_all

    serve_all(sources_file=str(args.sources), db=str(args.db), archive_dir=str(args.archive) if args.archive else None)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the HTML report."""
    check_existing_warehouse(args.db)
    check_output_file(args.out, "report file")
    from report import write_report

    path = write_report(args.db, args.out, since=args.since, admin1=args.admin1)
    print(path)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the demo site and ingest it."""
    from raqib.demo import DEFAULT_SITE, run_demo

    site = args.site or DEFAULT_SITE
    if not (site / "index.html").is_file():
        raise BadInput(f"no demo site at {site} (a folder with index.html)")
    check_warehouse_to_write(args.db)
    check_folder(args.archive or args.db.parent / "archive", "archive folder")

    return run_demo(db=args.db, archive_dir=args.archive, site=args.site)


COMMANDS = {
    "run": cmd_run, "demo": cmd_demo, "extract": cmd_extract, "sql": cmd_sql, "reextract": cmd_reextract,
    "export": cmd_export, "search": cmd_search, "status": cmd_status, "serve": cmd_serve, "report": cmd_report,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `raqib` console script."""
    args = build_parser().parse_args(argv)
    # a research crawler on a closed network: no usage reports from the local Prefect server
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # before Prefect is imported: one lasting home, so a temporary server does not migrate a new database each run
    os.environ["PREFECT_HOME"] = str(prefect_home())
    code = _dispatch(args)
    if argv is None:  # the console script: the process ends with the command
        end_process(code)
    return code


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen command; a user's mistake or a busy warehouse is one line on stderr and an exit code."""
    try:
        return COMMANDS[args.command](args)
    except (SettingsError, BadInput) as exc:  # bad input: one line, no traceback
        print(f"raqib {args.command}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except Exception as exc:
        from warehouse import WarehouseBusy, WarehouseError, is_out_of_memory, out_of_memory_message

        if isinstance(exc, WarehouseBusy | WarehouseError | ServerStartError):
            print(f"raqib {args.command}: {exc}", file=sys.stderr)
            return 3
        if is_out_of_memory(exc):
            print(f"raqib {args.command}: {out_of_memory_message(_memory_limit(args))}", file=sys.stderr)
            return 3
        raise


def drain_prefect_queues() -> None:
    """Send what Prefect's queue services (logs, events) still hold, and stop them."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    EventsWorker.drain_all(timeout=_DRAIN_SECONDS)
    APILogWorker.drain_all(timeout=_DRAIN_SECONDS)


def end_process(code: int) -> NoReturn:
    """Exit with `code` once Prefect's queues are sent and the exit handlers have run, without the tear-down.

    The interpreter's own tear-down of Prefect's objects took about a second of every `raqib run`
    (docs/PERFORMANCE.md); a temporary server Prefect started is stopped by one of the exit handlers. Commands
    that never imported Prefect exit as usual.
    """
    if "prefect" not in sys.modules:
        sys.exit(code)
    try:
        drain_prefect_queues()
        atexit._run_exitfuncs()
    except Exception:  # whatever went wrong, the interpreter's usual exit still works
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


_DRAIN_SECONDS = 30.0  # a temporary server's queue of logs and events is sent in well under a second


def _memory_limit(args: argparse.Namespace) -> str | None:
    """The writer's memory limit the sources file or RAQIB_WRITER_MEMORY_LIMIT sets, None for the default."""
    sources = getattr(args, "sources", None)
    try:
        return load_settings(sources if sources and Path(sources).is_file() else None).writer_memory_limit
    except SettingsError:
        return None


if __name__ == "__main__":
    sys.exit(main())
