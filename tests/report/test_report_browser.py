"""The report in a real headless Chromium: nothing fails or loads from the network, evidence is right-to-left.

Needs Debian's `chromium`: installed with apt when running as root, else the test skips with the command
(and fails under CI=true, where .ci/install-browser has installed it).
Saves the screenshot the README shows: docs/report.png.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cdp_pipe import Chromium
from needs import needs_chromium
from report_fixture import WIDE_ROWS, load_stories, wide_stories

import report
from tests.backend import db_in

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "report.png"
WINDOW = (1400, 2200)

# Everything the test wants to know about the loaded page, computed by the browser itself.
PAGE_FACTS = """JSON.stringify((() => {
  const evidence = Array.from(document.querySelectorAll("#incidents .evidence"));
  const layout = evidence.map((el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    const lines = range.getClientRects().length;
    return {direction: style.direction, lang: el.lang, textRight: text.right, textLeft: text.left,
            contentRight: box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
            contentLeft: box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth), lines};
  });
  return {
    title: document.title,
    errors: document.getElementById("page-errors").textContent,
    mapMarks: document.querySelectorAll("#map circle.place").length,
    mapWidth: document.getElementById("map").getBoundingClientRect().width,
    bars: document.querySelectorAll("#timeline-incidents rect.bar").length,
    matrixCells: document.querySelectorAll("#matrix td.cell:not(.empty)").length,
    rows: document.querySelectorAll("#incidents tbody tr").length,
    resources: performance.getEntriesByType("resource").map((e) => e.name),
    layout,
  };
})())"""
SORT_BY_DATE = """JSON.stringify((() => {
  const button = document.querySelector("#incidents thead th:first-child button");
  button.click();
  const first = Array.from(document.querySelectorAll("#incidents tbody tr td:first-child"), (td) => td.dataset.sort);
  button.click();
  const second = Array.from(document.querySelectorAll("#incidents tbody tr td:first-child"), (td) => td.dataset.sort);
  return {first, second};
})())"""


def load_in_browser(page: Path, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any], Chromium]:
    """Open the page in Chromium; return the page facts, the sort check and the browser (still open)."""
    browser = Chromium(tmp_path / "profile", WINDOW, tmp_path / "chromium.log")
    try:
        browser.attach_page()
        for domain in ("Network", "Page", "Runtime", "Log"):
            browser.send(f"{domain}.enable")
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False})
        browser.events.clear()
        browser.send("Page.navigate", {"url": page.as_uri()})
        browser.wait_for("Page.loadEventFired")
        facts = json.loads(browser.evaluate(PAGE_FACTS))
        sorting = json.loads(browser.evaluate(SORT_BY_DATE))
    except BaseException:
        browser.close()
        raise
    return facts, sorting, browser


@pytest.mark.slow
@pytest.mark.timeout(1200)  # may install chromium first
def test_report_in_headless_chromium(tmp_path: Path) -> None:
    """Load the report offline, check it, and save the README screenshot."""
    needs_chromium()
    db = db_in(tmp_path)
    load_stories(db, wide_stories())
    page = report.write_report(db, tmp_path / "report.html")
    facts, sorting, browser = load_in_browser(page, tmp_path)
    try:
        requests = [e["params"]["request"]["url"] for e in browser.events if e["method"] == "Network.requestWillBeSent"]
        failed = [e["params"] for e in browser.events if e["method"] == "Network.loadingFailed"]
        exceptions = [e["params"] for e in browser.events if e["method"] == "Runtime.exceptionThrown"]
        console_errors = [e["params"]["entry"] for e in browser.events
                          if e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
        assert requests == [page.as_uri()], f"the page asked for more than itself: {requests}"
        assert not failed and not exceptions and not console_errors, (failed, exceptions, console_errors)
        assert facts["errors"] == "" and facts["resources"] == []
        assert facts["title"] == "raqib: conflict events report"
        assert facts["mapMarks"] >= 20 and facts["mapWidth"] > 600
        assert facts["bars"] > 10 and facts["matrixCells"] > 5 and facts["rows"] == 10 + len(WIDE_ROWS)

        layout = facts["layout"]
        assert len(layout) >= facts["rows"]
        for cell in layout:
            assert cell["direction"] == "rtl" and cell["lang"] == "ar"
            # right-to-left text starts at the right edge of its box
            assert abs(cell["textRight"] - cell["contentRight"]) < 3, cell
            if cell["lines"] == 1:
                assert cell["textLeft"] > cell["contentLeft"] + 3, cell

        assert sorting["first"] == sorted(sorting["first"], reverse=True)
        assert sorting["second"] == sorted(sorting["second"])

        browser.evaluate("window.scrollTo(0, 0)")
        shot = browser.send("Page.captureScreenshot", {"format": "png"})
    finally:
        browser.close()
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG") and len(png) > 50_000
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.write_bytes(png)
