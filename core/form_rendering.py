"""Every form of the tracker in Bootstrap's look, from one place.

`settings.FORM_RENDERER` names `TrackerFormRenderer`, whose fields render through
`BootstrapBoundField`: each widget gets Bootstrap's class for its kind (and `is-invalid` when its
field has an error), added to the classes it already has. The app's forms, django-filter's filter
forms and Django's sign-in form all look alike without a class written in any form or template.
"""
from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Input

# Bootstrap's class for a widget, most specific kind first. Radio buttons and lists of checkboxes
# get none: their widget's class goes on the box around the list too (styled in site.css instead).
_CLASS_BY_WIDGET: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.HiddenInput, ""),
    (forms.MultipleHiddenInput, ""),
    (forms.RadioSelect, ""),
    (forms.CheckboxInput, "form-check-input"),
    (forms.Select, "form-select"),
    (Input, "form-control"),
    (forms.Textarea, "form-control"),
)


def bootstrap_class(widget: forms.Widget) -> str:
    """Bootstrap's class for `widget` ('' for hidden inputs and widgets of other kinds)."""
    for kind, css_class in _CLASS_BY_WIDGET:
        if isinstance(widget, kind):
            return css_class
    return ""


def with_classes(*class_lists: str) -> str:
    """Space-separated class lists joined, each class once, in order of first appearance."""
    return " ".join(dict.fromkeys(name for classes in class_lists for name in classes.split()))


# a required list's option before one is picked, where Django's reads "---------" (a screen
# reader says "dash dash dash"); lists that filter say "Any" (settings.FILTERS_EMPTY_CHOICE_LABEL)
UNCHOSEN = "Choose one"


class BootstrapBoundField(BoundField):
    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        if self.field.required and isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
            choices = list(widget.choices)
            if choices and tuple(choices[0]) == BLANK_CHOICE_DASH[0]:
                widget.choices = [("", UNCHOSEN), *choices[1:]]  # this form's copy of the widget
        return super().as_widget(widget, attrs, only_initial)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        added = bootstrap_class(widget)
        if not added:
            return attrs
        # the widget's own classes are kept: attributes given here replace the widget's of the same name
        invalid = "is-invalid" if self.errors else ""
        attrs["class"] = with_classes(widget.attrs.get("class", ""), attrs.get("class", ""), added, invalid)
        return attrs


class TrackerFormRenderer(DjangoTemplates):
    bound_field_class = BootstrapBoundField
