"""Reads on a streaming replica (DATABASE_REPLICA_URL): which statement goes where, and whether the replica is fit.

One owner for the routing: `RoutingSession.get_bind`, the session class of
`db.session`. A session reads from the primary unless `reads_on_replica` (a
block) or `route_reads` (a web request: tracker/operations/replica.py) says
otherwise, and even then only plain reads go to the replica:

- a SELECT (ORM or Core, no FOR UPDATE), or a connection asked for with
  `bind_arguments=FOR_READING` (tracker/database.py), goes to the replica;
- a flush, an INSERT/UPDATE/DELETE, a SELECT ... FOR UPDATE (`hold_row`),
  raw SQL, a connection asked for without saying, and anything with
  `bind_arguments=ON_PRIMARY` (who is signed in) go to the primary;
- once the session has written, everything else it reads comes from the
  primary until it is routed again: it must see its own work, and an object it
  wrote, once expired by the commit, must not be read back from a replica that
  has not got it yet.

Whether the replica may be used at all is `ReplicaWatch`'s verdict, asked of
the replica at most every DATABASE_CHECK_SECONDS per process: "ok", "lagging"
(more than REPLICA_MAX_LAG_SECONDS behind) or "unavailable". Anything but ok:
reads stay on the primary. docs/operations.md, "A read replica"."""
from __future__ import annotations

import logging
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import scoped_session

from tracker.database import UNAVAILABLE_ERRORS, unavailable_reason

log = logging.getLogger("tracker.replica")

REPLICA = "replica"  # its bind key in SQLALCHEMY_BINDS (tracker/config.py)
_READS_ON_REPLICA = "reads_on_replica"  # session.info keys
_WROTE = "wrote_in_transaction"


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, with reads sent to the replica when this session was told to."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.info.get(_READS_ON_REPLICA) and self._is_plain_read(clause, kwargs):
            return self._db.engines[REPLICA]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def _is_plain_read(self, clause, kwargs) -> bool:
        if kwargs.get("primary") or self._flushing or self.info.get(_WROTE):
            return False
        if clause is None:
            return bool(kwargs.get("reading"))
        if getattr(clause, "is_dml", False) or getattr(clause, "_for_update_arg", None) is not None:
            self.info[_WROTE] = True  # written (or about to be): the rest stays on the primary
            return False
        return bool(getattr(clause, "is_select", False)) and not getattr(clause, "_is_textual", False)

    def replica_engine(self):
        """The replica's engine, or None when DATABASE_REPLICA_URL is not set."""
        return self._db.engines.get(REPLICA)


@event.listens_for(RoutingSession, "after_flush")
def _wrote(session, _flush_context) -> None:
    session.info[_WROTE] = True


def _session(session):
    return session() if isinstance(session, scoped_session) else session


# ---- is the replica fit to read from? -------------------------------------------------


@dataclass(frozen=True)
class ReplicaState:
    status: str  # "ok", "lagging" or "unavailable"
    lag_seconds: float | None = None  # None: unknown (unavailable, or never replayed anything yet)

    @property
    def usable(self) -> bool:
        return self.status == "ok"


# How far behind the replica is, in seconds. `now() - pg_last_xact_replay_timestamp()` alone grows
# while the primary is idle (nothing new to replay), so a replica that is streaming and has replayed
# all it received is 0 behind. A replica that is not in recovery (promoted) is the data itself.
LAG_SQL = text("""
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT FROM pg_stat_wal_receiver) THEN 0
    ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))
END
""")


def measure(engine, max_lag_seconds: float) -> ReplicaState:
    """Ask the replica how far behind it is (its own connection; one round trip)."""
    try:
        with engine.connect() as connection:
            lag = connection.execute(LAG_SQL).scalar()
    except (DBAPIError, *UNAVAILABLE_ERRORS) as error:
        log.warning("the read replica is unavailable, reading from the primary: %s", unavailable_reason(error))
        return ReplicaState("unavailable")
    if lag is None:  # behind, and nothing replayed since it started: how far is unknown
        return ReplicaState("lagging")
    lag = float(lag)
    if lag > max_lag_seconds:
        log.warning("the read replica is %.1f s behind (limit %s s), reading from the primary", lag, max_lag_seconds)
        return ReplicaState("lagging", lag)
    return ReplicaState("ok", lag)


class ReplicaWatch:
    """The replica's last verdict, kept for `every` seconds per process. While one thread asks
    again, the others go on with the last verdict; only the very first question makes them wait."""

    def __init__(self, engine, max_lag_seconds: float, every: float):
        self.engine, self.max_lag_seconds, self.every = engine, max_lag_seconds, every
        self._state: ReplicaState | None = None
        self._checked_at = -math.inf
        self._lock = threading.Lock()
        event.listen(engine, "handle_error", self._on_error)

    def state(self) -> ReplicaState:
        if self._state is None or time.monotonic() - self._checked_at >= self.every:
            if self._lock.acquire(blocking=self._state is None):
                try:
                    if self._state is None or time.monotonic() - self._checked_at >= self.every:
                        self._state = measure(self.engine, self.max_lag_seconds)
                        self._checked_at = time.monotonic()
                finally:
                    self._lock.release()
        return self._state

    def _on_error(self, context) -> None:
        """A read on the replica failed to connect or lost its connection: stop using it at once
        (not after the verdict's few seconds); the next check says when it is back."""
        if context.is_disconnect or context.connection is None:
            self._state = ReplicaState("unavailable")
            self._checked_at = time.monotonic()


_watch_lock = threading.Lock()


def replica_state(session) -> ReplicaState | None:
    """The replica's verdict for this process (None when DATABASE_REPLICA_URL is not set)."""
    session = _session(session)
    engine = session.replica_engine() if isinstance(session, RoutingSession) else None
    if engine is None:
        return None
    app = current_app._get_current_object()
    watch = app.extensions.get("replica_watch")
    if watch is None:
        with _watch_lock:
            watch = app.extensions.get("replica_watch")
            if watch is None:
                watch = app.extensions["replica_watch"] = ReplicaWatch(
                    engine,
                    float(app.config.get("REPLICA_MAX_LAG_SECONDS", 30)),
                    float(app.config.get("DATABASE_CHECK_SECONDS", 5)),
                )
    return watch.state()


def route_reads(session, to_replica: bool) -> bool:
    """Send this session's plain reads to the replica (when set and fit) or back to the primary.
    Says whether they now go to the replica."""
    session = _session(session)
    state = replica_state(session) if to_replica else None
    on_replica = state is not None and state.usable
    session.info.pop(_WROTE, None)
    if on_replica:
        session.info[_READS_ON_REPLICA] = True
    else:
        session.info.pop(_READS_ON_REPLICA, None)
    return on_replica


def reads_on_replica_now(session) -> bool:
    return bool(_session(session).info.get(_READS_ON_REPLICA))


def wrote(session) -> bool:
    """The session has written since it was last routed (flush, INSERT/UPDATE/DELETE, FOR UPDATE)."""
    return bool(_session(session).info.get(_WROTE))


@contextmanager
def reads_on_replica(session):
    """Within the block the session reads from the replica when one is set and fit (a workbook
    build); its writes, and what it reads afterwards, go to the primary."""
    session = _session(session)
    before = reads_on_replica_now(session)
    route_reads(session, True)
    try:
        yield
    finally:
        route_reads(session, False)
        if before:
            session.info[_READS_ON_REPLICA] = True
