"""The weekly email of the Following page (core.following) and its switch."""
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from core.following import DIGEST_DAYS, followed_changes, send_following_digests
from core.tasks import following_digests_task
from entities.models import Entity, FollowDigest
from entities.services import follow_set
from scoring.services import current_snapshot, recompute
from tests.dashboard_helpers import scored_lakeside

LATER = date(2031, 1, 1)
A_WEEK_LATER = LATER + timedelta(days=4)


@pytest.fixture
def two_sets_of_scores(lakeside_dir):
    scored_lakeside(lakeside_dir)  # as of 2026-06-30
    recompute(as_of=LATER)


def reader(user_with_role, *, email="staff@example.org", weekly=True, follows=("lk-pd",)):
    user = user_with_role("city_staff")
    user.email = email
    user.save()
    for external_id in follows:
        follow_set(user=user, entity=Entity.objects.get(external_id=external_id), following=True)
    FollowDigest.objects.create(user=user, weekly=weekly)
    return user


@pytest.mark.django_db
def test_the_summary_goes_to_those_who_asked_and_says_what_the_page_says(two_sets_of_scores, user_with_role, settings):
    settings.SITE_URL = "https://tracker.example.org/"
    wants = reader(user_with_role)
    reader(user_with_role, email="quiet@example.org", weekly=False)  # did not ask
    reader(user_with_role, email="")  # no address
    reader(user_with_role, email="nothing@example.org", follows=())  # follows nothing

    # compared with the scores of a week before, or just before: 2026-06-30's
    assert send_following_digests(today=A_WEEK_LATER) == 1

    (message,) = mail.outbox
    assert message.to == [wants.email] and message.subject == "What changed for the entities you follow since 2026-06-30"
    since, (row,) = followed_changes(wants, current_snapshot(), A_WEEK_LATER - timedelta(days=DIGEST_DAYS))
    assert since.as_of == date(2026, 6, 30) and row.changed
    body = message.body
    assert body.startswith("The scores as of 2031-01-01 against those as of 2026-06-30:")
    assert "Lakeside Police Department (https://tracker.example.org/entities/lk-pd/)" in body
    for m in row.moved:
        assert f"{m['move']} with {m['other'].name}:" in body
        assert f"(https://tracker.example.org/closeness/{m['a'].external_id}/{m['b'].external_id}/)" in body
    assert row.lapsed  # by 2031 the department's flags no longer hold
    for flag in row.lapsed:
        assert f"flag no longer holds: {flag.rule}, {flag.subject.name} / {flag.counterpart.name}, {flag.severity} (https://tracker.example.org/flags/{flag.pk}/)" in body
    assert "Your Following page: https://tracker.example.org/following/" in body
    # a task run twice in a day (a retry) sends once; a week later, with no scores since, nothing moved
    assert send_following_digests(today=A_WEEK_LATER) == 0
    assert send_following_digests(today=A_WEEK_LATER + timedelta(days=7)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_summary_when_nothing_changed(two_sets_of_scores, user_with_role):
    quiet = next(e for e in Entity.objects.order_by("external_id") if not changed_for_a_reader_of_it(user_with_role, e))
    assert quiet is not None
    assert send_following_digests(today=A_WEEK_LATER) == 0


def changed_for_a_reader_of_it(user_with_role, entity) -> bool:
    """Whether `entity` changed since 2026-06-30 for a new reader following only it with the weekly
    summary on; that reader is kept only when it did not (so the send below has one quiet reader)."""
    user = reader(user_with_role, follows=(entity.external_id,))
    _, (row,) = followed_changes(user, current_snapshot(), A_WEEK_LATER - timedelta(days=DIGEST_DAYS))
    if row.changed:
        user.delete()
    return row.changed


@pytest.mark.django_db
def test_one_set_of_scores_has_nothing_to_compare_with(lakeside_dir, user_with_role):
    scored_lakeside(lakeside_dir)
    reader(user_with_role)

    assert send_following_digests(today=date(2026, 7, 7)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_weekly_task_sends_them_as_of_today(two_sets_of_scores, user_with_role):
    reader(user_with_role)
    assert timezone.localdate() - timedelta(days=DIGEST_DAYS) >= date(2026, 6, 30)  # the earlier scores are a week old or more

    assert following_digests_task() == 1
    assert len(mail.outbox) == 1
    schedule = django_settings.CELERY_BEAT_SCHEDULE["weekly-following-summaries"]
    assert schedule["task"] == following_digests_task.name


@pytest.mark.django_db
def test_the_following_page_turns_the_summary_on_with_an_address_and_off(client, user_with_role):
    from tests.factories import EntityFactory

    user = user_with_role("city_staff")
    follow_set(user=user, entity=EntityFactory(), following=True)
    client.force_login(user)
    assert 'name="email" id="id_summary_email" value=""' in client.get("/following/").content.decode()

    refused = client.post("/following/digest/", {"weekly": "1", "email": "not an address"}, follow=True)
    assert "Email address: Enter a valid email address. The weekly summary stays off." in refused.content.decode()
    assert not FollowDigest.objects.exists()
    user.refresh_from_db()
    assert user.email == ""
    on = client.post("/following/digest/", {"weekly": "1", "email": "staff@example.org"}, follow=True)
    assert "You will get a weekly summary at staff@example.org when something changed." in on.content.decode()
    user.refresh_from_db()
    assert user.email == "staff@example.org" and FollowDigest.objects.get(user=user).weekly
    assert "Stop the weekly email" in on.content.decode()
    client.post("/following/digest/", {"weekly": "0"})
    assert not FollowDigest.objects.get(user=user).weekly
    assert f'value="{user.email}"' in client.get("/following/").content.decode()  # the address kept for next time
    assert client.get("/following/digest/").status_code == 405
