from django import template

from core.formatting import money_text

register = template.Library()


@register.filter
def money(amount) -> str:
    """{{ relationship.amount|money }}: "85,000" rather than "85000.00"."""
    return money_text(amount)
