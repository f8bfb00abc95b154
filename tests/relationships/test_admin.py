"""The admin site's relationship form (relationships/admin.py)."""
import pytest

from relationships.models import Relationship
from tests.factories import EntityFactory


def admin_post(**overrides):
    return {"external_id": "c-admin", "type": "contributes_to", "start_date": "2025-03-01", "amount": "",
            "disclosures-TOTAL_FORMS": 0, "disclosures-INITIAL_FORMS": 0, **overrides}


@pytest.mark.django_db
def test_the_admin_reads_an_amount_and_a_rating_as_the_relationship_form_does(admin_site_client):
    union, mayor = EntityFactory(external_id="union", kind="police_union"), EntityFactory(external_id="mayor", kind="elected_official")
    ends = {"source": union.pk, "target": mayor.pk}

    refused = admin_site_client.post("/admin/relationships/relationship/add/", admin_post(**ends, amount="$2,500"))
    assert refused.status_code == 200 and "without its currency sign" in refused.content.decode()
    assert not Relationship.objects.exists()

    comma = admin_site_client.post("/admin/relationships/relationship/add/", admin_post(**ends, amount="2,500", analyst_score="7,5"))
    assert "write decimals with a point" in comma.content.decode()

    admin_site_client.post("/admin/relationships/relationship/add/", admin_post(**ends, amount="2,500", analyst_score="7.5"))
    saved = Relationship.objects.get(external_id="c-admin")
    assert (str(saved.amount), str(saved.analyst_score)) == ("2500.00", "7.5")
