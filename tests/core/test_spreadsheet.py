"""core.spreadsheet: the CSV downloads' cells and how they are streamed."""
import csv
import io

import pytest

from core.spreadsheet import _LINES_PER_CHUNK, csv_download, spreadsheet_safe


@pytest.mark.parametrize("count", [0, 1, _LINES_PER_CHUNK - 1, _LINES_PER_CHUNK, _LINES_PER_CHUNK + 1, 2 * _LINES_PER_CHUNK + 7])
def test_a_download_streams_every_row_once_in_order_a_thousand_lines_a_chunk(count):
    rows = [[f"id-{n}", n, "=1+1" if n % 2 else "plain, with a comma"] for n in range(count)]

    response = csv_download("rows.csv", ["id", "n", "text"], iter(rows))
    chunks = list(response.streaming_content)

    assert response["Content-Disposition"] == 'attachment; filename="rows.csv"'
    assert len(chunks) == 1 + -(-count // _LINES_PER_CHUNK)  # the header, then full chunks and the rest
    read = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert read == [["id", "n", "text"], *([spreadsheet_safe(v) for v in row] for row in rows)]
    assert all(row[2] in ("'=1+1", "plain, with a comma") for row in read[1:])
