"""The relationship types of the interchange contract and what the engine needs to know of them."""
from django.db import models


class RelationshipType(models.TextChoices):
    OVERSEES = "oversees", "oversees"
    BUDGET_AUTHORITY = "budget_authority", "has budget authority over"
    APPOINTS = "appoints", "appoints"
    FUNDS = "funds", "funds"
    CONTRIBUTES_TO = "contributes_to", "contributes to"
    ENDORSES = "endorses", "endorses"
    REPRESENTS = "represents", "represents"
    MEMBER_OF = "member_of", "is a member of"
    LEADS = "leads", "leads"
    EMPLOYED_BY = "employed_by", "is employed by"
    ADVISES = "advises", "advises"
    LOBBIES = "lobbies", "lobbies"
    PARTNERS_WITH = "partners_with", "partners with"
    FAMILY = "family", "has a family tie with"
    PERSONAL = "personal", "has a personal tie with"


SYMMETRIC_TYPES = frozenset({"partners_with", "family", "personal"})
# Money changes hands: the amount is required and positive.
MONEY_TYPES = frozenset({"funds", "contributes_to"})
# Dated by their start_date alone.
ONE_OFF_TYPES = frozenset({"contributes_to", "endorses"})
# A person acts for an organisation in these ties (used for roll-up from people to organisations).
AFFILIATION_TYPES = frozenset({"leads", "member_of", "employed_by"})
# what a person is to the organisation of each affiliation, the head first (an organisation's page)
AFFILIATION_ROLES = {"leads": "head", "member_of": "member", "employed_by": "staff"}
OVERSIGHT_TYPES = frozenset({"oversees", "budget_authority", "appoints"})
PERSONAL_TIE_TYPES = frozenset({"family", "personal"})


def is_symmetric(rel_type: str) -> bool:
    return rel_type in SYMMETRIC_TYPES

# the kinds of fact a reader asks about ("all the money", "every oversight mandate"): each type in
# exactly one, for the relationships page's and the API's `group` filter
INFLUENCE_TYPES = frozenset({"endorses", "lobbies", "advises", "represents", "partners_with"})
TYPE_GROUPS = {
    "oversight": ("Oversight: oversees, budget authority, appoints", OVERSIGHT_TYPES),
    "money": ("Money: funds, contributes to", MONEY_TYPES),
    "affiliation": ("Affiliation: leads, member of, employed by", AFFILIATION_TYPES),
    "influence": ("Influence: endorses, lobbies, advises, represents, partners with", INFLUENCE_TYPES),
    "personal": ("Personal: family, personal ties", PERSONAL_TIE_TYPES),
}
