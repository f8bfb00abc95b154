"""A form sent after its session ended is kept, shown once its sender signs in again, and saved by
sending it again (core/unsaved.py, core.middleware.LoginRequiredKeepingFormsMiddleware)."""
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import unsaved
from core.models import KeptForm
from engagement.models import Meeting
from tests.engagement.test_views import meeting_post
from tests.examples import examples
from tests.form_helpers import FormsOnPage
from tests.factories import EntityFactory

PASSWORD = "a-long-test-password"
NOTES = "Met at the station.\r\nAsked about the budget & the <review> board."


def signed_in(client: Client, username: str, then: str):
    """Sign in through the sign-in page, as a person does (the session's data is kept across it)."""
    page = client.get(f"/login/?next={then}")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    return client.post("/login/", {"username": username, "password": PASSWORD, "next": then, "csrfmiddlewaretoken": token})


@pytest.fixture
def board_member(user_with_role):
    return user_with_role("board_member")


@pytest.fixture
def browser():
    """A client that checks CSRF tokens, as a browser meets them, holding a token from an earlier page."""
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    return client


def kept(browser: Client) -> unsaved.UnsavedForm | None:
    """The form kept for `browser`, as the site reads it (the browser's cookie names it)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES = {name: morsel.value for name, morsel in browser.cookies.items()}
    return unsaved.kept_for(request)


def sent_after_the_session_ended(browser: Client, path: str, data: dict, **extra):
    return browser.post(path, {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}, **extra)


@pytest.mark.django_db
def test_a_meeting_logged_after_the_session_ended_is_kept_shown_after_signing_in_and_saved_when_sent_again(browser, board_member):
    EntityFactory(external_id="x-a1", name="Officer A"), EntityFactory(external_id="x-b1", name="Advocate B")
    data = meeting_post(["x-a1", "x-b1"], title="Coffee at the station", summary=NOTES)

    sent = sent_after_the_session_ended(browser, "/meetings/new/", data)
    assert sent.status_code == 302 and sent["Location"] == "/login/?next=/unsaved/"
    assert not Meeting.objects.exists()
    sign_in_page = browser.get(sent["Location"]).content.decode()
    # a warning, in a warning's colour (every message but an error was shown as a success)
    assert re.search(r'class="alert alert-warning" role="status">Your session had ended, so what you sent was not saved yet', sign_in_page)

    landed = signed_in(browser, board_member.username, "/unsaved/")
    assert landed["Location"] == "/unsaved/"
    page = browser.get("/unsaved/").content.decode()
    assert "Coffee at the station" in page and "Asked about the budget &amp; the &lt;review&gt; board." in page
    assert "attendance 1: entity" in page and "TOTAL_FORMS" not in page.split("unsaved-fields")[1].split("</table>")[0]
    action, fields = FormsOnPage(page).forms[-2]  # the page's find box, "Save it now", "Discard it"
    assert action == "/meetings/new/"

    saved = browser.post(action, dict(fields))
    assert saved.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.title, meeting.summary) == ("Coffee at the station", NOTES)
    assert sorted(meeting.attendance.values_list("entity__external_id", flat=True)) == ["x-a1", "x-b1"]
    assert kept(browser) is None
    assert "Nothing is waiting to be saved" in browser.get("/unsaved/").content.decode()


@pytest.mark.django_db
def test_a_form_kept_is_waiting_on_every_page_until_discarded(browser, board_member):
    sent_after_the_session_ended(browser, "/meetings/new/", meeting_post([], title="Forum"))
    signed_in(browser, board_member.username, "/")

    overview = browser.get("/").content.decode()
    assert "A form you sent was not saved yet" in overview and 'href="/unsaved/"' in overview
    discarded = browser.post("/unsaved/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}, follow=True)

    assert "Discarded what you had sent." in discarded.content.decode()
    assert "A form you sent was not saved" not in browser.get("/").content.decode()
    assert not Meeting.objects.exists()
    # its cookie went with it: no page looks for it again
    assert browser.cookies[unsaved.KEPT_FORM_COOKIE].value == "" and not KeptForm.objects.exists()


@pytest.mark.django_db
def test_signing_out_forgets_a_form_kept(browser, board_member):
    sent_after_the_session_ended(browser, "/meetings/new/", meeting_post([], title="Forum"))
    signed_in(browser, board_member.username, "/")
    browser.post("/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    signed_in(browser, board_member.username, "/")

    assert "A form you sent was not saved" not in browser.get("/").content.decode()


def sent_after_signing_out_in_another_tab(browser: Client, account) -> None:
    signed_in(browser, account.username, "/")
    browser.post("/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    sent_after_the_session_ended(browser, "/meetings/new/", meeting_post([], title="Budget talk"))


@pytest.mark.django_db
def test_a_form_kept_is_shown_to_the_account_that_sent_it_and_discarded_unseen_when_another_signs_in(board_member, user_with_role):
    """A shared computer: whoever signs in next in that browser must not see, nor send, another's form."""
    someone_else = user_with_role("board_member")
    for who_signs_in, shown in ((board_member, True), (someone_else, False)):
        browser = Client(enforce_csrf_checks=True)
        browser.get("/login/")
        sent_after_signing_out_in_another_tab(browser, board_member)
        assert kept(browser).typed_by == unsaved.account_key(board_member.pk)

        landed = browser.get(signed_in(browser, who_signs_in.username, "/unsaved/")["Location"]).content.decode()

        assert ("Budget talk" in landed) is shown
        assert ("Nothing is waiting to be saved" in landed) is not shown
        assert ("by another account, not saved, was discarded" in landed) is not shown
        assert (kept(browser) is not None) is shown


@pytest.mark.django_db
def test_the_account_a_form_belongs_to_is_read_only_from_a_cookie_this_site_signed(browser, board_member):
    browser.force_login(board_member)
    browser.get("/")  # a page seen signed in leaves the cookie
    assert unsaved.SIGNED_IN_COOKIE in browser.cookies
    browser.post("/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    browser.cookies[unsaved.SIGNED_IN_COOKIE] = f"{board_member.pk + 1}:forged"

    sent_after_the_session_ended(browser, "/meetings/new/", meeting_post([], title="Budget talk"))

    # not known to be anyone's: shown to whoever signs in, as before there was a cookie
    assert kept(browser).typed_by is None


@pytest.mark.django_db
def test_the_cookie_naming_the_account_does_not_give_its_id_away_and_one_of_before_still_names_it(browser, board_member):
    from django.http import HttpRequest, HttpResponse

    def cookie_says(value: str) -> str:  # as the site reads it
        request = HttpRequest()
        request.COOKIES[unsaved.SIGNED_IN_COOKIE] = value
        return request.get_signed_cookie(unsaved.SIGNED_IN_COOKIE, salt=unsaved.SIGNED_IN_SALT)

    browser.force_login(board_member)
    browser.get("/")
    named = cookie_says(browser.cookies[unsaved.SIGNED_IN_COOKIE].value)
    assert named == unsaved.account_key(board_member.pk) and named != str(board_member.pk)

    # a cookie left before session 39 held the id itself, signed: it still names the account
    browser.post("/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    old = HttpResponse()
    old.set_signed_cookie(unsaved.SIGNED_IN_COOKIE, str(board_member.pk), salt=unsaved.SIGNED_IN_SALT)
    browser.cookies[unsaved.SIGNED_IN_COOKIE] = old.cookies[unsaved.SIGNED_IN_COOKIE].value
    sent_after_the_session_ended(browser, "/meetings/new/", meeting_post([], title="Budget talk"))
    assert kept(browser).typed_by == unsaved.account_key(board_member.pk)
    browser.force_login(board_member)
    browser.get("/")  # and the next page seen signed in writes it again, with the key
    assert cookie_says(browser.cookies[unsaved.SIGNED_IN_COOKIE].value) == unsaved.account_key(board_member.pk)


@pytest.mark.django_db
def test_a_form_with_a_password_or_too_large_is_not_kept_and_the_sign_in_page_says_why(browser):
    too_large = {"summary": "x" * unsaved.MOST_CHARACTERS_KEPT}
    for path, data, why in (("/account/password/", {"old_password": "secret", "new_password1": "n", "new_password2": "n"},
                             "a form with a password in it is not kept"),
                            ("/meetings/new/", too_large, "it was too large to keep, over 100,000 characters")):
        sent = sent_after_the_session_ended(browser, path, data)

        assert sent.status_code == 302 and sent["Location"] == f"/login/?next={path}"
        assert kept(browser) is None
        assert f"what you sent was not saved ({why})" in browser.get(sent["Location"]).content.decode()


@pytest.mark.django_db
def test_a_button_alone_has_nothing_to_keep(browser, board_member):
    entity = EntityFactory()
    follow = sent_after_the_session_ended(browser, f"/entities/{entity.external_id}/follow/", {})
    # "Discard it" pressed after the session ended
    discard = sent_after_the_session_ended(browser, "/unsaved/", {})
    signed_in(browser, board_member.username, "/")
    stale = with_the_token_out_of_date(browser)
    sign_out = browser.post("/logout/", {"csrfmiddlewaretoken": stale}, headers={"Origin": "http://testserver"})

    assert follow["Location"] == f"/login/?next=/entities/{entity.external_id}/follow/"
    assert discard["Location"] == "/login/?next=/unsaved/"
    assert sign_out.status_code == 403 and "Not sent: the page was out of date" in sign_out.content.decode()
    assert kept(browser) is None
    assert "not saved" not in browser.get("/").content.decode()


@pytest.mark.django_db
def test_a_chosen_file_is_not_kept_and_the_page_says_to_choose_it_again(browser, user_with_role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("lakeside.zip", b"PK")
    sent_after_the_session_ended(browser, "/data/", {"dry_run": "on", "files": upload})
    signed_in(browser, user_with_role("analyst").username, "/unsaved/")
    page = browser.get("/unsaved/").content.decode()

    assert kept(browser).files == ["files"]
    assert "The file you chose (files)\ncould not be kept" in page
    assert dict(FormsOnPage(page).forms[-2][1])["dry_run"] == "on"


def test_what_a_kept_form_shows_is_what_was_typed_named_in_words():
    blank_rows = [(f"attendance-{i}-{field}", value) for i in range(2, 6) for field, value in (("entity", ""), ("role", "attendee"))]
    form = unsaved.UnsavedForm(path="/meetings/new/", files=[], sent_at="2026-12-04T10:00:00+00:00", fields=[
        ("type", "private_meeting"), ("source_url", ""), ("attendance-TOTAL_FORMS", "6"),
        ("attendance-0-entity", "x-a1"), ("attendance-0-role", "attendee"),
        ("attendance-1-entity", ""), ("attendance-1-role", "presenter"), *blank_rows])
    one_row = unsaved.UnsavedForm(path="/x/", files=[], sent_at="2026-12-04T10:00:00+00:00", fields=[("unit-0-role", "attendee")])

    assert form.shown_fields == [("type", "private_meeting"), ("attendance 1: entity", "x-a1"), ("attendance 1: role", "attendee"),
                                 ("attendance 2: role", "presenter")]
    assert one_row.shown_fields == [("unit 1: role", "attendee")]  # a list of one row: nothing to tell it from


def kept_from_its_page(browser: Client, account, page: str, action: str, typed: dict) -> list[tuple[str, str]]:
    """What the kept form's page lists, of a form of `page` sent with `typed` once its session ended."""
    signed_in(browser, account.username, page)
    form = dict(next(fields for form_action, fields in FormsOnPage(browser.get(page).content.decode()).forms
                     if form_action == action))
    browser.post("/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    sent_after_the_session_ended(browser, action, {**form, **typed})
    signed_in(browser, account.username, "/unsaved/")
    table = browser.get("/unsaved/").content.decode().split("unsaved-fields")[1].split("</table>")[0]
    return re.findall(r"<tr><td>([^<]*)</td><td class=\"unsaved-value\">([^<]*)</td></tr>", table)


@pytest.mark.django_db
def test_a_kept_form_lists_what_was_typed_not_what_its_page_said_it_showed(browser, user_with_role):
    """The record as shown (a correction's check of a change saved since) and the list a Sources row
    is in are the page's, not typed: they are sent again, not listed as what the form held."""
    from tests.factories import FlagFactory, RelationshipFactory

    relationship = RelationshipFactory(external_id="r-1", source_url="")
    FlagFactory().evidence.add(relationship)  # an open flag's evidence: listed on the Sources page
    analyst = user_with_role("analyst")

    listed = kept_from_its_page(browser, analyst, "/sources/", f"/relationships/{relationship.external_id}/source/",
                                {"source_url": "https://example.org/contract"})

    assert listed == [("source url", "https://example.org/contract")]
    assert {"list", "shown_as"} <= {name for name, _ in kept(browser).fields}  # sent again

    correction = Client(enforce_csrf_checks=True)
    correction.get("/login/")
    entity = EntityFactory(external_id="x-a1", name="Officer A", description="")
    listed = kept_from_its_page(correction, user_with_role("administrator"), f"/entities/{entity.external_id}/edit/",
                                "", {"description": "Sits on the review board"})

    assert ("description", "Sits on the review board") in listed and ("name", "Officer A") in listed
    assert not [name for name, _ in listed if "shown" in name]


def with_the_token_out_of_date(browser: Client) -> str:
    """The token a page shown before holds, once the browser's token changed (signing in again in
    another tab changes it)."""
    shown_before = browser.cookies["csrftoken"].value
    browser.cookies["csrftoken"] = "b" * 32
    return shown_before


@pytest.mark.django_db
def test_a_form_sent_from_an_out_of_date_page_of_this_site_is_kept_to_save(browser, board_member):
    EntityFactory(external_id="x-a1"), EntityFactory(external_id="x-b1")
    signed_in(browser, board_member.username, "/")
    data = {**meeting_post(["x-a1", "x-b1"], title="Coffee"), "csrfmiddlewaretoken": with_the_token_out_of_date(browser)}

    sent = browser.post("/meetings/new/", data, headers={"Origin": "http://testserver"})
    page = browser.get(sent["Location"]).content.decode()

    assert sent.status_code == 302 and sent["Location"] == "/unsaved/"
    assert "The page you sent was out of date" in page and "Coffee" in page
    action, fields = FormsOnPage(page).forms[-2]
    assert browser.post(action, dict(fields)).status_code == 302
    assert Meeting.objects.get().title == "Coffee"


@pytest.mark.django_db
def test_a_form_kept_survives_a_request_of_the_same_browser_writing_its_session_back_after(browser, board_member):
    """Each request writes the whole session back (its 8 hours start again): an entity search sent
    as the form was typed, answered after the form was kept, wrote the session as it had read it,
    without the form (an e2e run lost it so)."""
    from importlib import import_module

    from django.conf import settings

    signed_in(browser, board_member.username, "/")
    read_before = import_module(settings.SESSION_ENGINE).SessionStore(browser.cookies[settings.SESSION_COOKIE_NAME].value)
    assert "_auth_user_id" in read_before  # read now, as the search read it
    data = {**meeting_post([], title="Coffee"), "csrfmiddlewaretoken": with_the_token_out_of_date(browser)}
    browser.post("/meetings/new/", data, headers={"Origin": "http://testserver"})

    read_before.save()  # the search's answer, after the form was kept

    assert "Coffee" in browser.get("/unsaved/").content.decode()


@pytest.mark.django_db
def test_a_form_refused_for_its_token_from_elsewhere_is_not_kept_and_the_page_says_why(browser, board_member):
    signed_in(browser, board_member.username, "/")
    stale = with_the_token_out_of_date(browser)

    for origin in ({}, {"Origin": "https://elsewhere.example"}):  # no Origin: not known to be this site's page
        refused = browser.post("/meetings/new/", {**meeting_post([], title="Coffee"), "csrfmiddlewaretoken": stale}, headers=origin)

        assert refused.status_code == 403
        assert "Not sent: the page was out of date" in refused.content.decode()
        assert kept(browser) is None


@pytest.mark.django_db
def test_a_form_from_an_out_of_date_page_signed_out_goes_to_sign_in_first_and_a_public_form_is_not_kept(browser):
    from tests.factories import FeedbackSurveyFactory

    survey = FeedbackSurveyFactory()
    stale = with_the_token_out_of_date(browser)
    this_site = {"Origin": "http://testserver"}

    meeting = browser.post("/meetings/new/", {**meeting_post([], title="Coffee"), "csrfmiddlewaretoken": stale}, headers=this_site)
    kept_form = kept(browser)
    KeptForm.objects.all().delete()
    answer = browser.post(f"/feedback/{survey.token}/", {"trust": "4", "csrfmiddlewaretoken": stale}, headers=this_site)
    htmx = browser.post("/meetings/new/", {"title": "Coffee", "csrfmiddlewaretoken": stale}, headers={**this_site, "HX-Request": "true"})

    assert meeting.status_code == 302 and meeting["Location"] == "/login/?next=/unsaved/" and kept_form.path == "/meetings/new/"
    # a resident's answer: no account to keep it for, nor to sign in to
    assert answer.status_code == 403 and "out of date" in answer.content.decode() and "sign in" not in answer.content.decode()
    assert htmx.status_code == 200 and htmx["HX-Redirect"] == "/login/?next=/unsaved/"


field_names = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True).filter(
    lambda name: "password" not in name and name not in (unsaved.CSRF_FIELD, unsaved.RESENT_FIELD))
# any text a field can hold: quotes, angle brackets, ampersands, line breaks, any script (not NUL:
# refused before any view)
field_values = st.lists(st.one_of(
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20),
    st.sampled_from(["<b>bold</b>", '"quoted"', "'", "a & b", "&amp;", "&lt;", "\r\n", "\n", "  ", "{{ x }}", "{% if %}", "=1+1"]),
), max_size=4).map("".join)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sent=st.dictionaries(field_names, st.lists(field_values, min_size=1, max_size=3), min_size=1, max_size=8))
def test_any_form_kept_is_sent_again_exactly_as_it_was_sent(board_member, sent):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    sent_after_the_session_ended(browser, "/meetings/new/", sent)
    browser.force_login(board_member)  # keeps the session's data, as signing in does
    page = browser.get("/unsaved/").content.decode()

    typed = unsaved.UnsavedForm(path="/meetings/new/", files=[], sent_at="2026-12-04T10:00:00+00:00",
                                fields=[(name, value) for name, values in sent.items() for value in values]).shown_fields
    if not typed:  # nothing typed: nothing to keep
        assert "Nothing is waiting to be saved" in page
        return
    action, fields = FormsOnPage(page).forms[-2]
    again: dict[str, list[str]] = {}
    for name, value in fields:
        again.setdefault(name, []).append(value)
    assert action == "/meetings/new/"
    assert again.pop(unsaved.RESENT_FIELD) == ["1"] and len(again.pop(unsaved.CSRF_FIELD)) == 1
    assert again == sent


@pytest.mark.django_db
def test_an_admin_form_sent_after_the_session_ended_is_kept_too(browser, user_with_role):
    from django.contrib.auth.models import User

    from entities.models import Entity

    administrator = user_with_role("administrator")
    User.objects.filter(pk=administrator.pk).update(is_staff=True, is_superuser=True)
    data = {"external_id": "pd-2", "name": "Lakeside PD", "kind": "police_department", "_save": "Save"}

    sent = sent_after_the_session_ended(browser, "/admin/entities/entity/add/", data)
    sign_in_page = browser.get(sent["Location"]).content.decode()

    # the admin's pages are behind the site's sign-in (LoginRequiredMiddleware) but its own sign-in page
    assert sent.status_code == 302 and sent["Location"] == "/login/?next=/unsaved/"
    assert "what you sent was not saved yet" in sign_in_page and not Entity.objects.exists()
    browser.force_login(administrator)
    action, fields = FormsOnPage(browser.get("/unsaved/").content.decode()).forms[-2]
    saved = browser.post(action, dict(fields))
    assert saved.status_code == 302 and Entity.objects.get().name == "Lakeside PD"
    assert kept(browser) is None


@pytest.mark.django_db(transaction=True)
def test_the_forms_kept_at_the_upgrade_name_their_accounts_by_key_and_back_no_one():
    from django.utils import timezone

    from tests.migrations import migrated, migrated_to_the_latest

    apps = migrated([("core", "0002_kept_forms")])
    KeptForm = apps.get_model("core", "KeptForm")
    KeptForm.objects.create(token="a", typed_by=7, path="/meetings/new/", fields=[], sent_at=timezone.now())
    KeptForm.objects.create(token="b", typed_by=None, path="/meetings/new/", fields=[], sent_at=timezone.now())
    try:
        apps = migrated([("core", "0003_kept_form_typed_by_key")])
        forms = dict(apps.get_model("core", "KeptForm").objects.values_list("token", "typed_by"))
        assert forms == {"a": unsaved.account_key(7), "b": None}

        apps = migrated([("core", "0002_kept_forms")])
        assert set(apps.get_model("core", "KeptForm").objects.values_list("typed_by", flat=True)) == {None}
    finally:
        migrated_to_the_latest()
