"""Score the extractor on the real-news corpus: events per type, fatalities, places, dates, sentence detection.

    python -m extraction.realnews.evaluate --split dev [--verbose] [--json]
    python -m extraction.realnews.evaluate --split test [--json]     # sealed: scores only, never the errors
    python -m extraction.realnews.evaluate --record                  # write both splits' scores to scores.json

The texts are third-party and are not in git (README.md says how to re-collect them); articles whose text is
missing are counted and skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from extraction import EXTRACTOR_VERSION, document_json, extract_events
from extraction.evaluate import shared_scorer
from extraction.model import VIOLENT_TYPES
from extraction.realnews.corpus import HERE, Article, load_gold, load_labels, load_manifest

SCORES = HERE / "scores.json"
EVENT_TYPES = (
    "armed_clash",
    "attack",
    "explosion",
    "airstrike",
    "shelling",
    "abduction",
    "arrest",
    "reinforcement",
    "defection",
    "meeting",
    "takeover",
    "protest",
    "other",
)
Scorer = Callable[[dict[str, Any], list[dict[str, Any]]], tuple[dict[str, Any], list[tuple[Any, ...]]]]


def _f1(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Precision, recall and F1 from counts."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def predictions(articles: list[Article]) -> list[dict[str, Any]]:
    """The extractor's JSON line for every article whose text is present."""
    return [document_json(a.file, a.path.read_text(encoding="utf-8"), a.published) for a in articles if a.path.exists()]


def per_type(gold: dict[str, Any], preds: list[dict[str, Any]], scorer: Scorer) -> dict[str, Any]:
    """Event scores restricted to one gold type and the same predicted type, for every type present."""
    out = {}
    for event_type in EVENT_TYPES:
        g = {
            "articles": [{**a, "events": [e for e in a["events"] if e["type"] == event_type]} for a in gold["articles"]]
        }
        p = [{**d, "events": [e for e in d["events"] if e["event_type"] == event_type]} for d in preds]
        if not any(a["events"] for a in g["articles"]) and not any(d["events"] for d in p):
            continue
        result, _ = scorer(g, p)
        out[event_type] = {k: result[k] for k in ("precision", "recall", "f1", "pred", "found", "required")}
    return out


def date_usability(articles: list[Article], preds: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of events (articles with a publication date) with a bounded range; events ending after publication."""
    published = {a.file: a.published for a in articles}
    events = [
        (e, published.get(d["document"]))
        for d in preds
        for e in d["events"]
        if published.get(d["document"]) is not None
    ]
    dated = sum(1 for e, _ in events if e["date_start"] and e["date_end"])
    after = sum(1 for e, p in events if e["date_end"] and p is not None and e["date_end"] > p.isoformat())
    return {
        "events": len(events),
        "dated": dated,
        "share": round(dated / len(events), 3) if events else None,
        "after_publication": after,
    }


def sentence_detection(articles: list[Article]) -> dict[str, Any]:
    """Detection of labelled sentences, each extracted alone: violent (any violent type) and protest."""
    by_file = {a.file: a for a in articles}
    counts = {kind: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for kind in ("violent", "protest")}
    texts: dict[str, str] = {}
    for label in load_labels():
        article = by_file.get(label["file"])
        if article is None or article.language != "ar" or not article.path.exists():
            continue
        text = texts.setdefault(article.file, article.path.read_text(encoding="utf-8"))
        types = {e.event_type for e in extract_events(text[label["start"] : label["end"]], article.published)}
        said = {"violent": bool(types & VIOLENT_TYPES), "protest": "protest" in types}
        for kind in counts:
            key = ("t" if said[kind] == label[kind] else "f") + ("p" if said[kind] else "n")
            counts[kind][key] += 1
    return {kind: {**_f1(c["tp"], c["fp"], c["fn"]), "sentences": sum(c.values())} for kind, c in counts.items()}


def evaluate(split: str) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """All scores of one split, and the scorer's detail rows."""
    everything = [a for a in load_manifest() if a.split == split]
    articles = [a for a in everything if a.kind != "general"]  # general news: sentence labels only
    gold = load_gold(split)
    present = {a.file for a in articles if a.path.exists()}
    gold = {"articles": [g for g in gold["articles"] if g["file"] in present]}
    preds = predictions(articles)
    scorer = shared_scorer()
    events, detail = scorer(gold, preds)
    result = {
        "split": split,
        "articles": len(present),
        "missing_texts": len(articles) - len(present),
        "events": {k: events[k] for k in ("precision", "recall", "f1", "pred", "right", "found", "required")},
        "fatalities_accuracy": events["fatalities_accuracy"],
        "fatalities": f"{events['fat_right']}/{events['fat_known']}",
        "exact_place_rate": events["exact_location_rate"],
        "per_type": per_type(gold, preds, scorer),
        "dates": date_usability(articles, preds),
        "sentences": sentence_detection(everything),
    }
    return result, detail


def floors(result: dict[str, Any]) -> dict[str, Any]:
    """The headline scores of one split that must not fall."""
    return {
        "event_f1": result["events"]["f1"],
        "event_precision": result["events"]["precision"],
        "event_recall": result["events"]["recall"],
        "fatalities_accuracy": result["fatalities_accuracy"],
        "exact_place_rate": result["exact_place_rate"],
        "dated_share": result["dates"]["share"],
        "after_publication": result["dates"]["after_publication"],
        "violent_sentence_f1": result["sentences"]["violent"]["f1"],
        "protest_sentence_f1": result["sentences"]["protest"]["f1"],
        "per_type_f1": {t: r["f1"] for t, r in result["per_type"].items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Print the scores of a split (and, for dev only, the errors)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--verbose", action="store_true", help="dev only: print missed and spurious events")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write both splits' scores to scores.json")
    args = parser.parse_args(argv)
    if args.record:
        scores = {split: evaluate(split)[0] for split in ("dev", "test")}
        if any(s["missing_texts"] for s in scores.values()):
            print("texts are missing: re-collect them first (extraction/realnews/README.md)", file=sys.stderr)
            return 2
        payload = {"extractor_version": EXTRACTOR_VERSION, **{k: floors(v) for k, v in scores.items()}}
        SCORES.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"written {SCORES}")
        return 0
    if args.verbose and args.split == "test":
        print("the test split is sealed: its errors are never printed", file=sys.stderr)
        return 2
    result, detail = evaluate(args.split)
    if args.verbose:
        for row in detail:
            if row[2] != "matched":
                print(*row, sep="\t")
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    e, s, d = result["events"], result["sentences"], result["dates"]
    print(f"{args.split}: {result['articles']} articles ({result['missing_texts']} texts missing)")
    print(
        f"events     P {e['precision']}  R {e['recall']}  F1 {e['f1']}  (predicted {e['pred']}, "
        f"required found {e['found']}/{e['required']})"
    )
    print(
        f"fatalities {result['fatalities']} = {result['fatalities_accuracy']}  exact place {result['exact_place_rate']}"
    )
    print(f"dates      {d['dated']}/{d['events']} dated = {d['share']}, {d['after_publication']} after publication")
    for kind, r in s.items():
        print(f"sentences  {kind:8} P {r['precision']}  R {r['recall']}  F1 {r['f1']}  ({r['sentences']} sentences)")
    for event_type, r in result["per_type"].items():
        print(
            f"  {event_type:13} P {r['precision']}  R {r['recall']}  F1 {r['f1']}  "
            f"(pred {r['pred']}, found {r['found']}/{r['required']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
