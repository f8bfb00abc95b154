"""The user documentation (docs/*.md) as the app's help pages."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from core.help import HELP_PAGES

TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.django_db
@pytest.mark.parametrize("page", HELP_PAGES, ids=lambda p: p.slug)
def test_each_help_page_is_its_document_open_to_anyone(client, page):
    first_heading = next(line[2:].strip() for line in (Path(settings.BASE_DIR) / "docs" / page.file).read_text().splitlines() if line.startswith("# "))

    response = client.get(f"/help/{page.slug}/")  # no account

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{page.title} ·" in html and re.search(rf"<h1 id=\"[a-z0-9-]+\">{re.escape(first_heading)}</h1>", html)
    # tables align by attribute: the Content-Security-Policy refuses inline styles
    assert " style=" not in html.split("<article", 1)[1]
    # links between documents lead to help pages, never to a .md file the app does not serve
    assert not re.search(r'href="[^"]*\.md(#[^"]*)?"', html)


@pytest.mark.django_db
def test_the_help_index_lists_every_page_and_an_unknown_one_is_404(client):
    index = client.get("/help/").content.decode()

    assert all(f'href="/help/{page.slug}/"' in index for page in HELP_PAGES)
    assert client.get("/help/benchmarks/").status_code == 404


@pytest.mark.django_db
def test_a_link_to_a_document_without_a_help_page_is_kept_as_its_text(client):
    html = client.get("/help/scoring/").content.decode()

    assert "storage.md" in html  # scoring.md's [storage.md](storage.md), for developers
    assert 'href="storage.md"' not in html
    reference = client.get("/help/reference/").content.decode()
    assert "CHANGELOG.md" in reference and 'href="../CHANGELOG.md"' not in reference  # outside docs/


@pytest.mark.django_db
def test_every_link_from_a_page_into_the_help_reaches_a_heading_there(client):
    """The pages that once said "see docs/scoring.md" link to the help instead; each anchor they
    name is a heading of that document (a renamed heading would leave the link at the top)."""
    links = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<code>docs/[a-z-]+\.md", text), template  # a file path the reader cannot open
        links |= set(re.findall(r"\{% url 'help_page' '([a-z-]+)' %\}(#[a-z0-9-]+)?", text))
    assert {slug for slug, _ in links} >= {"scoring", "conflict-rules", "data-format"}
    for slug, anchor in links:
        html = client.get(f"/help/{slug}/").content.decode()
        assert not anchor or f'id="{anchor[1:]}"' in html, (slug, anchor)


@pytest.mark.django_db
def test_the_menu_offers_help_signed_in_or_not(client, client_as):
    link = '<a class="nav-link" href="/help/">Help</a>'
    assert link in client.get("/login/").content.decode()  # a resident on a public page
    assert link in client_as("city_staff").get("/").content.decode()


@pytest.mark.parametrize("prefix", ["/api/entities/", "/api/relationships/", "/api/disclosures/", "/api/meetings/", "/api/flags/"])
def test_the_reference_names_every_filter_the_apis_lists_take(prefix):
    """The reference once documented the pages' filters for the API's (`?q=`, `band`, `reviewing`),
    which the API passed over in silence: every filter a list takes is named in its row."""
    from django.urls import resolve

    view = resolve(prefix).func
    filterset = getattr(view.cls, "filterset_class", None)
    taken = set(filterset.base_filters) if filterset else {
        f"{name}__{lookup}" for name, lookups in view.cls.filterset_fields.items() for lookup in lookups
    }
    reference = (Path(settings.BASE_DIR) / "docs" / "reference.md").read_text()
    row = next(line for line in reference.splitlines() if line.startswith(f"| `{prefix}`"))
    named = set(re.findall(r"`\??([a-z_]+)(?:=[^`]*)?`", row))

    assert len(taken) >= 2 and taken - named == set()
