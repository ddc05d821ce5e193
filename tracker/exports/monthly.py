"""Which workbooks a month needs, and making them with worker threads that share the work with every
other scheduler process through the database.

Each scheduler process (on this machine or another: they share only the
database) lists the scopes of the month in the same order (`scopes_for_period`)
and runs EXPORT_WORKERS worker threads, each with its own session. A worker
takes the next scope of the list, tries to claim it (tracker/exports/runs.py
`claim_run`: the row is the lock), builds it when it won, and moves on to the
next when another worker, here or elsewhere, holds it or has made it. Nothing
is shared out in advance: a process that starts late, runs slowly or has more
workers simply claims more, and a process that dies leaves a claim whose
heartbeat stops, which any worker takes over once it is older than
EXPORT_STALE_MINUTES (`retry_failed`, at the next retry or catch-up).

After a workbook is made the worker emails it (`send_email`, whose own claim
is tracker/shared/sending.py's), so each email goes once whichever worker made it.

Plain functions: a session, an ExportSettings and, for more than one worker, a
`sessions()` factory (a context manager giving a session of its own to a thread)."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import date, datetime, time as clock, timezone
from typing import Callable, Iterable

from sqlalchemy import and_, exists, or_, select

from tracker.exports.runs import ExportSettings, build_run, claim_run
from tracker.models.auth import Membership
from tracker.models.catalogue import Team
from tracker.models.entries import Entry
from tracker.models.exports import ExportRun
from tracker.shared.timeutil import add_months, month_end, utcnow

log = logging.getLogger("tracker.exports")

# Runs made by the scheduler are emailed; one made on request is downloaded by whoever asked.
EMAILED_TRIGGERS = ("schedule", "catch_up")

Wanted = tuple[date, "int | None", str]  # (period, team_id or None for the region, trigger)
Sessions = Callable[[], AbstractContextManager]


# ---- what a month needs ------------------------------------------------------------------


def _month_bounds_utc(period: date) -> datetime:
    return datetime.combine(add_months(period, 1), clock(), tzinfo=timezone.utc)


def teams_for_period(session, period: date) -> list[int]:
    """Active teams with entries that month, or with members and existing by its end."""
    end = month_end(period)
    has_entries = exists().where(
        Entry.team_id == Team.id, Entry.deleted_at.is_(None), Entry.occurred_on.between(period, end)
    )
    has_members = exists().where(Membership.team_id == Team.id)
    query = (
        select(Team.id)
        .where(Team.active.is_(True), or_(has_entries, and_(has_members, Team.created_at < _month_bounds_utc(period))))
        .order_by(Team.name)
    )
    return list(session.scalars(query))


def region_due(session, period: date, team_ids: list[int]) -> bool:
    """A region workbook is made once the tracker had any team that month (empty months included)."""
    if team_ids:
        return True
    return session.scalar(select(exists().where(Team.created_at < _month_bounds_utc(period)))) or False


def scopes_for_period(session, period: date) -> list[int | None]:
    """None (the region) first, then each team's id."""
    team_ids = teams_for_period(session, period)
    return ([None] if region_due(session, period, team_ids) else []) + team_ids


# ---- making them ---------------------------------------------------------------------------


def make_period(session, period: date, trigger: str, settings: ExportSettings, send_email=None,
                sessions: Sessions | None = None, stop: threading.Event | None = None) -> list[ExportRun]:
    """Make every workbook of a month that no other worker has made or is making.

    `send_email(session, run, settings)` is called after each successful
    scheduled run (tracker/exports/mailer.py); a failed send never undoes the workbook."""
    wanted = [(period, team_id, trigger) for team_id in scopes_for_period(session, period)]
    return claim_and_build(session, wanted, settings, send_email, sessions, stop)


def retry_failed(session, settings: ExportSettings, send_email=None, sessions: Sessions | None = None,
                 stop: threading.Event | None = None) -> list[ExportRun]:
    """Failed runs (under max_attempts) and stale claims of dead processes, made again."""
    cutoff = utcnow() - settings.stale_after
    candidates = session.execute(
        select(ExportRun.period, ExportRun.team_id, ExportRun.trigger)
        .where(
            or_(
                and_(ExportRun.status == "failed", ExportRun.attempts < settings.max_attempts),
                and_(ExportRun.status.in_(("queued", "running")), ExportRun.heartbeat_at < cutoff),
            )
        )
        .order_by(ExportRun.period, ExportRun.id)
    ).all()
    return claim_and_build(session, [tuple(row) for row in candidates], settings, send_email, sessions, stop)


def claim_and_build(session, wanted: Iterable[Wanted], settings: ExportSettings, send_email=None,
                    sessions: Sessions | None = None, stop: threading.Event | None = None) -> list[ExportRun]:
    """Build each wanted (period, team_id, trigger) some worker of this process manages to claim,
    skipping those another worker holds; the runs made here, in the order wanted.

    With `sessions` and settings.workers above one, that many threads share the list, each
    taking the next scope when it is done with one; otherwise the caller's session works
    through it alone. Once `stop` is set (the scheduler was asked to stop) no worker claims
    another scope: each finishes the workbook in hand, and the rest is left to other processes."""
    wanted = list(wanted)
    workers = min(settings.workers, len(wanted)) if sessions is not None else 1
    if wanted:
        log.info("making up to %d workbook(s) with %d worker(s)", len(wanted), max(workers, 1))
    if workers <= 1:
        made = {index: run_id for index, run_id in _work_through(session, _next_of(wanted, stop), settings, send_email)}
    else:
        session.rollback()  # hand back this session's connection while the workers use theirs
        take = _next_of(wanted, stop)

        def worker() -> list[tuple[int, int]]:
            with sessions() as own:
                return list(_work_through(own, take, settings, send_email))

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export-worker") as pool:
            futures = [pool.submit(worker) for _ in range(workers)]
        made = {}
        for future in futures:  # a worker's error (the database went away) is raised here
            made.update(future.result())
    ids = [made[index] for index in sorted(made)]
    if not ids:
        return []
    found = {run.id: run for run in session.scalars(
        select(ExportRun).where(ExportRun.id.in_(ids)).execution_options(populate_existing=True)
    )}
    return [found[run_id] for run_id in ids]


def _next_of(wanted: list[Wanted], stop: threading.Event | None) -> Callable[[], tuple[int, Wanted] | None]:
    """The list as a queue the workers of one process share: each call gives the next scope once
    (None when the list is done, or `stop` is set)."""
    items = iter(enumerate(wanted))
    lock = threading.Lock()

    def take():
        if stop is not None and stop.is_set():
            return None
        with lock:
            return next(items, None)

    return take


def _work_through(session, take, settings: ExportSettings, send_email) -> Iterable[tuple[int, int]]:
    """One worker: claim the next scope, build it if ours, email it; (index, run id) of each made."""
    while (item := take()) is not None:
        index, (period, team_id, trigger) = item
        run = claim_run(session, period, team_id, trigger, settings)
        if run is None:
            continue
        run = build_run(session, run, settings)
        run_id = run.id
        if send_email and run.status == "succeeded" and run.trigger in EMAILED_TRIGGERS:
            send_email(session, run, settings)
        yield index, run_id
