"""The short markdown version of the report, published by the ingestion flow as a Prefect artifact."""

from __future__ import annotations

from collections import Counter
from datetime import date

from report.load import ReportData
from report.theme import plural, type_label

TOP_INCIDENTS = 5


def cell(text: object) -> str:
    """Make a value safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(data: ReportData) -> str:
    """Headline numbers, incidents by type and the deadliest incidents."""
    scope = []
    if data.since:
        scope.append(f"since {data.since.isoformat()}")
    if data.admin1:
        scope.append(f"in {data.admin1}")
    title = "## raqib report" + (f" ({', '.join(scope)})" if scope else "")
    incidents = data.incidents
    if not incidents:
        reason = "no events yet" if data.warehouse_events == 0 else "no events match the filters"
        return f"{title}\n\n_{reason.capitalize()}._\n"
    deaths = sum(i.fatalities or 0 for i in incidents)
    dates = sorted(i.date_start for i in incidents if i.date_start)
    period = f", {dates[0].isoformat()} to {dates[-1].isoformat()}" if dates else ""
    lines = [title, "", f"**{plural(len(incidents), 'incident')}** from {plural(len(data.events), 'report')}, "
             f"**{plural(deaths, 'death')}**{period}.", "", "| type | incidents | deaths |", "|---|---:|---:|"]
    by_type: Counter[str] = Counter(i.event_type for i in incidents)
    for kind, n in by_type.most_common():
        killed = sum(i.fatalities or 0 for i in incidents if i.event_type == kind)
        lines.append(f"| {cell(type_label(kind))} | {n} | {killed} |")
    lines += ["", "Deadliest incidents:", "", "| date | type | place | actors | deaths | sources |",
              "|---|---|---|---|---:|---:|"]
    deadliest = sorted(incidents, key=lambda i: (-(i.fatalities or 0), -(i.date_start or date.min).toordinal()))
    for inc in deadliest[:TOP_INCIDENTS]:
        lines.append(f"| {inc.date_start.isoformat() if inc.date_start else '?'} | {cell(type_label(inc.event_type))}"
                     f" | {cell(inc.location or '?')} | {cell(', '.join(inc.actors) or '-')}"
                     f" | {inc.fatalities if inc.fatalities is not None else '?'} | {inc.n_sources} |")
    return "\n".join(lines) + "\n"
