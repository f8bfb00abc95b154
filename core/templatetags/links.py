"""Links to addresses that came from data (source URLs, websites): only http(s) becomes a link.

Imported data can hold any text; a `javascript:` or `data:` address in an href would run on click,
so anything else is shown as plain (escaped) text."""
from django import template
from django.utils.html import format_html

register = template.Library()


def is_web_address(url: str) -> bool:
    return (url or "").strip().lower().startswith(("http://", "https://"))


@register.simple_tag
def external_link(url: str, text: str = ""):
    label = text or url
    if not url:
        return label
    if not is_web_address(url):
        return format_html("{}", label)
    return format_html('<a href="{}" rel="noopener noreferrer nofollow">{}</a>', url.strip(), label)


@register.simple_tag
def source_link(url: str, text: str = "source", missing: str = ""):
    """A fact's source as a link, or said plainly when it has none (`missing`, or "no source"): a
    reader relying on the fact in public should see that it cannot be checked."""
    if not (url or "").strip():
        return format_html('<span class="unsourced" title="No source given: this fact cannot be checked here">{}</span>',
                           missing or ("no source" if text == "source" else f"{text} (no source)"))
    return external_link(url, text)
