"""The real-news corpus on disk: manifest, texts (kept out of git), gold and sentence labels.

python -m extraction.realnews.corpus add DIR...   # fold collected folders (manifest.tsv, gold.json, labels.tsv) in
python -m extraction.realnews.corpus check        # which texts are present and match their content hash
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from extraction.textnorm import content_hash

HERE = Path(__file__).parent
MANIFEST = HERE / "manifest.tsv"
TEXTS = HERE / "texts"
GOLD = HERE / "gold"
LABELS = HERE / "labels.tsv"
FIELDS = (
    "file",
    "content_hash",
    "split",
    "url",
    "outlet",
    "title",
    "published",
    "language",
    "governorates",
    "kind",
    "query",
    "collected_by",
)
LABEL_FIELDS = ("file", "start", "end", "violent", "protest")
DEV_SHARE = 70  # percent; the split is drawn once per URL and never redrawn


@dataclass(frozen=True)
class Article:
    """One manifest row."""

    file: str
    content_hash: str
    split: str
    url: str
    outlet: str
    title: str
    published: date | None
    language: str
    governorates: str
    kind: str

    @property
    def path(self) -> Path:
        """Where the (uncommitted) text lives."""
        return TEXTS / self.file


def split_of(url: str) -> str:
    """dev or test, fixed by a hash of the URL."""
    return "dev" if int(hashlib.sha256(url.encode()).hexdigest()[:8], 16) % 100 < DEV_SHARE else "test"


def _read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a tab-separated file with a header line."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))


def _write_tsv(path: Path, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Write rows with a header line."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fields,
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
            escapechar="\\",
            lineterminator="\n",
            extrasaction="ignore",
        )
        writer.writeheader()
        writer.writerows(rows)


def load_manifest(path: Path = MANIFEST) -> list[Article]:
    """Every article of the manifest."""
    return [
        Article(
            r["file"],
            r["content_hash"],
            r["split"],
            r["url"],
            r["outlet"],
            r["title"],
            date.fromisoformat(r["published"]) if r["published"] else None,
            r["language"],
            r["governorates"],
            r["kind"],
        )
        for r in _read_tsv(path)
    ]


def load_gold(split: str) -> dict[str, Any]:
    """The gold file of a split, in the form of ../shared/gold/seeds.json."""
    result: dict[str, Any] = json.loads((GOLD / f"{split}.json").read_text(encoding="utf-8"))
    return result


def load_labels() -> list[dict[str, Any]]:
    """Sentence labels: file, start, end, violent, protest."""
    return [
        {
            "file": r["file"],
            "start": int(r["start"]),
            "end": int(r["end"]),
            "violent": r["violent"] == "1",
            "protest": r["protest"] == "1",
        }
        for r in _read_tsv(LABELS)
    ]


def add(folders: list[Path]) -> int:
    """Fold collected folders into the corpus; known URLs and texts keep their file name and split."""
    rows = _read_tsv(MANIFEST)
    by_url = {r["url"]: r for r in rows}
    by_hash = {r["content_hash"]: r for r in rows}
    gold = {s: (load_gold(s) if (GOLD / f"{s}.json").exists() else {"articles": []}) for s in ("dev", "test")}
    labels = _read_tsv(LABELS)
    TEXTS.mkdir(exist_ok=True)
    GOLD.mkdir(exist_ok=True)
    added = 0
    for folder in folders:
        coded = {a["file"]: a for a in json.loads((folder / "gold.json").read_text(encoding="utf-8"))["articles"]}
        folder_labels = _read_tsv(folder / "labels.tsv")
        for row in _read_tsv(folder / "manifest.tsv"):
            source = folder / f"{row['slug']}.txt"
            if not source.exists() or row["url"] in by_url:
                continue
            text = source.read_text(encoding="utf-8")
            digest = content_hash(text)
            if digest in by_hash or not text.strip():
                continue
            name = f"{len(rows):03d}_{digest}.txt"
            shutil.copyfile(source, TEXTS / name)
            entry = {
                **row,
                "file": name,
                "content_hash": digest,
                "split": split_of(row["url"]),
                "collected_by": folder.name,
            }
            rows.append(entry)
            by_url[row["url"]] = by_hash[digest] = entry
            article = dict(coded.get(source.name, {"events": []}))
            article.update(
                file=name, content_hash=digest, url=row["url"], outlet=row["outlet"], published=row["published"] or None
            )
            gold[entry["split"]]["articles"].append(article)
            labels += [{**r, "file": name} for r in folder_labels if r["file"] == source.name]
            added += 1
    _write_tsv(MANIFEST, FIELDS, rows)
    _write_tsv(LABELS, LABEL_FIELDS, labels)
    for split, payload in gold.items():
        payload["about"] = (
            f"Hand-coded gold for the {split} split of the real-news corpus (CODING.md); "
            "no sentence is quoted: events point at their text by character offsets."
        )
        text = json.dumps({"about": payload["about"], "articles": payload["articles"]}, ensure_ascii=False, indent=1)
        (GOLD / f"{split}.json").write_text(text + "\n", encoding="utf-8")
    return added


def check() -> tuple[int, list[str]]:
    """(texts present and matching, problems)."""
    good, problems = 0, []
    for article in load_manifest():
        if not article.path.exists():
            problems.append(f"{article.file}: missing (re-collect it: README.md)")
        elif content_hash(article.path.read_text(encoding="utf-8")) != article.content_hash:
            problems.append(f"{article.file}: text differs from the collected one")
        else:
            good += 1
    return good, problems


def stats() -> dict[str, Any]:
    """Size and spread of the corpus: articles, outlets, languages, years, governorates, events, labels."""
    articles = load_manifest()
    governorates: Counter[str] = Counter()
    for article in articles:
        governorates.update(g.strip() for g in article.governorates.split(",") if g.strip())
    events: Counter[str] = Counter()
    for split in ("dev", "test"):
        for entry in load_gold(split)["articles"]:
            events.update(e["type"] for e in entry["events"])
    labels = load_labels()
    return {
        "articles": len(articles),
        "outlets": len({a.outlet for a in articles}),
        "languages": dict(Counter(a.language for a in articles)),
        "splits": dict(Counter(a.split for a in articles)),
        "kinds": dict(Counter(a.kind for a in articles)),
        "years": dict(sorted(Counter(a.published.year for a in articles if a.published).items())),
        "governorates": dict(governorates.most_common()),
        "events": dict(events.most_common()),
        "labelled_sentences": len(labels),
        "violent_sentences": sum(1 for label in labels if label["violent"]),
        "protest_sentences": sum(1 for label in labels if label["protest"]),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: add, check or stats."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser = sub.add_parser("add", help="fold collected folders into the corpus")
    add_parser.add_argument("folders", nargs="+", type=Path)
    sub.add_parser("check", help="check the texts against the manifest")
    sub.add_parser("stats", help="size and spread of the corpus")
    args = parser.parse_args(argv)
    if args.command == "stats":
        print(json.dumps(stats(), indent=1, ensure_ascii=False))
        return 0
    if args.command == "add":
        print(f"{add(args.folders)} articles added; {len(load_manifest())} in the corpus")
        return 0
    good, problems = check()
    for problem in problems:
        print(problem)
    print(f"{good} of {len(load_manifest())} texts present and matching")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
