"""Reads what the conflict rules need beyond the closeness engine's data."""
from relationships.models import Disclosure
from scoring.engine.parameters import CLOSE_TENTHS
from scoring.models import PairScore

from .rules import DisclosureRecord


def load_disclosures() -> list[DisclosureRecord]:
    return [DisclosureRecord(*row) for row in Disclosure.objects.values_list("relationship_id", "disclosed_on")]


def load_close_pairs() -> dict[tuple[int, int], float]:
    rows = PairScore.objects.filter(score_tenths__gte=CLOSE_TENTHS).values_list(
        "entity_a_id", "entity_b_id", "score_tenths"
    )
    return {(a, b): tenths / 10 for a, b, tenths in rows}
