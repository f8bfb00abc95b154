"""Values read from requests (query parameters, ticked boxes) that name rows."""

BIGINT_MAX = 2**63 - 1


def row_id(value: str) -> int | None:
    """A row id as a request gives it, or None when it cannot be one: only ASCII digits ("²" and
    "١" pass str.isdigit()), at most a bigint (int() of thousands of digits raises, and PostgreSQL
    refuses what its bigint cannot hold)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if number <= BIGINT_MAX else None
