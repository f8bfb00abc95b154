"""Browser tests: Debian's Chromium driven by Playwright, against pytest-django's live_server."""
import io
import os
import shutil
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAKESIDE_REFERENCE_DATE = date(2026, 6, 30)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def scored_site(transactional_db, lakeside_dir, user_with_role, tmp_path):
    """The lakeside example moved in time so that its reference date (2026-06-30, where its expected
    bands hold) is today, scored as of today (meetings logged in the journeys are today's), and one
    user per role (password: a-long-test-password)."""
    from interchange.reading import files_from_directory, files_moved_by

    today = timezone.localdate()
    moved = files_moved_by(files_from_directory(lakeside_dir / "data"), (today - LAKESIDE_REFERENCE_DATE).days)
    for name, data in moved.items():
        (tmp_path / name).write_bytes(data)
    call_command("import_dataset", str(tmp_path), stdout=io.StringIO())
    # a year before first, so that the pair charts and "what changed" have something to show
    call_command("recompute", "--as-of", (today - timedelta(days=365)).isoformat(), stdout=io.StringIO())
    call_command("recompute", "--as-of", today.isoformat(), stdout=io.StringIO())
    return {role: user_with_role(role) for role in ("city_staff", "board_member", "analyst", "administrator")}


def fill_in_sign_in(page, username: str) -> None:
    """Sign in on the sign-in page shown, as a person does (every test account has this password)."""
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")


@pytest.fixture
def signed_in(browser, live_server, scored_site):
    """A browser page signed in through the login form: signed_in("analyst"), with Playwright's
    context options if any (signed_in("analyst", reduced_motion="reduce"))."""
    pages = []

    def sign_in(role: str, **options):
        context = browser.new_context(accept_downloads=True, **options)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        fill_in_sign_in(page, scored_site[role].username)
        page.wait_for_url(f"{live_server.url}/")
        pages.append(context)
        return page

    yield sign_in
    for context in pages:
        context.close()


@pytest.fixture
def every_page(scored_site) -> list[str]:
    """A path of each page a signed-in administrator can open, on the scored lakeside example."""
    from conflicts.models import Flag
    from engagement.models import Meeting
    from entities.models import Entity, MergeRecord
    from scoring.selectors import listed_pairs
    from tests.factories import ConflictReportFactory

    from datetime import timedelta

    from django.utils import timezone

    from audit.context import Actor
    from interchange.models import ImportRequest
    from interchange.services import import_request_run, import_requested
    from scoring.models import OwedRecompute

    pair = listed_pairs().order_by("-score_tenths").first()
    refused = import_request_run(import_requested(files={"meetings.csv": b"external_id,date,type,title\nm-1,someday,lunch,\n"},
                                                  dry_run=False, actor=Actor(None, "an analyst", "import")).pk)
    waiting = import_requested(files={"meetings.csv": b"external_id,date,type,title\n"}, dry_run=True, actor=Actor(None, "an analyst", "import"))
    # no worker has taken it: its box says so; and changes wait unscored, which every page's banner says
    ImportRequest.objects.filter(pk=waiting.pk).update(requested_at=timezone.now() - timedelta(minutes=6))
    OwedRecompute.objects.create(entity_ids=None)
    merged = MergeRecord.objects.create(keep=Entity.objects.get(external_id="lk-pd"), duplicate_external_id="lk-pd-old",
                                        duplicate={"name": "Lakeside PD (old)", "kind": "police_department"})
    return [
        "/entities/p-bma/merge/?into=p-chief", f"/entities/lk-pd/merges/{merged.pk}/undo/",
        "/", "/entities/", "/entities/lk-pd/", "/closeness/", f"/closeness/{pair.entity_a.external_id}/{pair.entity_b.external_id}/",
        "/network/", "/network/?entity=lk-pd", "/flags/", f"/flags/{Flag.objects.order_by('pk').first().pk}/", "/meetings/",
        "/meetings/new/", f"/meetings/new/?like={Meeting.objects.order_by('date').first().pk}", f"/meetings/{Meeting.objects.order_by('date').first().pk}/",
        f"/meetings/{Meeting.objects.order_by('date').first().pk}/edit/", "/engagement/coverage/",
        "/engagement/trust/", "/reports/", "/reports/new/", f"/reports/{ConflictReportFactory().pk}/", "/recusals/",
        "/register/", "/data/", f"/data/?request={refused.pk}", f"/data/?request={waiting.pk}", "/scoring/settings/", "/closeness/changes/?since=2001-01-01", "/sources/",
        "/relationships/", "/relationships/?entity=lk-pd&type=oversees", "/relationships/s-01/", "/record/relationship/?source=lk-pd", "/relationships/s-01/edit/", "/record/entity/", "/entities/lk-pd-east/edit/",
        "/relationships/c-02/disclosures/new/", "/disclosures/dc-01/edit/",
        "/help/", "/help/scoring/", "/help/data-format/", "/help/reference/", "/following/", "/unsaved/", "/account/password/", "/scoring/settings/history/",
        f"/following/digest/confirm/{confirmation_token(scored_site['administrator'])}",
    ]


def confirmation_token(user) -> str:
    """The token of the link a weekly summary's confirmation email holds (the summary asked for)."""
    from core.following import request_weekly_summary, weekly_summary_link

    request_weekly_summary(user, "admin@example.org", now=timezone.now())
    return weekly_summary_link(user, "admin@example.org").rsplit("/confirm/", 1)[1]
