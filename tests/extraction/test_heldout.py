"""The held-out articles (other outlets' styles): roles, injured counts and dates the scorer does not check."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extraction import document_json
from extraction.scoring import match, names_match

FOLDER = Path(__file__).parent / "heldout"
GOLD = json.loads((FOLDER / "gold.json").read_text(encoding="utf-8"))


def _predictions(article: dict[str, Any]) -> list[dict[str, Any]]:
    """Events the extractor gives for one held-out article."""
    text = (FOLDER / article["file"]).read_text(encoding="utf-8")
    published = date.fromisoformat(article["published"]) if article["published"] else None
    events: list[dict[str, Any]] = document_json(article["file"], text, published)["events"]
    return events


def _matched(article: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(gold, predicted) pairs of the required events, matched one to one as the scorer does."""
    predictions = _predictions(article)
    used: set[int] = set()
    pairs = []
    for gold in article["events"]:
        if not gold["required"]:
            continue
        for i, pred in enumerate(predictions):
            if i not in used and match(gold, pred):
                used.add(i)
                pairs.append((gold, pred))
                break
    return pairs


def _role_names(pred: dict[str, Any], role: str) -> list[tuple[str, str]]:
    """(name, name_ar) of the predicted actors with a role."""
    return [(a["name"], a["name_ar"]) for a in pred["actors"] if a["role"] == role]


def test_gold_is_well_formed() -> None:
    """Every held-out article exists, has a publication date, and every event has the fields this test reads."""
    assert len(GOLD["articles"]) >= 8
    for article in GOLD["articles"]:
        assert (FOLDER / article["file"]).exists()
        assert article["published"]
        for event in article["events"]:
            assert {"id", "required", "type", "location", "roles", "injured", "date_start"} <= set(event)


@pytest.mark.parametrize("article", GOLD["articles"], ids=[a["file"] for a in GOLD["articles"]])
def test_required_events_found_with_roles_counts_and_dates(article: dict[str, Any]) -> None:
    """Each required event is found; actor1 is the doer (none when unnamed), actor2 the target; counts and day."""
    pairs = _matched(article)
    assert len(pairs) == sum(1 for e in article["events"] if e["required"]), [g["id"] for g, _ in pairs]
    for gold, pred in pairs:
        roles = gold["roles"]
        actor1 = _role_names(pred, "actor1")
        if roles["actor1"] is None:  # the attacker is not named: nobody (or only "unidentified") is actor1
            assert all(name.startswith("Unidentified") for name, _ in actor1), (gold["id"], actor1)
        elif roles["actor1"] != "either":
            assert any(names_match({"en": roles["actor1"]}, *n) or roles["actor1"].endswith(n[0]) for n in actor1), (
                gold["id"],
                actor1,
            )
        if roles["actor2"] not in (None, "either"):
            actor2 = _role_names(pred, "actor2")
            assert any(names_match({"en": roles["actor2"]}, *n) for n in actor2), (gold["id"], actor2)
        assert pred["fatalities"] == gold["fatalities"], (gold["id"], pred["fatalities"])
        if gold["injured"] is not None:
            assert pred["injured"] == gold["injured"], (gold["id"], pred["injured"])
        if gold["date_start"] is not None:
            assert pred["date_start"] == gold["date_start"], (gold["id"], pred["date_start"])
