"""Every `flask --app tracker COMMAND`: each feature's commands.py registers its own."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from tracker.auth import commands as auth
    from tracker.burden import commands as burden
    from tracker.demo import commands as demo
    from tracker.entries import commands as entries
    from tracker.exports import commands as exports
    from tracker.imports import commands as imports
    from tracker.operations import commands as operations
    from tracker.scheduler import commands as scheduler

    for feature in (auth, burden, demo, entries, exports, imports, operations, scheduler):
        feature.register(app)
