"""A review digest whose process is killed mid-send is sent once, by the next tick (tracker/shared/sending.py).

A real scheduler process (the digest job, `python -c`) talks to a real SMTP
server (aiosmtpd on a free loopback port) that holds the first message's DATA
open, so the process is killed with the row claimed "sending" and nothing
delivered. The next tick, once the claim's heartbeat is older than
EXPORT_STALE_MINUTES, takes it over and sends it: each commissioner gets the
digest exactly once."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from tests.conftest import SmtpServer
from tests.exports_support import flask_env
from tests.workspace.test_workspace_digest import decided  # noqa: F401  (the fixture)
from tracker.models.workspace import ReviewDigest
from tracker.scheduler.jobs import review_digest

ROOT = Path(__file__).resolve().parents[2]
STALE_MINUTES = 0.02  # 1.2 s: the killed process's claim is stale soon after it dies
ONE_TICK = (
    "from tracker import create_app; from tracker.scheduler.jobs import review_digest; "
    "review_digest(create_app())"
)


class HangingSmtpServer(SmtpServer):
    """Holds the first message's DATA open (never answers it) until released; accepts the rest."""

    def __init__(self):
        super().__init__()
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.hung = False

    async def handle_DATA(self, server, session, envelope):
        if not self.hung:
            self.hung = True
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Abandoned: the client went away"  # never counted as delivered
        return await super().handle_DATA(server, session, envelope)


def digests(db) -> list[tuple[str, int]]:
    db.session.expire_all()
    return sorted((row.status, row.attempts) for row in db.session.scalars(select(ReviewDigest)))


def test_a_digest_killed_mid_send_is_sent_once_by_the_next_tick(app, db, export_dir, decided):  # noqa: F811
    server = HangingSmtpServer()
    server.start()
    try:
        app.config.update(SMTP_URL=server.url, EXPORT_STALE_MINUTES=STALE_MINUTES)
        env = flask_env(app, SMTP_URL=server.url, EXPORT_STALE_MINUTES=str(STALE_MINUTES))
        process = subprocess.Popen([sys.executable, "-c", ONE_TICK], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            assert server.hanging.wait(60), process.stderr.read().decode() if process.poll() is not None else "no DATA"
            os.killpg(process.pid, signal.SIGKILL)  # mid-send: the server holds the message, unanswered
            process.wait(10)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        server.release.set()
        assert process.returncode == -signal.SIGKILL
        assert digests(db) == [("sending", 1)]  # the first commissioner's, claimed by the dead process
        assert server.messages == []

        # The next tick at once: the claim is still fresh (its process might be alive), so it is left alone.
        app.config["EXPORT_STALE_MINUTES"] = 60
        assert review_digest(app) == 1  # the second commissioner's only
        assert sorted(digests(db)) == [("sending", 1), ("sent", 1)]

        # Once the heartbeat is older than EXPORT_STALE_MINUTES, the next tick takes the claim over.
        app.config["EXPORT_STALE_MINUTES"] = STALE_MINUTES
        time.sleep(STALE_MINUTES * 60 + 0.3)
        assert review_digest(app) == 1
        assert digests(db) == [("sent", 1), ("sent", 2)]
        assert review_digest(app) == 0  # and never again
        recipients = sorted(rcpts[0] for _, rcpts in server.envelopes)
        assert recipients == ["colm@example.nhs.uk", "cora@example.nhs.uk"]  # each exactly once
    finally:
        server.release.set()
        server.stop()
