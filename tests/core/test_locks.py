"""Job locks: held by a transaction, never outside one."""
import pytest
from django.db import connection, transaction

from core.locks import job_lock


@pytest.mark.django_db
def test_a_job_lock_is_an_advisory_lock_of_this_transaction():
    with transaction.atomic():
        job_lock("test-job")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            assert cursor.fetchone()[0] == 1


def test_a_job_lock_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        job_lock("test-job")
