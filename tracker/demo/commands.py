"""`flask --app tracker seed-demo`: load realistic, deterministic demo data."""
from __future__ import annotations

import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from tqdm import tqdm

from tracker.demo import data
from tracker.demo.seed import database_has_data, demo_logins, seed_demo
from tracker.extensions import db


def demo_today(timezone_name: str) -> date:
    """Today where the users are, but never later than the server's today (entries are never in the future)."""
    return min(date.today(), datetime.now(ZoneInfo(timezone_name)).date())


def register(app) -> None:
    @app.cli.command("seed-demo")
    @click.option("--teams", default=12, show_default=True, type=click.IntRange(1, 5000), help="Number of teams.")
    @click.option("--months", default=12, show_default=True, type=click.IntRange(1, 120),
                  help="Calendar months of entries, ending with this month.")
    @click.option("--entries", default=5000, show_default=True, type=click.IntRange(0, 50_000_000),
                  help="Number of entries.")
    @click.option("--seed", default=42, show_default=True, type=int,
                  help="Random seed: the same seed gives the same data.")
    @click.option("--if-empty", is_flag=True, help="Do nothing if the database already has a team.")
    def seed_demo_command(teams, months, entries, seed, if_empty):
        """Load demo sources, requests, teams, users and entries."""
        if if_empty and database_has_data(db.session):
            click.echo("Database already has data; demo not loaded")
        else:
            with tqdm(total=entries, desc="Demo entries", unit=" entries", unit_scale=True, file=sys.stderr,
                      mininterval=0.5, disable=entries == 0) as bar:
                result = seed_demo(db.session, teams=teams, months=months, entries=entries, seed=seed,
                                   today=demo_today(current_app.config.get("TIMEZONE") or "Europe/London"),
                                   progress=bar.update)
            click.echo(
                f"Demo loaded: {result.teams} teams, {result.users} users, {result.sources} sources, "
                f"{result.requests} requests, {result.entries} entries from {result.first_day:%d %b %Y} "
                f"to {result.last_day:%d %b %Y}."
            )
        logins = demo_logins(db.session)
        if not logins:
            click.echo("No demo logins: this database was not loaded by seed-demo.")
            return
        click.echo(f"Demo logins (every demo user's password is {data.DEMO_PASSWORD}):")
        for role, email in logins:
            click.echo(f"  {role:<13} {email}")
