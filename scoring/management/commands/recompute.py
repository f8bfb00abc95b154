from django.core.management.base import CommandError
from django.utils import timezone

from core.commands import LeavesWithoutTeardown
from core.dates import parse_iso_date
from core.formatting import count_text
from scoring.services import recompute


class Command(LeavesWithoutTeardown):
    help = "Recompute every closeness score and conflict-of-interest flag, synchronously."
    # Django's system checks (0.2 s, every start) guard the web process; this batch command, like the
    # nightly and incremental tasks that call the same service, does not run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="reference date YYYY-MM-DD (default: today)")

    def handle(self, as_of: str | None, **options):
        try:
            # an empty value is refused, not taken as today: `--as-of "$DAY"` with DAY unset is a mistake
            reference = parse_iso_date(as_of) if as_of is not None else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        snapshot = recompute(as_of=reference, triggered_by="recompute command")
        self.stdout.write(
            f"Recomputed as of {snapshot.as_of}: {count_text(snapshot.pairs_current, 'pair')} scored "
            f"({snapshot.pairs_changed} changed), {count_text(snapshot.flags_raised, 'flag')} raised."
        )
