"""The shape of the code: layers that point one way, no import guards, cheap hashing only in tests."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import base_config
from tracker import create_app
from tracker.shared import passwords

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_linter_contracts_are_kept():
    """.importlinter: features point down to the shared layer, and no two modules import each other in a loop."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_feature_hides_behind_an_import_guard():
    """A guard once made the `scheduler` command vanish silently if APScheduler failed to import."""
    guarded = [str(p.relative_to(ROOT)) for p in (ROOT / "tracker").rglob("*.py") if "except ImportError" in p.read_text()]
    assert guarded == []


def test_every_command_is_registered(app):
    assert {"create-user", "create-token", "seed-demo", "export", "scheduler", "burden"} <= set(app.cli.commands)


def test_passwords_are_hashed_at_full_strength_outside_testing(tmp_path):
    try:
        config = dict(base_config(f"sqlite:///{tmp_path / 'p.sqlite'}", str(tmp_path)), APP_ENV="production",
                      SECRET_KEY="a production secret")
        create_app(config)
        assert passwords.current_method() == passwords.PRODUCTION_METHOD == "scrypt"
        assert passwords.hash_password("correct horse").startswith("scrypt:32768:8:1$")
    finally:
        passwords.use_method(passwords.TESTING_METHOD)


def test_the_suite_hashes_cheaply_and_old_hashes_still_check(app):
    assert passwords.hash_password("correct horse").startswith("pbkdf2:sha256:1$")
    from werkzeug.security import generate_password_hash

    strong = generate_password_hash("correct horse", method="scrypt")
    assert passwords.password_matches(strong, "correct horse") and not passwords.password_matches(strong, "wrong")
