"""One browser journey per user: what a person clicks, what they see."""
import re

import pytest
from django.utils import timezone

from entities.models import Entity
from scoring.models import PairScore

pytestmark = pytest.mark.django_db(transaction=True)


def current_tenths(a: str, b: str) -> int:
    ids = sorted(Entity.objects.filter(external_id__in=[a, b]).values_list("id", flat=True))
    row = PairScore.objects.filter(entity_a_id=ids[0], entity_b_id=ids[1], valid_to__isnull=True).first()
    return row.score_tenths if row else 0


def test_city_staff_browse_overview_entity_and_pair_with_its_chart(signed_in, live_server):
    page = signed_in("city_staff")

    page.click("text=Lakeside Police Department — Lakeside Police Oversight Board")

    page.wait_for_url(re.compile(r"/closeness/"))
    assert "(close)" in page.inner_text(".score-line")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('history-chart'))")
    page.click("h1 >> text=Lakeside Police Department")
    page.wait_for_url(f"{live_server.url}/entities/lk-pd/")
    assert "Closest counterparts" in page.content()


def test_network_graph_opens_an_entity_when_a_node_is_clicked(signed_in, live_server):
    page = signed_in("city_staff")
    page.goto(f"{live_server.url}/network/?entity=lk-ob")
    page.wait_for_function("window.trackerNetworkReady === true && trackerNetwork.nodes().length > 1")
    page.wait_for_timeout(300)  # let the renderer draw the final positions

    box = page.locator("#network-graph").bounding_box()
    # zoom in on the node, as a person would on a crowded graph, then click it
    position = page.evaluate("""(() => {
        const node = trackerNetwork.getElementById('lk-pd');
        trackerNetwork.zoom(4); trackerNetwork.center(node);
        const p = node.renderedPosition(); return [p.x, p.y];
    })()""")
    page.wait_for_timeout(200)
    page.mouse.click(box["x"] + position[0], box["y"] + position[1])

    page.wait_for_url(f"{live_server.url}/entities/lk-pd/")


def test_board_member_logs_a_meeting_and_sees_the_pair_score_change(signed_in, live_server):
    before = current_tenths("x-a2", "x-b2")
    page = signed_in("board_member")
    page.goto(f"{live_server.url}/meetings/new/")

    page.select_option("#id_type", "private_meeting")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_title", "Coffee after the forum")
    page.fill("#id_attendance-0-entity", "x-a2")
    page.fill("#id_attendance-1-entity", "x-b2")
    page.click("text=Save meeting")

    page.wait_for_url(f"{live_server.url}/meetings/")
    assert "Logged" in page.inner_text(".alert")
    page.goto(f"{live_server.url}/closeness/x-a2/x-b2/")
    shown = float(page.inner_text(".score-line strong"))
    assert round(shown * 10) == current_tenths("x-a2", "x-b2") > before


def test_analyst_reviews_a_flag(signed_in, live_server):
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/flags/?rule=REVOLVING_DOOR")
    page.click("td >> a:text('REVOLVING_DOOR') >> nth=0")

    page.select_option("#id_to_status", "under_review")
    page.fill("#id_reason", "Asked the board for the member's employment record.")
    page.click("text=Change status")

    assert page.inner_text("#flag-status") == "Under review"
    assert "Asked the board for the member's employment record." in page.content()


def test_analyst_exports_a_filtered_csv(signed_in, live_server):
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/flags/?severity=high")

    with page.expect_download() as download:
        page.click("text=Download CSV")

    text = open(download.value.path(), encoding="utf-8-sig").read()
    lines = text.splitlines()
    assert lines[0].startswith("rule,severity,status,subject")
    assert len(lines) > 1 and all(",high," in line for line in lines[1:])


def test_city_staff_are_refused_what_they_may_not_do(signed_in, live_server):
    page = signed_in("city_staff")

    for url in ("/meetings/new/", "/data/", "/scoring/settings/"):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 403, url
    page.goto(f"{live_server.url}/")
    assert "Data sets" not in page.inner_text("nav")


def test_administrator_changes_the_half_life_and_recomputes(signed_in, live_server):
    page = signed_in("administrator")
    page.click("nav >> text=Scoring settings")

    page.fill("#id_half_life_days", "200")
    page.click("text=Save and recompute now")

    assert "A full recompute has been queued" in page.inner_text(".alert")
    page.goto(f"{live_server.url}/")
    assert "half-life 200 days" in page.inner_text(".recompute-status")
