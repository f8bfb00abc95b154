"""Walk every URL and API route as anonymous, as a signed-in account without a role, and as every
role: each sees exactly what its role allows, on pages, the API and downloads.

The policy below is the single statement of who may do what. A URL added without a line here fails
`test_every_route_has_a_policy`, so the walk always covers the whole site."""
import gzip
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from engagement.models import EngagementSettings, MeetingNewcomer
from entities.models import MergeRecord
from interchange.format import zip_of
from interchange.models import DatasetImport, ImportedFiles, ImportRequest
from core.following import weekly_summary_link, weekly_summary_stop_link
from scoring.engine import ScoringParameters
from scoring.models import SettingsPreview
from tests.factories import (
    ConflictReportFactory,
    DisclosureFactory,
    EntityFactory,
    FeedbackSurveyFactory,
    FlagFactory,
    MeetingFactory,
)

PUBLIC, NO_ROLE, CITY_STAFF, BOARD_MEMBER, ANALYST, ADMINISTRATOR = range(-1, 5)
WHO = {"anonymous": PUBLIC, "no_role": NO_ROLE, "city_staff": CITY_STAFF, "board_member": BOARD_MEMBER,
       "analyst": ANALYST, "administrator": ADMINISTRATOR}

# route name -> {method: the lowest rank allowed}; downloads are listed as their own lines below
POLICY = {
    "healthz": {"get": PUBLIC},
    "healthz_workers": {"get": PUBLIC},  # for an uptime monitor: whether the workers run
    "login": {"get": PUBLIC},
    "survey_answer": {"get": PUBLIC, "post": PUBLIC},
    "help_index": {"get": PUBLIC},  # how the numbers are made is public
    "help_page": {"get": PUBLIC},
    "unsaved_form": {"get": CITY_STAFF, "post": CITY_STAFF},  # a form kept after its session ended; post discards it
    "overview": {"get": CITY_STAFF},
    "entity_list": {"get": CITY_STAFF},
    "entity_detail": {"get": CITY_STAFF},
    "entity_new": {"get": ANALYST, "post": ANALYST},  # posted empty: refused, nothing is saved
    "entity_edit": {"get": ANALYST, "post": ANALYST},
    "entity_delete": {"post": ANALYST},  # posted unconfirmed: nothing is deleted
    "entity_merge": {"get": ADMINISTRATOR, "post": ADMINISTRATOR},
    "entity_merge_undo": {"get": ADMINISTRATOR, "post": ADMINISTRATOR},
    "entity_search": {"get": CITY_STAFF},
    "entity_find": {"get": CITY_STAFF},
    "newcomer_checked": {"post": ANALYST},
    "entity_follow": {"post": CITY_STAFF},
    "following": {"get": CITY_STAFF},
    "following_digest": {"post": CITY_STAFF},
    "following_digest_confirm": {"get": CITY_STAFF, "post": CITY_STAFF},  # a link for another account: 400
    "following_digest_stop": {"get": PUBLIC, "post": PUBLIC},  # the signed link is the credential; it only turns a summary off
    "pair_list": {"get": CITY_STAFF},
    "sources": {"get": CITY_STAFF},
    "relationship_list": {"get": CITY_STAFF},
    "relationship_detail": {"get": CITY_STAFF},
    "relationship_new": {"get": ANALYST, "post": ANALYST},  # posted empty: refused, nothing is saved
    "relationship_edit": {"get": ANALYST, "post": ANALYST},
    "relationship_source": {"post": ANALYST},  # posted empty: refused, nothing is saved
    "relationship_delete": {"post": ANALYST},  # posted unconfirmed: nothing is deleted
    "disclosure_new": {"get": ANALYST, "post": ANALYST},
    "disclosure_edit": {"get": ANALYST, "post": ANALYST},
    "disclosure_delete": {"post": ANALYST},  # posted unconfirmed: nothing is deleted
    "close_changes": {"get": CITY_STAFF},
    "pair_detail": {"get": CITY_STAFF},
    "network": {"get": CITY_STAFF},
    "flag_list": {"get": CITY_STAFF},
    "flag_detail": {"get": CITY_STAFF},
    "flag_transition": {"post": ANALYST},
    "flag_bulk_transition": {"post": ANALYST},
    "meeting_list": {"get": CITY_STAFF},
    "meeting_detail": {"get": CITY_STAFF},
    "meeting_new": {"get": BOARD_MEMBER, "post": BOARD_MEMBER},
    "meeting_edit": {"get": ANALYST, "post": ANALYST},  # an imported meeting: board members correct only those they logged
    "meeting_delete": {"post": ANALYST},  # likewise (posted unconfirmed: nothing is deleted)
    "survey_create": {"post": BOARD_MEMBER},
    "survey_close": {"post": ANALYST},  # someone else's survey: board members close those they created
    "coverage": {"get": CITY_STAFF},
    "settings_history": {"get": CITY_STAFF},  # how the method changed: for everyone who reads the scores
    "trust_trend": {"get": CITY_STAFF},
    "recusals": {"get": CITY_STAFF},
    "report_list": {"get": CITY_STAFF},
    "report_new": {"get": CITY_STAFF, "post": CITY_STAFF},
    "report_detail": {"get": ANALYST},  # someone else's report: analysts only (reporters see their own)
    "report_decide": {"post": ANALYST},
    "disclosure_register": {"get": CITY_STAFF},  # until an administrator publishes it
    "disclosure_register_toggle": {"post": ADMINISTRATOR},
    "scoring_settings": {"get": ADMINISTRATOR, "post": ADMINISTRATOR},
    "settings_preview_status": {"get": ADMINISTRATOR},
    "data_sets": {"get": ANALYST, "post": ANALYST},
    "data_set_download": {"get": ANALYST},
    "imported_files_download": {"get": ANALYST},
    "import_request_status": {"get": ANALYST},
    "import_request_problems": {"get": ANALYST},
    "api_token": {"get": CITY_STAFF, "post": CITY_STAFF},
    "password_change": {"get": CITY_STAFF, "post": CITY_STAFF},  # posted empty: refused, nothing changes
    "password_change_done": {"get": CITY_STAFF},
    "password_reset": {"get": PUBLIC, "post": PUBLIC},  # posted empty: refused, nothing is sent
    "password_reset_done": {"get": PUBLIC},
    "password_reset_confirm": {"get": PUBLIC, "post": PUBLIC},  # a link for an account: the link is the credential
    "password_reset_complete": {"get": PUBLIC},
    "api-root": {"get": CITY_STAFF},
    "api-schema": {"get": CITY_STAFF},
    "api-docs": {"get": CITY_STAFF},
    "entity-list": {"get": CITY_STAFF, "post": ANALYST},  # added and corrected as on an entity's page
    "entity-detail": {"get": CITY_STAFF, "patch": ANALYST, "delete": ADMINISTRATOR},
    "relationship-list": {"get": CITY_STAFF, "post": ANALYST},  # recorded and corrected as on a relationship's page
    "relationship-detail": {"get": CITY_STAFF, "patch": ANALYST, "delete": ANALYST},  # one a flag cites or someone disclosed: 409
    "disclosure-list": {"get": CITY_STAFF, "post": ANALYST},  # recorded and corrected as on a relationship's page
    "disclosure-detail": {"get": CITY_STAFF, "patch": ANALYST, "delete": ANALYST},  # one published on the register: 409
    "meeting-list": {"get": CITY_STAFF, "post": BOARD_MEMBER},  # board members log meetings, also by API
    "meeting-detail": {"get": CITY_STAFF, "patch": ANALYST, "delete": ANALYST},  # corrected and deleted as on the page
    "pair-list": {"get": CITY_STAFF},
    "pair-history": {"get": CITY_STAFF},
    "pair-meetings": {"get": CITY_STAFF},
    "entity-ties": {"get": CITY_STAFF},
    "ties-over-time": {"get": CITY_STAFF},
    "entity-follow": {"put": CITY_STAFF, "delete": CITY_STAFF},  # personal: every role follows
    "following-list": {"get": CITY_STAFF},
    "following-changes": {"get": CITY_STAFF},
    "settings-history": {"get": CITY_STAFF},
    "scoring-status": {"get": CITY_STAFF},
    "imports": {"get": ANALYST, "post": ANALYST},
    "import-request": {"get": ANALYST},
    "close-changes": {"get": CITY_STAFF},
    "flag-list": {"get": CITY_STAFF},
    "flag-detail": {"get": CITY_STAFF},
    "flag-change-status": {"post": ANALYST},
    "flag-change-statuses": {"post": ANALYST},
}
# routes the walk does not request, and why
NOT_WALKED = {"logout": "signs the client out (tested in test_foundation)", "admin": "Django admin: model permissions, tested below"}
DOWNLOADS = {
    "/entities/?export=csv": CITY_STAFF,
    "/flags/?export=csv": CITY_STAFF,
    "/relationships/?export=csv": CITY_STAFF,
    "/engagement/coverage/?export=csv": CITY_STAFF,
    "/recusals/?export=csv": CITY_STAFF,
    "/data/export.zip": ANALYST,
}


def route_names(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                yield "admin"
                continue
            yield from route_names(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def test_every_route_has_a_policy():
    assert set(route_names()) == set(POLICY) | set(NOT_WALKED)


@pytest.fixture
def site(db):
    a, b = EntityFactory(external_id="walk-a"), EntityFactory(external_id="walk-b", kind="police_department")
    owner = User.objects.create_user("report-owner", password="a-long-test-password")
    report = ConflictReportFactory(reported_by=owner)
    disclosure = DisclosureFactory(external_id="walk-d")
    meeting = MeetingFactory(external_id="walk-m", type="community_forum")
    survey = FeedbackSurveyFactory(meeting=meeting)
    flag = FlagFactory()
    preview = SettingsPreview.objects.create(parameters=ScoringParameters().to_dict())
    newcomer = MeetingNewcomer.objects.create(entity=EntityFactory(external_id="walk-new", kind="person"), meeting=meeting)
    EngagementSettings.objects.update_or_create(pk=1, defaults={"disclosure_register_public": False})
    run = DatasetImport.objects.create(actor="walk", via="command", counts={})
    ImportedFiles.objects.create(dataset_import=run, archive=zip_of({"entities.csv": b"external_id,name,kind\n"}))
    refused = ImportRequest.objects.create(actor="walk", status="done", outcome="refused", problems_csv=gzip.compress(b"file,line,column,message\n"))
    merge = MergeRecord.objects.create(keep=a, duplicate_external_id="walk-merged", duplicate={"name": "Walk A", "kind": "person"})
    return {
        "healthz": "/healthz", "healthz_workers": "/healthz/workers", "login": "/login/", "survey_answer": f"/feedback/{survey.token}/", "overview": "/",
        "help_index": "/help/", "help_page": "/help/scoring/", "unsaved_form": "/unsaved/",
        "entity_list": "/entities/", "entity_detail": f"/entities/{a.external_id}/",
        "entity_new": "/record/entity/", "entity_edit": f"/entities/{a.external_id}/edit/", "entity_delete": f"/entities/{a.external_id}/delete/",
        "entity_merge": f"/entities/{a.external_id}/merge/?into={b.external_id}", "entity_merge_undo": f"/entities/{a.external_id}/merges/{merge.pk}/undo/", "entity_search": "/search/entities/?q=wa", "entity_find": "/find/?q=walk-a", "newcomer_checked": f"/newcomers/{newcomer.entity_id}/checked/", "entity_follow": f"/entities/{a.external_id}/follow/", "following": "/following/", "following_digest": "/following/digest/",
        "following_digest_confirm": f"/following/digest/confirm/{weekly_summary_link(owner, 'owner@example.org').rsplit('/confirm/', 1)[1]}",
        "following_digest_stop": f"/following/digest/stop/{weekly_summary_stop_link(owner).rsplit('/stop/', 1)[1]}",
        "pair_list": "/closeness/", "sources": "/sources/", "relationship_list": "/relationships/", "relationship_detail": f"/relationships/{disclosure.relationship.external_id}/",
        "relationship_new": "/record/relationship/", "relationship_edit": f"/relationships/{disclosure.relationship.external_id}/edit/",
        "relationship_source": f"/relationships/{disclosure.relationship.external_id}/source/",
        "relationship_delete": f"/relationships/{disclosure.relationship.external_id}/delete/",
        "disclosure_new": f"/relationships/{disclosure.relationship.external_id}/disclosures/new/", "disclosure_edit": f"/disclosures/{disclosure.external_id}/edit/",
        "disclosure_delete": f"/disclosures/{disclosure.external_id}/delete/", "close_changes": "/closeness/changes/", "pair_detail": f"/closeness/{a.external_id}/{b.external_id}/", "network": "/network/",
        "flag_list": "/flags/", "flag_detail": f"/flags/{flag.pk}/", "flag_transition": f"/flags/{flag.pk}/status/",
        "flag_bulk_transition": "/flags/status/",
        "meeting_list": "/meetings/", "meeting_detail": f"/meetings/{meeting.pk}/", "meeting_new": "/meetings/new/",
        "meeting_edit": f"/meetings/{meeting.pk}/edit/", "meeting_delete": f"/meetings/{meeting.pk}/delete/",
        "survey_create": f"/meetings/{meeting.pk}/surveys/", "survey_close": f"/surveys/{survey.pk}/close/",
        "coverage": "/engagement/coverage/", "trust_trend": "/engagement/trust/", "recusals": "/recusals/",
        "report_list": "/reports/", "report_new": "/reports/new/", "report_detail": f"/reports/{report.pk}/",
        "report_decide": f"/reports/{report.pk}/decide/", "disclosure_register": "/register/",
        "disclosure_register_toggle": "/register/publish/", "scoring_settings": "/scoring/settings/", "settings_history": "/scoring/settings/history/",
        "settings_preview_status": f"/scoring/settings/preview/{preview.pk}/",
        "data_sets": "/data/", "data_set_download": "/data/export.zip",
        "imported_files_download": f"/data/imports/{run.pk}/files.zip", "import_request_status": f"/data/requests/{refused.pk}/",
        "import_request_problems": f"/data/requests/{refused.pk}/problems.csv", "api_token": "/account/token/", "password_change": "/account/password/", "password_change_done": "/account/password/done/", "password_reset": "/account/password/reset/",
        "password_reset_done": "/account/password/reset/sent/", "password_reset_complete": "/account/password/reset/done/",
        "password_reset_confirm": f"/account/password/reset/{urlsafe_base64_encode(force_bytes(owner.pk))}/{default_token_generator.make_token(owner)}/",
        "api-root": "/api/", "api-schema": "/api/schema/", "api-docs": "/api/docs/",
        "entity-list": "/api/entities/", "entity-detail": f"/api/entities/{a.external_id}/",
        "relationship-list": "/api/relationships/", "relationship-detail": f"/api/relationships/{disclosure.relationship.external_id}/",
        "disclosure-list": "/api/disclosures/", "disclosure-detail": f"/api/disclosures/{disclosure.external_id}/",
        "meeting-list": "/api/meetings/", "meeting-detail": f"/api/meetings/{meeting.external_id}/",
        "pair-list": "/api/closeness/", "close-changes": "/api/closeness/changes/", "pair-history": f"/api/closeness/{a.external_id}/{b.external_id}/history/",
        "pair-meetings": f"/api/closeness/{a.external_id}/{b.external_id}/meetings/", "entity-ties": f"/api/entities/{a.external_id}/ties/", "ties-over-time": "/api/closeness/ties/",
        "entity-follow": f"/api/entities/{a.external_id}/follow/", "following-list": "/api/following/", "following-changes": "/api/following/changes/",
        "settings-history": "/api/scoring/settings/history/", "scoring-status": "/api/scoring/status/", "imports": "/api/imports/",
        "import-request": f"/api/imports/requests/{refused.pk}/", "flag-list": "/api/flags/", "flag-detail": f"/api/flags/{flag.pk}/", "flag-change-status": f"/api/flags/{flag.pk}/status/",
        "flag-change-statuses": "/api/flags/status/",
    }


def client_for(who: str, user_with_role) -> Client:
    client = Client()
    if who == "no_role":
        client.force_login(User.objects.create_user("no-role", password="a-long-test-password"))
    elif who != "anonymous":
        client.force_login(user_with_role(who))
    return client


def refused(who: str, url: str, response) -> bool:
    """How each kind of visitor is turned away: anonymous to the sign-in page (401/403 on the API),
    a signed-in account whose role is too low with 403. The unpublished register is a 404 to anonymous."""
    if who == "anonymous":
        if url.startswith("/api/"):
            return response.status_code in (401, 403)
        if url == "/register/":
            return response.status_code == 404
        return response.status_code == 302 and response["Location"].startswith("/login/")
    if url == "/register/":
        return response.status_code == 404
    return response.status_code == 403


def allowed(response) -> bool:
    # 400 (an empty form or body), 405 and redirects other than to sign-in still mean "got through"
    return response.status_code not in (401, 403, 404, 500) and not (
        response.status_code == 302 and response["Location"].startswith("/login/")
    )


@pytest.mark.parametrize("who", list(WHO))
def test_each_visitor_sees_only_what_their_role_allows(who, site, user_with_role):
    client = client_for(who, user_with_role)
    rank = WHO[who]
    wrong = []
    requests = [(name, method, site[name], lowest) for name, methods in POLICY.items() for method, lowest in methods.items()]
    requests += [(url, "get", url, lowest) for url, lowest in DOWNLOADS.items()]
    # deletions last, and only where refused: an allowed delete would remove what later routes need
    requests.sort(key=lambda r: r[1] == "delete")
    for name, method, url, lowest in requests:
        if method == "delete" and rank >= lowest:
            continue
        kwargs = {"content_type": "application/json", "data": "{}"} if url.startswith("/api/") and method != "get" else {}
        response = getattr(client, method)(url, **kwargs)
        expected_allowed = rank >= lowest
        ok = allowed(response) if expected_allowed else refused(who, url, response)
        # the security headers are on every response, refused or not, page or API
        missing = [h for h in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")
                   if not response.has_header(h)]
        if missing:
            wrong.append(f"{method.upper()} {url}: no {', '.join(missing)}")
        if not ok:
            wrong.append(f"{method.upper()} {url} ({name}): got {response.status_code}, expected {'allowed' if expected_allowed else 'refused'}")
        # a page's title is text (a template that filled its title block with markup showed it in the tab)
        title = re.search(r"<title>(.*?)</title>", response.content.decode(errors="replace"), re.S) if response.get("Content-Type", "").startswith("text/html") else None
        if title and ("<" in title.group(1) or "\n" in title.group(1).strip()):
            wrong.append(f"{method.upper()} {url}: its title holds markup: {title.group(1)[:80]!r}")
    assert not wrong, "\n".join(wrong)


def test_the_published_register_is_public_and_read_only(site):
    EngagementSettings.objects.update_or_create(pk=1, defaults={"disclosure_register_public": True})
    anonymous = Client()
    assert anonymous.get("/register/").status_code == 200
    assert anonymous.post("/register/publish/", {"public": "0"}).status_code == 302  # to sign-in
    assert EngagementSettings.load().disclosure_register_public


@pytest.mark.parametrize(("who", "status"), [("city_staff", 403), ("analyst", 403), ("administrator", 200)])
def test_only_administrators_change_data_in_the_admin(who, status, user_with_role, site):
    client = client_for(who, user_with_role)
    if who == "administrator":
        User.objects.filter(groups__name="administrator").update(is_staff=True)
    response = client.get("/admin/entities/entity/add/")
    assert response.status_code == status or (status == 403 and response.status_code == 302)


def test_sign_in_is_locked_after_five_wrong_passwords_for_that_account_and_address(user_with_role):
    user = user_with_role("city_staff")
    guesser = Client(REMOTE_ADDR="192.0.2.10")
    codes = [guesser.post("/login/", {"username": user.username, "password": "wrong-password-guess"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = guesser.post("/login/", {"username": user.username, "password": "a-long-test-password"})
    assert locked.status_code == 429 and "Too many failed sign-in attempts" in locked.content.decode()
    # the owner, from their own address, still signs in
    owner = Client(REMOTE_ADDR="192.0.2.20")
    assert owner.post("/login/", {"username": user.username, "password": "a-long-test-password"}).status_code == 302


def test_an_account_without_a_role_can_still_sign_out(db):
    client = Client()
    client.force_login(User.objects.create_user("fresh", password="a-long-test-password"))
    assert client.get("/").status_code == 403
    assert client.post("/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/login/")


def test_every_form_post_needs_a_csrf_token(site, user_with_role):
    """Pages (not the token-authenticated API) refuse a POST without the CSRF token, even from an
    administrator's signed-in browser."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role("administrator"))
    posts = [name for name, methods in POLICY.items()
             if "post" in methods and not site[name].startswith("/api/") and name not in CSRF_EXEMPT]
    assert len(posts) >= 10
    for name in posts:
        assert client.post(site[name], {}).status_code == 403, name
    # the exception, on purpose: a mail client's one-click stop (RFC 8058) posts no token; the signed
    # link is the credential (whoever could forge the POST holds the link anyway), and it only stops emails
    assert client.post(site["following_digest_stop"], {}).status_code == 200


CSRF_EXEMPT = {"following_digest_stop"}


@pytest.mark.django_db
def test_a_refusal_says_why_and_a_missing_page_says_what_is_missing(client_as):
    client = client_as("city_staff")

    refused = client.get("/scoring/settings/")
    missing = client.get("/meetings/999999/")

    assert refused.status_code == 403
    assert "Only administrators change the scoring settings." in refused.content.decode()
    assert missing.status_code == 404
    assert "There is no page at <code>/meetings/999999/</code>" in missing.content.decode()
    assert 'href="/closeness/"' in missing.content.decode()  # the site's navigation, to carry on from


@pytest.mark.django_db
def test_a_server_error_says_what_to_do_on_the_sites_own_page(client_as, settings, monkeypatch):
    """Before, Django's bare "Server Error (500)" line, with nothing to go on."""
    from core import pages

    def fails(snapshot):
        raise RuntimeError("a bug")

    settings.DEBUG = False
    monkeypatch.setattr(pages, "changes_since", fails)  # the overview fails as it reads
    client = client_as("city_staff")
    client.raise_request_exception = False

    answer = client.get("/")

    assert answer.status_code == 500
    page = answer.content.decode()
    assert "<h1>Something went wrong</h1>" in page and "look whether it is there before you send it again" in page
    assert "a bug" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_a_server_error_in_the_api_answers_json_as_its_other_errors(client_as, settings, monkeypatch):
    from entities.api import EntityViewSet

    def fails(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    settings.DEBUG = False
    monkeypatch.setattr(EntityViewSet, "list", fails)
    client = client_as("city_staff")
    client.raise_request_exception = False

    answer = client.get("/api/entities/")

    assert answer.status_code == 500 and answer["Content-Type"] == "application/json"
    assert answer.json() == {"error": "Server Error (500)"}
