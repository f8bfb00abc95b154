"""What the API tests send: new rows' bodies, and the flag they change."""
from conflicts.models import Flag


def new_entity(n=0):
    return {"external_id": f"api-new-{n}", "name": "New Community Group", "kind": "community_group"}


def new_relationship():
    return {"external_id": "api-rel", "source": "lk-nbhd", "target": "lk-pd", "type": "advises", "start_date": "2026-01-01"}


def new_meeting():
    return {"external_id": "api-meeting", "date": "2026-06-01", "type": "focus_group", "title": "Focus group",
            "attendance": [{"entity": "x-a1", "role": "organizer"}, {"entity": "x-b1"}]}


def flag_id():
    return Flag.objects.get(rule="FUNDING_DEPENDENCE", subject__external_id="lk-ob").pk
