"""Pages are readable on a phone: nothing widens the page past the screen (wide tables scroll in
their own box, long rule names in headings wrap), so nobody has to pan sideways to read a flag."""
import pytest

from tests.e2e.pages import settled

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("half", [0, 1])  # in two halves, which the test processes run side by side
def test_every_page_fits_a_phone_screen(browser, live_server, scored_site, every_page, half):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", scored_site["administrator"].username)
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    widths = {}
    for path in every_page[half::2]:
        page.goto(f"{live_server.url}{path}")
        settled(page)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert {path: width for path, width in widths.items() if width > PHONE["width"]} == {}


@pytest.mark.parametrize("width", [1200, 1280, 1440])
def test_an_administrators_menu_fits_a_desktop_screen(browser, live_server, scored_site, width):
    """The administrator's menu is the longest; signed in with a long user name, every item of it
    stays on the screen (the sign-out button once ran off a 1280-pixel one)."""
    administrator = scored_site["administrator"]
    administrator.username = "a-rather-long-administrator-name"
    administrator.save()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", administrator.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    right_edges = page.eval_on_selector_all("nav .nav-link", "links => links.map(l => l.getBoundingClientRect().right)")
    context.close()

    assert len(right_edges) >= 10 and max(right_edges) <= width


@pytest.mark.parametrize("width", [768, 1280])
def test_a_help_pages_narrow_column_keeps_its_words_whole_on_a_wider_screen(browser, live_server, width):
    """The reference's "who" column beside its long "what" one was squeezed to a letter or two a
    line ("ev/ery/on/e") while words might break anywhere; on a phone they still may, to fit."""
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(f"{live_server.url}/help/reference/")
    lines_per_cell = page.eval_on_selector_all(
        ".help-document td",
        """cells => cells.filter(c => c.textContent.trim() === "everyone").map(c => {
               const range = document.createRange();
               range.selectNodeContents(c);
               return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
           })""",
    )
    page.context.close()

    assert len(lines_per_cell) > 5 and set(lines_per_cell) == {1}


def test_without_javascript_every_page_of_the_menu_and_signing_out_are_reached(signed_in, live_server):
    """Bootstrap's dropdowns and toggler need JavaScript: without it (a browser set to run none,
    as a careful reader's may be) each dropdown opens while its toggle has the focus, and on a
    narrow screen the menu is shown whole, where the pages under a dropdown could not be reached."""
    page = signed_in("analyst", java_script_enabled=False)
    page.goto(f"{live_server.url}/flags/")
    assert "no-js" in page.evaluate("document.documentElement.className")
    toggles = page.locator(".site-header .dropdown-toggle")
    reached = {}
    for n in range(toggles.count()):
        items = page.locator(".site-header .dropdown").nth(n).locator(".dropdown-item")
        assert not items.first.is_visible()
        toggles.nth(n).focus()
        reached[toggles.nth(n).inner_text().strip()] = [items.nth(i).inner_text() for i in range(items.count()) if items.nth(i).is_visible()]
        assert len(reached[toggles.nth(n).inner_text().strip()]) == items.count() > 0
    assert "What changed" in reached["Closeness"] and "Sign out" in reached[page.locator(".site-header .account").inner_text()]
    toggles.filter(has_text="Closeness").focus()
    page.click(".site-header >> text=What changed")
    page.wait_for_url(f"{live_server.url}/closeness/changes/")
    # a narrow screen: no toggler that cannot open, the menu listed whole
    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.is_visible(".navbar-toggler") and page.is_visible(".site-header >> text=Meetings")
    toggles.filter(has=page.locator(".account")).focus()
    page.click("text=Sign out")
    page.wait_for_url(f"{live_server.url}/login/**")


def test_with_javascript_the_menu_is_bootstraps_own(signed_in, live_server):
    page = signed_in("city_staff", viewport={"width": 390, "height": 844})
    assert "no-js" not in page.evaluate("document.documentElement.className")
    assert page.is_visible(".navbar-toggler") and not page.is_visible(".site-header >> text=Meetings")
    page.click(".navbar-toggler")
    page.click(".site-header >> text=Closeness")
    page.click(".site-header >> text=What changed")
    page.wait_for_url(f"{live_server.url}/closeness/changes/")
