"""Property tests: search finds every word of every article; incident figures are always a reported figure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import warehouse_samples as samples
from hypothesis import given, settings
from hypothesis import strategies as st

import warehouse
from warehouse.incidents import Report, best_figure

WORDS = [
    "اشتباكات", "الاشتباك", "بالميادين", "للقوات", "قُتِلَ", "الإيرانية", "مسيّرة", "الطائرات", "عناصرها", "قصفت",
    "المدنيين", "وأصيب", "بجروح", "ميليشيا", "الحرس", "فاطميون", "هجين", "البوكمال", "دورية", "حاجز", "مقتل",
    "عبوة", "ناسفة", "انفجار", "صاروخ", "القصف", "المدفعي", "اختطاف", "اعتقالات", "التنظيم", "أمس", "الثلاثاء",
]
ARTICLES = 24


def test_every_word_of_every_article_is_found(db_path: Path) -> None:
    texts = [" ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(6 + i % 5)) + f" تقرير {i}"
             for i in range(ARTICLES)]
    con = warehouse.connect_writer(db_path)
    try:
        run_id = warehouse.start_run(con, None, datetime(2021, 5, 10, tzinfo=UTC), None)
        articles = [samples.article("props", f"https://props.example/{i}", f"تقرير {i}", date(2021, 5, 1), t)
                    for i, t in enumerate(texts)]
        warehouse.load_batch(con, run_id, "props", articles, {}, [], samples.EXTRACTOR)
        warehouse.refresh_search_index(con)

        @settings(max_examples=20, deadline=None)
        @given(st.integers(0, ARTICLES - 1), st.data())
        def word_finds_its_article(index: int, data: st.DataObject) -> None:
            word = data.draw(st.sampled_from(texts[index].split()))
            found = {h["url"] for h in warehouse.search_articles(con, word, limit=ARTICLES)}
            assert f"https://props.example/{index}" in found, word

        word_finds_its_article()
    finally:
        con.close()


def _report(i: int, source: str, fatalities: int | None, precision: str) -> Report:
    """A report of one clash in Hajin on 13 March 2021."""
    day = date(2021, 3, 13)
    return Report(f"e{i}", f"a{i}", "armed_clash", None, None, day, day, precision, fatalities, None, None,
                  "Hajin", None, "Deir ez-Zor", None, None, None, None, None, 1, source, f"https://{source}/{i}", day,
                  [], [], [])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["s1", "s2", "s3", "s4"]), st.one_of(st.none(), st.integers(0, 60)),
                          st.sampled_from(["day", "week", "month"])), min_size=1, max_size=8))
def test_best_figure_is_a_reported_figure_with_most_outlets(reports: list[tuple[str, int | None, str]]) -> None:
    made = [_report(i, source, n, precision) for i, (source, n, precision) in enumerate(reports)]
    figure, support = best_figure((r.fatalities, r) for r in made)
    given_figures = [r.fatalities for r in made if r.fatalities is not None]
    if not given_figures:
        assert (figure, support) == (None, 0)
        return
    assert figure in given_figures
    assert support == given_figures.count(figure)
    outlets = {n: len({r.source for r in made if r.fatalities == n}) for n in given_figures}
    assert outlets[figure] == max(outlets.values())
