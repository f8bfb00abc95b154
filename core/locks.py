"""Locks that serialise whole jobs across processes, held until the transaction ends."""
import zlib

from django.db import connection

from .bulk import is_postgres


def job_lock(name: str) -> None:
    """Wait until no other transaction holds the job lock `name`, then hold it until this
    transaction ends (commit or rollback, so a failed job never leaves it held). On PostgreSQL an
    advisory lock keyed by the name; SQLite lets one writer in at a time anyway."""
    if not connection.in_atomic_block:
        raise RuntimeError("a job lock is held by a transaction: call it inside transaction.atomic()")
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
