"""The load check of bench/load.py, short (issue 12, item 9): gunicorn on the test database, clients
writing and reading at once for a few seconds, then every 2xx stored exactly once, every change
kept, rollups = entries, no 5xx. The full run (60 s, 16 writers, 4 workers) is by hand:
bench/README.md."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.server
def test_a_short_load_loses_nothing_and_reports_its_figures():
    url = os.environ.get("TEST_DATABASE_URL")
    backend = ["--backend", "postgresql", "--postgres-url", url] if url else ["--backend", "sqlite"]
    result = subprocess.run(
        [sys.executable, "bench/load.py", *backend, "--seconds", "4", "--bare-seconds", "2", "--writers", "4", "--readers", "2", "--workers", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "check passed: every 2xx stored exactly once" in out and "rollups = entries" in out
    for kind in ("POST entry (API)", "PATCH entry (API)", "GET dashboard (page)", "GET burden (API)", "GET bare endpoint"):
        assert kind in out
    assert "throughput: tracker" in out and "p99 ms" in out


def test_the_check_sees_a_lost_entry_a_double_and_a_lost_change(app, db, tmp_path, team, make_request, make_entry, make_user):
    sys.path.insert(0, str(ROOT / "bench"))
    import load

    user = make_user("manager", [team])
    request = make_request()
    kept = make_entry(user, team, request, notes="load kept", minutes=30)
    make_entry(user, team, request, notes="load twice")
    make_entry(user, team, request, notes="load twice")
    told = load.Written(created={"load kept": kept.id, "load lost": 999999, "load twice": 0}, minutes={kept.id: 45})
    tally = load.Tally()
    tally.calls["POST entry (API)"].append((0.01, 500))
    problems = load.check(app.config["DATABASE_URL"], tmp_path, [told], tally)
    assert any("answers [500]" in p for p in problems)
    assert any("1 stored more than once, 1 answered 201 but not stored" in p for p in problems)
    assert any("1 entries do not show their last 2xx change" in p for p in problems)
