"""Export runs: claim a (month, scope) in the database, build its workbook, record the outcome.

The database row is the lock. A process owns a run when it INSERTed the row
(the UNIQUE (period, scope) constraint lets only one INSERT win) or when its
conditional UPDATE (failed -> running, or a stale claim -> running) changed
exactly one row. Only the owner builds, and it records the result only while
it still holds the claim (`claimed_by`). No file check decides anything.

Plain functions: they take a SQLAlchemy session and an ExportSettings, never Flask."""
from __future__ import annotations

import logging
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from tracker.models.catalogue import Team
from tracker.models.exports import ExportRun, scope_for
from tracker.exports.building import ClaimHeartbeat, ExportDirError, build_folder
from tracker.exports.workbook import build_workbook, workbook_filename
from tracker.replica import reads_on_replica
from tracker.signoff.services import signoffs_for
from tracker.shared.timeutil import add_months, month_start, utcnow
from tracker.shared.sending import SendPolicy

log = logging.getLogger("tracker.exports")

PROGRESS_EVERY_SECONDS = 1.0
ERROR_MAX = 2000


@dataclass(frozen=True)
class ExportSettings:
    export_dir: Path
    timezone: ZoneInfo
    smtp_url: str | None = None
    mail_from: str = "burden-tracker@localhost"
    stale_after: timedelta = timedelta(minutes=5)
    heartbeat_every: float = 30.0
    max_attempts: int = 5
    sending: SendPolicy = SendPolicy()  # emails: attempts, back-off, when a claim is stale
    catch_up_months: int = 2
    workers: int = 1  # threads that claim and build, one workbook at a time each (tracker/exports/monthly.py)

    @classmethod
    def from_config(cls, config) -> "ExportSettings":
        return cls(
            export_dir=Path(config["EXPORT_DIR"]),
            timezone=ZoneInfo(config.get("TIMEZONE") or "Europe/London"),
            smtp_url=config.get("SMTP_URL") or None,
            mail_from=config.get("SMTP_FROM") or "burden-tracker@localhost",
            stale_after=timedelta(minutes=float(config.get("EXPORT_STALE_MINUTES", 5))),
            heartbeat_every=float(config.get("EXPORT_HEARTBEAT_SECONDS", 30)),
            max_attempts=int(config.get("EXPORT_MAX_ATTEMPTS", 5)),
            sending=SendPolicy.from_config(config),
            catch_up_months=int(config.get("EXPORT_CATCH_UP_MONTHS", 2)),
            workers=max(int(config.get("EXPORT_WORKERS", 2)), 1),
        )

    def today(self) -> date:
        return datetime.now(self.timezone).date()

    def last_ended_month(self) -> date:
        return add_months(month_start(self.today()), -1)


def new_claim_token() -> str:
    """Who holds a claim: readable (host and pid) and unique per claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# ---- where files live ------------------------------------------------------


def period_dir(export_dir: Path, period: date) -> Path:
    return Path(export_dir) / f"{period:%Y-%m}"


def run_file_path(export_dir: Path, run: ExportRun) -> Path | None:
    """The run's workbook on disk, or None when it has none or the name would leave EXPORT_DIR."""
    if not run.has_file:
        return None
    base = Path(export_dir).resolve()
    candidate = (period_dir(base, run.period) / run.file_name).resolve()
    if base not in candidate.parents or not candidate.is_file():
        return None
    return candidate


# ---- claiming --------------------------------------------------------------


def claim_run(
    session,
    period: date,
    team_id: int | None,
    trigger: str,
    settings: ExportSettings,
    *,
    requested_by_id: int | None = None,
    queued: bool = False,
    rebuild: bool = False,
) -> ExportRun | None:
    """Take the (period, scope) run for this process, or None when another process has it.

    New: INSERT and commit; an IntegrityError means someone else inserted first.
    Existing: a conditional UPDATE takes it over when it failed (fewer than
    max_attempts, unless `rebuild`), when its claim is stale (the process died),
    or, with `rebuild`, when it succeeded; only one UPDATE can change the row."""
    period = month_start(period)
    now = utcnow()
    token = new_claim_token()
    status = "queued" if queued else "running"
    run = ExportRun(
        period=period,
        scope=scope_for(team_id),
        team_id=team_id,
        status=status,
        trigger=trigger,
        requested_by_id=requested_by_id,
        claimed_by=token,
        attempts=1,
        queued_at=now,
        started_at=None if queued else now,
        heartbeat_at=now,
        progress_rows=0,
    )
    # Workers of several processes walk the same list: most scopes they meet already have a row,
    # so look first instead of letting the INSERT fail (the database logs each failed one).
    existing_id = _run_id(session, period, team_id)
    if existing_id is None:
        session.add(run)
        try:
            session.commit()
            log.info("claimed %s %s (new run %s)", f"{period:%Y-%m}", run.scope, run.id)
            return run
        except IntegrityError:  # another process inserted it between our look and our INSERT
            session.rollback()
        existing_id = _run_id(session, period, team_id)
        if existing_id is None:
            return None
    takeable = [and_(ExportRun.status == "failed", ExportRun.attempts < settings.max_attempts)]
    if rebuild:
        takeable = [ExportRun.status.in_(("failed", "succeeded"))]
    takeable.append(and_(ExportRun.status.in_(("queued", "running")), ExportRun.heartbeat_at < now - settings.stale_after))
    values = dict(
        status=status,
        claimed_by=token,
        attempts=ExportRun.attempts + 1,
        queued_at=now,
        started_at=None if queued else now,
        finished_at=None,
        heartbeat_at=now,
        progress_rows=0,
        error=None,
    )
    if rebuild:
        values.update(trigger=trigger, requested_by_id=requested_by_id)
    result = session.execute(
        update(ExportRun)
        .where(ExportRun.id == existing_id, or_(*takeable))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        return None
    run = session.get(ExportRun, existing_id, populate_existing=True)
    log.info("claimed %s %s (run %s, attempt %s)", f"{period:%Y-%m}", run.scope, run.id, run.attempts)
    return run


def _run_id(session, period: date, team_id: int | None) -> int | None:
    return session.scalar(select(ExportRun.id).where(ExportRun.period == period, ExportRun.scope == scope_for(team_id)))


def start_queued_run(session, run_id: int, token: str) -> ExportRun | None:
    """queued -> running for the holder of the claim (the background worker of "make now")."""
    now = utcnow()
    result = session.execute(
        update(ExportRun)
        .where(ExportRun.id == run_id, ExportRun.status == "queued", ExportRun.claimed_by == token)
        .values(status="running", started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        return None
    return session.get(ExportRun, run_id, populate_existing=True)


# ---- building --------------------------------------------------------------


class _ProgressRecorder:
    """Writes rows-so-far to the run on its own connection, at most once a second, so the
    page can show progress without disturbing the build's reading transaction."""

    def __init__(self, engine, run_id: int, token: str):
        self.engine, self.run_id, self.token = engine, run_id, token
        self.rows = 0
        self._last = 0.0

    def __call__(self, rows=None, *args, **kwargs) -> None:
        if isinstance(rows, int):
            self.rows = rows
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    update(ExportRun)
                    .where(ExportRun.id == self.run_id, ExportRun.claimed_by == self.token)
                    .values(progress_rows=self.rows, heartbeat_at=utcnow())
                )
        except Exception:  # progress is a nicety; never let it break the build
            log.debug("could not record progress of run %s", self.run_id, exc_info=True)


# Anything that looks like a file path: the exports page never shows where the server keeps files.
_SERVER_PATH = re.compile(r"""['"]?(?:[A-Za-z]:)?[/\\][^\s'"]+['"]?""")


def _error_text(error: BaseException) -> str:
    """What a person reads on the exports page: the kind of error and the reason, never a server
    path (the log has the whole traceback)."""
    if isinstance(error, ExportDirError):
        text = "The export folder cannot be used (EXPORT_DIR: see the server log)"
    elif isinstance(error, OSError):
        text = f"{error.__class__.__name__}: the workbook could not be saved ({error.strerror or 'file system error'})"
    else:
        text = f"{error.__class__.__name__}: {error}"
    return _SERVER_PATH.sub("(a server path)", text)[:ERROR_MAX]


def build_run(session, run: ExportRun, settings: ExportSettings) -> ExportRun:
    """Make the workbook of a run this process holds and record the outcome on the row.

    The builder works in a folder of its own under EXPORT_DIR and renames the
    workbook into place, so a full disk or a permission error leaves no partial
    file: the run is marked failed with the error, shown on the exports page
    and retried later. While it builds, the claim's heartbeat is renewed
    (tracker/exports/building.py)."""
    run_id, token, period, team_id = run.id, run.claimed_by, run.period, run.team_id
    team = session.get(Team, team_id) if team_id is not None else None
    scope_label = team.name if team is not None else "All teams"
    team_ids = [team_id] if team_id is not None else None
    progress = _ProgressRecorder(session.get_bind(), run_id, token)
    heartbeat = ClaimHeartbeat(session.get_bind(), run_id, token, settings.heartbeat_every)
    try:
        folder = period_dir(settings.export_dir, period)
        path = folder / workbook_filename(period, team)
        signoffs = signoffs_for(session, period, team_ids)
        # End our reading transaction so the builder can read the whole month in one snapshot.
        session.commit()
        # The month is read from the replica when one is set and fit; the run's records go to the primary.
        with heartbeat, build_folder(settings.export_dir) as work_dir, reads_on_replica(session):
            folder.mkdir(exist_ok=True)
            result = build_workbook(
                session,
                month=period,
                team_ids=team_ids,
                path=path,
                scope_label=scope_label,
                signoffs=signoffs,
                progress=progress,
                timezone=settings.timezone,
                work_dir=work_dir,
            )
    except Exception as error:  # any failure is recorded on the run and retried later
        session.rollback()
        log.exception("export %s %s failed", f"{period:%Y-%m}", scope_for(team_id))
        _finish(session, run_id, token, status="failed", error=_error_text(error))
        return session.get(ExportRun, run_id, populate_existing=True)
    _finish(
        session,
        run_id,
        token,
        status="succeeded",
        error=None,
        file_name=Path(result.path).name,
        size=result.size,
        sha256=result.sha256,
        rows=result.rows,
        progress_rows=result.rows,
    )
    log.info("export %s %s made: %s (%s rows)", f"{period:%Y-%m}", scope_for(team_id), Path(result.path).name, result.rows)
    return session.get(ExportRun, run_id, populate_existing=True)


def _finish(session, run_id: int, token: str, **values) -> None:
    now = utcnow()
    result = session.execute(
        update(ExportRun)
        .where(ExportRun.id == run_id, ExportRun.claimed_by == token)
        .values(finished_at=now, heartbeat_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        # Our claim went stale and another process took the run over; its result stands.
        log.warning("run %s was taken over by another process; not recording this result", run_id)
