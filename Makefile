# Chợ Phiên: the two commands a newcomer needs are `make run` and `make test`.
# Everything installs into .venv from requirements/; only Python 3.11+, make and git are assumed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test ci lint format messages migrate demo clean-venv prod bench bench-data bench-queries css weight

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Chợ Phiên needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever a requirements file changes.
$(VENV)/.installed: $(BIN)/python requirements/base.txt requirements/dev.txt requirements/production.txt
	$(BIN)/pip install --quiet -r requirements/dev.txt
	@touch $@

# Translations are kept as .po files; Babel (already a dependency) compiles them,
# so no system gettext is needed.
messages: $(VENV)/.installed
	$(BIN)/pybabel compile --domain=django --directory=locale --statistics

migrate: $(VENV)/.installed messages
	$(MANAGE) migrate --no-input

demo: migrate
	$(MANAGE) load_demo_data

run: demo
	@echo "Serving Chợ Phiên on http://$(HOST):$(PORT)/ (SQLite, eager Celery). Stop with Ctrl-C."
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed messages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean-venv:
	rm -rf $(VENV)

# The production stack on this host: gunicorn, a Celery worker and beat, with
# shop.settings.production against PostgreSQL and Redis (see bin/serve-production).
prod: $(VENV)/.installed messages
	$(BIN)/python bin/serve-production --host $(HOST) --port $(PORT)

# Performance benchmark (benchmarks/README.md), never part of `make test`: its own PostgreSQL
# databases (chophien_bench, chophien_bench10) and Redis DBs 10 and 11; needs wrk (apt).
BENCH_SCALE ?= 1
BENCH_SECONDS ?= 10

benchmarks/node_modules: benchmarks/package-lock.json
	cd benchmarks && npm ci --no-audit --no-fund
	@touch $@

bench-data: $(VENV)/.installed messages
	$(BIN)/python benchmarks/bench.py data --scale $(BENCH_SCALE)

bench: $(VENV)/.installed messages benchmarks/node_modules
	$(BIN)/python benchmarks/bench.py all --scale $(BENCH_SCALE) --seconds $(BENCH_SECONDS)

bench-queries: $(VENV)/.installed messages
	$(BIN)/python benchmarks/bench.py queries --scales 1,10

# static/css/site.css: oscar's Bootstrap stylesheet cut to the rules our templates use, and
# Font Awesome cut to the icons they show (frontend/build-css.mjs). Rerun after using a new
# Bootstrap class or icon, or upgrading django-oscar; the output is committed.
frontend/node_modules: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

css: $(VENV)/.installed frontend/node_modules
	node frontend/build-css.mjs

# Bytes a phone downloads on first load, and Lighthouse, against a running `make prod`.
weight: $(VENV)/.installed benchmarks/node_modules
	$(BIN)/python benchmarks/weight_pages.py measure --base-url http://$(HOST):$(PORT) --lighthouse
