"""Pages are readable on a phone: nothing widens the page past the screen (wide tables scroll in
their own box, long rule names in headings wrap), so nobody has to pan sideways to read a flag."""
import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_every_page_fits_a_phone_screen(browser, live_server, scored_site, every_page):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", scored_site["administrator"].username)
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    widths = {}
    for path in every_page:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert {path: width for path, width in widths.items() if width > PHONE["width"]} == {}
