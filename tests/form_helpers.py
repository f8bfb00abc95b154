"""Checks shared by the tests of the pages' forms."""


def assert_refused_on(response, field: str, words: str, kept: str) -> None:
    """A form post refused (400) with a message holding `words` beside `field`, and what was typed
    (`kept`, a value attribute) still in the form."""
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower(), errors[field]
    assert f'value="{kept}"' in response.content.decode()
