"""factory_boy factories for every model."""
from datetime import date

import factory

from conflicts.models import Flag, FlagStatusChange
from engagement.models import Attendance, ConflictReport, FeedbackResponse, FeedbackSurvey, Meeting
from entities.models import Entity
from relationships.models import Disclosure, Relationship
from scoring.models import ClosenessSnapshot, PairScore


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    external_id = factory.Sequence(lambda n: f"e-{n:05d}")
    name = factory.Faker("company")
    kind = "person"
    jurisdiction = "City of Riverton"


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    external_id = factory.Sequence(lambda n: f"r-{n:05d}")
    source = factory.SubFactory(EntityFactory)
    target = factory.SubFactory(EntityFactory, kind="police_department")
    type = "employed_by"
    start_date = date(2020, 1, 1)


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclosure

    external_id = factory.Sequence(lambda n: f"d-{n:05d}")
    relationship = factory.SubFactory(RelationshipFactory)
    discloser = factory.SelfAttribute("relationship.source")
    disclosed_on = date(2024, 1, 1)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    external_id = factory.Sequence(lambda n: f"m-{n:05d}")
    date = date(2026, 1, 15)
    type = "private_meeting"
    title = "Meeting"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    entity = factory.SubFactory(EntityFactory)
    role = "attendee"


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosenessSnapshot

    as_of = date(2026, 6, 30)
    parameters = factory.LazyFunction(dict)
    status = ClosenessSnapshot.Status.COMPLETE


class PairScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairScore

    entity_a = factory.SubFactory(EntityFactory)
    entity_b = factory.SubFactory(EntityFactory)
    score_tenths = 50
    formal_tenths = 50
    interaction_tenths = 0
    financial_tenths = 0
    analyst_tenths = 0
    valid_from = factory.SubFactory(SnapshotFactory)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    rule = "FUNDING_DEPENDENCE"
    subject = factory.SubFactory(EntityFactory, kind="oversight_body")
    counterpart = factory.SubFactory(EntityFactory, kind="police_department")
    severity = "high"
    explanation = "A test flag."
    first_raised_on = date(2026, 1, 1)
    last_evaluated_on = date(2026, 1, 1)


class FlagStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlagStatusChange

    flag = factory.SubFactory(FlagFactory)
    to_status = "open"
    reason = "Raised."


class ScoringSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scoring.ScoringSettings"
        django_get_or_create = ("id",)

    id = 1
    parameters = factory.LazyFunction(lambda: __import__("scoring.engine", fromlist=["ScoringParameters"]).ScoringParameters().to_dict())


class RecomputeLockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scoring.RecomputeLock"
        django_get_or_create = ("name",)

    name = "recompute"


class FeedbackSurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackSurvey

    meeting = factory.SubFactory(MeetingFactory, type="community_forum")


class FeedbackResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackResponse

    survey = factory.SubFactory(FeedbackSurveyFactory)
    trust = 3
    felt_heard = "partly"
    submitted_on = date(2026, 1, 16)


class ConflictReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictReport

    source = factory.SubFactory(EntityFactory, kind="person")
    target = factory.SubFactory(EntityFactory, kind="oversight_body")
    type = "family"
    source_url = "https://news.example.org/story"
