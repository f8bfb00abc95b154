"""The REST API: validation, as_of, tokens, flags' status, merged entities (the permission matrix
over every endpoint is test_roles.py)."""
import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conflicts.models import Flag
from engagement.models import Meeting
from entities.models import Entity
from relationships.models import Relationship
from tests.api.payloads import flag_id, new_entity, new_meeting, new_relationship
from tests.factories import EntityFactory

@pytest.mark.django_db
def test_writes_use_the_importer_rules_and_name_the_field(scored, api_as):
    client = api_as("administrator")

    bad_kind = client.post("/api/entities/", {**new_entity(), "kind": "sheriff"}, format="json")
    same_ends = client.post("/api/relationships/", {**new_relationship(), "target": "lk-nbhd"}, format="json")
    no_amount = client.post("/api/relationships/", {**new_relationship(), "type": "funds"}, format="json")
    end_first = client.post("/api/relationships/", {**new_relationship(), "end_date": "2025-01-01"}, format="json")
    high_score = client.post("/api/relationships/", {**new_relationship(), "analyst_score": "11"}, format="json")

    assert bad_kind.status_code == 400 and "kind" in bad_kind.data
    assert same_ends.status_code == 400 and "same entity" in str(same_ends.data["target"])
    assert no_amount.status_code == 400 and "required for funds" in str(no_amount.data["amount"])
    assert end_first.status_code == 400 and "before start_date" in str(end_first.data["end_date"])
    assert high_score.status_code == 400 and "analyst_score" in high_score.data
    assert not Relationship.objects.filter(external_id="api-rel").exists()


@pytest.mark.django_db
def test_a_write_naming_a_field_the_record_does_not_have_is_refused_naming_it(scored, api_as):
    """`{"ammount": 500}` answered 200 and changed nothing: the analyst believed the amount
    corrected. Read-only fields are known: a record read, changed and sent back whole is taken."""
    client = api_as("analyst")
    relationship = Relationship.objects.filter(type="funds").order_by("external_id").first()
    path = f"/api/relationships/{relationship.external_id}/"

    typo = client.patch(path, {"ammount": 500}, format="json")
    attendee_typo = client.post("/api/meetings/", {**new_meeting(), "attendance": [{"entity": "x-a1", "rol": "presenter"}]}, format="json")
    bulk_typo = client.post("/api/flags/status/", {"flags": [flag_id()], "to_status": "under_review", "reason": "r", "from_status": "open"}, format="json")
    read = client.get(path).data
    sent_back = client.put(path, {**read, "notes": "checked against the budget"}, format="json")

    assert typo.status_code == 400 and list(typo.data) == ["ammount"]
    assert str(typo.data["ammount"][0]).startswith("unknown field: this record has ") and "did you mean 'amount'?" in str(typo.data["ammount"][0])
    assert Relationship.objects.get(pk=relationship.pk).amount == relationship.amount
    assert attendee_typo.status_code == 400 and "did you mean 'role'?" in str(attendee_typo.data["attendance"][0]["rol"][0])
    assert not Meeting.objects.filter(external_id="api-meeting").exists()
    assert bulk_typo.status_code == 400 and "did you mean 'from_statuses'?" in str(bulk_typo.data["from_status"][0])
    assert Flag.objects.get(pk=flag_id()).status == "open"
    assert sent_back.status_code == 200 and Relationship.objects.get(pk=relationship.pk).notes == "checked against the budget"


@pytest.mark.django_db
def test_numbers_written_as_text_are_read_as_the_import_and_the_forms_read_them(scored, api_as):
    client = api_as("analyst")
    money = {**new_relationship(), "type": "contributes_to"}

    refused = {typed: client.post("/api/relationships/", {**money, "amount": typed}, format="json") for typed in ("$2,500", "2500,50", "1.234")}
    comma_rating = client.post("/api/relationships/", {**money, "amount": 2500, "analyst_score": "7,5"}, format="json")
    as_text = client.post("/api/relationships/", {**money, "amount": "2,500", "analyst_score": "7.5"}, format="json")

    assert "without its currency sign" in str(refused["$2,500"].data["amount"])
    assert "write decimals with a point" in str(refused["2500,50"].data["amount"])
    assert "may be 1,234, with a point between thousands" in str(refused["1.234"].data["amount"])
    assert comma_rating.status_code == 400 and "write decimals with a point" in str(comma_rating.data["analyst_score"])
    assert as_text.status_code == 201 and (as_text.data["amount"], as_text.data["analyst_score"]) == ("2500.00", "7.5")
    # JSON numbers as before, and null for none
    assert client.patch("/api/relationships/api-rel/", {"amount": 1500.5, "analyst_score": None}, format="json").data["amount"] == "1500.50"


@pytest.mark.django_db
def test_a_board_member_logs_a_meeting_with_attendance(scored, api_as):
    response = api_as("board_member").post("/api/meetings/", new_meeting(), format="json")

    assert response.status_code == 201, response.data
    meeting = Meeting.objects.get(external_id="api-meeting")
    assert sorted(meeting.attendance.values_list("entity__external_id", "role")) == [("x-a1", "organizer"), ("x-b1", "attendee")]


@pytest.mark.django_db
def test_a_meeting_cites_its_minutes_as_its_source(scored, api_as):
    client = api_as("board_member")
    minutes = "https://lakeside.example.org/minutes/api"

    response = client.post("/api/meetings/", {**new_meeting(), "source_url": minutes}, format="json")
    too_long = client.post("/api/meetings/", {**new_meeting(), "external_id": "api-long", "source_url": "x" * 1001}, format="json")

    assert response.status_code == 201 and response.data["source_url"] == minutes
    assert Meeting.objects.get(external_id="api-meeting").source_url == minutes
    assert client.get("/api/meetings/api-meeting/").data["source_url"] == minutes
    assert too_long.status_code == 400 and "source_url" in too_long.data
    assert not Meeting.objects.filter(external_id="api-long").exists()


@pytest.mark.django_db
def test_correcting_a_meetings_attendance_writes_only_the_rows_that_changed(scored, api_as):
    from audit.models import AuditEvent

    client = api_as("board_member")
    client.post("/api/meetings/", new_meeting(), format="json")
    before = AuditEvent.objects.filter(object_type="engagement.attendance", context_key="api-meeting").count()

    # x-a1 stays the organizer, x-b1 goes, x-a2 comes
    body = {"attendance": [{"entity": "x-a1", "role": "organizer"}, {"entity": "x-a2"}]}
    response = client.patch("/api/meetings/api-meeting/", body, format="json")

    assert response.status_code == 200, response.data
    meeting = Meeting.objects.get(external_id="api-meeting")
    assert sorted(meeting.attendance.values_list("entity__external_id", "role")) == [("x-a1", "organizer"), ("x-a2", "attendee")]
    changes = AuditEvent.objects.filter(object_type="engagement.attendance", context_key="api-meeting").order_by("id")[before:]
    assert sorted((e.action, e.object_key.rsplit("/", 1)[-1]) for e in changes) == [("create", "x-a2"), ("delete", "x-b1")]


@pytest.mark.django_db
def test_a_board_member_corrects_by_api_only_the_meetings_they_logged(scored, api_as):
    logger = api_as("board_member")
    created = logger.post("/api/meetings/", new_meeting(), format="json")
    own = logger.patch("/api/meetings/api-meeting/", {"title": "Renamed"}, format="json")
    someone_elses = api_as("board_member").patch("/api/meetings/api-meeting/", {"title": "Taken over"}, format="json")
    imported = logger.patch("/api/meetings/m-biz-01/", {"title": "Taken over"}, format="json")

    assert created.status_code == 201 and created.data["logged_by"]
    assert own.status_code == 200 and own.data["logged_by"] == created.data["logged_by"]
    assert someone_elses.status_code == 403 and "correct the meetings they logged" in str(someone_elses.data)
    assert imported.status_code == 403
    assert Meeting.objects.get(external_id="api-meeting").title == "Renamed"
    assert Meeting.objects.get(external_id="m-biz-01").title != "Taken over"


@pytest.mark.django_db
def test_a_board_member_deletes_by_api_a_meeting_they_logged_but_not_its_survey_answers(scored, api_as):
    from tests.factories import FeedbackResponseFactory, FeedbackSurveyFactory

    logger = api_as("board_member")
    logger.post("/api/meetings/", new_meeting(), format="json")
    logger.post("/api/meetings/", {**new_meeting(), "external_id": "api-forum", "type": "community_forum"}, format="json")
    FeedbackResponseFactory(survey=FeedbackSurveyFactory(meeting=Meeting.objects.get(external_id="api-forum")))

    someone_elses = api_as("board_member").delete("/api/meetings/api-meeting/")
    own = logger.delete("/api/meetings/api-meeting/")
    answered = logger.delete("/api/meetings/api-forum/")

    assert someone_elses.status_code == 403 and "delete the meetings they logged" in str(someone_elses.data)
    assert own.status_code == 204 and not Meeting.objects.filter(external_id="api-meeting").exists()
    assert answered.status_code == 409 and "1 anonymous survey answer" in str(answered.data)
    assert Meeting.objects.filter(external_id="api-forum").exists()


@pytest.mark.django_db
def test_a_meeting_with_an_unknown_attendee_is_refused(scored, api_as):
    body = {**new_meeting(), "attendance": [{"entity": "nobody"}]}

    response = api_as("board_member").post("/api/meetings/", body, format="json")

    assert response.status_code == 400
    assert "attendance" in response.data
    assert not Meeting.objects.filter(external_id="api-meeting").exists()


@pytest.mark.django_db
def test_closeness_as_of_picks_the_snapshot_nearest_before(scored, api_as):
    client = api_as("city_staff")

    now = client.get("/api/closeness/", {"entity": "lk-ob", "band": "close"}).data
    then = client.get("/api/closeness/", {"entity": "x-a1", "as_of": "2025-12-31"}).data
    before_any = client.get("/api/closeness/", {"as_of": "2020-01-01"}).data
    bad = client.get("/api/closeness/", {"as_of": "last year"})
    no_such_day = client.get("/api/closeness/", {"as_of": "2026-02-29"})

    assert {frozenset((p["entity_a"], p["entity_b"])) for p in now["results"]} >= {frozenset(("lk-pd", "lk-ob"))}  # close now
    assert then["count"] == 0  # x-a1 met x-b1 only in 2026; as of mid-2025 they were not scored
    assert client.get("/api/closeness/", {"entity": "x-a1"}).data["count"] > 0
    assert before_any["count"] == 0
    assert bad.status_code == 400 and bad.data["as_of"] == ["'last year' is not a date in the form YYYY-MM-DD"]
    assert no_such_day.status_code == 400 and no_such_day.data["as_of"] == ["'2026-02-29' is not a real calendar date"]


@pytest.mark.django_db
def test_closeness_across_lists_the_ties_between_actors_as_the_pages_do(scored, api_as, client_as):
    from scoring.selectors import across_bodies, listed_pairs
    from scoring.services import current_snapshot

    client = api_as("city_staff")

    every = _listing(client)
    between = _listing(client, across="true")
    expected = {(p.entity_a.external_id, p.entity_b.external_id) for p in across_bodies(listed_pairs(), current_snapshot().as_of)}

    assert {(a, b) for a, b, *_ in between} == expected and ("lk-pd", "p-chief") in {(a, b) for a, b, *_ in every} - expected
    assert _listing(client, across="false") == every
    # as of the current scores' date, read from the pair versions, the same pairs
    assert _listing(client, across="true", as_of=current_snapshot().as_of.isoformat()) == between
    refused = client.get("/api/closeness/", {"across": "maybe"})
    assert refused.status_code == 400 and refused.data["across"] == ["'maybe' is neither yes nor no: true or false (or 1/0, yes/no, on/off)."]
    # the closeness page's box lists the same pairs
    page = client_as("city_staff").get("/closeness/", {"across": "on", "per_page": 500}).context["table"]
    assert {(row.record.entity_a.external_id, row.record.entity_b.external_id) for row in page.page.object_list} == expected


def _listing(client, **params) -> set[tuple]:
    """Every pair the closeness listing returns, across its pages."""
    pairs, page = set(), 1
    while True:
        data = client.get("/api/closeness/", {**params, "page": page}).data
        pairs |= {(p["entity_a"], p["entity_b"], p["score"], tuple(sorted(p["components"].items())), tuple(p["relationship_ids"])) for p in data["results"]}
        if not data["next"]:
            return pairs
        page += 1


@pytest.mark.django_db
def test_closeness_as_of_an_earlier_snapshot_lists_the_scores_it_wrote(lakeside, api_as):
    client = api_as("city_staff")
    call_command("recompute", "--as-of", "2025-06-30", stdout=io.StringIO())
    then = _listing(client)
    call_command("recompute", "--as-of", "2026-06-30", stdout=io.StringIO())

    # the earlier scores now come partly from history (changed since) and partly from current rows
    assert _listing(client, as_of="2025-12-31") == then
    assert _listing(client) != then


@pytest.mark.django_db
def test_flag_status_change_through_the_api_is_recorded(scored, api_as):
    pk = flag_id()

    response = api_as("analyst").post(f"/api/flags/{pk}/status/", {"to_status": "resolved", "reason": "Done."}, format="json")
    ok = api_as("analyst").post(f"/api/flags/{pk}/status/", {"to_status": "under_review", "reason": "Checking."}, format="json")

    assert response.status_code == 400 and "cannot become resolved" in str(response.data)
    assert ok.status_code == 200 and ok.data["status"] == "under_review"
    assert ok.data["history"][-1]["reason"] == "Checking."


@pytest.mark.django_db
def test_a_flag_status_change_from_the_status_read_is_refused_once_someone_moved_it(scored, api_as):
    from conflicts.models import Flag

    pk = flag_id()
    analyst = api_as("analyst")
    read = analyst.get(f"/api/flags/{pk}/").data["status"]
    analyst.post(f"/api/flags/{pk}/status/", {"to_status": "under_review", "reason": "A colleague checks."}, format="json")

    refused = analyst.post(f"/api/flags/{pk}/status/", {"to_status": "dismissed", "reason": "No.", "from_status": read}, format="json")
    moved = analyst.post(f"/api/flags/{pk}/status/", {"to_status": "dismissed", "reason": "No.", "from_status": "under_review"}, format="json")

    assert read == "open"
    assert refused.status_code == 409 and "the flag is under review now" in refused.data["from_status"][0]
    assert moved.status_code == 200 and Flag.objects.get(pk=pk).status == "dismissed"


@pytest.mark.django_db
def test_several_flags_change_status_through_the_api_all_or_none(scored, api_as):
    opened = list(Flag.objects.filter(status="open", holds=True).order_by("pk").values_list("pk", flat=True)[:3])
    api = api_as("analyst")

    refused = api.post("/api/flags/status/", {"flags": opened + [999999], "to_status": "under_review", "reason": "Batch."}, format="json")
    empty = api.post("/api/flags/status/", {"flags": [], "to_status": "under_review", "reason": "Batch."}, format="json")
    ok = api.post("/api/flags/status/", {"flags": opened, "to_status": "under_review", "reason": "Batch."}, format="json")
    again = api.post("/api/flags/status/", {"flags": opened, "to_status": "under_review", "reason": "Batch."}, format="json")

    assert refused.status_code == 400 and "No flag #999999" in str(refused.data)
    assert empty.status_code == 400 and "flags" in empty.data
    assert ok.status_code == 200 and [f["id"] for f in ok.data] == opened
    assert all(f["status"] == "under_review" and f["history"][-1]["reason"] == "Batch." for f in ok.data)
    assert again.status_code == 400 and "Nothing changed. 3 of the 3 flags cannot" in str(again.data)
    assert api_as("city_staff").post("/api/flags/status/", {"flags": opened, "to_status": "open", "reason": "x"}, format="json").status_code == 403


@pytest.mark.django_db
def test_several_flags_changed_from_the_statuses_read_move_none_once_someone_moved_one(scored, api_as):
    opened = list(Flag.objects.filter(status="open", holds=True).order_by("pk").values_list("pk", flat=True)[:3])
    analyst = api_as("analyst")
    read = {str(f["id"]): f["status"] for f in (analyst.get(f"/api/flags/{pk}/").data for pk in opened)}
    analyst.post(f"/api/flags/{opened[1]}/status/", {"to_status": "under_review", "reason": "A colleague checks."}, format="json")

    refused = analyst.post("/api/flags/status/", {"flags": opened, "to_status": "under_review", "reason": "Batch.", "from_statuses": read},
                           format="json")
    stranger = analyst.post("/api/flags/status/", {"flags": opened[:1], "to_status": "under_review", "reason": "Batch.",
                                                   "from_statuses": {str(opened[2]): "open"}}, format="json")
    not_a_status = analyst.post("/api/flags/status/", {"flags": opened[:1], "to_status": "under_review", "reason": "Batch.",
                                                       "from_statuses": {str(opened[0]): "closed"}}, format="json")

    assert refused.status_code == 409
    (said,) = refused.data["from_statuses"]
    assert said.startswith("Nothing changed. 1 of the 3 flags cannot: ") and f"#{opened[1]} " in said
    assert "someone made it under review after they were read" in said and said.endswith("Read them again, then send the change.")
    assert stranger.status_code == 400 and f"Not among the flags to move: {opened[2]}" in str(stranger.data["from_statuses"])
    assert not_a_status.status_code == 400 and "from_statuses" in not_a_status.data
    assert list(Flag.objects.filter(pk__in=opened).order_by("pk").values_list("status", flat=True)) == ["open", "under_review", "open"]

    # read again: the others move
    others = [opened[0], opened[2]]
    moved = analyst.post("/api/flags/status/", {"flags": others, "to_status": "under_review", "reason": "Batch.",
                                                "from_statuses": {str(pk): read[str(pk)] for pk in others}}, format="json")

    assert moved.status_code == 200 and {f["status"] for f in moved.data} == {"under_review"}


@pytest.mark.django_db
def test_a_user_creates_and_revokes_a_token_and_scripts_use_it(scored, client_as):
    client = client_as("analyst")
    page = client.post("/account/token/", {"action": "create"}).content.decode()
    key = Token.objects.get().key
    assert key in page

    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert script.get("/api/flags/").status_code == 200

    client.post("/account/token/", {"action": "revoke"})
    assert script.get("/api/flags/").status_code == 401


@pytest.mark.django_db
def test_docs_are_served_from_local_files(client_as):
    page = client_as("city_staff").get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower() and "<script>" not in page


@pytest.mark.django_db
def test_deleting_a_referenced_entity_is_a_conflict_with_the_reason(scored, api_as):
    response = api_as("administrator").delete("/api/entities/x-old1/")

    assert response.status_code == 409
    assert "Cannot delete x-old1: attendance, relationships refer to it" in response.data["detail"]
    assert Entity.objects.filter(external_id="x-old1").exists()


@pytest.mark.django_db
def test_deleting_an_entity_a_flag_names_is_a_conflict_and_the_flag_keeps_its_history(api_as):
    # subject and counterpart cascade: the delete took the flag and its reviews with it
    from tests.factories import FlagStatusChangeFactory

    review = FlagStatusChangeFactory(flag__subject=EntityFactory(external_id="ob-gone", kind="oversight_body"))

    response = api_as("administrator").delete("/api/entities/ob-gone/")

    assert response.status_code == 409 and "a conflict-of-interest flag names it" in response.data["detail"]
    assert Flag.objects.filter(pk=review.flag_id).exists() and review.flag.history.count() == 1
    assert api_as("administrator").delete(f"/api/entities/{EntityFactory(external_id='nothing-here').external_id}/").status_code == 204


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"min_score": "inf"}, {"min_score": "1e400"}, {"min_score": "-1"}, {"min_score": "nan"}, {"entity": "a\x00b"}])
def test_hostile_query_parameters_are_a_400_not_a_server_error(scored, api_as, query):
    response = api_as("city_staff").get("/api/closeness/", query)

    assert response.status_code == 400


@pytest.mark.django_db
def test_an_edit_that_would_make_a_cycle_of_parents_is_refused(scored, api_as):
    response = api_as("administrator").patch("/api/entities/lk-pd/", {"parent": "lk-pd-east"}, format="json")

    assert response.status_code == 400
    assert "the parents form a cycle: lk-pd -> lk-pd-east -> lk-pd" in str(response.data["parent"])


def test_the_openapi_schema_is_valid_without_a_warning(tmp_path):
    """A warning (two operations with one id, a field of unknown type) makes a client generated
    from the schema wrong: the check fails on any."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/flags/status/" in (tmp_path / "schema.yml").read_text()


def test_the_openapi_schema_says_every_write_of_a_record_may_answer_409_and_a_change_412():
    # a client generated from the schema expected no 409, which deletions and writes meeting a
    # change made meanwhile answer
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    writes = {(path, method): operation["responses"] for path, operations in paths.items() for method, operation in operations.items()
              if path.split("/")[2] in ("entities", "relationships", "disclosures", "meetings") and method in ("post", "put", "patch", "delete")
              and path.count("/") <= 4}  # the records' own routes, not the follow action

    assert len(writes) == 16  # four records: create, replace, correct, delete
    assert all("409" in responses for responses in writes.values())
    assert {code for responses in writes.values() for code in responses} == {"200", "201", "204", "409", "412"}
    # a change or a deletion sent with the version read (If-Match) may answer 412 (core/api.py)
    assert all(("412" in responses) == (method != "post") for (_, method), responses in writes.items())
    assert all(any(p["name"] == "If-Match" and p["in"] == "header" for p in paths[path][method].get("parameters", []))
               for path, method in writes if method != "post")


def test_the_openapi_schema_shows_that_an_administrator_may_publish_a_disclosure_s_statement():
    # generated for no one in particular, it showed the field read-only, as for an analyst
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    field = components["DisclosureRequest"]["properties"]["statement_public"]

    assert not field.get("readOnly") and "set by administrators" in field["description"]


@pytest.mark.django_db
def test_the_api_gives_an_entitys_ties_over_time_as_the_page(lakeside, api_as):
    from datetime import date

    from scoring.selectors import entity_band_history
    from scoring.services import recompute

    recompute(as_of=date(2026, 6, 30))
    recompute(as_of=date(2031, 1, 1))

    answer = api_as("city_staff").get("/api/entities/lk-pd/ties/")

    assert answer.status_code == 200
    assert answer.json() == {"entity": "lk-pd", "ties": entity_band_history(Entity.objects.get(external_id="lk-pd"))}
    assert len(answer.json()["ties"]) == 2
    assert api_as("city_staff").get("/api/entities/nobody/ties/").status_code == 404


@pytest.mark.django_db
def test_an_entity_merged_away_is_a_404_that_names_the_entity_kept(api_as):
    from entities.services import entity_merge

    keep, twin = EntityFactory(external_id="x-1", kind="person"), EntityFactory(external_id="x-2", kind="person")
    entity_merge(keep=keep, duplicate=twin)
    client = api_as("city_staff")

    gone = client.get("/api/entities/x-2/")

    assert gone.status_code == 404 and gone.data["merged_into"] == "x-1" and "x-2 was merged into x-1 on" in gone.data["detail"]
    assert client.get("/api/entities/never-was/").status_code == 404 and "merged_into" not in client.get("/api/entities/never-was/").data


@pytest.mark.django_db
def test_a_disclosure_keeps_where_it_is_on_file(scored, api_as):
    from relationships.models import Disclosure

    client = api_as("administrator")
    given = {"external_id": "api-d", "discloser": "eo-c1", "relationship": "c-01", "disclosed_on": "2026-01-01"}

    response = client.post("/api/disclosures/", {**given, "source_url": "https://lakeside.example.org/ethics/9"}, format="json")
    too_long = client.post("/api/disclosures/", {**given, "external_id": "api-d2", "source_url": "x" * 1001}, format="json")

    assert response.status_code == 201 and response.data["source_url"] == "https://lakeside.example.org/ethics/9"
    assert Disclosure.objects.get(external_id="api-d").source_url == "https://lakeside.example.org/ethics/9"
    assert too_long.status_code == 400 and "source_url" in too_long.data
    assert not Disclosure.objects.filter(external_id="api-d2").exists()


@pytest.mark.django_db
def test_an_analyst_records_a_disclosure_but_only_an_administrator_publishes_its_statement(scored, api_as):
    from relationships.models import Disclosure

    given = {"discloser": "eo-c1", "relationship": "c-01", "disclosed_on": "2026-01-01", "statement": "On file.", "statement_public": True}

    by_analyst = api_as("analyst").post("/api/disclosures/", {**given, "external_id": "api-da"}, format="json")
    by_administrator = api_as("administrator").post("/api/disclosures/", {**given, "external_id": "api-dm"}, format="json")

    assert by_analyst.status_code == by_administrator.status_code == 201
    assert by_analyst.data["statement_public"] is False and not Disclosure.objects.get(external_id="api-da").statement_public
    assert Disclosure.objects.get(external_id="api-dm").statement_public
    assert api_as("analyst").patch("/api/disclosures/api-dm/", {"statement_public": False}, format="json").status_code == 200
    assert Disclosure.objects.get(external_id="api-dm").statement_public
    # nor delete one published: an analyst deletes the other
    assert api_as("analyst").delete("/api/disclosures/api-dm/").status_code == 409
    assert api_as("analyst").delete("/api/disclosures/api-da/").status_code == 204
    assert list(Disclosure.objects.filter(external_id__in=["api-da", "api-dm"]).values_list("external_id", flat=True)) == ["api-dm"]


@pytest.mark.django_db
def test_relationships_are_listed_by_amount_and_the_entity_at_either_end(scored, api_as):
    client = api_as("city_staff")

    big = client.get("/api/relationships/", {"min_amount": "5000", "page_size": 500}).data["results"]
    involving = client.get("/api/relationships/", {"entity": "eo-c1", "page_size": 500}).data["results"]

    assert sorted(r["external_id"] for r in big) == sorted(Relationship.objects.filter(amount__gte=5000).values_list("external_id", flat=True))
    assert big and all(float(r["amount"]) >= 5000 for r in big)
    assert involving and all("eo-c1" in (r["source"], r["target"]) for r in involving)


@pytest.mark.django_db
def test_the_entities_and_meetings_lists_take_the_filters_their_pages_take(scored, api_as, user_with_role):
    """The API's lists took fewer filters than their pages (and passed the others over in silence,
    listing everything): the directory's search of names, ids and descriptions and its band, the
    meetings' title and who logged them."""
    from scoring.selectors import entities_in_band

    client = api_as("city_staff")
    board_member = user_with_role("board_member")
    logged = Meeting.objects.order_by("external_id")[:2]
    Meeting.objects.filter(pk__in=[m.pk for m in logged]).update(logged_by=board_member)

    def ids(path, **query):
        return sorted(row["external_id"] for row in client.get(path, {**query, "page_size": 500}).data["results"])

    by_id = ids("/api/entities/", q="LK-PD")  # an id, in another case
    in_close_pairs = ids("/api/entities/", band="close")
    titled = ids("/api/meetings/", title="CHAIR AND CHIEF")

    assert "lk-pd" in by_id and len(by_id) < Entity.objects.count()
    assert in_close_pairs == sorted(entities_in_band(Entity.objects.all(), "close").values_list("external_id", flat=True))
    assert 0 < len(in_close_pairs) < Entity.objects.count()
    assert titled == sorted(Meeting.objects.filter(title__icontains="chair and chief").values_list("external_id", flat=True))
    assert 0 < len(titled) < Meeting.objects.count()
    assert ids("/api/meetings/", logged_by=board_member.username) == sorted(m.external_id for m in logged)
    # what scripts already ask keeps its meaning: `search` a part of the name, a jurisdiction as written
    assert ids("/api/entities/", search="lakeside") == sorted(Entity.objects.filter(name__icontains="lakeside").values_list("external_id", flat=True))
    jurisdiction = Entity.objects.exclude(jurisdiction="").values_list("jurisdiction", flat=True).first()
    assert ids("/api/entities/", jurisdiction=jurisdiction[:-1]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/flags/", "/api/entities/", "/api/relationships/", "/api/disclosures/", "/api/meetings/", "/api/closeness/"])
def test_a_query_parameter_a_list_does_not_read_is_refused_naming_it(scored, api_as, path):
    """`?staus=open` listed every flag, as if nothing had been asked: a script could not tell a
    typo from an answer."""
    client = api_as("city_staff")

    refused = client.get(path, {"staus": "open", "page_size": 5})
    ordering = {"/api/flags/": "-id", "/api/closeness/": None, "/api/meetings/": "-date"}.get(path, "-external_id")
    taken = client.get(path, {"page": 1, "page_size": 5, "format": "json", **({"ordering": ordering} if ordering else {})})

    assert refused.status_code == 400 and list(refused.data) == ["staus"]
    message = str(refused.data["staus"][0])
    assert message.startswith("unknown query parameter: this list takes ") and "page_size" in message
    assert ("did you mean 'status'?" in message) == (path == "/api/flags/")  # the one list with a status
    assert taken.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/closeness/changes/", "/api/following/changes/"])
def test_what_changed_refuses_a_mistyped_since_rather_than_answer_for_its_default(scored, api_as, path):
    answer = api_as("city_staff").get(path, {"sinse": "2025-07-01"})

    assert answer.status_code == 400 and "did you mean 'since'?" in str(answer.data["sinse"][0])
    assert api_as("city_staff").get(path, {"since": "2025-07-01"}).status_code == 200


@pytest.mark.django_db
def test_a_record_read_by_its_id_is_not_refused_for_a_query_parameter(scored, api_as):
    assert api_as("city_staff").get("/api/entities/lk-pd/", {"anything": "1"}).status_code == 200


@pytest.mark.django_db
def test_the_pages_per_page_is_read_as_the_apis_page_size(scored, api_as):
    client = api_as("city_staff")

    def count(**query):
        return len(client.get("/api/relationships/", query).data["results"])

    assert count(per_page=3) == 3 and count(per_page=3, page_size=4) == 4
    assert count(per_page=0) == count(per_page="many") == count() == min(50, Relationship.objects.count())


@pytest.mark.django_db
def test_the_flags_list_gives_those_on_the_entities_the_account_follows_as_the_queue_does(scored, api_as, user_with_role):
    from conflicts.selectors import involving
    from entities.models import Follow

    reader = user_with_role("city_staff")
    client = APIClient()
    client.force_authenticate(reader)
    Follow.objects.create(user=reader, entity=Entity.objects.get(external_id="lk-pd"))

    def ids(**query):
        return sorted(row["id"] for row in client.get("/api/flags/", {**query, "page_size": 500}).data["results"])

    followed = Follow.objects.filter(user=reader).values("entity")
    expected = sorted(Flag.objects.filter(involving(followed)).distinct().values_list("pk", flat=True))
    assert 0 < len(expected) < Flag.objects.count()
    assert ids(followed="true") == expected
    assert ids(followed="false") == ids() == sorted(Flag.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_flags_list_gives_those_the_account_took_under_review_as_the_queue_does(scored, user_with_role):
    reviewer, colleague = user_with_role("analyst"), user_with_role("analyst")
    clients = {}
    for user in (reviewer, colleague):
        clients[user.pk] = APIClient()
        clients[user.pk].force_authenticate(user)
    moved = clients[reviewer.pk].post(f"/api/flags/{flag_id()}/status/", {"to_status": "under_review", "reason": "Asked for records."}, format="json")

    def ids(user, **query):
        return [row["id"] for row in clients[user.pk].get("/api/flags/", {**query, "page_size": 500}).data["results"]]

    assert moved.status_code == 200
    assert ids(reviewer, reviewing="true") == [flag_id()]
    assert ids(colleague, reviewing="true") == []
    assert len(ids(colleague, reviewing="false")) == Flag.objects.count()


@pytest.mark.django_db
def test_an_analyst_may_not_delete_a_relationship_a_flag_cites_and_an_administrator_may(scored, api_as):
    from conflicts.models import Flag

    cited = Flag.objects.filter(evidence__isnull=False, evidence__disclosures__isnull=True).order_by("pk").first().evidence.filter(
        disclosures__isnull=True).first()

    refused = api_as("analyst").delete(f"/api/relationships/{cited.external_id}/")
    assert refused.status_code == 409 and "a conflict-of-interest flag cites it" in str(refused.data)
    assert Relationship.objects.filter(pk=cited.pk).exists()
    assert api_as("administrator").delete(f"/api/relationships/{cited.external_id}/").status_code == 204
    assert not Relationship.objects.filter(pk=cited.pk).exists()


@pytest.mark.django_db
def test_a_write_that_meets_a_change_made_meanwhile_is_a_409_naming_the_field(checked_at_each_statement, api_as, monkeypatch):
    """A relationship to an entity deleted after the request was checked, and a correction of a
    relationship deleted meanwhile (saving it had stored it again): a 409 saying which, not a 500."""
    from relationships.api import RelationshipSerializer
    from tests.factories import RelationshipFactory
    from tests.meanwhile import deleted_by_someone_else

    source, gone = EntityFactory(), EntityFactory()
    corrected = RelationshipFactory()
    checked = RelationshipSerializer.validate

    def then_deleted(self, attrs):
        attrs = checked(self, attrs)
        deleted_by_someone_else(corrected if self.instance else gone)
        return attrs

    monkeypatch.setattr(RelationshipSerializer, "validate", then_deleted)
    client = api_as("analyst")

    created = client.post("/api/relationships/", {"external_id": "api-late", "source": source.external_id, "target": gone.external_id,
                                                  "type": "personal"}, format="json")
    corrected_late = client.patch(f"/api/relationships/{corrected.external_id}/", {"notes": "after"}, format="json")

    assert created.status_code == 409
    assert created.data == {"target": ["was deleted meanwhile by someone else, or merged into another: choose again"]}
    assert corrected_late.status_code == 409
    assert corrected_late.data == {"detail": "This relationship was deleted meanwhile by someone else: nothing was saved."}
    assert not Relationship.objects.filter(external_id__in=["api-late", corrected.external_id]).exists()


@pytest.mark.django_db
def test_a_page_of_meetings_reads_their_attendees_with_their_ids_in_one_query(api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AttendanceFactory, MeetingFactory

    people = EntityFactory.create_batch(4, kind="person")
    for n in range(3):
        meeting = MeetingFactory(external_id=f"m-{n}")
        for person in people[n:]:
            AttendanceFactory(meeting=meeting, entity=person, role="organizer" if person == people[n] else "attendee")
    client = api_as("city_staff")

    with CaptureQueriesContext(connection) as read:
        listed = client.get("/api/meetings/", {"ordering": "external_id"}).data["results"]

    # the attendance and the entities' ids together (not each entity whole in a query of its own)
    attendee_reads = [q["sql"] for q in read.captured_queries if '"engagement_attendance"' in q["sql"] or '"entities_entity"' in q["sql"]]
    assert len(attendee_reads) == 1 and '"entities_entity"."name"' not in attendee_reads[0].split(" FROM ")[0]
    assert [[(a["entity"], a["role"]) for a in m["attendance"]] for m in listed] == [
        [(p.external_id, "organizer" if p == people[n] else "attendee") for p in sorted(people[n:], key=lambda p: (p.name, p.pk))]
        for n in range(3)]  # each meeting's attendees by name


@pytest.mark.django_db
def test_the_scoring_status_says_how_current_the_scores_are_as_the_overview_does(scored, api_as):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from scoring.models import ClosenessSnapshot, OwedRecompute

    api = api_as("city_staff")
    status = api.get("/api/scoring/status/").json()
    current = ClosenessSnapshot.objects.filter(status="complete").latest()
    assert status["scores"]["as_of"] == "2026-06-30" and status["scores"]["pairs"] == current.pairs_current
    assert status["computed_too_long_ago"] is False and status["running"] is None and status["last_failure"] is None
    assert status["changes_waiting_since"] is None

    ClosenessSnapshot.objects.filter(pk=current.pk).update(finished_at=timezone.now() - timedelta(days=2))  # no nightly since
    ClosenessSnapshot.objects.create(as_of=timezone.localdate(), parameters={}, status="failed", error="RuntimeError: disk full")
    waiting = OwedRecompute.objects.create(entity_ids=[1])  # its task not sent (the task queue down)
    status = api.get("/api/scoring/status/").json()

    assert status["computed_too_long_ago"] is True
    assert status["last_failure"]["error"] == "RuntimeError: disk full"
    assert datetime.fromisoformat(status["changes_waiting_since"]) == waiting.created_at
    assert status["changes_waiting_because"] == ["task_queue_unreachable", "recompute_failing"]
    assert status["workers"] == {  # no broker here: tasks run in the web process
        "expected": False, "last_seen": None, "silent": False, "beat_last_sent": None, "beat_silent": False}


@pytest.mark.django_db
def test_the_scoring_status_tells_workers_stopped_from_a_worker_busy_and_from_beat_stopped(scored, api_as, monkeypatch):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from config.celery import app
    from core.workers import beat_heartbeat_recorded, heartbeat_recorded
    from scoring.models import OwedRecompute

    monkeypatch.setitem(app.conf, "task_always_eager", False)  # deployed with a broker
    api = api_as("city_staff")
    sent = OwedRecompute.objects.create(entity_ids=[1], sent=True)
    OwedRecompute.objects.filter(pk=sent.pk).update(created_at=timezone.now() - timedelta(minutes=6))  # no worker took it
    heartbeat_recorded(worker="celery@one", now=timezone.now() - timedelta(minutes=1))
    beat_heartbeat_recorded(now=timezone.now() - timedelta(minutes=1))
    status = api.get("/api/scoring/status/").json()
    assert status["changes_waiting_because"] == [] and status["workers"]["expected"] is True
    assert status["workers"]["silent"] is False and status["workers"]["beat_silent"] is False

    last_seen = timezone.now() - timedelta(minutes=6)
    heartbeat_recorded(worker="celery@one", now=last_seen)
    status = api.get("/api/scoring/status/").json()
    assert status["changes_waiting_because"] == ["workers_silent"] and status["workers"]["silent"] is True
    assert datetime.fromisoformat(status["workers"]["last_seen"]) == last_seen

    beat_last_sent = timezone.now() - timedelta(minutes=8)
    beat_heartbeat_recorded(now=beat_last_sent)  # beat stopped too: the workers may only be idle
    status = api.get("/api/scoring/status/").json()
    assert status["changes_waiting_because"] == ["workers_silent", "beat_silent"] and status["workers"]["beat_silent"] is True
    assert datetime.fromisoformat(status["workers"]["beat_last_sent"]) == beat_last_sent


@pytest.mark.django_db
@pytest.mark.parametrize("path, name", [("/api/relationships/", "has_source"), ("/api/meetings/", "has_source"), ("/api/flags/", "holds"),
                                        ("/api/flags/", "followed"), ("/api/flags/", "reviewing")])
def test_a_yes_or_no_filter_refuses_what_is_neither_naming_it(scored, api_as, path, name):
    """`?has_source=maybe` listed every row, as if nothing had been asked."""
    client = api_as("city_staff")

    refused = client.get(path, {name: "maybe"})
    read = [client.get(path, {name: word}).status_code for word in ("true", "FALSE", "1", "0", "Yes", "off", "")]

    assert refused.status_code == 400 and list(refused.data) == [name]
    assert str(refused.data[name][0]) == "'maybe' is neither yes nor no: true or false (or 1/0, yes/no, on/off)."
    assert read == [200] * 7


def test_every_yes_or_no_filter_of_the_lists_refuses_what_is_neither():
    """A filter added later as django-filter's own boolean would pass a 'maybe' over again."""
    import django_filters

    from conflicts.filters import FlagApiFilter, FlagFilter
    from core.filters import YesOrNoFilter
    from engagement.filters import MeetingApiFilter, MeetingFilter
    from entities.filters import EntityApiFilter, EntityFilter
    from relationships.filters import RelationshipFilter, RelationshipPageFilter
    from scoring.filters import PairFilter

    lists = [FlagApiFilter, FlagFilter, MeetingApiFilter, MeetingFilter, EntityApiFilter, EntityFilter, RelationshipFilter,
             RelationshipPageFilter, PairFilter]
    booleans = {f"{filterset.__name__}.{name}": isinstance(each, YesOrNoFilter) for filterset in lists
                for name, each in filterset.base_filters.items() if isinstance(each, django_filters.BooleanFilter)}

    assert len(booleans) >= 9 and all(booleans.values()), booleans


def test_the_changelog_names_the_schemas_version_first():
    """A change to what the API takes is announced under the version the schema gives."""
    import re
    from pathlib import Path

    from django.conf import settings

    changelog = (Path(settings.BASE_DIR) / "CHANGELOG.md").read_text()

    assert re.findall(r"^## API (\S+)", changelog, re.MULTILINE)[0] == settings.SPECTACULAR_SETTINGS["VERSION"]


@pytest.mark.django_db
@pytest.mark.parametrize("path, asked, meant", [("/api/relationships/", "-amont", "amount"), ("/api/entities/", "nme", "name"),
                                                ("/api/meetings/", "date,titel", ""), ("/api/flags/", "persons", "")])
def test_an_ordering_a_list_cannot_take_is_refused_naming_it(scored, api_as, path, asked, meant):
    """`?ordering=-amont` answered in the default order, which a script could not tell from the one it asked."""
    answer = api_as("city_staff").get(path, {"ordering": asked})

    assert answer.status_code == 400 and list(answer.data) == ["ordering"]
    message = str(answer.data["ordering"][0])
    assert message.startswith("unknown ordering field: this list is ordered by ")
    assert message.endswith(f"; did you mean '{meant}'?") if meant else "did you mean" not in message


@pytest.mark.django_db
def test_flags_ordered_by_any_field_the_list_takes_come_once_each(scored, api_as):
    """Ordered by their persons or evidence (many to a flag), flags came once per value."""
    client = api_as("city_staff")
    every = sorted(flag["id"] for flag in client.get("/api/flags/", {"page_size": 500}).data["results"])

    for field in ["rule", "-severity", "status", "subject", "counterpart", "disclosed", "holds", "first_raised_on", "explanation"]:
        assert sorted(flag["id"] for flag in client.get("/api/flags/", {"ordering": field, "page_size": 500}).data["results"]) == every, field


@pytest.mark.django_db
@pytest.mark.parametrize("asked", [{"kind": "sheriff"}, {"band": "closest"}, {"min_score": "high"}])
def test_the_pairs_list_refuses_a_filter_value_it_cannot_read_naming_it(scored, api_as, asked):
    """`?kind=sheriff` answered an empty list, as if no sheriff's office had a pair."""
    answer = api_as("city_staff").get("/api/closeness/", asked)

    assert answer.status_code == 400 and list(answer.data) == list(asked)
    assert api_as("city_staff").get("/api/closeness/", {"kind": "sheriffs_office"}).data["count"] > 0


@pytest.mark.django_db
def test_a_pairs_meetings_are_those_its_page_lists_with_their_weights(scored, api_as, client_as):
    import csv

    api = api_as("city_staff")

    answer = api.get("/api/closeness/lk-pd/lk-ob/meetings/").json()
    download = client_as("city_staff").get("/closeness/lk-ob/lk-pd/", {"export": "meetings"})
    listed = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))

    assert (answer["entity_a"], answer["entity_b"]) == ("lk-pd", "lk-ob") and answer["as_of"] == "2026-06-30"
    assert len(answer["meetings"]) > 2
    assert [(m["meeting"], m["date"], f"{m['weight']:.3f}", m["type"]) for m in answer["meetings"]] == [
        (row["meeting"], row["date"], row["weight"], row["type"]) for row in listed]
    assert api.get("/api/closeness/lk-pd/lk-fbi/meetings/").json()["meetings"] == []  # no interaction scored
    assert api.get("/api/closeness/lk-pd/lk-pd/meetings/").status_code == 404
    assert api.get("/api/closeness/lk-pd/nobody/meetings/").status_code == 404
