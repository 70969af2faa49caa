"""The sortable incident table, each row with its source links and its Arabic evidence sentences."""

from __future__ import annotations

from datetime import date

from report.load import Incident
from report.theme import esc, safe_url, type_colour, type_label

MAX_ROWS = 500
MAX_EVIDENCE = 4


def date_cell(inc: Incident) -> str:
    """The date, or a range when the incident spans days."""
    if inc.date_start is None:
        return '<td data-sort="">unknown</td>'
    text = inc.date_start.isoformat()
    if inc.date_end and inc.date_end != inc.date_start:
        text += f" – {inc.date_end.isoformat()}"
    return f'<td data-sort="{inc.date_start.isoformat()}" class="nowrap">{esc(text)}</td>'


def place_cell(inc: Incident) -> str:
    """English name, the Arabic name under it, and the governorate."""
    name = esc(inc.location or "unknown place")
    arabic = f'<div class="ar-name" dir="rtl" lang="ar">{esc(inc.location_ar)}</div>' if inc.location_ar else ""
    admin = f'<div class="muted">{esc(inc.admin1)}</div>' if inc.admin1 and inc.admin1 != inc.location else ""
    return f'<td class="place-cell" data-sort="{name}">{name}{arabic}{admin}</td>'


def sources_cell(inc: Incident) -> str:
    """The reporting articles as links (plain text when the URL is not http(s)) and the evidence in Arabic."""
    links = []
    for link in inc.links:
        url = safe_url(link.url)
        label = esc(link.source)
        links.append(f'<li><a href="{esc(url)}" rel="noopener noreferrer nofollow">{label}</a></li>' if url
                     else f"<li>{label}</li>")
    evidence = "".join(f'<p class="evidence" dir="rtl" lang="ar">{esc(text)}</p>'
                       for text in inc.evidence[:MAX_EVIDENCE])
    more = len(inc.evidence) - MAX_EVIDENCE
    extra = f'<p class="muted">and {more} more</p>' if more > 0 else ""
    return f'<td class="sources"><ul class="links">{"".join(links)}</ul>{evidence}{extra}</td>'


def incident_row(inc: Incident) -> str:
    """One table row."""
    deaths = "" if inc.fatalities is None else str(inc.fatalities)
    actors = "".join(f"<li>{esc(a)}</li>" for a in inc.actors)
    return (f'<tr class="incident" data-incident="{esc(inc.incident_id)}">{date_cell(inc)}'
            f'<td data-sort="{esc(inc.event_type)}"><span class="tag" style="border-color:{type_colour(inc.event_type)}'
            f'"><span class="dot" style="background:{type_colour(inc.event_type)}"></span>'
            f'{esc(type_label(inc.event_type))}</span></td>{place_cell(inc)}'
            f'<td data-sort="{esc(inc.actors[0] if inc.actors else "")}"><ul class="actors">{actors}</ul></td>'
            f'<td class="num" data-sort="{inc.fatalities if inc.fatalities is not None else -1}">{deaths}</td>'
            f'<td class="num" data-sort="{inc.n_sources}">{inc.n_sources}</td>{sources_cell(inc)}</tr>')


def table_section(incidents: list[Incident]) -> str:
    """The table, deadliest first, capped so the page stays light."""
    # unknown deaths sort below zero, as the page's own sorting does (data-sort -1)
    ordered = sorted(incidents, key=lambda i: (-(i.fatalities if i.fatalities is not None else -1),
                                               -(i.date_start or date.min).toordinal(), i.incident_id))
    shown = ordered[:MAX_ROWS]
    cap = (f'<p class="note">Showing the {MAX_ROWS} deadliest of {len(incidents):,} incidents.</p>'
           if len(incidents) > MAX_ROWS else "")
    head = "".join(
        f'<th scope="col" data-kind="{kind}"{sort}><button type="button">{label}</button></th>'
        for label, kind, sort in (("Date", "text", ""), ("Type", "text", ""), ("Place", "text", ""),
                                  ("Actors", "text", ""), ("Deaths", "num", ' aria-sort="descending"'),
                                  ("Sources", "num", "")))
    return (f'{cap}<div class="table-wrap"><table class="incidents sortable" id="incidents"><thead><tr>{head}'
            f'<th scope="col" class="evidence-head">Reports and evidence</th></tr></thead>'
            f'<tbody>{"".join(incident_row(i) for i in shown)}</tbody></table></div>')
