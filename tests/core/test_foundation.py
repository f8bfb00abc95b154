"""Sign-in, roles, health check, the demo data set and the admin."""
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.utils import timezone

from conflicts.models import Flag
from core.management.commands.load_demo import DEMO_USERS, DEMO_WRITTEN_FOR, months_before
from core.roles import ROLES, can_edit_data, can_log_meetings, can_manage_data_sets, can_review_flags
from entities.models import Entity
from scoring.models import ClosenessSnapshot
from scoring.selectors import pair_history


@pytest.mark.django_db
def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_workers_health_check_answers_503_once_no_worker_or_no_beat_has_run_for_five_minutes(client, monkeypatch):
    """For an uptime monitor, so that someone is told when the workers or beat stop (the pages
    still work: not the load balancer's check)."""
    from datetime import timedelta

    from config.celery import app
    from core.workers import beat_heartbeat_recorded, heartbeat_recorded

    assert client.get("/healthz/workers").json() == {"status": "ok", "workers": "none: tasks run in the web process"}
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker
    never = client.get("/healthz/workers")
    assert never.status_code == 503 and never.json() == {"status": "workers silent", "last_seen": None, "beat_last_sent": None}

    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=2))
    beat_heartbeat_recorded(now=timezone.now() - timedelta(minutes=1))
    fresh = client.get("/healthz/workers")
    assert fresh.status_code == 200 and fresh.json()["status"] == "ok" and fresh["Cache-Control"].startswith("max-age=0")

    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=6))
    silent = client.get("/healthz/workers")
    assert silent.status_code == 503 and silent.json()["status"] == "workers silent"
    assert "celery@one" not in silent.content.decode()  # the public answer names no host

    # the workers take what the pages send them, but beat sends nothing: no nightly recompute
    heartbeat_recorded(worker="celery@one", now=timezone.now())
    beat_heartbeat_recorded(now=timezone.now() - timedelta(minutes=6))
    beat_stopped = client.get("/healthz/workers")
    assert beat_stopped.status_code == 503 and beat_stopped.json()["status"] == "beat silent"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/admin/"])
def test_pages_require_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_login_page_is_public_and_has_a_form(client):
    response = client.get("/login/")

    assert response.status_code == 200
    assert b'name="username"' in response.content and b"csrfmiddlewaretoken" in response.content


@pytest.mark.django_db
def test_the_four_roles_exist_as_groups_with_a_ladder_of_rights():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    users = {}
    for role in ROLES:
        users[role] = User.objects.create_user(role, password="x" * 12)
        users[role].groups.add(Group.objects.get(name=role))

    assert [can_log_meetings(users[r]) for r in ROLES] == [False, True, True, True]
    assert [can_manage_data_sets(users[r]) for r in ROLES] == [False, False, True, True]
    assert [can_review_flags(users[r]) for r in ROLES] == [False, False, True, True]
    assert [can_edit_data(users[r]) for r in ROLES] == [False, False, False, True]
    assert Group.objects.get(name="administrator").permissions.filter(codename="change_entity").exists()
    assert not Group.objects.get(name="city_staff").permissions.filter(codename="change_entity").exists()


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_brings_the_role_groups_back_with_every_apps_permissions():
    """A flush (as after each test that commits) sends post_migrate once per app: the groups are
    set after the last app's, when the permissions of every app, the last one's too, exist."""
    Group.objects.all().delete()
    call_command("flush", interactive=False, verbosity=0)

    administrator = Group.objects.get(name="administrator").permissions
    assert {"change_entity", "change_relationship", "change_meeting", "change_pairscore", "change_flag"} <= set(administrator.values_list("codename", flat=True))
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)


@pytest.fixture
def as_in_make_run(settings):
    """DEBUG on, as `make run` has it (the tests run with it off, as production)."""
    settings.DEBUG = True


@pytest.mark.django_db
def test_the_demo_is_refused_on_a_real_site_unless_asked_for_a_public_demo(monkeypatch):
    with pytest.raises(CommandError, match="--public-demo"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Entity.objects.exists() and not User.objects.exists()  # refused before anything is written

    class Reached(Exception):
        pass

    def reached(directory):
        raise Reached

    monkeypatch.setattr("core.management.commands.load_demo.files_from_directory", reached)
    with pytest.raises(Reached):  # asked for, it goes on to read the demo's files
        call_command("load_demo", "--public-demo", stdout=io.StringIO())


@pytest.mark.django_db
@pytest.mark.usefixtures("as_in_make_run")
def test_a_demo_day_whose_dates_would_fall_before_year_1_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match=r"--today 0001-01-05: the demo's dates, moved to end then, would fall before year 1"):
        call_command("load_demo", "--today", "0001-01-05", stdout=io.StringIO())
    assert not Entity.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("as_in_make_run")
def test_the_demo_loads_with_planted_conflicts_and_a_user_per_role(client):
    call_command("load_demo", stdout=io.StringIO())

    assert Entity.objects.filter(external_id="rv-pd").exists()
    # scored as of the first of each of the past twelve months, then today: pairs have a history
    snapshots = list(ClosenessSnapshot.objects.order_by("id").values_list("as_of", flat=True))
    today = timezone.localdate()
    assert len(snapshots) == 13 and snapshots[-1] == today and snapshots == sorted(snapshots)
    assert snapshots[0] == months_before(today, 12)[0] and all(d.day == 1 for d in snapshots[:-1])
    pair = Entity.objects.get(external_id="hc-so"), Entity.objects.get(external_id="p-sheriff")
    assert len({point["score"] for point in pair_history(*pair)}) > 1
    call_command("load_demo", stdout=io.StringIO())  # again (`make run` each time): today only
    assert ClosenessSnapshot.objects.count() == 14
    rules = set(Flag.objects.filter(holds=True).values_list("rule", flat=True))
    assert rules == {"FUNDING_DEPENDENCE", "REVOLVING_DOOR", "CONTRIBUTION_FROM_OVERSEEN", "PERSONAL_TIE", "OVERSIGHT_TOO_CLOSE", "POWER_IMBALANCE"}
    # a company entered twice, for the Sources page's possible duplicates (to merge, and undo)
    from entities.selectors import possible_duplicates

    assert [["rv-towing", "rv-towing-co"]] == [sorted(e.external_id for e in group) for group in possible_duplicates()]
    for role, (username, password) in DEMO_USERS.items():
        signed_in = client.post("/login/", {"username": username, "password": password})
        assert signed_in.status_code == 302, role
        assert client.get("/").status_code == 200
        client.logout()


@pytest.mark.django_db
@pytest.mark.usefixtures("as_in_make_run")
def test_the_demo_is_as_recent_whenever_it_is_loaded():
    from engagement.models import Meeting

    call_command("load_demo", "--today", "2029-03-01", stdout=io.StringIO())

    # every date moved by the days since the files were written: the last meeting 12 days before,
    # and the same fourteen flags as on that day (unmoved, by 2029 the commissioner's contribution
    # is over four years old and the inspector general's lunches too old to keep the office close)
    assert Meeting.objects.order_by("-date").first().date == date(2029, 3, 1) - (DEMO_WRITTEN_FOR - date(2026, 11, 20))
    flags = set(Flag.objects.filter(holds=True).values_list("rule", "subject__external_id", "counterpart__external_id"))
    assert flags == {
        *(("CONTRIBUTION_FROM_OVERSEEN", official, "rv-pd") for official in ("p-cm-1", "p-cm-2", "p-cm-3", "p-mayor")),
        ("CONTRIBUTION_FROM_OVERSEEN", "p-hc-1", "hc-so"), ("FUNDING_DEPENDENCE", "rv-crb", "rv-pd"),
        ("OVERSIGHT_TOO_CLOSE", "hc-commission", "hc-so"), ("OVERSIGHT_TOO_CLOSE", "rv-crb", "rv-pd"),
        ("OVERSIGHT_TOO_CLOSE", "rv-oig", "rv-pd"), ("OVERSIGHT_TOO_CLOSE", "rv-psc", "rv-pd"),
        ("PERSONAL_TIE", "rv-council", "rv-pd"), ("PERSONAL_TIE", "rv-crb", "rv-pd"),
        ("POWER_IMBALANCE", "rv-council", "rv-pd"), ("REVOLVING_DOOR", "rv-crb", "rv-pd"),
    }
    assert ClosenessSnapshot.objects.order_by("-id").first().as_of == date(2029, 3, 1)


@pytest.mark.django_db
@pytest.mark.usefixtures("as_in_make_run")
def test_the_demo_loaded_again_on_a_later_day_keeps_the_dates_of_its_first_load(monkeypatch):
    from engagement.models import Meeting
    from relationships.models import Relationship

    call_command("load_demo", "--today", "2029-03-01", stdout=io.StringIO())
    dates = sorted(Meeting.objects.values_list("external_id", "date")), sorted(Relationship.objects.values_list("external_id", "start_date", "end_date"))
    monkeypatch.setattr("core.management.commands.load_demo.timezone.localdate", lambda: date(2029, 4, 15))

    call_command("load_demo", stdout=io.StringIO())

    assert (sorted(Meeting.objects.values_list("external_id", "date")), sorted(Relationship.objects.values_list("external_id", "start_date", "end_date"))) == dates
    assert ClosenessSnapshot.objects.order_by("-id").first().as_of == date(2029, 4, 15)  # scored as of that later day
    # asked for, it moves them
    call_command("load_demo", "--today", "2029-04-15", stdout=io.StringIO())
    assert Meeting.objects.order_by("-date").first().date == date(2029, 4, 15) - (DEMO_WRITTEN_FOR - date(2026, 11, 20))


@pytest.mark.django_db
@pytest.mark.usefixtures("as_in_make_run")
def test_an_administrator_can_open_the_admin_with_attendance_inline(client):
    call_command("load_demo", stdout=io.StringIO())
    username, password = DEMO_USERS["administrator"]
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    from engagement.models import Meeting

    meeting = Meeting.objects.first()
    response = client.get(f"/admin/engagement/meeting/{meeting.pk}/change/")

    assert response.status_code == 200
    assert b"attendance" in response.content.lower()
    assert b"Logged by" in response.content and b'name="logged_by"' not in response.content  # shown, not editable
    assert b"Logged by" in client.get("/admin/engagement/meeting/").content
    assert client.get("/admin/entities/entity/?q=police").status_code == 200
    # a relationship's entities are found by typing a name, not a numeric key
    form = client.get("/admin/relationships/relationship/add/").content.decode()
    assert 'class="admin-autocomplete' in form and 'data-field-name="source"' in form
    found = client.get("/admin/autocomplete/", {"term": "Riverton Police", "app_label": "relationships", "model_name": "relationship",
                                                "field_name": "source"}).json()
    assert "Riverton Police Department" in [row["text"] for row in found["results"]]
    # the admin's pages name the site's icon too (else the browser asks for /favicon.ico: a 404)
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in form


@pytest.mark.django_db
def test_every_page_names_an_icon_that_is_served_from_static(client):
    from django.contrib.staticfiles import finders

    page = client.get("/login/").content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("img/favicon.svg")  # browsers asked for /favicon.ico, a 404 on every first visit
