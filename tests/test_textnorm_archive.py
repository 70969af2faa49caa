"""Content hashes and the NNN_<hash>.txt archive."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from extraction.textnorm import archive_name, content_hash, normalise_text
from raqib import archive


def test_hash_is_16_hex_of_sha256_over_normalised_text() -> None:
    text = "  اندلعت اشتباكات\u00a0 عنيفة \r\n\r\n\tفي الميادين  \n"
    assert normalise_text(text) == "اندلعت اشتباكات عنيفة\nفي الميادين"
    assert content_hash(text) == hashlib.sha256("اندلعت اشتباكات عنيفة\nفي الميادين".encode()).hexdigest()[:16]


def test_layout_changes_do_not_change_the_hash_but_words_do() -> None:
    base = "مقتل عنصرين من الحرس الثوري\nفي البوكمال"
    assert content_hash(base) == content_hash("مقتل  عنصرين من الحرس الثوري \n\n في البوكمال\n")
    assert content_hash(base) != content_hash(base.replace("عنصرين", "ثلاثة عناصر"))


def test_nfc_composition_is_folded() -> None:
    composed, decomposed = "\u0622", "\u0627\u0653"  # alef with madda, precomposed and combining
    assert content_hash(composed) == content_hash(decomposed)


def test_archive_names_come_only_from_hashes() -> None:
    assert archive_name(7, "7e99fc5f7d4f2178") == "007_7e99fc5f7d4f2178.txt"
    with pytest.raises(ValueError):
        archive_name(1, "../../etc/passwd")


def test_reconcile_removes_files_the_warehouse_never_got(tmp_path: Path) -> None:
    kept = archive.write_article(tmp_path, 0, "0123456789abcdef", "نص")
    orphan = archive.write_article(tmp_path, 1, "fedcba9876543210", "نص آخر")
    (tmp_path / ".fedcba9876543210.tmp").write_text("half", encoding="utf-8")
    assert archive.reconcile(tmp_path, {"0123456789abcdef"}) == 2
    assert kept.exists() and not orphan.exists()
    assert archive.archived_hashes(tmp_path) == {"0123456789abcdef": kept}
    assert kept.read_text(encoding="utf-8") == "نص"


def test_reconcile_from_the_next_number_needs_no_stored_hashes(tmp_path: Path) -> None:
    """Files numbered below the warehouse's next number are committed; past it, they are orphans."""
    committed = [archive.write_article(tmp_path, n, f"{n:016x}", f"نص {n}") for n in range(3)]
    orphan = archive.write_article(tmp_path, 3, "fedcba9876543210", "نص آخر")
    assert archive.reconcile(tmp_path, (), from_sequence=3) == 1
    assert all(p.exists() for p in committed) and not orphan.exists()


@pytest.mark.parametrize("syncfs", [True, False])
def test_a_batch_of_articles_lands_whole_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   syncfs: bool) -> None:
    """One flush for the batch (syncfs) or one fsync per file (where the C library lacks it): same files."""
    if not syncfs:
        monkeypatch.setattr(archive, "_SYNCFS", None)
    elif archive._SYNCFS is None:
        pytest.skip("this C library has no syncfs")
    items = [(n, f"{n:016x}", f"نص رقم {n}\n" * (n + 1)) for n in range(5)]
    paths = archive.write_articles(tmp_path / "archive", items)
    assert [p.name for p in paths] == [archive_name(n, digest) for n, digest, _ in items]
    assert [p.read_text(encoding="utf-8") for p in paths] == [text for _, _, text in items]
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == sorted(p.name for p in paths)  # no temp files
    assert archive.write_articles(tmp_path / "archive", []) == []
