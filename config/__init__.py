import os

# numpy asks the kernel for transparent huge pages for its large arrays (madvise). Where THP's
# defrag setting is `madvise` (most distributions' default, and this project's machines) each such
# fault may compact memory first: a recompute in a new process (the `recompute` command, a new
# worker) took 1.1 s longer with it, 5.45 s against 4.38 s (mean of four alternating runs), and 800
# MB of new arrays took 1.8 s to fill against 0.4 s. Read by numpy when it is first imported, which
# every entry point (manage.py, the Celery worker and beat, WSGI) does after this; an operator may
# still set it to 1.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
