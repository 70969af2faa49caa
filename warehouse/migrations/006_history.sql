-- raqib warehouse, migration 006: history and concurrent writers on DuckLake.

-- The lake snapshot a run's last commit made: `raqib sql --at-run` and `raqib export --at-run` read the warehouse
-- as it stood then. Empty on the embedded DuckDB file, which keeps no history.
ALTER TABLE runs ADD COLUMN snapshot_id BIGINT;

-- One row that every write transaction on the lake updates (warehouse/lake.py, guard_commit), so two writers
-- committing at the same time conflict and the later one runs again: content hashes stay unique without keys.
CREATE TABLE commit_guard (
    n  BIGINT NOT NULL
);
INSERT INTO commit_guard VALUES (0);
