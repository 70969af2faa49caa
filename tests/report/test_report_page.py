"""The HTML report on a warehouse built through the real warehouse API: content, filters, escaping, empty cases."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from needs import needs_shared
from report_fixture import (
    BADIA,
    RAQQA,
    SCRIPT_EVIDENCE,
    STORIES,
    Place,
    Story,
    event,
    load_stories,
    located_points,
)
from report_html import Element, parse_page

import report
import warehouse
from raqib.cli import main as raqib_main
from report import build_boundaries
from report.geo import resolve_governorate
from tests.backend import db_in


def render(db: Path | str, tmp_path: Path, **filters: object) -> tuple[str, list[Element]]:
    """Write the report and return its text and elements."""
    out = report.write_report(db, tmp_path / "out" / "report.html", **filters)  # type: ignore[arg-type]
    html = out.read_text(encoding="utf-8")
    return html, parse_page(html).elements


def by_id(elements: list[Element], element_id: str) -> Element:
    """The element with an id."""
    found = [e for e in elements if e.attrs.get("id") == element_id]
    assert len(found) == 1, f"expected one #{element_id}, found {len(found)}"
    return found[0]


def descendants(root: Element) -> list[Element]:
    """Every element under root."""
    out: list[Element] = []
    todo = list(root.children)
    while todo:
        element = todo.pop(0)
        out.append(element)
        todo.extend(element.children)
    return out


def incident_rows(elements: list[Element]) -> list[Element]:
    """The incident table's rows."""
    return [e for e in descendants(by_id(elements, "incidents")) if e.tag == "tr" and "incident" in e.classes]


def row_dates(rows: list[Element]) -> list[date]:
    """The start date of each incident row."""
    return [date.fromisoformat(r.children[0].attrs["data-sort"]) for r in rows]


def test_map_has_one_mark_per_located_place(fixture_db: Path, tmp_path: Path) -> None:
    """Every distinct located place gets exactly one circle on the country map, sized by its incident's deaths."""
    _, elements = render(fixture_db, tmp_path)
    marks = [e for e in descendants(by_id(elements, "map")) if e.tag == "circle" and "place" in e.classes]
    assert len(marks) == len(located_points(STORIES)) == 9
    names = {m.attrs["data-place"] for m in marks}
    assert {"al-Mayadin", "al-Jorah", "al-Qusour", "Raqqa", "al-Kattaf"} <= names
    assert BADIA.name not in names  # no coordinates, so no mark
    mayadin = next(m for m in marks if m.attrs["data-place"] == "al-Mayadin")
    # two outlets reported the same 8 deaths: one incident, deaths not summed
    assert (mayadin.attrs["data-deaths"], mayadin.attrs["data-incidents"]) == ("8", "1")
    assert float(mayadin.attrs["r"]) > float(next(m for m in marks if m.attrs["data-place"] == "Raqqa").attrs["r"])
    inset = [e for e in descendants(by_id(elements, "inset-city")) if e.tag == "circle"]
    assert {m.attrs["data-place"] for m in inset} == {"al-Jorah", "al-Qusour", "al-Hamidiyah"}


def test_timeline_counts_incidents_and_deaths_by_type(fixture_db: Path, tmp_path: Path) -> None:
    """The stacked bars add up to the incidents and their deaths, each bar coloured by type."""
    _, elements = render(fixture_db, tmp_path)
    bars = [e for e in descendants(by_id(elements, "timeline-incidents")) if e.tag == "rect"]
    assert sum(int(b.attrs["data-value"]) for b in bars) == 10
    death_bars = [e for e in descendants(by_id(elements, "timeline-deaths")) if e.tag == "rect"]
    assert sum(int(b.attrs["data-value"]) for b in death_bars) == 8 + 1 + 3 + 12 + 2 + 4
    assert {b.attrs["data-type"] for b in death_bars} == {"armed_clash", "attack", "shelling", "airstrike", "explosion"}
    colours = {b.attrs["data-type"]: b.attrs["fill"] for b in bars}
    assert len(set(colours.values())) == len(colours)


def test_actor_matrix_counts_pairs(fixture_db: Path, tmp_path: Path) -> None:
    """The matrix has the NDF x IRGC cell with one incident and its deaths in the tooltip."""
    _, elements = render(fixture_db, tmp_path)
    matrix = by_id(elements, "matrix")
    rows = [e for e in descendants(matrix) if e.tag == "tr"]
    ndf = next(r for r in rows if r.children[0].text == "National Defence Forces")
    filled = [c for c in ndf.children if c.tag == "td" and c.text]
    assert [c.text for c in filled] == ["1"]
    assert "Islamic Revolutionary Guard Corps: 1 incident, 8 deaths" in filled[0].attrs["title"]
    # a target named without an attacker stays in the actor 2 column
    unnamed = next(r for r in rows if r.children[0].text == "(none named)")
    titles = [c.attrs["title"] for c in unnamed.children if c.tag == "td" and c.text]
    assert titles == ["(none named) vs Syrian government forces: 2 incidents, 2 deaths"]
    regime = next(r for r in rows if r.children[0].text == "Syrian government forces")
    assert [c.attrs["title"] for c in regime.children if c.tag == "td" and c.text] == [
        "Syrian government forces vs (none named): 1 incident, 3 deaths"]


def test_incident_table_has_sources_and_rtl_evidence(fixture_db: Path, tmp_path: Path) -> None:
    """One row per incident, deadliest first, each with source links and Arabic evidence in rtl elements."""
    _, elements = render(fixture_db, tmp_path)
    rows = incident_rows(elements)
    assert len(rows) == 10
    deaths = [int(r.children[4].attrs["data-sort"]) for r in rows]
    assert deaths == sorted(deaths, reverse=True)
    mayadin = next(r for r in rows if r.children[2].attrs["data-sort"] == "al-Mayadin")
    links = [e for e in descendants(mayadin) if e.tag == "a"]
    assert {a.attrs["href"] for a in links} == {"https://deirezzor24.test/news/mayadin-clash",
                                                 "https://furatpost.test/news/mayadin-fighting"}
    assert mayadin.children[5].text == "2"
    evidence = [e for e in descendants(mayadin) if "evidence" in e.classes]
    assert len(evidence) == 2
    assert all(e.attrs.get("dir") == "rtl" and e.attrs.get("lang") == "ar" for e in evidence)
    assert any("الدفاع الوطني والحرس الثوري" in e.text for e in evidence)
    every_evidence = [e for row in rows for e in descendants(row) if "evidence" in e.classes]
    assert len(every_evidence) == 11 and all(e.attrs.get("dir") == "rtl" for e in every_evidence)


def test_scraped_text_is_escaped(fixture_db: Path, tmp_path: Path) -> None:
    """An evidence sentence with <script> is shown as text, never run."""
    html, elements = render(fixture_db, tmp_path)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert len([e for e in elements if e.tag == "script"]) == 2  # the page's own two
    assert any(e.text == SCRIPT_EVIDENCE for e in elements if "evidence" in e.classes)


def test_hostile_names_and_links_stay_inert(tmp_path: Path) -> None:
    """Markup in place and actor names and a javascript: URL produce no elements, handlers or live links."""
    bad_place = Place('<img src=x onerror="alert(1)">', "<b>حي</b>", "Deir ez-Zor", "", 35.3, 40.1)
    text = "هجوم مسلح على حاجز في حي الجورة بدير الزور"
    story = Story("sharqnews", "x", date(2021, 5, 2), text,
                  [event("attack", bad_place, date(2021, 5, 1), 1, text, ('"><svg onload=alert(1)>', "مسلحون"))])
    db = db_in(tmp_path, "hostile.duckdb")
    load_stories(db, [story])
    con = warehouse.connect_writer(db)
    con.execute("UPDATE articles SET url = 'javascript:alert(1)'")
    con.close()
    html, elements = render(db, tmp_path)
    assert not [e for e in elements if e.tag in ("img", "b")]
    assert not [e for e in elements if any(name.startswith("on") for name in e.attrs)]
    assert not [e for e in elements if e.attrs.get("href", "").startswith("javascript")]
    assert all(e.attrs.get("class") in ("map", "map inset", "chart", "size-legend") for e in elements
               if e.tag == "svg")  # only the page's own drawings
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    summary = report.summary_markdown(db)
    assert "<img" not in summary and "<svg" not in summary and "&lt;img" in summary


def test_events_not_yet_grouped_stand_alone(tmp_path: Path) -> None:
    """Before refresh_incidents has run, every event is its own row (nothing is lost or merged)."""
    db = db_in(tmp_path, "fresh.duckdb")
    load_stories(db, STORIES, refresh=False)
    _, elements = render(db, tmp_path)
    rows = incident_rows(elements)
    assert len(rows) == sum(len(s.events) for s in STORIES) == 11
    mayadin = [r for r in rows if r.children[2].attrs["data-sort"] == "al-Mayadin"]
    assert [r.children[5].text for r in mayadin] == ["1", "1"]


def test_missing_warehouse_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    """A wrong --db path fails clearly instead of writing an empty report."""
    out = tmp_path / "report.html"
    with pytest.raises(warehouse.WarehouseError, match="no warehouse"):
        report.write_report(db_in(tmp_path, "nowhere.duckdb"), out)
    assert not out.exists()


def test_page_loads_nothing_from_anywhere(fixture_db: Path, tmp_path: Path) -> None:
    """No element points at a network resource, and a CSP forbids any load."""
    _, elements = render(fixture_db, tmp_path)
    assert not [e for e in elements if "src" in e.attrs or e.tag in ("link", "iframe", "img", "object")]
    assert {e.tag for e in elements if "href" in e.attrs} == {"a"}
    csp = next(e for e in elements if e.tag == "meta" and e.attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp.attrs["content"]


def test_since_filter_drops_older_incidents(fixture_db: Path, tmp_path: Path) -> None:
    """--since keeps only incidents on or after the date, everywhere on the page."""
    since = date(2021, 3, 1)
    _, elements = render(fixture_db, tmp_path, since=since)
    rows = incident_rows(elements)
    expected = {(e["event_type"], e["location"]["name"], e["date_start"]) for s in STORIES for e in s.events
                if date.fromisoformat(e["date_start"]) >= since}
    assert len(rows) == len(expected) == 6
    assert min(row_dates(rows)) >= since
    marks = [e for e in descendants(by_id(elements, "map")) if "place" in e.classes]
    assert len(marks) == len(located_points(STORIES, lambda e: date.fromisoformat(e["date_start"]) >= since))
    assert [e.text for e in elements if "chip" in e.classes] == ["since 2021-03-01"]


@pytest.mark.parametrize("spelling", ["Raqqa", "ar-raqqah", "الرقة"])
def test_admin1_filter_accepts_any_spelling(fixture_db: Path, tmp_path: Path, spelling: str) -> None:
    """--admin1 keeps one governorate's incidents, whatever the spelling."""
    _, elements = render(fixture_db, tmp_path, admin1=spelling)
    rows = incident_rows(elements)
    assert [r.children[2].attrs["data-sort"] for r in rows] == [RAQQA.name]
    marks = [e for e in descendants(by_id(elements, "map")) if "place" in e.classes]
    assert [m.attrs["data-place"] for m in marks] == [RAQQA.name]
    assert not [e for e in elements if e.attrs.get("id") == "inset"]  # no Deir ez-Zor events, so no inset
    selected = [e for e in descendants(by_id(elements, "map")) if "gov-selected" in e.classes]
    assert len(selected) == 1 and "Raqqa" in selected[0].text


def test_admin1_filter_with_ocha_spelling(fixture_db: Path, tmp_path: Path) -> None:
    """The OCHA spelling 'Deir-ez-Zor' finds the events the extractor filed under 'Deir ez-Zor'."""
    _, elements = render(fixture_db, tmp_path, admin1="Deir-ez-Zor")
    places = {r.children[2].attrs["data-sort"] for r in incident_rows(elements)}
    expected = {e["location"]["name"] for s in STORIES for e in s.events if e["location"]["admin1"] == "Deir ez-Zor"}
    assert places == expected and len(places) == 9 and RAQQA.name not in places


def test_empty_warehouse_gives_a_valid_page(tmp_path: Path) -> None:
    """A warehouse without events gives a page that says so, with no charts."""
    db = db_in(tmp_path, "empty.duckdb")
    warehouse.connect_writer(db).close()
    html, elements = render(db, tmp_path)
    assert html.startswith("<!DOCTYPE html>")
    assert "No events yet" in by_id(elements, "empty").text
    assert not [e for e in elements if e.tag == "svg" or e.attrs.get("id") == "incidents"]


def test_filters_matching_nothing_say_so(fixture_db: Path, tmp_path: Path) -> None:
    """A filter that excludes everything is told apart from an empty warehouse."""
    _, elements = render(fixture_db, tmp_path, since=date(2030, 1, 1))
    text = by_id(elements, "empty").text
    assert "No events match the filters" in text and "11 events" in text


def test_cli_writes_the_report(fixture_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`raqib report` writes the page and prints its path."""
    out = tmp_path / "cli" / "report.html"
    code = raqib_main(["report", "--db", str(fixture_db), "--out", str(out), "--since", "2021-03-01",
                       "--admin1", "Deir ez-Zor"])
    assert code == 0 and capsys.readouterr().out.strip() == str(out)
    rows = incident_rows(parse_page(out.read_text(encoding="utf-8")).elements)
    assert len(rows) == 5  # the six incidents since March, less Raqqa


def test_summary_markdown(fixture_db: Path) -> None:
    """The artifact summary has the totals and the deadliest incident first."""
    text = report.summary_markdown(fixture_db)
    assert "**10 incidents** from 11 reports, **30 deaths**" in text
    deadliest = [line for line in text.splitlines() if line.startswith("| 2021")]
    assert "al-Kattaf" in deadliest[0] and "| 12 |" in deadliest[0]
    assert "**1 incident** from 1 report, **4 deaths**" in report.summary_markdown(fixture_db, admin1="Raqqa")
    con = warehouse.connect_reader(fixture_db)
    try:
        assert report.summary_markdown(con, since=date(2030, 1, 1)).endswith("_No events match the filters._\n")
    finally:
        con.close()


def test_governorate_spellings() -> None:
    """Governorate names resolve to one p-code across OCHA, extractor and Arabic spellings."""
    assert {resolve_governorate(n) for n in ("Deir-ez-Zor", "deir ez zor", "دير الزور", "Dayr az-Zawr")} == {"SY09"}
    assert resolve_governorate("Idleb") == resolve_governorate("Idlib") == "SY07"
    assert resolve_governorate("Atlantis") is None


def test_shipped_boundaries_match_their_build() -> None:
    """report/data/boundaries.json is what build_boundaries makes from the shared data (no hand edits)."""
    shared_data = needs_shared("data")
    shipped = json.loads(build_boundaries.OUTPUT.read_text(encoding="utf-8"))
    assert build_boundaries.build(shared_data) == json.loads(json.dumps(build_boundaries.build(shared_data)))
    assert json.loads(json.dumps(build_boundaries.build(shared_data))) == shipped
    assert len(shipped["coarse"]["admin1"]) == 14


def test_a_runs_summary_reads_only_that_runs_events(fixture_db: Path) -> None:
    """The flow's artifact summarises what one run added; an unknown run has nothing to show."""
    con = warehouse.connect_reader(fixture_db)
    try:
        runs = con.execute("SELECT DISTINCT run_id FROM events").fetchall()
    finally:
        con.close()
    assert len(runs) == 1  # the fixture is one run: its summary is the warehouse's
    assert report.summary_markdown(fixture_db, run_id=runs[0][0]) == report.summary_markdown(fixture_db)
    assert report.summary_markdown(fixture_db, run_id="no-such-run").endswith("_No events yet._\n")
