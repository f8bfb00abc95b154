"""The REST API's permission matrix: every endpoint under every role (anonymous, then each role of
the ladder), the lowest role allowed answered, the one below refused.

The lakeside data set is imported and scored once for this module, committed, and emptied after
it (`flush`, as a transactional test does); each test rolls back its own writes. Set up for each of
the 125 tests, as the other API tests are, it took 0.45 s a test: about a minute of the suite."""
import pytest
from django.core.management import call_command

from tests.api.conftest import score_lakeside
from tests.api.payloads import flag_id, new_entity, new_meeting, new_relationship
from tests.conftest import LAKESIDE

ROLES = ["anonymous", "city_staff", "board_member", "analyst", "administrator"]


@pytest.fixture(scope="module")
def scored_for_the_module(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        score_lakeside(LAKESIDE)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


# (method, url, body, lowest role allowed: index into ROLES)
MATRIX = [
    ("get", "/api/entities/", None, 1),
    ("get", "/api/entities/lk-pd/", None, 1),
    ("post", "/api/entities/", new_entity, 3),
    ("patch", "/api/entities/lk-nbhd/", lambda: {"description": "Harbor residents"}, 3),
    ("delete", "/api/entities/lonely/", None, 4),
    ("get", "/api/relationships/", None, 1),
    ("get", "/api/relationships/s-01/", None, 1),
    ("post", "/api/relationships/", new_relationship, 3),
    ("patch", "/api/relationships/t-07/", lambda: {"analyst_score": "7"}, 3),
    ("delete", "/api/relationships/t-08/", None, 3),
    ("get", "/api/disclosures/", None, 1),
    ("get", "/api/disclosures/dc-01/", None, 1),
    ("post", "/api/disclosures/", lambda: {"external_id": "api-d", "discloser": "eo-c1", "relationship": "c-01", "disclosed_on": "2026-01-01"}, 3),
    ("get", "/api/meetings/", None, 1),
    ("get", "/api/meetings/m-biz-01/", None, 1),
    ("post", "/api/meetings/", new_meeting, 2),
    ("patch", "/api/meetings/m-biz-01/", lambda: {"title": "Renamed"}, 3),  # imported: board members correct only those they logged
    ("delete", "/api/meetings/m-old-01/", None, 3),  # imported: board members delete only those they logged
    ("get", "/api/closeness/", None, 1),
    ("get", "/api/closeness/lk-ob/lk-pd/history/", None, 1),
    ("get", "/api/closeness/lk-ob/lk-pd/meetings/", None, 1),
    ("get", "/api/entities/lk-pd/ties/", None, 1),
    ("get", "/api/closeness/ties/", None, 1),
    ("get", "/api/scoring/status/", None, 1),
    ("get", "/api/flags/", None, 1),
    ("get", "/api/flags/{flag}/", None, 1),
    ("post", "/api/flags/{flag}/status/", lambda: {"to_status": "under_review", "reason": "Checking."}, 3),
    ("get", "/api/schema/", None, 1),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,url,body,lowest", MATRIX, ids=[f"{m} {u}" for m, u, _, _ in MATRIX])
def test_every_endpoint_enforces_the_role_ladder(scored_for_the_module, db, api_as, role, method, url, body, lowest):
    client = api_as(role)
    url = url.replace("{flag}", str(flag_id()))

    response = getattr(client, method)(url, body() if body else None, format="json")

    if ROLES.index(role) >= lowest:
        assert response.status_code in (200, 201, 204), (response.status_code, getattr(response, "data", None))
    else:
        assert response.status_code in (401, 403), response.status_code
