"""The Celery app. Settings come from Django settings under the CELERY_ namespace."""
import importlib
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def import_engine_kernels(**kwargs):
    """numba, which Django's start no longer imports (web processes do without it), is imported
    once in a worker's main process, before its pool forks: the children share it, and their first
    recompute does not wait for it."""
    importlib.import_module("scoring.engine.pair_product")
