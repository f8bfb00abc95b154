"""Each person changes the password an administrator gave them (/account/password/)."""
import pytest

OLD = "a-long-test-password"


@pytest.mark.django_db
def test_a_signed_in_person_changes_their_password_and_stays_signed_in(client, user_with_role):
    user = user_with_role("city_staff")
    client.post("/login/", {"username": user.username, "password": OLD})

    changed = client.post("/account/password/", {"old_password": OLD, "new_password1": "harbour-lantern-quartet-91",
                                                   "new_password2": "harbour-lantern-quartet-91"})

    assert changed.status_code == 302 and changed["Location"] == "/account/password/done/"
    assert client.get("/").status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password("harbour-lantern-quartet-91") and not user.check_password(OLD)
    assert "Change password" in client.get("/").content.decode()  # in the account menu


@pytest.mark.django_db
@pytest.mark.parametrize(("new", "field", "message"), [
    ("short1", "new_password2", "too short"),
    ("password1234", "new_password2", "too common"),
])
def test_a_weak_password_is_refused_beside_its_field(client, user_with_role, new, field, message):
    user = user_with_role("board_member")
    client.post("/login/", {"username": user.username, "password": OLD})

    refused = client.post("/account/password/", {"old_password": OLD, "new_password1": new, "new_password2": new})

    assert refused.status_code == 200
    assert any(message in error for error in refused.context["form"].errors[field])
    user.refresh_from_db()
    assert user.check_password(OLD)


@pytest.mark.django_db
def test_the_old_password_must_be_given(client, user_with_role):
    user = user_with_role("analyst")
    client.post("/login/", {"username": user.username, "password": OLD})

    refused = client.post("/account/password/", {"old_password": "guess", "new_password1": "harbour-lantern-quartet-91",
                                                 "new_password2": "harbour-lantern-quartet-91"})

    assert "old_password" in refused.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(OLD)
