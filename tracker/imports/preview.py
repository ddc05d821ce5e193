"""The first rows of an import as they will be stored (issue 18): the date in words, the team, source,
request, minutes and band, so a person sees what the choices above them will do before confirming."""
from __future__ import annotations

from dataclasses import dataclass

from tracker.imports.validate import Checked
from tracker.imports.values import in_words
from tracker.shared.choices import BANDS

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class PreviewRow:
    row: int
    day: str
    team: str
    source: str
    request: str
    minutes: int
    band: str


def preview_rows(checked: Checked, teams) -> list[PreviewRow]:
    names = {t.id: t.name for t in teams}
    return [PreviewRow(r.row, in_words(r.occurred_on), names.get(r.team_id, ""), r.source_name, r.request_title,
                       r.minutes, BANDS.get(r.band, r.band)) for r in checked.good[:PREVIEW_ROWS]]
