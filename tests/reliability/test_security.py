"""Security: `raqib sql` cannot change anything, archive names are hashes, and the repository holds no secrets."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from corpus import page_html, report
from harness import REPO, snapshot

import warehouse
from connectors.models import RawDocument
from extraction import EXTRACTOR_VERSION
from extraction.textnorm import archive_name
from raqib import archive, pipeline
from tests.backend import catalog_file, data_folder, db_in


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """A warehouse of a few generated reports, loaded by the pipeline's own steps (no network needed)."""
    work = tmp_path_factory.mktemp("small")
    db = db_in(work, "small.duckdb")
    docs = [RawDocument("gen", f"http://127.0.0.1/news/{n}", f"http://127.0.0.1/news/{n}", page_html(report(n)),
                        "text/html", datetime(2025, 3, 1, tzinfo=UTC)) for n in range(5)]
    con = warehouse.connect_writer(db)
    try:
        run_id = warehouse.start_run(con, None, datetime.now(UTC), None)
        batch = pipeline.extract_batch(docs, set())
        pipeline.archive_new_articles(work / "archive", batch, set(), warehouse.next_archive_sequence(con))
        warehouse.load_batch(con, run_id, "gen", batch.articles, batch.events, batch.rejections,
                             EXTRACTOR_VERSION)
        warehouse.finish_run(con, run_id, "completed", {}, datetime.now(UTC))
    finally:
        con.close()
    return db


def raqib_sql(db: Path | str, sql: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `raqib sql` as an operator would."""
    return subprocess.run([sys.executable, "-m", "raqib.cli", "sql", "--db", str(db), sql], capture_output=True,
                          text=True, cwd=cwd, timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def file_digest(db: Path | str) -> str:
    """SHA-256 of the warehouse's bytes: the file, or the lake's catalog and every file of its data folder."""
    digest = hashlib.sha256(catalog_file(db).read_bytes())
    if warehouse.lake.is_lake_uri(db):
        for path in sorted(p for p in data_folder(db).rglob("*") if p.is_file()):
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


WRITES = [
    "INSERT INTO articles (content_hash, url, source, text) VALUES ('0000000000000000', 'u', 's', 't')",
    "DROP TABLE events",
    "UPDATE events SET fatalities = 999",
    "DELETE FROM articles",
    "CREATE TABLE notes AS SELECT 1 AS x",
    "ATTACH '{dir}/other.duckdb' AS other",
    "ATTACH '{db}' AS again (READ_ONLY false)",
    "COPY articles TO '{dir}/stolen.csv'",
    "COPY (SELECT text FROM articles) TO '{dir}/stolen.parquet' (FORMAT parquet)",
    "SELECT 1; DROP VIEW v_events",
    "SELECT * FROM read_text('/etc/passwd')",  # reading the host's files is refused too
]


@pytest.mark.parametrize("template", WRITES)
def test_raqib_sql_refuses_writes_and_leaves_the_warehouse_unchanged(small_warehouse: Path, tmp_path: Path,
                                                                      template: str) -> None:
    before_rows, before_bytes = snapshot(small_warehouse), file_digest(small_warehouse)
    done = raqib_sql(small_warehouse, template.format(dir=tmp_path, db=small_warehouse), tmp_path)
    assert done.returncode != 0, done.stdout
    assert done.stderr.startswith("raqib sql: "), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert snapshot(small_warehouse) == before_rows
    assert file_digest(small_warehouse) == before_bytes
    assert list(tmp_path.iterdir()) == [], "a refused statement wrote a file"


def test_raqib_sql_still_reads(small_warehouse: Path, tmp_path: Path) -> None:
    done = raqib_sql(small_warehouse, "SELECT count(*) AS n FROM articles", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].strip() == "5"


@pytest.mark.parametrize("digest", ["../../etc/passwd", "0123456789abcdef/../x", "0123456789ABCDEF", "", "a" * 64,
                                    "0123456789abcde\n"])
def test_archive_refuses_anything_but_a_hash_as_a_name(tmp_path: Path, digest: str) -> None:
    with pytest.raises(ValueError):
        archive_name(1, digest)
    with pytest.raises(ValueError):
        archive.write_article(tmp_path / "archive", 1, digest, "نص")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


# Patterns of real credentials; each is checked against a made-up sample below so the scan can fail.
SECRET_PATTERNS = {
    "AWS access key": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN (RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY( BLOCK)?-----"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token or webhook": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}|hooks\.slack\.com/services/T[A-Z0-9]+/"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "assigned key or password": re.compile(
        r"(?i)\b(api[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|password|passwd)\b\s*[:=]\s*"
        r"[\"'][^\"'\s]{8,}[\"']"),
}


def repository_files() -> list[Path]:
    """Every file git tracks or would add (untracked, not ignored), as `git ls-files` lists them."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True, timeout=60).stdout
    return [REPO / name for name in listed.decode().split("\0") if name and (REPO / name).is_file()]


def test_the_secret_patterns_catch_made_up_samples() -> None:
    samples = {
        "AWS access key": "AKIA" + "Q" * 16,
        "private key": "-----BEGIN " + "RSA PRIVATE KEY-----",
        "GitHub token": "ghp_" + "a1" * 18,
        "Slack token or webhook": "https://hooks.slack.com/services/" + "T0000/B0000/xyz",
        "Google API key": "AIza" + "b" * 35,
        "assigned key or password": 'api_key = "' + "s3cr3t-v4lue" + '"',
    }
    for name, pattern in SECRET_PATTERNS.items():
        assert pattern.search(samples[name]), name
    assert not SECRET_PATTERNS["assigned key or password"].search('api_key = os.environ["RAQIB_API_KEY"]')


def test_no_secrets_in_the_repository() -> None:
    files = repository_files()
    assert len(files) > 50 and REPO / "README.md" in files
    found = []
    for path in files:
        if path.stat().st_size > 5_000_000:
            continue  # large data files (gazetteer sources) hold no configuration
        text = path.read_bytes().decode("utf-8", errors="replace")
        for name, pattern in SECRET_PATTERNS.items():
            found += [f"{path.relative_to(REPO)}: {name}: {m.group(0)[:40]}" for m in pattern.finditer(text)]
    assert found == []
