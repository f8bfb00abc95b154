"""How an audit event's changes read in its trail."""
from django import template

register = template.Library()


def _leaves(value, prefix: str) -> dict[str, object]:
    """A nested dict as {dotted key: value} (anything else: {prefix: value})."""
    if not isinstance(value, dict) or not value:
        return {prefix: value}
    leaves = {}
    for key, inner in value.items():
        leaves.update(_leaves(inner, f"{prefix}.{key}"))
    return leaves


@register.filter
def change_lines(changes: dict) -> list[tuple[str, object, object]]:
    """An event's `{field: [old, new]}` as (field, old, new) lines; a field holding a dict (the
    scoring settings' parameters) as one line per value inside it that changed, named by its path,
    rather than both whole dicts printed side by side."""
    lines = []
    for field, change in changes.items():
        if not (isinstance(change, (list, tuple)) and len(change) == 2):  # not [old, new]: shown as it is
            lines.append((field, None, change))
            continue
        old, new = change
        if isinstance(old, dict) or isinstance(new, dict):
            before = _leaves(old, field) if isinstance(old, dict) else {}
            after = _leaves(new, field) if isinstance(new, dict) else {}
            lines += [(key, before.get(key), after.get(key)) for key in {**before, **after} if before.get(key) != after.get(key)]
        else:
            lines.append((field, old, new))
    return lines
