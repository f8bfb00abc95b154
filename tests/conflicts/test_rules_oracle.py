"""The conflict rules against a second reading of ../shared/spec/scoring.md's rule table
(tests/conflicts/spec_reading.py): on small random worlds the rules must raise exactly the flags it
raises, with the same severity, disclosure, persons and conflicting relationships. A difference is
a misreading of the spec by one of the two; the cases found so are kept as named tests in
test_rules.py."""
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflicts.rules import RuleInput, flags_for_all_rules
from tests.conflicts.spec_reading import EVIDENCE_RULES, REF, spec_flags, worlds
from tests.examples import examples


@settings(max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from([REF, date(2024, 2, 29), date(2021, 1, 1)]))
def test_the_evidence_rules_raise_exactly_the_flags_the_spec_describes(world, as_of):
    entities, relationships, disclosures = world

    raised = {
        f.key: f for f in flags_for_all_rules(RuleInput(entities, relationships, disclosures, {}, as_of))
        if f.rule in EVIDENCE_RULES
    }
    expected = spec_flags(entities, relationships, disclosures, as_of)

    assert set(raised) == set(expected)
    for key, flag in raised.items():
        want = expected[key]
        assert (flag.severity, flag.disclosed) == (want["severity"], want["disclosed"]), key
        assert set(flag.evidence) == want["evidence"], key
        assert set(flag.persons) == want["persons"], key
