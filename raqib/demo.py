"""`raqib demo`: serve the shipped demo news site on 127.0.0.1 and run the real flow against it."""

from __future__ import annotations

import http.server
import mimetypes
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_TOKEN = b"__BASE_URL__"
DEMO_PORT = 47823
DEFAULT_SITE = Path(__file__).resolve().parent.parent / "demo" / "site"
EXAMPLE_QUERY = """-- the deadliest violent events, one row per event, ACLED-style columns
SELECT event_date, sub_event_type, actor1, actor2, location, admin2, fatalities
FROM v_events
WHERE event_type IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians')
ORDER BY fatalities DESC NULLS LAST, event_date
LIMIT 8"""


class DemoSiteHandler(http.server.BaseHTTPRequestHandler):
    """Serves files from the site folder, with `__BASE_URL__` replaced by the real address."""

    site_root: Path
    base_url: str

    def do_GET(self) -> None:
        """Answer one GET with a file, its folder's index.html, or 404."""
        path = unquote(urlsplit(self.path).path)
        target = (self.site_root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = next((target / n for n in ("index.html", "index.xml") if (target / n).is_file()), target)
        if not target.is_relative_to(self.site_root) or not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes().replace(BASE_TOKEN, self.base_url.encode("ascii"))
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".xml":
            kind = "application/xml"
        self.send_response(200)
        if kind.startswith("text/") and b"windows-1256" not in body[:4096]:
            kind += "; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the demo's output to the summary."""


@contextmanager
def serve_site(site_root: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 on a free port and yield its base URL."""
    class Handler(DemoSiteHandler):
        pass

    Handler.site_root = site_root.resolve()
    try:  # the same address every time, so a second demo run finds its pages already known
        server = http.server.ThreadingHTTPServer(("127.0.0.1", DEMO_PORT), Handler)
    except OSError:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Handler.base_url
    finally:
        server.shutdown()
        server.server_close()


def demo_sources(base_url: str) -> str:
    """The sources file for the demo site: its RSS feed and its sitemap."""
    return f"""[settings]
rate_limit_per_host = 50.0
allow_private_addresses = true

[[sources]]
name = "demo-feed"
kind = "rss"
url = "{base_url}/feed/"

[[sources]]
name = "demo-sitemap"
kind = "sitemap"
url = "{base_url}/sitemap.xml"
"""


def run_demo(db: Path, archive_dir: Path | None = None, site: Path | None = None) -> int:
    """Serve the demo site, run the ingestion flow on it and print a summary and an example query."""
    from prefect.exceptions import FailedRun

    from flows.ingest import ingest_flow
    from raqib import progress
    from raqib.checks import BadInput
    from raqib.output import print_run_summary, print_table
    from warehouse import run_readonly_query

    site_root = site or DEFAULT_SITE
    if not (site_root / "index.html").is_file():
        raise BadInput(f"no demo site at {site_root} (a folder with index.html)")
    with serve_site(site_root) as base_url, tempfile.TemporaryDirectory() as tmp:
        print(f"demo site: {base_url}/ ({sum(1 for _ in site_root.rglob('*.html'))} pages)")
        sources = Path(tmp) / "sources.toml"
        sources.write_text(demo_sources(base_url), encoding="utf-8")
        try:
            with progress.shown(progress.INGEST_STAGES):
                result = ingest_flow(sources_file=str(sources), db=str(db),
                                     archive_dir=str(archive_dir) if archive_dir else None)
        except FailedRun as exc:  # e.g. another run holds the warehouse
            print(f"raqib demo: {exc}", file=sys.stderr)
            return 3
    assert isinstance(result, dict)  # a flow that ends Failed raises instead of returning its state
    print()
    print_run_summary(result)
    print(f"\nwarehouse: {db}")
    print("\nExample query:\n" + EXAMPLE_QUERY + "\n")
    columns, rows = run_readonly_query(db, EXAMPLE_QUERY)
    print_table(columns, rows)
    return 0
