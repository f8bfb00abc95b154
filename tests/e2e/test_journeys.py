"""One browser journey per user: what a person clicks, what they see."""
import json
import re
import zipfile
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from entities.models import Entity
from scoring.selectors import pair_for
from tests.e2e.conftest import fill_in_sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def current_tenths(a: str, b: str) -> int:
    pair = pair_for(*Entity.objects.filter(external_id__in=[a, b]))  # a row or a weak pair
    return pair.score_tenths if pair else 0


def test_city_staff_browse_overview_entity_and_pair_with_its_chart(signed_in, live_server):
    page = signed_in("city_staff")

    page.click("text=Lakeside Police Department — Lakeside Police Oversight Board")

    page.wait_for_url(re.compile(r"/closeness/"))
    assert "(close)" in page.inner_text(".score-line")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('history-chart'))")
    # dates stand as far apart as they are: the x axis counts days
    chart = page.evaluate("""() => { const c = Chart.getChart(document.getElementById('history-chart'));
        return { type: c.scales.x.type, days: c.data.datasets[0].data.map(p => p.x) }; }""")
    history = json.loads(page.text_content("#pair-history"))
    assert chart["type"] == "linear"
    assert chart["days"] == [(date.fromisoformat(h["as_of"]) - date(1970, 1, 1)).days for h in history]
    page.click("h1 >> text=Lakeside Police Department")
    page.wait_for_url(f"{live_server.url}/entities/lk-pd/")
    assert "Closest counterparts" in page.content()


def test_city_staff_print_an_entity_page_without_the_menus_and_buttons(signed_in, live_server):
    page = signed_in("city_staff")
    page.goto(f"{live_server.url}/entities/lk-pd/")
    assert page.is_visible("nav.site-header") and page.is_visible("form.follow")

    page.emulate_media(media="print")

    for hidden in ("nav.site-header", ".page-find", "form.follow"):
        assert not page.is_visible(hidden), hidden
    assert page.is_visible("h1") and "Closest counterparts" in page.inner_text("main")
    # folded sections print unfolded, and fold back after
    page.goto(f"{live_server.url}/flags/")
    assert not page.is_visible("#rules dl")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.is_visible("#rules dl")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert not page.is_visible("#rules dl")


def test_city_staff_find_an_entity_from_any_page_with_suggestions(signed_in, live_server):
    page = signed_in("city_staff")
    page.goto(f"{live_server.url}/flags/")

    page.fill("input[name=q][list=find-entity-options]", "oversight")
    # the suggestions come from the server as the name is typed, each with its kind
    page.wait_for_selector("#find-entity-options option", state="attached")
    suggestions = page.eval_on_selector_all("#find-entity-options option", "options => options.map(o => o.value + ' ' + o.textContent)")
    assert any(s.startswith("lk-ob Lakeside Police Oversight Board (Oversight body") for s in suggestions)
    page.fill("input[name=q][list=find-entity-options]", "lk-ob")  # a suggestion picked fills in its id
    page.press("input[name=q][list=find-entity-options]", "Enter")
    page.wait_for_url(f"{live_server.url}/entities/lk-ob/")
    assert "Lakeside Police Oversight Board" in page.inner_text("h1")


def test_suggestions_asked_for_after_the_session_ended_leave_the_last_ones(signed_in, live_server):
    page = signed_in("city_staff")
    page.goto(f"{live_server.url}/flags/")
    field = "input[name=q][list=find-entity-options]"
    page.fill(field, "oversight")
    page.wait_for_selector("#find-entity-options option", state="attached")
    shown = page.inner_html("#find-entity-options")
    page.context.clear_cookies(name="sessionid")

    with page.expect_response(lambda r: "/search/entities/" in r.url and "lakeside" in r.url):
        page.fill(field, "lakeside")
    page.wait_for_timeout(300)

    # not the sign-in page (redirected to) in place of the suggestions
    assert page.inner_html("#find-entity-options") == shown


def test_city_staff_follow_an_entity_and_read_what_changed_for_it(signed_in, live_server):
    page = signed_in("city_staff")
    page.goto(f"{live_server.url}/entities/lk-pd/")

    page.click("form.follow >> text=Follow")

    page.wait_for_url(f"{live_server.url}/entities/lk-pd/")
    assert "You follow Lakeside Police Department." in page.inner_text("main")
    page.click("form.follow >> a:text(\"Following\")")  # the page's own link (the menu's is folded in the account menu)
    page.wait_for_url(f"{live_server.url}/following/")
    section = page.locator("section.followed")
    assert section.count() == 1 and "Lakeside Police Department" in section.inner_text()
    # a year of scores: the department's pairs that changed band, each linking to its pair page
    assert section.locator("a[href^='/closeness/']").count() > 0

    # the weekly summary: the address typed gets a link; its page confirms it
    page.fill("#id_summary_email", "staff@example.org")
    page.click("button:has-text('Turn it on')")
    page.wait_for_url(f"{live_server.url}/following/")
    assert "The weekly summary starts once you open the link emailed to staff@example.org." in page.inner_text("main")
    (link,) = re.findall(r"https?://\S+/following/digest/confirm/\S+/", mail.outbox[-1].body)
    page.goto(live_server.url + urlsplit(link).path)
    page.click("button:has-text('Confirm')")
    page.wait_for_url(f"{live_server.url}/following/")
    assert "Confirmed: you will get a weekly summary at staff@example.org when something changed." in page.inner_text("main")
    assert page.locator("button:has-text('Stop the weekly email')").count() == 1

    page.click("text=Stop following Lakeside Police Department")
    page.wait_for_url(f"{live_server.url}/following/")
    assert "You follow no entities yet" in page.inner_text("main")


def test_the_whole_network_is_laid_out_by_its_ties_not_in_a_circle(signed_in, live_server):
    """A hundred entities and their 300 closest ties: a force-directed layout, where clusters show
    (a circle puts every entity at the same distance from the centre, whoever it is tied to)."""
    from datetime import timedelta

    from django.db import transaction

    from engagement.models import Attendance, Meeting
    from scoring.services import recompute
    from tests.factories import EntityFactory

    # a neighbourhood's residents meeting in small groups: more entities and ties than the lakeside's
    # (in one transaction: each meeting saved alone queued a recompute of its own, 12 s of this test)
    today = timezone.localdate()
    with transaction.atomic():
        residents = [EntityFactory(external_id=f"resident-{n:02d}", kind="person") for n in range(40)]
        for n in range(40):
            meeting = Meeting.objects.create(external_id=f"circle-{n}", date=today - timedelta(days=n), type="focus_group", title="Block meeting")
            Attendance.objects.bulk_create([Attendance(meeting=meeting, entity=residents[(n + k) % 40]) for k in range(5)])
    recompute(as_of=today)
    page = signed_in("city_staff")
    page.goto(f"{live_server.url}/network/")
    page.wait_for_function("window.trackerNetworkReady === true")

    spread = page.evaluate("""(() => {
        const points = trackerNetwork.nodes().map(n => n.position());
        const cx = points.reduce((s, p) => s + p.x, 0) / points.length, cy = points.reduce((s, p) => s + p.y, 0) / points.length;
        const radii = points.map(p => Math.hypot(p.x - cx, p.y - cy));
        return [points.length, Math.min(...radii) / Math.max(...radii)];
    })()""")
    assert spread[0] > 90 and spread[1] < 0.5, spread
    assert "300 ties" in page.inner_text("main")

    # the names shown never overlap; zooming in names more of them, their size on screen capped
    names = """(() => {
        const shown = trackerNetwork.nodes().filter(n => !n.hasClass('unnamed'));
        const boxes = shown.map(n => n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true}));
        const overlapping = boxes.filter((a, i) => boxes.some((b, j) => j < i && a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2));
        return {shown: shown.length, overlapping: overlapping.length, size: trackerNetwork.getElementById('lk-pd').renderedStyle('font-size'),
                lakeside: !trackerNetwork.getElementById('lk-pd').hasClass('unnamed')};
    })()"""
    before = page.evaluate(names)
    assert before["overlapping"] == 0 and 1 < before["shown"] < spread[0], before
    assert before["lakeside"], "the most connected organisation keeps its name"
    # `void`: zoom() returns the whole graph, which Playwright would spend 10 s serialising
    page.evaluate("void trackerNetwork.zoom({level: trackerNetwork.zoom() * 3, renderedPosition: {x: 600, y: 300}})")
    page.wait_for_timeout(300)  # names are placed again 80 ms after the zoom ends (polling would need eval, which the CSP forbids)
    assert page.evaluate("window.trackerNetworkNamed")
    after = page.evaluate(names)
    assert after["overlapping"] == 0 and after["shown"] > before["shown"], (before, after)
    # names grow only a little: at most 1.25 times (the browser's size is that cap give or take a
    # rounding error, 15.000000000000002px for 12 x 1.25, depending on the zoom)
    assert float(before["size"][:-2]) <= float(after["size"][:-2]) <= 12 * 1.25 + 1e-9, (before, after)


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
    assert not page.is_visible(".no-js-note")


def test_without_javascript_the_network_page_lists_its_ties_instead_of_an_empty_graph(signed_in, live_server):
    page = signed_in("city_staff", java_script_enabled=False)
    page.goto(f"{live_server.url}/network/?entity=lk-ob")
    assert not page.is_visible("#network-graph") and not page.is_visible("text=Click an entity to open its page")
    assert "the graph is not drawn" in page.inner_text(".no-js-note")
    page.click("summary:has-text('The same ties as a list')")
    page.click("details >> text=Lakeside Police Department")
    page.wait_for_url(f"{live_server.url}/entities/lk-pd/")


def log_private_meeting(page, live_server, title: str, attendees: list[str]) -> None:
    """Fill in and save the meeting form, as a board member does, landing on the meeting list."""
    page.goto(f"{live_server.url}/meetings/new/")
    fill_in_private_meeting(page, title, attendees)
    page.click("text=Save meeting")
    page.wait_for_url(f"{live_server.url}/meetings/")


def fill_in_private_meeting(page, title: str, attendees: list[str]) -> None:
    """Fill in the meeting form shown for a private meeting today."""
    page.select_option("#id_type", "private_meeting")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_title", title)
    for i, entity in enumerate(attendees):
        page.fill(f"#id_attendance-{i}-entity", entity)


def test_board_member_logs_a_meeting_and_sees_the_pair_score_change(signed_in, live_server):
    before = current_tenths("x-a2", "x-b2")
    page = signed_in("board_member")

    log_private_meeting(page, live_server, "Coffee after the forum", ["x-a2", "x-b2"])

    assert "Logged" in page.inner_text(".alert")
    page.goto(f"{live_server.url}/closeness/x-a2/x-b2/")
    shown = float(page.inner_text(".score-line strong"))
    assert round(shown * 10) == current_tenths("x-a2", "x-b2") > before


def test_board_member_adds_attendee_rows_for_a_larger_meeting(signed_in, live_server):
    from engagement.models import Meeting

    people = list(Entity.objects.filter(kind="person").order_by("external_id").values_list("external_id", flat=True)[:8])
    page = signed_in("board_member")
    page.goto(f"{live_server.url}/meetings/new/")
    page.select_option("#id_type", "focus_group")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_title", "Youth focus group")

    assert not page.is_visible("text=Show six more rows")  # the form sent for more rows, without JavaScript
    page.check("#id_attendance-5-new_person")  # ticked before rows are added: the copies start unticked
    page.click("text=Add an attendee")
    page.click("text=Add an attendee")
    page.click("text=Add an attendee")
    assert page.input_value("#id_attendance-TOTAL_FORMS") == "9"
    assert page.locator("label[for=id_attendance-7-role]").inner_text() == "Role of attendee 8"
    assert not page.is_checked("#id_attendance-8-new_person")
    page.uncheck("#id_attendance-5-new_person")
    for i, person in enumerate(people):
        page.fill(f"#id_attendance-{i}-entity", person)
    page.select_option("#id_attendance-7-role", "presenter")
    # a resident the tracker does not know yet
    page.fill("#id_attendance-8-entity", "Dana Okafor")
    page.check("#id_attendance-8-new_person")
    page.click("text=Save meeting")

    page.wait_for_url(f"{live_server.url}/meetings/")
    attendance = Meeting.objects.get(title="Youth focus group").attendance
    newcomer = Entity.objects.get(name="Dana Okafor")
    assert newcomer.kind == "person"
    assert sorted(attendance.values_list("entity__external_id", flat=True)) == sorted([*people, newcomer.external_id])
    assert attendance.get(entity__external_id=people[7]).role == "presenter"


def test_board_member_without_javascript_asks_for_more_rows_and_keeps_what_they_typed(signed_in, live_server):
    from engagement.models import Meeting

    people = list(Entity.objects.filter(kind="person").order_by("external_id").values_list("external_id", flat=True)[:7])
    page = signed_in("board_member", java_script_enabled=False)
    page.goto(f"{live_server.url}/meetings/new/")
    assert not page.is_visible("text=Add an attendee")
    page.select_option("#id_type", "focus_group")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_title", "Youth focus group")
    for i, person in enumerate(people[:5]):
        page.fill(f"#id_attendance-{i}-entity", person)
    page.select_option("#id_attendance-1-role", "presenter")
    page.fill("#id_attendance-5-entity", "Dana Okafor")
    page.check("#id_attendance-5-new_person")

    page.click("text=Show six more rows")

    assert page.input_value("#id_attendance-TOTAL_FORMS") == "12" and page.locator(".error").count() == 0
    assert [page.input_value(f"#id_attendance-{i}-entity") for i in range(6)] == [*people[:5], "Dana Okafor"]
    assert page.input_value("#id_attendance-1-role") == "presenter" and page.is_checked("#id_attendance-5-new_person")
    assert page.input_value("#id_title") == "Youth focus group" and not Meeting.objects.filter(title="Youth focus group").exists()
    page.fill("#id_attendance-9-entity", people[5])
    page.fill("#id_attendance-10-entity", people[6])
    page.click("text=Save meeting")

    page.wait_for_url(f"{live_server.url}/meetings/")
    attendance = Meeting.objects.get(title="Youth focus group").attendance
    newcomer = Entity.objects.get(name="Dana Okafor")
    assert sorted(attendance.values_list("entity__external_id", flat=True)) == sorted([*people, newcomer.external_id])
    assert attendance.get(entity__external_id=people[1]).role == "presenter"


def test_board_member_finds_and_corrects_a_meeting_they_logged(signed_in, live_server):
    from engagement.models import Meeting

    page = signed_in("board_member")
    log_private_meeting(page, live_server, "Coffee wiht the chief", ["x-a2", "x-b2"])

    page.click("text=Meetings you logged")
    page.click("text=Coffee wiht the chief")
    page.click("text=Correct this meeting")
    page.fill("#id_title", "Coffee with the chief")
    page.fill("#id_attendance-1-entity", "")  # x-b2 was not there after all (rows are listed by name)
    page.fill("#id_source_url", "https://lakeside.example.org/calendar/coffee")  # where it can be checked
    page.click("text=Save meeting")

    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title="Coffee with the chief")
    assert list(meeting.attendance.values_list("entity__external_id", flat=True)) == ["x-a2"]
    assert page.get_attribute("#meeting-source a", "href") == "https://lakeside.example.org/calendar/coffee"
    # someone else's meeting (here an imported one) has no correction link for a board member
    page.goto(f"{live_server.url}/meetings/{Meeting.objects.exclude(pk=meeting.pk).first().pk}/")
    assert "Correct this meeting" not in page.content() and "an analyst can correct this one" in page.content()


def test_analyst_reviews_a_flag(signed_in, live_server):
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/flags/?rule=REVOLVING_DOOR")
    page.click("td >> a:has-text('Revolving door') >> nth=0")

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


def test_analyst_imports_a_data_set_fixes_a_refused_row_and_downloads_what_was_imported(signed_in, live_server, tmp_path):
    """Meetings of a new season: the first upload has a meeting without a date, refused on its line
    with nothing written; fixed, it imports, its meeting counts, and the files as given download."""
    from engagement.models import Meeting

    meetings, attendance = tmp_path / "meetings.csv", tmp_path / "attendance.csv"
    meetings.write_text("external_id,date,type,title\nnew-1,,private_meeting,Lunch\n")
    attendance.write_text("meeting,entity\nnew-1,lk-pd\nnew-1,lk-ob\n")
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/data/")
    page.set_input_files("#id_files", [str(meetings), str(attendance)])
    page.click("text=Check and import")

    assert "1 problem found; nothing was imported" in page.inner_text("#upload")
    assert "meetings.csv\t2\tdate" in page.inner_text("#upload table")
    assert not Meeting.objects.filter(external_id="new-1").exists()

    meetings.write_text(f"external_id,date,type,title\nnew-1,{timezone.localdate().isoformat()},private_meeting,Lunch\n")
    page.set_input_files("#id_files", [str(meetings), str(attendance)])
    page.click("text=Check and import")

    assert "Imported" in page.inner_text("#upload h2")
    assert Meeting.objects.get(external_id="new-1").attendance.count() == 2
    with page.expect_download() as download:
        page.click("text=Download (.zip) >> nth=0")
    with zipfile.ZipFile(download.value.path()) as archive:
        assert archive.read("meetings.csv") == meetings.read_bytes()


def test_city_staff_are_refused_what_they_may_not_do(signed_in, live_server):
    page = signed_in("city_staff")

    for url in ("/meetings/new/", "/data/", "/scoring/settings/"):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 403, url
        assert "Only " in page.inner_text("main"), url  # the page says who may
    page.goto(f"{live_server.url}/")
    assert "Data sets" not in page.inner_text("nav")


def test_administrator_previews_then_changes_the_half_life_and_recomputes(signed_in, live_server):
    page = signed_in("administrator")
    page.click("nav >> text=Admin")
    page.click("nav >> text=Scoring settings")

    page.fill("#id_half_life_days", "200")
    page.click("text=Preview the changes")
    preview = page.inner_text("#preview")
    assert "Preview (nothing saved)" in preview and "would become close" in preview
    assert float(page.input_value("#id_half_life_days")) == 200  # as typed, still to save
    page.fill("#id_reason", "Older evidence says little about ties today.")
    page.click("text=Save and recompute now")

    assert "A full recompute has been queued" in page.inner_text(".alert")
    page.goto(f"{live_server.url}/")
    status = page.inner_text(".recompute-status")
    assert "half-life 200 days" in status and "Older evidence says little about ties today." in status


def test_the_preview_box_updates_by_itself_when_the_worker_finishes(signed_in, live_server, monkeypatch):
    """With a worker that has not yet run the preview, the page says it is waiting, then shows
    the result without a reload once the worker has (htmx asks every few seconds)."""
    from scoring.models import SettingsPreview
    from scoring.services import settings_preview_run
    from scoring.tasks import settings_preview_task

    monkeypatch.setattr(settings_preview_task, "delay", lambda preview_id: None)  # a busy worker
    page = signed_in("administrator")
    page.goto(f"{live_server.url}/scoring/settings/")
    page.fill("#id_component_interaction", "0.5")
    page.click("text=Preview the changes")

    assert "Waiting for a worker" in page.inner_text("#preview")
    settings_preview_run(SettingsPreview.objects.latest("pk").pk)  # the worker gets to it
    page.wait_for_selector("#preview-left", timeout=10_000)
    assert "would no longer be" in page.inner_text("#preview") and page.url.endswith(f"?preview={SettingsPreview.objects.latest('pk').pk}")


def test_the_upload_box_updates_by_itself_when_the_worker_finishes(signed_in, live_server, monkeypatch, tmp_path):
    """With a worker that has not yet taken the upload, the data sets page says it is waiting, then
    shows the report without a reload once the worker has imported it (htmx asks every few seconds)."""
    from interchange.models import ImportRequest
    from interchange.services import import_request_run
    from interchange.tasks import import_request_task

    monkeypatch.setattr(import_request_task, "delay", lambda request_id: None)  # a busy worker
    disclosures = tmp_path / "disclosures.csv"
    disclosures.write_text("external_id,discloser,relationship,disclosed_on\n")
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/data/")
    page.set_input_files("#id_files", str(disclosures))
    page.click("text=Check and import")

    assert "Waiting for a worker" in page.inner_text("#upload")
    import_request_run(ImportRequest.objects.latest("pk").pk)  # the worker gets to it
    page.wait_for_selector("#upload >> text=Imported", timeout=10_000)
    assert "Nothing changed" in page.inner_text("#upload")


def test_an_analyst_takes_a_whole_rule_under_review_at_once(signed_in, live_server):
    """Filter the queue to one rule, tick every box with the header's box, give one reason: each
    of those flags is under review with that reason, the others untouched."""
    from conflicts.models import Flag

    page = signed_in("analyst")
    page.goto(f"{live_server.url}/flags/?rule=OVERSIGHT_TOO_CLOSE")
    page.check("input.select-all")
    page.select_option("#id_to_status", "under_review")
    page.fill("#id_reason", "Reviewing every oversight body close to its department")
    page.click("text=Change the ticked flags")

    page.wait_for_url(re.compile(r"/flags/\?rule=OVERSIGHT_TOO_CLOSE$"))
    assert "flags are now under review" in page.inner_text(".alert") or "flag is now under review" in page.inner_text(".alert")
    statuses = set(Flag.objects.filter(rule="OVERSIGHT_TOO_CLOSE", holds=True).values_list("status", flat=True))
    assert statuses == {"under_review"}
    assert Flag.objects.exclude(rule="OVERSIGHT_TOO_CLOSE").filter(status="under_review").count() == 0


def test_an_administrator_merges_an_entity_entered_twice_and_undoes_it(signed_in, live_server):
    """From the sources page's duplicates: the plan, the merge, the kept entity's page with the
    twin's relationship; then the merge undone from that page, the twin back with its relationship."""
    from entities.models import Entity
    from relationships.models import Relationship

    department = Entity.objects.get(external_id="lk-pd")
    twin = Entity.objects.create(external_id="lk-pd-twin", name="Lakeside Police Department.", kind=department.kind,
                                 jurisdiction=department.jurisdiction)
    Relationship.objects.create(external_id="r-twin-1", source=Entity.objects.get(external_id="lk-ob"), target=twin,
                                type="oversees", source_url="https://example.org/charter")
    page = signed_in("administrator")
    page.goto(f"{live_server.url}/sources/")
    page.click("text=merge lk-pd-twin into lk-pd")
    assert "relationships" in page.inner_text("#merge-plan")
    page.click("text=Merge and delete lk-pd-twin")

    page.wait_for_url(f"{live_server.url}/entities/lk-pd/")
    assert "merged into this entity" in page.inner_text(".alert")
    assert "r-twin-1" in page.content() and not Entity.objects.filter(external_id="lk-pd-twin").exists()

    page.click("#merged-in summary")
    page.click("text=undo this merge")
    assert "relationships" in page.inner_text("#undo-plan")
    page.click("text=Undo the merge and put back lk-pd-twin")

    page.wait_for_url(f"{live_server.url}/entities/lk-pd-twin/")
    assert "is undone" in page.inner_text(".alert") and "r-twin-1" in page.content()
    assert Relationship.objects.get(external_id="r-twin-1").target.external_id == "lk-pd-twin"


def test_a_resident_answers_a_survey_without_signing_in(browser, signed_in, live_server):
    from engagement.models import FeedbackResponse, Meeting

    meeting = Meeting.objects.exclude(type="private_meeting").order_by("date").first()
    board = signed_in("board_member")
    board.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    board.click("text=Create a survey link")
    link = board.inner_text("a.survey-link")  # the absolute link a board member copies

    resident = browser.new_context().new_page()  # no sign-in, no cookies
    resident.goto(link)
    assert "How much do you trust" in resident.content()
    resident.check("input[name=trust][value='2']")
    resident.check("input[name=felt_heard][value=partly]")
    resident.fill("#id_comment", "Too little time for questions.")
    resident.click("text=Send my answer")
    assert "recorded anonymously" in resident.inner_text("#survey-thanks")
    resident.goto(link)
    assert "already answered" in resident.content()  # one answer per browser session
    resident.context.close()

    assert FeedbackResponse.objects.filter(survey__meeting=meeting).count() == 1
    board.reload()
    assert "1 answer" in board.inner_text("#survey-results") and "average trust 2.0" in board.inner_text("#survey-results")
    assert "Too little time for questions." in board.inner_text("#survey-comments")


def test_a_reported_conflict_becomes_evidence_only_when_an_analyst_accepts_it(signed_in, live_server):
    from relationships.models import Relationship

    staff = signed_in("city_staff")
    staff.goto(f"{live_server.url}/reports/new/")
    staff.fill("#id_source", "p-bma")
    staff.select_option("#id_type", "personal")
    staff.fill("#id_target", "lk-pd")
    staff.fill("#id_source_url", "https://news.example.org/fox")
    staff.click("text=Send the report")
    assert "waiting for an analyst" in staff.inner_text(".alert")
    report_url = staff.url
    assert not Relationship.objects.filter(external_id__startswith="report-").exists()

    analyst = signed_in("analyst")
    analyst.goto(f"{live_server.url}/reports/")
    analyst.click("#reports a")
    analyst.select_option("#id_decision", "accept")
    analyst.fill("#id_reason", "Confirmed with the clerk")
    analyst.click("text=Record the decision")
    assert "is now evidence" in analyst.inner_text(".alert")
    assert analyst.url == report_url
    assert Relationship.objects.get(external_id__startswith="report-").source_url == "https://news.example.org/fox"


def test_a_tie_with_a_company_not_in_the_tracker_is_reported_by_name_and_added_by_the_analyst_who_accepts_it(signed_in, live_server):
    from relationships.models import Relationship

    board = signed_in("board_member")
    board.goto(f"{live_server.url}/reports/new/")
    board.fill("#id_source", "lk-pd")
    board.select_option("#id_type", "funds")
    board.fill("#id_target", "Acme Towing")
    board.fill("#id_amount", "5000")
    board.fill("#id_source_url", "https://news.example.org/acme")
    board.click("text=Send the report")
    assert "tick “Not in the tracker yet”" in board.inner_text("main")
    board.check("#id_target_is_new")
    board.click("text=Send the report")
    assert "waiting for an analyst" in board.inner_text(".alert") and "Acme Towing (not in the tracker yet)" in board.inner_text("#report-tie")

    analyst = signed_in("analyst")
    analyst.goto(board.url)
    acme = added_in_a_new_tab(analyst, "Acme Towing", "business")

    analyst.select_option("#id_decision", "accept")
    analyst.fill("#id_reason", "The contract is on the city's site")
    analyst.fill("#id_target_entity", acme)
    analyst.click("text=Record the decision")
    assert "is now evidence" in analyst.inner_text(".alert")
    funding = Relationship.objects.get(external_id__startswith="report-")
    assert (funding.source.external_id, funding.target.external_id, str(funding.amount)) == ("lk-pd", acme, "5000.00")


def test_an_analyst_records_a_relationship_from_a_page_then_adds_its_source(signed_in, live_server):
    from relationships.models import Relationship

    before = current_tenths("x-a2", "x-b2")
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/entities/x-a2/")
    page.click("text=Record a relationship of")
    assert page.input_value("#id_source") == "x-a2"
    page.select_option("#id_type", "personal")
    page.fill("#id_target", "Example Person B2")
    page.fill("#id_start_date", "2024-05-01")
    page.click("text=Record the relationship")

    page.wait_for_url(re.compile(r"/relationships/r-web-[0-9a-f]{12}/$"))
    assert "Recorded" in page.inner_text(".alert")
    recorded = Relationship.objects.get(source__external_id="x-a2", target__external_id="x-b2")
    assert current_tenths("x-a2", "x-b2") > before
    assert "none given" in page.inner_text("#relationship-source")
    # the source found later, added from the relationship's page
    page.click("text=Correct this relationship")
    page.fill("#id_source_url", "https://news.example.org/friends")
    page.click("text=Save the corrections")
    page.wait_for_url(f"{live_server.url}/relationships/{recorded.external_id}/")
    assert page.get_attribute("#relationship-source a", "href") == "https://news.example.org/friends"


def test_an_analyst_adds_a_donor_and_records_its_contribution_to_an_official(signed_in, live_server):
    from relationships.models import Relationship

    page = signed_in("analyst")
    page.goto(f"{live_server.url}/entities/")
    page.click("text=Add an entity")
    page.fill("#id_name", "Harbor Security Group")
    page.select_option("#id_kind", "business")
    page.fill("#id_jurisdiction", "City of Lakeside")
    page.click("text=Add the entity")

    page.wait_for_url(re.compile(r"/entities/e-harbor-security-group-[0-9a-f]{6}/$"))
    assert "Added Harbor Security Group" in page.inner_text(".alert")
    page.click("text=Record a relationship of")
    page.select_option("#id_type", "contributes_to")
    page.fill("#id_target", "eo-c1")
    page.fill("#id_start_date", "2026-03-02")
    page.click("text=Record the relationship")
    assert "required for contributes_to" in page.inner_text("#id_amount_error")  # the amount a contribution needs
    page.fill("#id_amount", "2500")
    page.fill("#id_source_url", "https://campaignfinance.example.gov/filings/881")
    page.click("text=Record the relationship")

    page.wait_for_url(re.compile(r"/relationships/r-web-[0-9a-f]{12}/$"))
    contribution = Relationship.objects.get(source__name="Harbor Security Group")
    assert (contribution.type, contribution.target.external_id, str(contribution.amount)) == ("contributes_to", "eo-c1", "2500.00")
    assert page.get_attribute("#relationship-source a", "href") == "https://campaignfinance.example.gov/filings/881"


def added_in_a_new_tab(page, name: str, kind: str) -> str:
    """Follow a page's offer to add an entity not in the tracker ("add it", a new tab opening "Add
    an entity" with `name` filled in), add it as `kind`, close the tab: the new entity's id."""
    with page.context.expect_page() as opened:
        page.click("#ends-to-add >> text=add it")
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.input_value("#id_name") == name
    tab.select_option("#id_kind", kind)
    tab.click("text=Add the entity")
    tab.wait_for_url(re.compile(r"/entities/[^/]+/$"))
    external_id = tab.url.rstrip("/").rsplit("/", 1)[1]
    tab.close()
    return external_id


def test_an_analyst_adds_a_donor_the_relationship_names_in_a_new_tab_and_records_it_as_typed(signed_in, live_server):
    from relationships.models import Relationship

    page = signed_in("analyst")
    page.goto(f"{live_server.url}/record/relationship/")
    page.fill("#id_source", "Harbor Security Group")
    page.select_option("#id_type", "contributes_to")
    page.fill("#id_target", "eo-c1")
    page.fill("#id_start_date", "2026-03-02")
    page.fill("#id_amount", "2500")
    page.fill("#id_source_url", "https://campaignfinance.example.gov/filings/881")
    page.click("text=Record the relationship")
    assert "No entity" in page.inner_text("#id_source_error")

    assert added_in_a_new_tab(page, "Harbor Security Group", "business").startswith("e-harbor-security-group-")

    assert page.input_value("#id_amount") == "2500"  # the first tab as it was
    page.click("text=Record the relationship")
    page.wait_for_url(re.compile(r"/relationships/r-web-[0-9a-f]{12}/$"))
    contribution = Relationship.objects.get(source__name="Harbor Security Group")
    assert (contribution.type, contribution.target.external_id, str(contribution.amount)) == ("contributes_to", "eo-c1", "2500.00")


def unsourced_flag_evidence():
    """The first relationship behind an open flag, its source taken away: the Sources page lists it
    under "Behind open flags", with a field to give it one."""
    from conflicts.models import Flag
    from relationships.models import Relationship

    evidence = Flag.objects.filter(status="open", evidence__isnull=False).order_by("pk").first().evidence.order_by("external_id").first()
    Relationship.objects.filter(pk=evidence.pk).update(source_url="")
    return evidence


def save_source_beside(page, evidence, source_url: str):
    """Type `source_url` in the field beside `evidence` on the Sources page and press its Save."""
    row = page.locator(f"#behind-flags #unsourced-{evidence.external_id}")
    row.locator("input[name=source_url]").fill(source_url)
    row.locator("button", has_text="Save").click()


def test_an_analyst_gives_unsourced_facts_their_sources_on_the_sources_page(signed_in, live_server):
    from relationships.models import Relationship

    evidence = unsourced_flag_evidence()
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/sources/")
    save_source_beside(page, evidence, "https://lakeside.example.net/records/again")

    page.locator(f"#behind-flags #unsourced-{evidence.external_id} .saved").wait_for()
    assert page.url == f"{live_server.url}/sources/"  # the row changed in place
    assert Relationship.objects.get(pk=evidence.pk).source_url == "https://lakeside.example.net/records/again"


def test_a_source_saved_with_two_clicks_on_the_sources_page_is_sent_once_its_button_held_meanwhile(signed_in, live_server):
    """htmx sends the row's save (submit-once.js leaves htmx's requests be): it drops a second one
    while the first is on its way, and the button says so, held until the answer."""
    import time

    evidence = unsourced_flag_evidence()
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/sources/")
    sent = []

    def slow_answer(route):
        sent.append(route.request.url)
        time.sleep(0.5)
        route.continue_()

    page.route("**/source/", slow_answer)
    row = page.locator(f"#behind-flags #unsourced-{evidence.external_id}")
    row.locator("input[name=source_url]").fill("https://lakeside.example.net/records/twice")
    held = row.evaluate("""row => new Promise(answer => {
        const save = row.querySelector("button");
        save.click();
        setTimeout(() => { const wasHeld = save.disabled; save.click(); answer(wasHeld); }, 50);
    })""")

    page.locator(f"#behind-flags #unsourced-{evidence.external_id} .saved").wait_for()
    page.wait_for_timeout(1000)  # a second save, were it sent, would be in by now
    assert held
    assert sent == [f"{live_server.url}/relationships/{evidence.external_id}/source/"]


def test_a_source_refused_on_the_sources_page_says_why_in_its_row(signed_in, live_server):
    from relationships.models import Relationship

    evidence = unsourced_flag_evidence()
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/sources/")
    save_source_beside(page, evidence, "   ")

    # the server's refusal (a 400 with the row) replaces the row, saying why beside the field
    refused = page.locator(f"#behind-flags #unsourced-{evidence.external_id} .error")
    refused.wait_for(timeout=5000)
    assert "required" in refused.inner_text()
    assert page.locator(f"#behind-flags #unsourced-{evidence.external_id} input[aria-invalid=true]").count() == 1
    assert Relationship.objects.get(pk=evidence.pk).source_url == ""


def test_a_source_saved_after_the_session_ended_is_kept_through_signing_in_and_saved(signed_in, live_server, scored_site):
    from relationships.models import Relationship

    evidence = unsourced_flag_evidence()
    page = signed_in("analyst")
    page.goto(f"{live_server.url}/sources/")
    # every check shown: an answer still on its way would set the session's cookie again
    page.wait_for_function("() => !document.querySelector('#source-checks [hx-get]')", timeout=10000)
    page.context.clear_cookies(name="sessionid")  # the session ended (timed out, or signed out in another tab)

    save_source_beside(page, evidence, "https://lakeside.example.net/records/late")

    # the whole page goes to the sign-in page, not the sign-in page into the row
    page.wait_for_url(f"{live_server.url}/login/?next=%2Funsaved%2F", timeout=5000)
    assert page.locator("#id_username").count() == 1 and page.locator("table #id_username").count() == 0
    assert "what you sent was not saved yet" in page.inner_text("main")
    assert Relationship.objects.get(pk=evidence.pk).source_url == ""
    fill_in_sign_in(page, scored_site["analyst"].username)
    page.wait_for_url(f"{live_server.url}/unsaved/")
    assert "https://lakeside.example.net/records/late" in page.inner_text(".unsaved-fields")

    page.click("button:has-text('Save it now')")

    page.wait_for_url(re.compile(re.escape(f"{live_server.url}/sources/") + "(#behind-flags)?$"))
    assert f"Saved the source of {evidence.external_id}." in page.inner_text("main")
    assert Relationship.objects.get(pk=evidence.pk).source_url == "https://lakeside.example.net/records/late"


def test_a_meeting_logged_after_the_session_ended_is_kept_through_signing_in_and_saved(signed_in, live_server, scored_site):
    from engagement.models import Meeting

    page = signed_in("board_member")
    page.goto(f"{live_server.url}/meetings/new/")
    fill_in_private_meeting(page, "Coffee while signed out", ["x-a2", "x-b2"])
    page.context.clear_cookies(name="sessionid")  # a long pause while the notes were written
    page.click("text=Save meeting")
    page.wait_for_url(f"{live_server.url}/login/?next=/unsaved/")
    assert not Meeting.objects.filter(title="Coffee while signed out").exists()

    fill_in_sign_in(page, scored_site["board_member"].username)
    page.wait_for_url(f"{live_server.url}/unsaved/")
    page.click("button:has-text('Save it now')")

    page.wait_for_url(f"{live_server.url}/meetings/")
    assert "Logged" in page.inner_text(".alert")
    meeting = Meeting.objects.get(title="Coffee while signed out")
    assert sorted(meeting.attendance.values_list("entity__external_id", flat=True)) == ["x-a2", "x-b2"]
    page.goto(f"{live_server.url}/")
    assert "A form you sent was not saved" not in page.inner_text("main")


def test_a_part_of_a_page_not_read_or_not_saved_says_so_and_a_retry_that_saves_clears_it(signed_in, live_server):
    from relationships.models import Relationship

    evidence = unsourced_flag_evidence()
    page = signed_in("analyst")
    page.route("**/sources/?checks=ties", lambda route: route.fulfill(status=500, body="Server Error"))
    page.route("**/sources/?checks=names", lambda route: route.abort())
    page.goto(f"{live_server.url}/sources/")

    page.locator("#checks-ties-failure").wait_for(timeout=5000)
    page.locator("#checks-names-failure").wait_for(timeout=5000)
    assert page.inner_text("#checks-ties-failure") == "Not shown: the server answered 500. Reload the page to try again."
    assert page.inner_text("#checks-names-failure") == "Not shown: the server could not be reached. Reload the page to try again."
    page.locator("#checks-meetings:not([hx-get])").wait_for(state="attached", timeout=5000)  # the part that was read is in
    assert page.locator("#checks-meetings-failure").count() == 0

    saving = f"**/relationships/{evidence.external_id}/source/"
    page.route(saving, lambda route: route.fulfill(status=500, body="Server Error"))
    save_source_beside(page, evidence, "https://lakeside.example.net/records/retried")
    failure = page.locator(f"#unsourced-{evidence.external_id}-failure")
    failure.wait_for(timeout=5000)
    assert failure.inner_text() == "Not saved: the server answered 500. Try again."
    assert failure.get_attribute("role") == "alert" and Relationship.objects.get(pk=evidence.pk).source_url == ""

    page.unroute(saving)
    page.locator(f"#behind-flags #unsourced-{evidence.external_id} button", has_text="Save").click()
    page.locator(f"#behind-flags #unsourced-{evidence.external_id} .saved").wait_for(timeout=5000)
    assert failure.count() == 0
    assert Relationship.objects.get(pk=evidence.pk).source_url == "https://lakeside.example.net/records/retried"


def test_a_box_that_updates_itself_stops_asking_once_the_server_refuses_it(signed_in, live_server):
    from interchange.models import ImportRequest

    upload = ImportRequest.objects.create(actor="e2e", file_names=["entities.csv"])  # queued: no worker takes it here
    page = signed_in("analyst")
    asked = []
    page.on("request", lambda request: asked.append(request.url) if f"/data/requests/{upload.pk}/" in request.url else None)
    page.goto(f"{live_server.url}/data/?request={upload.pk}")
    page.wait_for_function("n => window.performance.getEntriesByType('resource').some(e => e.name.includes(n))", arg=f"/data/requests/{upload.pk}/")
    upload.delete()  # its report no longer kept (housekeeping), the page still open

    note = page.locator("#upload-body-failure")
    note.wait_for(timeout=10000)
    asked_when_refused = len(asked)
    page.wait_for_timeout(5000)  # two more turns of "every 2s"

    assert note.inner_text() == "Not shown: the server answered 404; this box no longer updates by itself. Reload the page to try again."
    assert len(asked) == asked_when_refused
    assert page.locator("#upload-body").count() == 1  # what it last showed stays


def test_a_meeting_logged_from_a_page_out_of_date_is_kept_and_saved(signed_in, live_server):
    from engagement.models import Meeting

    page = signed_in("board_member")
    page.goto(f"{live_server.url}/meetings/new/")
    fill_in_private_meeting(page, "Coffee from an old tab", ["x-a2", "x-b2"])
    # signed in again in another tab: the browser's token is no longer the one the page holds
    page.context.add_cookies([{"name": "csrftoken", "value": "b" * 32, "url": live_server.url}])
    page.click("text=Save meeting")

    # the browser says the form came from this site (Origin), so it is kept, not refused
    page.wait_for_url(f"{live_server.url}/unsaved/")
    assert "The page you sent was out of date" in page.inner_text("main")
    assert not Meeting.objects.filter(title="Coffee from an old tab").exists()
    page.click("button:has-text('Save it now')")

    page.wait_for_url(f"{live_server.url}/meetings/")
    assert Meeting.objects.filter(title="Coffee from an old tab").exists()


def test_a_meeting_saved_with_two_clicks_is_logged_once(signed_in, live_server):
    from engagement.models import Meeting

    page = signed_in("board_member")
    page.goto(f"{live_server.url}/meetings/new/")
    fill_in_private_meeting(page, "Clicked twice", ["x-a2", "x-b2"])
    # the second click while the first save is on its way (a double click, or an impatient one)
    page.evaluate("""() => {
        const save = [...document.querySelectorAll("button")].find(b => b.textContent.includes("Save meeting"));
        save.click();
        setTimeout(() => save.click(), 50);
    }""")

    page.wait_for_url(f"{live_server.url}/meetings/")
    page.wait_for_timeout(1000)  # a second save, were it sent, would be in by now
    assert Meeting.objects.filter(title="Clicked twice").count() == 1
