# Conciliare — `make help` lists the targets.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local

.DEFAULT_GOAL := help
.PHONY: help demo run test test-sqlite lint typecheck messages check-deploy bench-ledger bench-plans bench-search bench-recommendations ledger-verify clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.runtime: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

demo: $(VENV)/.runtime ## Install, load the territory and demo data, serve on http://127.0.0.1:$(PORT)
	@mkdir -p var/static
	$(LOCAL) $(PY) manage.py migrate --noinput -v 0
	$(LOCAL) $(PY) manage.py seed_demo
	@echo "Conciliare: http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	$(LOCAL) $(PY) manage.py runserver 127.0.0.1:$(PORT) --skip-checks

run: demo ## Same as demo

test: $(VENV)/.dev ## Lint, type-check and run the whole suite (PostgreSQL when one answers, else SQLite)
	@mkdir -p var test-artifacts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check conciliare config bench tests scripts conftest.py gunicorn.conf.py
	$(VENV)/bin/mypy .
	$(PY) scripts/check_translations.py
	$(VENV)/bin/pytest -n 2 --dist loadfile --cov

test-sqlite: $(VENV)/.dev ## The suite on SQLite even when PostgreSQL answers
	@mkdir -p var test-artifacts
	CONCILIARE_TEST_DB=sqlite $(VENV)/bin/pytest -n 2 --dist loadfile --cov

lint: $(VENV)/.dev ## ruff and mypy only
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

messages: $(VENV)/.dev ## Extract strings into the Italian catalogue and compile it (needs gettext)
	cd conciliare && ../$(PY) ../manage.py makemessages -l it -l en --no-obsolete --add-location file
	$(PY) scripts/check_translations.py --compile

check-deploy: $(VENV)/.runtime ## Django's deployment checks with production settings
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  DATABASE_URL=sqlite:///var/check.sqlite3 $(PY) manage.py check --deploy --fail-level WARNING

bench-ledger: $(VENV)/.dev ## Ledger postings/s vs pgbench on PostgreSQL (own throw-away databases, ~80 s)
	$(PY) bench/ledger.py

bench-plans: $(VENV)/.dev ## Activate a plan for 100,000 employees on PostgreSQL (own throw-away database, ~40 s)
	$(PY) bench/plans.py

bench-search: $(VENV)/.dev ## Search p50/p95/p99 at 50 users, gunicorn + locust, 10,000 offers (own throw-away database, ~6 min)
	$(PY) bench/search.py

bench-recommendations: $(VENV)/.dev ## "Per te" lists of 100,000 employees against 10,000 offers: time and peak memory (own throw-away database, ~5 min)
	$(PY) bench/recommendations.py

ledger-verify: $(VENV)/.runtime ## Re-derive every balance of the demo database and check the ledger's invariants
	$(LOCAL) $(PY) manage.py ledger_verify

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var test-artifacts *.egg-info
