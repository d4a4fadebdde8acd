# The two commands: `make run` and `make test`. Everything else is a step they take.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Tests and CI run with production settings; this key only ever signs test sessions.
TEST_ENV := DJANGO_SECRET_KEY=test-only-secret-key-not-for-production DJANGO_DEBUG=false

# Runs a command with the embedded PostgreSQL up when DATABASE_URL is unset, and stops the server when the command
# ends however it ends (SIGTERM to make or to the command, Ctrl-C, an error): scr_register/embedded_db.py.
WITH_DB := exec env $(BIN)/python -m scr_register.embedded_db

.PHONY: run test install migrate seed lint format serve clean-db frontend

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.12 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

## make run: set everything up and serve the app with demo data on http://127.0.0.1:8000, with the worker that
## runs background tasks (reading documents' text) beside it; both stop together (scr_register/together.py)
run: install
	DJANGO_DEBUG=true $(WITH_DB) sh -c '$(MANAGE) migrate --noinput && $(MANAGE) seed_demo --if-empty && \
		exec $(BIN)/python -m scr_register.together "$(MANAGE) runserver 127.0.0.1:8000" "$(MANAGE) db_worker"'

## make test: the whole suite on PostgreSQL (embedded unless DATABASE_URL is set)
test: install
	$(TEST_ENV) $(WITH_DB) $(BIN)/pytest --create-db $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	DJANGO_DEBUG=true $(WITH_DB) $(MANAGE) migrate --noinput

seed: install
	DJANGO_DEBUG=true $(WITH_DB) $(MANAGE) seed_demo

## make serve: run as production does (debug off, hashed static files, gunicorn); needs DJANGO_SECRET_KEY
serve: install
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn scr_register.wsgi

## make clean-db: delete the embedded database (all local data)
clean-db:
	rm -rf .pgdata

## make frontend: rebuild static/ (GOV.UK Frontend, MOJ Frontend, htmx) from frontend/package-lock.json
frontend:
	cd frontend && npm ci && npm run build
