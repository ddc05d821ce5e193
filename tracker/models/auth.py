"""Users, their roles on teams, API tokens and login attempts."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.shared.choices import ROLES, TEAM_ROLES, check_in
from tracker.shared.passwords import hash_password, password_matches
from tracker.extensions import db
from tracker.shared.timeutil import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(check_in("role", ROLES), name="role"),
        # One account per person at the organisation's identity provider (docs/sessions.md).
        UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_user_oidc_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    # The user's main role. Managers and leads act on the teams in `memberships`;
    # commissioners and admins see every team.
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every signed-in session carries the number it started with (get_id below); raising it
    # ends all of the user's sessions at their next request (tracker/auth/sessions.py).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Who the organisation's identity provider says this is (its issuer and `sub`), stored at the
    # first sign-in through it (tracker/auth/oidc_accounts.py). None: never signed in that way.
    oidc_issuer: Mapped[Optional[str]] = mapped_column(String(255))
    oidc_subject: Mapped[Optional[str]] = mapped_column(String(255))

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """A new password ends every session signed in with the old one."""
        self.password_hash = hash_password(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session cookie issued so far stops working at its next request (written on commit)."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id and the session version it is good for.

        Flask-Login's "alternative token" pattern: the user loader accepts the cookie only while the
        version still matches, so a copied cookie dies with sign-out, a password change or deactivation."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def sees_all_teams(self) -> bool:
        return self.role in ("commissioner", "admin")

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    """A user's role on one team: manager (logs) or lead (also signs off)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "team_id", name="uq_membership_user_team"),
        CheckConstraint(check_in("role", TEAM_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    team: Mapped["Team"] = relationship()  # noqa: F821 (string resolved by SQLAlchemy)


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[Optional[datetime]]
    revoked_at: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        # Tokens are long random strings, so a fast hash is enough (no dictionary to attack).
        return hashlib.sha256(token.encode()).hexdigest()


class LoginAttempt(db.Model):
    """Each login try, so throttling holds across every web worker."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SignInLink(db.Model):
    """A one-time sign-in link printed by the command line (break-glass when password sign-in is off).

    Only the token's SHA-256 is stored; the link works once, before `expires_at`."""

    __tablename__ = "sign_in_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship()

    @staticmethod
    def hash_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
