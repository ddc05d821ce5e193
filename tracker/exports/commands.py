"""`export` (one workbook now) and `scheduler` (the production scheduler process)."""
from __future__ import annotations


def register(app) -> None:
    try:
        from tracker.exports.export_cli import export_command
    except ImportError:
        export_command = None
    if export_command is not None:
        app.cli.add_command(export_command)
    try:
        from tracker.exports.scheduler import scheduler_command
    except ImportError:
        scheduler_command = None
    if scheduler_command is not None:
        app.cli.add_command(scheduler_command)
