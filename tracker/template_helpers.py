"""Filters and globals every template may use."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import Flask

from tracker.shared import choices
from tracker.shared.pagination import page_links

# (endpoint, label, roles that see it; empty means everyone signed in)
NAV_LINKS = [
    ("entries.index", "Log and entries", ("manager", "lead", "admin")),
    ("burden.dashboard", "Burden", ()),
    ("catalogue.requests", "Catalogue", ()),
    ("workspace.index", "Workspace", ("commissioner", "admin")),
    ("exports.index", "Exports", ()),
    ("imports.index", "Import", ("manager", "lead", "admin", "commissioner")),
    ("licences.index", "Licences", ("commissioner", "admin")),
    ("admin.index", "Admin", ("admin",)),
]

PENNY = Decimal("0.01")


def money(value) -> str:
    """Pounds to the penny, rounded half-up only here, where it is shown."""
    if value is None:
        return "–"
    amount = Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def hours(value, places: int = 1) -> str:
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):,}"


def duration(minutes: int) -> str:
    """125 -> '2h 5m'."""
    h, m = divmod(int(minutes), 60)
    return f"{h}h {m}m" if h else f"{m}m"


def register(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(hours)
    app.add_template_filter(duration)
    # Globals, not context variables: macro files imported without context
    # (`{% from "x.html" import y %}`) see globals but not context processors.
    app.add_template_global(page_links)
    app.jinja_env.globals["choices"] = choices

    @app.context_processor
    def globals_for_templates():
        return {"nav_links": NAV_LINKS}
