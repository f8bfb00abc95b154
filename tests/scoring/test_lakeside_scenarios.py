"""Closeness scenarios on the lakeside data set as imported (tests/conftest.py `lakeside`), through the
recompute command: what acceptance checks may do with a data set of their own."""
import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Q

from relationships.models import Relationship
from relationships.types import ONE_OFF_TYPES


@pytest.mark.django_db
def test_the_whole_data_set_ended_ten_years_before_is_distant(lakeside, tmp_path):
    # every relationship ended by 2029-12-31 and every meeting and one-off event before 2027: as
    # of 2040 all evidence is over ten years old. Among it, the council's 30 million a year to
    # the department (money, unbounded, decays to 30,000 in ten years: `working` on its own)
    as_of, ended = date(2040, 1, 1), date(2029, 12, 31)
    Relationship.objects.exclude(type__in=ONE_OFF_TYPES).filter(Q(end_date__isnull=True) | Q(end_date__gt=ended)).update(end_date=ended)

    call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    call_command("export_dataset", str(tmp_path), stdout=io.StringIO())

    with open(tmp_path / "closeness.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert rows  # old evidence still scores above zero: the pairs are there, distant
    assert {row["band"] for row in rows} == {"distant"}, [row for row in rows if row["band"] != "distant"][:5]
