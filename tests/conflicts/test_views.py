"""The review queue and flag pages, including status changes from the page."""
import pytest

from conflicts.models import Flag
from tests.dashboard_helpers import scored_lakeside


@pytest.fixture
def scored(db, lakeside_dir):
    scored_lakeside(lakeside_dir)


def funding_flag():
    return Flag.objects.get(rule="FUNDING_DEPENDENCE", subject__external_id="lk-ob")


@pytest.mark.django_db
def test_queue_filters_by_rule_and_severity(scored, client_as):
    page = client_as("city_staff").get("/flags/", {"rule": "PERSONAL_TIE"}).content.decode()

    assert page.count("PERSONAL_TIE") >= 2
    assert "FUNDING_DEPENDENCE</a>" not in page


@pytest.mark.django_db
def test_flag_page_shows_explanation_evidence_persons_and_history(scored, client_as):
    flag = Flag.objects.get(rule="PERSONAL_TIE", subject__external_id="lk-ob")

    page = client_as("city_staff").get(f"/flags/{flag.pk}/").content.decode()

    assert "has a family tie with Officer Casey Dunn" in page
    assert "t-01" in page and "Board Chair Ellis Ward" in page
    assert "Raised by the recompute as of 2026-06-30" in page
    assert "Change status" not in page  # city staff cannot review


@pytest.mark.django_db
def test_an_analyst_moves_a_flag_with_a_reason(scored, client_as):
    client = client_as("analyst")
    flag = funding_flag()

    response = client.post(f"/flags/{flag.pk}/status/", {"to_status": "under_review", "reason": "Asking the board."}, follow=True)

    assert response.status_code == 200
    assert funding_flag().status == "under_review"
    assert "Asking the board." in response.content.decode()


@pytest.mark.django_db
def test_a_refused_transition_says_why(scored, client_as):
    flag = funding_flag()

    response = client_as("analyst").post(f"/flags/{flag.pk}/status/", {"to_status": "resolved", "reason": "Done."}, follow=True)

    assert "cannot become resolved" in response.content.decode()
    assert funding_flag().status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "posted,field_error",
    [
        ({"to_status": "under_review", "reason": ""}, ("reason", "This field is required.")),
        ({"to_status": "", "reason": "Asking the board."}, ("to_status", "This field is required.")),
        ({"to_status": "closed_forever", "reason": "Asking the board."}, ("to_status", "Select a valid choice.")),
    ],
    ids=["no reason", "no status", "unknown status"],
)
def test_an_incomplete_status_change_shows_the_field_at_fault_and_keeps_the_text(scored, client_as, posted, field_error):
    flag = funding_flag()

    response = client_as("analyst").post(f"/flags/{flag.pk}/status/", posted)

    assert response.status_code == 400
    field, message = field_error
    assert message in response.context["form"].errors[field][0]
    if posted["reason"]:
        assert posted["reason"] in response.content.decode()  # what the reviewer wrote is not lost
    assert funding_flag().status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "board_member"])
def test_other_roles_get_403_on_status_changes(scored, client_as, role):
    flag = funding_flag()

    response = client_as(role).post(f"/flags/{flag.pk}/status/", {"to_status": "under_review", "reason": "Mine."})

    assert response.status_code == 403
    assert funding_flag().status == "open"
