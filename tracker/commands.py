"""Every `flask --app tracker COMMAND`, registered from its feature."""
from __future__ import annotations


def register(app) -> None:
    from tracker.auth import commands as auth_commands

    auth_commands.register(app)
    try:
        from tracker.demo import commands as demo_commands
    except ImportError:  # feature not built yet
        demo_commands = None
    if demo_commands:
        demo_commands.register(app)
    try:
        from tracker.exports import commands as export_commands
    except ImportError:
        export_commands = None
    if export_commands:
        export_commands.register(app)
