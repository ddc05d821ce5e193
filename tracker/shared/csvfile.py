"""The one way the app writes a CSV file (SPEC: user text is never a formula).

A CSV has no cell types, so whatever a spreadsheet would read as a formula
gets a leading apostrophe (`tracker.shared.xlsx.text.csv_safe`): the header
row and every cell alike, since an uploaded file's headers are user text too
(issue 21: a header `=HYPERLINK(...)` came back raw). Numbers stay numbers.
UTF-8 with a byte-order mark, so Excel reads accents right."""
from __future__ import annotations

import csv
import io
from typing import Iterable

from tracker.shared.xlsx.text import csv_safe


def _field(value):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return csv_safe(value)
    return value


def csv_document(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """The header and rows as CSV bytes, every text field escaped the same way."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_field(h) for h in header])
    for row in rows:
        writer.writerow([_field(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
