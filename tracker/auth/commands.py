"""create-user and create-token."""
from __future__ import annotations

import sys

import click
from flask import current_app
from sqlalchemy import func, select

from tracker import audit
from tracker.auth.forms import email_refusal
from tracker.auth.links import new_sign_in_link
from tracker.auth.tokens import new_api_token  # noqa: F401  (create-token; tests import it from here)
from tracker.models.auth import Membership, User
from tracker.models.catalogue import Team
from tracker.shared.choices import ROLES
from tracker.extensions import db


def create_user(email: str, role: str, team_names=(), password: str | None = None, name: str | None = None) -> User:
    """Create (or update the role and teams of) a user. Plain function: the CLI and seed-demo use it."""
    email = email.strip().lower()
    refusal = email_refusal(email)
    if refusal:
        raise ValueError(f"'{email}' cannot be used to sign in: {refusal}.")
    if role not in ROLES:
        raise ValueError(f"Unknown role '{role}'. Choose from: {', '.join(ROLES)}.")
    teams = []
    for team_name in team_names:
        team = Team.named(team_name)
        if team is None:
            raise ValueError(f"No team called '{team_name}'.")
        teams.append(team)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        user = User(email=email, name=name or email.split("@")[0].replace(".", " ").title(), role=role)
        db.session.add(user)
    user.role = role
    if name:
        user.name = name
    if password:
        user.set_password(password)
    team_role = "lead" if role == "lead" else "manager"
    existing = {m.team_id: m for m in user.memberships}
    for team in teams:
        if team.id in existing:
            existing[team.id].role = team_role
        else:
            user.memberships.append(Membership(team=team, role=team_role))
    db.session.flush()
    return user


def account_summary(user: User) -> dict:
    """What the audit trail keeps of an account: never the password hash."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "teams": {m.team.name: m.role for m in user.memberships},
        "password": "(set)" if user.password_hash else "(none)",
    }


def sign_in_link_for(user: User) -> str:
    """The address of a new one-time sign-in link (PUBLIC_URL, else this machine's default address)."""
    token = new_sign_in_link(user, current_app.config["SIGN_IN_LINK_MINUTES"])
    base = (current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/login/link/{token}"


def register(app) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", required=True, type=click.Choice(list(ROLES)))
    @click.option("--team", "teams", multiple=True, help="Team name; repeat for several teams.")
    @click.option("--name", default=None, help="Display name (defaults from the email).")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create_user_command(email, role, teams, name, password_stdin):
        """Create a user, or update an existing user's role and teams."""
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if password is not None and len(password) < 10:
            raise click.BadParameter("a password needs at least 10 characters.", param_hint="password")
        try:
            user = create_user(email, role, teams, password, name)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        audit.record(db.session, None, "cli_create_user", user, new=account_summary(user))
        link = None if current_app.config.get("PASSWORD_LOGIN", True) else sign_in_link_for(user)
        db.session.commit()
        click.echo(f"User {user.email} ({user.role}) ready, id {user.id}.")
        if link:  # password sign-in is off: the way in when the organisation's sign-in cannot be used
            click.echo(f"One-time sign-in link (works once, for {current_app.config['SIGN_IN_LINK_MINUTES']} minutes): {link}")

    @app.cli.command("sign-in-link")
    @click.argument("email")
    def sign_in_link_command(email):
        """Print a one-time sign-in link for EMAIL (break-glass: works once, for SIGN_IN_LINK_MINUTES)."""
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None or not user.active:
            raise click.ClickException(f"No active user with email {email}.")
        link = sign_in_link_for(user)
        db.session.commit()
        click.echo(link)

    @app.cli.command("create-token")
    @click.argument("email")
    def create_token_command(email):
        """Print a new API token for EMAIL (only its hash is stored)."""
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user with email {email}.")
        token = new_api_token(user)
        audit.record(db.session, None, "cli_create_token", user, new={"token_for": user.email})
        db.session.commit()
        click.echo(token)
