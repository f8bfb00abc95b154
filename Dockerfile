# The web, worker and beat image (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# the dependencies first, in a layer of their own that a change to the code does not rebuild; the
# project itself is not installed: its apps run from /app, the working folder (manage.py, gunicorn
# and celery's Django fix-up put it first on the import path)
COPY pyproject.toml ./
COPY scripts/dependencies.py ./
RUN python dependencies.py > /tmp/requirements.txt && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt dependencies.py

COPY config ./config
COPY core ./core
COPY entities ./entities
COPY relationships ./relationships
COPY engagement ./engagement
COPY scoring ./scoring
COPY conflicts ./conflicts
COPY interchange ./interchange
COPY audit ./audit

COPY manage.py ./
COPY templates ./templates
COPY static ./static
COPY demo ./demo
# the user documentation, shown as the app's help pages (core/help.py)
COPY docs ./docs
# collectstatic needs settings that are valid without DEBUG; the real key comes from the environment
RUN DEBUG=0 SECRET_KEY=collectstatic-only-build-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput

# compile the engine's numba kernels into their on-disk cache now, not at the first recompute
RUN python -c "from scoring.engine.pair_product import warm_up; warm_up()"

RUN useradd --system --uid 1000 tracker && chown -R tracker /app
USER tracker
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
