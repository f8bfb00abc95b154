# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# Tests run on the machine's PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: audit backup restore run test install install-test browser demo serve worker beat clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python browser
	$(BIN)/pip install --quiet -e '.[test]'

# Browser tests drive Debian's Chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Install Chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

serve:
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## make run: set up everything on the embedded default (SQLite, Celery eager) and serve the demo
run: demo serve

## make audit: bandit (fails on any high-severity finding) and pip-audit (fails on a known vulnerability)
# pip-audit asks PyPI's vulnerability service; where that is unreachable it lists every package as
# "could not be audited" and does not fail (docs/reliability.md).
audit: install-test
	$(BIN)/bandit -q -r config core entities relationships engagement scoring conflicts interchange -x '*/migrations/*' --severity-level high
	$(BIN)/pip-audit --progress-spinner off --skip-editable

## make test: install what the tests need and run them all (PostgreSQL + a real Celery worker on Redis)
test: install-test audit
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest

worker: install
	$(BIN)/celery -A config worker --loglevel=info --concurrency=1

beat: install
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .hypothesis

## make screenshots: pictures of the demo for the README (needs `make run` serving on :8000)
screenshots:
	$(BIN)/python docs/screenshots/take.py http://127.0.0.1:8000
