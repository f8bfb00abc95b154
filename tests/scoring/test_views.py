"""The scoring settings page: administrators only, validated, can queue a recompute."""
import pytest

from scoring.models import ClosenessSnapshot, ScoringSettings
from scoring.forms import ScoringSettingsForm
from scoring.engine import ScoringParameters


def form_data(**overrides):
    form = ScoringSettingsForm.from_parameters(ScoringParameters())
    data = {name: form.initial[name] for name in form.fields}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_administrator_changes_the_half_life(client_as):
    client = client_as("administrator")

    response = client.post("/scoring/settings/", form_data(half_life_days=200), follow=True)

    assert response.status_code == 200
    assert "Settings saved" in response.content.decode()
    assert ScoringSettings.load().scoring_parameters.half_life_days == 200


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


@pytest.mark.django_db
def test_an_administrator_previews_settings_before_saving_them(lakeside, client_as):
    """Previewing scores the evidence with the settings in the form, compares with the current
    scores and saves nothing: the form comes back as typed."""
    from datetime import date

    from scoring.models import PairScore
    from scoring.services import recompute

    recompute(as_of=date(2026, 6, 30))
    admin = client_as("administrator")
    saved_before = ScoringSettings.load().parameters
    close_now = PairScore.objects.filter(score_tenths__gte=80).count()

    # shared meetings counting for less: pairs close through their meetings leave close
    page = admin.post("/scoring/settings/", form_data(component_interaction=0.5, preview="1"))

    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview.as_of == date(2026, 6, 30) and preview.shift.before["close"] == close_now
    assert preview.shift.left and not preview.shift.entered
    assert preview.shift.after["close"] == close_now - len(preview.shift.left)
    html = page.content.decode()
    assert "Preview (nothing saved)" in html and 'id="preview-left"' in html
    first = page.context["preview_pairs"]["left"][0]
    assert f'/closeness/{first["a"].external_id}/{first["b"].external_id}/' in html
    assert ScoringSettings.load().parameters == saved_before  # nothing saved
    assert page.context["form"]["component_interaction"].value() == "0.5"
    # the settings in force preview as no change at all: the preview scores as the recompute did
    unchanged = admin.post("/scoring/settings/", form_data(preview="1")).context["preview"].shift
    assert unchanged.before == unchanged.after and not unchanged.entered and not unchanged.left
    refused = admin.post("/scoring/settings/", form_data(half_life_days=0, preview="1"))
    assert refused.status_code == 400 and "Preview (nothing saved)" not in refused.content.decode()


@pytest.mark.django_db
def test_a_preview_before_any_scores_says_there_is_nothing_to_compare(client_as):
    page = client_as("administrator").post("/scoring/settings/", form_data(preview="1"))

    assert page.status_code == 200 and "No scores yet to compare with" in page.content.decode()
    assert ScoringSettings.load().parameters == ScoringParameters().to_dict()
