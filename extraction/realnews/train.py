"""Train the sentence model (extraction/data/sentence_model.tsv) on the dev split's blind sentence labels.

    python -m extraction.realnews.train [--folds 5] [--epochs 40]

Pure Python: logistic regression with AdaGrad and L2, deterministic. Each label's threshold is chosen by
cross-validation on dev, for the detector the extractor actually runs: its rules AND the model. The sealed test
split is never read.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from datetime import date
from typing import Any

from extraction.extractor import Extractor
from extraction.model import VIOLENT_TYPES
from extraction.normalize import normalize_for_match
from extraction.realnews.corpus import load_labels, load_manifest
from extraction.sentence_model import LABELS, MODEL_PATH, features
from extraction.text import Words

Example = tuple[set[str], bool]
MIN_WEIGHT = 0.05  # smaller weights barely move a score; dropping them keeps the file small


def sentence_rows() -> list[dict[str, Any]]:
    """Dev sentences with their features, labels and what the rules alone say."""
    extractor = Extractor(use_model=False)  # the rules alone: the model is what is being trained
    articles = {a.file: a for a in load_manifest() if a.split == "dev"}
    rows: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for label in load_labels():
        article = articles.get(label["file"])
        if article is None or not article.path.exists():
            continue
        text = texts.setdefault(article.file, article.path.read_text(encoding="utf-8"))
        sentence = text[label["start"] : label["end"]]
        norm, offsets = normalize_for_match(sentence)
        words = Words(norm)
        mentions = extractor.lexicon.scan_normalized(norm, offsets, article.language, (words.starts, words.ends))
        types = {e.event_type for e in extractor.extract(sentence, article.published, article.language)}
        rows.append(
            {
                "features": features(words.texts, mentions),
                "violent": label["violent"],
                "protest": label["protest"],
                "rule_violent": bool(types & VIOLENT_TYPES),
                "rule_protest": "protest" in types,
            }
        )
    return rows


def train(examples: list[Example], epochs: int, l2: float = 1e-4, rate: float = 0.5) -> tuple[dict[str, float], float]:
    """Logistic regression weights and bias (AdaGrad, L2), deterministic for the same examples."""
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias, bias_sq = 0.0, 1e-8
    order = list(range(len(examples)))
    rng = random.Random(13)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            feats, gold = examples[i]
            z = bias + sum(weights.get(f, 0.0) for f in feats)
            p = 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
            g = p - (1.0 if gold else 0.0)
            for f in feats:
                grad = g + l2 * weights.get(f, 0.0)
                squares[f] = squares.get(f, 1e-8) + grad * grad
                weights[f] = weights.get(f, 0.0) - rate * grad / math.sqrt(squares[f])
            bias_sq += g * g
            bias -= rate * g / math.sqrt(bias_sq)
    return weights, bias


def _probability(weights: dict[str, float], bias: float, feats: set[str]) -> float:
    """P(positive) under the weights."""
    z = bias + sum(weights.get(f, 0.0) for f in feats)
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def _f1(pairs: list[tuple[bool, bool]]) -> float:
    """F1 of (said, gold) pairs."""
    tp = sum(1 for s, g in pairs if s and g)
    fp = sum(1 for s, g in pairs if s and not g)
    fn = sum(1 for s, g in pairs if g and not s)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def choose_threshold(rows: list[dict[str, Any]], label: str, folds: int, epochs: int) -> tuple[float, float, float]:
    """(threshold, cross-validated F1 of rules AND model, F1 of the rules alone) for one label."""
    scored: list[tuple[float, bool, bool]] = []  # (cv probability, rule says, gold)
    for k in range(folds):
        train_rows = [r for i, r in enumerate(rows) if i % folds != k]
        weights, bias = train([(r["features"], r[label]) for r in train_rows], epochs)
        for i, r in enumerate(rows):
            if i % folds == k:
                scored.append((_probability(weights, bias, r["features"]), r[f"rule_{label}"], r[label]))
    rules_only = _f1([(rule, gold) for _, rule, gold in scored])
    best = (0.0, rules_only)
    for step in range(1, 20):
        threshold = step / 20
        f1 = _f1([(rule and p >= threshold, gold) for p, rule, gold in scored])
        if f1 > best[1] + 1e-9:
            best = (threshold, f1)
    return best[0], best[1], rules_only


def main(argv: list[str] | None = None) -> int:
    """Train both labels, choose thresholds by cross-validation, write the model file."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args(argv)
    rows = sentence_rows()
    if not rows:
        print("no dev sentences with texts: collect the corpus first (extraction/realnews/README.md)", file=sys.stderr)
        return 2
    lines = [
        "# raqib sentence model: logistic regression weights (extraction/sentence_model.py).",
        f"# trained by: python -m extraction.realnews.train --folds {args.folds} --epochs {args.epochs}",
        f"# data: {len(rows)} blind-labelled dev sentences of extraction/realnews (manifest.tsv, labels.tsv), "
        f"{date.today().isoformat()}; the sealed test split is never read.",
        "# licence: MIT (weights computed by the raqib project; no text of any article is stored here).",
    ]
    body = ["label\tfeature\tweight"]
    for label in LABELS:
        threshold, cv_f1, rules_f1 = choose_threshold(rows, label, args.folds, args.epochs)
        weights, bias = train([(r["features"], r[label]) for r in rows], args.epochs)
        positives = sum(1 for r in rows if r[label])
        lines.append(
            f"# {label}: {positives} positive; threshold {threshold} chosen by {args.folds}-fold cross-validation: "
            f"F1 of rules alone {rules_f1:.3f}, rules and model {cv_f1:.3f}"
        )
        print(f"{label}: threshold {threshold}  cv F1 rules {rules_f1:.3f} -> rules+model {cv_f1:.3f}")
        body.append(f"{label}\t__bias__\t{bias:.4f}")
        body.append(f"{label}\t__threshold__\t{threshold}")
        body += [f"{label}\t{f}\t{w:.3f}" for f, w in sorted(weights.items()) if abs(w) >= MIN_WEIGHT]
    MODEL_PATH.write_text("\n".join(lines + body) + "\n", encoding="utf-8")
    print(f"written {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
