"""Who steps back from what, for each rule (pure)."""
from engagement.recusal import FlagFacts, Party, duty_for_powers, recusals_for_flags

BOARD = Party(1, "lk-ob", "Police Oversight Board", "oversight_body", "Oversight body")
COUNCIL = Party(2, "lk-cc", "City Council", "government_body", "Government body")
PD = Party(3, "lk-pd", "Police Department", "police_department", "Police department")
MEMBER = Party(4, "p-bm", "Jamie Fox", "person", "Person")
OFFICER = Party(5, "p-off", "Officer Lee", "person", "Person")
OFFICIAL = Party(6, "eo-1", "Councilmember Okoro", "elected_official", "Elected official")


def flag(rule, subject, persons=(), powers=("oversees",), seated=()):
    return FlagFacts(flag_id=7, rule=rule, status="open", subject=subject, counterpart=PD, persons=tuple(persons),
                     powers=frozenset(powers), seated_person_ids=frozenset(p.id for p in seated))


def test_duty_follows_the_overseers_powers():
    assert duty_for_powers(frozenset({"oversees"}), "oversight_body") == "review complaints about"
    assert duty_for_powers(frozenset({"oversees"}), "government_body") == "take part in oversight of"
    assert duty_for_powers(frozenset({"budget_authority"}), "government_body") == "vote on the budget of"
    assert duty_for_powers(frozenset(), "person") == "take part in decisions about"
    assert duty_for_powers(frozenset({"budget_authority", "appoints"}), "government_body") == (
        "vote on the budget of, or take part in appointments at,"
    )
    # a person appointed (the mayor appoints the chief): the appointment of that person
    assert duty_for_powers(frozenset({"appoints"}), "elected_official", "person") == "take part in the appointment of"


def test_a_revolving_door_member_steps_back_not_the_whole_board():
    [recusal] = recusals_for_flags([flag("REVOLVING_DOOR", BOARD, [MEMBER], seated=[MEMBER])])
    assert recusal.who == MEMBER and recusal.body == BOARD
    assert recusal.sentence == (
        "Jamie Fox (Police Oversight Board) should not review complaints about Police Department until the flag is resolved."
    )


def test_a_personal_tie_recuses_only_the_person_on_the_overseer_side():
    recusals = recusals_for_flags([flag("PERSONAL_TIE", COUNCIL, [OFFICER, OFFICIAL], powers=("budget_authority",), seated=[OFFICIAL])])
    assert [r.who for r in recusals] == [OFFICIAL]
    assert recusals[0].sentence.startswith("Councilmember Okoro (City Council) should not vote on the budget of")


def test_a_personal_tie_with_a_person_overseer_recuses_that_person():
    [recusal] = recusals_for_flags([flag("PERSONAL_TIE", OFFICIAL, [OFFICER, OFFICIAL])])
    assert recusal.who == OFFICIAL
    assert recusal.sentence.startswith("Councilmember Okoro should not")


def test_several_flags_calling_for_the_same_step_back_give_one_line():
    flags = [flag("FUNDING_DEPENDENCE", BOARD), flag("OVERSIGHT_TOO_CLOSE", BOARD)]
    flags[1] = FlagFacts(**{**flags[1].__dict__, "flag_id": 8})
    [recusal] = recusals_for_flags(flags)
    assert [(f.flag_id, f.rule) for f in recusal.flags] == [(7, "FUNDING_DEPENDENCE"), (8, "OVERSIGHT_TOO_CLOSE")]
    assert recusal.sentence.endswith(" until the flags are resolved.")


def test_body_level_rules_recuse_the_body_itself():
    for rule in ("FUNDING_DEPENDENCE", "OVERSIGHT_TOO_CLOSE", "POWER_IMBALANCE", "CONTRIBUTION_FROM_OVERSEEN"):
        [recusal] = recusals_for_flags([flag(rule, BOARD, [MEMBER], seated=[MEMBER])])
        assert recusal.who == BOARD, rule
        assert recusal.sentence == "Police Oversight Board should not review complaints about Police Department until the flag is resolved."
