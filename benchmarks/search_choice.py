"""`python -m benchmarks.search_choice WAREHOUSE`: the measurement behind the incremental search index.

On a copy of a warehouse: the cost of rebuilding DuckDB's fts index over every article (what each run did
before migration 005), of adding N new articles to the incremental index, and of queries on both, each
repeated; medians in milliseconds.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

QUERIES = ["اشتباكات", "اشتباكات الميادين", "قصف مدفعي على ريف دير الزور", "الحرس الثوري"]


def timed(action: Callable[[], Any], repeat: int) -> float:
    """Median milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        clock = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - clock))
    return round(statistics.median(times), 1)


def fetched(run: Callable[[], Any]) -> Callable[[], Any]:
    """A call that runs a prepared query and fetches every row."""
    return lambda: run().fetchall()


def measure(source: Path, new_articles: int = 1000, repeat: int = 3) -> dict[str, Any]:
    """Time both ways of keeping the index on a scratch copy of `source`."""
    import warehouse
    from warehouse.lake import transaction
    from warehouse.search import index_articles

    work = Path(tempfile.mkdtemp(prefix="raqib-search-"))
    try:
        db = work / "copy.duckdb"
        shutil.copyfile(source, db)
        con = warehouse.connect_writer(db)
        con.execute("SET enable_progress_bar = false")
        total = con.execute("SELECT count(*) FROM article_search").fetchone()[0]  # type: ignore[index]
        hashes = [str(r[0]) for r in con.execute(
            "SELECT content_hash FROM article_search ORDER BY content_hash DESC LIMIT ?", [new_articles]).fetchall()]

        def fts_rebuild() -> None:
            con.execute("PRAGMA create_fts_index('article_search', 'content_hash', 'title_norm', 'text_norm', "
                        r"stemmer = 'arabic', stopwords = 'none', ignore = '(\.|[^\p{L}\p{N}])+', "
                        "strip_accents = 0, lower = 1, overwrite = 1)")

        def incremental() -> None:
            # take the newest articles out of the index and add them again, as a run's loads do
            with transaction(con):
                con.execute("DELETE FROM search_terms WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))", [hashes])
                con.execute("DELETE FROM search_docs WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))", [hashes])
                index_articles(con, hashes)

        result: dict[str, Any] = {"articles": total, "new_articles": len(hashes), "repeat": repeat,
                                  "fts_rebuild_ms": timed(fts_rebuild, repeat),
                                  "incremental_add_ms": timed(incremental, repeat), "queries_ms": {}}
        for query in QUERIES:
            ours = partial(con.execute, "SELECT * FROM search(?) LIMIT 20", [query])
            theirs = partial(con.execute, "SELECT content_hash, score FROM (SELECT content_hash, "
                             "fts_main_article_search.match_bm25(content_hash, ar_search_text(?), conjunctive := 1) "
                             "AS score FROM article_search) WHERE score IS NOT NULL ORDER BY score DESC LIMIT 20",
                             [query])
            result["queries_ms"][query] = {"incremental": timed(fetched(ours), repeat),
                                           "fts": timed(fetched(theirs), repeat)}
        con.close()
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), *(int(a) for a in sys.argv[2:])), ensure_ascii=False, indent=2))
