"""Assemble the self-contained HTML page from its parts."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from report.geo import boundaries, governorate_names
from report.load import ReportData
from report.map_svg import map_section
from report.matrix import matrix_section
from report.table import table_section
from report.theme import esc, plural
from report.timeline import timeline_section

ASSETS = Path(__file__).parent / "assets"
# Nothing may load from anywhere: scripts and styles are inline, images only data: URIs.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'"
# Runs first: any script error, failed load or blocked request is written into #page-errors for the browser test.
ERROR_RECORDER = """(function () {
  var seen = [];
  function note(text) {
    seen.push(text);
    var box = document.getElementById("page-errors");
    if (box) { box.textContent = seen.join("\\n"); }
  }
  window.addEventListener("error", function (e) {
    var t = e.target;
    note(t && t !== window ? "failed to load " + (t.src || t.href || t.tagName) : "error: " + e.message);
  }, true);
  document.addEventListener("securitypolicyviolation", function (e) { note("blocked: " + e.blockedURI); });
  document.addEventListener("DOMContentLoaded", function () { if (seen.length) { note(seen.pop()); } });
})();"""


@cache
def asset(name: str) -> str:
    """A shipped CSS or JS file's text."""
    return (ASSETS / name).read_text(encoding="utf-8")


def filter_chips(data: ReportData) -> str:
    """The active filters as chips in the header."""
    chips = []
    if data.since:
        chips.append(f"since {data.since.isoformat()}")
    if data.admin1:
        names = governorate_names().get(data.admin1_pcode or "")
        chips.append(f"governorate: {names[0]} ({names[1]})" if names else f"governorate: {data.admin1}")
    if not chips:
        chips.append("all dates, all governorates")
    return "".join(f'<span class="chip">{esc(c)}</span>' for c in chips)


def summary_cards(data: ReportData) -> str:
    """Headline numbers."""
    incidents = data.incidents
    dates = sorted(i.date_start for i in incidents if i.date_start)
    span = f"{dates[0].isoformat()} to {dates[-1].isoformat()}" if dates else "no dates"
    deaths = sum(i.fatalities or 0 for i in incidents)
    places = {(round(i.latitude, 4), round(i.longitude, 4)) for i in incidents
              if i.latitude is not None and i.longitude is not None}
    sources = {link.source for i in incidents for link in i.links}
    cards = [(f"{len(incidents):,}", f"incidents, from {plural(len(data.events), 'report')}"),
             (f"{deaths:,}", "deaths (best-supported figure per incident)"),
             (f"{len(places):,}", "places on the map"), (f"{len(sources):,}", "news sources"), (span, "period")]
    return "".join(f'<div class="card"><div class="value{" small" if len(v) > 12 else ""}">{esc(v)}</div>'
                   f'<div class="label">{esc(label)}</div></div>' for v, label in cards)


def panel(section_id: str, title: str, lede: str, body: str) -> str:
    """One titled section."""
    return (f'<section class="panel" id="{section_id}"><h2>{esc(title)}</h2><p class="lede">{esc(lede)}</p>'
            f'{body}</section>')


def empty_state(data: ReportData) -> str:
    """What the page says when nothing is there to show."""
    if data.warehouse_events == 0:
        title = "No events yet"
        body = ("The warehouse has no events yet. Run <code>raqib run</code> (or <code>raqib demo</code>) and write "
                "the report again.")
    else:
        title = "No events match the filters"
        body = esc(f"The warehouse holds {plural(data.warehouse_events, 'event')}, but none match the date and "
                   "governorate filters.")
    return f'<section class="panel empty-state" id="empty"><h2>{esc(title)}</h2><p>{body}</p></section>'


def footer() -> str:
    """Method notes and credits."""
    data = boundaries()
    return (f'<footer><p>Counts are per incident: reports of the same happening from several sources are merged, '
            f'and deaths are the best-supported figure, not a sum over reports. Evidence sentences are quoted from the '
            f'reporting articles as extracted.</p><p>{esc(data["attribution"])}</p>'
            f'<p>{esc(data["names_attribution"])}</p></footer>')


def render_page(data: ReportData, generated: datetime | None = None) -> str:
    """The whole HTML document."""
    generated = generated or datetime.now(UTC)
    if data.incidents:
        body = (f'<div class="cards">{summary_cards(data)}</div>'
                + panel("map-section", "Where", "Every located incident, by place.",
                        map_section(data.incidents, data.admin1_pcode))
                + panel("timeline", "When", "Incidents and deaths over time, by type.",
                        timeline_section(data.incidents))
                + panel("actors", "Who against whom", "Actor 1 (rows) against actor 2 (columns).",
                        matrix_section(data.incidents))
                + panel("incident-table", "Incidents",
                        "Deadliest first; click a heading to sort. Each row lists its reports and the Arabic "
                        "sentences it rests on.", table_section(data.incidents)))
    else:
        body = empty_state(data)
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>raqib: conflict events report</title>
<script>{ERROR_RECORDER}</script>
<style>{asset("page.css")}</style>
</head>
<body>
<header class="top"><div class="inner"><div><h1>raqib <span class="ar" lang="ar" dir="rtl">رقيب</span></h1>
<p>Conflict events extracted from Arabic news · generated {esc(generated.strftime("%Y-%m-%d %H:%M UTC"))}</p></div>
<div class="filters">{filter_chips(data)}</div></div></header>
<main>
<pre id="page-errors" role="alert"></pre>
{body}
</main>
{footer()}
<script>{asset("page.js")}</script>
</body>
</html>
"""
