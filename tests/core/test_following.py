"""The weekly email of the Following page (core.following) and its switch."""
import re
import smtplib
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail, signing
from django.utils import timezone

from conflicts.rules import rule_name
from core.following import (
    DIGEST_DAYS,
    LINK_DAYS,
    LINK_INTERVAL,
    SummariesNotSent,
    SummaryRequest,
    followed_changes,
    request_weekly_summary,
    send_following_digests,
    weekly_summary_link,
    weekly_summary_stop_link,
)
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


def reader(user_with_role, *, email="staff@example.org", weekly=True, follows=("lk-pd",), confirmed=True):
    """A reader following `follows`, with the weekly summary at `email` (confirmed unless told)."""
    user = user_with_role("city_staff")
    for external_id in follows:
        follow_set(user=user, entity=Entity.objects.get(external_id=external_id), following=True)
    FollowDigest.objects.create(user=user, weekly=weekly, address=email, confirmed_address=email if confirmed else "")
    return user


@pytest.mark.django_db
def test_the_summary_goes_to_those_who_asked_and_says_what_the_page_says(two_sets_of_scores, user_with_role, settings):
    settings.SITE_URL = "https://tracker.example.org/"
    wants = reader(user_with_role)
    reader(user_with_role, email="quiet@example.org", weekly=False)  # did not ask
    reader(user_with_role, email="")  # no address
    reader(user_with_role, email="nothing@example.org", follows=())  # follows nothing
    reader(user_with_role, email="typed@example.org", confirmed=False)  # never opened the link

    # compared with the scores of a week before, or just before: 2026-06-30's
    assert send_following_digests(today=A_WEEK_LATER) == 1

    (message,) = mail.outbox
    assert message.to == [wants.follow_digest.address] and message.subject == "What changed for the entities you follow since 2026-06-30"
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
        assert f"flag no longer holds: {rule_name(flag.rule)}, {flag.subject.name} / {flag.counterpart.name}, {flag.severity} (https://tracker.example.org/flags/{flag.pk}/)" in body
    assert "Your Following page: https://tracker.example.org/following/" in body
    # one click stops them, from the email or the mail client (RFC 8058), without signing in
    (stop,) = re.findall(r"To stop these emails: (https://tracker\.example\.org/following/digest/stop/\S+/)", body)
    assert message.extra_headers == {"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    # the same as HTML, its links as links
    ((html, kind),) = message.alternatives
    assert kind == "text/html" and '<a href="https://tracker.example.org/entities/lk-pd/">Lakeside Police Department</a>' in html
    for flag in row.lapsed:
        assert f'Flag no longer holds: <a href="https://tracker.example.org/flags/{flag.pk}/">{rule_name(flag.rule)}</a>' in html
    assert f'<a href="{stop}">Stop these emails</a>' in html and '<a href="https://tracker.example.org/following/">' in html
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
def test_a_summary_the_mail_server_refuses_does_not_stop_the_others_and_is_sent_when_tried_again(two_sets_of_scores, user_with_role,
                                                                                                 monkeypatch):
    """Before, the first refusal ended the run: every reader after it went without that week's summary."""
    from django.core.mail.backends.locmem import EmailBackend

    reader(user_with_role, email="refused@example.org")
    reader(user_with_role, email="kept@example.org")
    deliver = EmailBackend.send_messages

    def refusing(self, messages):
        if any("refused@example.org" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"refused@example.org": (550, b"mailbox unavailable")})
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing)
    with pytest.raises(SummariesNotSent, match=r"1 weekly summary not sent \(refused@example.org\), 1 sent"):
        send_following_digests(today=A_WEEK_LATER)
    assert [message.to for message in mail.outbox] == [["kept@example.org"]]

    monkeypatch.setattr(EmailBackend, "send_messages", deliver)  # the server takes it an hour later
    assert send_following_digests(today=A_WEEK_LATER) == 1  # only the one not sent
    assert [message.to for message in mail.outbox] == [["kept@example.org"], ["refused@example.org"]]


@pytest.mark.django_db
def test_the_weekly_task_tries_again_while_the_mail_server_refuses(two_sets_of_scores, user_with_role, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    from config.celery import app as celery_app

    reader(user_with_role)
    deliver, tries = EmailBackend.send_messages, []

    def down_twice(self, messages):
        tries.append(len(messages))
        if len(tries) <= 2:
            raise ConnectionRefusedError(111, "Connection refused")
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", down_twice)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)  # report failures as results, as a worker does
    result = following_digests_task.apply()

    assert result.successful() and result.result == 1 and len(tries) == 3 and len(mail.outbox) == 1


def confirmation_link(message) -> str:
    """The path of the confirmation link in `message`."""
    (link,) = re.findall(r"https?://\S+/following/digest/confirm/\S+/", message.body)
    return urlsplit(link).path


@pytest.mark.django_db
def test_the_following_page_turns_the_summary_on_once_the_address_is_confirmed_and_off(client, user_with_role, settings):
    from tests.factories import EntityFactory

    settings.SITE_URL = "https://tracker.example.org"
    user = user_with_role("city_staff")
    follow_set(user=user, entity=EntityFactory(), following=True)
    client.force_login(user)
    assert 'name="email" id="id_summary_email" value=""' in client.get("/following/").content.decode()

    refused = client.post("/following/digest/", {"weekly": "1", "email": "not an address"}, follow=True)
    assert "Email address: Enter a valid email address. The weekly summary stays off." in refused.content.decode()
    assert not FollowDigest.objects.exists() and mail.outbox == []

    # a new address gets a link, and nothing else until it is opened
    asked = client.post("/following/digest/", {"weekly": "1", "email": "staff@example.org"}, follow=True).content.decode()
    assert "A link went to staff@example.org: open it within 7 days to start the weekly summary." in asked
    assert "The weekly summary starts once you open the link emailed to <strong>staff@example.org</strong>." in asked
    (message,) = mail.outbox
    assert message.to == ["staff@example.org"] and message.subject == "Confirm your weekly summary"
    assert f"{user.username}, signed in at https://tracker.example.org, asked for a weekly summary" in message.body
    digest = FollowDigest.objects.get(user=user)
    assert digest.weekly and not digest.confirmed
    user.refresh_from_db()
    assert user.email == ""  # the account's own address is not changed by the page

    # opening the link shows a button (a mail scanner's GET confirms nothing); pressing it confirms
    link = confirmation_link(message)
    page = client.get(link).content.decode()
    assert "to <strong>staff@example.org</strong> each Monday" in page
    assert not FollowDigest.objects.get(user=user).confirmed
    on = client.post(link, follow=True).content.decode()
    assert "Confirmed: you will get a weekly summary at staff@example.org when something changed." in on
    assert "Stop the weekly email" in on and FollowDigest.objects.get(user=user).confirmed

    # off, and on again at the same address: no new link needed
    client.post("/following/digest/", {"weekly": "0"})
    assert not FollowDigest.objects.get(user=user).weekly
    assert 'value="staff@example.org"' in client.get("/following/").content.decode()  # the address kept for next time
    again = client.post("/following/digest/", {"weekly": "1", "email": "staff@example.org"}, follow=True).content.decode()
    assert "You will get a weekly summary at staff@example.org when something changed." in again
    assert len(mail.outbox) == 1 and FollowDigest.objects.get(user=user).confirmed
    assert client.get("/following/digest/").status_code == 405


@pytest.mark.django_db
def test_a_new_address_waits_for_its_own_link_and_links_are_not_sent_in_a_flood(client, user_with_role):
    from tests.factories import EntityFactory

    user = user_with_role("city_staff")
    follow_set(user=user, entity=EntityFactory(), following=True)
    FollowDigest.objects.create(user=user, weekly=True, address="old@example.org", confirmed_address="old@example.org")
    client.force_login(user)

    client.post("/following/digest/", {"weekly": "1", "email": "new@example.org"})
    digest = FollowDigest.objects.get(user=user)
    assert digest.address == "new@example.org" and not digest.confirmed  # neither address gets summaries meanwhile
    assert [m.to for m in mail.outbox] == [["new@example.org"]]

    # asking again at once (for any address) sends nothing and changes nothing
    flood = client.post("/following/digest/", {"weekly": "1", "email": "other@example.org"}, follow=True).content.decode()
    assert "or ask for another in two minutes." in flood
    assert len(mail.outbox) == 1 and FollowDigest.objects.get(user=user).address == "new@example.org"
    # a few minutes later, another link may go
    FollowDigest.objects.filter(user=user).update(link_sent_at=timezone.now() - LINK_INTERVAL)
    client.post("/following/digest/", {"weekly": "1", "email": "other@example.org"})
    assert [m.to for m in mail.outbox] == [["new@example.org"], ["other@example.org"]]
    # the first link is for an address no longer asked for
    stale = client.post(confirmation_link(mail.outbox[0]))
    assert stale.status_code == 400
    assert "This link is for new@example.org, which is no longer the address of your weekly summary." in stale.content.decode()
    assert not FollowDigest.objects.get(user=user).confirmed
    client.post(confirmation_link(mail.outbox[1]))
    assert FollowDigest.objects.get(user=user).confirmed_address == "other@example.org"


@pytest.mark.django_db
def test_a_link_altered_expired_or_for_another_account_confirms_nothing(client, user_with_role, monkeypatch):
    owner = user_with_role("city_staff")
    _, outcome = request_weekly_summary(owner, "owner@example.org", now=timezone.now())
    assert outcome is SummaryRequest.LINK_SENT
    link = confirmation_link(mail.outbox[0])

    client.force_login(user_with_role("city_staff"))
    other = client.post(link)
    assert other.status_code == 400 and "This link was sent for another account" in other.content.decode()
    client.force_login(owner)
    altered = client.post(link.replace("/confirm/", "/confirm/x"))
    assert altered.status_code == 400 and "This link is not one the tracker sent" in altered.content.decode()
    later = time.time() + timedelta(days=LINK_DAYS, minutes=1).total_seconds()
    with monkeypatch.context() as clock:
        clock.setattr(signing.time, "time", lambda: later)  # the signature's clock, a week and a minute on
        expired = client.post(link)
    assert expired.status_code == 400 and "This link has expired (links work for 7 days)" in expired.content.decode()
    assert not FollowDigest.objects.get(user=owner).confirmed
    assert client.post(link).status_code == 302 and FollowDigest.objects.get(user=owner).confirmed


@pytest.mark.django_db
def test_an_email_that_cannot_be_sent_leaves_the_summary_off(client, user_with_role, settings, monkeypatch):
    import core.following

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(core.following, "send_mail", refuse)
    user = user_with_role("city_staff")
    client.force_login(user)
    page = client.post("/following/digest/", {"weekly": "1", "email": "staff@example.org"}, follow=True).content.decode()
    assert "The email to staff@example.org could not be sent (Connection unexpectedly closed); the weekly summary stays off." in page
    assert not FollowDigest.objects.filter(user=user, weekly=True).exists()


@pytest.mark.django_db
def test_the_stop_link_turns_the_summary_off_without_signing_in_and_only_by_post(client, user_with_role, settings):
    settings.SITE_URL = "https://tracker.example.org"
    user = user_with_role("city_staff")
    FollowDigest.objects.create(user=user, weekly=True, address="staff@example.org", confirmed_address="staff@example.org")
    path = urlsplit(weekly_summary_stop_link(user)).path

    page = client.get(path)  # anonymous: a mail scanner, or the reader before pressing the button
    assert page.status_code == 200 and "Stop the weekly summary</button>" in page.content.decode()
    assert FollowDigest.objects.get(user=user).weekly
    done = client.post(path, {"List-Unsubscribe": "One-Click"})  # as a mail client posts it, no CSRF token
    assert done.status_code == 200 and "Done: no more weekly summaries go to you." in done.content.decode()
    assert not FollowDigest.objects.get(user=user).weekly
    assert client.post(path).status_code == 200  # again: still off, nothing to say against it

    altered = client.post(path.replace("/stop/", "/stop/x"))
    assert altered.status_code == 400 and "This link is not one the tracker sent" in altered.content.decode()
    assert client.get(path.replace("/stop/", "/stop/x")).status_code == 400
    # a confirmation link is no stop link, nor the other way round
    confirm = urlsplit(weekly_summary_link(user, "staff@example.org")).path
    assert client.post(confirm.replace("/confirm/", "/stop/")).status_code == 400



@pytest.mark.django_db
def test_the_html_summary_escapes_what_it_shows(two_sets_of_scores, user_with_role, settings):
    settings.SITE_URL = "https://tracker.example.org/"
    Entity.objects.filter(external_id="lk-pd").update(name="<b>Lakeside</b> & Police")
    reader(user_with_role)

    assert send_following_digests(today=A_WEEK_LATER) == 1

    ((html, _),) = mail.outbox[0].alternatives
    assert "&lt;b&gt;Lakeside&lt;/b&gt; &amp; Police" in html and "<b>Lakeside</b>" not in html


@pytest.mark.django_db
def test_a_relationship_recorded_since_is_news_for_its_followers_on_the_page_and_in_the_summary(two_sets_of_scores, user_with_role, client,
                                                                                                 settings):
    from tests.factories import RelationshipFactory

    settings.SITE_URL = "https://tracker.example.org/"
    follower = reader(user_with_role, follows=("lk-pd", "eo-c1"))
    since, rows = followed_changes(follower, current_snapshot(), A_WEEK_LATER - timedelta(days=DIGEST_DAYS))
    assert all(row.recorded == [] for row in rows)  # the data set was imported before both sets of scores

    gift = RelationshipFactory(external_id="gift-1", source=Entity.objects.get(external_id="lk-pd"), target=Entity.objects.get(external_id="eo-c1"),
                               type="endorses", start_date=date(2030, 10, 1))
    _, rows = followed_changes(follower, current_snapshot(), A_WEEK_LATER - timedelta(days=DIGEST_DAYS))

    assert [[r.external_id for r in row.recorded] for row in rows] == [["gift-1"], ["gift-1"]]  # under each end followed
    assert send_following_digests(today=A_WEEK_LATER) == 1
    (message,) = [m for m in mail.outbox if m.to == [follower.follow_digest.address]]
    line = f"  - recorded: {gift.source.name} endorses {gift.target.name}, 2030-10-01 (https://tracker.example.org/relationships/gift-1/)"
    assert line in message.body
    ((html, _),) = message.alternatives
    assert 'Recorded: <a href="https://tracker.example.org/relationships/gift-1/">' in html
    client.force_login(follower)
    page = client.get("/following/", {"since": (A_WEEK_LATER - timedelta(days=DIGEST_DAYS)).isoformat()}).content.decode()
    assert "Relationships recorded since" in page and 'href="/relationships/gift-1/"' in page
    api = client.get("/api/following/changes/", {"since": (A_WEEK_LATER - timedelta(days=DIGEST_DAYS)).isoformat()}).json()
    assert [e["relationships_recorded"] for e in api["entities"]] == [["gift-1"], ["gift-1"]]
