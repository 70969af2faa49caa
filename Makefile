# Two commands: `make demo` runs the main job, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: demo test lint audit bench bench-lake eval clean

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
