"""The scoring settings page: administrators only, validated, can queue a recompute."""
import pytest

from scoring.models import ClosenessSnapshot, ScoringSettings, SettingsChange
from scoring.forms import ScoringSettingsForm
from scoring.engine import ScoringParameters


def form_data(**overrides):
    """The settings form as posted: the default settings, a reason, and `overrides`."""
    form = ScoringSettingsForm.from_parameters(ScoringParameters())
    data = {name: form.initial[name] for name in form.fields if name != "reason"}
    data["reason"] = "Evidence fades faster in this city's records."
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_administrator_changes_the_half_life(client_as):
    client = client_as("administrator")

    response = client.post("/scoring/settings/", form_data(half_life_days=200), follow=True)

    assert response.status_code == 200
    assert "Settings saved" in response.content.decode()
    assert ScoringSettings.load().scoring_parameters.half_life_days == 200


def settings_form_on(page) -> dict:
    from tests.form_helpers import FormsOnPage

    return dict(next(fields for action, fields in FormsOnPage(page.content.decode()).forms if action == "/scoring/settings/"))


def shown_then_saved_by_another(client_as, user_with_role, **theirs) -> tuple:
    """An administrator's client and the settings form as it showed them, after which another
    administrator saved `theirs` (with a reason)."""
    from django.test import Client

    mine = client_as("administrator")
    shown = settings_form_on(mine.get("/scoring/settings/"))
    another = Client()
    another.force_login(user_with_role("administrator"))
    another.post("/scoring/settings/", {**settings_form_on(another.get("/scoring/settings/")), **theirs, "reason": "Theirs."})
    return mine, shown


@pytest.mark.django_db
def test_a_save_that_would_undo_settings_another_administrator_saved_since_is_refused_naming_them(client_as, user_with_role):
    mine, shown = shown_then_saved_by_another(client_as, user_with_role, half_life_days="200", component_formal="0.5")

    # left as shown: saving would put back 365 (and 0.6) unseen; changed by both: what was typed stays
    refused = mine.post("/scoring/settings/", {**shown, "component_formal": "0.4", "meeting_community_forum": "0.1", "reason": "Forums say little."})

    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Not saved: someone saved a change after you opened this form" in page
    assert "the form now shows what they saved for half-life (200 now)" in page
    assert "you both changed component weight: formal (0.5 now): what you typed is still here" in page
    again = settings_form_on(refused)
    assert (again["half_life_days"], again["component_formal"], again["meeting_community_forum"]) == ("200.0", "0.4", "0.1")
    assert ScoringSettings.load().scoring_parameters.half_life_days == 200
    assert ScoringSettings.load().scoring_parameters.component_weights["formal"] == 0.5

    saved = mine.post("/scoring/settings/", again)  # checked: a second save goes through

    assert saved.status_code == 302
    params = ScoringSettings.load().scoring_parameters
    assert (params.half_life_days, params.component_weights["formal"], params.meeting_type_weights["community_forum"]) == (200, 0.4, 0.1)


@pytest.mark.django_db
@pytest.mark.parametrize("sent_as_shown", [True, False])
def test_settings_saved_between_the_forms_check_and_the_write_are_not_overwritten(client_as, monkeypatch, sent_as_shown):
    from scoring.forms import ScoringSettingsForm as checked_form

    mine = client_as("administrator")
    shown = settings_form_on(mine.get("/scoring/settings/"))
    if not sent_as_shown:
        del shown["shown_as"]
    checked = checked_form.clean

    def then_theirs_saved(form):
        cleaned = checked(form)
        if form.saving:
            record = ScoringSettings.load()
            record.parameters = {**record.parameters, "half_life_days": 200}
            record.save()
        return cleaned

    monkeypatch.setattr(checked_form, "clean", then_theirs_saved)

    refused = mine.post("/scoring/settings/", {**shown, "component_formal": "0.5", "reason": "Formal ties weigh less."})

    assert refused.status_code == 400
    said = "the form now shows what they saved for half-life (200 now)" if sent_as_shown else "saved the settings at the same moment"
    assert said in refused.content.decode()
    params = ScoringSettings.load().scoring_parameters
    assert (params.half_life_days, params.component_weights["formal"]) == (200, 0.6)


@pytest.mark.django_db
def test_a_preview_of_settings_changed_since_is_not_refused_and_the_same_change_is_no_conflict(client_as, user_with_role):
    mine, shown = shown_then_saved_by_another(client_as, user_with_role, half_life_days="200")

    assert mine.post("/scoring/settings/", {**shown, "half_life_days": "300", "preview": "1"}).status_code == 302  # nothing saved
    # both set it alike: nothing undone
    assert mine.post("/scoring/settings/", {**shown, "half_life_days": "200", "reason": "Recent."}).status_code == 302
    assert SettingsChange.objects.count() == 1


@pytest.mark.django_db
def test_ties_are_named_in_words_and_money_has_no_tie_weight_to_set(client_as):
    """Money counts in the financial component only: a weight for `funds` would change nothing, so
    none is offered, and the ones stored stay as they were when the settings are saved."""
    from dataclasses import replace

    stored = ScoringParameters()
    stored = replace(stored, relationship_type_weights={**stored.relationship_type_weights, "funds": 0.3})
    record = ScoringSettings.load()
    record.parameters = stored.to_dict()
    record.save()
    client = client_as("administrator")

    page = client.get("/scoring/settings/").content.decode()
    assert "Tie: has budget authority over (budget_authority)" in page and "Tie: oversees<" in page
    assert 'name="relationship_funds"' not in page and 'name="relationship_contributes_to"' not in page
    assert 'name="relationship_oversees"' in page and "money equal to the scale gives 2.9" in page

    client.post("/scoring/settings/", form_data(half_life_days=200))
    saved = ScoringSettings.load().scoring_parameters
    assert saved.half_life_days == 200 and saved.relationship_type_weights["funds"] == 0.3


@pytest.mark.django_db
def test_a_change_needs_its_reason_and_is_listed_for_everyone_with_it(client_as):
    admin = client_as("administrator")

    refused = admin.post("/scoring/settings/", form_data(half_life_days=200, reason="  "))
    assert refused.status_code == 400
    assert "Say why the settings change: the reason is shown with their history." in refused.content.decode()
    assert ScoringSettings.load().scoring_parameters.half_life_days == 365 and not SettingsChange.objects.exists()
    # a preview needs no reason: nothing is saved
    assert admin.post("/scoring/settings/", form_data(half_life_days=200, reason="", preview="1")).status_code == 302

    admin.post("/scoring/settings/", form_data(half_life_days=200, component_interaction=0.5, reason="Council asked for recent evidence to weigh more."))
    (change,) = SettingsChange.objects.all()
    assert change.before["half_life_days"] == 365 and change.after["half_life_days"] == 200
    assert change.reason == "Council asked for recent evidence to weigh more." and change.changed_by.groups.filter(name="administrator").exists()
    # the same settings again: nothing to save, no reason needed, nothing recorded
    same = admin.post("/scoring/settings/", form_data(half_life_days=200, component_interaction=0.5, reason=""), follow=True)
    assert "Nothing to save: these are the settings in force." in same.content.decode()
    assert SettingsChange.objects.count() == 1

    staff = client_as("city_staff")  # the same client, now as city staff
    history = staff.get("/scoring/settings/history/").content.decode()
    assert "Half-life (days): 365 → 200" in history and "Component weight: interaction: 0.75 → 0.5" in history
    assert "Council asked for recent evidence to weigh more." in history
    assert "Component weight: formal" not in history  # only what changed
    overview = staff.get("/").content.decode()
    assert f"last changed on {change.changed_at:%Y-%m-%d}: Council asked for recent evidence to weigh more." in overview


@pytest.mark.django_db
def test_the_api_lists_the_changes_as_the_page_does(client_as):
    from rest_framework.test import APIClient

    admin = client_as("administrator")
    admin.post("/scoring/settings/", form_data(half_life_days=300, reason="Older evidence says little."))
    api = APIClient()
    api.force_login(SettingsChange.objects.get().changed_by)

    (change,) = api.get("/api/scoring/settings/history/").json()["changes"]
    assert change["reason"] == "Older evidence says little." and change["changed"] == [{"setting": "Half-life (days)", "before": "365", "after": "300"}]
    assert change["before"]["half_life_days"] == 365 and change["after"]["half_life_days"] == 300
    assert change["changed_by"] == SettingsChange.objects.get().changed_by.username


@pytest.mark.django_db
def test_before_any_recorded_change_the_history_says_so(client_as):
    page = client_as("city_staff").get("/scoring/settings/history/").content.decode()
    assert "No change recorded: the settings are those the tracker started with." in page


@pytest.mark.django_db
def test_a_weight_outside_0_and_1_is_refused_naming_the_field(client_as):
    response = client_as("administrator").post("/scoring/settings/", form_data(component_formal=1.5))

    assert response.status_code == 400
    assert "less than or equal to 1.0" in response.content.decode()
    assert ScoringSettings.load().scoring_parameters.component_weights["formal"] == 0.6


@pytest.mark.django_db(transaction=True)
def test_save_and_recompute_runs_a_recompute_with_the_new_settings(client_as, lakeside_dir):
    from django.core.management import call_command
    import io

    call_command("import_dataset", str(lakeside_dir / "data"), stdout=io.StringIO())
    client = client_as("administrator")

    client.post("/scoring/settings/", form_data(half_life_days=120, recompute="1"))

    snapshot = ClosenessSnapshot.objects.latest()
    assert snapshot.status == "complete"
    assert snapshot.parameters["half_life_days"] == 120


@pytest.mark.django_db(transaction=True)
def test_save_and_recompute_with_the_task_queue_down_says_the_recompute_waits(client_as, lakeside_dir, task_queue_unreachable):
    """Before, it said "A full recompute has been queued" (after a server error, until session 39)."""
    from scoring.models import OwedRecompute

    page = client_as("administrator").post("/scoring/settings/", form_data(half_life_days=120, recompute="1"), follow=True).content.decode()

    assert "Settings saved. The full recompute could not be queued now, as the background workers&#x27; task queue could not be reached" in page
    assert "has been queued" not in page and "are not in the scores yet" in page  # the banner, too
    assert ScoringSettings.load().scoring_parameters.half_life_days == 120
    assert list(OwedRecompute.objects.values_list("entity_ids", "sent")) == [(None, False)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "board_member", "analyst"])
def test_other_roles_cannot_open_or_change_the_settings(client_as, role):
    client = client_as(role)

    assert client.get("/scoring/settings/").status_code == 403
    assert client.post("/scoring/settings/", form_data(half_life_days=10)).status_code == 403
    assert ScoringSettings.load().scoring_parameters.half_life_days == 365


@pytest.mark.django_db
def test_weights_that_would_break_a_published_property_are_refused_naming_the_setting(client_as):
    response = client_as("administrator").post("/scoring/settings/", form_data(component_formal=0.9, half_life_days=3650))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Not saved: 2 problems to fix" in page
    assert "formal ties alone could make a pair close" in page
    assert "evidence that ended ten years ago could still score" in page
    assert ScoringSettings.load().scoring_parameters.component_weights["formal"] == 0.6
    assert ScoringSettings.load().scoring_parameters.half_life_days == 365


@pytest.mark.django_db
def test_settings_in_force_that_break_a_property_are_named_on_the_page(client_as):
    client = client_as("administrator")
    assert "The settings in force break" not in client.get("/scoring/settings/").content.decode()

    # saved before the guarantees were checked: the page was the only guard, and it was not there
    record = ScoringSettings.load()
    record.parameters = {**record.parameters, "half_life_days": 3650}
    record.save()
    page = client.get("/scoring/settings/").content.decode()

    assert "The settings in force break 1 published property" in page
    assert "<strong>Half-life (days)</strong>: " in page and "evidence that ended ten years ago could still score" in page


@pytest.mark.django_db
def test_the_admin_shows_the_settings_read_only_and_sends_to_their_page(client_as):
    from django.contrib.auth.models import User

    record = ScoringSettings.load()
    client = client_as("administrator")
    User.objects.filter(groups__name="administrator").update(is_staff=True)  # as load_demo's administrator

    page = client.get(f"/admin/scoring/scoringsettings/{record.pk}/change/").content.decode()
    client.post(f"/admin/scoring/scoringsettings/{record.pk}/change/", {"parameters": '{"half_life_days": 0}'})

    assert 'name="parameters"' not in page
    assert 'href="/scoring/settings/"' in page
    assert ScoringSettings.load().scoring_parameters.half_life_days == 365


def preview_asked(admin, callbacks_capture, **overrides):
    """Post the form to preview, run what it queued (the worker's task, eager here) and follow
    the redirect: the settings page showing the preview."""
    with callbacks_capture(execute=True) as queued:
        response = admin.post("/scoring/settings/", form_data(preview="1", **overrides))
    assert response.status_code == 302 and len(queued) == 1
    assert response["Location"].startswith("/scoring/settings/?preview=")
    return admin.get(response["Location"])


@pytest.mark.django_db
def test_a_preview_the_task_queue_cannot_take_says_so(lakeside, client_as, django_capture_on_commit_callbacks, task_queue_unreachable):
    """Before, the page answered a server error, the preview left waiting for a worker forever."""
    page = preview_asked(client_as("administrator"), django_capture_on_commit_callbacks, component_interaction=0.5)

    assert page.status_code == 200 and page.context["preview"].status == "failed"
    assert "The preview failed (not run, as the background workers&#x27; task queue could not be reached)." in page.content.decode()


@pytest.mark.django_db
def test_an_administrator_previews_settings_before_saving_them(lakeside, client_as, django_capture_on_commit_callbacks):
    """Previewing queues the scoring of the evidence with the settings in the form, compares with
    the current scores and saves nothing: the page comes back with the form as typed."""
    from datetime import date

    from scoring.models import PairScore
    from scoring.services import recompute

    recompute(as_of=date(2026, 6, 30))
    admin = client_as("administrator")
    saved_before = ScoringSettings.load().parameters
    close_now = PairScore.objects.filter(score_tenths__gte=80).count()

    # shared meetings counting for less: pairs close through their meetings leave close
    page = preview_asked(admin, django_capture_on_commit_callbacks, component_interaction=0.5)

    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview.status == "complete" and preview.requested_by.groups.filter(name="administrator").exists()
    result = preview.result
    assert preview.as_of == date(2026, 6, 30) and result["before"]["close"] == close_now
    assert result["left_count"] and not result["entered_count"]
    assert result["after"]["close"] == close_now - result["left_count"]
    html = page.content.decode()
    assert "Preview (nothing saved)" in html and 'id="preview-left"' in html and "hx-get" not in html  # finished: no polling
    first = page.context["preview_pairs"]["left"][0]
    assert f'/closeness/{first["a"].external_id}/{first["b"].external_id}/' in html
    assert ScoringSettings.load().parameters == saved_before  # nothing saved
    assert page.context["form"]["component_interaction"].value() == 0.5  # as typed, to save next
    assert page.context["form"]["reason"].value() == "Evidence fades faster in this city's records."  # the reason too
    # ... for whoever asked for that preview: the settings in force, or another preview, start without it
    assert admin.get("/scoring/settings/").context["form"]["reason"].value() == ""
    assert client_as("administrator").get(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"]).context["form"]["reason"].value() == ""
    # the settings in force preview as no change at all: the preview scores as the recompute did
    unchanged = preview_asked(admin, django_capture_on_commit_callbacks).context["preview"].result
    assert unchanged["before"] == unchanged["after"] and not unchanged["entered"] and not unchanged["left"]
    with django_capture_on_commit_callbacks() as queued:
        refused = admin.post("/scoring/settings/", form_data(half_life_days=0, preview="1"))
    assert refused.status_code == 400 and "Preview (nothing saved)" not in refused.content.decode() and not queued


@pytest.mark.django_db
def test_a_preview_before_any_scores_says_there_is_nothing_to_compare(client_as, django_capture_on_commit_callbacks):
    page = preview_asked(client_as("administrator"), django_capture_on_commit_callbacks)

    assert page.status_code == 200 and "No scores yet to compare with" in page.content.decode()
    assert ScoringSettings.load().parameters == ScoringParameters().to_dict()


@pytest.mark.django_db
def test_a_preview_no_worker_takes_says_so_once_overdue_and_the_polling_box_shows_it(lakeside, client_as):
    """Before, the box said it was waiting for a worker for as long as the page stayed open."""
    from datetime import timedelta

    from django.utils import timezone

    from scoring.models import SettingsPreview
    from scoring.services import settings_preview_requested

    admin = client_as("administrator")
    preview = settings_preview_requested(parameters=ScoringParameters(half_life_days=200))
    url = f"/scoring/settings/preview/{preview.pk}/"
    assert "taking longer than it should" not in admin.get(url).content.decode()

    SettingsPreview.objects.filter(pk=preview.pk).update(requested_at=timezone.now() - timedelta(minutes=6))
    polled = admin.get(url, {"shown": "queued"}, headers={"HX-Request": "true"})  # the box, as it asks every 2 s

    assert polled.status_code == 200
    body = polled.content.decode()
    assert "no worker has taken it yet. A preview saves nothing. Tell an administrator" in body
    assert "?shown=queued-overdue" in body  # and then no change, until the worker takes it
    assert admin.get(url, {"shown": "queued-overdue"}, headers={"HX-Request": "true"}).status_code == 204


@pytest.mark.django_db
def test_a_preview_asked_for_while_no_worker_runs_says_so_at_once(lakeside, client_as, monkeypatch):
    """The workers' heartbeat (core.workers) tells that none will take it: before, the box said it
    waited for a worker for five minutes before saying anything."""
    from datetime import timedelta

    from django.utils import timezone

    from config.celery import app
    from core.workers import beat_heartbeat_recorded, heartbeat_recorded
    from scoring.services import settings_preview_requested

    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker
    admin = client_as("administrator")
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=1))
    beat_heartbeat_recorded(now=timezone.now())  # beat sends them work: the workers are stopped, not idle
    preview = settings_preview_requested(parameters=ScoringParameters(half_life_days=200))
    url = f"/scoring/settings/preview/{preview.pk}/"
    body = admin.get(url).content.decode()
    assert "taking longer than it should" not in body and "This will wait" not in body  # a worker took work a minute ago

    last_seen = timezone.now() - timedelta(minutes=6)
    heartbeat_recorded(worker="celery@one", now=last_seen)
    polled = admin.get(url, {"shown": "queued"}, headers={"HX-Request": "true"})

    assert polled.status_code == 200
    assert (f"This will wait: no background worker has taken any work since {timezone.localtime(last_seen):%Y-%m-%d %H:%M}, so none will take it until "
            "one is back or free. A preview saves nothing.") in " ".join(polled.content.decode().split())
    assert "?shown=queued-overdue" in polled.content.decode()


@pytest.mark.django_db
def test_the_preview_box_polls_until_the_worker_has_finished(lakeside, client_as):
    """While the preview waits for a worker, or runs, its box asks again every few seconds; once
    finished, its answer has no polling left."""
    from datetime import date

    from scoring.models import SettingsPreview
    from scoring.services import recompute, settings_preview_requested, settings_preview_run

    recompute(as_of=date(2026, 6, 30))
    admin = client_as("administrator")
    preview = settings_preview_requested(parameters=ScoringParameters(half_life_days=200))
    url = f"/scoring/settings/preview/{preview.pk}/"

    waiting = admin.get(url).content.decode()
    assert "Waiting for a worker" in waiting and f'hx-get="{url}?shown=queued"' in waiting and 'hx-trigger="every 2s"' in waiting
    # htmx asking again while nothing changed: 204, so nothing is swapped or announced again
    asked = admin.get(url, {"shown": "queued"}, headers={"HX-Request": "true"})
    assert asked.status_code == 204 and not asked.content
    SettingsPreview.objects.filter(pk=preview.pk).update(status="running")
    running = admin.get(url, {"shown": "queued"}, headers={"HX-Request": "true"})  # the worker took it: say so
    assert running.status_code == 200 and "a worker is on it" in running.content.decode() and "?shown=running" in running.content.decode()
    assert admin.get(url, {"shown": "running"}, headers={"HX-Request": "true"}).status_code == 204
    settings_preview_run(preview.pk)
    done = admin.get(url, {"shown": "running"}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "hx-get" not in done.content.decode() and "would become close" in done.content.decode()
    assert 'id="preview-body"' in done.content.decode() and 'role="status"' not in done.content.decode()  # the region stays
    # the whole page with the preview shows its settings in the form
    page = admin.get(f"/scoring/settings/?preview={preview.pk}")
    assert page.context["form"]["half_life_days"].value() == 200
    assert admin.get("/scoring/settings/preview/999999/").status_code == 404


@pytest.mark.django_db
def test_a_failed_preview_says_so_and_saves_nothing(lakeside, client_as, monkeypatch):
    from scoring import services

    def broken(parameters):
        raise MemoryError("out of memory")

    monkeypatch.setattr(services, "settings_compared", broken)
    preview = services.settings_preview_requested(parameters=ScoringParameters(half_life_days=200))

    assert services.settings_preview_run(preview.pk).status == "failed"
    page = client_as("administrator").get(f"/scoring/settings/?preview={preview.pk}").content.decode()
    assert "The preview failed (MemoryError: out of memory)" in page and "hx-get" not in page
    assert ScoringSettings.load().scoring_parameters.half_life_days == 365
    assert services.settings_preview_run(999999) is None  # deleted before the worker got to it


@pytest.mark.django_db
@pytest.mark.parametrize("wanted", ["999999", "abc", "-1", "²", "99999999999999999999999", "9" * 5000])
def test_a_preview_no_longer_kept_shows_the_settings_in_force(client_as, wanted):
    page = client_as("administrator").get(f"/scoring/settings/?preview={wanted}")

    assert page.status_code == 200 and "That preview is no longer kept" in page.content.decode()
    assert page.context["form"]["half_life_days"].value() == 365


@pytest.mark.django_db
def test_previews_older_than_a_week_are_deleted_when_another_is_asked_for():
    from datetime import timedelta

    from django.utils import timezone

    from scoring.models import SettingsPreview
    from scoring.services import PREVIEWS_KEPT_DAYS, settings_preview_requested

    old, recent = (settings_preview_requested(parameters=ScoringParameters()) for _ in range(2))
    SettingsPreview.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(days=PREVIEWS_KEPT_DAYS, minutes=1))
    SettingsPreview.objects.filter(pk=recent.pk).update(requested_at=timezone.now() - timedelta(days=PREVIEWS_KEPT_DAYS - 1))

    newest = settings_preview_requested(parameters=ScoringParameters())

    assert set(SettingsPreview.objects.values_list("pk", flat=True)) == {recent.pk, newest.pk}
