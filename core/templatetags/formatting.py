from django import template

from core.formatting import money_text, pair_score_text

register = template.Library()


@register.filter
def money(amount) -> str:
    """{{ relationship.amount|money }}: "85,000" rather than "85000.00"."""
    return money_text(amount)


@register.filter
def pair_score(score) -> str:
    """{{ change.before|pair_score }}: "4.6" or "under 1.0"."""
    return pair_score_text(score)
