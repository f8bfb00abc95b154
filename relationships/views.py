"""Relationship pages: each fact with its evidence and provenance, recording and correcting one,
where the facts come from, entities that may be entered twice, and the people added while meetings
were logged."""
from django.contrib import messages
from django.db.models import Count, F, Sum
from django.http import Http404
from django.utils import timezone
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import audit_trail
from conflicts.selectors import open_flags
from core.filters import listed, unread_query_parameters
from core.forms import correction_saved, deleted_once_confirmed, prefill_problems, saved_unless_changed_meanwhile
from core.memory import collector_paused
from core.params import FORM_ONCE_HERE, redirect_keeping_query
from core.permissions import role_required
from core.roles import can_edit_data, can_record_facts, can_review_flags
from core.spreadsheet import csv_download
from core.tables import configure_list
from engagement.selectors import meeting_newcomers, meeting_sources_by_type, repeated_stored_meetings
from entities.forms import ends_not_found
from entities.selectors import possible_duplicates, recent_merges
from interchange.format import RELATIONSHIPS
from scoring.selectors import listed_pairs, pair_for
from scoring.signals import relationship_evidence_changed

from .filters import RelationshipPageFilter
from .forms import DisclosureForm, RelationshipForm, SourceForm
from .models import Disclosure, Relationship
from .selectors import (
    deletion_refused,
    disclosure_sources,
    disclosure_warnings,
    odd_parent_units,
    odd_relationships,
    repeated_relationships,
    saving_warnings,
    sources_by_type,
    unsourced,
)
from .tables import RelationshipTable
from .types import AFFILIATION_TYPES, RelationshipType

# relationships listed in each section of the page; the CSV has them all
SOURCES_LISTED = 100
RECORDING_REFUSED = "Only analysts and administrators record and correct relationships."
# the Sources page's lists of unsourced relationships (each row's form says which it is in)
SOURCE_LISTS = ("behind-flags", "behind-close")


def relationship_list(request):
    """Every relationship, filterable (type, an entity at either end, dates, in force on a day,
    amount, source), newest first, 50 a page; ?export=csv downloads those filtered in
    relationships.csv's columns."""
    filterset = RelationshipPageFilter(request.GET, queryset=Relationship.objects.select_related("source", "target"))
    chosen = listed(filterset)
    if request.GET.get("export") == "csv":
        return _relationships_csv("relationships.csv", chosen)
    table = RelationshipTable(chosen.order_by(F("start_date").desc(nulls_last=True), "external_id"))
    configure_list(request, table, filterset, per_page=50)
    # how many, and the money they carry ("what did the union give, and to whom"): money of
    # different kinds (a budget, a campaign contribution) is not one sum, so each type's too
    by_type = [{**row, "label": RelationshipType(row["type"]).label}
               for row in chosen.filter(amount__isnull=False).values("type").annotate(count=Count("id"), amount=Sum("amount")).order_by("-amount")]
    summary = {"count": chosen.count(), "amount": sum(row["amount"] for row in by_type) if by_type else None,
               "by_type": by_type if len(by_type) > 1 else []}
    return render(request, "relationships/list.html", {"filter": filterset, "table": table, "summary": summary})


def _relationships_csv(filename: str, relationships):
    """A download of `relationships` in relationships.csv's columns (the contract's, so it imports back)."""
    rows = relationships.order_by("external_id").values_list(
        "external_id", "source__external_id", "target__external_id", "type", "start_date", "end_date", "amount", "analyst_score",
        "source_url", "notes")
    return csv_download(filename, RELATIONSHIPS.columns, ([("" if value is None else value) for value in row] for row in rows.iterator()))


def relationship_detail(request, external_id: str):
    """One fact: what it says, where it can be checked, the pair it counts toward and that pair's
    score, its disclosures, the flags it is evidence for, the report it came from, and its history."""
    relationship = Relationship.objects.select_related("source", "target").filter(external_id=external_id).first()
    if relationship is None:
        if external_id == FORM_ONCE_HERE:
            return redirect_keeping_query(request, "relationship_new")
        raise Http404("No such relationship.")
    disclosures = list(relationship.disclosures.select_related("discloser").order_by("disclosed_on", "external_id"))
    return render(request, "relationships/detail.html", {
        "relationship": relationship,
        "pair": pair_for(relationship.source, relationship.target),
        "disclosures": disclosures,
        "flags": relationship.flags.order_by("-pk"),
        # the report it was accepted from (its provenance): the reporter is named to analysts only
        "report": getattr(relationship, "conflict_report", None) if can_review_flags(request.user) else None,
        "can_correct": can_record_facts(request.user),
        # a statement not agreed for publication is read by the analysts who hold the filing
        "show_statements": can_review_flags(request.user),
        "affiliation_types": AFFILIATION_TYPES,
        # its own changes and its disclosures' (recorded, corrected)
        "trail": audit_trail(request.user, objects={"relationships.relationship": [relationship.external_id],
                                                    "relationships.disclosure": [d.external_id for d in disclosures]}),
    })


@role_required(can_record_facts, RECORDING_REFUSED)
@require_http_methods(["GET", "POST"])
def relationship_new(request):
    """Record one relationship; `?source=<id>&target=<id>` fills in its ends (from an entity's or a pair's page)."""
    filled = ("source", "target", "type")
    initial = {field: request.GET[field] for field in filled if request.GET.get(field)}
    form = RelationshipForm(request.POST or None, initial=initial)
    # its post_save signal queues the recompute after commit, and the audit trail keeps it
    if request.method == "POST" and form.is_valid() and (relationship := saved_unless_changed_meanwhile(form)):
        messages.success(request, f"Recorded {relationship.external_id}: {relationship}; the scores are being updated.")
        _warn_about(request, relationship)
        return redirect("relationship_detail", external_id=relationship.external_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "relationships/form.html", {"form": form, "not_read": prefill_problems(request, form, filled),
                                                       "ends_to_add": ends_not_found(form, ENDS)}, status=status)


# the EntityFields of the relationship and disclosure forms
ENDS, DISCLOSER = ("source", "target"), ("discloser",)


@role_required(can_record_facts, RECORDING_REFUSED)
@require_http_methods(["GET", "POST"])
def relationship_edit(request, external_id: str):
    """Correct a relationship: its ends, type, dates, amount, rating, source and notes (not its id)."""
    relationship = get_object_or_404(Relationship.objects.select_related("source", "target"), external_id=external_id)
    form = RelationshipForm(request.POST or None, instance=relationship)
    if request.method == "POST" and form.is_valid():
        follows = ("; the scores are being updated" if relationship_evidence_changed(form.changed_data)
                   else " (its source or notes: no score changes)")
        if correction_saved(request, form, f"Saved the corrections to {relationship.external_id}{follows}."):
            _warn_about(request, relationship)
            return redirect("relationship_detail", external_id=relationship.external_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "relationships/form.html", {"form": form, "relationship": relationship, "deletion_refused": deletion_refused(relationship),
                                                       "ends_to_add": ends_not_found(form, ENDS)}, status=status)


def _warn_about(request, relationship: Relationship) -> None:
    for warning in saving_warnings(relationship):
        messages.warning(request, warning)


@role_required(can_record_facts, "Only analysts and administrators delete relationships.")
@require_POST
def relationship_delete(request, external_id: str):
    """Delete a relationship recorded by mistake (a fact given twice, a tie that is not one), once
    confirmed, unless a flag or a disclosure rests on it; in the audit trail, the scores following."""
    relationship = get_object_or_404(Relationship, external_id=external_id)
    why = deletion_refused(relationship)
    if not deleted_once_confirmed(request, relationship, noun="relationship",
                                  refused=f"{why}. An administrator can delete it on the admin site" if why else ""):
        return redirect("relationship_edit", external_id=external_id)
    messages.success(request, f"Deleted {external_id}; the scores are being updated.")
    return redirect("relationship_list")


@role_required(can_record_facts, RECORDING_REFUSED)
@require_POST
def relationship_source(request, external_id: str):
    """Give an unsourced relationship its source from the Sources page's lists: the row comes back
    with its source (htmx), or the page with a message; a refusal says why beside the field."""
    relationship = get_object_or_404(Relationship.objects.select_related("source", "target"), external_id=external_id)
    form = SourceForm(request.POST, instance=relationship)
    # in its change history, as every correction
    saved = form.is_valid() and saved_unless_changed_meanwhile(form) is not None
    listed_in = request.POST.get("list") if request.POST.get("list") in SOURCE_LISTS else ""
    if request.htmx:
        return render(request, "relationships/_unsourced_row.html", {"r": relationship, "form": form, "saved": saved, "table_id": listed_in},
                      status=200 if saved else 400)
    if saved:
        messages.success(request, f"Saved the source of {relationship.external_id}.")
    else:
        said = (f"the source of {relationship.external_id} {' '.join(form.errors['source_url']).lower()}" if "source_url" in form.errors
                else " ".join(form.non_field_errors()))
        messages.error(request, f"Not saved: {said}")
    return redirect(f"{reverse('sources')}#{listed_in}" if listed_in else reverse("sources"))


@role_required(can_record_facts, RECORDING_REFUSED)
@require_http_methods(["GET", "POST"])
def disclosure_new(request, external_id: str):
    """Record that someone disclosed this relationship (by default its source, who usually does)."""
    relationship = get_object_or_404(Relationship.objects.select_related("source", "target"), external_id=external_id)
    form = DisclosureForm(request.POST or None, initial={"discloser": relationship.source.external_id}, may_publish=can_edit_data(request.user))
    form.instance.relationship = relationship
    # its post_save signal queues the recompute (a disclosed flag is one level less severe)
    if request.method == "POST" and form.is_valid() and (disclosure := saved_unless_changed_meanwhile(form)):
        messages.success(request, f"Recorded the disclosure by {disclosure.discloser.name} on {disclosure.disclosed_on}; the flags are being updated.")
        _warn_about_disclosure(request, disclosure)
        return redirect(f"{_relationship_url(relationship)}#disclosures")
    status = 400 if request.method == "POST" else 200
    return render(request, "relationships/disclosure_form.html", {"form": form, "relationship": relationship,
                                                                  "ends_to_add": ends_not_found(form, DISCLOSER)}, status=status)


@role_required(can_record_facts, RECORDING_REFUSED)
@require_http_methods(["GET", "POST"])
def disclosure_edit(request, external_id: str):
    """Correct a disclosure: who, when, the statement and where it is on file (not its id, nor what it discloses)."""
    disclosure = get_object_or_404(Disclosure.objects.select_related("discloser", "relationship__source", "relationship__target"),
                                   external_id=external_id)
    form = DisclosureForm(request.POST or None, instance=disclosure, may_publish=can_edit_data(request.user))
    if request.method == "POST" and form.is_valid() and correction_saved(
            request, form, f"Saved the corrections to disclosure {disclosure.external_id}; the flags are being updated."):
        _warn_about_disclosure(request, disclosure)
        return redirect(f"{_relationship_url(disclosure.relationship)}#disclosures")
    status = 400 if request.method == "POST" else 200
    return render(request, "relationships/disclosure_form.html", {"form": form, "relationship": disclosure.relationship, "disclosure": disclosure,
                                                                  "ends_to_add": ends_not_found(form, DISCLOSER)}, status=status)


@role_required(can_record_facts, "Only analysts and administrators delete disclosures.")
@require_POST
def disclosure_delete(request, external_id: str):
    """Delete a disclosure recorded by mistake (on the wrong relationship, say), once confirmed;
    one whose statement is published on the register is an administrator's to remove (the admin)."""
    disclosure = get_object_or_404(Disclosure.objects.select_related("relationship"), external_id=external_id)
    relationship = disclosure.relationship
    published = disclosure.statement_public and not can_edit_data(request.user)
    # the flags on it may be undisclosed again: its signal queues the recompute
    if not deleted_once_confirmed(request, disclosure, noun="disclosure", refused=(
            "its statement is published on the disclosure register. An administrator can delete it on the admin site" if published else "")):
        return redirect("disclosure_edit", external_id=external_id)
    messages.success(request, f"Deleted disclosure {external_id}; the flags are being updated.")
    return redirect(f"{_relationship_url(relationship)}#disclosures")


def _relationship_url(relationship: Relationship) -> str:
    return reverse("relationship_detail", args=[relationship.external_id])


def _warn_about_disclosure(request, disclosure: Disclosure) -> None:
    for warning in disclosure_warnings(disclosure, timezone.localdate()):
        messages.warning(request, warning)


def sources(request):
    """Provenance: how many relationships of each type have a source, and the unsourced ones that
    matter most, behind open flags and close pairs. `?export=csv` downloads every unsourced
    relationship in relationships.csv's columns, to fill in `source_url` and import again."""
    if request.GET.get("export") == "csv":
        # the importer's columns, to fill in and import back
        return _relationships_csv("relationships-without-a-source.csv", unsourced())
    part = request.GET.get("checks")
    if request.htmx and part in SOURCE_CHECKS:
        # asked for by the page once shown, each part on its own (a web server of several workers
        # runs them side by side): they read every relationship, meeting and name, 0.75 s, 0.45 s
        # and 0.1 s at 100,000 relationships and a million attendance rows
        return render(request, "relationships/_sources_checks_part.html", {"part": part, **_source_checks(request, part)})
    if part == "1" and request.htmx:  # all at once, as a page shown before the parts were asked for
        return render(request, "relationships/_sources_checks.html", _source_checks(request))
    behind_flags = (
        unsourced().filter(flags__in=open_flags()).distinct().select_related("source", "target").order_by("external_id")
    )
    close_evidence = {pk for ids in listed_pairs().filter(score_tenths__gte=80).values_list("relationship_ids", flat=True) for pk in ids}
    # met in Python with the unsourced ids (few, where sources are kept): the close pairs' evidence
    # as a query's parameters, 15,000 ids at 490,000 pairs, took 0.1 s to build, for the count and the list
    behind_close_ids = sorted(close_evidence.intersection(unsourced().values_list("pk", flat=True)))
    behind_close = Relationship.objects.filter(pk__in=behind_close_ids).select_related("source", "target").order_by("external_id")
    by_type = sources_by_type()
    meetings_by_type = meeting_sources_by_type()
    newcomers = meeting_newcomers()
    # without script, the checks come with the page when asked for (the page's link)
    checks = _source_checks(request) if request.GET.get("checks") == "1" else {}
    return render(request, "relationships/sources.html", checks | {
        "checks_shown": bool(checks), "not_read": unread_query_parameters(request.GET, {"export", "checks"}),
        "newcomers": newcomers[:SOURCES_LISTED], "newcomers_count": newcomers.count(), "can_check_newcomers": can_review_flags(request.user),
        "can_merge": can_edit_data(request.user),
        "merges": recent_merges(),
        "by_type": by_type,
        "total": sum(row["total"] for row in by_type),
        "unsourced_count": sum(row["unsourced"] for row in by_type),
        "meetings_by_type": meetings_by_type,
        "disclosures": disclosure_sources(),
        "meetings_total": sum(row["total"] for row in meetings_by_type),
        "meetings_unsourced": sum(row["unsourced"] for row in meetings_by_type),
        "behind_flags": behind_flags[:SOURCES_LISTED], "behind_flags_count": behind_flags.count(),
        "behind_close": behind_close[:SOURCES_LISTED], "behind_close_count": behind_close.count(),
        "listed": SOURCES_LISTED,
    })


def _tie_checks(request) -> dict:
    """The Sources page's checks of the relationships: ties and parent units that read oddly, facts given twice."""
    odd, odd_count = odd_relationships()
    odd_parents, odd_parents_count = odd_parent_units()
    repeated, repeated_count = repeated_relationships()
    return {"odd": odd, "odd_count": odd_count, "odd_parents": odd_parents, "odd_parents_count": odd_parents_count,
            "repeated": repeated, "repeated_count": repeated_count}


def _meeting_checks(request) -> dict:
    """The Sources page's check of the meetings: those given twice."""
    meetings_twice, meetings_twice_count = repeated_stored_meetings()
    return {"meetings_twice": meetings_twice, "meetings_twice_count": meetings_twice_count}


def _name_checks(request) -> dict:
    """The Sources page's check of the names: entities that may be one entered twice."""
    duplicates = possible_duplicates()
    return {"duplicates": duplicates[:SOURCES_LISTED], "duplicates_count": len(duplicates), "can_merge": can_edit_data(request.user),
            "listed": SOURCES_LISTED}


# the parts of the Sources page's checks (`?checks=<part>`), in the order the page shows them
SOURCE_CHECKS = {"ties": _tie_checks, "meetings": _meeting_checks, "names": _name_checks}


def _source_checks(request, part: str | None = None) -> dict:
    """What the Sources page's checks show: one part (`SOURCE_CHECKS`), or every part. Python's
    cyclic collector is paused while they run (core.memory): the hundreds of thousands of rows they
    read live until they end, and were rescanned at every burst, a quarter of their time at 100,000
    relationships."""
    parts = [SOURCE_CHECKS[part]] if part else SOURCE_CHECKS.values()
    with collector_paused():
        return {key: value for checks in parts for key, value in checks(request).items()}
