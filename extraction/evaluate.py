"""Quality gate: run the extractor on the scored article sets and compare with the committed baseline.

    python -m extraction.evaluate [--verbose] [--json] [--update-baseline]

Suites: the shared seed articles (../shared/seeds with ../shared/gold/seeds.json, when present), the project's own
eval set (tests/extraction/eval/*.txt with gold.json), the demo articles (demo/articles/*.md with
demo/gold.json, when present) and the held-out set (tests/extraction/heldout/*.txt with gold.json: other
outlets' styles, scored blind once, then used to fix rules, so no longer held out). Scoring uses
../shared/tools/score_events.py when it exists, else the same rules in extraction/scoring.py. Exit status 1 when
any suite's F1, fatalities accuracy or exact-place rate falls below extraction/data/eval_baseline.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from extraction import EXTRACTOR_VERSION, document_json
from extraction import scoring as local_scoring

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
BASELINE = Path(__file__).parent / "data" / "eval_baseline.json"
METRICS = ("f1", "fatalities_accuracy", "exact_location_rate")
TOLERANCE = 0.0005

Scorer = Callable[[dict[str, Any], list[dict[str, Any]]], tuple[dict[str, Any], list[tuple[Any, ...]]]]


@dataclass
class Document:
    """One article to extract: the name the gold pairs it by, its text and publication date."""

    name: str
    text: str
    published: date | None


@dataclass
class Suite:
    """A set of articles with their hand-coded gold events."""

    name: str
    gold: dict[str, Any]
    documents: list[Document]


def _published(value: str | None) -> date | None:
    """Parse an ISO date (or datetime) string."""
    return date.fromisoformat(value[:10]) if value else None


def seed_suite() -> Suite | None:
    """The shared seed articles, when ../shared is there."""
    gold_path = SHARED / "gold" / "seeds.json"
    if not gold_path.exists():
        return None
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    docs = []
    for article in gold["articles"]:
        path = SHARED / "seeds" / article["file"]
        if path.exists():
            docs.append(Document(str(path), path.read_text(encoding="utf-8"), _published(article.get("published"))))
    return Suite("seeds", gold, docs)


def _folder_suite(name: str, folder: Path) -> Suite | None:
    """Articles (*.txt) of a folder with their gold.json."""
    gold_path = folder / "gold.json"
    if not gold_path.exists():
        return None
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    docs = []
    for article in gold["articles"]:
        path = folder / article["file"]
        docs.append(Document(str(path), path.read_text(encoding="utf-8"), _published(article.get("published"))))
    return Suite(name, gold, docs)


def eval_suite() -> Suite | None:
    """The project's own eval articles (invented events written for this purpose)."""
    return _folder_suite("eval", PROJECT / "tests" / "extraction" / "eval")


def heldout_suite() -> Suite | None:
    """Articles in the styles of outlets the rules were not written on (first scored blind; now part of the gate)."""
    return _folder_suite("heldout", PROJECT / "tests" / "extraction" / "heldout")


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def demo_text(markdown: str) -> tuple[str, str, str | None]:
    """(slug, article text, published) of a demo article: title line plus body, markdown marks removed."""
    match = _FRONT_MATTER.match(markdown)
    head = match.group(1) if match else ""
    body = markdown[match.end() :] if match else markdown
    fields = dict(re.findall(r"^(slug|title|published):\s*(.*)$", head, flags=re.MULTILINE))
    body = re.sub(r"^#+\s*", "", body, flags=re.MULTILINE)
    return fields.get("slug", ""), f"{fields.get('title', '')}\n\n{body}", fields.get("published")


def demo_suite() -> Suite | None:
    """The demo site's articles and gold, when the demo exists."""
    gold_path = PROJECT / "demo" / "gold.json"
    folder = PROJECT / "demo" / "articles"
    if not gold_path.exists() or not folder.exists():
        return None
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    by_slug = {article["file"].rstrip("/").rsplit("/", 1)[-1]: article for article in gold["articles"]}
    docs = []
    for path in sorted(folder.glob("*.md")):
        slug, text, published = demo_text(path.read_text(encoding="utf-8"))
        article = by_slug.get(slug)
        if article is not None:
            docs.append(Document(article["file"], text, _published(article.get("published") or published)))
    return Suite("demo", gold, docs)


def shared_scorer() -> Scorer:
    """The shared scorer's score() when the script exists, else the in-project copy of its rules."""
    script = SHARED / "tools" / "score_events.py"
    if script.exists():
        spec = importlib.util.spec_from_file_location("shared_score_events", script)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            score: Scorer = module.score
            return score
    return local_scoring.score


def run_suite(suite: Suite, scorer: Scorer) -> tuple[dict[str, Any], list[tuple[Any, ...]], float]:
    """Extract every document of a suite and score it; also returns seconds per document."""
    if suite.documents:  # load dictionaries and gazetteer before timing
        document_json("warm-up", suite.documents[0].text, None)
    started = time.perf_counter()
    predictions = [document_json(doc.name, doc.text, doc.published) for doc in suite.documents]
    per_doc = (time.perf_counter() - started) / max(len(suite.documents), 1)
    result, detail = scorer(suite.gold, predictions)
    return result, detail, per_doc


def compare(results: dict[str, dict[str, Any]], baseline: dict[str, Any]) -> list[str]:
    """Regressions: every suite metric below its baseline value."""
    failures = []
    for suite, metrics in baseline.get("suites", {}).items():
        if suite not in results:
            continue
        for metric in METRICS:
            floor = metrics.get(metric)
            value = results[suite].get(metric)
            if floor is not None and (value is None or value + TOLERANCE < floor):
                failures.append(f"{suite}: {metric} {value} < baseline {floor}")
    return failures


def main(argv: list[str] | None = None) -> int:
    """Run all suites, print the scores, gate against the baseline."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="print matched, missed and spurious events")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--update-baseline", action="store_true", help="write the current scores as the baseline")
    args = parser.parse_args(argv)
    scorer = shared_scorer()
    results: dict[str, dict[str, Any]] = {}
    for suite in (seed_suite(), eval_suite(), demo_suite(), heldout_suite()):
        if suite is None or not suite.documents:
            continue
        result, detail, per_doc = run_suite(suite, scorer)
        result["ms_per_document"] = round(per_doc * 1000, 2)
        results[suite.name] = result
        if args.verbose:
            for row in detail:
                if row[2] != "matched":
                    print(suite.name, *row, sep="\t")
    if args.json:
        print(json.dumps({"extractor_version": EXTRACTOR_VERSION, "suites": results}, indent=2))
    else:
        for name, r in results.items():
            print(
                f"{name:6} precision {r['precision']}  recall {r['recall']}  F1 {r['f1']}  fatalities right "
                f"{r['fat_right']}/{r['fat_known']}  exact places {r['exact_loc']}/{r['found']}  "
                f"(predicted {r['pred']}, required {r['found']}/{r['required']}, {r['ms_per_document']} ms/doc)"
            )
    if args.update_baseline:
        payload = {
            "about": "Scores the gate must not fall below (python -m extraction.evaluate --update-baseline).",
            "extractor_version": EXTRACTOR_VERSION,
            "suites": {n: {m: r.get(m) for m in METRICS} for n, r in results.items()},
        }
        BASELINE.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"baseline written to {BASELINE}")
        return 0
    baseline = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    failures = compare(results, baseline)
    for failure in failures:
        print("REGRESSION", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
