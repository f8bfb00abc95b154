"""The overview page."""
import re

import pytest
from django.utils import timezone

from engagement.models import Meeting
from scoring.models import ClosenessSnapshot
from tests.dashboard_helpers import scored_lakeside


@pytest.mark.django_db
def test_overview_shows_counts_closest_pairs_flags_and_the_last_recompute(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)

    page = client_as("city_staff").get("/").content.decode()

    assert "Scores and flags as of <strong>2026-06-30</strong>" in page
    assert "Lakeside Police Oversight Board — Lakeside Police Department" in page or "Lakeside Police Department — Lakeside Police Oversight Board" in page
    assert "FUNDING_DEPENDENCE" in page
    # severities most severe first, kinds by their names, recent meetings linked to their pages
    severities = re.findall(r'\?severity=(\w+)">', page)
    assert severities == ["high", "medium", "low"]
    assert '?kind=person">Person<' in page and '?kind=oversight_body">Oversight body<' in page
    latest = Meeting.objects.order_by("-date", "-id").first()
    assert f'href="/meetings/{latest.pk}/">{latest.title}</a>' in page


@pytest.mark.django_db
def test_a_running_recompute_shows_a_banner_and_a_failed_one_an_error(lakeside_dir, client_as):
    scored_lakeside(lakeside_dir)
    ClosenessSnapshot.objects.create(as_of=timezone.localdate(), parameters={}, status="failed", error="RuntimeError: disk full")
    ClosenessSnapshot.objects.create(as_of=timezone.localdate(), parameters={}, status="running")

    page = client_as("city_staff").get("/").content.decode()

    assert "Scores are being recomputed" in page
    assert "The last recompute failed" in page and "disk full" in page


@pytest.mark.django_db
def test_overview_says_what_changed_since_a_month_before(lakeside_dir, client_as):
    from datetime import date

    from scoring.services import recompute

    scored_lakeside(lakeside_dir)
    assert "became close" not in client_as("city_staff").get("/").content.decode()  # one set of scores: nothing to compare
    recompute(as_of=date(2031, 1, 1))

    page = client_as("city_staff").get("/").content.decode()

    left = re.search(r'<a href="/closeness/changes/">Since 2026-06-30</a>: 0 pairs became close, (\d+) no longer are, 0 became a working tie, 0 flags raised, (\d+) whose situation ended.', page)
    assert left and int(left.group(1)) > 0 and int(left.group(2)) > 0  # by 2031 the closeness flags have lapsed
