from django import forms

from core.forms import UnchangedSinceShownMixin
from engagement.types import MeetingType
from entities.forms import EntityField
from relationships.types import MONEY_TYPES, RelationshipType

from .engine.guarantees import parameter_problems
from .engine.parameters import COMPONENTS, ScoringParameters


def _weight(label: str, help_text: str = "") -> forms.FloatField:
    return forms.FloatField(label=label, min_value=0.0, max_value=1.0, help_text=help_text)


class ScoringSettingsForm(UnchangedSinceShownMixin, forms.Form):
    """The administrator's scoring settings; every weight is 0 to 1 (see docs/scoring.md), and
    together they must keep the published properties that depend on them (engine.guarantees).
    A save that would undo settings another administrator saved after the form was shown is
    refused, as a correction is (core.forms.UnchangedSinceShownMixin); a preview saves nothing and
    is not."""

    half_life_days = forms.FloatField(label="Half-life (days)", min_value=1, max_value=36500,
                                      help_text="Evidence this old counts half as much. Evidence ten years old must stay distant: "
                                                "with the default weights, up to about 850 days.")
    interaction_saturation = forms.FloatField(label="Interaction saturation (meetings)", min_value=0.1, max_value=1000)
    small_meeting_size = forms.IntegerField(label="Meetings counted in full up to (attendees)", min_value=2, max_value=1000)
    money_scale = forms.FloatField(label="Money scale", min_value=1, max_value=1e9, help_text=(
        "Money flowing either way (funds, contributes_to) makes the financial component, not a tie's weight: "
        "10 × (1 − 1/√(1 + money/scale)); money equal to the scale gives 2.9, a hundred times it 9.0."))
    reason = forms.CharField(label="Why the change", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Needed to save a change: it is shown with the history of the settings, to everyone who reads the scores.")

    def __init__(self, *args, in_force: ScoringParameters | None = None, saving: bool = False, **kwargs):
        """`in_force`: the settings in force (the form carries them as shown); `saving`: the form
        is to save them (a change needs its reason, and must not undo a change saved since)."""
        self.in_force, self.saving = in_force, saving
        super().__init__(*args, **kwargs)
        for position, name in enumerate(COMPONENTS):
            # the advice is for the four weights together: said once, beside the first
            self.fields[f"component_{name}"] = _weight(
                f"Component weight: {name}",
                "Keep every component weight (this and the three below) under 0.8, so that no single kind of evidence "
                "makes a pair close." if position == 0 else "",
            )
        # money counts in the financial component (its amount, against the money scale), never in
        # formal, so the money types have no weight to set (one shown would change nothing)
        for value, label in RelationshipType.choices:
            if value not in MONEY_TYPES:
                self.fields[f"relationship_{value}"] = _weight(f"Tie: {label}" if label == value else f"Tie: {label} ({value})")
        for value, label in MeetingType.choices:
            self.fields[f"meeting_{value}"] = _weight(f"Meeting: {label}")

    def corrects_a_record(self) -> bool:
        return self.in_force is not None and (self.saving or not self.is_bound)

    def stored_now(self) -> dict:
        return self.initial_for(self.in_force)

    def shown_values(self) -> dict[str, str]:
        # 365.0 reads 365 where the form names what someone else saved, as the history shows it
        return {name: value.removesuffix(".0") for name, value in super().shown_values().items()}

    @classmethod
    def from_parameters(cls, params: ScoringParameters, in_force: ScoringParameters | None = None, reason: str = "") -> "ScoringSettingsForm":
        """The form showing `params` (the settings in force, or a preview's), carrying `in_force` as
        shown, and the `reason` typed before a preview."""
        return cls(initial=cls.initial_for(params) | {"reason": reason}, in_force=in_force)

    @staticmethod
    def initial_for(params: ScoringParameters) -> dict:
        initial = {
            "half_life_days": params.half_life_days,
            "interaction_saturation": params.interaction_saturation,
            "small_meeting_size": params.small_meeting_size,
            "money_scale": params.money_scale,
        }
        initial |= {f"component_{k}": v for k, v in params.component_weights.items()}
        initial |= {f"relationship_{k}": v for k, v in params.relationship_type_weights.items()}
        initial |= {f"meeting_{k}": v for k, v in params.meeting_type_weights.items()}
        return initial

    def clean(self):
        cleaned = super().clean()
        if not self.errors:  # every field read: score the scenarios with these settings
            for problem in parameter_problems(self.to_parameters()):
                self.add_error(problem.field, problem.message)
        if (not self.errors and self.saving and not cleaned.get("reason", "").strip()
                and self.to_parameters().to_dict() != self.in_force.to_dict()):
            self.add_error("reason", "Say why the settings change: the reason is shown with their history.")
        return cleaned

    @property
    def setting_fields(self):
        """The fields of the settings themselves (the reason is asked for apart)."""
        return [field for field in self if field.name not in ("reason", self.SHOWN_AS)]

    def to_parameters(self) -> ScoringParameters:
        data = self.cleaned_data
        money_weights = (self.in_force or ScoringParameters()).relationship_type_weights  # kept as they are: unused
        return ScoringParameters(
            half_life_days=data["half_life_days"],
            component_weights={k: data[f"component_{k}"] for k in COMPONENTS},
            relationship_type_weights={
                k: data[f"relationship_{k}"] if k not in MONEY_TYPES else money_weights.get(k, 0.0) for k in RelationshipType.values
            },
            meeting_type_weights={k: data[f"meeting_{k}"] for k in MeetingType.values},
            interaction_saturation=data["interaction_saturation"],
            small_meeting_size=data["small_meeting_size"],
            money_scale=data["money_scale"],
        )


def settings_differences(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """What changed between two stored settings, as (the setting's label on the form, before,
    after), in the form's order."""
    form = ScoringSettingsForm()
    old = ScoringSettingsForm.initial_for(ScoringParameters.from_dict(before))
    new = ScoringSettingsForm.initial_for(ScoringParameters.from_dict(after))
    def shown(value):
        return f"{value:g}" if isinstance(value, float) else value  # 365.0 reads 365, 0.75 stays

    return [(form.fields[name].label, shown(old.get(name)), shown(new.get(name)))
            for name in form.fields if name in new and old.get(name) != new.get(name)]


class SinceForm(forms.Form):
    """The day to compare the current scores with (the scores as of that day, or just before)."""

    since = forms.DateField(label="Since", required=False, widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": "Not a date in the form YYYY-MM-DD."})


class ChangesSinceForm(SinceForm):
    """The day to compare with, and optionally one entity (by id or exact name, with suggestions as
    on the meeting form): the changes page's form and its API's parameters."""

    entity = EntityField(label="Entity (id or name)", required=False, not_found="No entity with the id or name '{value}'.",
                         help_text="Only the pairs and flags of this entity")
