"""The check page's choices, read from its parameters (query or form): team, band, source, date order,
the kind of file and which column gives what; and the file checked with them. The page shows what these
choices do before anything is written (tracker/imports/views.py renders it)."""
from __future__ import annotations

from dataclasses import replace

from tracker.auth.access import loggable_teams
from tracker.imports.columns import SOURCE_NAME_MAX
from tracker.imports.formats import (COLUMN_SOURCE, FIELDS, FORMATS, MAPPED, PROJECT_SOURCE, SOURCE_CHOICES,
                                      UnknownFormat, detect, mapped)
from tracker.imports.reading import Limits, open_table
from tracker.imports.remembered import recall
from tracker.imports.validate import Options, check_entries
from tracker.imports.values import DATE_ORDERS
from tracker.shared.choices import BANDS
from tracker.shared.parsing import parse_id


def options_from(source, user) -> tuple[Options, dict]:
    """Options and mapping changes from the check page's parameters (query or form)."""
    teams = {t.id: t for t in loggable_teams(user)}
    team = teams.get(parse_id(source.get("team")))
    band = source.get("band") if source.get("band") in BANDS else None
    source_name = " ".join((source.get("source_name") or "").split())[:SOURCE_NAME_MAX] or None
    options = Options(user=user, team_name=team.name if team else None, band=band,
                      create_missing=source.get("create_missing") == "y", source_name=source_name,
                      date_order=source.get("date_order") if source.get("date_order") in DATE_ORDERS else None)
    changes = {name: source.get(f"col_{name}") for name in FIELDS if f"col_{name}" in source}
    return options, changes


def mapping_from(table, source, user) -> tuple:
    """The mapping the page shows: the format asked for, else the person's remembered choice for these
    headers, else the format the headers show, else an empty one to fill in (with the nearest format's hint);
    then Project as the source if chosen, then the person's column changes."""
    wanted = source.get("format")
    hint = ""
    recalled_order = None
    if wanted in FORMATS:
        mapping = detect(table.headers, wanted)
    elif wanted == MAPPED:
        mapping = mapped(table.headers)
    else:
        recalled = recall(user, table.headers)
        if recalled is not None:
            mapping, recalled_order = recalled
        else:
            try:
                mapping = detect(table.headers)
            except UnknownFormat as error:
                mapping, hint = mapped(table.headers), str(error)
    source_mode = source.get("source_mode") if source.get("source_mode") in SOURCE_CHOICES else COLUMN_SOURCE
    if source_mode == PROJECT_SOURCE:
        mapping = mapping.project_is_source()
    options, changes = options_from(source, user)
    if source.get("shown_source_mode", source_mode) != source_mode:
        changes = {}  # the columns shown were for the other choice of source
    unit = source.get("unit")
    if changes or unit:
        mapping = mapping.with_changes(changes, unit)
    if recalled_order and not options.date_order:
        options = replace(options, date_order=recalled_order)
    return mapping, options, hint


def check_upload(path, source, user, limits: Limits):
    """(options, checked, hint) for an uploaded file and the page's parameters; writes nothing."""
    table = open_table(path, path.name, limits)
    mapping, options, hint = mapping_from(table, source, user)
    return options, check_entries(table, mapping, options), hint
