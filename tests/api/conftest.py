"""The API tests' shared fixtures: the lakeside data set scored twice, and API clients by role."""
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from entities.models import Entity


def score_lakeside(lakeside_dir) -> None:
    """The lakeside example imported and scored as of 2025-06-30 and 2026-06-30 (two snapshots, for
    `as_of`), and an entity nothing refers to (that may be deleted)."""
    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", "2025-06-30", stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    Entity.objects.create(external_id="lonely", name="Nobody refers to me", kind="person")


@pytest.fixture
def scored(db, lakeside_dir):
    score_lakeside(lakeside_dir)


@pytest.fixture
def api_as(user_with_role):
    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(user_with_role(role))
        return client

    return make
