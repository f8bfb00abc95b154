"""CSV downloads meant for spreadsheets: UTF-8 with a BOM (Excel detects it) and formula-safe cells.

The interchange export (interchange.export) stays exact for round trips and does not use this."""
import csv

from django.http import StreamingHttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


class _Echo:
    def write(self, value):
        return value


# lines sent together: a chunk per row made half a million writes of a few dozen bytes each for
# the closeness list's half a million pairs
_LINES_PER_CHUNK = 1000


def csv_download(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        chunk = []
        for row in rows:
            chunk.append(writer.writerow([spreadsheet_safe(v) for v in row]))
            if len(chunk) == _LINES_PER_CHUNK:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
