"""PostgreSQL's monthly partitions of the entry table (tracker/entries/partitions.py, migration 20261206_entry_partitions).

Only in the PostgreSQL run (marker `postgresql`, tests/conftest.py): the SQLite
run leaves them out, and a PostgreSQL run that cannot connect fails them.
Entries are written through the services, as the form and the API write them;
every move between partitions must keep the row's id and version and the
rollups exact."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tracker.burden import rollup
from tracker.database import hold_row
from tracker.entries.partitions import (
    AHEAD_MONTHS,
    BEHIND_MONTHS,
    DEFAULT_PARTITION,
    is_partitioned,
    make_partitions,
    make_partitions_around,
    partition_name,
    partitions,
)
from tracker.entries.services import update_entry
from tracker.models.burden import BurdenRollup
from tracker.models.entries import Entry
from tracker.scheduler.jobs import entry_partitions
from tracker.shared.timeutil import add_months, month_start

pytestmark = pytest.mark.postgresql

THIS_MONTH = month_start(date.today())


def home(session, entry_id: int) -> str:
    """The partition that holds the entry's row."""
    return session.execute(text("SELECT tableoid::regclass::text FROM entry WHERE id = :id"), {"id": entry_id}).scalar()


@pytest.fixture
def logging(db, make_user, make_request, make_entry, team):
    manager = make_user("manager", [team])
    request = make_request()
    return lambda day, minutes=60: make_entry(manager, team, request, occurred_on=day, minutes=minutes), manager


def test_after_the_migration_entry_is_partitioned_by_month_with_a_default(db):
    connection = db.session.connection()
    assert is_partitioned(connection)
    strategy = connection.execute(text(
        "SELECT partstrat, pg_get_partkeydef(partrelid) FROM pg_partitioned_table WHERE partrelid = 'entry'::regclass"
    )).one()
    assert strategy == ("r", "RANGE (occurred_on)")
    made = partitions(connection)
    assert made[DEFAULT_PARTITION] == "DEFAULT"
    for offset in range(-BEHIND_MONTHS, AHEAD_MONTHS + 1):
        month = add_months(THIS_MONTH, offset)
        assert made[partition_name(month)] == f"FOR VALUES FROM ('{month}') TO ('{add_months(month, 1)}')"
    key = connection.execute(text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'entry'::regclass AND contype = 'p'"
    )).scalar()
    assert key == "PRIMARY KEY (id, occurred_on)"
    # The partial index is a partitioned index, and each partition has its own with the same condition.
    kind = connection.execute(text("SELECT relkind FROM pg_class WHERE oid = to_regclass('ix_entry_supplied_elsewhere')"))
    assert kind.scalar() == "I"
    child = connection.execute(text(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :name "
        "AND indexdef LIKE '%deleted_at IS NULL%' AND indexdef LIKE '%''yes''%'"  # this schema's (bench/scale.py seeds others)
    ), {"name": partition_name(THIS_MONTH)}).scalar()
    assert "(request_id, occurred_on, team_id)" in child and "'yes'" in child


def test_a_new_entry_lands_in_its_months_partition_and_ids_keep_coming_from_the_sequence(db, logging):
    log, _manager = logging
    first, second = log(THIS_MONTH), log(add_months(THIS_MONTH, -1))
    assert home(db.session, first.id) == partition_name(THIS_MONTH)
    assert home(db.session, second.id) == partition_name(add_months(THIS_MONTH, -1))
    assert second.id == first.id + 1
    assert db.session.get(Entry, first.id).minutes == 60


def test_an_edit_to_another_month_moves_the_row_keeping_its_id_and_counting_its_version(db, logging):
    log, manager = logging
    entry = log(THIS_MONTH, minutes=45)
    next_month = add_months(THIS_MONTH, 1)
    assert entry.version == 1

    moved = update_entry(manager, entry, {"occurred_on": next_month.replace(day=3), "minutes": 50})
    db.session.commit()
    assert moved.id == entry.id and moved.version == 2
    assert home(db.session, entry.id) == partition_name(next_month)
    assert db.session.scalar(select(Entry.version).where(Entry.id == entry.id)) == 2
    assert rollup.differences(db.session) == {}
    counted = dict(db.session.execute(select(BurdenRollup.month, BurdenRollup.minutes).where(BurdenRollup.entries > 0)).all())
    assert counted == {next_month: 50}
    # An edit that stays in the month stays in the partition.
    update_entry(manager, moved, {"minutes": 55}, expected_versions={2})
    db.session.commit()
    assert home(db.session, entry.id) == partition_name(next_month)
    assert db.session.scalar(select(Entry.version).where(Entry.id == entry.id)) == 3


def test_holding_a_row_that_a_concurrent_edit_moved_to_another_month_finds_it_there(db, logging):
    """PostgreSQL fails a lock on a row moved meanwhile to another partition; hold_row looks again."""
    log, _manager = logging
    entry = log(THIS_MONTH)
    next_month = add_months(THIS_MONTH, 1)
    mover, holder = Session(db.engine), Session(db.engine)
    held = {}
    try:
        mover.execute(text("UPDATE entry SET occurred_on = :day, version = version + 1 WHERE id = :id"),
                      {"day": next_month, "id": entry.id})
        waiting = threading.Thread(target=lambda: held.update(row=hold_row(holder, Entry, entry.id)))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # waits for the mover's lock
        mover.commit()
        waiting.join(timeout=30)
        assert not waiting.is_alive()
        assert (held["row"].id, held["row"].occurred_on, held["row"].version) == (entry.id, next_month, 2)
        holder.commit()
    finally:
        mover.close()
        holder.close()


def test_dates_outside_every_month_partition_go_to_the_default_partition(db, logging):
    log, _manager = logging
    old = log(date(2001, 1, 15))  # the entry rules allow any date from 2000
    assert home(db.session, old.id) == DEFAULT_PARTITION
    assert rollup.differences(db.session) == {}


def test_making_a_month_whose_rows_are_in_the_default_partition_moves_them_there(db, logging):
    log, manager = logging
    kept = [log(date(2001, 3, day), minutes=10 + day) for day in (1, 31)]
    other = log(date(2001, 4, 1))
    versions = {e.id: e.version for e in kept}
    assert {home(db.session, e.id) for e in (*kept, other)} == {DEFAULT_PARTITION}

    assert make_partitions(db.session, date(2001, 3, 1), date(2001, 3, 20)) == ["entry_2001_03"]
    db.session.commit()
    assert {home(db.session, e.id) for e in kept} == {"entry_2001_03"}
    assert home(db.session, other.id) == DEFAULT_PARTITION
    stored = dict(db.session.execute(select(Entry.id, Entry.version).where(Entry.id.in_(versions))).all())
    assert stored == versions
    assert partitions(db.session.connection())["entry_2001_03"] == "FOR VALUES FROM ('2001-03-01') TO ('2001-04-01')"
    assert rollup.differences(db.session) == {}
    # The moved rows are edited as any other (the partition has the parent's keys and indexes).
    update_entry(manager, kept[0], {"minutes": 99})
    db.session.commit()
    assert db.session.get(Entry, kept[0].id).version == 2


def test_making_partitions_around_a_day_makes_the_missing_months_once(db):
    today = date(2031, 5, 20)
    wanted = [partition_name(add_months(date(2031, 5, 1), n)) for n in range(-BEHIND_MONTHS, AHEAD_MONTHS + 1)]
    missing = [name for name in wanted if name not in partitions(db.session.connection())]
    assert len(missing) == len(wanted)  # nothing so far ahead was made before
    assert make_partitions_around(db.session, today) == missing
    db.session.commit()
    assert set(wanted) <= set(partitions(db.session.connection()))
    assert make_partitions_around(db.session, today) == []
    db.session.commit()


def test_two_schedulers_making_the_same_months_at_once_make_each_once(db):
    """The first holds the advisory lock until it commits; the second waits, then finds them made."""
    engine = db.engine
    first, second = Session(engine), Session(engine)
    results = {}
    try:
        results["first"] = make_partitions(first, date(2034, 1, 1), date(2034, 3, 1))
        waiting = threading.Thread(target=lambda: results.update(second=make_partitions(second, date(2034, 1, 1),
                                                                                      date(2034, 3, 1))))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # held at the lock
        first.commit()
        waiting.join(timeout=30)
        second.commit()
    finally:
        first.close()
        second.close()
    assert results == {"first": ["entry_2034_01", "entry_2034_02", "entry_2034_03"], "second": []}


def test_the_scheduler_job_and_the_command_make_a_missing_month(app, db):
    last = partition_name(add_months(THIS_MONTH, AHEAD_MONTHS))
    db.session.execute(text(f"ALTER TABLE entry DETACH PARTITION {last}"))
    db.session.execute(text(f"DROP TABLE {last}"))
    db.session.commit()
    assert entry_partitions(app) == [last]
    assert entry_partitions(app) == []

    runner = app.test_cli_runner()
    result = runner.invoke(args=["entries", "make-partitions"])
    assert result.exit_code == 0 and "Every partition was there already." in result.output
    result = runner.invoke(args=["entries", "make-partitions", "--from", "2002-11", "--to", "2002-12"])
    assert result.exit_code == 0, result.output
    assert "Made 2 partition(s): entry_2002_11, entry_2002_12." in result.output
    result = runner.invoke(args=["entries", "make-partitions", "--from", "November"])
    assert result.exit_code == 2 and "is not a month in the form YYYY-MM" in result.output
    result = runner.invoke(args=["entries", "make-partitions", "--from", "2003-02", "--to", "2003-01"])
    assert result.exit_code == 2 and "--from 2003-02 is after --to 2003-01" in result.output
