"""Recording or correcting one relationship, or one disclosure of it, on its page: the importer's
rules (the models' clean())."""
from django import forms

from core.forms import AmountField, RefusedOnceMixin, UnchangedSinceShownMixin, WrittenNumberField
from core.validation import web_external_id
from entities.forms import EntityField

from .models import Disclosure, Relationship


# "2,500" as well as 2500, "7,5" told to use a point: the import's rule (here and on the admin site)
NUMBER_FIELDS = {"amount": AmountField, "analyst_score": WrittenNumberField}


class RelationshipForm(UnchangedSinceShownMixin, RefusedOnceMixin, forms.ModelForm):
    """A dated fact between two entities, as a row of relationships.csv. Its id is its key in the
    data sets, the flags and the score history, so it is chosen once: typed when recorded (or made
    up, `r-web-…`) and never changed by a correction."""

    required_css_class = "required"

    source = EntityField(label="From (id or name)")
    target = EntityField(label="To (id or name)")

    class Meta:
        model = Relationship
        fields = ["source", "type", "target", "start_date", "end_date", "amount", "analyst_score", "source_url", "notes", "external_id"]
        labels = {"external_id": "Id", "analyst_score": "Analyst's rating (0 to 10)", "source_url": "Source URL"}
        field_classes = NUMBER_FIELDS
        help_texts = {
            "external_id": "Its id in the data sets (letters, digits, '.', '_', '-'); left empty, one is made up.",
            "start_date": "The day it began; a contribution or an endorsement is dated by this day alone.",
            "amount": "Required for funds and contributes to: the money that changed hands, without its currency sign (2,500 or 2500).",
            "analyst_score": "How close an analyst judges the pair from this fact, when the other evidence misses something.",
            "source_url": "Where this can be checked: a filing, minutes, an article, a public record.",
        }
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["external_id"]
            # the entities as their ids: a name two entities share would be refused as ambiguous
            self.initial.update(source=self.instance.source.external_id, target=self.instance.target.external_id)
        else:
            self.fields["external_id"].required = False

    def clean_external_id(self):
        return self.cleaned_data["external_id"].strip() or web_external_id("r")


class DisclosureForm(UnchangedSinceShownMixin, RefusedOnceMixin, forms.ModelForm):
    """Someone disclosed a relationship (a row of disclosures.csv for the relationship whose page it
    is recorded from): its id chosen once, as a relationship's. Whether the statement may be
    published is an administrator's call, made when the discloser agreed (`may_publish`)."""

    required_css_class = "required"

    discloser = EntityField(label="Disclosed by (id or name)")

    class Meta:
        model = Disclosure
        fields = ["discloser", "disclosed_on", "statement", "source_url", "statement_public", "external_id"]
        labels = {"external_id": "Id", "disclosed_on": "Disclosed on", "source_url": "Where it is on file (URL)"}
        help_texts = {"external_id": "Its id in the data sets; left empty, one is made up."}
        widgets = {"disclosed_on": forms.DateInput(attrs={"type": "date"}), "statement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, may_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["statement_public"]
        if self.instance.pk:
            del self.fields["external_id"]
            self.initial["discloser"] = self.instance.discloser.external_id
        else:
            self.fields["external_id"].required = False

    def clean_external_id(self):
        return self.cleaned_data["external_id"].strip() or web_external_id("d")


class SourceForm(UnchangedSinceShownMixin, forms.ModelForm):
    """Where a relationship can be checked, given on the Sources page beside it (a filing, the
    minutes, an article): the rest of the relationship stays as it is."""

    class Meta:
        model = Relationship
        fields = ["source_url"]
        labels = {"source_url": "Source URL"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_url"].required = True
