"""Pages render with a constant number of queries, whatever the size of the data."""
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conflicts.models import Flag


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_pages_do_not_grow_queries_with_the_data(lakeside_dir, client_as, tmp_path):
    # a smaller data set first: the lakeside example with a tenth of its attendance
    small = tmp_path / "small"
    small.mkdir()
    for name in ("entities.csv", "relationships.csv", "disclosures.csv", "meetings.csv"):
        (small / name).write_bytes((lakeside_dir / "data" / name).read_bytes())
    attendance = (lakeside_dir / "data" / "attendance.csv").read_text().splitlines(keepends=True)
    (small / "attendance.csv").write_text("".join(attendance[:270]))
    call_command("import_dataset", str(small), stdout=io.StringIO())
    # two recomputes a month apart in each phase, so the overview has changes to summarise
    call_command("recompute", "--as-of", "2026-05-31", stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    client = client_as("analyst")
    flag = Flag.objects.filter(rule="FUNDING_DEPENDENCE", subject__external_id="lk-ob").get()
    urls = ["/", "/closeness/changes/", "/flags/", f"/flags/{flag.pk}/", "/closeness/lk-ob/lk-pd/", "/meetings/", "/network/"]
    before = {url: count_queries(client, url) for url in urls}

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-05-31", stdout=io.StringIO())
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())
    after = {url: count_queries(client, url) for url in urls}

    assert after == before


@pytest.mark.django_db
def test_the_following_page_reads_as_many_queries_for_ten_entities_followed_as_for_thirty(lakeside, client_as):
    from datetime import date

    from django.contrib.auth import get_user_model

    from entities.models import Entity
    from entities.services import follow_set
    from scoring.services import recompute

    recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2031, 1, 1))
    client = client_as("city_staff")
    reader = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    entities = list(Entity.objects.order_by("external_id")[:30])
    for entity in entities[:10]:
        follow_set(user=reader, entity=entity, following=True)
    ten = count_queries(client, "/following/?since=2026-07-01")
    for entity in entities[10:]:
        follow_set(user=reader, entity=entity, following=True)

    thirty = count_queries(client, "/following/?since=2026-07-01")

    assert thirty == ten
