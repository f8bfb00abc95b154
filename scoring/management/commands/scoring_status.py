import json

from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from core.commands import DatabaseCommand
from scoring.selectors import WAITING_BECAUSE, scoring_status, status_needs_attention


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value is not None else "never"


class Command(DatabaseCommand):
    help = ("How current the scores are and whether the background workers run, as /api/scoring/status/ gives it; "
            "exits 1 when something needs looking into (for cron or a monitoring agent).")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the status as the API gives it")

    def handle(self, **options):
        status = scoring_status(timezone.now())
        needs = status_needs_attention(status)
        if options["json"]:
            self.stdout.write(json.dumps({**status, "needs_attention": needs}, cls=JSONEncoder, indent=2))
        else:
            self.stdout.write("\n".join(self._lines(status, needs)))
        if needs:
            raise SystemExit(1)

    @staticmethod
    def _lines(status: dict, needs: list[str]) -> list[str]:
        scores, workers = status["scores"], status["workers"]
        lines = [f"Scores: as of {scores['as_of']}, computed {_when(scores['computed_at'])} ({scores['scope']}, {scores['pairs']:,} pairs)"
                 if scores else "Scores: none yet"]
        if status["running"]:
            lines.append(f"Running: a {status['running']['scope']} recompute since {_when(status['running']['started_at'])}")
        if status["last_failure"]:
            lines.append(f"Last recompute failed at {_when(status['last_failure']['started_at'])}: {status['last_failure']['error']}")
        if status["changes_waiting_since"]:
            why = "; ".join(WAITING_BECAUSE[reason] for reason in status["changes_waiting_because"]) or "a worker has them, not run yet"
            lines.append(f"Changes waiting since {_when(status['changes_waiting_since'])}: {why}")
        if not workers["expected"]:
            lines.append("Workers: none (no broker: tasks run in the process that sends them)")
        else:
            lines.append(f"Workers: last took work {_when(workers['last_seen'])}" if workers["last_seen"] else "Workers: none has taken any work yet")
            lines.append(f"Beat: last sent work {_when(workers['beat_last_sent'])}" if workers["beat_last_sent"] else "Beat: has sent no work yet")
        lines.append(("Needs attention: " + "; ".join(needs) + ".") if needs else "All is well.")
        return lines
