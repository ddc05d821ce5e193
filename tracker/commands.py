"""Every `flask --app tracker COMMAND`, registered from its feature."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from tracker.auth import commands as auth_commands
    from tracker.demo import commands as demo_commands
    from tracker.exports.commands import export_command
    from tracker.scheduler.commands import scheduler_command
    from tracker.imports.commands import import_catalogue_command, import_command
    from tracker.operations.backup import backup_command

    auth_commands.register(app)
    demo_commands.register(app)
    app.cli.add_command(export_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(import_command)
    app.cli.add_command(import_catalogue_command)
    app.cli.add_command(backup_command)
