# The two commands of the README: `make run` (portal + worker + demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install preflight run test lint test-fast bench fuzz compose-check clean backup restore backup-check

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

preflight: install
	@$(BIN)/python -m tools.preflight

run: preflight
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Portal on http://127.0.0.1:8000 with a Celery worker (and beat). Ctrl-C stops both."
	@bash -c 'trap "kill 0" EXIT; \
	  DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/celery -A iisg_portal worker -B --loglevel=INFO --concurrency=2 & \
	  DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000 & \
	  wait'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python tools/import_cycles.py
	$(BIN)/python manage.py makemigrations --check --dry-run

compose-check:
	npx --yes dclint@3 docker-compose.yml -q

test: preflight lint compose-check
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# Without the browser journeys, the real worker, the benchmark commands and large seeds: a quick loop while coding.
test-fast: preflight
	$(BIN)/pytest -n 2 -m "not e2e and not worker and not slow" $(PYTEST_ARGS)

bench: preflight
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m tools.bench

# schemathesis against the API's own schema, on a server and database of its own (minutes; not part of `make test`).
FUZZ_VENV := .venv-fuzz
fuzz: preflight
	test -x $(FUZZ_VENV)/bin/schemathesis || ($(PYTHON) -m venv $(FUZZ_VENV) && $(FUZZ_VENV)/bin/pip install -q -r requirements-fuzz.txt)
	$(FUZZ_VENV)/bin/python tools/fuzz.py --python $(BIN)/python --schemathesis $(FUZZ_VENV)/bin/schemathesis

# Backups (README: "Backup and restore"): FILE=path/to/backup.tar.gz; FORCE=1 restores over a database that is not empty.
backup: preflight
	@test -n "$(FILE)" || (echo "Say where: make backup FILE=backups/iisg-$$(date +%Y%m%d).tar.gz" && exit 2)
	$(BIN)/python -m tools.backup backup "$(FILE)"

restore: preflight
	@test -n "$(FILE)" || (echo "Say which: make restore FILE=backups/....tar.gz" && exit 2)
	$(BIN)/python -m tools.backup restore "$(FILE)" $(if $(FORCE),--force,)

backup-check: preflight
	@test -n "$(FILE)" || (echo "Say which: make backup-check FILE=backups/....tar.gz" && exit 2)
	$(BIN)/python -m tools.backup check "$(FILE)"

clean:
	rm -rf $(VENV) $(FUZZ_VENV) staticfiles
