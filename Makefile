# Chợ Phiên: the two commands a newcomer needs are `make run` and `make test`.
# Everything installs into .venv from requirements/; only Python 3.11+, make and git are assumed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test ci lint format messages migrate demo clean-venv prod

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
