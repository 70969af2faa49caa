"""The event-matching rules of ../shared/EVENTS.md, for when the shared scorer script is not at hand."""

from __future__ import annotations

import re
from typing import Any

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_EN_ARTICLE = re.compile(r"\b(al|as|ad|ash|ar|at|az|an|el)[- ]")


def fold_arabic(name: str | None) -> str:
    """Arabic name for comparison: marks dropped, alef/ya/ta marbuta folded, leading ال of each word ignored."""
    name = _MARKS.sub("", name or "")
    name = re.sub("[أإآٱ]", "ا", name).replace("ى", "ي").replace("ة", "ه")
    name = re.sub(r"[^\w\s]", " ", name)
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in name.split())


def fold_english(name: str | None) -> str:
    """English name for comparison: lower case, no al-/as-/ad- article, punctuation as spaces."""
    name = (name or "").lower().replace("’", "'")
    name = _EN_ARTICLE.sub("", name)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def names_match(gold: dict[str, Any], name_en: str | None, name_ar: str | None) -> bool:
    """True when either script's folded names contain one another."""
    for g, p in (
        (fold_english(gold.get("en")), fold_english(name_en)),
        (fold_arabic(gold.get("ar")), fold_arabic(name_ar)),
    ):
        if g and p and (g in p or p in g):
            return True
    return False


def place_match(gold: dict[str, Any] | None, pred: dict[str, Any] | None) -> str | None:
    """'exact' when the predicted place is the gold place, 'near' when it is the gold's nearby place, else None."""
    if not gold or not pred:
        return None
    if names_match(gold, pred.get("name"), pred.get("name_ar")):
        return "exact"
    near = gold.get("near")
    if near and names_match(near, pred.get("name"), pred.get("name_ar")):
        return "near"
    return None


def match(gold: dict[str, Any], pred: dict[str, Any]) -> str | None:
    """How a predicted event matches a gold event ('exact'/'near' place) or None."""
    if pred.get("event_type") not in {gold["type"], *gold.get("type_alt", [])}:
        return None
    where = place_match(gold.get("location"), pred.get("location") or {})
    if where is None:
        return None
    if gold.get("actors") and not any(
        names_match(g, p.get("name"), p.get("name_ar")) for g in gold["actors"] for p in pred.get("actors") or []
    ):
        return None
    return where


def _key(document: str | None) -> str:
    """Last path component of a document name."""
    return (document or "").rstrip("/").rsplit("/", 1)[-1]


def score(gold: dict[str, Any], predictions: list[dict[str, Any]]) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """Precision, recall, F1, fatalities accuracy and exact-place rate, with per-event detail rows."""
    by_name = {_key(p.get("document")): p for p in predictions}
    by_hash = {p.get("content_hash"): p for p in predictions if p.get("content_hash")}
    t = {
        "pred": 0,
        "right": 0,
        "required": 0,
        "found": 0,
        "fat_known": 0,
        "fat_right": 0,
        "exact_loc": 0,
        "missing_docs": 0,
    }
    detail: list[tuple[Any, ...]] = []
    for article in gold["articles"]:
        doc = by_name.get(_key(article["file"])) or by_hash.get(article.get("content_hash"))
        t["missing_docs"] += doc is None
        preds = list((doc or {}).get("events") or [])
        t["pred"] += len(preds)
        t["required"] += sum(1 for g in article["events"] if g["required"])
        used: set[int] = set()
        for g in sorted(article["events"], key=lambda g: not g["required"]):
            hit = next(((i, w) for i, p in enumerate(preds) if i not in used and (w := match(g, p))), None)
            if hit is None:
                if g["required"]:
                    detail.append((article["file"], g["id"], "missed", None))
                continue
            i, where = hit
            used.add(i)
            t["right"] += 1
            if g["required"]:
                t["found"] += 1
                t["exact_loc"] += where == "exact"
                if g.get("fatalities") is not None:
                    t["fat_known"] += 1
                    t["fat_right"] += preds[i].get("fatalities") == g["fatalities"]
            detail.append((article["file"], g["id"], "matched", where))
        for i, p in enumerate(preds):
            if i not in used:
                detail.append((article["file"], p.get("event_type"), "spurious", (p.get("location") or {}).get("name")))
    precision = t["right"] / t["pred"] if t["pred"] else 0.0
    recall = t["found"] / t["required"] if t["required"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    result: dict[str, Any] = dict(t)
    result.update(
        precision=round(precision, 3),
        recall=round(recall, 3),
        f1=round(f1, 3),
        fatalities_accuracy=round(t["fat_right"] / t["fat_known"], 3) if t["fat_known"] else None,
        exact_location_rate=round(t["exact_loc"] / t["found"], 3) if t["found"] else None,
    )
    return result, detail
