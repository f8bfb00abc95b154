import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import PagedTable

from .models import Flag
from .rules import rule_name
from .selectors import REVIEW_ORDER

# the queue's hidden field per flag listed: its status as the page showed it (conflicts/views.py)
SHOWN_STATUS_PREFIX = "shown_status_"


def then_review_order(*first: str) -> tuple[str, ...]:
    """Sort by `first`, then as the queue does (`in_review_order`): a column with many equal
    values (a rule, a subject) otherwise leaves its ties in whatever order the database reads."""
    return (*first, *(field for field in REVIEW_ORDER if field not in first))


class TickWithStatusShownColumn(tables.CheckBoxColumn):
    """A flag's tick box, with its status as the queue shows it (hidden), sent with the ticks: a flag
    someone moved since is not moved again unseen (conflicts.services.flags_change_status)."""

    def render(self, value, bound_column, record):
        box = super().render(value, bound_column, record)
        return format_html('{}<input type="hidden" name="{}{}" value="{}">', box, SHOWN_STATUS_PREFIX, record.pk, record.status)


class FlagTable(PagedTable):
    """The review queue. `selected`: the flag ids ticked for a change of status (reviewers only;
    other readers' tables leave the column out)."""

    selected = TickWithStatusShownColumn(
        accessor="pk", verbose_name="Select",
        attrs={
            # ticks every box on the page: shown by static/js/select-all.js (nothing to tick without it)
            "th__input": {"hidden": "hidden", "class": "select-all", "aria-label": "Select every flag on this page"},
            # named as the row reads, so that a screen reader says which flag a box ticks
            "td__input": {"aria-label": lambda record: f"Select {record.rule}: {record.subject.name} / {record.counterpart.name}"},
        },
    )
    rule = tables.Column(linkify=lambda record: reverse("flag_detail", args=[record.pk]), order_by=then_review_order("rule"))
    subject = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.subject.external_id]),
                            order_by=then_review_order("subject__name"))
    counterpart = tables.Column(linkify=lambda record: reverse("entity_detail", args=[record.counterpart.external_id]),
                                order_by=then_review_order("counterpart__name"))
    # by rank, not alphabetically (conflicts.selectors.in_review_order annotates both)
    severity = tables.Column(order_by=then_review_order("severity_rank"))
    status = tables.Column(order_by=then_review_order("status_rank"))
    disclosed = tables.BooleanColumn(yesno="yes,no", order_by=then_review_order("disclosed"))  # words, as flags.csv says it
    first_raised_on = tables.DateColumn(verbose_name="Raised", short=False, format="Y-m-d", order_by=then_review_order("first_raised_on"))
    explanation = tables.Column(order_by=then_review_order("explanation"))

    class Meta:
        model = Flag
        fields = ("rule", "severity", "status", "subject", "counterpart", "disclosed", "first_raised_on", "explanation")
        sequence = ("selected", "rule", "severity", "status", "subject", "counterpart", "disclosed", "first_raised_on", "explanation")
        attrs = {"class": "table"}

    def __init__(self, *args, selected=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        if "selected" in self.columns:
            self.columns["selected"].column.checked = lambda value, record: value in selected

    def render_rule(self, value):
        # the rule's name in words, its code (as flags.csv and the API give it) beneath
        name = rule_name(value)
        return format_html("{}<br><code class=\"rule-code\">{}</code>", name, value) if name != value else value

    def render_status(self, record):
        # who took it under review, when the queue's query says (conflicts.selectors.with_reviewer)
        reviewer = getattr(record, "reviewer_name", None)
        shown = f"{record.get_status_display()} by {reviewer}" if reviewer else record.get_status_display()
        # a flag whose situation ended is listed only on request (the filter's tick box)
        if record.holds:
            return shown
        ended = f" {record.lapsed_on}" if record.lapsed_on else ""
        return f"{shown} (situation ended{ended})"
