from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.context import current_actor
from audit.services import attendance_key, audit_events_bulk_write, created_changes
from core.formatting import count_text
from entities.services import NewPerson, person_add
from relationships.models import Relationship

from .models import Attendance, ConflictReport, FeedbackResponse, FeedbackSurvey, Meeting, MeetingNewcomer
from .types import is_public_meeting_type


def _with_people_added(meeting: Meeting, attendance: list[tuple]) -> list[tuple]:
    """The attendance with each person new to the tracker (`NewPerson`) added as an entity, noting
    the meeting they were first listed at (in their description, and as a `MeetingNewcomer` with who
    added them)."""
    note = f"Added when the meeting “{meeting.title}” of {meeting.date} was logged."
    listed = []
    for entity, role in attendance:
        if isinstance(entity, NewPerson):
            entity = person_add(name=entity.name, description=note)
            MeetingNewcomer.objects.create(entity=entity, meeting=meeting, added_by_id=current_actor().user_id)
        listed.append((entity, role))
    return listed


def meeting_log_create(*, meeting: Meeting, attendance: list[tuple]) -> Meeting:
    """Save a meeting and who attended (adding the people new to the tracker), in one transaction;
    the evidence-change signals queue the incremental recompute once it commits."""
    with transaction.atomic():
        meeting.full_clean()
        meeting.save()
        attendance = _with_people_added(meeting, attendance)
        Attendance.objects.bulk_create([Attendance(meeting=meeting, entity=entity, role=role) for entity, role in attendance])
        # bulk_create sends no signals: write the attendance's audit events here, and report the
        # attendance to the recompute as one change
        audit_events_bulk_write(
            ("create", "engagement.attendance", attendance_key(meeting.external_id, entity.external_id),
             created_changes({"meeting": meeting.external_id, "entity": entity.external_id, "role": role}), meeting.external_id)
            for entity, role in attendance
        )
        from scoring.triggers import entities_at_meeting, queue_recompute

        queue_recompute(entities_at_meeting(meeting.pk))
    return meeting


def meeting_log_update(*, meeting: Meeting, attendance: list[tuple]) -> Meeting:
    """Save a logged meeting's corrections and its attendance as listed now, in one transaction:
    rows of entities no longer listed are deleted, changed roles saved, new entities added (people
    new to the tracker first added as entities). Row by
    row through the ORM (a meeting lists at most 200), so each change is in the audit trail and
    reports the pairs it touches to the incremental recompute, queued once when it commits."""
    with transaction.atomic():
        meeting.full_clean()
        meeting.save()
        attendance = _with_people_added(meeting, attendance)
        stored = {row.entity_id: row for row in meeting.attendance.select_for_update()}
        listed = {entity.pk: (entity, role) for entity, role in attendance}
        for entity_id, row in stored.items():
            if entity_id not in listed:
                row.delete()
            elif row.role != listed[entity_id][1]:
                row.role = listed[entity_id][1]
                row.save()
        for entity_id, (entity, role) in listed.items():
            if entity_id not in stored:
                Attendance.objects.create(meeting=meeting, entity=entity, role=role)
    return meeting


def meeting_log_delete(*, meeting: Meeting) -> None:
    """Delete a meeting logged by mistake, with its attendance; each row's deletion goes to the
    audit trail and queues the recompute of the pairs it touched (signals). Refused when its surveys
    were answered: the public's anonymous answers would go with it."""
    with transaction.atomic():
        # its surveys locked first: an answer being stored now is either counted here or, waiting
        # on the lock, finds its survey gone (feedback_answer_create); never deleted unseen
        list(FeedbackSurvey.objects.select_for_update().filter(meeting=meeting).values_list("pk", flat=True))
        answers = FeedbackResponse.objects.filter(survey__meeting=meeting).count()
        if answers:
            raise EngagementError(
                f"Not deleted: {count_text(answers, 'anonymous survey answer')} would go with it. "
                "Correct the meeting instead, or ask an administrator."
            )
        meeting.delete()


class EngagementError(Exception):
    """A request the current state does not allow (shown to the user as is)."""


def feedback_survey_create(*, meeting: Meeting, user) -> FeedbackSurvey:
    if not is_public_meeting_type(meeting.type):
        raise EngagementError("Surveys are for public meetings; this one was private.")
    return FeedbackSurvey.objects.create(meeting=meeting, created_by=user)


def feedback_answer_create(*, survey: FeedbackSurvey, trust: int, felt_heard: str, comment: str, on: date) -> None:
    """Store one answer. Nothing that identifies the person answering is passed in or stored.
    The survey is read again under a lock, as it may have been closed, or deleted with its meeting
    (meeting_log_delete), since the page was sent."""
    with transaction.atomic():
        survey = FeedbackSurvey.objects.select_for_update(no_key=True).filter(pk=survey.pk).first()
        if survey is None or survey.closed:
            raise EngagementError("This survey is closed.")
        answer = FeedbackResponse(survey=survey, trust=trust, felt_heard=felt_heard, comment=comment.strip(), submitted_on=on)
        answer.full_clean()
        answer.save()


def _pending_report_locked(report: ConflictReport) -> ConflictReport:
    """The report, locked until the transaction ends; refused if someone already decided it."""
    report = ConflictReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ConflictReport.Status.PENDING:
        raise EngagementError(f"Report #{report.pk} was already {report.get_status_display().lower()}.")
    return report


def conflict_report_accept(*, report: ConflictReport, user, reason: str, ends: dict | None = None) -> Relationship:
    """Turn a pending report into a relationship; the report stays linked as its provenance. `ends`:
    the entity of each end the reporter named as not in the tracker yet (the name is kept)."""
    with transaction.atomic():
        report = _pending_report_locked(report)
        for end, entity in (ends or {}).items():
            if getattr(report, f"{end}_id") is None:
                setattr(report, end, entity)
        if missing := report.ends_to_add():
            raise EngagementError(f"Say which entity {' and '.join(f'“{name}”' for name in missing)} is, to accept the report.")
        external_id = f"report-{report.pk}"
        if Relationship.objects.filter(external_id=external_id).exists():
            raise EngagementError(f"A relationship '{external_id}' already exists; edit it instead.")
        reporter = report.reported_by.get_username() if report.reported_by else "a former user"
        relationship = Relationship(
            external_id=external_id,
            source_id=report.source_id,
            target_id=report.target_id,
            type=report.type,
            start_date=report.start_date,
            amount=report.amount,
            source_url=report.source_url,
            notes=(f"From conflict report #{report.pk} by {reporter} on {report.reported_at.date().isoformat()}, "
                   f"accepted by {user.get_username()}: {reason}\n{report.details}").strip(),
        )
        relationship.full_clean()
        relationship.save()  # its post_save signal queues the recompute after commit
        report.status = ConflictReport.Status.ACCEPTED
        report.relationship = relationship
        report.decided_by, report.decided_at, report.decision_reason = user, timezone.now(), reason
        report.save()
    return relationship


def conflict_report_reject(*, report: ConflictReport, user, reason: str) -> None:
    if not reason.strip():
        raise EngagementError("Write why the report is rejected.")
    with transaction.atomic():
        report = _pending_report_locked(report)
        report.status = ConflictReport.Status.REJECTED
        report.decided_by, report.decided_at, report.decision_reason = user, timezone.now(), reason.strip()
        report.save()
