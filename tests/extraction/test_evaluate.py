"""The quality gate: the extractor must not score below the committed baseline on the scored article sets."""

from __future__ import annotations

import json
from pathlib import Path

from needs import needs_shared

from extraction import document_json, evaluate, scoring


def test_gate_passes_against_committed_baseline() -> None:
    """python -m extraction.evaluate exits 0: no suite fell below extraction/data/eval_baseline.json."""
    assert evaluate.main([]) == 0


def test_gate_reports_a_regression() -> None:
    """A suite scoring below its baseline is reported as a failure."""
    baseline = {"suites": {"eval": {"f1": 0.9, "fatalities_accuracy": 1.0, "exact_location_rate": 0.8}}}
    worse = {"eval": {"f1": 0.85, "fatalities_accuracy": 1.0, "exact_location_rate": 0.9}}
    failures = evaluate.compare(worse, baseline)
    assert failures == ["eval: f1 0.85 < baseline 0.9"]
    assert (
        evaluate.compare({"eval": {"f1": 0.9, "fatalities_accuracy": 1.0, "exact_location_rate": 0.8}}, baseline) == []
    )


def test_own_eval_gold_is_well_formed() -> None:
    """Every eval article named in gold.json exists and every event has the fields the scorer needs."""
    folder = Path(evaluate.PROJECT) / "tests" / "extraction" / "eval"
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    assert len(gold["articles"]) >= 6
    for article in gold["articles"]:
        assert (folder / article["file"]).exists()
        for event in article["events"]:
            assert {"id", "required", "type", "location"} <= set(event)


def test_in_project_scoring_rules_agree_with_shared_scorer() -> None:
    """extraction/scoring.py gives the same numbers as ../shared/tools/score_events.py on the seed run."""
    needs_shared("tools", "score_events.py")
    needs_shared("gold", "seeds.json")
    needs_shared("seeds")
    suite = evaluate.seed_suite()
    assert suite is not None
    predictions = [document_json(d.name, d.text, d.published) for d in suite.documents]
    shared, _ = evaluate.shared_scorer()(suite.gold, predictions)
    local, _ = scoring.score(suite.gold, predictions)
    for key in ("pred", "right", "found", "required", "fat_right", "exact_loc", "f1"):
        assert shared[key] == local[key], key
