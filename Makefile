# One command to set up and run each job. See README.md.
PYTHON_BIN := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## make demo: set up, migrate, import the bundled corpus, serve on http://127.0.0.1:8000
demo: $(STAMP)
	$(VENV)/bin/vnnews demo

## make test: set up and run the whole suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)
test: $(STAMP)
	scripts/ensure-test-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

$(VENV)/.bench-installed: $(STAMP)
	$(PY) -m pip install -q -e '.[dev,bench]'
	touch $@

## make bench: every benchmark; make bench-NAME runs bench/NAME.py
bench: $(VENV)/.bench-installed
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done

bench-%: $(VENV)/.bench-installed
	$(PY) bench/bench_$*.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var test-output bench/out
