from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audit.selectors import audit_trail
from core.filters import listed, naming_unread, unread_query_parameters
from core.params import row_id
from core.permissions import role_required
from core.roles import can_edit_data
from core.spreadsheet import csv_download
from core.tables import configure_list
from core.workers import WORKERS_UNREACHABLE
from conflicts.selectors import flags_between
from entities.kinds import Category
from entities.models import Entity
from relationships.models import Relationship

from .filters import PairFilter
from .engine import ScoringParameters
from .engine.parameters import COMPONENTS, band_for_score
from .engine.guarantees import parameter_problems
from .forms import ChangesSinceForm, ScoringSettingsForm
from .models import ScoringSettings, SettingsPreview
from .selectors import (
    BAND_TENTHS, CATEGORY_COLOURS, bands_over_time, changes_since, history_through, interaction_explained, listed_pairs, meetings_behind,
    network_graph, pair_for, pair_history, relationships_explained, score_explained, settings_changes, snapshot_to_compare,
)
from .services import (
    PREVIEWS_KEPT_DAYS, SettingsChangedMeanwhile, current_snapshot, scoring_settings_save,
)
from .tables import PairTable
from .tasks import settings_preview_queued
from .triggers import full_recompute_sent

# the latest changes of the settings listed on their form (every one on the history page)
SETTINGS_CHANGES_ON_FORM = 5

administrators_only = role_required(can_edit_data, "Only administrators change the scoring settings.")


@administrators_only
@require_http_methods(["GET", "POST"])
def scoring_settings(request):
    """Weights, type weights and the half-life; saving can queue a full recompute, previewing
    queues a worker's run and comes back here (`?preview=<id>`) with the settings as typed."""
    record = ScoringSettings.load()
    preview = None
    in_force_problems = []
    if request.method == "POST":
        previewing = "preview" in request.POST
        form = ScoringSettingsForm(request.POST, in_force=record.scoring_parameters, saving=not previewing)
        if form.is_valid() and previewing:
            # nothing saved: a worker scores the evidence with these settings (seconds and most of
            # a gigabyte at scale, not for a web process) and this page shows what they would change
            preview = settings_preview_queued(parameters=form.to_parameters(), requested_by=request.user)
            # the reason typed comes back with the preview's settings (the latest preview's only)
            request.session[PREVIEW_REASON] = [preview.pk, form.cleaned_data.get("reason", "")]
            return redirect(f"{reverse('scoring_settings')}?preview={preview.pk}")
        change = None
        if form.is_valid():
            try:
                change = scoring_settings_save(parameters=form.to_parameters(), by=request.user,
                                               reason=form.cleaned_data["reason"].strip(), checked_against=record.scoring_parameters)
            except SettingsChangedMeanwhile:  # saved by someone else since the form's check: checked again, it says what
                record = ScoringSettings.load()
                form = ScoringSettingsForm(request.POST, in_force=record.scoring_parameters, saving=True)
                if form.is_valid():  # sent without the settings as shown: nothing to compare, but not saved
                    form.add_error(None, "Not saved: another administrator saved the settings at the same moment; check them, "
                                         "then save again.")
        if form.is_valid():
            saved = "Settings saved." if change else "Nothing to save: these are the settings in force."
            if "recompute" in request.POST:
                if full_recompute_sent(timezone.localdate()):
                    messages.success(request, f"{saved} A full recompute has been queued.")
                else:
                    messages.warning(request, f"{saved} The full recompute could not be queued now, as {WORKERS_UNREACHABLE}: "
                                              "it runs once it can (within ten minutes of the workers' return).")
            else:
                messages.success(request, f"{saved} They apply from the next recompute." if change else saved)
            return redirect("scoring_settings")
    else:
        preview = _requested_preview(request)
        typed_for, reason = request.session.get(PREVIEW_REASON) or [None, ""]
        form = ScoringSettingsForm.from_parameters(preview.scoring_parameters if preview else record.scoring_parameters,
                                                   in_force=record.scoring_parameters, reason=reason if preview and preview.pk == typed_for else "")
        # settings saved before the guarantees were checked (or written around this page) are
        # still used by every recompute: say so, naming what to change
        in_force_problems = [(form.fields[p.field].label if p.field else "The weights together", p.message)
                             for p in parameter_problems(record.scoring_parameters)]
    trail = audit_trail(request.user, objects={"scoring.scoringsettings": [str(record.pk)]})
    # a refused form is a 400, as on every other form page
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "scoring/settings.html", {
        "form": form, "record": record, "snapshot": current_snapshot(), "trail": trail, "in_force_problems": in_force_problems,
        "preview": preview, "preview_pairs": _preview_pairs(preview), "changes": settings_changes(SETTINGS_CHANGES_ON_FORM),
    }, status=status)


@require_GET
def settings_history(request):
    """Every change of the scoring settings, newest first: when, by whom, what, and why (for
    everyone who reads the scores, as the method moves them)."""
    return render(request, "scoring/settings_history.html", {"changes": settings_changes(), "record": ScoringSettings.load()})


# the session's key for the reason typed on the settings form before its latest preview: [preview id, reason]
PREVIEW_REASON = "scoring_settings_preview_reason"


def _requested_preview(request) -> SettingsPreview | None:
    """The preview named by `?preview=`, or None (with a message when it is no longer kept)."""
    wanted = request.GET.get("preview", "")
    if not wanted:
        return None
    pk = row_id(wanted)
    preview = SettingsPreview.objects.filter(pk=pk).first() if pk is not None else None
    if preview is None:
        messages.info(request, f"That preview is no longer kept (previews are kept {PREVIEWS_KEPT_DAYS} days): the form shows the settings in force.")
    return preview


@administrators_only
@require_GET
def settings_preview_status(request, pk: int):
    """The body of the settings page's preview box, which asks for it every few seconds until the
    worker has finished, saying which state it shows (`?shown=`, `shown_state`): while that is still the state,
    to htmx, "no change" (204: nothing swapped, nothing announced again to a screen reader)."""
    preview = get_object_or_404(SettingsPreview, pk=pk)
    if request.htmx and not preview.finished and request.GET.get("shown") == preview.shown_state:
        return HttpResponse(status=204)
    return render(request, "scoring/_settings_preview_body.html", {"preview": preview, "preview_pairs": _preview_pairs(preview)})


def _preview_pairs(preview: SettingsPreview | None) -> dict[str, list[dict]]:
    """The pairs a finished preview would move into or out of `close`, with their entities."""
    if preview is None or not preview.result:
        return {}
    moved = {way: preview.result[way] for way in ("entered", "left")}
    entities = Entity.objects.in_bulk({e for rows in moved.values() for a, b, _, _ in rows for e in (a, b)})
    return {
        way: [{"a": entities[a], "b": entities[b], "before": now / 10, "after": proposed / 10}
              for a, b, now, proposed in rows if a in entities and b in entities]
        for way, rows in moved.items()
    }


def pair_list(request):
    """Current pairs scoring 1.0 or more, filterable; ?export=csv downloads the filtered rows."""
    filterset = PairFilter(request.GET, queryset=listed_pairs())
    rows = listed(filterset).order_by("-score_tenths", "entity_a__external_id", "entity_b__external_id")
    if request.GET.get("export") == "csv":
        # read as plain values: as rows with their entities (and evidence ids) every listed pair at
        # 20,000 entities (half a million) took 35 s, near a web server's time limit. Each pair's
        # ids in the export's order (entity_a < entity_b as strings), so the two files compare
        fields = ("entity_a__external_id", "entity_b__external_id", "score_tenths", *(f"{name}_tenths" for name in COMPONENTS))
        return csv_download(
            "closeness.csv",
            ["entity_a", "entity_b", "score", "band", *COMPONENTS],
            ([*sorted((a, b)), f"{score / 10:.1f}", band_for_score(score / 10), *(f"{tenths / 10:.1f}" for tenths in components)]
             for a, b, score, *components in rows.values_list(*fields).iterator(chunk_size=5000)),
        )
    table = PairTable(rows)
    configure_list(request, table, filterset, per_page=50)
    return render(request, "scoring/pair_list.html", {"filter": filterset, "table": table, "snapshot": current_snapshot()})


# the changes page's form: a query parameter it does not read is said beside it
ChangesSincePageForm = naming_unread(ChangesSinceForm)

# Rows each list of the changes page shows (a month of decay moves thousands of pairs between
# distant and working at 20,000 entities); the CSV download has them all.
CHANGES_SHOWN = 100


def close_changes(request):
    """Who became close or a working tie, or stopped being one, since a day (a month before the
    current scores unless `?since=`), and the flags raised and ended since."""
    snapshot = current_snapshot()
    form = ChangesSincePageForm(request.GET or None)
    status = 200
    day = entity = None
    if form.is_bound:
        if form.is_valid():
            day, entity = form.cleaned_data["since"], form.cleaned_data["entity"]
        else:
            status = 400
    changes = changes_since(snapshot, day, entity)
    if request.GET.get("export") == "csv" and status == 200:
        moves = changes.moves.items() if changes else ()
        return csv_download(
            f"closeness-changes-since-{changes.since.as_of}.csv" if changes else "closeness-changes.csv",
            ["change", "entity_a", "entity_a_name", "entity_b", "entity_b_name", "then", "now"],
            ([move, c["a"].external_id, c["a"].name, c["b"].external_id, c["b"].name, f"{c['before']:.1f}", f"{c['after']:.1f}"]
             for move, pairs in moves for c in pairs),
        )
    if not form.is_bound and changes:
        form = ChangesSincePageForm(initial={"since": changes.since.as_of})
    return render(request, "scoring/changes.html", {
        "form": form, "snapshot": snapshot, "since": changes and changes.since, "asked": day,
        "shown": f":{CHANGES_SHOWN}", "shown_count": CHANGES_SHOWN,
        "became": changes.became if changes else [], "no_longer": changes.no_longer if changes else [],
        "became_working": changes.moves["became_working"] if changes else [],
        "no_longer_working": changes.moves["no_longer_working"] if changes else [],
        "first_kept": snapshot_to_compare(snapshot, date.min) if snapshot else None,
        "flags": changes.flags_raised if changes else [], "lapsed": changes.flags_lapsed if changes else [], "entity": entity,
        "ties": bands_over_time() if snapshot else [],
    }, status=status)


# Meetings the pair page lists, the latest first (a pair of a board and a department may share
# hundreds over the years); its download (`?export=meetings`) has them all.
PAIR_MEETINGS_SHOWN = 100


def pair_detail(request, a: str, b: str):
    """One pair: the score, its four components, the evidence behind them, and its history;
    `?export=meetings` downloads every meeting behind its interaction with its weight."""
    first = get_object_or_404(Entity, external_id=a)
    second = get_object_or_404(Entity, external_id=b)
    if first.pk == second.pk:
        raise Http404("A pair needs two entities.")
    pair = pair_for(first, second)
    snapshot = current_snapshot()
    relationships = Relationship.objects.filter(pk__in=pair.relationship_ids if pair else []).select_related("source", "target").order_by("start_date")
    # weighed with the settings that produced the score, not today's (which may not have run yet)
    params = ScoringParameters.from_dict(snapshot.parameters) if snapshot else None
    meetings = meetings_behind(first, second, pair, snapshot)
    if request.GET.get("export") == "meetings":
        return csv_download(
            f"meetings-{first.external_id}-{second.external_id}.csv", ["meeting", "date", "type", "title", "weight", "source_url"],
            ([m.external_id, m.date, m.type, m.title, f"{weight:.3f}", m.source_url] for m, weight in meetings),
        )
    interaction = interaction_explained(meetings, snapshot.as_of, params) if meetings else None
    capped = relationships_explained(relationships, snapshot.as_of, params) if (pair and snapshot) else []
    combined = score_explained(pair, params) if (pair and snapshot) else None
    history = pair_history(first, second)
    changed_ids = {pk for version in history for pk in (*version["evidence_added"], *version["evidence_removed"])}
    # a relationship deleted since stays in the history by its id
    history_relationships = Relationship.objects.in_bulk(changed_ids)
    for version in history:
        version["gained"] = [history_relationships.get(pk, pk) for pk in version["evidence_added"]]
        version["lost"] = [history_relationships.get(pk, pk) for pk in version["evidence_removed"]]
    return render(
        request,
        "scoring/pair_detail.html",
        {
            "a": first, "b": second, "pair": pair, "snapshot": snapshot,
            "relationships": relationships, "meetings": meetings[:PAIR_MEETINGS_SHOWN], "meeting_count": len(meetings),
            "interaction": interaction, "capped": capped,
            "combined": combined, "params": params,
            "history": history, "chart": history_through(history, snapshot.as_of if snapshot else None),
            "flags": flags_between(first, second),
        },
    )


def network(request):
    """An interactive graph of the closest pairs, a jurisdiction, or one entity's ego network."""
    band = request.GET.get("band") if request.GET.get("band") in BAND_TENTHS else None
    jurisdiction = request.GET.get("jurisdiction", "").strip()
    asked_entity = request.GET.get("entity", "").strip()
    ego = Entity.objects.filter(external_id=asked_entity).first() if asked_entity else None
    # what the address asked that the graph could not follow, said above it (an old link's id)
    not_followed = unread_query_parameters(request.GET, {"band", "jurisdiction", "entity"})
    if request.GET.get("band") and band is None:
        not_followed.insert(0, f"'{request.GET['band']}' is not a band ({', '.join(BAND_TENTHS)}): the graph is of every band.")
    if asked_entity and ego is None:
        not_followed.insert(0, f"No entity has the id '{asked_entity}': the graph is not around one entity.")
    graph = network_graph(band=band, jurisdiction=jurisdiction, ego=ego)
    jurisdictions = Entity.objects.exclude(jurisdiction="").values_list("jurisdiction", flat=True).distinct().order_by("jurisdiction")[:500]
    return render(
        request,
        "scoring/network.html",
        {"graph": graph, "band": band, "jurisdiction": jurisdiction, "ego": ego, "bands": list(BAND_TENTHS), "not_followed": not_followed,
         "jurisdictions": jurisdictions, "colours": [(category, Category(category).label) for category in CATEGORY_COLOURS]},
    )
