#!/usr/bin/env bash
# What the Docker image would run, without Docker (which does not run on this project's machines):
# the Dockerfile's COPY set in a temporary folder, the project's dependencies (not the project itself)
# into a fresh virtualenv (no test extras, as the image), collectstatic and the numba warm-up as its build does; then, under the
# production settings on SQLite: migrate, load the demo, open the main pages signed in as the
# administrator, and run a recompute and the housekeeping through a real Celery worker on Redis.
#
#   make image-check        (needs PyPI or pip's cache, and Redis at 127.0.0.1:6379)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
WORKER=""
WEB=""
BEAT=""
trap '[ -n "$WORKER" ] && kill "$WORKER" 2>/dev/null; [ -n "$BEAT" ] && kill "$BEAT" 2>/dev/null; [ -n "$WEB" ] && kill "$WEB" 2>/dev/null; rm -rf "$WORK"' EXIT

mkdir "$WORK/app"
cd "$ROOT"
for source in $(awk '/^COPY /{for (i = 2; i < NF; i++) print $i}' Dockerfile); do cp -r "$source" "$WORK/app/"; done
python3 -m venv "$WORK/venv"
cd "$WORK/app"
echo "installing the project's dependencies as the image does (from pyproject.toml, no test extras; the apps run from the working folder)"
"$WORK/venv/bin/python" dependencies.py > "$WORK/requirements.txt"
"$WORK/venv/bin/pip" install --quiet -r "$WORK/requirements.txt"
rm dependencies.py
# one copy of the apps, the working folder's: none importable from elsewhere
if (cd / && "$WORK/venv/bin/python" -c "import scoring" 2>/dev/null); then echo "the apps are installed in site-packages too"; exit 1; fi
PY="$WORK/venv/bin/python"

export LOG_LEVEL=WARNING DEBUG=0 SECRET_KEY="image-check-$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz" ALLOWED_HOSTS=tracker.example.org
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" CELERY_BROKER_URL="redis://127.0.0.1:6379/12" CELERY_QUEUE="image-check-$$"
"$PY" manage.py collectstatic --noinput -v0
"$PY" -c "from scoring.engine.pair_product import warm_up; warm_up()"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_demo --public-demo > "$WORK/load_demo.log" 2>&1 || { cat "$WORK/load_demo.log"; exit 1; }
"$PY" manage.py shell < "$ROOT/scripts/image_pages.py"

# gunicorn as the web container runs it: the health check by IP over HTTP, a page and its style
# sheet (WhiteNoise serving the manifest's name) as the TLS proxy forwards them
PORT=$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$WORK/venv/bin/gunicorn" config.wsgi:application --bind "127.0.0.1:$PORT" --workers 1 > "$WORK/web.log" 2>&1 &
WEB=$!
PORT=$PORT "$PY" - <<'PYTHON'
import os, re, time, urllib.request
base = f"http://127.0.0.1:{os.environ['PORT']}"
for _ in range(60):
    try:
        health = urllib.request.urlopen(base + "/healthz").read().decode()
        break
    except OSError:
        time.sleep(0.5)
else:
    raise SystemExit("gunicorn did not answer /healthz")
proxied = {"Host": "tracker.example.org", "X-Forwarded-Proto": "https"}
page = urllib.request.urlopen(urllib.request.Request(base + "/login/", headers=proxied)).read().decode()
sheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
urllib.request.urlopen(urllib.request.Request(base + sheet, headers=proxied)).read()
print(f"web: gunicorn answered /healthz ({health}) and served /login/ and {sheet}")
PYTHON

"$WORK/venv/bin/celery" -A config worker --concurrency=1 --loglevel=warning > "$WORK/worker.log" 2>&1 &
WORKER=$!
"$PY" manage.py shell -c "
from scoring.tasks import recompute_all_task
from core.tasks import housekeeping_task
print('worker: recompute', recompute_all_task.delay().get(timeout=120), '- housekeeping', housekeeping_task.delay().get(timeout=60))
"
# beat starts with the schedule (it sends tasks by name; the worker above ran two of them)
"$WORK/venv/bin/celery" -A config beat --loglevel=info --schedule "$WORK/beat-schedule" > "$WORK/beat.log" 2>&1 &
BEAT=$!
for _ in $(seq 1 60); do grep -q "beat: Starting" "$WORK/beat.log" && break; kill -0 "$BEAT" 2>/dev/null || break; sleep 0.1; done
kill "$BEAT" 2>/dev/null || true
wait "$BEAT" 2>/dev/null || true  # it writes its schedule file as it stops: the clean-up must come after
BEAT=""
grep -q "beat: Starting" "$WORK/beat.log" || { cat "$WORK/beat.log"; echo "beat did not start"; exit 1; }
echo "beat: started"
echo "image check passed"
