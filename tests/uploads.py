"""Uploads on the data sets page, as an analyst makes them."""
from django.test import TestCase


def upload(client, *files, dry_run=False):
    """Post files on the data sets page and follow to its report: the worker's part (Celery eager
    in tests) runs once the upload is committed, which a test's transaction would otherwise hold
    back. The page itself when the upload is refused before it is queued (not a data set at all)."""
    data = {"files": list(files)}
    if dry_run:
        data["dry_run"] = "1"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/data/", data)
    return client.get(response.url) if response.status_code == 302 else response
