"""How numbers and lists read wherever people see them: pages, flag explanations, downloads meant for reading."""
from decimal import Decimal


def money_text(amount: Decimal | float | int | None) -> str:
    """An amount of money with thousands separators, and cents only when there are any:
    "85,000", "1,234.50". Empty for no amount."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def pair_score_text(score: float) -> str:
    """A pair's score as the changes read it: "4.6", or "under 1.0" for a pair under 1.0 or
    without a score (stored as 0: weak pairs are not listed)."""
    return f"{score:.1f}" if score >= 1 else "under 1.0"


def count_text(count: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 pair", "3 pairs", "0 flags" ("entries" and
    the like as `plural`). The figure is written plainly, for the scripts that read command output."""
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


def names_text(names) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C". Joined by commas alone, two
    names read as one described by the other ("received 500 from Chief Laura Benton, Riverton
    Police Officers' Association", the chief seeming the association's)."""
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
