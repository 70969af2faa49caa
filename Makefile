# Two commands: `make demo` runs the main job, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: demo test test-lake lint audit bench bench-lake eval clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(PIP) -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/raqib demo

test: $(VENV)/.test-installed
	$(PY) -m pytest -q -rs -p no:cacheprovider

# The tests that open a warehouse, again on a DuckLake (SQLite catalog, data in each test's folder) instead of the
# DuckDB file (RAQIB_TEST_BACKEND=lake, tests/backend.py); the file-only ones skip, saying why. Only these folders,
# to keep CI a few minutes longer, not twice as long; test_lake*.py make their own lakes and already ran in `test`.
LAKE_TESTS := tests/warehouse tests/reliability tests/report tests/orchestration tests/test_flow_e2e.py \
	tests/test_bad_input.py
test-lake: $(VENV)/.test-installed
	RAQIB_TEST_BACKEND=lake $(PY) -m pytest -q -rs -p no:cacheprovider $(LAKE_TESTS) \
		--ignore=tests/warehouse/test_lake.py --ignore=tests/warehouse/test_lake_backend.py

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Known vulnerabilities in the pinned dependencies fail this; a package the audit service cannot look up is reported, not failed.
audit: $(VENV)/.test-installed
	$(VENV)/bin/pip-audit -r constraints.txt --no-deps --progress-spinner off

eval: $(VENV)/.installed
	$(PY) -m extraction.evaluate

bench: $(VENV)/.installed
	$(PY) -m benchmarks.run

# The load into a DuckLake (SQLite catalog) against the DuckDB file, on the same generated site (docs/PERFORMANCE.md).
bench-lake: $(VENV)/.installed
	$(PY) -m benchmarks.lake

clean:
	rm -rf $(VENV) raqib.duckdb archive .raqib
