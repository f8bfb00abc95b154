"""The entity kinds of the interchange contract, their categories and which are persons."""
from django.db import models


class Kind(models.TextChoices):
    POLICE_DEPARTMENT = "police_department", "Police department"
    SHERIFFS_OFFICE = "sheriffs_office", "Sheriff's office"
    STATE_POLICE = "state_police", "State police"
    FEDERAL_AGENCY = "federal_agency", "Federal agency"
    POLICE_UNION = "police_union", "Police union"
    OVERSIGHT_BODY = "oversight_body", "Oversight body"
    CIVIL_RIGHTS_ORG = "civil_rights_org", "Civil-rights organisation"
    REFORM_ADVOCACY_GROUP = "reform_advocacy_group", "Reform advocacy group"
    GOVERNMENT_BODY = "government_body", "Government body"
    COMMUNITY_GROUP = "community_group", "Community group"
    ADVISORY_BOARD = "advisory_board", "Advisory board"
    BUSINESS = "business", "Business"
    ELECTED_OFFICIAL = "elected_official", "Elected official"
    PERSON = "person", "Person"


class Category(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    LAW_ENFORCEMENT_AFFILIATE = "law_enforcement_affiliate", "Law-enforcement affiliate"
    OVERSIGHT = "oversight", "Oversight"
    ADVOCACY = "advocacy", "Advocacy"
    GOVERNMENT = "government", "Government"
    COMMUNITY = "community", "Community"
    PERSON_OF_INFLUENCE = "person_of_influence", "Person of influence"
    INDIVIDUAL = "individual", "Individual"


CATEGORY_OF_KIND = {
    Kind.POLICE_DEPARTMENT: Category.LAW_ENFORCEMENT,
    Kind.SHERIFFS_OFFICE: Category.LAW_ENFORCEMENT,
    Kind.STATE_POLICE: Category.LAW_ENFORCEMENT,
    Kind.FEDERAL_AGENCY: Category.LAW_ENFORCEMENT,
    Kind.POLICE_UNION: Category.LAW_ENFORCEMENT_AFFILIATE,
    Kind.OVERSIGHT_BODY: Category.OVERSIGHT,
    Kind.CIVIL_RIGHTS_ORG: Category.ADVOCACY,
    Kind.REFORM_ADVOCACY_GROUP: Category.ADVOCACY,
    Kind.GOVERNMENT_BODY: Category.GOVERNMENT,
    Kind.COMMUNITY_GROUP: Category.COMMUNITY,
    Kind.ADVISORY_BOARD: Category.COMMUNITY,
    Kind.BUSINESS: Category.COMMUNITY,
    Kind.ELECTED_OFFICIAL: Category.PERSON_OF_INFLUENCE,
    Kind.PERSON: Category.INDIVIDUAL,
}

PERSON_KINDS = frozenset({Kind.ELECTED_OFFICIAL.value, Kind.PERSON.value})


def category_for_kind(kind: str) -> str:
    return CATEGORY_OF_KIND[Kind(kind)].value


def is_person_kind(kind: str) -> bool:
    return kind in PERSON_KINDS
