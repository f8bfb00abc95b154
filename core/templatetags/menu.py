"""The site menu (templates/base.html) says where the reader is: the link of the page shown is
marked `active` with `aria-current="page"` (read out by screen readers), and so is the menu its
link sits in."""
from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


def _shown(context, href: str) -> bool:
    request = context.get("request")
    return request is not None and request.path == href


@register.simple_tag(takes_context=True)
def menu_link(context, url_name: str, label: str, css_class: str = "dropdown-item"):
    """A link of the menu to the page named `url_name`, marked when that page is shown."""
    href = reverse(url_name)
    if _shown(context, href):
        return format_html('<a class="{} active" href="{}" aria-current="page">{}</a>', css_class, href, label)
    return format_html('<a class="{}" href="{}">{}</a>', css_class, href, label)


@register.simple_tag(takes_context=True)
def menu_holds_shown(context, *url_names: str) -> str:
    """" active" for a menu whose links (`url_names`) include the page shown, else ""."""
    return " active" if any(_shown(context, reverse(name)) for name in url_names) else ""
