"""Each person changes the password an administrator gave them (/account/password/), or replaces a
forgotten one through a link emailed to their account's address (/account/password/reset/)."""
import re

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


@pytest.mark.django_db
def test_a_forgotten_password_is_replaced_through_the_emailed_link(client, user_with_role, mailoutbox):
    user = user_with_role("board_member")
    user.email = "member@example.org"
    user.save()
    assert "Forgot your password?" in client.get("/login/").content.decode()

    sent = client.post("/account/password/reset/", {"email": "member@example.org"})

    assert sent.status_code == 302 and sent["Location"] == "/account/password/reset/sent/"
    [email] = mailoutbox
    assert email.to == ["member@example.org"] and user.username in email.body
    link = re.search(r"https?://[^/\s]+(/account/password/reset/\S+/)", email.body).group(1)
    form = client.get(link, follow=True)  # Django moves the token into the session, then asks
    assert "Choose a new password" in form.content.decode()
    chosen = client.post(form.redirect_chain[-1][0], {"new_password1": "harbour-lantern-quartet-91",
                                                       "new_password2": "harbour-lantern-quartet-91"})
    assert chosen.status_code == 302 and chosen["Location"] == "/account/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password("harbour-lantern-quartet-91")
    assert "no longer works" in client.get(link, follow=True).content.decode()  # once only


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_email(client, mailoutbox):
    # the answer tells nobody which addresses have an account
    sent = client.post("/account/password/reset/", {"email": "nobody@example.org"})

    assert sent.status_code == 302 and sent["Location"] == "/account/password/reset/sent/"
    assert mailoutbox == []


@pytest.mark.django_db
def test_reset_emails_are_limited_per_network_address(client, mailoutbox):
    codes = [client.post("/account/password/reset/", {"email": "nobody@example.org"}, REMOTE_ADDR="198.51.100.9").status_code
             for _ in range(6)]

    assert codes == [302] * 5 + [429]
    assert client.post("/account/password/reset/", {"email": "x@example.org"}, REMOTE_ADDR="198.51.100.10").status_code == 302
