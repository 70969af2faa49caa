"""Stage: a small learned check that a sentence reports a concrete violent event or a concrete protest.

A logistic regression over the sentence's single words and dictionary tags, trained by
`python -m extraction.realnews.train` on the blind sentence labels of the real-news corpus. Its weights are a TSV file
in `data/`; scoring is pure Python. Events whose sentence the model finds unlikely are dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extraction.lexicon import Mention

MODEL_PATH = Path(__file__).parent / "data" / "sentence_model.tsv"
_CLITIC = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?:ال)?(?=\w{3})")
LABELS = ("violent", "protest")


def _tag(m: Mention) -> str | None:
    """The dictionary tag a mention contributes: trigger type and form, cue kind, actor type, number."""
    entry = m.entry
    if entry.category == "trigger":
        return f"T:{entry.kind}:{getattr(entry.value, 'form', '')}"
    if entry.category == "cue":
        return f"C:{entry.kind}"
    if entry.category == "actor":
        return f"A:{getattr(entry.value, 'actor_type', '')}"
    if entry.category == "number":
        return "N"
    return None


def features(tokens: Iterable[str], mentions: Iterable[Mention]) -> set[str]:
    """Features of one sentence from its normalised words: bare words, dictionary tags, a length bucket."""
    words = [_bare(w.lower()) for w in tokens if not w.isdigit()]
    out = {f"w:{w}" for w in words}
    out.update(t for t in map(_tag, mentions) if t)
    out.add(f"len:{min(len(words) // 10, 5)}")
    return out


@lru_cache(maxsize=65536)
def _bare(word: str) -> str:
    """A word without its leading conjunction, preposition and article (one regex per distinct word)."""
    return _CLITIC.sub("", word)


@dataclass(frozen=True)
class SentenceModel:
    """Weights and decision thresholds per label."""

    weights: dict[str, dict[str, float]]
    bias: dict[str, float]
    threshold: dict[str, float]

    def probability(self, label: str, feats: set[str]) -> float:
        """P(label | sentence)."""
        w = self.weights[label]
        z = self.bias[label] + sum(w.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def accepts(self, label: str, feats: set[str]) -> bool:
        """True when the sentence is likely enough to report a concrete event of this kind."""
        return self.probability(label, feats) >= self.threshold[label]


def read_model(path: Path) -> SentenceModel | None:
    """The model of a TSV file (label, feature, weight; __bias__ and __threshold__ rows), or None when absent."""
    if not path.exists():
        return None
    weights: dict[str, dict[str, float]] = {label: {} for label in LABELS}
    bias = dict.fromkeys(LABELS, 0.0)
    threshold = dict.fromkeys(LABELS, 0.0)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("label\t"):
            continue
        label, feature, value = line.split("\t")
        if feature == "__bias__":
            bias[label] = float(value)
        elif feature == "__threshold__":
            threshold[label] = float(value)
        else:
            weights[label][feature] = float(value)
    return SentenceModel(weights, bias, threshold)


@lru_cache(maxsize=1)
def load_model() -> SentenceModel | None:
    """The packaged model, loaded once."""
    return read_model(MODEL_PATH)
