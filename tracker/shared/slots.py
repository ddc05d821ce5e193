"""Slots: places on a lower feature's page that a higher feature fills, without an upward import.

The layers contract (.importlinter) lets a feature read the ones below it,
never the ones above. Yet a page of a lower feature sometimes shows what a
higher one knows (the catalogue shows each request's licence, which
tracker.licences decides). The lower page names a slot and renders whatever
fills it; the higher feature fills the slot when its blueprint is registered:

    slots.fill(app, "catalogue.request", provider)   # provider(**arguments) -> Panel | None
    panels = slots.panels("catalogue.request", request=found, user=current_user)

and the template includes each panel's template with its context
(`{% for panel in panels %}{% with p = panel.context %}{% include panel.template %}{% endwith %}{% endfor %}`).
An app without the higher feature simply shows nothing there. The lower page
passes what it shows by (the dashboard passes its query, with the filters the
reader chose), so a panel answers for the same teams, sources and period.

This is the only way a lower page shows a higher feature's panel: slots in use
are "catalogue.request", "catalogue.requests" and "burden.dashboard" (filled by
tracker/licences/panels.py) and "burden.dashboard.head" (the decisions due for
review, tracker/workspace/panels.py), "catalogue.request" again and "entries.log_form" (variation
between teams and the teams' methods, tracker/workspace/panels.py). No template global queries while rendering."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import current_app

EXTENSION = "tracker.slots"


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


def fill(app, slot: str, provider: Callable[..., Panel | None]) -> None:
    app.extensions.setdefault(EXTENSION, {}).setdefault(slot, []).append(provider)


def panels(slot: str, **arguments) -> list[Panel]:
    """What fills `slot` for these arguments, in the order the providers were registered."""
    providers = current_app.extensions.get(EXTENSION, {}).get(slot, [])
    return [panel for panel in (provider(**arguments) for provider in providers) if panel is not None]
