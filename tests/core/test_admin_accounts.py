"""An administrator makes an account with its email address and role in one step (core/admin.py)."""
import pytest
from django.contrib.auth.models import Group, User


@pytest.mark.django_db
def test_a_new_account_gets_its_address_and_role_as_it_is_made(client):
    admin = User.objects.create_superuser("root-admin", password="a-long-test-password")
    client.force_login(admin)
    form = client.get("/admin/auth/user/add/").content.decode()
    assert 'name="email"' in form and 'name="groups"' in form

    made = client.post("/admin/auth/user/add/", {
        "username": "m.ortega", "usable_password": "true", "password1": "harbour-lantern-quartet-91",
        "password2": "harbour-lantern-quartet-91", "email": "m.ortega@example.org",
        "groups": [Group.objects.get(name="board_member").pk],
    })

    assert made.status_code == 302, made.context["adminform"].form.errors if made.context else made
    person = User.objects.get(username="m.ortega")
    assert person.email == "m.ortega@example.org" and list(person.groups.values_list("name", flat=True)) == ["board_member"]
    assert person.check_password("harbour-lantern-quartet-91")
