"""The README and docs/ stand on their own: nothing links outside the repository, and what
they promise a newcomer (demo logins, HOST and PORT) is what the code does."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.demo import data

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_link_stays_inside_the_repository(document):
    text = document.read_text(encoding="utf-8")
    assert "../shared" not in text and "SPEC.md" not in text
    for target in LINK.findall(text):
        assert not re.match(r"[a-z]+:", target), f"{document.name} links outside: {target}"
        path = (document.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), f"{document.name}: {target}"


def test_the_docs_cover_the_arithmetic_the_workbook_and_the_roles():
    names = {p.name for p in DOCUMENTS}
    assert {"burden-arithmetic.md", "workbook.md", "roles.md", "getting-started.md"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("burden-arithmetic.md", "workbook.md", "roles.md", "getting-started.md"):
        assert f"(docs/{name})" in readme


def test_the_readme_lists_one_demo_login_per_role_and_how_to_run_without_a_browser():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for email in (data.MANAGER_EMAIL, data.LEAD_EMAIL, data.COMMISSIONER_EMAIL, data.ADMIN_EMAIL):
        assert f"`{email}`" in readme
    assert f"`{data.DEMO_PASSWORD}`" in readme
    assert "`HOST`" in readme and "`PORT`" in readme
    assert """make test PYTEST_ARGS="-m 'not browser'\"""" in readme


def test_run_serves_where_host_and_port_say(monkeypatch):
    import runpy

    served = {}
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("SCHEDULER_ENABLED", "0")
    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.setattr("flask.Flask.run", lambda self, **kwargs: served.update(kwargs))
    runpy.run_path(str(ROOT / "run.py"), run_name="__main__")
    assert (served["host"], served["port"]) == ("0.0.0.0", 8123)


def test_make_test_says_it_installs_chromium_with_apt_and_how_to_do_without():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    chromium = makefile[makefile.index("\nchromium:"):makefile.index("\ndb:")]
    assert "apt-get install" in chromium and "root or sudo" in chromium
    assert "-m 'not browser'" in chromium
