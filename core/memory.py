"""Process-level memory helpers for the large batch jobs (recompute, import)."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for a batch job that builds hundreds of thousands of
    objects which live until it ends (relationship records, rule indexes, flag drafts): every
    allocation burst would otherwise trigger collections that rescan all of them, 0.45-0.55 s of a
    4 s full recompute in 1,000+ runs. Reference counting still frees everything that is not in a
    cycle; the collector resumes, as it was, when the job ends, and finds any cycles then."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
