"""Every page and API list takes hostile query strings without a server error: random and
malformed values for each filter it declares, and for paging, sorting and export."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflicts.filters import FlagApiFilter, FlagFilter
from engagement.filters import MeetingApiFilter, MeetingFilter
from entities.filters import EntityApiFilter, EntityFilter
from relationships.api import RelationshipFilter
from relationships.filters import RelationshipPageFilter
from scoring.filters import PairFilter
from tests.dashboard_helpers import scored_lakeside
from tests.examples import examples

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# what any list may be asked, whatever its filters
COMMON = ["page", "per_page", "page_size", "sort", "ordering", "export", "format", "q", "search", "as_of"]


def names_of(filterset) -> list[str]:
    """The query parameters a filterset reads, range filters' halves included."""
    names = list(filterset.base_filters)
    return names + [f"{n}_{suffix}" for n in names for suffix in ("min", "max", "after", "before")]


PAGES = {
    "/entities/": names_of(EntityFilter),
    "/closeness/": names_of(PairFilter),
    "/closeness/changes/": ["since", "entity"],
    "/sources/": [],
    "/relationships/": names_of(RelationshipPageFilter),
    "/flags/": names_of(FlagFilter),
    "/meetings/": names_of(MeetingFilter),
    "/network/": ["band", "jurisdiction", "entity"],
    "/engagement/coverage/": ["jurisdiction", "start", "end"],
    "/engagement/trust/": ["jurisdiction", "start", "end"],
    "/reports/": ["status"],
    "/register/": [],
    "/recusals/": ["entity", "jurisdiction"],
    "/search/entities/": [],
    "/scoring/settings/": ["preview"],
    "/api/entities/": names_of(EntityApiFilter),
    "/api/relationships/": names_of(RelationshipFilter),
    "/api/meetings/": names_of(MeetingApiFilter),
    "/api/closeness/": ["a", "b", "entity", "band", "score_min", "score_max", "as_of"],
    "/api/closeness/changes/": ["since", "entity"],
    "/api/flags/": names_of(FlagApiFilter),
    "/api/disclosures/": ["discloser", "relationship"],
}

hostile_value = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "-1", "0", "-5", "999999999999999999999", "9" * 5000, "1e309", "NaN", "abc", "2026-02-30", "2026-13-01", "0001-01-01",
        "9999-12-31", "' OR 1=1 --", "<script>", "%", "_", "\\", "csv", "-id", "--", "close", "working", "distant",
    ]),
)


@pytest.fixture(autouse=True)
def scored(lakeside_dir):
    """The lakeside example, scored: once for all of a page's examples (the requests only read)."""
    scored_lakeside(lakeside_dir)


@pytest.mark.parametrize("path", sorted(PAGES))
@FUZZ
@given(data=st.data())
def test_hostile_query_strings_never_make_a_server_error(lakeside_dir, client_as, path, data):
    names = st.sampled_from(PAGES[path] + COMMON)
    query = data.draw(st.dictionaries(names, hostile_value, min_size=1, max_size=4))

    response = client_as("administrator").get(path, query)

    assert response.status_code < 500, (path, query)
