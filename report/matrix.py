"""Who fights whom: incidents per (actor 1, actor 2) pair as a shaded table."""

from __future__ import annotations

from collections import Counter, defaultdict

from report.load import Incident
from report.theme import esc, plural

TOP_ACTORS = 12
NONE_NAMED = "(none named)"


def pair_tables(incidents: list[Incident]) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], int]]:
    """Incidents and deaths per pair; each incident counts once per distinct pair it reports."""
    counts: Counter[tuple[str, str]] = Counter()
    deaths: dict[tuple[str, str], int] = defaultdict(int)
    for inc in incidents:
        for first, second in inc.pairs:
            pair = (first or NONE_NAMED, second or NONE_NAMED)
            counts[pair] += 1
            deaths[pair] += inc.fatalities or 0
    return counts, deaths


def top_names(counts: Counter[tuple[str, str]], side: int) -> list[str]:
    """The busiest actors on one side, most incidents first."""
    totals: Counter[str] = Counter()
    for pair, n in counts.items():
        totals[pair[side]] += n
    return [name for name, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ACTORS]]


def matrix_section(incidents: list[Incident]) -> str:
    """The actor-pair matrix, or a note when no incident names an actor."""
    counts, deaths = pair_tables(incidents)
    if not counts:
        return '<p class="note">No incident names its actors yet.</p>'
    rows, cols = top_names(counts, 0), top_names(counts, 1)
    peak = max(counts.values())
    head = "".join(f'<th scope="col" class="col-head"><span>{esc(c)}</span></th>' for c in cols)
    body = []
    for r in rows:
        cells = []
        for c in cols:
            n = counts.get((r, c), 0)
            if not n:
                cells.append('<td class="cell empty"></td>')
                continue
            strength = 0.12 + 0.88 * n / peak
            ink = "#fff" if strength > 0.55 else "#1d2733"
            tip = f"{r} vs {c}: {plural(n, 'incident')}, {plural(deaths[(r, c)], 'death')}"
            cells.append(f'<td class="cell" style="background:rgba(31,95,168,{strength:.2f});color:{ink}" '
                         f'title="{esc(tip)}" data-deaths="{deaths[(r, c)]}">{n}</td>')
        body.append(f'<tr><th scope="row">{esc(r)}</th>{"".join(cells)}</tr>')
    cut = len({a for a, _ in counts}) > len(rows) or len({b for _, b in counts}) > len(cols)
    shown = f"the {TOP_ACTORS} busiest on each side" if cut else "every actor"
    return (f'<div class="matrix-wrap"><table class="matrix" id="matrix"><thead><tr><th class="corner">'
            f'actor 1 ↓ · actor 2 →</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
            f'<p class="note">Incidents per pair ({shown}); hover a cell for its deaths.</p>')
