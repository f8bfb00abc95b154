from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import audit_trail
from conflicts.selectors import flags_involving
from core.filters import listed
from core.forms import correction_saved, deleted_once_confirmed, prefill_problems, saved_unless_changed_meanwhile, titled_as_saved
from core.params import FORM_ONCE_HERE, redirect_keeping_query
from core.permissions import role_required
from core.roles import can_edit_data, can_record_facts
from core.spreadsheet import csv_download
from core.tables import configure_list
from engagement.selectors import meeting_newcomers, meetings_attended
from relationships.models import Disclosure, Relationship
from relationships.types import AFFILIATION_ROLES, AFFILIATION_TYPES
from scoring.selectors import closest_counterparts, entity_band_history, own_body_counterparts, with_closest_score, with_closest_scores_set
from scoring.services import current_snapshot

from .filters import EntityFilter
from .forms import EntityForm
from .models import Entity, Follow, MergeRecord
from .selectors import entities_typed, merged_away, saving_warnings
from .services import (
    EntityMergeError,
    FollowError,
    entity_deletion_refused,
    entity_merge,
    entity_merge_plan,
    entity_merge_undo,
    entity_merge_undo_plan,
    facts_in_words,
    follow_set,
    merge_problems,
    merge_undo_problems,
)
from .tables import EntityTable


def entity_find(request):
    """The menu's "Find an entity" box: straight to the entity typed (its id, or a name only it
    has, as the suggestions fill in), else the directory searched for the text."""
    query = request.GET.get("q", "").strip()
    if not query:
        return redirect("entity_list")
    typed = entities_typed(query, limit=2)
    if len(typed) == 1:
        return redirect("entity_detail", external_id=typed[0].external_id)
    return redirect(f"{reverse('entity_list')}?{urlencode({'q': query})}")


RECORDING_REFUSED = "Only analysts and administrators add and correct entities."


@role_required(can_record_facts, RECORDING_REFUSED)
@require_http_methods(["GET", "POST"])
def entity_new(request):
    """Add an organisation or a person (`?name=` fills in the name typed elsewhere)."""
    filled = ("name", "kind")
    form = EntityForm(request.POST or None, initial={field: request.GET[field] for field in filled if request.GET.get(field)})
    # the audit trail keeps it; an entity alone changes no score
    if request.method == "POST" and form.is_valid() and (entity := saved_unless_changed_meanwhile(form)):
        messages.success(request, f"Added {entity.name} ({entity.external_id}).")
        _warn_about(request, entity)
        return redirect("entity_detail", external_id=entity.external_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "entities/form.html", {"form": form, "not_read": prefill_problems(request, form, filled)}, status=status)


@role_required(can_record_facts, RECORDING_REFUSED)
@require_http_methods(["GET", "POST"])
def entity_edit(request, external_id: str):
    """Correct an entity: its name, kind, jurisdiction, parent unit, website and description (not its id)."""
    entity = get_object_or_404(Entity.objects.select_related("parent"), external_id=external_id)
    form = EntityForm(request.POST or None, instance=entity)
    # a new kind or parent unit changes what the scores and flags read: its signal queues a recompute
    if request.method == "POST" and form.is_valid() and correction_saved(request, form, f"Saved the corrections to {entity.name} ({entity.external_id})."):
        _warn_about(request, entity)
        return redirect("entity_detail", external_id=entity.external_id)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        titled_as_saved(entity)
    return render(request, "entities/form.html", {"form": form, "entity": entity, "deletion_refused": entity_deletion_refused(entity)},
                  status=status)


@role_required(can_record_facts, "Only analysts and administrators delete entities.")
@require_POST
def entity_delete(request, external_id: str):
    """Delete an entity added by mistake, once confirmed, when nothing refers to it."""
    entity = get_object_or_404(Entity, external_id=external_id)
    if not deleted_once_confirmed(request, entity, noun="entity", refused=entity_deletion_refused(entity)):
        return redirect("entity_edit", external_id=external_id)
    name = entity.name
    messages.success(request, f"Deleted {name} ({external_id}).")
    return redirect("entity_list")


def _warn_about(request, entity: Entity) -> None:
    for warning in saving_warnings(entity):
        messages.warning(request, warning)


def entity_list(request):
    """The directory: search, filters, sorting and pagination; ?export=csv downloads the filtered rows."""
    exported = request.GET.get("export") == "csv"
    # every row needs its closest score to sort by it or to download it; otherwise only the page's rows do
    scored_throughout = exported or request.GET.get("sort", "").lstrip("-") == "closest_tenths"
    entities = Entity.objects.select_related("parent")
    filterset = EntityFilter(request.GET, queryset=with_closest_score(entities) if scored_throughout else entities)
    rows = listed(filterset).order_by("name", "external_id")  # namesakes in one order, on the page and in the download
    if exported:
        return csv_download(
            "entities.csv",
            ["external_id", "name", "kind", "category", "jurisdiction", "parent", "closest_score"],
            ([e.external_id, e.name, e.kind, e.category, e.jurisdiction, e.parent.external_id if e.parent else "",
              f"{e.closest_tenths / 10:.1f}" if e.closest_tenths is not None else ""] for e in rows.iterator()),
        )
    table = EntityTable(rows)
    configure_list(request, table, filterset, per_page=25)
    if not scored_throughout:
        # the page's rows, read once (the sliced queryset keeps them for the table to render)
        with_closest_scores_set(list(table.page.object_list.data))
    template = "entities/partials/table.html" if request.htmx else "entities/list.html"
    # a name searched that no entity holds (from the menu's "Find an entity", say): offered to add
    searched = (filterset.form.cleaned_data.get("q") or "").strip() if filterset.form.is_valid() else ""
    add_named = searched if searched and not table.paginator.count and can_record_facts(request.user) else ""
    return render(request, template, {"filter": filterset, "table": table, "add_named": add_named})


def entity_detail(request, external_id: str):
    entity = Entity.objects.select_related("parent").filter(external_id=external_id).first()
    if entity is None:
        # an old link to a twin merged into another entity leads to the entity kept
        merged = merged_away(external_id)
        if merged is None:
            if external_id == FORM_ONCE_HERE:
                return redirect_keeping_query(request, "entity_new")
            raise Http404("No such entity.")
        messages.info(request, f"{external_id} was merged into {merged.keep.name} ({merged.keep.external_id}) on {merged.merged_at:%Y-%m-%d}.")
        return redirect("entity_detail", external_id=merged.keep.external_id)
    relationships = (
        Relationship.objects.filter(Q(source=entity) | Q(target=entity))
        .select_related("source", "target")
        .order_by("start_date", "external_id")
    )
    # its people now, the head first: (relationship, what the person is to it)
    roles = list(AFFILIATION_ROLES)
    people = sorted(
        ((r, AFFILIATION_ROLES[r.type]) for r in Relationship.objects.filter(
            target=entity, type__in=AFFILIATION_TYPES, end_date__isnull=True).select_related("source")),
        key=lambda pair: (roles.index(pair[0].type), pair[0].source.name, pair[0].pk),
    )
    meetings = meetings_attended(entity)
    snapshot = current_snapshot()
    own = own_body_counterparts(entity, snapshot.as_of if snapshot else timezone.localdate())
    flags = flags_involving(entity)
    ties = entity_band_history(entity)
    return render(
        request,
        "entities/detail.html",
        {
            "entity": entity,
            "relationships": relationships,
            "people": people,
            "children": entity.children.order_by("name"),
            "meetings": meetings,
            # each with what it is to this entity when it is its own body or one of its people
            "closest": [(other, pair, own.get(other.pk)) for other, pair in closest_counterparts(entity)],
            # charted when it has had a working or close tie on two dates or more (else a blank chart)
            "ties": ties if len(ties) > 1 and any(t["close"] or t["working"] for t in ties) else [],
            "flags": flags,
            "following": Follow.objects.filter(user=request.user, entity=entity).exists(),
            "newcomer": meeting_newcomers(unchecked_only=False).filter(entity=entity).first(),
            "merges": entity.merges_in.all(),
            # what it declared (an official's disclosures of the ties that make a flag less severe)
            "disclosed": entity.disclosures.select_related("relationship__source", "relationship__target").order_by("-disclosed_on", "external_id"),
            "trail": audit_trail(
                request.user,
                objects={
                    "entities.entity": [entity.external_id],
                    "relationships.relationship": [r.external_id for r in relationships],
                    "relationships.disclosure": list(
                        Disclosure.objects.filter(Q(relationship__source=entity) | Q(relationship__target=entity)).values_list("external_id", flat=True)
                    ),
                },
            ),
        },
    )


@role_required(can_edit_data, "Only administrators merge entities.")
@require_http_methods(["GET", "POST"])
def entity_merge_page(request, external_id: str):
    """Merge this entity (a duplicate) into `?into=<id>`: what would move, then on confirmation
    the merge (entities.services.entity_merge) and the kept entity's page."""
    duplicate = get_object_or_404(Entity, external_id=external_id)
    keep = get_object_or_404(Entity, external_id=request.GET.get("into", "") or request.POST.get("into", ""))
    if request.method == "POST":
        try:
            merge = entity_merge(keep=keep, duplicate=duplicate)
        except EntityMergeError as exc:
            messages.error(request, str(exc))
            return redirect(f"{request.path}?into={keep.external_id}")
        moved = facts_in_words(merge.moved)
        messages.success(request, f"{duplicate.name} ({duplicate.external_id}) merged into this entity: {moved} moved. "
                                  "The scores and flags follow in a full recompute. If it was a mistake, undo it under "
                                  "\"Merged into this entity\" below.")
        return redirect("entity_detail", external_id=keep.external_id)
    return render(request, "entities/merge.html", {
        "keep": keep, "duplicate": duplicate, "plan": entity_merge_plan(keep, duplicate), "problems": merge_problems(keep, duplicate),
    })


@role_required(can_edit_data, "Only administrators merge entities or undo a merge.")
@require_http_methods(["GET", "POST"])
def entity_merge_undo_page(request, external_id: str, record_id: int):
    """Undo a merge into this entity: what would move back to the twin, then on confirmation the
    undo (entities.services.entity_merge_undo) and the twin's page."""
    record = get_object_or_404(MergeRecord.objects.select_related("keep"), pk=record_id, keep__external_id=external_id)
    if request.method == "POST":
        try:
            undo = entity_merge_undo(record)
        except EntityMergeError as exc:
            messages.error(request, str(exc))
            return redirect("entity_merge_undo", external_id=external_id, record_id=record.pk)
        back = facts_in_words(undo.back)
        messages.success(request, f"The merge into {record.keep.name} is undone: {undo.twin.name} ({undo.twin.external_id}) is back, "
                                  f"with {back}. The scores and flags follow in a full recompute.")
        return redirect("entity_detail", external_id=undo.twin.external_id)
    return render(request, "entities/merge_undo.html", {
        "record": record, "plan": entity_merge_undo_plan(record), "problems": merge_undo_problems(record),
    })


@require_POST
def entity_follow(request, external_id: str):
    """Follow an entity, or stop (`following=0`); back to where the button was."""
    entity = get_object_or_404(Entity, external_id=external_id)
    following = request.POST.get("following", "1") != "0"
    try:
        follow_set(user=request.user, entity=entity, following=following)
    except FollowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You follow {entity.name}." if following else f"You no longer follow {entity.name}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("entity_detail", args=[entity.external_id])
    return redirect(back)
