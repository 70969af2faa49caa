"""The sentence lister the coders use: offsets as the extractor splits, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction.realnews.sentences import main


def test_rows_give_offsets_into_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "قصفت قوات النظام بلدة كفرنبل صباح اليوم. وأصيب ثلاثة مدنيين بجروح."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    assert main([str(path)]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2
    for name, start, end, sentence in rows:
        assert name == "a.txt" and text[int(start) : int(end)] == sentence


def test_help_and_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "FILE" in capsys.readouterr().out.upper()
    assert main([str(tmp_path / "missing.txt")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"sentences: cannot read {tmp_path / 'missing.txt'}: No such file or directory\n"
