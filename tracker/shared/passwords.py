"""Password hashing, with one setting for how hard it is.

Production uses werkzeug's default, scrypt (N=32768, r=8, p=1): about a tenth
of a second a check, which is the point. The test suite creates and signs in
hundreds of users, so under APP_ENV=testing create_app switches to a single
round of PBKDF2 (tracker/config.py); nothing else changes."""
from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

PRODUCTION_METHOD = "scrypt"
TESTING_METHOD = "pbkdf2:sha256:1"

_method = PRODUCTION_METHOD
_dummy_hashes: dict[str, str] = {}  # method -> a hash of a random password nobody knows


def use_method(method: str) -> None:
    """Set the hashing method for this process (create_app calls it from PASSWORD_HASH_METHOD).

    The dummy hash for unknown accounts is made here, at start-up: made on the first
    unknown sign-in instead, that one answer took a hash's time longer than any
    other and told, once per worker, that the address has no account."""
    global _method
    _method = method
    _dummy_hash()


def current_method() -> str:
    return _method


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Any stored method is checked as it was made, so hashes survive a change of method.

    With no hash (no such account, or one without a password) a dummy hash made with the
    current method is checked instead and the answer is False: it takes as long as a
    real check, so the time of a wrong answer does not tell whether an account exists."""
    if not password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)


def _dummy_hash() -> str:
    if _method not in _dummy_hashes:
        _dummy_hashes[_method] = generate_password_hash(secrets.token_urlsafe(24), method=_method)
    return _dummy_hashes[_method]
