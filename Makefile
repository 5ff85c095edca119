# The two commands a newcomer needs are `make run` and `make test`; see README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint format bench soak demo install install-test migrate clean lock

$(BIN)/activate:
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || { echo "Python 3.11 is needed: install it, or run: make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml requirements.lock
	$(PY) -m pip install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml requirements.lock
	$(PY) -m pip install --quiet -c requirements.lock -e ".[test]"
	@touch $@

$(VENV)/.installed-soak: $(VENV)/.installed pyproject.toml requirements.lock
	$(PY) -m pip install --quiet -c requirements.lock -e ".[test,soak]"
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) sync_schedules

demo: migrate
	$(MANAGE) load_demo

## Serve the site and its task worker on http://$(HOST):$(PORT) until Ctrl-C.
run: demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) serve --host $(HOST) --port $(PORT)

## Run the whole suite (browser tests skip themselves when Chromium is absent).
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run --settings=cms.settings.test
	$(BIN)/pytest -n 2 --durations=25 $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks: requests per second, latency and queries per page at a chosen scale.
bench: install-test
	$(PY) -m cms.bench $(BENCH_ARGS)

## Load test: 200 people for 10 minutes on a fresh PostgreSQL database (DATABASE_URL, default
## postgres://root@127.0.0.1:5432/lep_soak), then every write reconciled; e.g.
## make soak SOAK_ARGS="--users 20 --minutes 1". `python -m soak --help` lists the options.
soak: $(VENV)/.installed-soak
	$(PY) -m soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache

## Re-pin every dependency after changing pyproject.toml.
lock: $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[test,soak]"
	{ echo "# Pinned versions of every dependency, used as pip constraints (make lock regenerates it)."; \
	  $(PY) -m pip freeze --exclude-editable | grep -v "^lived-experience-platform"; } > requirements.lock
