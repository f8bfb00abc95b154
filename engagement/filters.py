import django_filters

from core.filters import DATE, EITHER_YES_NO, TextHoldsFilter, UnreadParametersNamed, YesOrNoFilter, recorded_on_or_after
from entities.filters import EntityChoiceFilter

from .models import Meeting
from .selectors import meetings_by_source
from .types import MeetingType


class HasSourceFilter(YesOrNoFilter):
    """Meetings that cite a source (true) or do not (false): the pages' and the API's filter."""

    def filter(self, qs, value):
        return qs if value is None else meetings_by_source(qs, value)


# the query parameters the meetings page and the API take, in the page's order
MEETING_FILTERS = ["type", "neighborhood", "title", "date_after", "date_before", "entity", "recorded_since", "logged_by", "has_source"]


class BaseMeetingFilter(django_filters.FilterSet):
    """The meetings page's filters, which the API's list takes too."""

    type = django_filters.ChoiceFilter(choices=MeetingType.choices)
    title = TextHoldsFilter(label="Title contains")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="From", widget=DATE)
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="To", widget=DATE)
    # what was logged lately (a board member's, an import's), whenever it took place: to check it
    recorded_since = recorded_on_or_after("Logged on or after")
    # a board member finds the meetings they logged (the ones they may correct)
    logged_by = django_filters.CharFilter(field_name="logged_by__username", label="Logged by (user name)")
    # the meetings no reader can check yet (the Sources page links here), or those that can be
    has_source = HasSourceFilter(label="Cites its minutes, agenda or notice",
                                 widget=EITHER_YES_NO)


class MeetingFilter(UnreadParametersNamed, BaseMeetingFilter):
    """The page's: a neighbourhood by a part of its name, an attendee by id or name (suggested)."""

    neighborhood = TextHoldsFilter(label="Neighborhood")
    entity = EntityChoiceFilter(field_name="attendance__entity", label="Attended by (id or name)", part_of_name=True,
                          not_found="No entity's id or name is or holds '{value}': pick one from the suggestions.")

    class Meta:
        model = Meeting
        fields = MEETING_FILTERS


class MeetingApiFilter(BaseMeetingFilter):
    """The API's: a neighbourhood as written, an attendee by id."""

    neighborhood = django_filters.CharFilter()
    entity = django_filters.CharFilter(field_name="attendance__entity__external_id")
    # the schema's words for a script: imports count as logging
    recorded_since = recorded_on_or_after("logged or imported on or after (whenever it took place)")

    class Meta:
        model = Meeting
        fields = MEETING_FILTERS
