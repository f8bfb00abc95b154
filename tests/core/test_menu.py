"""The menu says where the reader is: the page shown is marked in it, and so is the menu holding it."""
import re

import pytest

MARKED = re.compile(r'<a class="([^"]*) active" href="([^"]+)" aria-current="page">')


def menu(page: str) -> str:
    return page.split('<nav class="navbar', 1)[1].split("</nav>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "link_class"), [
    ("/", "nav-link"), ("/flags/", "nav-link"), ("/entities/", "dropdown-item"), ("/closeness/", "dropdown-item"),
    ("/sources/", "dropdown-item"), ("/scoring/settings/", "dropdown-item"), ("/help/", "nav-link"), ("/following/", "dropdown-item"),
])
def test_the_page_shown_is_the_one_link_marked_in_the_menu(client_as, path, link_class):
    shown = menu(client_as("administrator").get(path).content.decode())

    assert MARKED.findall(shown) == [(link_class, path)]
    assert shown.count('aria-current="page"') == 1


@pytest.mark.django_db
def test_the_menu_holding_the_page_shown_is_marked_and_no_other(client_as):
    shown = menu(client_as("city_staff").get("/closeness/changes/").content.decode())

    assert re.findall(r'class="nav-link dropdown-toggle([^"]*)"[^>]*>([^<]+)<', shown) == [
        ("", "Entities"), (" active", "Closeness"), ("", "Engagement")]


@pytest.mark.django_db
def test_a_page_not_in_the_menu_marks_nothing(client_as):
    from tests.factories import EntityFactory

    page = client_as("city_staff").get(f"/entities/{EntityFactory().external_id}/")
    shown = menu(page.content.decode())

    assert page.status_code == 200 and "Entities</a>" in shown
    assert "aria-current" not in shown and " active" not in shown
