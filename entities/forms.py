"""Form fields for choosing an entity, shared by the apps whose forms name one, and the form that
adds or corrects an entity on its page."""
from django import forms
from django.utils import timezone

from core.forms import UnchangedSinceShownMixin
from core.validation import bare_id, refused_character

from .models import Entity
from .selectors import entities_named_with, entities_typed, merged_away
from .services import made_up_external_id


def _meant(value: str) -> str:
    """For an id pasted with a character no id holds (an invisible space from a web page), which id it
    most likely is: the value looks right, so "No entity" alone would puzzle."""
    refused = refused_character(value)
    bare = bare_id(value)
    if refused is None or not bare or not Entity.objects.filter(external_id=bare).exists():
        return ""
    return f" Did you mean '{bare}'? (This one holds {refused}.)"


def _first_five(entities: list[Entity], shown) -> str:
    """The entities a typed value could mean, as a message lists them: the first five, then "..."."""
    return ", ".join(shown(e) for e in entities[:5]) + (", ..." if len(entities) > 5 else "")


# the code of the error naming no entity at all (not one merged away, not one of several)
NOT_FOUND = "not_found"


def ends_not_found(form: forms.Form, fields: tuple[str, ...]) -> list[str]:
    """What was typed in each of `fields` (EntityFields) that names no entity, for the page to offer
    adding it: a name or id of one merged away, or shared by several, is not offered."""
    return [typed for field in fields if form.is_bound and form.has_error(field, NOT_FOUND)
            and (typed := (form.data.get(field) or "").strip())]


def typed_as_a_name(form: forms.Form, field: str, box: str) -> None:
    """On a sent form with `box` ticked ("New person", "Not in the tracker yet"), `field` (an
    EntityField) takes the name typed of an entity not in the tracker yet rather than looking one
    up: a text with its label, widget and requiredness, up to 200 characters."""
    if form.is_bound and form.fields[box].widget.value_from_datadict(form.data, form.files, form.add_prefix(box)):
        looked_up = form.fields[field]
        form.fields[field] = forms.CharField(label=looked_up.label, required=looked_up.required, max_length=200, strip=True,
                                             widget=looked_up.widget)


def already_in_the_tracker(entity: Entity, box: str) -> str:
    """The start of the refusal of a name typed as new (`box` ticked) that is an entity's already."""
    return f"Already in the tracker as {entity.name} ({entity.external_id}): untick “{box}”"


class EntityField(forms.CharField):
    """An entity typed as its id or exact name, with search-as-you-type suggestions (entity-search.js).
    With `part_of_name`, for the filters that only read, a part of one entity's name does too
    ("Laura Benton" for "Chief Laura Benton"): nothing is credited to the wrong one there."""

    def __init__(self, *, not_found: str = "No entity '{value}': pick one from the suggestions.", part_of_name: bool = False, **kwargs):
        self.not_found = not_found
        self.part_of_name = part_of_name
        kwargs.setdefault("label", "Entity (id or name)")
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "entity-options", "autocomplete": "off", "class": "entity-search"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        # a name is taken only when it names one entity: two people may share a name, and
        # picking either silently would credit a meeting to the wrong person
        named = entities_typed(value)
        if not named and self.part_of_name:
            named = entities_named_with(value)
            if len(named) > 1:
                which = _first_five(named, lambda e: f"{e.name} ({e.external_id})")
                raise forms.ValidationError(f"More than one entity's name holds '{value}': {which}. Pick one from the suggestions or type its id.")
        if not named:
            if merge := merged_away(value):  # an old id, from a note or a list kept from before the merge
                kept = merge.keep
                raise forms.ValidationError(f"'{value}' was merged into {kept.name} ({kept.external_id}) on "
                                            f"{timezone.localdate(merge.merged_at):%Y-%m-%d}: type '{kept.external_id}'.")
            raise forms.ValidationError(self.not_found.format(value=value) + _meant(value), code=NOT_FOUND)
        if len(named) > 1:
            ids = _first_five(named, lambda e: e.external_id)
            raise forms.ValidationError(f"More than one entity is named '{value}' ({ids}): pick one from the suggestions or type its id.")
        return named[0]


class EntityForm(UnchangedSinceShownMixin, forms.ModelForm):
    """An organisation or a person, as a row of entities.csv, with the importer's rules
    (Entity.clean). Its id is its key in the data sets, relationships and attendance, so it is
    chosen once: typed when added (or made up from the name) and never changed by a correction."""

    required_css_class = "required"

    parent = EntityField(label="Part of (id or name)", required=False,
                         help_text="The organisation it is a unit of (a precinct's department); empty for none.")

    class Meta:
        model = Entity
        fields = ["name", "kind", "jurisdiction", "parent", "website", "description", "external_id"]
        labels = {"external_id": "Id"}
        help_texts = {
            "external_id": "Its id in the data sets (letters, digits, '.', '_', '-'); left empty, one is made from the name.",
            "website": "Its own site, if it has one.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["external_id"]
            self.initial["parent"] = self.instance.parent.external_id if self.instance.parent_id else ""
        else:
            self.fields["external_id"].required = False

    def clean_external_id(self):
        # the name and kind are cleaned by now: the id is the last field
        typed = self.cleaned_data["external_id"].strip()
        return typed or made_up_external_id(self.cleaned_data.get("name", ""), self.cleaned_data.get("kind", ""))

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent is not None and parent.pk == self.instance.pk:
            raise forms.ValidationError("An entity cannot be a unit of itself.")
        return parent
