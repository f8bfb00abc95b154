"""Relationship pages: where the facts come from, entities that may be entered twice, and the
people added while meetings were logged."""
from django.shortcuts import render

from conflicts.selectors import open_flags
from core.roles import can_edit_data, can_review_flags
from core.spreadsheet import csv_download
from engagement.selectors import meeting_newcomers, meeting_sources_by_type, repeated_stored_meetings
from entities.selectors import possible_duplicates, recent_merges
from interchange.format import RELATIONSHIPS
from scoring.selectors import listed_pairs

from .selectors import disclosure_sources, odd_parent_units, odd_relationships, repeated_relationships, sources_by_type, unsourced

# relationships listed in each section of the page; the CSV has them all
SOURCES_LISTED = 100


def sources(request):
    """Provenance: how many relationships of each type have a source, and the unsourced ones that
    matter most, behind open flags and close pairs. `?export=csv` downloads every unsourced
    relationship in relationships.csv's columns, to fill in `source_url` and import again."""
    if request.GET.get("export") == "csv":
        rows = unsourced().select_related("source", "target").order_by("external_id")
        return csv_download(
            "relationships-without-a-source.csv",
            RELATIONSHIPS.columns,  # the importer's columns, to fill in and import back
            ([r.external_id, r.source.external_id, r.target.external_id, r.type, r.start_date or "", r.end_date or "",
              r.amount if r.amount is not None else "", r.analyst_score if r.analyst_score is not None else "", r.source_url, r.notes]
             for r in rows.iterator()),
        )
    if request.GET.get("checks") == "1" and request.htmx:
        # asked for by the page once shown: the checks read every relationship, meeting and name
        # (about half a second at 100,000 relationships and a million attendance rows)
        return render(request, "relationships/_sources_checks.html", _source_checks(request))
    behind_flags = (
        unsourced().filter(flags__in=open_flags()).distinct().select_related("source", "target").order_by("external_id")
    )
    close_evidence = {pk for ids in listed_pairs().filter(score_tenths__gte=80).values_list("relationship_ids", flat=True) for pk in ids}
    behind_close = unsourced().filter(pk__in=close_evidence).select_related("source", "target").order_by("external_id")
    by_type = sources_by_type()
    meetings_by_type = meeting_sources_by_type()
    newcomers = meeting_newcomers()
    # without script, the checks come with the page when asked for (the page's link)
    checks = _source_checks(request) if request.GET.get("checks") == "1" else {}
    return render(request, "relationships/sources.html", checks | {
        "checks_shown": bool(checks),
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


def _source_checks(request) -> dict:
    """What the Sources page's checks show: ties and parent units that read oddly, facts and
    meetings given twice, and entities that may be one entered twice."""
    odd, odd_count = odd_relationships()
    odd_parents, odd_parents_count = odd_parent_units()
    repeated, repeated_count = repeated_relationships()
    meetings_twice, meetings_twice_count = repeated_stored_meetings()
    duplicates = possible_duplicates()
    return {
        "odd": odd, "odd_count": odd_count, "odd_parents": odd_parents, "odd_parents_count": odd_parents_count,
        "repeated": repeated, "repeated_count": repeated_count, "meetings_twice": meetings_twice, "meetings_twice_count": meetings_twice_count,
        "duplicates": duplicates[:SOURCES_LISTED], "duplicates_count": len(duplicates), "can_merge": can_edit_data(request.user),
        "listed": SOURCES_LISTED,
    }

