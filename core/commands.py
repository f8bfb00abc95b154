"""What the batch commands share."""
import logging
import os
import sys

from django.core.management.base import BaseCommand
from django.db import connections


class LeavesWithoutTeardown(BaseCommand):
    """A command that, run from the command line (manage.py; `call_command` does not come here),
    leaves without the interpreter's teardown once it is done: after the engine's compiled kernels
    were loaded (a recompute, an export reading the weak pairs), Python's exit took 0.4-0.5 s
    (numba's and LLVM's clean-up, with nothing left to save): a tenth of `manage.py recompute`.
    Whatever is buffered is written and the database connections closed first; the exit status is
    the one Django set (1 after a CommandError's message). An uncaught error leaves the usual way,
    with its traceback."""

    def run_from_argv(self, argv):
        status = 0
        try:
            super().run_from_argv(argv)
        except SystemExit as leaving:
            status = leaving.code if isinstance(leaving.code, int) else 1
        connections.close_all()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
