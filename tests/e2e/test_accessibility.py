"""Every page passes axe-core's checks (WCAG 2.x A and AA, and its best practices) in Chromium:
labels on every form control, names on every table header, contrast of the band colours, no
ARIA where it is not allowed. Residents answer surveys and read the disclosure register without
an account, and staff with screen readers use the rest."""
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.following import weekly_summary_stop_link
from engagement.models import EngagementSettings, Meeting
from tests.e2e.pages import settled
from tests.factories import FeedbackSurveyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def violations(page) -> list[str]:
    """axe-core's violations on the page as loaded, one line each with the first nodes at fault."""
    settled(page)
    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['html'][:120] for n in v['nodes'][:3]]}" for v in found]


@pytest.mark.parametrize("half", [0, 1])  # in two halves, which the test processes run side by side
def test_every_page_a_signed_in_user_opens_passes_axe(signed_in, live_server, every_page, half):
    page = signed_in("administrator")
    found = {}
    for path in every_page[half::2]:
        page.goto(f"{live_server.url}{path}")
        found[path] = violations(page)

    assert {path: v for path, v in found.items() if v} == {}


def test_the_pages_open_to_anyone_pass_axe(browser, live_server, scored_site):
    survey = FeedbackSurveyFactory(meeting=Meeting.objects.exclude(type="private_meeting").first())
    site = EngagementSettings.load()
    site.disclosure_register_public = True
    site.save()
    page = browser.new_context().new_page()  # no account, no cookies
    found = {}
    stop = urlsplit(weekly_summary_stop_link(scored_site["city_staff"])).path  # a weekly email's stop link
    for path in ("/login/", "/account/password/reset/", f"/feedback/{survey.token}/", "/register/", "/help/", "/help/scoring/",
                 "/help/conflict-rules/", "/help/reference/", stop):
        page.goto(f"{live_server.url}{path}")
        found[path] = violations(page)
    page.context.close()

    assert {path: v for path, v in found.items() if v} == {}


def test_charts_do_not_animate_for_those_who_asked_for_less_motion(signed_in, live_server):
    from scoring.selectors import listed_pairs

    pair = listed_pairs().order_by("-score_tenths").first()
    path = f"/closeness/{pair.entity_a.external_id}/{pair.entity_b.external_id}/"
    still, moving = signed_in("city_staff", reduced_motion="reduce"), signed_in("city_staff")
    for page in (still, moving):
        page.goto(f"{live_server.url}{path}")
        settled(page)

    assert still.evaluate("Chart.defaults.animation") is False
    assert moving.evaluate("Chart.defaults.animation") not in (False, None)


def test_the_pages_of_a_form_not_saved_pass_axe(signed_in, live_server, scored_site, browser):
    from tests.e2e.conftest import fill_in_sign_in
    from tests.e2e.test_journeys import fill_in_private_meeting

    page = signed_in("board_member")
    page.goto(f"{live_server.url}/meetings/new/")
    fill_in_private_meeting(page, "Coffee while signed out", ["x-a2", "x-b2"])
    page.context.clear_cookies(name="sessionid")
    page.click("text=Save meeting")
    page.wait_for_url(f"{live_server.url}/login/?next=/unsaved/")
    found = {"sign-in page saying so": violations(page)}
    fill_in_sign_in(page, scored_site["board_member"].username)
    page.wait_for_url(f"{live_server.url}/unsaved/")
    found["the form kept"] = violations(page)
    page.goto(f"{live_server.url}/meetings/")
    found["a page saying a form is waiting"] = violations(page)
    # a resident's answer from a page out of date: the site's own page says so
    resident = browser.new_context().new_page()
    resident.goto(f"{live_server.url}/feedback/{FeedbackSurveyFactory().token}/")
    resident.context.add_cookies([{"name": "csrftoken", "value": "b" * 32, "url": live_server.url}])
    resident.click("text=Send my answer")
    resident.wait_for_selector("text=Not sent: the page was out of date")
    found["a form refused for its token"] = violations(resident)
    resident.context.close()

    assert {where: v for where, v in found.items() if v} == {}
