"""Every form in Bootstrap's look, from the project's form renderer (core/form_rendering.py)."""
import re
from pathlib import Path

import pytest
from django import forms

from core.form_rendering import bootstrap_class, with_classes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class EveryKindOfField(forms.Form):
    name = forms.CharField()
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    how_many = forms.IntegerField()
    notes = forms.CharField(widget=forms.Textarea)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    kinds = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])
    agree = forms.BooleanField()
    files = forms.FileField()
    answer = forms.ChoiceField(choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)
    hidden = forms.CharField(widget=forms.HiddenInput)
    searched = forms.CharField(widget=forms.TextInput(attrs={"class": "entity-search"}))


def widget_tag(html: str, name: str) -> str:
    return re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html).group(0)


def classes_of(tag: str) -> list[str]:
    found = re.search(r'class="([^"]*)"', tag)
    return found.group(1).split() if found else []


def test_each_widget_gets_bootstraps_class_for_its_kind():
    html = str(EveryKindOfField())
    expected = {
        "name": ["form-control"], "when": ["form-control"], "how_many": ["form-control"], "notes": ["form-control"],
        "kind": ["form-select"], "kinds": ["form-select"], "agree": ["form-check-input"], "files": ["form-control"],
        "hidden": [], "searched": ["entity-search", "form-control"],
    }
    for name, classes in expected.items():
        assert classes_of(widget_tag(html, name)) == classes, name


def test_radio_buttons_and_the_box_around_them_get_no_class():
    # a class on a RadioSelect goes on the box around its list too: a 1em square over the choices
    html = str(EveryKindOfField()["answer"])
    assert "class=" not in html
    assert html.count('type="radio"') == 2


def test_a_field_with_an_error_is_marked_invalid_and_the_others_are_not():
    form = EveryKindOfField(data={"name": "x"})
    assert not form.is_valid()
    html = str(form)
    assert classes_of(widget_tag(html, "when")) == ["form-control", "is-invalid"]
    assert "is-invalid" not in classes_of(widget_tag(html, "name"))
    assert 'aria-invalid="true"' in widget_tag(html, "when")


def test_classes_are_joined_once_each_in_order():
    assert with_classes("a b", "", "b c", "a") == "a b c"
    assert bootstrap_class(forms.PasswordInput()) == "form-control"
    assert bootstrap_class(forms.NullBooleanSelect()) == "form-select"
    assert bootstrap_class(forms.CheckboxSelectMultiple()) == ""
    assert bootstrap_class(forms.MultipleHiddenInput()) == ""


@pytest.mark.django_db
def test_forms_of_django_and_of_django_filter_take_the_look_too(client, client_as):
    sign_in = client.get("/login/").content.decode()
    assert classes_of(widget_tag(sign_in, "username")) == ["form-control"]
    closeness = client_as("city_staff").get("/closeness/").content.decode()
    assert classes_of(widget_tag(closeness, "band")) == ["form-select"]


def test_every_button_in_the_templates_is_styled():
    unstyled = []
    for template in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<button\b[^>]*>", template.read_text()):
            if not {"btn", "dropdown-item", "navbar-toggler"} & set(classes_of(tag)):
                unstyled.append(f"{template.relative_to(TEMPLATES)}: {tag}")
    assert unstyled == []


def test_a_required_list_asks_to_choose_one_where_django_shows_dashes_and_others_are_left_alone():
    from django.db.models.fields import BLANK_CHOICE_DASH

    class Lists(forms.Form):
        required = forms.ChoiceField(choices=[*BLANK_CHOICE_DASH, ("a", "A")])
        optional = forms.ChoiceField(choices=[*BLANK_CHOICE_DASH, ("a", "A")], required=False)
        worded = forms.ChoiceField(choices=[("", "Choose a status"), ("a", "A")])

    form = Lists()
    html = str(form)

    assert re.search(r'name="required"[^>]*>\s*<option value="" selected>Choose one</option>', html)
    assert re.search(r'name="optional"[^>]*>\s*<option value="" selected>---------</option>', html)
    assert re.search(r'name="worded"[^>]*>\s*<option value="" selected>Choose a status</option>', html)
    assert Lists.base_fields["required"].widget.choices[0] == BLANK_CHOICE_DASH[0]  # only the form's copy
    assert not Lists(data={"required": "", "optional": "", "worded": "a"}).is_valid()  # still required


@pytest.mark.django_db
def test_the_pages_lists_say_any_or_choose_one_never_dashes(client_as):
    """A screen reader read "Kind: dash dash dash"."""
    directory = client_as("city_staff").get("/entities/").content.decode()
    new_entity = client_as("analyst").get("/record/entity/").content.decode()

    assert re.search(r'name="kind"[^>]*>\s*<option value="" selected>Any</option>', directory)
    assert re.search(r'name="kind"[^>]*>\s*<option value="" selected>Choose one</option>', new_entity)
    assert "---------" not in directory + new_entity
