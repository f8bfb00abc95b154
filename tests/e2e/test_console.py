"""Every page opens in a browser without an error in its console: no script error, no style or
script the Content-Security-Policy blocks, no resource missing (the browsable API's and the API
docs' inline styles were blocked, and the browsable API asked for a /favicon.ico that is not there,
until session 36)."""
import pytest

from tests.e2e.pages import settled

pytestmark = pytest.mark.django_db(transaction=True)

# pages of the libraries the site serves: the browsable API, the API's docs and the admin
LIBRARY_PAGES = ["/api/", "/api/closeness/?entity=lk-pd", "/api/docs/", "/admin/", "/admin/entities/entity/"]


@pytest.mark.parametrize("half", [0, 1])  # in two halves, which the test processes run side by side
def test_every_page_opens_without_an_error_in_the_browsers_console(signed_in, live_server, every_page, half):
    page = signed_in("administrator")
    errors = []
    page.on("console", lambda message: errors.append((page.url, message.text)) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append((page.url, str(error))))

    for path in (every_page + LIBRARY_PAGES)[half::2]:
        page.goto(f"{live_server.url}{path}")
        settled(page)
        if path in LIBRARY_PAGES:
            page.wait_for_load_state("networkidle")  # the API's docs read the schema once shown

    assert errors == []
