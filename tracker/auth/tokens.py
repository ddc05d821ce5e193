"""API tokens: made for a user, listed, revoked. Only a token's SHA-256 is stored.

A revoked token stays in the table (its dates are the record); deactivating a
user revokes all of theirs, and reactivating does not bring them back."""
from __future__ import annotations

import secrets

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models.auth import ApiToken, User
from tracker.shared.timeutil import utcnow


def new_api_token(user: User) -> str:
    """Add a token for the user (in the caller's transaction) and return it: it is never shown again."""
    token = "rbt_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.hash(token)))
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """Every token the user has had, live ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(token: ApiToken) -> bool:
    """Stop the token working from now on; False if it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def revoke_all_tokens(user: User) -> int:
    """Revoke every live token of the user in one statement; returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount
