# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# Tests run on the machine's PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: audit backup restore run test fuzz install install-test browser demo serve worker beat clean screenshots image-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Each install also compiles the engine's numba kernels into their on-disk cache (scoring/engine/
# __pycache__), as the image build does: otherwise the first recompute on a new machine compiles
# them (5-12 s on a 2-core machine) instead of loading them (0.3-0.5 s).
KERNELS := $(BIN)/python -c "from scoring.engine.pair_product import warm_up; warm_up()"

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(KERNELS)

install-test: $(BIN)/python browser
	$(BIN)/pip install --quiet -e '.[test]'
	$(KERNELS)

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
# pip-audit asks PyPI's vulnerability service; where that is unreachable it cannot audit a package,
# which is reported with how many it did audit, not failed (docs/reliability.md).
audit: install-test
	$(BIN)/bandit -q -r config core entities relationships engagement scoring conflicts interchange -x '*/migrations/*' --severity-level high
	$(BIN)/python scripts/audit_dependencies.py

## make test: install what the tests need, check what the Docker image would run, and run every test (PostgreSQL + a real Celery worker on Redis)
# The image check (a virtualenv of its own, about a minute) runs beside the install and the audit,
# each one's output printed whole when it ends. A test process that runs out of tests takes some
# of the other's (--dist worksteal): with xdist's default, which hands each its share up front,
# one process sat idle at the end while the other still ran its last ones (8:14 against 6:37 for
# the same suite on one machine, session 43).
PYTEST_PARALLEL = -n auto --maxprocesses=4 --dist worksteal
test:
	$(MAKE) --no-print-directory -j2 --output-sync=target audit image-check
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest $(PYTEST_PARALLEL)

## make fuzz: only the property and fuzz tests (those using Hypothesis or schemathesis), each
# drawing five times the examples `make test` draws (tests/examples.py): a deeper search than the
# ten minutes of `make test` allow, for a nightly run or before a release (FUZZ_SCALE=N for another)
FUZZ_SCALE ?= 5
fuzz: install-test
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) TEST_EXAMPLES_SCALE=$(FUZZ_SCALE) \
	  $(BIN)/python -m pytest $(PYTEST_PARALLEL) $$(grep -rlE '@given|schemathesis' tests --include='test_*.py')

## make backup [DATABASE_URL=postgres://...] [BACKUP=file]: a compressed pg_dump of everything
BACKUP ?= backups/tracker-$(shell date +%Y%m%d-%H%M%S).dump
backup:
	@case "$(DATABASE_URL)" in postgres*) ;; *) echo "make backup needs DATABASE_URL=postgres://... (on the embedded SQLite default, copy db.sqlite3)" >&2; exit 2;; esac
	@mkdir -p $(dir $(BACKUP))
	pg_dump --format=custom --no-owner --no-privileges --dbname="$(DATABASE_URL)" --file="$(BACKUP)"
	@echo "Backup written to $(BACKUP)"

## make restore FILE=backups/x.dump [DATABASE_URL=postgres://...]: replace that database's contents with the backup
restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<file>.dump DATABASE_URL=postgres://..." >&2; exit 2; }
	@case "$(DATABASE_URL)" in postgres*) ;; *) echo "make restore needs DATABASE_URL=postgres://..." >&2; exit 2;; esac
	pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$(DATABASE_URL)" "$(FILE)"
	@echo "Restored $(FILE)"

worker: install
	$(BIN)/celery -A config worker --loglevel=info --concurrency=1

beat: install
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .hypothesis

## make screenshots: pictures of the demo for the README (needs `make run` serving on :8000)
screenshots:
	$(BIN)/python docs/screenshots/take.py http://127.0.0.1:8000

## make image-check: what the Docker image would run, without Docker (scripts/image_check.sh; make test runs it first)
image-check:
	bash scripts/image_check.sh
