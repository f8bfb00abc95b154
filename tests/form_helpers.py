"""Checks shared by the tests of the pages' forms."""
from html.parser import HTMLParser


def assert_refused_on(response, field: str, words: str, kept: str) -> None:
    """A form post refused (400) with a message holding `words` beside `field`, and what was typed
    (`kept`, a value attribute) still in the form."""
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower(), errors[field]
    assert f'value="{kept}"' in response.content.decode()


class FormsOnPage(HTMLParser):
    """Each form of a page as a browser sends it: its action and the (name, value) of its fields
    (inputs, checked boxes only, the selected option of each list, the text of each text area)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None  # (name, [(option, selected)])
        self._option: list[str] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", []))
        elif not self.forms or not (attrs.get("name") or tag == "option"):
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "reset", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.forms[-1][1].append((attrs["name"], attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = (attrs["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((attrs.get("value"), "selected" in attrs))
            self._option = [] if attrs.get("value") is None else None
        elif tag == "textarea":
            self._textarea = (attrs["name"], [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option.append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._select is not None and self._option is not None:
            value, selected = self._select[1][-1]
            self._select[1][-1] = ("".join(self._option).strip(), selected)
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [value for value, _ in options[:1]]
            self.forms[-1][1].extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.forms[-1][1].append((name, "".join(text).removeprefix("\n")))
            self._textarea = None

    def fields_of(self, action: str) -> dict[str, str]:
        """The fields of the (last) form sent to `action`, one value each."""
        return dict(next(fields for sent_to, fields in reversed(self.forms) if sent_to == action))
