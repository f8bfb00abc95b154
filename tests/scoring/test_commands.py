"""`manage.py recompute`: its reference date (scoring/management/commands/recompute.py)."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.models import ClosenessSnapshot


@pytest.mark.django_db
@pytest.mark.parametrize("given,message", [
    ("2026-1-1", "--as-of: '2026-1-1' is not a date in the form YYYY-MM-DD: write it 2026-01-01"),
    ("2026-02-29", "--as-of: '2026-02-29' is not a real calendar date"),
    # `--as-of "$DAY"` with DAY unset: refused, not taken as today
    ("", "--as-of: '' is not a date in the form YYYY-MM-DD"),
])
def test_a_reference_date_that_is_not_a_day_is_refused_before_anything_runs(given, message):
    with pytest.raises(CommandError, match=f"^{message}$"):
        call_command("recompute", "--as-of", given, stdout=io.StringIO())
    assert not ClosenessSnapshot.objects.exists()


@pytest.mark.django_db
def test_without_a_reference_date_it_recomputes_as_of_today(lakeside):
    from django.utils import timezone

    out = io.StringIO()
    call_command("recompute", stdout=out)

    assert ClosenessSnapshot.objects.get().as_of == timezone.localdate()
    assert out.getvalue().startswith(f"Recomputed as of {timezone.localdate().isoformat()}: ")


@pytest.mark.django_db
def test_its_summary_counts_in_words_that_agree_with_the_numbers(lakeside):
    out = io.StringIO()
    call_command("recompute", "--as-of", "2026-06-30", stdout=out)

    snapshot = ClosenessSnapshot.objects.get()
    assert snapshot.pairs_current > 1 and snapshot.flags_raised > 1
    assert out.getvalue().strip() == (
        f"Recomputed as of 2026-06-30: {snapshot.pairs_current} pairs scored ({snapshot.pairs_changed} changed), "
        f"{snapshot.flags_raised} flags raised."
    )
