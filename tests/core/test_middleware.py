"""Middleware not covered elsewhere: a part of a page asked for by htmx once the session has ended
goes to the sign-in page as a whole page (the security headers, the NUL refusal, the health
check and a form kept after its session ended have their own files)."""
import pytest

from tests.core.test_unsaved import kept

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/sources/?sort=type"}


@pytest.mark.django_db
def test_a_part_asked_for_without_a_session_sends_the_page_to_sign_in_and_back(client):
    part = client.get("/sources/", {"checks": "ties"}, headers=HTMX)
    save = client.post("/relationships/r-1/source/", {"source_url": "https://x.example"}, headers=HTMX)
    no_page_said = client.get("/sources/", {"checks": "ties"}, headers={"HX-Request": "true"})

    for answer in (part, save):
        assert answer.status_code == 200 and answer.content == b""
    assert part["HX-Redirect"] == "/login/?next=%2Fsources%2F%3Fsort%3Dtype"  # the page, not the part
    # a source saved is kept (core/unsaved.py), shown after signing in
    assert save["HX-Redirect"] == "/login/?next=%2Funsaved%2F"
    assert kept(client).fields == [("source_url", "https://x.example")]
    assert no_page_said["HX-Redirect"] == "/login/?next=%2F"


@pytest.mark.django_db
def test_a_page_without_a_session_and_any_other_redirect_are_as_they_were(client_as, client):
    from tests.factories import MeetingFactory

    meeting = MeetingFactory()
    page = client.get("/sources/", {"checks": "ties"})
    # a signed-in request redirected elsewhere (not confirmed: back to the meeting's form)
    elsewhere = client_as("analyst").post(f"/meetings/{meeting.pk}/delete/", {}, headers=HTMX)

    assert page.status_code == 302 and page["Location"] == "/login/?next=/sources/%3Fchecks%3Dties"
    assert elsewhere.status_code == 302 and elsewhere["Location"] == f"/meetings/{meeting.pk}/edit/" and "HX-Redirect" not in elsewhere
