"""The review queue and flag pages, including status changes from the page."""
import re

import pytest

from conflicts.models import Flag
from tests.dashboard_helpers import scored_lakeside


@pytest.fixture
def scored(db, lakeside_dir):
    scored_lakeside(lakeside_dir)


def funding_flag():
    return Flag.objects.get(rule="FUNDING_DEPENDENCE", subject__external_id="lk-ob")


@pytest.mark.django_db
def test_queue_filters_by_rule_and_severity(scored, client_as):
    page = client_as("city_staff").get("/flags/", {"rule": "PERSONAL_TIE"}).content.decode()

    assert page.count('rule-code">PERSONAL_TIE<') >= 2
    assert 'rule-code">FUNDING_DEPENDENCE<' not in page


@pytest.mark.django_db
def test_the_queue_shows_only_the_flags_on_entities_one_follows_when_asked(scored, client_as):
    from django.contrib.auth import get_user_model

    from entities.models import Entity
    from entities.services import follow_set

    staff = client_as("city_staff")
    reader = get_user_model().objects.get(pk=staff.session["_auth_user_id"])
    assert staff.get("/flags/", {"followed": "on"}).context["table"].paginator.count == 0  # follows nothing yet
    for external_id in ("lk-pd", "lk-pu"):
        follow_set(user=reader, entity=Entity.objects.get(external_id=external_id), following=True)
    followed = set(Entity.objects.filter(external_id__in=["lk-pd", "lk-pu"]))

    listed = [row.record for row in staff.get("/flags/", {"followed": "on"}).context["table"].paginated_rows]

    expected = {f for f in Flag.objects.filter(holds=True) if {f.subject, f.counterpart, *f.persons.all()} & followed}
    assert expected and set(listed) == expected and len(listed) == len(expected)  # each once
    assert len(listed) < Flag.objects.filter(holds=True).count()
    download = staff.get("/flags/", {"followed": "on", "export": "csv"})
    assert len(b"".join(download.streaming_content).decode("utf-8-sig").strip().splitlines()) == len(expected) + 1


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["rule", "subject", "counterpart", "disclosed"])
def test_sorting_the_queue_by_a_column_keeps_review_order_within_its_ties(scored, client_as, column):
    """Many flags share a rule or a subject: within those, the most pressing first (open before
    under review, high before low), not the database's order."""
    from conflicts.selectors import in_review_order

    Flag.objects.filter(pk=funding_flag().pk).update(status="under_review")
    rows = client_as("city_staff").get("/flags/", {"sort": column, "per_page": 500}).context["table"].rows
    listed = [row.record.pk for row in rows]

    def key(flag):
        value = {"rule": flag.rule, "subject": flag.subject.name, "counterpart": flag.counterpart.name, "disclosed": flag.disclosed}[column]
        return value, flag.status_rank, flag.severity_rank
    ranked = list(in_review_order(Flag.objects.filter(holds=True)))
    assert len(listed) == len(ranked) > 10
    assert [key(f) for f in sorted(ranked, key=lambda f: listed.index(f.pk))] == sorted(key(f) for f in ranked)


@pytest.mark.django_db
def test_the_queue_downloads_what_it_lists_in_the_exports_columns(scored, client_as, tmp_path):
    """The queue's download has flags.csv's columns and rows (persons and evidence included), for
    the flags the filters select."""
    import csv
    import io

    from interchange.export import dataset_export

    dataset_export(tmp_path)
    exported = list(csv.DictReader((tmp_path / "flags.csv").open(encoding="utf-8")))
    download = client_as("city_staff").get("/flags/", {"export": "csv", "rule": "PERSONAL_TIE"})
    listed = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))

    assert list(listed[0]) == list(exported[0])
    assert sorted(listed, key=str) == sorted((row for row in exported if row["rule"] == "PERSONAL_TIE"), key=str)
    assert all(row["persons"] and row["evidence"] for row in listed)


@pytest.mark.django_db
def test_flag_page_shows_explanation_evidence_persons_and_history(scored, client_as):
    flag = Flag.objects.get(rule="PERSONAL_TIE", subject__external_id="lk-ob")

    page = client_as("city_staff").get(f"/flags/{flag.pk}/").content.decode()

    assert "has a family tie with Officer Casey Dunn" in page
    assert "t-01" in page and "Board Chair Ellis Ward" in page
    assert "Raised by the recompute as of 2026-06-30" in page
    assert "Change status" not in page  # city staff cannot review


@pytest.mark.django_db
def test_flag_page_links_each_disclosure_to_where_it_is_on_file(scored, client_as):
    from relationships.models import Disclosure

    disclosure = Disclosure.objects.filter(relationship__flags__isnull=False).order_by("external_id").first()
    flag = disclosure.relationship.flags.first()
    page = client_as("city_staff").get(f"/flags/{flag.pk}/").content.decode()
    assert f"{disclosure.disclosed_on} (no source)</span>" in page  # the lakeside example cites none

    Disclosure.objects.filter(pk=disclosure.pk).update(source_url="https://lakeside.example.org/ethics/7")
    page = client_as("city_staff").get(f"/flags/{flag.pk}/").content.decode()
    assert f'<a href="https://lakeside.example.org/ethics/7" rel="noopener noreferrer nofollow">{disclosure.disclosed_on}</a>' in page


@pytest.mark.django_db
def test_an_analyst_reviewing_a_flag_records_a_disclosure_of_its_evidence_from_its_page(scored, client_as):
    flag = Flag.objects.filter(evidence__isnull=False, evidence__disclosures__isnull=True).order_by("pk").first()
    evidence = flag.evidence.filter(disclosures__isnull=True).order_by("external_id").first()
    link = f'(<a href="/relationships/{evidence.external_id}/disclosures/new/">record one</a>)'

    assert link in client_as("analyst").get(f"/flags/{flag.pk}/").content.decode()
    assert "record one" not in client_as("city_staff").get(f"/flags/{flag.pk}/").content.decode()


@pytest.mark.django_db
def test_the_pages_say_what_each_rule_means(scored, client_as):
    """City staff read rule codes in the queue: the queue explains every rule, a flag's page its
    own, the overview names the rules, and the rule filter offers their names."""
    from django.utils.html import escape

    from conflicts.rules import RULE_TEXTS, RULES

    client = client_as("city_staff")
    queue = client.get("/flags/").content.decode()
    flag = funding_flag()
    page = client.get(f"/flags/{flag.pk}/").content.decode()
    overview = client.get("/").content.decode()

    assert set(RULE_TEXTS) == set(RULES)
    for code, text in RULE_TEXTS.items():
        assert f"{text.label} <code>{code}</code>" in queue and escape(text.plain_words) in queue
        assert f'<option value="{code}">{code} ({text.label})</option>' in queue
    assert "less than 2 years ago" in escape(RULE_TEXTS["FUNDING_DEPENDENCE"].plain_words)  # the rule's own window
    assert (f"<strong>Funding dependence</strong> (<code>FUNDING_DEPENDENCE</code>): {escape(RULE_TEXTS['FUNDING_DEPENDENCE'].plain_words)} "
            "Here X is Lakeside Police Department.") in page
    assert "<title>Funding dependence: Lakeside Police Oversight Board / Lakeside Police Department" in page
    assert "<h1>Funding dependence: <a" in page
    assert '?rule=FUNDING_DEPENDENCE">Funding dependence</a>' in overview and 'href="/flags/#rules"' in overview


def test_the_rules_doc_says_what_the_pages_say():
    """docs/conflict-rules.md's table and the pages' rule texts are the same sentences (the doc
    marks code words)."""
    from pathlib import Path

    from conflicts.rules import RULE_TEXTS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "conflict-rules.md").read_text()
    rows = {}
    for line in doc.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in RULE_TEXTS:
            rows[cells[0]] = (cells[1].replace("`", ""), cells[2])
    assert rows == {code: (text.plain_words, text.severity) for code, text in RULE_TEXTS.items()}


@pytest.mark.django_db
def test_an_analyst_moves_a_flag_with_a_reason(scored, client_as):
    client = client_as("analyst")
    flag = funding_flag()

    response = client.post(f"/flags/{flag.pk}/status/", {"to_status": "under_review", "reason": "Asking the board."}, follow=True)

    assert response.status_code == 200
    assert funding_flag().status == "under_review"
    assert "Asking the board." in response.content.decode()


@pytest.mark.django_db
def test_a_refused_transition_says_why(scored, client_as):
    flag = funding_flag()

    response = client_as("analyst").post(f"/flags/{flag.pk}/status/", {"to_status": "resolved", "reason": "Done."}, follow=True)

    assert "cannot become resolved" in response.content.decode()
    assert funding_flag().status == "open"


@pytest.mark.django_db
def test_a_status_change_from_a_page_shown_before_someone_moved_the_flag_is_refused_and_kept(scored, client_as):
    from tests.form_helpers import FormsOnPage

    flag = funding_flag()
    client = client_as("analyst")
    shown = FormsOnPage(client.get(f"/flags/{flag.pk}/").content.decode()).fields_of(f"/flags/{flag.pk}/status/")
    client.post(f"/flags/{flag.pk}/status/", {"to_status": "under_review", "reason": "Asking the board."})  # a colleague

    refused = client.post(f"/flags/{flag.pk}/status/", {**shown, "to_status": "dismissed", "reason": "Not a conflict."})
    page = refused.content.decode()

    assert shown["shown_status"] == "open"
    assert refused.status_code == 400
    assert "Not changed: someone made this flag under review after you opened this page" in page
    assert "Not a conflict." in page and funding_flag().status == "under_review"
    again = FormsOnPage(page).fields_of(f"/flags/{flag.pk}/status/")
    assert again["shown_status"] == "under_review" and again["reason"] == "Not a conflict."
    assert client.post(f"/flags/{flag.pk}/status/", {**again, "to_status": "dismissed"}).status_code == 302
    assert funding_flag().status == "dismissed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "posted,field_error",
    [
        ({"to_status": "under_review", "reason": ""}, ("reason", "This field is required.")),
        ({"to_status": "", "reason": "Asking the board."}, ("to_status", "This field is required.")),
        ({"to_status": "closed_forever", "reason": "Asking the board."}, ("to_status", "Select a valid choice.")),
    ],
    ids=["no reason", "no status", "unknown status"],
)
def test_an_incomplete_status_change_shows_the_field_at_fault_and_keeps_the_text(scored, client_as, posted, field_error):
    flag = funding_flag()

    response = client_as("analyst").post(f"/flags/{flag.pk}/status/", posted)

    assert response.status_code == 400
    field, message = field_error
    assert message in response.context["form"].errors[field][0]
    if posted["reason"]:
        assert posted["reason"] in response.content.decode()  # what the reviewer wrote is not lost
    assert funding_flag().status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "board_member"])
def test_other_roles_get_403_on_status_changes(scored, client_as, role):
    flag = funding_flag()

    response = client_as(role).post(f"/flags/{flag.pk}/status/", {"to_status": "under_review", "reason": "Mine."})

    assert response.status_code == 403
    assert funding_flag().status == "open"


def open_flags_of(rule: str) -> list[Flag]:
    return list(Flag.objects.filter(rule=rule, status="open", holds=True).order_by("pk"))


@pytest.mark.django_db
def test_an_analyst_moves_several_flags_at_once_each_with_its_history(scored, client_as):
    """Ticked in the queue, one status and one reason: every ticked flag changes, each with its
    own history line; the queue comes back as it was (its filter)."""
    flags = open_flags_of("PERSONAL_TIE") + open_flags_of("OVERSIGHT_TOO_CLOSE")
    analyst = client_as("analyst")

    response = analyst.post("/flags/status/", {
        # a box sent twice (two tabs, a double click) counts once
        "selected": [f.pk for f in flags] + [flags[0].pk], "to_status": "under_review", "reason": "Checking the minutes", "query": "rule=PERSONAL_TIE",
    })

    assert response.status_code == 302 and response["Location"] == "/flags/?rule=PERSONAL_TIE"
    assert len(flags) >= 3
    for flag in flags:
        flag.refresh_from_db()
        last = flag.history.order_by("-id").first()
        assert flag.status == "under_review" and (last.from_status, last.to_status, last.reason) == ("open", "under_review", "Checking the minutes")
        assert last.changed_by.groups.filter(name="analyst").exists() and flag.history.filter(to_status="under_review").count() == 1
    assert f"{len(flags)} flags are now under review." in analyst.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_bulk_change_of_flags_one_of_which_someone_moved_since_the_queue_was_shown_changes_none(scored, client_as):
    from tests.form_helpers import FormsOnPage

    flags = open_flags_of("PERSONAL_TIE")
    analyst = client_as("analyst")
    analyst.post("/flags/status/", {"selected": [f.pk for f in flags], "to_status": "under_review", "reason": "Checking."})
    queue = FormsOnPage(analyst.get("/flags/", {"rule": "PERSONAL_TIE"}).content.decode()).fields_of("/flags/status/")
    shown = {name: value for name, value in queue.items() if name.startswith("shown_status_")}
    analyst.post(f"/flags/{flags[0].pk}/status/", {"to_status": "resolved", "reason": "A colleague resolved it."})  # meanwhile
    ticked = {**shown, "selected": [f.pk for f in flags], "to_status": "open", "reason": "Back to the queue.", "query": "rule=PERSONAL_TIE"}

    refused = analyst.post("/flags/status/", ticked)
    page = refused.content.decode()
    again = {name: value for name, value in FormsOnPage(page).fields_of("/flags/status/").items() if name.startswith("shown_status_")}

    assert shown[f"shown_status_{flags[0].pk}"] == "under_review" and len(shown) >= len(flags)
    assert refused.status_code == 400
    assert f"#{flags[0].pk} (PERSONAL_TIE, " in page and "someone made it resolved after the queue was shown" in page
    assert [Flag.objects.get(pk=f.pk).status for f in flags] == ["resolved"] + ["under_review"] * (len(flags) - 1)  # none moved
    assert again[f"shown_status_{flags[0].pk}"] == "resolved"  # the queue as it is now: sent again, it goes through
    assert analyst.post("/flags/status/", {**ticked, **again}).status_code == 302
    assert {Flag.objects.get(pk=f.pk).status for f in flags} == {"open"}


@pytest.mark.django_db
def test_a_bulk_change_one_flag_cannot_make_changes_none_and_says_which(scored, client_as):
    """A resolved flag cannot go to review: nothing changes, the queue comes back with the boxes
    still ticked, the reason kept and the refused flag named."""
    opened, resolved = open_flags_of("PERSONAL_TIE")[0], funding_flag()
    Flag.objects.filter(pk=resolved.pk).update(status="resolved")

    page = client_as("analyst").post("/flags/status/", {
        "selected": [opened.pk, resolved.pk], "to_status": "under_review", "reason": "Checking", "query": "per_page=500",
    })

    html = page.content.decode()
    assert page.status_code == 400
    assert f"Nothing changed. 1 of the 2 flags cannot: #{resolved.pk} (FUNDING_DEPENDENCE" in html
    assert "cannot become under_review" in html and "Checking</textarea>" in html
    boxes = {tag for tag in re.findall(r'<input [^>]*name="selected"[^>]*>', html)}
    assert len(boxes) > 10 and sum("checked" in tag for tag in boxes) == 2
    assert {tag for tag in boxes if "checked" in tag} == {tag for tag in boxes if f'value="{opened.pk}"' in tag or f'value="{resolved.pk}"' in tag}
    assert Flag.objects.get(pk=opened.pk).status == "open" and not Flag.objects.get(pk=opened.pk).history.filter(to_status="under_review").exists()


@pytest.mark.django_db
def test_a_bulk_change_of_one_flag_that_cannot_make_it_says_the_flag_cannot(scored, client_as):
    resolved = funding_flag()
    Flag.objects.filter(pk=resolved.pk).update(status="resolved")

    page = client_as("analyst").post("/flags/status/", {"selected": [resolved.pk], "to_status": "under_review", "reason": "Checking"})

    assert page.status_code == 400 and f"Nothing changed. The flag cannot: #{resolved.pk} (FUNDING_DEPENDENCE" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("post, message", [
    ({"to_status": "under_review", "reason": "x"}, "No flag selected"),
    ({"selected": ["1x"], "to_status": "under_review", "reason": "x"}, "A ticked box does not name a flag"),
    ({"selected": ["9" * 5000], "to_status": "under_review", "reason": "x"}, "A ticked box does not name a flag"),
    ({"selected": ["999999"], "to_status": "under_review", "reason": "x"}, "No flag #999999"),
    ({"selected": ["FIRST"], "to_status": "under_review", "reason": "  "}, "This field is required."),
    ({"selected": ["FIRST"], "to_status": "sideways", "reason": "x"}, "Select a valid choice"),
    ({"selected": ["FIRST"], "to_status": "", "reason": "x"}, "This field is required."),
])
def test_a_bulk_change_refused_says_why_and_changes_nothing(scored, client_as, post, message):
    first = open_flags_of("PERSONAL_TIE")[0]
    post = {**post, "selected": [str(first.pk) if v == "FIRST" else v for v in post.get("selected", [])]}
    before = list(Flag.objects.order_by("pk").values_list("pk", "status"))

    page = client_as("analyst").post("/flags/status/", post)

    assert page.status_code == 400 and message in page.content.decode()
    assert list(Flag.objects.order_by("pk").values_list("pk", "status")) == before


@pytest.mark.django_db
def test_only_reviewers_get_the_boxes_and_the_bulk_form(scored, client_as):
    staff = client_as("city_staff").get("/flags/").content.decode()
    analyst = client_as("analyst").get("/flags/").content.decode()

    assert 'id="bulk-review"' not in staff and 'name="selected"' not in staff
    assert 'id="bulk-review"' in analyst and analyst.count('name="selected"') == Flag.objects.filter(holds=True).count()
    assert '<option value="" selected>Choose a status</option>' in analyst  # no status until one is picked
    flag = funding_flag()
    assert f'aria-label="Select FUNDING_DEPENDENCE: {flag.subject.name} / {flag.counterpart.name}"' in analyst  # which flag a box ticks
    flag = open_flags_of("PERSONAL_TIE")[0]
    assert client_as("city_staff").post("/flags/status/", {"selected": [flag.pk], "to_status": "under_review", "reason": "x"}).status_code == 403
    assert Flag.objects.get(pk=flag.pk).status == "open"


@pytest.mark.django_db
def test_the_queue_says_who_took_a_flag_under_review_and_lists_a_reviewers_own(scored, client_as, user_with_role):
    from django.contrib.auth import get_user_model

    from conflicts.services import flag_change_status

    other = user_with_role("analyst")
    taken, by_other, back_to_open = Flag.objects.filter(holds=True).order_by("pk")[:3]
    flag_change_status(flag=by_other, to_status="under_review", user=other, reason="Mine.")
    analyst = client_as("analyst")
    me = analyst.session["_auth_user_id"]
    for flag in (taken, back_to_open):
        analyst.post(f"/flags/{flag.pk}/status/", {"to_status": "under_review", "reason": "Asking the board."})
    analyst.post(f"/flags/{back_to_open.pk}/status/", {"to_status": "open", "reason": "Not mine after all."})

    mine = analyst.get("/flags/", {"reviewing": "on"}).context["table"]
    assert [row.record.pk for row in mine.page.object_list] == [taken.pk]  # not the one moved back, not another's
    statuses = {row.record.pk: row.get_cell("status") for row in analyst.get("/flags/").context["table"].page.object_list}
    me_name = get_user_model().objects.get(pk=me).username
    assert statuses[taken.pk] == f"Under review by {me_name}"
    assert statuses[by_other.pk] == f"Under review by {other.username}"
    assert statuses[back_to_open.pk] == "Open"
    # city staff read who reviews what, without the reviewers' own filter
    staff_page = client_as("city_staff").get("/flags/").content.decode()
    assert f"Under review by {other.username}" in staff_page and 'name="reviewing"' not in staff_page


@pytest.mark.django_db
def test_a_flag_whose_situation_ended_offers_no_review_and_refuses_one(scored, client_as):
    flag = funding_flag()
    Flag.objects.filter(pk=flag.pk).update(holds=False, status="resolved", lapsed_on="2026-07-01")
    analyst = client_as("analyst")

    page = analyst.get(f"/flags/{flag.pk}/").content.decode()
    refused = analyst.post(f"/flags/{flag.pk}/status/", {"to_status": "open", "reason": "Look again."}, follow=True)

    assert 'id="no-review"' in page and "Its situation ended as of 2026-07-01" in page and "Change status</button>" not in page
    assert "This flag&#x27;s situation ended as of 2026-07-01: it is closed" in refused.content.decode()
    assert Flag.objects.get(pk=flag.pk).status == "resolved"


@pytest.mark.django_db
def test_a_reviewers_filter_asked_by_an_account_that_reviews_nothing_says_so_and_lists_nothing(scored, client_as):
    staff = client_as("city_staff")
    # an analyst's link to the flags they took under review, opened by city staff
    page = staff.get("/flags/", {"reviewing": "on", "severity": "high"})
    assert page.context["table"].paginator.count == 0
    assert "Only analysts and administrators take flags under review" in page.content.decode()
    assert "has no filter" not in page.content.decode()
    # asked for none of them, it lists as without it
    assert staff.get("/flags/", {"reviewing": "false"}).context["table"].paginator.count == Flag.objects.filter(holds=True).count() > 0
    download = staff.get("/flags/", {"reviewing": "1", "export": "csv"})
    assert len(b"".join(download.streaming_content).decode("utf-8-sig").strip().splitlines()) == 1  # the header alone
