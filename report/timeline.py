"""The timeline: incidents and deaths per week (per month over long spans), stacked by event type."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from report.load import Incident
from report.theme import esc, plural, type_colour, type_label, type_order

WIDTH = 1160.0
LEFT, RIGHT, TOP = 46.0, 10.0, 14.0
MAX_WEEKS = 160  # beyond this many weeks bars get too thin: switch to months


def week_start(day: date) -> date:
    """The Monday of a date's week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """The first day of a date's month."""
    return day.replace(day=1)


def buckets(first: date, last: date, monthly: bool) -> list[date]:
    """Every bucket start from first to last, empty ones included so gaps show."""
    out = []
    current = month_start(first) if monthly else week_start(first)
    while current <= last:
        out.append(current)
        current = (current.replace(year=current.year + current.month // 12, month=current.month % 12 + 1)
                   if monthly else current + timedelta(days=7))
    return out


def nice_max(value: float) -> tuple[float, float]:
    """A round axis maximum at or above value, and its tick step."""
    if value <= 0:
        return 1.0, 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value / step <= 5:
            top = step * -(-value // step)
            return float(top), float(step)
    return float(value), float(value)


def stacked_chart(series: dict[date, dict[str, int]], starts: list[date], height: float, unit: str,
                  monthly: bool, chart_id: str, show_dates: bool) -> str:
    """One stacked-bar SVG over the buckets."""
    bottom = 24.0 if show_dates else 8.0
    plot_h = height - TOP - bottom
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(starts), 1)
    bar_w = max(1.0, min(slot * 0.78, 40.0))
    totals = {s: sum(series.get(s, {}).values()) for s in starts}
    top, step = nice_max(max(totals.values(), default=0))
    parts: list[str] = []
    tick = 0.0
    while tick <= top:
        y = TOP + plot_h - tick / top * plot_h
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{int(tick)}</text>')
        tick += step
    period = "month of" if monthly else "week of"
    for n, start in enumerate(starts):
        x = LEFT + n * slot + (slot - bar_w) / 2
        y = TOP + plot_h
        for kind, value in sorted(series.get(start, {}).items(), key=lambda kv: type_order(kv[0])):
            h = value / top * plot_h
            y -= h
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{type_colour(kind)}" data-type="{esc(kind)}" data-value="{value}"><title>{period} '
                         f'{start.isoformat()}: {esc(type_label(kind))}, {plural(value, unit)} '
                         f'(total {totals[start]})</title></rect>')
    if show_dates:
        parts.append(date_labels(starts, slot, height - 6))
    return (f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img" '
            f'aria-label="{esc(unit)}s per {"month" if monthly else "week"} by type">'
            f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h:.1f}" '
            f'y2="{TOP + plot_h:.1f}"/>{"".join(parts)}</svg>')


def date_labels(starts: list[date], slot: float, y: float) -> str:
    """Month labels under the bars, thinned so they never collide."""
    labels, last_x = [], -1e9
    for n, start in enumerate(starts):
        if n and start.month == starts[n - 1].month:
            continue
        x = LEFT + n * slot
        if x - last_x < 64:
            continue
        last_x = x
        text = start.strftime("%b %Y") if n == 0 or start.month == 1 else start.strftime("%b")
        labels.append(f'<text class="axis" x="{x:.1f}" y="{y:.1f}">{text}</text>')
    return "".join(labels)


def timeline_section(incidents: list[Incident]) -> str:
    """Incidents per bucket and deaths per bucket, or a note when nothing is dated."""
    dated = [i for i in incidents if i.date_start is not None]
    if not dated:
        return '<p class="note">No incident has a date yet.</p>'
    first = min(i.date_start for i in dated if i.date_start)
    last = max(i.date_start for i in dated if i.date_start)
    monthly = (last - first).days / 7 > MAX_WEEKS
    starts = buckets(first, last, monthly)
    counts: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    deaths: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for inc in dated:
        assert inc.date_start is not None
        key = month_start(inc.date_start) if monthly else week_start(inc.date_start)
        counts[key][inc.event_type] += 1
        if inc.fatalities:
            deaths[key][inc.event_type] += inc.fatalities
    unit = "month" if monthly else "week"
    undated = len(incidents) - len(dated)
    note = f'<p class="note">{plural(undated, "incident")} without a date left out.</p>' if undated else ""
    return (f'<h3 class="chart-title">Incidents per {unit}</h3>'
            f'{stacked_chart(counts, starts, 190, "incident", monthly, "timeline-incidents", False)}'
            f'<h3 class="chart-title">Deaths per {unit}</h3>'
            f'{stacked_chart(deaths, starts, 170, "death", monthly, "timeline-deaths", True)}{note}')
