"""What the site's downloads and JSON answers say about one data set, keyed by URL: the same
function runs in-process on PostgreSQL and in a subprocess on the embedded SQLite default, and
both must say the same (tests/core/test_embedded_pages.py)."""
import csv
import io
from datetime import date

EXPORTS = [
    "/entities/?export=csv", "/closeness/?export=csv", "/flags/?export=csv", "/sources/?export=csv",
    "/engagement/coverage/?export=csv&start=2025-01-01&end=2026-06-30", "/recusals/?export=csv",
]
JSON = ["/api/closeness/changes/?since=2025-06-30", "/api/closeness/?band=close", "/api/entities/?kind=oversight_body"]
# database ids and times of writing differ between the two runs (a test database's sequences are
# not reset): dropped, and lists of ids compared by their length
ID_COLUMNS = {"flag_ids", "id", "created_at", "updated_at"}
ID_LISTS = {"relationship_ids", "flags_raised", "flags_lapsed"}


def scored(call_command, data: str) -> None:
    """A data set (the lakeside example's directory), scored a year apart."""
    call_command("import_dataset", data, stdout=io.StringIO())
    for as_of in (date(2025, 6, 30), date(2026, 6, 30)):
        call_command("recompute", "--as-of", as_of.isoformat(), stdout=io.StringIO())


def _without_ids(value):
    if isinstance(value, dict):
        return {k: len(v) if k in ID_LISTS else _without_ids(v) for k, v in value.items() if k not in ID_COLUMNS}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def exports_digest(client) -> dict:
    digest = {}
    for url in EXPORTS:
        response = client.get(url)
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        digest[url] = [{k: v for k, v in row.items() if k not in ID_COLUMNS} for row in csv.DictReader(io.StringIO(text))]
    for url in JSON:
        digest[url] = _without_ids(client.get(url).json())
    return digest
