"""Name keys: team and source names and request titles unique ignoring case and spacing

Revision ID: 0004
Revises: 0003

Adds team.name_key, source.name_key and request.title_key (the name
case-folded with its white space tidied, tracker/shared/names.py) with unique
indexes, so the database itself refuses a look-alike.

A database made before this may already hold look-alikes ("Northshire ICB" and
"northshire  icb"). Each group is merged into its oldest member: entries,
requests, memberships, sign-offs and export runs are re-pointed, the
look-alike row is removed, one audit event per merge records it, the burden
rollups are rebuilt from the entries (still exact), and what was merged is
printed. Downgrading drops the keys; merges are not undone (the audit events
say what they were).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SPACES = re.compile(r"\s+")


def tidy(text):
    # A copy of tracker.shared.names at the time of writing: a migration must not change when the app does.
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def key(text):
    return tidy(text).casefold()


KEYS = (("team", "name", 120), ("source", "name", 160), ("request", "title", 200))


def upgrade():
    conn = op.get_bind()
    # NOT NULL from the start (a server default fills existing rows), so no table has to be rebuilt on SQLite.
    for table, column, length in KEYS:
        op.add_column(table, sa.Column(f"{column}_key", sa.String(length=length), nullable=False, server_default=""))
    merged = merge_teams(conn) + merge_sources(conn) + merge_requests(conn)
    for table, column, _ in KEYS:
        for row_id, value in conn.execute(sa.text(f"SELECT id, {column} FROM {table}")).all():
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :value, {column}_key = :key WHERE id = :id"),
                {"value": tidy(value), "key": key(value), "id": row_id},
            )
    op.create_index("uq_team_name_key", "team", ["name_key"], unique=True)
    op.create_index("uq_source_name_key", "source", ["name_key"], unique=True)
    op.create_index("uq_request_source_title_key", "request", ["source_id", "title_key"], unique=True)
    if merged:
        rebuild_rollups(conn)
        for line in merged:
            print(f"0004 merged look-alike {line}")


def downgrade():
    op.drop_index("uq_request_source_title_key", table_name="request")
    op.drop_index("uq_source_name_key", table_name="source")
    op.drop_index("uq_team_name_key", table_name="team")
    for table, column, _ in reversed(KEYS):
        op.drop_column(table, f"{column}_key")  # SQLite 3.35+ drops a column in place


# ---- merging look-alikes --------------------------------------------------------


def groups(conn, sql: str, by):
    """Rows of `sql` (id first, then the columns `by` reads), grouped by by(row); oldest (created_at, id) first."""
    found: dict = {}
    for row in conn.execute(sa.text(sql)).all():
        found.setdefault(by(row), []).append(row)
    return [sorted(rows, key=lambda r: (r.created_at, r.id)) for rows in found.values() if len(rows) > 1]


AUDIT = sa.table(
    "audit_event",
    sa.column("at", sa.DateTime),
    sa.column("user_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("old", sa.JSON),
    sa.column("new", sa.JSON),
)


def audit(conn, entity: str, entity_id: int, old: dict, survivor_id: int) -> None:
    conn.execute(
        AUDIT.insert().values(
            at=datetime.now(timezone.utc).replace(tzinfo=None),
            user_id=None,
            action="merge",
            entity=entity,
            entity_id=entity_id,
            old=old,
            new={"merged_into_id": survivor_id, "reason": "look-alike name (migration 0004)"},
        )
    )


def merge_teams(conn) -> list[str]:
    lines = []
    for rows in groups(conn, "SELECT id, name, organisation, sector, created_at FROM team", lambda r: key(r.name)):
        keep, *others = rows
        for other in others:
            params = {"keep": keep.id, "other": other.id}
            conn.execute(sa.text("UPDATE entry SET team_id = :keep WHERE team_id = :other"), params)
            # A person on both teams keeps one role on the survivor.
            conn.execute(
                sa.text(
                    "DELETE FROM membership WHERE team_id = :other AND user_id IN "
                    "(SELECT user_id FROM membership WHERE team_id = :keep)"
                ),
                params,
            )
            conn.execute(sa.text("UPDATE membership SET team_id = :keep WHERE team_id = :other"), params)
            conn.execute(sa.text("UPDATE month_signoff SET team_id = :keep WHERE team_id = :other"), params)
            # Workbooks made for the look-alike stay recorded under their own scope name.
            conn.execute(sa.text("UPDATE export_run SET team_id = :keep WHERE team_id = :other"), params)
            conn.execute(sa.text("DELETE FROM team WHERE id = :other"), params)
            audit(conn, "team", other.id, {"name": other.name, "organisation": other.organisation, "sector": other.sector}, keep.id)
            lines.append(f"team '{other.name}' (#{other.id}) into '{keep.name}' (#{keep.id})")
    return lines


def merge_sources(conn) -> list[str]:
    lines = []
    for rows in groups(conn, "SELECT id, name, kind, created_at FROM source", lambda r: key(r.name)):
        keep, *others = rows
        for other in others:
            params = {"keep": keep.id, "other": other.id}
            conn.execute(sa.text("UPDATE request SET source_id = :keep WHERE source_id = :other"), params)
            conn.execute(sa.text("DELETE FROM source WHERE id = :other"), params)
            audit(conn, "source", other.id, {"name": other.name, "kind": other.kind}, keep.id)
            lines.append(f"source '{other.name}' (#{other.id}) into '{keep.name}' (#{keep.id})")
    return lines


def merge_requests(conn) -> list[str]:
    """After sources merge, two requests of one source may share a title: merge those too."""
    lines = []
    sql = "SELECT id, source_id, title, frequency, obligation, status, created_at FROM request"
    for rows in groups(conn, sql, lambda r: (r.source_id, key(r.title))):
        keep, *others = rows
        for other in others:
            params = {"keep": keep.id, "other": other.id}
            conn.execute(sa.text("UPDATE entry SET request_id = :keep WHERE request_id = :other"), params)
            conn.execute(sa.text("UPDATE request SET merged_into_id = :keep WHERE merged_into_id = :other"), params)
            conn.execute(sa.text("UPDATE request SET merged_into_id = NULL WHERE id = :keep AND merged_into_id = :keep"), params)
            conn.execute(sa.text("DELETE FROM request WHERE id = :other"), params)
            audit(
                conn,
                "request",
                other.id,
                {"title": other.title, "source_id": other.source_id, "frequency": other.frequency,
                 "obligation": other.obligation, "status": other.status},
                keep.id,
            )
            lines.append(f"request '{other.title}' (#{other.id}) into '{keep.title}' (#{keep.id})")
    return lines


def rebuild_rollups(conn) -> None:
    """The three monthly rollups, recomputed from the live entries (as tracker/burden/rollup.py does)."""
    if conn.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', occurred_on) AS DATE)"
    else:
        month = "date(occurred_on, 'start of month')"
    measures = (
        "COUNT(*), SUM(minutes), "
        "SUM(CASE WHEN duplicated_elsewhere = 'yes' THEN minutes ELSE 0 END), "
        "SUM(CASE WHEN used = 'yes' THEN minutes ELSE 0 END)"
    )
    names = "entries, minutes, duplicated_minutes, used_minutes"
    for table, keys in (
        ("burden_rollup", "team_id, request_id"),
        ("burden_rollup_team", "team_id"),
        ("burden_rollup_request", "request_id"),
    ):
        conn.execute(sa.text(f"DELETE FROM {table}"))
        conn.execute(
            sa.text(
                f"INSERT INTO {table} (month, {keys}, band, {names}) "
                f"SELECT {month}, {keys}, band, {measures} FROM entry WHERE deleted_at IS NULL "
                f"GROUP BY {month}, {keys}, band"
            )
        )
