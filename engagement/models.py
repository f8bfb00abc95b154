import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import SingletonModel, TimeStampedModel
from core.paging import DeferredJoinQuerySet
from core.validation import (
    FieldProblem,
    attendance_problems,
    ends_by_id,
    external_id_problems,
    meeting_problems,
    raise_for_problems,
    relationship_problems,
)
from relationships.types import RelationshipType

from .types import AttendanceRole, MeetingType

COMMENT_MAX_LENGTH = 2000


class Meeting(TimeStampedModel):
    """A meeting where entities met: advisory boards, focus groups, forums, hearings, private meetings."""

    external_id = models.CharField(max_length=100, unique=True)
    date = models.DateField()
    type = models.CharField(max_length=32, choices=MeetingType.choices)
    title = models.CharField(max_length=300)
    location = models.CharField(max_length=300, blank=True)
    neighborhood = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    # provenance, as a relationship's: minutes, an agenda, a notice, a news report
    source_url = models.CharField("source URL", max_length=1000, blank=True,
                                  help_text="Where this meeting can be checked: its minutes, agenda or notice.")
    # who logged it on the site or the API (empty when it came from an import): board members
    # correct the meetings they logged, analysts and administrators any (engagement.permissions)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
                                  on_delete=models.SET_NULL, related_name="+")

    # listed 50 a page by the pages and the API, to the last page
    objects = DeferredJoinQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "external_id"]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["type", "date"]),
            models.Index(fields=["neighborhood"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=MeetingType.values), name="meeting_type_known"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date})"

    def clean(self):
        raise_for_problems(external_id_problems(self.external_id) + meeting_problems(type=self.type, title=self.title), instance=self)


class Attendance(models.Model):
    """One entity present at one meeting (a row of attendance.csv), keyed by (meeting, entity)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    # indexed with the meeting below, not alone
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="attendance", db_index=False)
    role = models.CharField(max_length=16, choices=AttendanceRole.choices, default=AttendanceRole.ATTENDEE)

    class Meta:
        verbose_name_plural = "attendance"
        ordering = ["meeting", "entity"]
        # An entity's meetings from the index alone (an index-only scan, where the table is
        # vacuumed): an incremental recompute looks up the meetings of the entities it scores,
        # and on a cold cache reading each attendance row's page took 0.3-0.5 s of it.
        indexes = [models.Index(fields=["entity", "meeting"], name="attendance_entity_meeting")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "entity"], name="attendance_once_per_meeting"),
            models.CheckConstraint(condition=Q(role__in=AttendanceRole.values), name="attendance_role_known"),
        ]

    def __str__(self):
        return f"{self.entity} at {self.meeting}"

    def clean(self):
        raise_for_problems(attendance_problems(role=self.role))


def new_survey_token() -> str:
    return secrets.token_urlsafe(24)


class MeetingNewcomer(models.Model):
    """A person first entered in the tracker while a meeting was logged ("New person" on the
    meeting form): which meeting, and who added them, so that analysts can check the people board
    members add (the Sources page lists them beside the look-alike names)."""

    entity = models.OneToOneField("entities.Entity", on_delete=models.CASCADE, primary_key=True, related_name="added_at_meeting")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="newcomers")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    added_at = models.DateTimeField(auto_now_add=True)
    # an analyst checked them (not someone already here under another name): off the list
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-added_at", "-entity_id"]

    def __str__(self):
        return f"{self.entity_id} added at meeting {self.meeting_id}"


class FeedbackSurvey(models.Model):
    """A link that lets anyone at a public meeting answer three questions without signing in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="surveys")
    token = models.CharField(max_length=64, unique=True, default=new_survey_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed = models.BooleanField(default=False, help_text="A closed survey takes no more answers.")

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self):
        return f"Feedback on {self.meeting}"


class FeedbackResponse(models.Model):
    """One anonymous answer. It deliberately holds nothing about who answered: no user, no session,
    no address, no time of day, and a random key so that the order of answers reveals nothing."""

    class Heard(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    TRUST_CHOICES = [(1, "1 – no trust"), (2, "2"), (3, "3"), (4, "4"), (5, "5 – full trust")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(FeedbackSurvey, on_delete=models.CASCADE, related_name="responses")
    trust = models.PositiveSmallIntegerField(choices=TRUST_CHOICES)
    felt_heard = models.CharField(max_length=8, choices=Heard.choices)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    submitted_on = models.DateField()

    class Meta:
        ordering = ["submitted_on"]
        constraints = [
            models.CheckConstraint(condition=Q(trust__gte=1, trust__lte=5), name="feedback_trust_1_5"),
            models.CheckConstraint(condition=Q(felt_heard__in=["yes", "partly", "no"]), name="feedback_heard_known"),
        ]

    def __str__(self):
        return f"Answer to survey {self.survey_id} on {self.submitted_on}"


class ConflictReport(models.Model):
    """A tie a signed-in user reports; it enters the evidence only when an analyst accepts it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    # each end an entity, or the name the reporter gave of one not in the tracker yet (only analysts
    # add entities): the analyst who accepts the report says which entity it is, adding it first
    source = models.ForeignKey("entities.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="who")
    target = models.ForeignKey("entities.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="with whom")
    source_name = models.CharField("who, not in the tracker yet", max_length=200, blank=True)
    target_name = models.CharField("with whom, not in the tracker yet", max_length=200, blank=True)
    type = models.CharField("kind of tie", max_length=32, choices=RelationshipType.choices)
    start_date = models.DateField("since", null=True, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, help_text="For money: funds, contributions.")
    source_url = models.CharField("source URL", max_length=1000, help_text="Where this can be checked: an article, a filing, a record.")
    details = models.TextField(blank=True, max_length=4000)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # The relationship an accepted report became; the report stays as its provenance.
    relationship = models.OneToOneField(
        "relationships.Relationship", null=True, blank=True, on_delete=models.SET_NULL, related_name="conflict_report"
    )

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["status", "reported_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "accepted", "rejected"]), name="report_status_known"),
            models.CheckConstraint(condition=Q(source__isnull=False) | ~Q(source_name=""), name="report_source_given"),
            models.CheckConstraint(condition=Q(target__isnull=False) | ~Q(target_name=""), name="report_target_given"),
        ]

    def __str__(self):
        return f"Report #{self.pk}: {self.end_shown('source')} {self.get_type_display()} {self.end_shown('target')}"

    def end_shown(self, end: str) -> str:
        """An end's entity, or the name given of one not in the tracker yet."""
        entity = getattr(self, end)
        return str(entity) if entity is not None else f"{getattr(self, f'{end}_name')} (not in the tracker yet)"

    def ends_to_add(self) -> list[str]:
        """The names given of ends not in the tracker yet, for the analyst to add before accepting."""
        return [getattr(self, f"{end}_name") for end in ("source", "target") if getattr(self, f"{end}_id") is None]

    def clean(self):
        problems = [FieldProblem(end, "is required: an entity, or the name of one not in the tracker yet")
                    for end in ("source", "target") if getattr(self, f"{end}_id") is None and not getattr(self, f"{end}_name").strip()]
        raise_for_problems(
            problems + relationship_problems(
                type=self.type,
                **ends_by_id(self),
                start_date=self.start_date,
                end_date=None,
                amount=self.amount,
                analyst_score=None,
            ),
            instance=self,
        )


class EngagementSettings(SingletonModel):
    """Site-wide switches an administrator sets (one row)."""

    disclosure_register_public = models.BooleanField(
        default=False, help_text="Publish the disclosure register to everyone, without signing in."
    )

    class Meta:
        verbose_name_plural = "engagement settings"

    def __str__(self):
        return "Engagement settings"
