import argparse
import csv
import io
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import CommandError
from django.utils import timezone

from audit.context import acting_as, command_actor
from core.commands import DatabaseCommand
from core.dates import parse_iso_date
from core.formatting import count_text
from core.roles import ADMINISTRATOR, ROLES
from interchange.reading import files_from_directory, files_moved_by
from interchange.services import dataset_import
from scoring.services import current_snapshot, recompute

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
# The day the demo's files were written for (demo/generate.py: meetings until 2026-11-20). The demo
# is loaded with every date moved by the days since, so that it is as recent whenever it is loaded:
# its contributions stay inside the four-year window, its lunches in the charted year.
DEMO_WRITTEN_FOR = date(2026, 12, 2)
# On a first load the demo is also scored as of the first of each of the past months, as a
# nightly run would have, so that pages show closeness over time (a fraction of a second each).
HISTORY_MONTHS = 12
# Demo accounts for a local try-out only; never load the demo on a public server.
DEMO_USERS = {role: (f"demo-{role.replace('_', '-')}", f"riverton-{role.replace('_', '-')}-demo") for role in ROLES}


def _iso_date(text: str) -> date:
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(DatabaseCommand):
    help = "Load the Riverton demo data set, score it as of today, and create one demo user per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=_iso_date,
            help="load the demo as on this day (YYYY-MM-DD; default today; loaded again, it keeps its first load's dates unless this is given)",
        )
        parser.add_argument(
            "--public-demo", action="store_true",
            help="load it with DEBUG off too, for a public demonstration site (its accounts' passwords are published in the README)",
        )

    def handle(self, **options):
        if not settings.DEBUG and not options["public_demo"]:
            # with DEBUG off this is a real site: an account per role with a published password on it
            # would let anyone in as an administrator
            raise CommandError(
                "load_demo creates an account per role with the passwords the README publishes: refused with "
                "DEBUG off (a real site). For a public demonstration site, pass --public-demo."
            )
        today = options["today"] or timezone.localdate()
        files = files_from_directory(DEMO_DIR)
        days = (today - DEMO_WRITTEN_FOR).days if options["today"] else days_moved_when_first_loaded(files, default=(today - DEMO_WRITTEN_FOR).days)
        try:
            files = files_moved_by(files, days)
        except OverflowError:
            raise CommandError(f"--today {today}: the demo's dates, moved to end then, would fall before year 1: pick a later day") from None
        with acting_as(command_actor("load_demo")):
            result = dataset_import(files=files)
        if not result.ok:
            raise CommandError("\n".join(str(p) for p in result.problems))
        for name, counts in result.counts.items():
            self.stdout.write(f"{name}: {counts}")
        if current_snapshot() is None:
            for as_of in months_before(today, HISTORY_MONTHS):
                recompute(as_of=as_of, triggered_by="load_demo (the past year)")
            self.stdout.write(f"Scored the past {HISTORY_MONTHS} months for the history charts.")
        snapshot = recompute(as_of=today, triggered_by="load_demo")
        self.stdout.write(f"Scored {count_text(snapshot.pairs_current, 'pair')} as of {snapshot.as_of}; "
                          f"{count_text(snapshot.flags_raised, 'flag')} raised.")
        self.stdout.write(demo_feedback())
        self.stdout.write("\nDemo users (role: username / password):")
        for role, (username, password) in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = role == ADMINISTRATOR  # administrators use the Django admin too
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:14} {username} / {password}")


def days_moved_when_first_loaded(files: dict[str, bytes], default: int) -> int:
    """How far the demo's dates were moved when it was first loaded (its first meeting's stored
    date against the file's), or `default` when it is not loaded: loaded again on a later day,
    the demo keeps its dates, rather than moving every meeting and tie again (each an edit in the
    audit trail, and history charts mixing the two calendars)."""
    from engagement.models import Meeting

    first = next(csv.DictReader(io.StringIO(files["meetings.csv"].decode("utf-8-sig"), newline="")))
    stored = Meeting.objects.filter(external_id=first["external_id"]).values_list("date", flat=True).first()
    return (stored - date.fromisoformat(first["date"])).days if stored else default


def months_before(today: date, months: int) -> list[date]:
    """The first day of each of the `months` months before today's, oldest first."""
    firsts, year, month = [], today.year, today.month
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        firsts.append(date(year, month, 1))
    return firsts[::-1]


def demo_feedback() -> str:
    """Survey answers on the demo's public meetings, so the trust trend and results have something to
    show (deterministic; only when no survey exists yet)."""
    import random

    from engagement.models import FeedbackResponse, FeedbackSurvey, Meeting

    if FeedbackSurvey.objects.exists():
        return "Demo surveys already present."
    rng = random.Random(7)
    meetings = list(Meeting.objects.exclude(type="private_meeting").order_by("date", "external_id"))
    answers = []
    for meeting in meetings[-40:]:
        survey = FeedbackSurvey.objects.create(meeting=meeting)
        for _ in range(rng.randint(2, 8)):
            answers.append(FeedbackResponse(
                survey=survey, trust=rng.choice([1, 2, 3, 3, 4, 4, 5]), felt_heard=rng.choice(["yes", "partly", "no"]),
                comment=rng.choice(["", "", "More time for questions, please.", "Good to hear about the new patrol plan."]),
                submitted_on=meeting.date,
            ))
    FeedbackResponse.objects.bulk_create(answers)
    return f"Demo feedback: {len(answers)} anonymous answers on {min(len(meetings), 40)} public meetings."
