# CivicGrid — the operator's entry points. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test bench bench-search lint format lock setup clean

# Stamps make a second `make run` skip installs whose inputs did not change.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.stamp-base: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q -c requirements.lock -e .
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-base
	$(BIN)/pip install -q -c requirements.lock -e ".[dev]"
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.stamp-base node_modules/.stamp
	$(BIN)/civicgrid setup

run: setup
	$(BIN)/civicgrid serve --port $(PORT)

test: $(VENV)/.stamp-dev node_modules/.stamp
	$(BIN)/civicgrid compile-translations
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Builds a 500,000-person county on SQLite and PostgreSQL first: minutes, not seconds.
bench-search: setup
	$(BIN)/python bench/bench_search.py $(BENCH_ARGS)

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src bench tests
	$(BIN)/ruff format --check src bench tests
	$(BIN)/civicgrid manage makemigrations --check --dry-run
	$(BIN)/mypy src/civicgrid/core

format: $(VENV)/.stamp-dev
	$(BIN)/ruff format src bench tests
	$(BIN)/ruff check --fix src bench tests

# Re-pin every Python dependency after editing pyproject.toml.
lock: $(BIN)/python
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q -e ".[dev]"
	.venv-lock/bin/pip freeze --exclude-editable | sort > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
